#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The memcap semantic patches (coccinelle/*.cocci), in report mode.
#
#   coccicheck.sh tree      every script over the whole kernel tree of the
#                           base (BASE=7.3 default, or 6.12); only the files
#                           that mention the API go to spatch, one at a time.
#                           Writes build/<base>/coccicheck/:
#                             report.txt          every finding
#                             <script>.txt        the findings of one script
#                             <script>.files      the files it was given
#                             parse-failures.txt  what spatch could not parse
#                                                 (findings there are lost)
#                             recall.txt          every grep call site of the
#                                                 API, and whether a finding
#                                                 covers it
#   coccicheck.sh fixtures  each script must flag every bad fixture, no good
#                           one, and nothing in the project's own code
#                           (result lines, TSV, for make check)
#
# spatch 1.1.1's standard.h predates <linux/cleanup.h>: coccinelle/macros.h
# tells it what scoped_guard() and its relatives are, without which every
# function that uses one is dropped with no message.  It is appended to
# spatch's own standard.h and the two are given as --macro-file-builtins:
# spatch applies builtins in its first parsing pass, but --macro-file
# macros only when a region failed twice, and only a few per region.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

mode=${1:-tree}
C=$TOP/coccinelle
std=$(spatch --help 2>&1 | sed -n 's/.*--macro-file-builtins.*default=\([^)]*\)).*/\1/p')
[ -f "$std" ] || die "spatch's standard.h not found (spatch --help names none)"
[ -f "$C/macros.h" ] || die "no $C/macros.h"
MACROS=$(mktemp --suffix=.h)
trap 'rm -f "$MACROS"' EXIT
cat "$std" "$C/macros.h" > "$MACROS"
SPFLAGS="-D report --no-includes --include-headers --macro-file-builtins $MACROS"
SPATCH="spatch --very-quiet $SPFLAGS"
# spatch overflows the default 8 MiB stack on a few large files.
ulimit -s unlimited 2>/dev/null || ulimit -s 65536 2>/dev/null || true

# Files worth giving a script: a grep for the API it looks at.
prefilter() {
	case "$1" in
	memremap_no_memcap) echo 'memremap_pages' ;;
	hotplug_no_record) echo 'add_memory(_driver_managed|_resource)?\(|__add_memory(_driver_managed)?\(' ;;
	pfn_memtype) echo 'pfn_is_map_memory|pfn_valid|page_is_ram' ;;
	cacheable_pfnmap) echo 'remap_pfn_range|vmf_insert_pfn|vmf_insert_mixed|mmap_action_(remap|ioremap|simple_ioremap)' ;;
	*) echo "$1" ;;
	esac
}

scripts=$(cd "$C" && ls ./*.cocci | sed 's|^\./||; s|\.cocci$||')

if [ "$mode" = fixtures ]; then
	own=$(overlay_inventory | awk '$1 == "new" && $3 ~ /\.c$/ { print $3 }')
	for s in $scripts; do
		for f in "$C"/tests/"$s"/*.c; do
			w=$(cd "$TOP" && $SPATCH --sp-file "$C/$s.cocci" "$f" 2>/dev/null | grep ': WARNING:')
			n=$(printf '%s' "$w" | grep -c ': WARNING:')
			case "$(basename "$f")" in
			bad*)	# every function of a bad fixture must be flagged
				read -r hit all < <(printf '%s\n' "$w" | python3 "$C/sites.py" flagged "$f")
				[ "$n" -gt 0 ] && [ "$hit" = "$all" ] && st=PASS || st=FAIL
				want="flagged in every function ($hit of $all)" ;;
			*) [ "$n" = 0 ] && st=PASS || st=FAIL; want="not flagged" ;;
			esac
			printf '%s\tcocci/%s/%s\t%s findings, must be %s\n' "$st" "$s" "$(basename "$f")" "$n" "$want"
		done
		out=$(cd "$TOP" && echo "$own" | xargs -n 1 $SPATCH --sp-file "$C/$s.cocci" 2>/dev/null |
		      grep ': WARNING:')
		if [ -z "$out" ]; then
			printf 'PASS\tcocci/%s/project-code\t0 findings\n' "$s"
		else
			printf 'FAIL\tcocci/%s/project-code\t%s\n' "$s" "$(echo "$out" | head -1)"
		fi
	done
	exit 0
fi

[ -d "$SRC/mm" ] || die "no kernel tree; run 'make prepare' first"
R=$B/coccicheck
rel_r=${R#"$TOP"/}
mkdir -p "$R"
rm -rf "$R/err" "$R"/*.err
: > "$R/report.txt"
: > "$R/recall.txt"
t0=$(date +%s)
for s in $scripts; do
	t=$(date +%s)
	mkdir -p "$R/err/$s"
	(cd "$SRC" && grep -rlE --include='*.c' --include='*.h' "$(prefilter "$s")" \
		--exclude-dir=tools --exclude-dir=scripts --exclude-dir=Documentation \
		--exclude-dir=samples . | sed 's|^\./||' | sort) > "$R/$s.files"
	# One file per spatch: files given together form one group, and a
	# file-level rule (e.g. "registers a record") would span them all.
	# --verbose-parsing reports each region spatch cannot parse (and so
	# silently skips); each file's messages go to a file of their own.
	(cd "$SRC" && xargs -P "$JOBS" -n 1 sh -c '
		e="$0/$(printf %s "$3" | tr / ,).err"
		echo "FILE: $3" > "$e"
		spatch --quiet --verbose-parsing $1 --sp-file "$2" "$3" 2>>"$e"' \
		"$R/err/$s" "$SPFLAGS" "$C/$s.cocci" < "$R/$s.files") |
		grep ': WARNING:' | sort -u > "$R/$s.txt"
	n=$(wc -l < "$R/$s.txt")
	rc=$(python3 "$C/sites.py" recall "$SRC" "$R/recall.txt" "$s" "$R/$s.files" "$R/$s.txt")
	printf '%-22s %5d findings in %5d candidate files (%ds); recall: %s\n' "$s" "$n" \
		"$(wc -l < "$R/$s.files")" $(( $(date +%s) - t )) "$rc"
	sed "s/^/$s: /" "$R/$s.txt" >> "$R/report.txt"
done
pf=$(python3 "$C/sites.py" parse-failures "$SRC" "$R/parse-failures.txt" "$R"/err/*/*.err)
echo "parse failures: $pf ($rel_r/parse-failures.txt)"
echo "recall: every grep call site in $rel_r/recall.txt"
echo "report: $rel_r/report.txt ($(wc -l < "$R/report.txt") findings, $(( $(date +%s) - t0 ))s)"
