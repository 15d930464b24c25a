#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Configure and build one kernel variant into build/out/<variant>.
#
# tests/configs/<variant>.variant names the architecture, the fragments
# (merged over allnoconfig) and the make targets.  The configuration is
# redone only when a fragment or the source changes; every option that a
# fragment sets must survive olddefconfig, or the build fails.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variant=${1:?usage: build.sh <variant> [make args]}
shift
vfile=$TOP/tests/configs/$variant.variant
[ -f "$vfile" ] || die "unknown variant $variant"
ARCH= FRAGMENTS= TARGETS= CROSS_COMPILE=
# shellcheck disable=SC1090
. "$vfile"

O=$OUT/$variant
mkdir -p "$O"
frags=
for f in $FRAGMENTS; do frags="$frags $TOP/tests/configs/$f"; done
# <arch>-<base>.config: what only one base needs, for every variant.
[ -f "$TOP/tests/configs/$ARCH-$BASE.config" ] &&
	frags="$frags $TOP/tests/configs/$ARCH-$BASE.config"
cc="ccache ${CROSS_COMPILE}gcc"
mk=(make -s -C "$SRC" O="$O" ARCH="$ARCH" CROSS_COMPILE="$CROSS_COMPILE" CC="$cc" HOSTCC="ccache gcc" -j"$JOBS")

# Every option a fragment sets must be in the final .config.
check_fragments() {
	local bad=0 line opt
	# shellcheck disable=SC2086
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			opt=${line%%=*}
			grep -qxF "$line" "$O/.config" || {
				echo "  $line requested, got: $(grep -E "^$opt=|^# $opt is not set" "$O/.config" || echo unset)"
				bad=1
			} ;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }; opt=${opt%% *}
			if grep -qE "^$opt=" "$O/.config"; then
				echo "  $line requested, got: $(grep -E "^$opt=" "$O/.config")"
				bad=1
			fi ;;
		esac
	done < <(cat $frags)
	return $bad
}

# shellcheck disable=SC2086
stamp=$( (cat $frags "$vfile"; cat "$B/kversion") | md5sum | cut -d' ' -f1)
if [ ! -f "$O/.config" ] || [ "$(cat "$O/.config.stamp" 2>/dev/null)" != "$stamp" ]; then
	log "build/$variant: configuring ($FRAGMENTS)"
	"${mk[@]}" allnoconfig >/dev/null
	# shellcheck disable=SC2086
	(cd "$O" && ARCH=$ARCH "$SRC/scripts/kconfig/merge_config.sh" -m -O "$O" "$O/.config" $frags >/dev/null)
	"${mk[@]}" olddefconfig >/dev/null
	check_fragments || die "build/$variant: the fragments do not hold (missing dependencies above)"
	echo "$stamp" > "$O/.config.stamp"
fi

# Kconfig files of the overlay may have changed: take new symbols' defaults
# (never prompt) and make sure the fragments still hold.
"${mk[@]}" olddefconfig >/dev/null
check_fragments || die "build/$variant: the fragments no longer hold"

log "build/$variant: make $TARGETS $*"
"${mk[@]}" $TARGETS "$@"
