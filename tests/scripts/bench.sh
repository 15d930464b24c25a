#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The cost of memcap against upstream 7.3, measured in one run (make bench).
#
#   bench.sh          every figure, 64 MiB per memslot
#   bench.sh short    make check's version: 16 MiB, and no size builds
#
# Both kernels boot in the same QEMU (-cpu max: FWB, DIC, MTE) with
# -icount shift=0, where a nanosecond of guest time is one guest
# instruction: the figures repeat from run to run, which wall-clock time
# under TCG does not.
#  - stage-2 faults: tools/testing/selftests/kvm/arm64/memcap_bench.c on
#    memcap 7.3 and on the unpatched 7.3 (UPSTREAM=1, as the peer);
#  - the decision, the registry, memremap and hot-add: the KUnit suites'
#    bench cases (memcap only: upstream has no such code);
#  - size: bloat-o-meter on vmlinux with CONFIG_MEMCAP=y and =n, the main
#    kernel's configuration without KUnit or the test driver (not in the
#    short version: two more kernel builds), and pahole on struct page and
#    struct dev_pagemap, compiled with -g from the pristine tree and from
#    the series' last step.
# Prints one table (build/results/bench.txt), and TSV results for make
# check: PASS when a figure was measured.  No figure is ever pass/fail.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
S=$TOP/tests/scripts
set_base 7.3

short=0
[ "${1:-}" = short ] && short=1
mib=64
[ $short = 1 ] && mib=16
ICOUNT="-icount shift=0,sleep=off"
MAX=max,pauth-impdef=on
DEVMEM="memcap_mm_kunit.devmem_start=0x70000000 memcap_mm_kunit.devmem_size=0x10000000 kvm.memcap_devmem_start=0x70000000"
FACTS_MAX="memcap_mm_kunit.machine=max MEMCAP_MACHINE=max MEMCAP_HOST_FWB=1 MEMCAP_HOST_DIC=1"
mkdir -p "$LOGS" "$RES"
emit() { printf '%s\t%s\t%s\n' "$1" "$2" "${3:-}"; }

# The two kernels: the main test kernel, and upstream as the peer builds it.
if [ $short = 0 ]; then
	bash "$S/prepare.sh" >&2 || { emit FAIL bench/prepare; exit 0; }
	for v in arm64 arm64-size arm64-size-n; do
		bash "$S/build.sh" $v >&2 || { emit FAIL "bench/build-$v"; exit 0; }
	done
	(bash "$S/selftests.sh" arm64 && bash "$S/initramfs.sh" arm64) >&2 ||
		{ emit FAIL bench/build-arm64; exit 0; }
fi
(export UPSTREAM=1; set_base 7.3
 bash "$S/prepare.sh" && bash "$S/build.sh" arm64-upstream &&
 bash "$S/selftests.sh" arm64-upstream && bash "$S/initramfs.sh" arm64-upstream) \
	> "$LOGS/bench-build.log" 2>&1 ||
	{ emit FAIL bench/build-upstream "see $LOGS/bench-build.log"; exit 0; }

QEMU_EXTRA=$ICOUNT bash "$S/boot.sh" bench-memcap arm64 "$MAX" ",mte=on" \
	"memcap_init=bench MEMCAP_BENCH_MIB=$mib $DEVMEM $FACTS_MAX kunit.filter_glob=*.*bench*"
(export UPSTREAM=1; set_base 7.3
 QEMU_EXTRA=$ICOUNT bash "$S/boot.sh" bench-upstream arm64-upstream "$MAX" ",mte=on" \
	"memcap_init=bench MEMCAP_BENCH_MIB=$mib")
ulog=${MEMCAP_BUILD:-$TOP/build}/7.3-upstream/logs/bench-upstream.log

# Size: vmlinux, y against n (make bench only).
size_txt=$RES/bench-size.txt
: > "$size_txt"
if [ $short = 0 ]; then
	NM=${CROSS}nm python3 "$SRC/scripts/bloat-o-meter" -c \
		"$OUT/arm64-size-n/vmlinux" "$OUT/arm64-size/vmlinux" > "$size_txt" 2>&1
fi

# pahole: the two structs, pristine and with memcap, from one object
# compiled with -g in the series' tree (series.sh gen made it).
pahole_txt=$RES/bench-pahole.txt
: > "$pahole_txt"
G=$B/series-git
PO=$B/bench-pahole
if bash "$S/series.sh" gen >&2 && [ -f "$OUT/arm64/.config" ]; then
	mkdir -p "$PO"
	for tree in base generated; do
		git -C "$G" checkout -q -f --detach "$tree"
		cp "$OUT/arm64/.config" "$PO/.config"
		make -s -C "$G" O="$PO" ARCH=arm64 CROSS_COMPILE="$CROSS" \
			CC="ccache ${CROSS}gcc" HOSTCC="ccache gcc" KCFLAGS=-g \
			olddefconfig mm/memremap.o >&2 &&
			for st in page dev_pagemap; do
				printf '%s %s %s\n' "$tree" "$st" \
					"$(pahole -C "$st" "$PO/mm/memremap.o" |
					   sed -n 's|.*/\* size: \([0-9]*\),.*|\1|p' | tail -1)"
			done >> "$pahole_txt"
	done
	git -C "$G" checkout -q -f --detach base
fi

python3 "$S/bench_table.py" "$LOGS/bench-memcap.log" "$ulog" "$size_txt" \
	"$pahole_txt" "$mib" "$short" > "$RES/bench.txt"
cat "$RES/bench.txt" >&2
# The cover letter quotes this table: write the 7.3 series again.
bash "$S/series.sh" gen >&2
python3 "$S/bench_table.py" --results "$LOGS/bench-memcap.log" "$ulog" \
	"$size_txt" "$pahole_txt" "$mib" "$short"
