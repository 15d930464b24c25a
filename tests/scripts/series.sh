#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The overlay as a patch series (series/memcap.series, tests/scripts/series.py).
#
#   series.sh all     prepare each base and write its series
#   series.sh gen     write build/series/$BASE/: git format-patch
#                     --cover-letter --base output, one patch per entry
#   series.sh check   prove it, one result line per check (TSV, as ktap.py):
#                     git am onto the pristine tree; the tree after the
#                     last patch byte-identical to the overlay's
#                     (build/$BASE/src, plus the semantic patches);
#                     checkpatch --strict on every patch; and every step
#                     builds the objects the series has touched so far
#                     (BUILD=0 skips the builds).
#
# The git tree of the pristine kernel is made once per source
# (build/$BASE/series-git, with the tag "base") and reused.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

cmd=${1:?usage: series.sh gen|check}
G=$B/series-git
AM=$B/series-am
SOUT=$TOP/build/series/$BASE
S=$TOP/tests/scripts
export TOP BASE PRIMARY

base_repo() {
	[ -f "$B/origin" ] || die "series: run prepare first (no $B/origin)"
	if [ "$(cat "$G/.memcap-origin" 2>/dev/null)" = "$(cat "$B/origin")" ] &&
	   git -C "$G" rev-parse -q --verify base >/dev/null; then
		return 0
	fi
	log "series: a git tree of the pristine Linux $(cat "$B/kversion" 2>/dev/null)"
	rm -rf "$G" "$AM"
	cp -a "$PRISTINE" "$G" || die "series: cannot copy $PRISTINE"
	(
		cd "$G" || exit 1
		export GIT_AUTHOR_NAME=pristine GIT_AUTHOR_EMAIL=pristine@example.invalid
		export GIT_COMMITTER_NAME=pristine GIT_COMMITTER_EMAIL=pristine@example.invalid
		export GIT_AUTHOR_DATE=2026-01-01T00:00:00Z GIT_COMMITTER_DATE=2026-01-01T00:00:00Z
		git init -q && git config core.autocrlf false &&
			git config gc.auto 0 &&
			git add -A -f . && git commit -q -m "Linux $(kernel_version .)" &&
			git tag base
	) || die "series: git init of the pristine tree failed"
	# The marker file stays untracked and ignored by git clean -x only.
	cat "$B/origin" > "$G/.memcap-origin"
	echo .memcap-origin >> "$G/.git/info/exclude"
}

inventory() {
	local f
	f=$(mktemp)
	overlay_inventory > "$f"
	echo "$f"
}

# The cover letter quotes the latest figures: make check's result and
# make bench's table (build/results/), when they exist.
cover_extra() {
	if [ -f "$RES/summary.txt" ]; then
		echo "Tested with the project's harness (Debian 12, QEMU 10 TCG: -cpu max,"
		echo "cortex-a710 and cortex-a76, KUnit, KVM selftests, sanitizers):"
		sed 's/^/  /' "$RES/summary.txt"
		echo
	fi
	if [ -f "$RES/bench.txt" ]; then
		sed 's/^/  /; s/ *$//' "$RES/bench.txt"
		echo
	fi
	echo "Documentation/virt/kvm/arm/memcap.rst lists every difference from"
	echo "upstream 7.3's stage-2 choice, with its reason."
	echo
	echo "The base is Debian's linux-source-$BASE ($(cat "$B/kversion" 2>/dev/null)),"
	echo "imported into git: its base-commit is local, not an upstream id."
}

gen() {
	base_repo
	local inv extra rc
	inv=$(inventory)
	extra=$(mktemp)
	cover_extra > "$extra"
	SERIES_COVER_EXTRA=$extra python3 "$S/series.py" gen "$inv" "$PRISTINE" "$G" "$SOUT"
	rc=$?
	rm -f "$inv" "$extra"
	return $rc
}

emit() { printf '%s\t%s\t%s\n' "$1" "$2" "${3:-}"; }

case "$cmd" in
all)
	for b in $BASES; do
		BASE=$b bash "$S/prepare.sh" && BASE=$b bash "$S/series.sh" gen || exit 1
	done ;;
gen) gen ;;
check) . "$S/series_check.sh" ;;
*) die "usage: series.sh gen|check" ;;
esac
