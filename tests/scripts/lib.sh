# SPDX-License-Identifier: GPL-2.0
# Common settings for the memcap harness.  Sourced, never run.
#
# Two kernel bases: 7.3 (the default) and 6.12 (the backport), chosen by
# BASE=7.3|6.12.  KSRC=<dir> builds the user's own tree instead of
# Debian's linux-source-$BASE; without BASE, the base is KSRC's version.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BASES="7.3 6.12"
# The base the series is written for; the others carry only differences.
PRIMARY=7.3
if [ -z "${BASE:-}" ] && [ -n "${KSRC:-}" ] && [ -f "$KSRC/Makefile" ]; then
	BASE=$(awk '$1 == "VERSION" { v = $3 } $1 == "PATCHLEVEL" { p = $3 }
		END { if (v != "") print v "." p }' "$KSRC/Makefile")
fi
# set_base <version>: point every per-base variable at that base.
set_base() {
	case " $BASES " in
	*" $1 "*) ;;
	*)	printf 'memcap: error: Linux %s is not a memcap base (bases: %s)\n' \
			"$1" "$BASES" >&2
		exit 1 ;;
	esac
	BASE=$1
	export BASE
	# Per base: the trees, the kernels and the logs.  Results are shared.
	B=${MEMCAP_BUILD:-$TOP/build}/$BASE${UPSTREAM:+-upstream}
	SRC=$B/src
	OUT=$B/out
	LOGS=$B/logs
	# Unmodified upstream tree: the user's own (never written to) or ours.
	PRISTINE=${KSRC:-$B/pristine}
	TARBALL=${MEMCAP_TARBALL:-/usr/src/linux-source-$BASE.tar.xz}
	KVER_WANT=$BASE
	BASE_DIR=base/$BASE
}
RES=${MEMCAP_BUILD:-$TOP/build}/results
set_base "${BASE:-7.3}"
# Top-level directories of the project that mirror the kernel tree: the
# new files every base shares.  Hunks into upstream files, and the few new
# files that differ, live in base/<version>/, which mirrors the tree too.
OVERLAY_DIRS="arch Documentation include mm tools virt"
# Test-only kernel code (the test driver) mirrors the kernel tree here.
TEST_OVERLAY=tests/kernel

# Every overlay file, as "<kind> <kernel path> <project path>":
#  - the shared tree (arch/, mm/, ..., tests/kernel/): new files only;
#  - base/$PRIMARY/: every hunk into an upstream file, and the new files
#    that differ per base, for the primary base;
#  - base/<other>/: only what that base needs differently: a file there
#    replaces the one at the same path in base/$PRIMARY/, and
#    base/<other>/paths can move files to where that base keeps them
#    ("move <from> <to>", by path prefix, for every file) or leave out a
#    primary hunk ("skip <kernel path>").
overlay_inventory() {
	(
		cd "$TOP" || exit 1
		local map=$BASE_DIR/paths
		[ "$BASE" = "$PRIMARY" ] && map=/dev/null
		for d in $OVERLAY_DIRS $TEST_OVERLAY; do
			if [ -d "$d" ]; then find "$d" -type f; fi
		done | while read -r f; do
			k=${f#"$TEST_OVERLAY"/}
			case "$k" in
			*.patch) echo "bad $k $f" ;;
			*) echo "new $k $f" ;;
			esac
		done | awk -v map="$map" '
			BEGIN { while ((getline l < map) > 0) if (split(l, a) == 3 && a[1] == "move") m[a[2]] = a[3] }
			{ for (p in m) if (index($2, p) == 1) { $2 = m[p] substr($2, length(p) + 1); break } print }'
		base_files() {	# <dir>: its files, as inventory lines
			[ -d "$1" ] || return 0
			find "$1" -type f ! -path "$1/paths" | while read -r f; do
				k=${f#"$1"/}
				k=${k#"$TEST_OVERLAY"/}
				case "$k" in
				*.patch) echo "patch ${k%.patch} $f" ;;
				*) echo "new $k $f" ;;
				esac
			done
		}
		if [ "$BASE" = "$PRIMARY" ]; then
			base_files "base/$PRIMARY"
		else
			{
				base_files "$BASE_DIR" | sed 's/^/0 /'
				base_files "base/$PRIMARY" | sed 's/^/1 /'
			} | awk -v map="$map" '
				BEGIN { while ((getline l < map) > 0) {
					n = split(l, a)
					if (n == 2 && a[1] == "skip") skip[a[2]] = 1
					if (n == 3 && a[1] == "move") m[a[2]] = a[3]
				} }
				{ for (p in m) if (index($3, p) == 1) { $3 = m[p] substr($3, length(p) + 1); break } }
				!($3 in seen) && !($3 in skip) { seen[$3] = 1; print $2, $3, $4 }'
		fi
	) | sort -k2 | if [ -n "${UPSTREAM:-}" ]; then upstream_only; else cat; fi
}

