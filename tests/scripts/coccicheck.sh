#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The memcap semantic patches (coccinelle/*.cocci), in report mode.
#
#   coccicheck.sh tree      every script over the whole kernel tree; only the
#                           files that mention the API go to spatch; writes
#                           build/coccicheck/report.txt and per-script counts
#   coccicheck.sh fixtures  each script must flag every bad fixture, no good
#                           one, and nothing in the project's own code
#                           (result lines, TSV, for make check)
set -uo pipefail
. "$(dirname "$0")/lib.sh"

mode=${1:-tree}
C=$TOP/coccinelle
SPATCH="spatch --very-quiet -D report --no-includes --include-headers"

# Files worth giving a script: a grep for the API it looks at.
prefilter() {
	case "$1" in
	memremap_no_memcap) echo 'memremap_pages' ;;
	hotplug_no_record) echo 'add_memory(_driver_managed|_resource)?\(|__add_memory\(' ;;
	pfn_memtype) echo 'pfn_is_map_memory|pfn_valid|page_is_ram' ;;
	cacheable_pfnmap) echo 'remap_pfn_range|vmf_insert_pfn|vmf_insert_mixed' ;;
	*) echo "$1" ;;
	esac
}

scripts=$(cd "$C" && ls ./*.cocci | sed 's|^\./||; s|\.cocci$||')

if [ "$mode" = fixtures ]; then
	own=$(overlay_inventory | awk '$1 == "new" && $3 ~ /\.c$/ { print $3 }')
	for s in $scripts; do
		for f in "$C"/tests/"$s"/*.c; do
			n=$(cd "$TOP" && $SPATCH --sp-file "$C/$s.cocci" "$f" 2>/dev/null | grep -c ': WARNING:')
			rel=${f#"$TOP"/}
			case "$(basename "$f")" in
			bad*) [ "$n" -gt 0 ] && st=PASS || st=FAIL; want="flagged" ;;
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
mkdir -p "$R"
: > "$R/report.txt"
t0=$(date +%s)
for s in $scripts; do
	t=$(date +%s)
	(cd "$SRC" && grep -rlE --include='*.c' --include='*.h' "$(prefilter "$s")" \
		--exclude-dir=tools --exclude-dir=scripts --exclude-dir=Documentation \
		--exclude-dir=samples . | sed 's|^\./||' | sort) > "$R/$s.files"
	# One file per spatch: files given together form one group, and a
	# file-level rule (e.g. "registers a record") would span them all.
	(cd "$SRC" && xargs -P "$JOBS" -n 1 $SPATCH --sp-file "$C/$s.cocci" \
		< "$R/$s.files" 2>"$R/$s.err") |
		grep ': WARNING:' | sort -u > "$R/$s.txt"
	n=$(wc -l < "$R/$s.txt")
	printf '%-22s %5d findings in %5d candidate files (%ds)\n' "$s" "$n" \
		"$(wc -l < "$R/$s.files")" $(( $(date +%s) - t ))
	sed "s/^/$s: /" "$R/$s.txt" >> "$R/report.txt"
done
echo "report: build/coccicheck/report.txt ($(wc -l < "$R/report.txt") findings, $(( $(date +%s) - t0 ))s)"
