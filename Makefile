# SPDX-License-Identifier: GPL-2.0
#
# memcap: memory capability records for Linux 7.3, with a 6.12 backport
# (arm64 + KVM).
#
#   make run      boot the patched kernel in QEMU and report what memcap does
#   make check    build and test both bases; ends "N passed, N failed"
#   make coccicheck  the semantic patches in coccinelle/ over the whole tree
#   make series   the patch series of each base, in build/series/<base>/
#   make bench    memcap's cost against upstream 7.3, as one table
#
# Both install the Debian packages they need.  BASE=6.12 selects the
# backport (default 7.3); KSRC=<dir> uses your own 7.3 or 6.12 tree instead
# of Debian's linux-source-<base>.  Each target is a thin call into
# tests/scripts/; every stage is restartable and stamped.

S := tests/scripts

.PHONY: all run check coccicheck series bench deps prepare build initramfs refresh-patches clean distclean help

all: help

help:
	@sed -n '5,15p' Makefile | sed 's/^# \{0,1\}//'

run:
	@bash $(S)/run.sh

check:
	@bash $(S)/check.sh

# The semantic patches in coccinelle/ over the whole tree of the base (report).
coccicheck: prepare
	@bash $(S)/coccicheck.sh tree

# git format-patch output of series/memcap.series, for each base.
series: deps
	@bash $(S)/series.sh all

# Figures, never pass/fail: QEMU -icount, memcap 7.3 beside upstream 7.3.
bench: deps
	@bash $(S)/bench.sh >/dev/null

deps:
	@bash $(S)/deps.sh

prepare: deps
	@bash $(S)/prepare.sh

build: prepare
	@bash $(S)/build.sh arm64

initramfs: build
	@bash $(S)/initramfs.sh arm64

# Regenerate <path>.patch from edits made in build/src (FILES="..." adds
# further upstream files to the overlay).
refresh-patches:
	@bash $(S)/refresh.sh

clean:
	rm -rf build/*/out build/*/logs build/results build/*/initramfs

distclean:
	rm -rf build
