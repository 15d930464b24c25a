#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages the harness needs, once.  Only what is
# missing is installed; "apt-get update" runs at most once per call.
#
# Two packages come from newer suites, added to the Debian mirror this
# machine already uses (no host name is written here):
#   linux-source-7.3   trixie-backports   (an "all" package: binutils, xz-utils)
#   qemu-system-arm 10 bookworm-backports (-cpu max with FWB and DIC)
# APT pins keep everything else on the machine's own suites.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PKGS="linux-source-6.12 linux-source-7.3 gcc-aarch64-linux-gnu
libc6-dev-arm64-cross qemu-system-arm sparse coccinelle ccache bc flex bison
libssl-dev libelf-dev cpio rsync python3 perl make gcc libc6-dev kmod
xz-utils patch diffutils git dwarves"
QEMU_MIN=1:10.0
LIST=/etc/apt/sources.list.d/memcap-backports.sources
PIN=/etc/apt/preferences.d/memcap-backports

installed() {	# installed <pkg>: prints the installed version
	dpkg-query -W -f='${db:Status-Abbrev} ${Version}' "$1" 2>/dev/null |
		awk '/^ii/ { print $2 }'
}

missing=
for p in $PKGS; do
	[ -n "$(installed "$p")" ] || missing="$missing $p"
done
qv=$(installed qemu-system-arm)
old_qemu=0
if [ -n "$qv" ] && dpkg --compare-versions "$qv" lt "$QEMU_MIN"; then
	old_qemu=1
fi
[ -z "$missing" ] && [ $old_qemu = 0 ] && [ -f "$LIST" ] && [ -f "$PIN" ] && exit 0

SUDO=
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || die "not root and no sudo; install:$missing"
	SUDO=sudo
fi

# The Debian mirror this machine is configured with: the first source,
# one-line or deb822, that carries the main suite of this release.
mirror() {
	local rel=$1 f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk -v r="$rel" '$1 == "deb" {
			i = 2; if ($i ~ /^\[/) while ($i !~ /\]$/) i++; if ($i ~ /\]$/ && $2 ~ /^\[/) i++
			if ($(i + 1) == r) { print $i; exit }
		}' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v r="$rel" '
			/^[ \t]*$/ { if (ok && uri != "") { print uri; exit } ok = 0; uri = ""; next }
			/^URIs:/ { uri = $2 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == r) ok = 1 }
			END { if (ok && uri != "") print uri }' "$f"
	done
}

if [ ! -f "$LIST" ] || [ ! -f "$PIN" ]; then
	. /etc/os-release
	rel=${VERSION_CODENAME:-bookworm}
	uri=$(mirror "$rel" | grep -v -- '-security' | head -1)
	[ -n "$uri" ] || die "no apt source for Debian $rel found to add backports to"
	log "apt: adding trixie-backports and $rel-backports from $uri"
	printf '%s\n' "# memcap (tests/scripts/deps.sh): two packages from newer suites" \
		"Types: deb" "URIs: $uri" "Suites: trixie-backports $rel-backports" \
		"Components: main" \
		"Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" |
		$SUDO tee "$LIST" > /dev/null
	printf '%s\n' "# memcap (tests/scripts/deps.sh): only these come from backports" \
		"Package: *" "Pin: release n=trixie-backports" "Pin-Priority: -1" "" \
		"Package: linux-source-7.3" "Pin: release n=trixie-backports" \
		"Pin-Priority: 500" "" \
		"Package: qemu-system-arm qemu-system-common qemu-system-data qemu-system-gui" \
		"Pin: release n=$rel-backports" "Pin-Priority: 500" |
		$SUDO tee "$PIN" > /dev/null
fi
[ $old_qemu = 1 ] && missing="$missing qemu-system-arm"

log "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
qv=$(installed qemu-system-arm)
dpkg --compare-versions "$qv" ge "$QEMU_MIN" ||
	die "qemu-system-arm $qv installed; memcap needs $QEMU_MIN or newer (bookworm-backports)"
