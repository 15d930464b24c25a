#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print the "make run" report from the console log of a run boot."""
import re
import sys


def sections(log):
    out, cur = {}, None
    with open(log, errors='replace') as f:
        for line in f:
            line = line.rstrip('\r\n')
            if line.startswith('MEMCAP-BEGIN '):
                cur = line.split(' ', 1)[1]
                out[cur] = []
            elif line.startswith('MEMCAP-END '):
                cur = None
            elif cur:
                out[cur].append(line)
    return out


def kernel_line(log, pat):
    with open(log, errors='replace') as f:
        for line in f:
            m = re.search(pat, line)
            if m:
                return m.group(1).strip()
    return '?'


def main():
    log = sys.argv[1]
    s = sections(log)
    print('memcap on %s' % kernel_line(log, r'Linux version (\S+)'))
    print('machine: QEMU virt, -cpu max, mte=on; kernel told mem=768M of 1G')
    print()
    ranges = s.get('ranges', [])
    print('Boot RAM and unregistered memory (/sys/kernel/debug/memcap/ranges)')
    for l in ranges:
        if l.startswith(('baseline:', 'unregistered:')):
            print('  ' + l)
    recs = [l for l in ranges if l.startswith('0x')]
    print()
    print('Registered records: %d' % len(recs))
    for l in recs:
        print('  ' + l)
    ram = [l.strip() for l in s.get('iomem', []) if 'System RAM' in l]
    print()
    print('System RAM in /proc/iomem: ' + ', '.join(ram))
    for extra in sorted(k for k in s if k not in ('ranges', 'iomem')):
        print()
        print(extra)
        for l in s[extra]:
            print('  ' + l)


if __name__ == '__main__':
    main()
