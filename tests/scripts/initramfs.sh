#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the test initramfs: a static init and the test programs, packed
# with the kernel's own usr/gen_init_cpio.  Rebuilt only when an input
# changes.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variant=${1:-arm64}
O=$OUT/$variant
D=$B/initramfs/$variant
mkdir -p "$D/bin"
gen=$O/usr/gen_init_cpio
[ -x "$gen" ] || die "$gen missing: build the $variant kernel first"

CC="ccache ${CROSS}gcc"
CFLAGS="-static -O2 -Wall -Werror"
build_prog() {	# source, output
	if [ ! -x "$2" ] || [ "$1" -nt "$2" ]; then
		$CC $CFLAGS -o "$2" "$1"
	fi
}
build_prog "$TOP/tests/init/init.c" "$D/init"
build_prog "$TOP/tests/e2e/memcap_mm.c" "$D/bin/memcap-check-20"
# Injected allocation failures: runs where the kernel has fault injection.
build_prog "$TOP/tests/e2e/memcap_inject.c" "$D/bin/memcap-check-15"

list=$D/list
{
	echo "dir /dev 0755 0 0"
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "dir /proc 0755 0 0"
	echo "dir /sys 0755 0 0"
	echo "dir /bin 0755 0 0"
	echo "dir /tmp 1777 0 0"
	echo "file /init $D/init 0755 0 0"
	for f in "$D"/bin/*; do
		[ -f "$f" ] && echo "file /bin/$(basename "$f") $f 0755 0 0"
	done
	# make run: the mm walk-through, then the stage-2 report.
	echo "slink /bin/memcap-run-10 /bin/memcap-check-20 0777 0 0"
	echo "slink /bin/memcap-run-20 /bin/memcap-check-10 0777 0 0"
	# make check: the stage-2 table of this kernel (memcap or upstream).
	echo "slink /bin/memcap-peer-10 /bin/memcap-check-10 0777 0 0"
} > "$list.new"
if ! cmp -s "$list.new" "$list" || [ ! -f "$D.cpio" ] ||
   [ -n "$(find "$D" -newer "$D.cpio" -type f | head -1)" ]; then
	mv "$list.new" "$list"
	"$gen" "$list" > "$D.cpio"
	log "initramfs/$variant: $(stat -c %s "$D.cpio") bytes"
else
	rm -f "$list.new"
fi
