#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Scan a console log for signs of an unhealthy host kernel.  Prints the
# offending lines and exits 1 if there are any.
set -uo pipefail
logf=$1
pat='WARNING:|BUG:|Oops|Kernel panic|KASAN|SError|Unexpected|Call trace:|cut here|Internal error|hung_task|soft lockup|rcu_sched self-detected|RCU stall'
if [ ! -s "$logf" ]; then
	echo "no console log"
	exit 1
fi
if grep -nE "$pat" "$logf" | head -20 | grep .; then
	exit 1
fi
exit 0
