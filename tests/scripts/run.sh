#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# "make run": boot the patched kernel in QEMU and print what memcap shows.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
S=$TOP/tests/scripts

mkdir -p "$LOGS"
step() {	# quiet unless it fails
	local name=$1
	shift
	if ! "$@" > "$LOGS/run-$name.log" 2>&1; then
		tail -30 "$LOGS/run-$name.log" >&2
		die "$name failed (build/$BASE/logs/run-$name.log)"
	fi
}
T0=$(date +%s)
need_disk 10 "make run" || exit 1
step deps bash "$S/deps.sh"
step prepare bash "$S/prepare.sh"
step build bash "$S/build.sh" arm64
step selftests bash "$S/selftests.sh" arm64
step initramfs bash "$S/initramfs.sh" arm64
# The unpatched kernel of the same base, for the measured peer column.
step upstream bash -c "export UPSTREAM=1 && bash '$S/prepare.sh' &&
	bash '$S/build.sh' arm64-upstream && bash '$S/selftests.sh' arm64-upstream &&
	bash '$S/initramfs.sh' arm64-upstream"
T1=$(date +%s)
FACTS="MEMCAP_MACHINE=max MEMCAP_HOST_FWB=1 MEMCAP_HOST_DIC=1"
bash "$S/boot.sh" run arm64 max,pauth-impdef=on ",mte=on" "memcap_init=run memcap.mode=strict $FACTS" ||
	die "the kernel did not boot to the end (build/$BASE/logs/run.log)"
UPSTREAM=1 bash "$S/boot.sh" run-upstream arm64-upstream max,pauth-impdef=on ",mte=on" "memcap_init=peer" ||
	die "the unpatched kernel did not boot to the end (build/$BASE-upstream/logs/run-upstream.log)"
T2=$(date +%s)
python3 "$S/report.py" "$LOGS/run.log" "${MEMCAP_BUILD:-$TOP/build}/$BASE-upstream/logs/run-upstream.log"
echo
echo "(build $((T1 - T0))s, boots $((T2 - T1))s; console logs: build/$BASE/logs/run.log, build/$BASE-upstream/logs/run-upstream.log)"
