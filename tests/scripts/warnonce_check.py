#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Warn mode logs each range exactly once.

usage: warnonce_check.py <log> <boot> <min-ranges>

The KUnit cases allow every range twice in warn mode; the console must
show one "allowed in warn mode" line per range, and no "refused" line for
capabilities that were only assumed (stated and malformed capabilities are
refused in every mode).
"""
import collections
import re
import sys

LINE = re.compile(r'memcap: allowed in warn mode .*?\[mem (0x[0-9a-f]+-0x[0-9a-f]+)\]')
# Warn mode refuses what a driver stated, never what was only assumed.
REFUSED = re.compile(r'memcap: refused .*: missing .*, assumed\)')


def main():
    log, boot, least = sys.argv[1], sys.argv[2], int(sys.argv[3])
    seen = collections.Counter()
    refused = 0
    try:
        with open(log, errors='replace') as f:
            for line in f:
                m = LINE.search(line)
                if m:
                    seen[m.group(1)] += 1
                if REFUSED.search(line):
                    refused += 1
    except OSError:
        pass
    name = 'warnlog/%s/once-per-range' % boot
    twice = sorted(r for r, n in seen.items() if n != 1)
    if len(seen) < least:
        print('FAIL\t%s\t%d ranges logged, expected at least %d' % (name, len(seen), least))
    elif twice:
        print('FAIL\t%s\tlogged more than once: %s' % (name, ', '.join(twice)))
    else:
        print('PASS\t%s\t%d ranges, each logged once' % (name, len(seen)))
    name = 'warnlog/%s/no-policy-refusal' % boot
    print('%s\t%s\t%d refusals' % ('PASS' if refused == 0 else 'FAIL', name, refused))


if __name__ == '__main__':
    main()
