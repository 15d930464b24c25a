#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench's table, from what the boots and the tools printed.

usage: bench_table.py [--results] <memcap log> <upstream log> <bloat-o-meter
       output> <pahole output> <MiB> <short>

Prints the table, or with --results one TSV result per figure: PASS when
it was measured (a figure is never pass/fail).  Every number comes from
the logs: memcap_bench's "MEMCAP-BENCH" lines, the KUnit bench cases'
lines, bloat-o-meter -c and pahole's sizes.
"""
import re
import sys


def read(path):
    try:
        with open(path, errors='replace') as f:
            return f.read()
    except OSError:
        return ''


def faults(log):
    """kind -> (faults, ns per fault)"""
    out = {}
    for m in re.finditer(r'MEMCAP-BENCH\t(\S+)\t(\d+)\t(\d+)\t(\d+)\t(\d+)', log):
        out[m.group(1)] = (int(m.group(2)), int(m.group(5)))
    return out


def kunit(log):
    f = {}
    m = re.search(r'decision, RAM pfn: memcap (\d+) ns, upstream .*? (\d+) ns; ratio', log)
    if m:
        f['decision'] = (int(m.group(1)), int(m.group(2)))
    m = re.search(r'PFNMAP pfn \(registry lookup\): (\d+) ns/fault', log)
    if m:
        f['pfnmap_lookup'] = int(m.group(1))
    m = re.search(r'registry lookup: 16 records (\d+) ns, 256 records (\d+) ns, '
                  r'4096 records (\d+) ns', log)
    if m:
        f['registry'] = tuple(int(x) for x in m.groups())
    m = re.search(r"memremap_pages\(\)\+memunmap_pages\(\) of 2 MiB: (\d+) ns/pair; "
                  r"memcap's hooks: (\d+) ns/pair", log)
    if m:
        f['memremap'] = (int(m.group(1)), int(m.group(2)))
    m = re.search(r"add_memory_driver_managed\(\)\+remove_memory\(\) of (\d+) MiB: "
                  r"(\d+) ns/pair; memcap's hooks: (\d+) ns/call", log)
    if m:
        f['hotplug'] = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return f


def bloat(text):
    """Totals of bloat-o-meter -c, per kind: (before, after)."""
    out = {}
    for kind in ('Function', 'Data', 'RO Data'):
        m = re.search(r'^%s\s+old\s+new\s+delta$' % re.escape(kind), text, re.M)
        if not m:
            continue
        t = re.search(r'^Total: Before=(\d+), After=(\d+), chg ', text[m.end():], re.M)
        if t:
            out[kind] = (int(t.group(1)), int(t.group(2)))
    return out


def pahole(text):
    out = {}
    for line in text.splitlines():
        a = line.split()
        if len(a) == 3 and a[2].isdigit():
            out[(a[0], a[1])] = int(a[2])
    return out


def ratio(a, b):
    return '%.3f' % (a / b) if b else '-'


def main():
    args = sys.argv[1:]
    results = args and args[0] == '--results'
    if results:
        args = args[1:]
    mlog, ulog, size_path, pahole_path, mib, short = args
    mem, up = read(mlog), read(ulog)
    fm, fu, k = faults(mem), faults(up), kunit(mem)
    sz, ph = bloat(read(size_path)), pahole(read(pahole_path))
    short = short == '1'

    if results:
        for kind in ('ram-4k', 'ram-2m', 'pfnmap-recorded'):
            ok = kind in fm and kind in fu and fm[kind][1] > 0 and fu[kind][1] > 0
            print('%s\tbench/stage-2 faults, %s\t%s' % (
                'PASS' if ok else 'FAIL', kind,
                'memcap %d, upstream %d instructions per fault' % (fm[kind][1], fu[kind][1])
                if ok else 'not measured on both kernels'))
        for key, name in (('decision', 'the decision'), ('registry', 'registry scaling'),
                          ('memremap', 'memremap share'), ('hotplug', 'hot-add share')):
            print('%s\tbench/%s\t%s' % ('PASS' if key in k else 'FAIL', name,
                                        '' if key in k else 'no KUnit figure'))
        ok = all((t, s) in ph for t in ('base', 'generated') for s in ('page', 'dev_pagemap'))
        print('%s\tbench/pahole\t%s' % ('PASS' if ok else 'FAIL', '' if ok else 'no sizes'))
        if not short:
            ok = 'Function' in sz
            print('%s\tbench/bloat-o-meter\t%s' % ('PASS' if ok else 'FAIL',
                                                  '' if ok else 'no output'))
        return

    print('memcap 7.3 against upstream 7.3, one run, QEMU -cpu max (FWB, DIC, MTE)')
    print('with -icount shift=0: figures are guest instructions, and repeat.')
    print()
    print('Stage-2 faults (%s MiB per memslot, host memory populated first):' % mib)
    print('  %-34s %10s %10s %7s' % ('', 'upstream', 'memcap', 'ratio'))
    labels = {'ram-4k': 'RAM, 4 KiB mappings', 'ram-2m': 'RAM, 2 MiB mappings',
              'pfnmap-recorded': 'recorded PFNMAP, 4 KiB mappings'}
    for kind, label in labels.items():
        if kind in fm and kind in fu:
            print('  %-34s %10d %10d %7s   (%d faults)' % (
                label, fu[kind][1], fm[kind][1], ratio(fm[kind][1], fu[kind][1]),
                fm[kind][0]))
        else:
            print('  %-34s %10s' % (label, 'not measured'))
    print()
    if 'decision' in k:
        m, u = k['decision']
        print('The decision, RAM pfn (KUnit, 200000 calls):')
        print("  upstream 7.3's VMA checks %d, memcap's gather+decide %d, ratio %s"
              % (u, m, ratio(m, u)))
    if 'pfnmap_lookup' in k:
        print('  PFNMAP pfn (a registry lookup): %d' % k['pfnmap_lookup'])
    if 'registry' in k:
        r = k['registry']
        print('Registry lookup of one page, 16 / 256 / 4096 records: %d / %d / %d, '
              '4096/16 = %s' % (r[0], r[1], r[2], ratio(r[2], r[0])))
    if 'memremap' in k:
        p, c = k['memremap']
        print("memremap_pages()+memunmap_pages() of 2 MiB: %d; memcap's hooks %d (%.4f%%)" %
              (p, c, 100.0 * c / p if p else 0))
    if 'hotplug' in k:
        s, p, c = k['hotplug']
        print("add_memory_driver_managed()+remove_memory() of %d MiB: %d; "
              "memcap's hooks %d (%.4f%%)" % (s, p, c, 100.0 * c / p if p else 0))
    print()
    if ph:
        for st in ('page', 'dev_pagemap'):
            b, g = ph.get(('base', st)), ph.get(('generated', st))
            if b is not None and g is not None:
                print('pahole: struct %-12s %4d bytes upstream, %4d with memcap (%+d)' %
                      (st, b, g, g - b))
    if short:
        print('Size of vmlinux: make bench only (two more kernel builds).')
    elif sz:
        print('bloat-o-meter, vmlinux CONFIG_MEMCAP=n -> y (no KUnit, no test driver):')
        for kind in ('Function', 'Data', 'RO Data'):
            if kind in sz:
                b, a = sz[kind]
                print('  %-10s %9d -> %9d bytes (%+d)' % (kind, b, a, a - b))
    else:
        print('bloat-o-meter: no output')


if __name__ == '__main__':
    main()
