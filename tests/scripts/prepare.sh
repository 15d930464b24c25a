#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch the kernel source into build/src and apply the memcap overlay.
#
# Source: Debian's linux-source-$BASE tarball, or KSRC=<dir> (copied with
# rsync, never modified).  Overlay: every file under $OVERLAY_DIRS is either
# a new file, copied to the same path, or <path>.patch, applied to the
# pristine <path>.  Files are only rewritten when their content changes, so
# kbuild stays incremental.  build/overlay.sums records what was installed;
# a file edited inside build/src is never overwritten silently.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

check_version() {
	case "$1" in
	"$KVER_WANT" | "$KVER_WANT".*) ;;
	*) die "the kernel in ${KSRC:-$TARBALL} is $1; memcap's bases are Linux ${BASES// /, } (BASE=$BASE)" ;;
	esac
}

if [ -n "${KSRC:-}" ]; then
	KSRC=$(cd "$KSRC" && pwd) || die "KSRC=$KSRC is not a directory"
	[ -f "$KSRC/Makefile" ] && [ -d "$KSRC/mm" ] || die "KSRC=$KSRC is not a kernel tree"
	[ -f "$KSRC/.config" ] && die "KSRC=$KSRC is configured in-tree; run 'make mrproper' there (memcap builds with O=)"
	origin="ksrc:$KSRC"
	check_version "$(kernel_version "$KSRC")"
else
	[ -f "$TARBALL" ] || die "$TARBALL missing (make deps installs linux-source-$BASE)"
	origin="tarball:$TARBALL:$(stat -c %s:%Y "$TARBALL")"
fi

mkdir -p "$B"
# A different origin means a different tree: start again.
if [ "$(cat "$B/origin" 2>/dev/null)" != "$origin" ]; then
	log "fetch: new source ($origin)"
	rm -rf "$SRC" "$B/pristine" "$B/overlay.sums" "$OUT"
	if [ -z "${KSRC:-}" ]; then
		rm -rf "$B/unpack"; mkdir -p "$B/unpack"
		tar -xf "$TARBALL" -C "$B/unpack"
		mv "$B/unpack"/linux-source-* "$B/pristine"
		rmdir "$B/unpack"
		cp -a "$B/pristine" "$SRC"
	fi
	echo "$origin" > "$B/origin"
fi

# Overlay inventory: "new|patch <kernel path> <project path>".
inventory=$(overlay_inventory)

if [ -n "${KSRC:-}" ]; then
	# Mirror the user's tree, leaving the files the overlay manages alone.
	excl=$(mktemp)
	echo "$inventory" | awk 'NF { print "/" $2 }' > "$excl"
	echo /.git >> "$excl"
	rsync -a --delete --exclude-from="$excl" "$KSRC/" "$SRC/"
	rm -f "$excl"
fi

kver=$(kernel_version "$SRC")
check_version "$kver"

pristine() {	# the upstream version of a file
	[ -f "$PRISTINE/$1" ] || return 1
	echo "$PRISTINE/$1"
}

declare -A old_sum=()
if [ -f "$B/overlay.sums" ]; then
	while read -r sum kind p _; do old_sum[$p]="$sum $kind"; done < "$B/overlay.sums"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
newsums=$tmp/sums
: > "$newsums"
changed=0
while read -r kind p from; do
	[ -n "$p" ] || continue
	[ "$kind" = bad ] && die "$from: hunks into upstream files belong in base/<version>/, not in the shared tree"
	dst=$SRC/$p
	if [ "$kind" = patch ]; then
		orig=$(pristine "$p") || die "$p.patch: $p does not exist in Linux $kver"
		want=$tmp/want
		# No fuzz: a hunk whose context moved must not apply silently.
		if ! patch -s -N -F 0 -r - -o "$want" "$orig" < "$TOP/$from" > "$tmp/patch.log" 2>&1; then
			cat "$tmp/patch.log" >&2
			die "$from does not apply to $p of Linux $kver (${KSRC:-$TARBALL})"
		fi
	else
		want=$TOP/$from
		if [ -z "${old_sum[$p]:-}" ] && [ -f "$PRISTINE/$p" ]; then
			die "$p: new overlay file would replace the upstream file in Linux $kver; store a $p.patch instead"
		fi
	fi
	if [ -f "$dst" ] && cmp -s "$want" "$dst"; then
		:
	else
		if [ -n "${old_sum[$p]:-}" ] && [ -f "$dst" ] && [ -z "${FORCE:-}" ]; then
			cur=$(md5sum < "$dst" | cut -d' ' -f1)
			[ "$cur" = "${old_sum[$p]%% *}" ] || die "build/$BASE/src/$p was edited in the build tree; run 'make refresh-patches' to keep the edit, or FORCE=1 to discard it"
		fi
		mkdir -p "$(dirname "$dst")"
		cp "$want" "$dst"
		changed=$((changed + 1))
	fi
	printf '%s %s %s %s\n' "$(md5sum < "$dst" | cut -d' ' -f1)" "$kind" "$p" "$from" >> "$newsums"
	unset "old_sum[$p]"
done <<< "$inventory"

# Files the overlay no longer carries go back to upstream.
for p in "${!old_sum[@]}"; do
	kind=${old_sum[$p]#* }
	if [ "$kind" = patch ]; then
		cp -p "$PRISTINE/$p" "$SRC/$p"
	else
		rm -f "$SRC/$p"
	fi
	changed=$((changed + 1))
done
mv "$newsums" "$B/overlay.sums"
echo "$kver" > "$B/kversion"
log "overlay: Linux $kver, $(wc -l < "$B/overlay.sums") files, $changed changed"
