#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# "make check": build, boot and run every test; one line per check and a
# final "N passed, N failed".  Exits non-zero when anything failed or did
# not run.  A stage that cannot run makes the checks that depend on it fail.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
S=$TOP/tests/scripts

T0=$(date +%s)
mkdir -p "$RES"
: > "$RES/current.tsv"
: > "$RES/stages.txt"

# stage <name> <command...>: run, time, and record as a check.
stage() {
	local name=$1 t=$(date +%s) rc
	shift
	"$@" > "$LOGS/stage-$name.log" 2>&1
	rc=$?
	printf '%-28s %4ds\n' "${RESULT_PREFIX:-}$name" $(( $(date +%s) - t )) >> "$RES/stages.txt"
	if [ $rc = 0 ]; then
		result_add PASS "stage/$name"
	else
		result_add FAIL "stage/$name" "see ${LOGS#"$TOP"/}/stage-$name.log"
		tail -25 "$LOGS/stage-$name.log" | sed 's/^/    | /'
	fi
	return $rc
}

# results_from <command...>: add the TSV lines a parser prints.  A skipped
# check did not run, so it counts as failed.
results_from() {
	local st name detail
	while IFS=$'\t' read -r st name detail; do
		[ -n "$st" ] || continue
		if [ "$st" = SKIP ]; then
			st=FAIL
			detail="skipped: $detail"
		fi
		result_add "$st" "$name" "$detail"
	done < <("$@")
}

# boot_and_check <boot> <cpu> <machine-extra> <cmdline> <suites...>
boot_and_check() {
	local boot=$1 cpu=$2 mextra=$3 append=$4
	shift 4
	if [ "$built" = 1 ]; then
		stage "boot-$boot" "$S/boot.sh" "$boot" "${VARIANT:-arm64}" "$cpu" "$mextra" \
			"memcap_init=check $append"
	else
		result_add FAIL "stage/boot-$boot" "no kernel to boot"
	fi
	local logf=$LOGS/$boot.log
	[ -f "$logf" ] || : > "$logf"
	results_from python3 "$S/ktap.py" "$logf" "$boot" "$@"
	local h
	if h=$(bash "$S/health.sh" "$logf"); then
		result_add PASS "health/$boot"
	else
		result_add FAIL "health/$boot" "$(echo "$h" | head -1)"
	fi
}

echo "== memcap check ($(date -u +%FT%TZ))"
# Three kernel trees and their builds, plus ccache (README, "Disk"):
# without the room, stop before anything else.
if ! need_disk 21 "make check"; then
	result_add FAIL "stage/disk" "not enough free disk under build/"
	echo "0 passed, 1 failed"
	exit 1
fi
result_add PASS "stage/disk"
mkdir -p "$LOGS"
stage deps bash "$S/deps.sh"

# The overlay machinery itself, on a fake kernel tree (about a second).
results_from bash "$S/harness_check.sh"

# The memory above mem=768M, for the real-memory KUnit cases.
DEVMEM="memcap_mm_kunit.devmem_start=0x70000000 memcap_mm_kunit.devmem_size=0x10000000 kvm.memcap_devmem_start=0x70000000"
# What each QEMU CPU is known to have (QEMU 10.0, measured: "CPU features:
# detected" of each boot): the tests' expected values come from these
# facts, never from the code under test.
FACTS_MAX="memcap_mm_kunit.machine=max MEMCAP_MACHINE=max MEMCAP_HOST_FWB=1 MEMCAP_HOST_DIC=1"
FACTS_A76="memcap_mm_kunit.machine=a76 MEMCAP_MACHINE=a76 MEMCAP_HOST_FWB=0 MEMCAP_HOST_DIC=0"
FACTS_A710="memcap_mm_kunit.machine=a710 MEMCAP_MACHINE=a710 MEMCAP_HOST_FWB=1 MEMCAP_HOST_DIC=0"
SUITES="memcap_registry memcap_baseline memcap_policy memcap_memremap memcap_hotplug memcap_stress kvm_arm64_memcap"
MAX=max,pauth-impdef=on

