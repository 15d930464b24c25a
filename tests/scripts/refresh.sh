#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Write edits made inside build/src back into the project: each patched
# upstream file gets its <path>.patch regenerated, each new file is copied
# back.  FILES="path ..." starts patching more upstream files.
#
# Only files edited in build/src since the overlay installed them are
# written back (build/overlay.sums records what was installed).  A file
# changed on both sides is a conflict and stops the refresh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -f "$B/overlay.sums" ] || die "no overlay applied yet; run 'make prepare' first"
kver=$(cat "$B/kversion")
declare -A sum=()
declare -A from=()
while read -r s _ p f; do sum[$p]=$s; from[$p]=${f:-$p}; done < "$B/overlay.sums"
md5() { md5sum < "$1" | cut -d' ' -f1; }

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
{
	awk '{ print $2, $3 }' "$B/overlay.sums"
	for f in ${FILES:-}; do echo "patch $f"; done
} | sort -u -k2 > "$tmp.list"

while read -r kind p; do
	cur=$(md5 "$SRC/$p")
	if [ -n "${sum[$p]:-}" ] && [ "$cur" = "${sum[$p]}" ]; then
		continue	# not edited in build/src
	fi
	if [ "$kind" = patch ]; then
		[ -f "$PRISTINE/$p" ] || die "$p is not an upstream file of Linux $kver"
		# An edit on this base goes to this base's directory, even when the
		# hunk so far came from the primary base's.
		f=${from[$p]:-$p.patch}
		case "$f" in base/*/*) f=${f#base/*/} ;; esac
		out=$TOP/$BASE_DIR/$f
		if [ -n "${sum[$p]:-}" ] && [ -f "$out" ]; then
			patch -s -o "$tmp" "$PRISTINE/$p" < "$out" >/dev/null 2>&1 || true
			[ "$(md5 "$tmp")" = "${sum[$p]}" ] ||
				die "$p changed both in build/src and in $p.patch; resolve by hand"
		fi
		if cmp -s "$PRISTINE/$p" "$SRC/$p"; then
			rm -f "$out"
			log "refresh: $p is upstream again, removed $p.patch"
			continue
		fi
		mkdir -p "$(dirname "$out")"
		{
			echo "diff --git a/$p b/$p"
			diff -u --label "a/$p" --label "b/$p" "$PRISTINE/$p" "$SRC/$p" || true
		} > "$out"
		log "refresh: wrote $p.patch"
	else
		[ "$(md5 "$TOP/${from[$p]}")" = "${sum[$p]}" ] ||
			die "$p changed both in build/src and in the project; resolve by hand"
		cp "$SRC/$p" "$TOP/${from[$p]}"
		log "refresh: copied back $p"
	fi
done < "$tmp.list"
rm -f "$tmp.list"
# The build tree and the project now agree.
"$(dirname "$0")/prepare.sh"
log "refresh: done (Linux $kver)"
