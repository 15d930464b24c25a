#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check what /sys/kernel/debug/memcap/ranges showed on a boot.

usage: debugfs_check.py <log> <boot> key=value ...

Keys: "baseline" and "unregistered" (the caps printed on those lines).
Prints one check result line per key, as ktap.py does.
"""
import sys


def section(log, tag):
    out, inside = [], False
    with open(log, errors='replace') as f:
        for line in f:
            line = line.rstrip('\r\n')
            if line == 'MEMCAP-BEGIN ' + tag:
                inside = True
            elif line == 'MEMCAP-END ' + tag:
                return out
            elif inside:
                out.append(line)
    return None


def main():
    log, boot = sys.argv[1], sys.argv[2]
    try:
        ranges = section(log, 'ranges')
    except OSError:
        ranges = None
    for kv in sys.argv[3:]:
        key, want = kv.split('=', 1)
        name = 'debugfs/%s/%s' % (boot, key)
        if ranges is None:
            print('FAIL\t%s\tno memcap debugfs output in the log' % name)
            continue
        got = [l.split()[1] for l in ranges
               if l.startswith(key + ':') and len(l.split()) > 1]
        if got == [want]:
            print('PASS\t%s\t%s' % (name, want))
        else:
            print('FAIL\t%s\twant %s, got %s' % (name, want, got))


if __name__ == '__main__':
    main()
