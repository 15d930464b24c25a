#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kernel's static checks, one result line per check (TSV, as ktap.py):
#  - checkpatch --strict: -f on every new file, and on every .patch hunk;
#  - scripts/kernel-doc -none -Wall on every new .c and .h;
#  - sparse (C=2) and W=1 on every object the project adds or touches,
#    compared with the same objects built from the pristine tree, so that
#    only new warnings count.
# tests/checkpatch.ignore lists the few justified checkpatch exceptions.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

cd "$TOP"
CP="perl $SRC/scripts/checkpatch.pl --no-tree --strict --terse --show-types"
new_files=$(overlay_inventory | awk '$1 == "new" { print $3 }')
patches=$(overlay_inventory | awk '$1 == "patch" { print $3 }')

ignores() {	# checkpatch --ignore argument for a file
	local t
	t=$(awk -v f="$1" '$1 == f { print $2 }' tests/checkpatch.ignore | paste -sd, -)
	[ -n "$t" ] && echo "--ignore $t"
}

emit() { printf '%s\t%s\t%s\n' "$1" "$2" "${3:-}"; }

# The test programs follow the kernel's style too.
for f in $new_files tests/init/*.c tests/e2e/*.c; do
	case "$f" in *.c|*.h|*.rst|Kconfig*|Makefile*) ;; *) continue ;; esac
	# shellcheck disable=SC2046
	out=$($CP $(ignores "$f") -f "$f" 2>&1 | grep -E '^[^ ]+:[0-9]+: (ERROR|WARNING|CHECK)')
	if [ -z "$out" ]; then emit PASS "checkpatch/$f"; else emit FAIL "checkpatch/$f" "$(echo "$out" | head -1)"; fi
done
for p in $patches; do
	# shellcheck disable=SC2046
	# On stdin: given a path like mm/foo.c.patch, checkpatch takes it for
	# a source file and checks the context lines too.
	out=$($CP --no-signoff --ignore COMMIT_MESSAGE,FILE_PATH_CHANGES $(ignores "$p") - < "$p" 2>&1 |
	      grep -E '^[^ ]+:[0-9]+: (ERROR|WARNING|CHECK)')
	if [ -z "$out" ]; then emit PASS "checkpatch/$p"; else emit FAIL "checkpatch/$p" "$(echo "$out" | head -1)"; fi
done

for f in $new_files; do
	case "$f" in *.c|*.h) ;; *) continue ;; esac
	out=$(perl "$SRC/scripts/kernel-doc" -none -Wall "$f" 2>&1)
	if [ -z "$out" ]; then emit PASS "kernel-doc/$f"; else emit FAIL "kernel-doc/$f" "$(echo "$out" | head -1)"; fi
done

# sparse and W=1, patched against pristine.
# Objects by kernel path: every new .c, and every patched upstream .c.
objs=
for f in $(overlay_inventory | awk '{ print $2 }'); do
	case "$f" in
	tools/*) ;;	# userspace, built by the selftest stage
	*.c) objs="$objs ${f%.c}.o" ;;
	esac
done

warnings() {	# <src> <out-dir> <objs...>: "file: message" per warning
	local src=$1 o=$2
	shift 2
	mkdir -p "$o"
	cp "$OUT/arm64/.config" "$o/.config"
	make -s -C "$src" O="$o" ARCH=arm64 CROSS_COMPILE="$CROSS" \
		CC="ccache ${CROSS}gcc" olddefconfig >/dev/null 2>&1
	# shellcheck disable=SC2068
	make -C "$src" O="$o" ARCH=arm64 CROSS_COMPILE="$CROSS" \
		CC="ccache ${CROSS}gcc" -j"$JOBS" W=1 C=2 CHECK=sparse $@ 2>&1 |
		sed -n -E "s|^($src/)?([^: ]+):[0-9]+(:[0-9]+)?: (warning\|error): (.*)$|\2: \5|p" |
		sed -E 's/\[-W[^]]*\]$//' | sort
}

patched=$(warnings "$SRC" "$OUT/gates" $objs)
# Only objects that exist upstream can be compared.
up_objs=
for o in $objs; do [ -f "$PRISTINE/${o%.o}.c" ] && up_objs="$up_objs $o"; done
# No target at all would build the whole pristine kernel.
pristine=
[ -n "$up_objs" ] && pristine=$(warnings "$PRISTINE" "$OUT/gates-pristine" $up_objs)
for o in $objs; do
	f=${o%.o}.c
	mine=$(echo "$patched" | grep -F "$f: " || true)
	theirs=$(echo "$pristine" | grep -F "$f: " || true)
	extra=$(comm -23 <(echo "$mine" | sed '/^$/d') <(echo "$theirs" | sed '/^$/d'))
	if [ -z "$extra" ]; then
		emit PASS "sparse+W=1/$f" "$(echo "$theirs" | sed '/^$/d' | wc -l) upstream warnings, 0 new"
	else
		emit FAIL "sparse+W=1/$f" "$(echo "$extra" | head -1)"
	fi
done
