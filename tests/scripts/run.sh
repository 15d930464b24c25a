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
		die "$name failed (build/logs/run-$name.log)"
	fi
}
T0=$(date +%s)
step deps bash "$S/deps.sh"
step prepare bash "$S/prepare.sh"
step build bash "$S/build.sh" arm64
step selftests bash "$S/selftests.sh" arm64
step initramfs bash "$S/initramfs.sh" arm64
T1=$(date +%s)
bash "$S/boot.sh" run arm64 max,pauth-impdef=on ",mte=on" "memcap_init=run memcap.mode=strict MEMCAP_MACHINE=max MEMCAP_HOST_FWB=1 MEMCAP_HOST_DIC=0" ||
	die "the kernel did not boot to the end (build/logs/run.log)"
T2=$(date +%s)
python3 "$S/report.py" "$LOGS/run.log"
echo
echo "(build $((T1 - T0))s, boot $((T2 - T1))s; console log: build/logs/run.log)"
