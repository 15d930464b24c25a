#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print the "make run" report from the console log of a run boot.

Everything comes from the log: debugfs dumps, the mm walk-through's TAP
lines and the kernel's memcap messages, and the stage-2 types that the
report program read from the live ptdump of a running guest.  What
upstream does with the same scenarios is measured by make check, which
boots the unpatched kernel beside memcap (tests/scripts/peer.sh).
"""
import re
import sys

KINDS = ['anonymous RAM', 'ZONE_DEVICE pages', 'ZONE_DEVICE MIXEDMAP',
         'ZONE_DEVICE dax VMA', 'cacheable PFNMAP', 'cacheable PFNMAP+UC',
         'write-combine+UC', 'Device BAR']
RECORDS = ['none', 'C', 'C|COH|EXCL|ATOM']
# Kinds measured without a record only: anonymous memory has none, and the
# pages of an undescribed pgmap are the point of their rows.
NO_RECORD = ('anonymous RAM', 'ZONE_DEVICE MIXEDMAP', 'ZONE_DEVICE dax VMA')


def upstream_cells(log):
    """The MEMCAP-S2 lines of the unpatched kernel's boot, if given."""
    cells = {}
    try:
        lines = open(log, errors='replace').read().splitlines()
    except (OSError, TypeError):
        return None
    for line in lines:
        m = re.search(r'Linux version (\S+)', line)
        if m:
            cells['version'] = m.group(1)
        if line.startswith('MEMCAP-S2\t'):
            parts = line.split('\t')
            if len(parts) == 4:
                cells[(parts[1], parts[2])] = parts[3]
    return cells


def upstream_cell(cells, kind):
    """Upstream ignores records: one value if all of a row's agree."""
    vals = [cells.get((kind, r), '?') for r in RECORDS
            if kind not in NO_RECORD or r == 'none']
    return vals[0] if len(set(vals)) == 1 else '/'.join(vals)


def main():
    log = sys.argv[1]
    up = upstream_cells(sys.argv[2] if len(sys.argv) > 2 else None)
    text = open(log, errors='replace').read().splitlines()
    sect, cur, prog = {}, None, None
    s2, mm, reasons, downgrades = {}, [], [], '?'
    for line in text:
        if line.startswith('MEMCAP-BEGIN '):
            cur = line.split(' ', 1)[1]
            sect[cur] = []
            continue
        if line.startswith('MEMCAP-END '):
            cur = None
            continue
        if cur:
            sect[cur].append(line)
            continue
        if line.startswith('MEMCAP-RUN '):
            prog = line.split()[1]
            continue
        # The test driver's refusals, in order: the console may print each
        # after the TAP line it explains, so they are paired by order.
        m = re.search(r'memcap: refused .*memcap_test.*?: (missing .*|inconsistent .*)$', line)
        if m:
            reasons.append(m.group(1).split(' (has')[0])
            continue
        if line.startswith('MEMCAP-S2-DOWNGRADES\t'):
            downgrades = line.split('\t')[1]
            continue
        if line.startswith('MEMCAP-S2\t'):
            _, kind, rec, typ = line.split('\t')
            s2[(kind, rec)] = typ
            continue
        m = re.match(r'^(not )?ok \d+ ((memremap|hot-add|memunmap|hot-remove) .*)$', line)
        if m and prog and prog.endswith('run-10'):
            text_ = m.group(2)
            if not re.search(r': (accepted|refused)', text_):
                continue
            text_ = text_.replace(' (Success)', '').replace(' (Invalid argument)', ' (EINVAL)').replace(' (Operation not permitted)', ' (EPERM)')
            mm.append(('FAIL ' if m.group(1) else '') + text_)

    kver = next((re.search(r'Linux version (\S+)', l).group(1) for l in text
                 if 'Linux version' in l), '?')
    print('memcap on Linux %s: QEMU virt, -cpu max (MTE, LSE, FWB, DIC), '
          'mem=768M of 1.25G' % kver)
    print()
    ranges = sect.get('ranges-end', sect.get('ranges', []))
    for l in ranges:
        if l.startswith(('baseline:', 'unregistered:')):
            print(l)
    print('records and pgmaps (/sys/kernel/debug/memcap/ranges):')
    recs = [l for l in ranges if l.startswith(('0x', 'pgmap'))]
    for l in recs:
        print('  ' + re.sub(r'\s+', ' ', l))
    if not recs:
        print('  (none)')
    print()
    print('memremap_pages() and hot-add of device memory (strict mode):')
    for l in mm:
        if 'refused' in l and reasons:
            l += '; ' + reasons.pop(0)
        print('  ' + l)
    print()
    cmdline = next((l for l in text if 'Kernel command line:' in l), '')
    mode = re.search(r'memcap\.mode=(\w+)', cmdline)
    print('Stage 2 of a running guest, from its ptdump, by host mapping and record')
    print('(memcap in %s mode):' % (mode.group(1) if mode else 'the default'))
    w = 20
    print('  %-21s' % 'host mapping' + ''.join('%-*s' % (w - 4, r) for r in RECORDS) +
          ('unpatched %s' % up.get('version', '?') if up is not None else ''))
    for k in KINDS:
        row = '  %-21s' % k
        for r in RECORDS:
            row += '%-*s' % (w - 4, s2.get((k, r), '-' if k in NO_RECORD else '?'))
        if up is not None:
            row += upstream_cell(up, k)
        print(row.rstrip())
    print()
    print('cacheable mappings KVM downgraded for lack of a record: %s '
          '(the stage2_downgrades statistic of each VM, summed)' % downgrades)
    print('What unpatched 7.3 does with the same scenarios, measured beside '
          'memcap: make check (build/results/peer-table.txt).')


if __name__ == '__main__':
    main()
