#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a built kernel in QEMU and keep the console log.
#
#   boot.sh <name> <variant> <cpu> <machine-extra> <cmdline-extra>
#
# The machine always has 1.25 GiB of RAM of which the kernel is told to use
# 768 MiB (mem=768M): 0x70000000-0x8fffffff is real memory outside memblock
# that tests treat as device memory.  KUnit gets the first 256 MiB, the
# memcap test driver (/dev/memcap_test) the second.  A virtio-mem-pci
# device (QEMU 7.0 or newer on arm64 virt) asks the guest to hot-add
# 128 MiB of its 256 MiB region.  Exit status: 0 if
# the initramfs reported "done", 1 otherwise (log in build/logs/<name>.log).
# QEMU_EXTRA adds QEMU options (make bench: -icount).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=$1 variant=$2 cpu=$3 mextra=$4 append=$5
O=$OUT/$variant
mkdir -p "$LOGS"
logf=$LOGS/$name.log
rm -f "$logf"
timeout --foreground -k 10 "${BOOT_TIMEOUT:-600}" \
	qemu-system-aarch64 \
	-machine "virt,virtualization=on,gic-version=3${mextra}" \
	-cpu "$cpu" -smp 2 -m 1280M,maxmem=1536M \
	-object memory-backend-ram,id=vmem0,size=256M \
	-device virtio-mem-pci,id=vmem0dev,memdev=vmem0,requested-size=128M \
	-kernel "$O/arch/arm64/boot/Image" \
	-initrd "$B/initramfs/$variant.cpio" \
	-append "console=ttyAMA0 mem=768M panic=-1 oops=panic memcap_test.base=0x80000000 memcap_test.size=0x10000000 $append" \
	-display none -monitor none -serial stdio -no-reboot -nic none ${QEMU_EXTRA:-} \
	< /dev/null > "$logf" 2>&1 || true
grep -q '^MEMCAP-INIT: done' "$logf"
