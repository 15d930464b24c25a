#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Checks of the overlay machinery itself (prepare.sh, refresh.sh), on a
# tiny fake kernel tree given as KSRC, so that they take a second: a hunk
# that does not apply, a kernel of the wrong version, an edit made in the
# build tree, and the refresh of a .patch from such an edit.  One TSV
# result line per check, as ktap.py.
set -uo pipefail
S=$(cd "$(dirname "$0")" && pwd)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# result <status> <name> <log>: a check's line, from the status of the
# condition just evaluated; a failure quotes the last line of its log.
result() {
	if [ "$1" = 0 ]; then
		printf 'PASS\tharness/%s\t\n' "$2"
	else
		printf 'FAIL\tharness/%s\t%s\n' "$2" "$(tail -1 "$3")"
	fi
}

# A fake "Linux 6.12.99" with one file the overlay patches.
fake_kernel() {	# <dir> <version> <patchlevel>
	mkdir -p "$1/mm"
	printf 'VERSION = %s\nPATCHLEVEL = %s\nSUBLEVEL = 99\nkernelversion:\n\t@echo $(VERSION).$(PATCHLEVEL).$(SUBLEVEL)\n' \
		"$2" "$3" > "$1/Makefile"
	printf 'one\ntwo\nthree\n' > "$1/mm/up.c"
}
fake_kernel "$tmp/linux" 6 12
fake_kernel "$tmp/linux-6.11" 6 11

# A project with the real harness scripts, one new file and one patch.
P=$tmp/proj
mkdir -p "$P/tests/scripts" "$P/mm" "$P/base/6.12/mm"
cp "$S"/lib.sh "$S"/prepare.sh "$S"/refresh.sh "$P/tests/scripts/"
printf 'new\n' > "$P/mm/new.c"
cat > "$P/base/6.12/mm/up.c.patch" <<'EOF'
diff --git a/mm/up.c b/mm/up.c
--- a/mm/up.c
+++ b/mm/up.c
@@ -1,3 +1,3 @@
 one
-two
+TWO
 three
EOF

run() {	# <log> <command...>: run in the fake project, quietly
	local log=$1
	shift
	(cd "$P" && env -u MEMCAP_BUILD -u FORCE -u FILES -u BASE KSRC="$tmp/linux" "$@") > "$log" 2>&1
}
prepare() { run "$1" bash tests/scripts/prepare.sh; }
B=$P/build/6.12

# 1. The overlay applies: the new file is copied, the patch applied.
prepare "$tmp/1.log" && cmp -s "$B/src/mm/new.c" "$P/mm/new.c" &&
	[ "$(sed -n 2p "$B/src/mm/up.c")" = TWO ] &&
	[ "$(sed -n 2p "$tmp/linux/mm/up.c")" = two ]
result $? "overlay applies, KSRC left untouched" "$tmp/1.log"

# 2. A second prepare with no change rewrites nothing.
prepare "$tmp/2.log" && grep -q ', 0 changed' "$tmp/2.log"
result $? "second prepare changes nothing" "$tmp/2.log"

# 3. An edit made in build/src is never overwritten silently...
echo edited >> "$B/src/mm/new.c"
printf 'newer\n' > "$P/mm/new.c"
! prepare "$tmp/3.log" && grep -q 'mm/new.c was edited in the build tree' "$tmp/3.log"
result $? "an edit in the build tree stops prepare" "$tmp/3.log"
printf 'new\n' > "$P/mm/new.c"
sed -i '$d' "$B/src/mm/new.c"

# 4. ...and make refresh-patches turns it into the .patch.
sed -i 's/^three$/THREE/' "$B/src/mm/up.c"
run "$tmp/4.log" bash tests/scripts/refresh.sh &&
	patch -s -o "$tmp/up.c" "$tmp/linux/mm/up.c" < "$P/base/6.12/mm/up.c.patch" >/dev/null 2>&1 &&
	cmp -s "$tmp/up.c" "$B/src/mm/up.c" && grep -q '^+THREE$' "$P/base/6.12/mm/up.c.patch"
result $? "refresh-patches regenerates the .patch from build/src" "$tmp/4.log"

# 5. A hunk that does not apply names the file and the kernel version.
sed -i 's/^ one$/ uno/' "$P/base/6.12/mm/up.c.patch"
! prepare "$tmp/5.log" &&
	grep -q 'base/6.12/mm/up.c.patch does not apply to mm/up.c of Linux 6.12.99' "$tmp/5.log"
result $? "a hunk that does not apply names the file and the version" "$tmp/5.log"
sed -i 's/^ uno$/ one/' "$P/base/6.12/mm/up.c.patch"

# 6. A kernel that is neither base is refused with its version, whether
# the base comes from KSRC or is named, and builds nothing.
rm -rf "$B"
! (cd "$P" && env -u BASE KSRC="$tmp/linux-6.11" bash tests/scripts/prepare.sh) > "$tmp/6.log" 2>&1 &&
	grep -q 'Linux 6.11 is not a memcap base (bases: 7.3 6.12)' "$tmp/6.log" &&
	! (cd "$P" && BASE=6.12 KSRC="$tmp/linux-6.11" bash tests/scripts/prepare.sh) >> "$tmp/6.log" 2>&1 &&
	grep -q "is 6.11.99; memcap's bases are Linux 7.3, 6.12 (BASE=6.12)" "$tmp/6.log" &&
	[ ! -d "$B/src" ]
result $? "a kernel that is neither 7.3 nor 6.12 is refused" "$tmp/6.log"

# 6b. A hunk in the shared tree is refused: hunks are per base.
cp "$P/base/6.12/mm/up.c.patch" "$P/mm/other.c.patch"
! prepare "$tmp/6b.log" &&
	grep -q 'mm/other.c.patch: hunks into upstream files belong in base/<version>/' "$tmp/6b.log"
result $? "a hunk outside base/<version>/ is refused" "$tmp/6b.log"
rm -f "$P/mm/other.c.patch"

# 7. A new file may not replace an upstream file: that takes a .patch.
rm -rf "$B"
printf 'mine\n' > "$P/mm/up.c"
! prepare "$tmp/7.log" &&
	grep -q 'mm/up.c: new overlay file would replace the upstream file' "$tmp/7.log"
result $? "a new file that shadows an upstream file is refused" "$tmp/7.log"
