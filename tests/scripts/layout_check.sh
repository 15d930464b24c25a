#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The per-base layout holds no copy without a reason: every hunk in
# base/<other>/ must change its file differently from the primary base's
# hunk of the same path (applied to the same pristine tree), and every
# "skip" in base/<other>/paths must name a hunk the primary base has.
# Needs each base's pristine tree (make prepare).  One TSV line per base.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for other in $BASES; do
	[ "$other" = "$PRIMARY" ] && continue
	pristine=${MEMCAP_BUILD:-$TOP/build}/$other/pristine
	if [ ! -d "$pristine" ]; then
		printf 'FAIL\tlayout/%s\tno pristine tree\n' "$other"
		continue
	fi
	bad=
	while read -r f; do
		r=${f#"$TOP/base/$other/"}
		k=${r#"$TEST_OVERLAY"/}
		k=${k%.patch}
		p=$TOP/base/$PRIMARY/$r
		[ -f "$p" ] || continue
		patch -s -F 0 -o "$tmp/a" "$pristine/$k" < "$f" > /dev/null 2>&1 || continue
		if patch -s -F 0 -o "$tmp/b" "$pristine/$k" < "$p" > /dev/null 2>&1 &&
		   cmp -s "$tmp/a" "$tmp/b"; then
			bad="$bad $r"
		fi
		rm -f "$tmp/a" "$tmp/b"
	done < <(find "$TOP/base/$other" -name '*.patch' | sort)
	while read -r verb path _; do
		[ "$verb" = skip ] || continue
		[ -f "$TOP/base/$PRIMARY/$path.patch" ] || bad="$bad skip:$path"
	done < <(grep -v '^#' "$TOP/base/$other/paths" 2>/dev/null)
	if [ -z "$bad" ]; then
		printf 'PASS\tlayout/%s: every hunk differs from %s'"'"'s\t\n' "$other" "$PRIMARY"
	else
		printf 'FAIL\tlayout/%s: every hunk differs from %s'"'"'s\tredundant:%s\n' \
			"$other" "$PRIMARY" "$bad"
	fi
done
