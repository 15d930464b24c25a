#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Scan a console log for signs of an unhealthy host kernel.  Prints the
# offending lines and exits 1 if there are any.
set -uo pipefail
logf=$1
pat='WARNING:|BUG:|Oops|Kernel panic|KASAN|UBSAN:|ODEBUG:|SError|Unexpected|Call trace:|cut here|Internal error|hung_task|soft lockup|rcu_sched self-detected|RCU stall|detected stalls|lockdep is turned off'
if [ ! -s "$logf" ]; then
	echo "no console log"
	exit 1
fi
# Inside the window of injected allocation failures (tests/e2e/
# memcap_inject.c), the stack that fault injection dumps for each failure
# it forces (verbose=2, which names the failure site), and an allocation
# failure that the kernel reports with warn_alloc() (a vmemmap block, say),
# are the injection itself: those stack dumps are not reports.  Any other
# report there still counts.  The window is the one the program marks in
# the kernel log, which the console prints in order with the dumps; if the
# program dies inside it, the next program's start closes it.
if awk '/\] MEMCAP-KMSG-INJECT-BEGIN/ { w = 1 }
	/\] MEMCAP-KMSG-INJECT-END/ || (/^MEMCAP-RUN / && !/memcap-check-15/) { w = 0; skip = 0 }
	w && /alloc(ation)? failure|FAULT_INJECTION: forcing a failure/ { skip = 1 }
	w && skip && /Call trace:/ { skip = 0; next }
	{ print }' "$logf" | grep -nE "$pat" | head -20 | grep .; then
	exit 1
fi
exit 0
