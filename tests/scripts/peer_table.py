#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print the stage-2 table of several boots side by side.

Usage: peer_table.py <table file> <log>... -- <column name>...

Each log is the console of a boot that ran the KVM selftest in report mode
(memcap_init=peer): one "MEMCAP-S2 <host mapping> <record> <type>" line per
scenario: the type read from the running guest's stage-2 ptdump, or the
errno that refused the memslot or KVM_RUN; "MEMCAP-S2-X" with its execute
permission, "MEMCAP-S2-FETCH" with what a guest's instruction fetch from
the memory did, and, on hosts with MTE, "MEMCAP-S2-MTE" with the type an
MTE VM got.  The table is written to the
table file; one TSV result per boot (PASS when every scenario of the boot
was measured) goes to stdout.  A column named memcap-n/<host> (this series
built with CONFIG_MEMCAP=n) must equal upstream/<host> in every cell: one
more result per host.  memcap's own column is never compared: where it
differs from upstream, it does on purpose (Documentation/virt/kvm/arm/memcap.rst).
"""
import sys

KINDS = ['anonymous RAM', 'ZONE_DEVICE pages', 'ZONE_DEVICE MIXEDMAP',
         'ZONE_DEVICE dax VMA', 'cacheable PFNMAP', 'cacheable PFNMAP+UC',
         'write-combine+UC', 'Device BAR']
RECORDS = ['none', 'C', 'C|COH|EXCL|ATOM']
# Kinds measured without a record only: anonymous memory has none, and the
# pages of an undescribed pgmap are the point of their rows.
NO_RECORD = ('anonymous RAM', 'ZONE_DEVICE MIXEDMAP', 'ZONE_DEVICE dax VMA')
# What a scenario can end in: a stage-2 memory type, or the errno of a
# refusal KVM documents.  Anything else (EBUSY, say) is a harness fault.
OUTCOMES = ('Normal', 'Normal-NC', 'Device-nGnRE', 'memslot EINVAL',
            'KVM_RUN EFAULT', 'KVM_RUN ENOEXEC')
SHORT = {'Normal': 'Normal', 'Normal-NC': 'Normal-NC',
         'Device-nGnRE': 'Device', '?': '?', '': 'none'}


# The sections of the table: line tag, title, and what a cell may be.
SECTIONS = [
    ('MEMCAP-S2', 'stage-2 memory type', OUTCOMES),
    ('MEMCAP-S2-X', 'execute permission of that mapping (- = none)',
     ('X', 'XN', '-')),
    ('MEMCAP-S2-FETCH', 'a guest instruction fetch from the memory',
     ('ran', 'prefetch abort', 'memslot EINVAL', 'KVM_RUN EFAULT',
      'KVM_RUN ENOEXEC')),
    ('MEMCAP-S2-MTE', 'the same in an MTE VM (hosts with MTE)', OUTCOMES),
]
# The hosts that peer.sh boots with MTE (-cpu max, mte=on): their columns
# must have the MTE section.
MTE_HOSTS = ('max',)


def required(name):
    """The sections a column named <kernel>/<host> must have."""
    host = name.split('/', 1)[-1]
    return [t for t, _, _ in SECTIONS
            if t != 'MEMCAP-S2-MTE' or host in MTE_HOSTS]


def read(log):
    """{(tag, kind, record): cell} of one boot."""
    cells = {}
    try:
        lines = open(log, errors='replace').read().splitlines()
    except OSError:
        return cells
    tags = [t for t, _, _ in SECTIONS]
    for line in lines:
        parts = line.split('\t')
        if len(parts) == 4 and parts[0] in tags:
            cells[(parts[0], parts[1], parts[2])] = parts[3]
    return cells


def keys():
    return [(k, r) for k in KINDS for r in RECORDS
            if not (k in NO_RECORD and r != 'none')]


def main():
    table = open(sys.argv[1], 'w')
    args = sys.argv[2:]
    sep = args.index('--')
    logs, names = args[:sep], args[sep + 1:]
    cols = [read(l) for l in logs]

    def print_(line):
        table.write(line + '\n')
    results = []
    print_('Stage 2 of a running guest, measured: each cell read from its ptdump,')
    print_('or the errno that refused the memslot or KVM_RUN.  Linux 7.3 unpatched')
    print_('("upstream"), with memcap, and with memcap built CONFIG_MEMCAP=n')
    print_('("memcap-n"); hosts: max = FWB, DIC, MTE; a710 = FWB, no DIC;')
    print_('a76 = no FWB, no DIC.')
    w = 15
    for tag, title, _ in SECTIONS:
        if not any((tag, k, r) in c for c in cols for k, r in keys()):
            continue
        print_('')
        print_('%s%s:' % (title[0].upper(), title[1:]))
        print_(('  %-21s %-16s' % ('host mapping', 'record') +
                ''.join('%-*s' % (w, n) for n in names)).rstrip())
        for k, r in keys():
            row = '  %-21s %-16s' % (k, r if k != 'anonymous RAM' else '-')
            for name, c in zip(names, cols):
                v = c.get((tag, k, r), '?' if tag in required(name) else 'no MTE')
                row += '%-*s' % (w, SHORT.get(v, v))
            print_(row.rstrip())
    for name, c in zip(names, cols):
        want = got = 0
        for tag, _, allowed in SECTIONS:
            if tag not in required(name):
                continue
            want += len(keys())
            got += sum(1 for k, r in keys() if c.get((tag, k, r)) in allowed)
        st = 'PASS' if got == want and want else 'FAIL'
        results.append('%s\tpeer/%s: every scenario measured\t%d of %d ended in a type, a permission or a documented errno\n' %
                       (st, name, got, want))
    byname = dict(zip(names, cols))
    for name in names:
        if not name.startswith('memcap-n/'):
            continue
        host = name.split('/', 1)[1]
        up = byname.get('upstream/' + host)
        if up is None:
            results.append('FAIL\tpeer/memcap-n/%s: as upstream\tno upstream column\n' % host)
            continue
        n = byname[name]
        # Every required cell, and any other either side has; nothing is
        # equal by being absent from both.
        cells = sorted(set(up) | set(n) |
                       {(t, k, r) for t in required(name) for k, r in keys()})
        diff = ['%s %s/%s: %s, upstream %s' % (t, k, r, n.get((t, k, r), '?'),
                                              up.get((t, k, r), '?'))
                for t, k, r in cells
                if n.get((t, k, r)) != up.get((t, k, r)) or (t, k, r) not in up]
        st = 'FAIL' if diff else 'PASS'
        results.append('%s\tpeer/memcap-n/%s: as upstream in every cell\t%s\n' %
                       (st, host, '; '.join(diff[:4]) if diff else
                        '%d cells equal' % len(cells)))
    for r in results:
        sys.stdout.write(r)


if __name__ == '__main__':
    main()
