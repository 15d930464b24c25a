# SPDX-License-Identifier: GPL-2.0
# Common settings for the memcap harness.  Sourced, never run.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=${MEMCAP_BUILD:-$TOP/build}
SRC=$B/src
OUT=$B/out
LOGS=$B/logs
RES=$B/results
# Unmodified upstream tree: the user's own (never written to) or ours.
PRISTINE=${KSRC:-$B/pristine}
TARBALL=${TARBALL:-/usr/src/linux-source-6.12.tar.xz}
KVER_WANT=6.12
# Top-level directories of the project that mirror the kernel tree.
OVERLAY_DIRS="arch Documentation include mm tools virt"
# Test-only kernel code (the test driver) mirrors the kernel tree here.
TEST_OVERLAY=tests/kernel

# Every overlay file, as "<kind> <kernel path> <project path>".
overlay_inventory() {
	(
		cd "$TOP" || exit 1
		for d in $OVERLAY_DIRS; do
			if [ -d "$d" ]; then find "$d" -type f; fi
		done
		if [ -d "$TEST_OVERLAY" ]; then find "$TEST_OVERLAY" -type f; fi
	) | sort | while read -r f; do
		k=${f#"$TEST_OVERLAY"/}
		case "$k" in
		*.patch) echo "patch ${k%.patch} $f" ;;
		*) echo "new $k $f" ;;
		esac
	done
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
	printf '%s\t%s\t%s\n' "$1" "$2" "${3:-}" >> "$RES/current.tsv"
	printf '%-4s %s%s\n' "$1" "$2" "${3:+  ($3)}"
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
	f=$RES/cache-$name
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
