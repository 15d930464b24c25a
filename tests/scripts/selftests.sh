#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Cross-build the memcap KVM selftests with the base's KVM selftest
# framework (statically linked) and place them in the initramfs as
# memcap-check-10 (stage-2 rows), memcap-check-12 (hostile VMM) and
# memcap-bench-10 (stage-2 fault cost).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variant=${1:-arm64}
O=$OUT/$variant
ST=$B/selftests
D=$B/initramfs/$variant/bin
# Linux 7.3 keeps the arm64 selftests in arm64/, 6.12 in aarch64/.
sub=arm64
[ -d "$PRISTINE/tools/testing/selftests/kvm/aarch64" ] && sub=aarch64
mkdir -p "$ST" "$D"
make -s -C "$SRC" O="$O" ARCH=arm64 CROSS_COMPILE="$CROSS" headers >/dev/null
make -s -C "$SRC/tools/testing/selftests/kvm" ARCH=arm64 CROSS_COMPILE="$CROSS" \
	CC="ccache ${CROSS}gcc" OUTPUT="$ST" KHDR_INCLUDES="-isystem $O/usr/include" \
	USERLDFLAGS=-static -j"$JOBS" "$ST/$sub/memcap_stage2" "$ST/$sub/memcap_hostile" \
	"$ST/$sub/memcap_bench"
cmp -s "$ST/$sub/memcap_stage2" "$D/memcap-check-10" ||
	cp "$ST/$sub/memcap_stage2" "$D/memcap-check-10"
# The hostile VMM (issue 12), after the stage-2 rows: memcap-check-12.
cmp -s "$ST/$sub/memcap_hostile" "$D/memcap-check-12" ||
	cp "$ST/$sub/memcap_hostile" "$D/memcap-check-12"
# The stage-2 fault benchmark (make bench; memcap_init=bench).
cmp -s "$ST/$sub/memcap_bench" "$D/memcap-bench-10" ||
	cp "$ST/$sub/memcap_bench" "$D/memcap-bench-10"
