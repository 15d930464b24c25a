#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Write edits made inside build/src back into the project: each patched
# upstream file gets its <path>.patch regenerated, each new file is copied
# back.  FILES="path ..." starts patching more upstream files.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -f "$B/overlay.sums" ] || die "no overlay applied yet; run 'make prepare' first"
kver=$(cat "$B/kversion")
{
	awk '{ print $2, $3 }' "$B/overlay.sums"
	for f in ${FILES:-}; do echo "patch $f"; done
} | sort -u -k2 | while read -r kind p; do
	if [ "$kind" = patch ]; then
		[ -f "$PRISTINE/$p" ] || die "$p is not an upstream file of Linux $kver"
		out=$TOP/$p.patch
		if diff -q "$PRISTINE/$p" "$SRC/$p" >/dev/null; then
			[ -f "$out" ] && { rm -f "$out"; log "refresh: $p is upstream again, removed $p.patch"; }
			continue
		fi
		mkdir -p "$(dirname "$out")"
		diff -u --label "a/$p" --label "b/$p" "$PRISTINE/$p" "$SRC/$p" > "$out.tmp" || true
		if cmp -s "$out.tmp" "$out"; then rm -f "$out.tmp"; else mv "$out.tmp" "$out"; log "refresh: wrote $p.patch"; fi
	else
		cmp -s "$SRC/$p" "$TOP/$p" || { cp "$SRC/$p" "$TOP/$p"; log "refresh: copied back $p"; }
	fi
done
# Record the build tree as in sync with the project.
"$(dirname "$0")/prepare.sh"
log "refresh: done (Linux $kver)"
