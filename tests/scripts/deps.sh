#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages the harness needs, once.  Only what is
# missing is installed; "apt-get update" runs at most once per call.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PKGS="linux-source-6.12 gcc-aarch64-linux-gnu libc6-dev-arm64-cross
qemu-system-arm sparse coccinelle ccache bc flex bison libssl-dev libelf-dev
cpio rsync python3 perl make gcc libc6-dev kmod xz-utils patch diffutils
git"

missing=
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case "$st" in
	ii*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

log "installing:$missing"
SUDO=
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || die "not root and no sudo; install:$missing"
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
