#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the KTAP that KUnit printed on a console log into check results.

usage: ktap.py <log> <boot-name> <suite> [<suite> ...]

Prints one line per leaf test (a case, or a parameter of a parameterised
case): "PASS|FAIL|SKIP<TAB>kunit/<boot>/<suite>/<case>[/<param>]<TAB>detail".
A suite that is expected but never started, or that started and never
finished (the kernel crashed or hung), is one FAIL line: a missing result
is never counted as zero tests.
"""
import re
import sys

PREFIX = re.compile(r'^\[\s*\d+\.\d+\]\s?')
RESULT = re.compile(r'^(ok|not ok) (\d+) ([^#]*?)\s*(?:#\s*(\w+)(.*))?$')
SUBTEST = re.compile(r'^# Subtest: (.*)$')


def main():
    log, boot, expected = sys.argv[1], sys.argv[2], sys.argv[3:]
    lines = []
    with open(log, errors='replace') as f:
        for raw in f:
            raw = PREFIX.sub('', raw.rstrip('\r\n'))
            body = raw.lstrip(' ')
            depth = (len(raw) - len(body)) // 4
            lines.append((depth, body))

    out = []
    started, finished = set(), set()
    # KUnit nests by 4 spaces: "# Subtest: X" at depth d opens X, whose
    # children report at depth d and X itself at depth d - 1.  Suites open
    # at depth 1 and report at depth 0.  path[d] is the node open at d.
    path = {}
    children = {}
    for depth, body in lines:
        m = SUBTEST.match(body)
        if m:
            path[depth] = m.group(1).strip()
            for d in list(path):
                if d > depth:
                    del path[d]
            if depth == 1:
                started.add(path[depth])
            continue
        m = RESULT.match(body)
        if not m:
            continue
        ok, name, directive = m.group(1) == 'ok', m.group(3).strip(), m.group(4)
        if depth == 0:
            finished.add(name)
            continue
        parents = [path.get(d) for d in range(1, depth + 1)]
        if None in parents:
            continue
        key = tuple(parents + [name])
        if children.get(key):
            continue            # not a leaf: its children were counted
        children[tuple(parents)] = True
        status = 'PASS' if ok else 'FAIL'
        if directive and directive.upper() == 'SKIP':
            status = 'SKIP'
        out.append((status, 'kunit/%s/%s' % (boot, '/'.join(key)),
                    (m.group(5) or '').strip()))

    for s in expected:
        if s not in started:
            out.append(('FAIL', 'kunit/%s/%s' % (boot, s),
                        'suite did not run'))
        elif s not in finished:
            out.append(('FAIL', 'kunit/%s/%s' % (boot, s),
                        'suite started but never finished'))
    for status, name, detail in out:
        print('%s\t%s\t%s' % (status, name, detail))


if __name__ == '__main__':
    main()
