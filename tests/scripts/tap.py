#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check results of a TAP program that the initramfs ran.

usage: tap.py <log> <boot> <program> <prefix> [<min-tests>]

The init prints "MEMCAP-RUN <program>" and "MEMCAP-EXIT <program> <rc>"
around each program.  One line per "ok"/"not ok"; a missing program, a
plan that does not match the results, fewer than <min-tests> results, or a
non-zero exit status is a FAIL.  "# SKIP" results count as skips.
"""
import re
import sys

RESULT = re.compile(r'^(ok|not ok) (\d+) (.*?)(?:\s+#\s*(SKIP|skip)\b(.*))?$')


def main():
    log, boot, prog, prefix = sys.argv[1:5]
    least = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    inside, rc, plan, results = False, None, None, []
    try:
        lines = open(log, errors='replace').read().splitlines()
    except OSError:
        lines = []
    for line in lines:
        if line == 'MEMCAP-RUN ' + prog:
            inside = True
            continue
        if line.startswith('MEMCAP-EXIT %s ' % prog):
            rc = int(line.split()[-1])
            inside = False
            continue
        if not inside:
            continue
        m = re.match(r'^1\.\.(\d+)', line)
        if m:
            plan = int(m.group(1))
        m = RESULT.match(line)
        if m:
            results.append(m)
    name = '%s/%s' % (prefix, boot)
    for m in results:
        st = 'SKIP' if m.group(4) else ('PASS' if m.group(1) == 'ok' else 'FAIL')
        print('%s\t%s/%s\t%s' % (st, name, m.group(3).strip(), (m.group(5) or '').strip()))
    if rc is None:
        print('FAIL\t%s\t%s did not run to the end' % (name, prog))
    elif rc != 0:
        print('FAIL\t%s\texit status %d' % (name, rc))
    if plan is not None and plan != len(results):
        print('FAIL\t%s\tplanned %d tests, ran %d' % (name, plan, len(results)))
    if len(results) < least:
        print('FAIL\t%s\t%d results, want at least %d' % (name, len(results), least))


if __name__ == '__main__':
    main()