# check_base <version>: build, boot and test one base.
check_base() {
	set_base "$1"
	RESULT_PREFIX="$BASE/"
	mkdir -p "$LOGS"
	built=0
	stage prepare bash "$S/prepare.sh" &&
		stage build-arm64 bash "$S/build.sh" arm64 &&
		stage selftests bash "$S/selftests.sh" arm64 &&
		stage initramfs bash "$S/initramfs.sh" arm64 &&
		built=1

	# Boot 1: the reference platform (-cpu max: MTE, LSE, FWB, DIC), strict.
	# shellcheck disable=SC2086
	boot_and_check mte "$MAX" ",mte=on" "$DEVMEM $FACTS_MAX memcap.mode=strict" $SUITES
	results_from python3 "$S/tap.py" "$LOGS/mte.log" mte /bin/memcap-check-10 e2e 15
	results_from python3 "$S/tap.py" "$LOGS/mte.log" mte /bin/memcap-check-12 hostile 12
	results_from python3 "$S/tap.py" "$LOGS/mte.log" mte /bin/memcap-check-20 mm-e2e 20
	results_from python3 "$S/debugfs_check.py" "$LOGS/mte.log" mte \
		"baseline=cacheable|coherent|exclusives|atomics|tags" \
		"unregistered=cacheable|coherent|exclusives|atomics"

	# Boot 2: the same machine and kernel in the default mode, warn.
	# shellcheck disable=SC2086
	boot_and_check mte-warn "$MAX" ",mte=on" "$DEVMEM $FACTS_MAX" $SUITES
	results_from python3 "$S/warnonce_check.py" "$LOGS/mte-warn.log" mte-warn 5
	results_from python3 "$S/tap.py" "$LOGS/mte-warn.log" mte-warn /bin/memcap-check-10 e2e 15
	results_from python3 "$S/tap.py" "$LOGS/mte-warn.log" mte-warn /bin/memcap-check-12 hostile 12
	results_from python3 "$S/tap.py" "$LOGS/mte-warn.log" mte-warn /bin/memcap-check-20 mm-e2e 20

	# Boot 3: a host without MTE (Cortex-A76: LSE; no MTE, FWB or DIC), strict.
	# shellcheck disable=SC2086
	boot_and_check nomte cortex-a76 "" "$DEVMEM $FACTS_A76 memcap.mode=strict" $SUITES
	results_from python3 "$S/tap.py" "$LOGS/nomte.log" nomte /bin/memcap-check-10 e2e 10
	results_from python3 "$S/tap.py" "$LOGS/nomte.log" nomte /bin/memcap-check-12 hostile 12
	results_from python3 "$S/tap.py" "$LOGS/nomte.log" nomte /bin/memcap-check-20 mm-e2e 20
	results_from python3 "$S/debugfs_check.py" "$LOGS/nomte.log" nomte \
		"baseline=cacheable|coherent|exclusives|atomics" \
		"unregistered=cacheable|coherent|exclusives|atomics"

	# Boot 4: FWB without DIC (Cortex-A710; no MTE without mte=on), strict:
	# the only QEMU model that has it, for rows 7 and 8 without exec.
	# shellcheck disable=SC2086
	boot_and_check fwb-nodic cortex-a710 "" "$DEVMEM $FACTS_A710 memcap.mode=strict" $SUITES
	results_from python3 "$S/tap.py" "$LOGS/fwb-nodic.log" fwb-nodic /bin/memcap-check-10 e2e 10
	results_from python3 "$S/tap.py" "$LOGS/fwb-nodic.log" fwb-nodic /bin/memcap-check-12 hostile 12

	# Boot 5: no FWB or DIC, default (warn) mode: the KVM selftest's rows
	# where warn mode trusts assumed pages, with KVM's cache maintenance.
	# shellcheck disable=SC2086
	boot_and_check nomte-warn cortex-a76 "" "$DEVMEM $FACTS_A76" $SUITES
	results_from python3 "$S/tap.py" "$LOGS/nomte-warn.log" nomte-warn /bin/memcap-check-10 e2e 10
	results_from python3 "$S/tap.py" "$LOGS/nomte-warn.log" nomte-warn /bin/memcap-check-12 hostile 12

	# The sanitizer kernel, on the primary base: generic KASAN, lockdep and
	# RCU checking, sleeping-in-atomic checks, UBSAN, list and RCU-head
	# debugging, KFENCE and fault injection (tests/configs/sanitize.config).
	# Every suite and program, in the default mode, on the MTE machine, the
	# stress at full size (100000 operations or more) and the injected
	# failures; its health check fails on any report.
	if [ "$BASE" = "$PRIMARY" ]; then
		local sbuilt=0
		stage build-arm64-sanitize bash "$S/build.sh" arm64-sanitize &&
			stage selftests-sanitize bash "$S/selftests.sh" arm64-sanitize &&
			stage initramfs-sanitize bash "$S/initramfs.sh" arm64-sanitize &&
			sbuilt=1
		# shellcheck disable=SC2086
		VARIANT=arm64-sanitize built=$sbuilt boot_and_check sanitize "$MAX" ",mte=on" \
			"$DEVMEM $FACTS_MAX memcap_mm_kunit.stress_scale=10 log_buf_len=8M" $SUITES
		results_from python3 "$S/tap.py" "$LOGS/sanitize.log" sanitize /bin/memcap-check-10 e2e 15
		results_from python3 "$S/tap.py" "$LOGS/sanitize.log" sanitize /bin/memcap-check-12 hostile 12
		results_from python3 "$S/tap.py" "$LOGS/sanitize.log" sanitize /bin/memcap-check-15 inject 9
		# The warn-list checks of the injection program need warn mode
		# on an MTE host; elsewhere they would pass without checking.
		if grep -q "memcap.mode=warn on a host with MTE" "$LOGS/sanitize.log"; then
			result_add PASS "inject/sanitize/warn-mode-mte"
		else
			result_add FAIL "inject/sanitize/warn-mode-mte" "no warn mode on an MTE host"
		fi
		results_from python3 "$S/tap.py" "$LOGS/sanitize.log" sanitize /bin/memcap-check-20 mm-e2e 20
		# The same kernel in strict mode on a host without MTE, FWB or
		# DIC: the refusals, and KVM's cache maintenance, sanitized.
		# (log_buf_len: the injected failures' stack dumps must not push
		# the boot's messages, which the mm program reads, out of the
		# kernel log.)
		# shellcheck disable=SC2086
		VARIANT=arm64-sanitize built=$sbuilt boot_and_check sanitize-nomte cortex-a76 "" \
			"$DEVMEM $FACTS_A76 memcap.mode=strict log_buf_len=8M" $SUITES
		results_from python3 "$S/tap.py" "$LOGS/sanitize-nomte.log" sanitize-nomte /bin/memcap-check-10 e2e 10
		results_from python3 "$S/tap.py" "$LOGS/sanitize-nomte.log" sanitize-nomte /bin/memcap-check-12 hostile 12
		results_from python3 "$S/tap.py" "$LOGS/sanitize-nomte.log" sanitize-nomte /bin/memcap-check-15 inject 9
		results_from python3 "$S/tap.py" "$LOGS/sanitize-nomte.log" sanitize-nomte /bin/memcap-check-20 mm-e2e 20

		# Hardware-tag KASAN (kasan-hw.config): MTE is the kernel's
		# own memory checker here, tagging every allocation, beside
		# memcap's tag handling and KVM's tagged guests.  Only -cpu max
		# has MTE; the check below proves KASAN ran in hw-tags mode.
		local kbuilt=0
		stage build-arm64-kasan-hw bash "$S/build.sh" arm64-kasan-hw &&
			stage selftests-kasan-hw bash "$S/selftests.sh" arm64-kasan-hw &&
			stage initramfs-kasan-hw bash "$S/initramfs.sh" arm64-kasan-hw &&
			kbuilt=1
		# shellcheck disable=SC2086
		VARIANT=arm64-kasan-hw built=$kbuilt boot_and_check kasan-hw "$MAX" ",mte=on" \
			"$DEVMEM $FACTS_MAX kasan=on kasan.mode=sync" $SUITES
		if grep -q 'KernelAddressSanitizer initialized (hw-tags, mode=sync' "$LOGS/kasan-hw.log"; then
			result_add PASS "kasan-hw/KASAN in hw-tags mode, sync"
		else
			result_add FAIL "kasan-hw/KASAN in hw-tags mode, sync" "no 'KernelAddressSanitizer initialized (hw-tags, mode=sync' line"
		fi
		results_from python3 "$S/tap.py" "$LOGS/kasan-hw.log" kasan-hw /bin/memcap-check-10 e2e 15
		results_from python3 "$S/tap.py" "$LOGS/kasan-hw.log" kasan-hw /bin/memcap-check-12 hostile 12
		results_from python3 "$S/tap.py" "$LOGS/kasan-hw.log" kasan-hw /bin/memcap-check-20 mm-e2e 20
	fi

	# The kernel's static checks on everything the project adds or touches.
	if [ "$built" = 1 ]; then
		t=$(date +%s)
		results_from cached gates $TOP/arch $TOP/include $TOP/mm $TOP/tools \
			$TOP/Documentation $TOP/tests/kernel $TOP/tests/e2e $TOP/tests/init \
			"$TOP/$BASE_DIR" "$S/gates.sh" "$TOP/tests/checkpatch.ignore" \
			"$B/kversion" "$OUT/arm64/.config" -- bash "$S/gates.sh"
		printf '%-28s %4ds\n' "$BASE/gates" $(( $(date +%s) - t )) >> "$RES/stages.txt"
	else
		result_add FAIL "gates" "no prepared tree"
	fi

	# The overlay as a patch series (series/memcap.series): git am onto
	# the pristine tree, the last step byte-identical to the overlay,
	# checkpatch --strict on every patch, and every step builds what the
	# series has touched so far.
	if [ "$built" = 1 ]; then
		t=$(date +%s)
		results_from bash "$S/series.sh" check
		printf '%-28s %4ds\n' "$BASE/series" $(( $(date +%s) - t )) >> "$RES/stages.txt"
	else
		result_add FAIL "series" "no kernel built"
	fi
	RESULT_PREFIX=
}