# UPSTREAM=1: the unpatched kernel, measured beside memcap.  It takes only
# what the measurement needs and no behaviour of memcap: the test driver
# (with memcap.h's CONFIG_MEMCAP=n stubs, which record nothing, and the
# header-only memremap.h hunk), the KVM selftest, and the stage-2 ptdump's
# memory type column (arch/arm64/kvm/memcap.c for its encoding; upstream's
# fault path never calls into it).
upstream_only() {
	awk '$2 ~ /^(drivers\/misc\/|tools\/testing\/selftests\/kvm\/)/ ||
	     $2 ~ /^(include\/linux\/memcap\.h|include\/linux\/memremap\.h|mm\/memcap_test_compat\.h)$/ ||
	     $2 ~ /^arch\/arm64\/(include\/asm\/kvm_memcap\.h|kvm\/memcap\.c|kvm\/Makefile|kvm\/ptdump\.c)$/'
}
JOBS=${JOBS:-$(nproc)}
# ccache keys relative to the checkout, so that any clone reuses the cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$TOP}
CROSS=aarch64-linux-gnu-

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { printf 'memcap: error: %s\n' "$*" >&2; exit 1; }

# Append one check result: result_add PASS|FAIL|SKIP name [detail]
result_add() {
	mkdir -p "$RES"
	printf '%s\t%s%s\t%s\n' "$1" "${RESULT_PREFIX:-}" "$2" "${3:-}" >> "$RES/current.tsv"
	printf '%-4s %s%s%s\n' "$1" "${RESULT_PREFIX:-}" "$2" "${3:+  ($3)}"
}

# cached <name> <inputs...> -- <command...>: run a command that prints
# result lines, or replay them when none of the inputs (files or
# directories) changed since.  A command that fails or prints nothing is a
# FAIL line, and is not cached.
cached() {
	local name=$1 f key rc
	local -a inputs=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		inputs+=("$1")
		shift
	done
	shift
	key=$(for i in "${inputs[@]}"; do
		if [ -d "$i" ]; then find "$i" -type f | sort | xargs -r md5sum
		elif [ -f "$i" ]; then md5sum "$i"; fi
	done | md5sum | cut -d' ' -f1)
	f=$RES/cache-$BASE-$name
	mkdir -p "$RES"
	if [ -s "$f.out" ] && [ "$(cat "$f.key" 2>/dev/null)" = "$key" ]; then
		cat "$f.out"
		return 0
	fi
	rm -f "$f.key"
	"$@" > "$f.out"
	rc=$?
	if [ $rc != 0 ] || [ ! -s "$f.out" ]; then
		printf 'FAIL\t%s\tcommand failed (%d) or printed no result\n' "$name" "$rc"
		rm -f "$f.out"
		return 0
	fi
	echo "$key" > "$f.key"
	cat "$f.out"
}

kernel_version() {
	make -s -C "$1" kernelversion 2>/dev/null
}

# need_disk <GiB> <what>: fail early, with the figures, when the disk under
# build/ cannot hold what <what> writes there (<GiB> in all, measured; what
# build/ already holds counts towards it).  Without this, a full disk shows
# up deep inside tar or ld as a cascade of unrelated failures.
need_disk() {
	local want=$1 what=$2 dir=${MEMCAP_BUILD:-$TOP/build} have used
	mkdir -p "$dir"
	have=$(df -Pk "$dir" | awk 'NR == 2 { print int($4 / 1048576) }')
	used=$(du -sk "$dir" 2>/dev/null | awk '{ print int($1 / 1048576) }')
	if [ $((have + used)) -lt "$want" ]; then
		printf 'memcap: error: %s needs about %d GiB under %s (its build/ and ccache, measured); %d GiB are free and build/ holds %d GiB\n' \
			"$what" "$want" "$dir" "$have" "$used" >&2
		return 1
	fi
}
