#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Upstream as the peer: boot the unpatched 7.3 (UPSTREAM=1: only the test
# driver, the selftest and the ptdump's memory type column), memcap 7.3,
# and memcap 7.3 built with CONFIG_MEMCAP=n, in the same QEMU, on a host
# with FWB and DIC (-cpu max), one with FWB and no DIC (-cpu cortex-a710)
# and one with neither (-cpu cortex-a76), run the same stage-2 scenarios
# on each, and print what each guest's stage 2 really got, read from its
# ptdump.  Prints TSV results for make check: one per boot, PASS when
# every cell of its column was measured, and one per host, PASS when the
# MEMCAP=n kernel got upstream's answer in every cell.  memcap's own
# differences from upstream are never pass/fail here.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
S=$TOP/tests/scripts
set_base 7.3

MAX=max,pauth-impdef=on
logs=()
names=()
for kernel in upstream memcap memcap-n; do
	kunit="kunit.enable=0"
	if [ "$kernel" = memcap-n ]; then
		v=arm64-nomemcap
		(bash "$S/build.sh" $v && bash "$S/selftests.sh" $v &&
		 bash "$S/initramfs.sh" $v) > "$LOGS/peer-build-n.log" 2>&1 ||
			{ printf 'FAIL\tpeer/build-memcap-n\tsee %s\n' "$LOGS/peer-build-n.log"; continue; }
		printf 'PASS\tpeer/build-memcap-n\t\n'
	elif [ "$kernel" = upstream ]; then
		v=arm64-upstream
		(export UPSTREAM=1; set_base 7.3
		 bash "$S/prepare.sh" && bash "$S/build.sh" $v &&
		 bash "$S/selftests.sh" $v && bash "$S/initramfs.sh" $v) \
			> "$LOGS/peer-build.log" 2>&1 ||
			{ printf 'FAIL\tpeer/build-upstream\tsee %s\n' "$LOGS/peer-build.log"; continue; }
		printf 'PASS\tpeer/build-upstream\t\n'
	else
		v=arm64
	fi
	for m in max a710 a76; do
		# The MEMCAP=n kernel runs the KVM KUnit suite once.
		[ $kernel = memcap-n ] && [ $m = max ] &&
			kunit="kunit.filter_glob=kvm_arm64_memcap.* kvm.memcap_devmem_start=0x70000000"
		case $m in
		max) cpu=$MAX; extra=",mte=on" ;;
		a710) cpu=cortex-a710; extra= ;;
		a76) cpu=cortex-a76; extra= ;;
		esac
		name=peer-$kernel-$m
		( [ $kernel = upstream ] && export UPSTREAM=1; set_base 7.3
		  bash "$S/boot.sh" "$name" $v "$cpu" "$extra" "memcap_init=peer $kunit" )
		if [ $kernel = upstream ]; then
			logf=${MEMCAP_BUILD:-$TOP/build}/7.3-upstream/logs/$name.log
		else
			logf=$LOGS/$name.log
		fi
		logs+=("$logf")
		names+=("$kernel/$m")
		if [ "$kunit" != kunit.enable=0 ]; then
			python3 "$S/ktap.py" "$logf" "$name" kvm_arm64_memcap
			kunit=kunit.enable=0
		fi
	done
done
# Side by side per host: upstream, then memcap.
order=()
for m in max a710 a76; do
	for i in "${!names[@]}"; do
		case ${names[$i]} in */$m) order+=("$i") ;; esac
	done
done
ologs=() onames=()
for i in "${order[@]}"; do ologs+=("${logs[$i]}"); onames+=("${names[$i]}"); done
python3 "$S/peer_table.py" "$RES/peer-table.txt" "${ologs[@]}" -- "${onames[@]}"