# 7.3, the primary base, then the 6.12 backport: the same tests on each.
for base in $BASES; do
	check_base "$base"
done

# Upstream 7.3 as the peer, in the same run: the same stage-2 scenarios on
# the unpatched kernel and on memcap, with and without FWB+DIC.
t=$(date +%s)
results_from bash "$S/peer.sh"
printf '%-28s %4ds\n' "peer" $(( $(date +%s) - t )) >> "$RES/stages.txt"

# memcap's cost against upstream 7.3, the short version of make bench
# (QEMU -icount: instructions).  Figures, never pass/fail: a result fails
# only when a figure was not measured.
t=$(date +%s)
results_from bash "$S/bench.sh" short
printf '%-28s %4ds\n' "bench" $(( $(date +%s) - t )) >> "$RES/stages.txt"

# The per-base layout: no hunk is a copy of the primary base's.
results_from bash "$S/layout_check.sh"

# The semantic patches: fixtures and the project's own code.
t=$(date +%s)
results_from cached cocci "$TOP/coccinelle" $TOP/arch $TOP/include $TOP/mm \
	$TOP/tools $TOP/tests/kernel "$S/coccicheck.sh" -- \
	bash "$S/coccicheck.sh" fixtures
printf '%-28s %4ds\n' "coccinelle" $(( $(date +%s) - t )) >> "$RES/stages.txt"

