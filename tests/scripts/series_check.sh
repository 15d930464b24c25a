# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by series.sh check: prove the series of $BASE.  One result line
# per check (TSV, as ktap.py).

if ! gen >&2; then
	emit FAIL "series/generate" "tests/scripts/series.sh gen failed"
	return 0
fi
mapfile -t patches < <(find "$SOUT" -name '0*.patch' ! -name '0000-cover-letter.patch' | sort)
emit PASS "series/generate" "${#patches[@]} patches"

# git am onto the pristine tree, in the same git tree (only the files the
# series touches are rewritten).
git -C "$G" am --abort >/dev/null 2>&1
git -C "$G" checkout -q -f --detach base && git -C "$G" clean -q -f -d
if out=$(git -C "$G" -c user.name=am -c user.email=am@example.invalid \
	 am -q --committer-date-is-author-date "${patches[@]}" 2>&1); then
	emit PASS "series/git-am" "${#patches[@]} patches onto Linux $(cat "$B/kversion")"
else
	emit FAIL "series/git-am" "$(echo "$out" | head -1)"
	git -C "$G" am --abort >/dev/null 2>&1
	return 0
fi
if [ "$(git -C "$G" rev-parse 'HEAD^{tree}')" = "$(git -C "$G" rev-parse 'generated^{tree}')" ]; then
	emit PASS "series/am-tree" "the tree git am built is the one the series was made from"
else
	emit FAIL "series/am-tree" "git am built another tree than the generated commits"
fi

# The tree after the last patch is the overlay's, byte for byte: the same
# files changed, with the same bytes (the semantic patches, outside the
# overlay, as in coccinelle/).
inv=$(inventory)
expect=$(python3 "$S/series.py" files "$inv" "$PRISTINE" 2>&1)
rm -f "$inv"
changed=$(git -C "$G" diff --name-only base HEAD | sort)
bad=
if [ "$changed" != "$(echo "$expect" | awk '{ print $1 }' | sort)" ]; then
	bad="the series changes other files than the overlay: $(diff <(echo "$changed") <(echo "$expect" | awk '{ print $1 }' | sort) | grep '^[<>]' | head -3 | paste -sd' ')"
else
	while read -r k where; do
		if [ "$where" = overlay ]; then ref=$SRC/$k; else ref=$TOP/$where; fi
		cmp -s "$G/$k" "$ref" || { bad="$k differs from $ref"; break; }
	done <<< "$expect"
fi
if [ -z "$bad" ]; then
	emit PASS "series/identical" "$(echo "$changed" | wc -l) files, byte-identical to the overlay"
else
	emit FAIL "series/identical" "$bad"
fi

# checkpatch --strict on every patch, with the justified exceptions of
# tests/checkpatch.ignore (by file), and FILE_PATH_CHANGES: MAINTAINERS
# is left to the submitter (README).
ign=$(mktemp)
while read -r f types; do
	case "$f" in '#'* | '') continue ;; esac
	k=${f#base/*/}
	k=${k%.patch}
	k=${k#tests/kernel/}
	k=${k#"$TEST_OVERLAY"/}
	if [ "$BASE" != "$PRIMARY" ] && [ -f "$TOP/$BASE_DIR/paths" ]; then
		while read -r verb from to; do
			[ "$verb" = move ] && case "$k" in "$from"*) k=$to${k#"$from"} ;; esac
		done < "$TOP/$BASE_DIR/paths"
	fi
	for t in ${types//,/ }; do echo "$k $t"; done
done < "$TOP/tests/checkpatch.ignore" > "$ign"
for p in "${patches[@]}"; do
	n=$(basename "$p")
	raw=$(cd "$G" && perl scripts/checkpatch.pl --strict --show-types \
		--ignore FILE_PATH_CHANGES "$p" 2>&1)
	# It ran to its end, or nothing below means anything.
	if ! echo "$raw" | grep -q '^total: [0-9]* errors'; then
		emit FAIL "series/checkpatch/$n" "checkpatch did not run: $(echo "$raw" | head -1)"
		continue
	fi
	out=$(echo "$raw" |
	      awk -v ign="$ign" '
		BEGIN { while ((getline l < ign) > 0) { split(l, a, " "); skip[a[1] " " a[2]] = 1 } }
		/^(ERROR|WARNING|CHECK):/ { flush(); msg = $0; t = $0; sub(/^[A-Z]+:/, "", t); sub(/:.*/, "", t); type = t; file = ""; next }
		/^#[0-9]+: FILE: / && msg != "" && file == "" { file = $3; sub(/:[0-9]+:$/, "", file); next }
		/^$/ { flush() }
		END { flush() }
		function flush() { if (msg != "" && !((file " " type) in skip)) print (file ? file ": " : "") msg; msg = "" }')
	if [ -z "$out" ]; then
		emit PASS "series/checkpatch/$n"
	else
		emit FAIL "series/checkpatch/$n" "$(echo "$out" | head -1)"
	fi
done
rm -f "$ign"

# Every step builds what the series has touched so far, with the main test
# kernel's configuration and -Werror (every touched object must be one that
# kernel builds; the selftests, documentation and semantic patches are not
# objects).  Steps are not linked, and objects that only include a changed
# header are not rebuilt: the last step is the overlay's tree byte for byte
# (above), which the main build links.
if [ "${BUILD:-1}" = 0 ]; then
	return 0
fi
cfg=$OUT/arm64/.config
if [ ! -f "$cfg" ]; then
	emit FAIL "series/build" "no $cfg: the main kernel was not built"
	return 0
fi
SO=$B/series-out
mkdir -p "$SO"
mk=(make -s -C "$G" O="$SO" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
    CC="ccache aarch64-linux-gnu-gcc" HOSTCC="ccache gcc" -j"$JOBS")
mapfile -t commits < <(git -C "$G" rev-list --reverse base..HEAD)
touched=()
missing=
i=0
for c in "${commits[@]}"; do
	i=$((i + 1))
	subj=$(git -C "$G" log -1 --format=%s "$c")
	while read -r f; do
		case "$f" in
		tools/* | scripts/* | Documentation/*) ;;
		*.c)
			if [ -f "$OUT/arm64/${f%.c}.o" ]; then
				touched+=("${f%.c}.o")
			else
				missing="${missing:-} $f"
			fi ;;
		esac
	done < <(git -C "$G" diff-tree --no-commit-id --name-only -r "$c")
	mapfile -t touched < <(printf '%s\n' "${touched[@]}" | sort -u | sed '/^$/d')
	git -C "$G" checkout -q -f --detach "$c"
	cp "$cfg" "$SO/.config"
	t0=$(date +%s)
	if [ -n "${missing:-}" ]; then
		emit FAIL "series/build/$(printf %02d $i)" "$subj: not built by the main kernel:$missing"
	elif out=$("${mk[@]}" olddefconfig 2>&1 && "${mk[@]}" KCFLAGS=-Werror "${touched[@]}" 2>&1); then
		emit PASS "series/build/$(printf %02d $i)" "$subj: ${#touched[@]} objects, $(($(date +%s) - t0)) s"
	else
		echo "$out" > "$SO/step-$i.log"
		emit FAIL "series/build/$(printf %02d $i)" "$subj: $(echo "$out" | grep -m1 -E ': (fatal )?error:|undefined' || echo "$out" | grep -v '^make' | head -1)"
	fi
done
git -C "$G" checkout -q -f --detach base
