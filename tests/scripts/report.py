#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print the "make run" report from the console log of a run boot.

Everything comes from the log: debugfs dumps, the mm walk-through's TAP
lines and the kernel's memcap messages, and the stage-2 types that the
report program read from the live ptdump of a running guest.  The 6.12
column is computed from 6.12's rule (user_mem_abort(): a pfn outside the
linear map is Device, or Normal-NC with VM_ALLOW_ANY_UNCACHED).
"""
import re
import sys

KINDS = ['anonymous RAM', 'ZONE_DEVICE pages', 'cacheable PFNMAP',
         'cacheable PFNMAP+UC', 'write-combine+UC', 'Device BAR']
RECORDS = ['none', 'C', 'C|COH|EXCL|ATOM']


def v612(kind):
    """6.12: only boot RAM (pfn_is_map_memory) is Normal."""
    if kind == 'anonymous RAM':
        return 'Normal'
    return 'Normal-NC' if kind.endswith('+UC') else 'Device-nGnRE'


def main():
    log = sys.argv[1]
    text = open(log, errors='replace').read().splitlines()
    sect, cur, prog = {}, None, None
    s2, mm, reason, downgrades = {}, [], None, '?'
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
        m = re.search(r'memcap: (refused|allowed in warn mode) .*?: (missing .*|inconsistent .*)$', line)
        if m:
            reason = m.group(2).split(' (has')[0]
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
            if 'refused' in text_ and reason:
                text_ += '; ' + reason
            mm.append(('FAIL ' if m.group(1) else '') + text_)
            reason = None

    kver = next((re.search(r'Linux version (\S+)', l).group(1) for l in text
                 if 'Linux version' in l), '?')
    print('memcap on Linux %s: QEMU virt, -cpu max (MTE, LSE, FWB, no DIC), '
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
        print('  ' + l)
    print()
    print('Stage 2 of a running guest, from its ptdump, by host mapping and record:')
    w = 20
    print('  %-21s' % 'host mapping' + ''.join('%-*s' % (w - 4, r) for r in RECORDS) +
          '6.12 (any record)')
    for k in KINDS:
        row = '  %-21s' % k
        for r in RECORDS:
            row += '%-*s' % (w - 4, s2.get((k, r), '-' if k == 'anonymous RAM' else '?'))
        print(row + v612(k))
    print()
    print('cacheable mappings KVM downgraded for lack of a record: %s '
          '(the stage2_downgrades statistic of each VM, summed)' % downgrades)


if __name__ == '__main__':
    main()