# Build matrix, on the primary base: configurations that must still build
# (CONFIG_MEMCAP=n is built and booted by the peer stage above).
set_base 7.3
RESULT_PREFIX="$BASE/"
for v in arm64-nohotplug x86_64; do
	stage "build-$v" bash "$S/build.sh" "$v"
done
RESULT_PREFIX=

# Benchmark figures the KUnit suites printed (never pass/fail).
for base in $BASES; do
	echo "== figures, Linux $base (boot mte, TCG: relative, not absolute)"
	grep -hE 'ns/(fault|call|pair)|ratio|records' "$TOP/build/$base/logs/mte.log" 2>/dev/null |
		sed -E 's/^\[[ 0-9.]+\] +//; s/^# //'
done

echo "== cost against upstream 7.3 (make bench, short version)"
cat "$RES/bench.txt" 2>/dev/null

echo "== injected failures (sanitizer kernel; tests/e2e/memcap_inject.c)"
grep -hE '^(MEMCAP-INJECT(-SITES)?\s|# failure site)' "$TOP/build/$PRIMARY/logs/sanitize.log" 2>/dev/null |
	tr '\t' ' '

echo "== upstream 7.3 beside memcap 7.3 (measured; build/results/peer-table.txt)"
cat "$RES/peer-table.txt" 2>/dev/null

T1=$(date +%s)
echo "== stage times"
cat "$RES/stages.txt"
pass=$(grep -c '^PASS' "$RES/current.tsv")
fail=$(grep -c '^FAIL' "$RES/current.tsv")
skip=$(grep -c '^SKIP' "$RES/current.tsv")
echo "== wall time: $((T1 - T0))s"
# For the series' cover letter (series.sh gen).
echo "make check, $(date -u +%F): $pass passed, $fail failed" > "$RES/summary.txt"
if [ "$skip" != 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" = 0 ] && [ "$pass" != 0 ]
