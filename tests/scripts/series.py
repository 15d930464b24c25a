#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The overlay as a git patch series (series/memcap.series).

usage: series.py gen <inventory> <pristine> <git-dir> <out-dir>
       series.py files <inventory> <pristine>

gen: commits each patch of the series onto a git tree of the pristine
kernel (<git-dir>, made once and reset afterwards) and writes
`git format-patch --cover-letter --base` output into <out-dir>.  Paths
come from the environment: TOP (the project), BASE, and the base's move
and skip map (base/<base>/paths) for bases other than the primary.

files: prints "<kernel path> overlay|<project path>" for every file the
series creates or changes, for the checks: where the same bytes are.

<inventory> holds overlay_inventory's lines (tests/scripts/lib.sh):
"new|patch <kernel path> <project path>".
"""
import os
import re
import subprocess
import sys

TOP = os.environ['TOP']
BASE = os.environ['BASE']
PRIMARY = os.environ['PRIMARY']
DATA = os.path.join(TOP, 'series', 'memcap.series')
FALLBACK_IDENT = 'memcap developers <memcap@example.invalid>'


def die(msg):
    sys.stderr.write('series: %s\n' % msg)
    sys.exit(1)


def path_map():
    """The base's move and skip lines."""
    moves, skips = [], set()
    if BASE == PRIMARY:
        return moves, skips
    try:
        with open(os.path.join(TOP, 'base', BASE, 'paths')) as f:
            for line in f:
                a = line.split()
                if len(a) == 3 and a[0] == 'move':
                    moves.append((a[1], a[2]))
                elif len(a) == 2 and a[0] == 'skip':
                    skips.add(a[1])
    except OSError:
        pass
    return moves, skips


def moved(p, moves):
    for a, b in moves:
        if p.startswith(a):
            return b + p[len(a):]
    return p


def parse_data():
    """[cover] + patches, as dicts."""
    cover, patches, cur = None, [], None
    with open(DATA) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip('\n')
            where = '%s:%d' % (DATA, n)
            if line.startswith('#') or not line.strip():
                continue
            if line.startswith('|'):
                if cur is None:
                    die('%s: text outside a patch' % where)
                cur['body'].append(line[2:] if line.startswith('| ') else line[1:])
                continue
            m = re.match(r'^([a-z]+)(?:\[([0-9.]+)\])?:\s*(.*)$', line)
            if not m:
                die('%s: cannot parse %r' % (where, line))
            key, base, val = m.groups()
            if key in ('cover', 'patch'):
                cur = {'subject': val, 'only': None, 'pieces': [], 'body': [],
                       'trailers': [], 'where': where}
                if key == 'cover':
                    cover = cur
                else:
                    patches.append(cur)
            elif cur is None:
                die('%s: %s: outside a patch' % (where, key))
            elif key == 'only':
                cur['only'] = val
            elif key == 'take':
                tok = val.split()
                piece = {'base': base, 'path': tok[0] if tok else '',
                         'mode': 'all', 'where': where}
                ml = re.match(r'^(\S+)\s+lines\s+/(.*?)/\s+/(.*)/$', val)
                mh = re.match(r'^(\S+)\s+hunks\s+/(.*)/$', val)
                if ml:
                    piece.update(mode='lines', a=re.compile(ml.group(2)),
                                 b=re.compile(ml.group(3)))
                elif mh:
                    piece.update(mode='hunks', a=re.compile(mh.group(2)))
                elif len(tok) == 3 and tok[1] == 'from':
                    piece.update(mode='from', src=tok[2])
                elif len(tok) != 1:
                    die('%s: cannot parse take %r' % (where, val))
                cur['pieces'].append(piece)
            elif key == 'link':
                cur['trailers'].append('Link: ' + val)
            elif key == 'fixes':
                cur['trailers'].append('Fixes: ' + val)
            else:
                die('%s: unknown key %s' % (where, key))
    return cover, patches


def read_inventory(path):
    inv = {}
    with open(path) as f:
        for line in f:
            a = line.split()
            if len(a) == 3:
                inv[a[1]] = (a[0], a[2])
    return inv


def parse_patch(ppath, kpath, pristine):
    """Hunks of a unified diff against the pristine file: a list of
    [old_start, [[op, text, owner], ...]]."""
    hunks = []
    with open(os.path.join(TOP, ppath)) as f:
        lines = f.read().split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    i = 0
    while i < len(lines) and not lines[i].startswith('@@'):
        i += 1
    while i < len(lines):
        m = re.match(r'^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@', lines[i])
        if not m:
            die('%s: bad hunk header %r' % (ppath, lines[i]))
        start, old = int(m.group(1)), int(m.group(2) or 1)
        body = []
        i += 1
        while i < len(lines) and not lines[i].startswith('@@'):
            t = lines[i]
            if t.startswith('\\'):
                die('%s: "no newline" lines are not handled' % ppath)
            # An empty line is context whose blank was stripped.
            body.append([t[:1] or ' ', t[1:], None])
            i += 1
        if sum(1 for b in body if b[0] in ' -') != old:
            die('%s: hunk at -%d does not count %d old lines' % (ppath, start, old))
        hunks.append([start if old else start + 1, body])
    # The context must be the pristine file's, line for line; like patch
    # -F0, a hunk may sit at another line (a base the .patch was not made
    # against), never before the hunk above it.
    with open(os.path.join(pristine, kpath)) as f:
        orig = f.read().split('\n')
    floor = 0
    for h in hunks:
        start, body = h
        old = [text for op, text, _ in body if op in ' -']
        if orig[start - 1:start - 1 + len(old)] == old and start - 1 >= floor:
            at = start - 1
        else:
            # Elsewhere only if the context is found once: a wrong
            # place would go unseen, patch(1) taking it too.
            found = [c for c in range(floor, len(orig) - len(old) + 1)
                     if orig[c:c + len(old)] == old]
            if len(found) != 1:
                die('%s: hunk at -%d matches the pristine %s %d times' %
                    (ppath, start, kpath, len(found)))
            at = found[0]
        h[0] = at + 1
        floor = at + len(old)
    return hunks


def take_lines(hunks, a, b, idx, where, k):
    """The run of changed lines from one matching @a to the next matching
    @b, and the blank lines added right after it (so that a Kconfig entry
    or a paragraph leaves no double blank line behind)."""
    for _, body in hunks:
        got, i = 0, 0
        while i < len(body) and not got:
            if body[i][0] != ' ' and body[i][2] is None and a.search(body[i][1]):
                for j in range(i, len(body)):
                    op, text, owner = body[j]
                    if op == ' ':
                        continue
                    if owner is not None:
                        die('%s: a line of %s is taken twice' % (where, k))
                    body[j][2] = idx
                    got += 1
                    if b.search(text):
                        break
                else:
                    die('%s: no changed line of %s ends the run' % (where, k))
                j += 1
                while j < len(body) and body[j][0] == '+' and \
                        body[j][1] == '' and body[j][2] is None:
                    body[j][2] = idx
                    j += 1
            i += 1
        if got:
            return got
    return 0


def file_state(kpath, hunks, pristine, upto):
    """The file with the changes owned by patches 0..upto applied."""
    with open(os.path.join(pristine, kpath)) as f:
        orig = f.read().split('\n')
    out, n = [], 0
    for start, body in hunks:
        out.extend(orig[n:start - 1])
        n = start - 1
        for op, text, owner in body:
            if op == ' ':
                out.append(text)
                n += 1
            elif op == '-':
                if owner > upto:
                    out.append(text)
                n += 1
            elif owner <= upto:
                out.append(text)
    out.extend(orig[n:])
    return '\n'.join(out)


def plan(inv_path, pristine):
    """Patches for this base, and the owner of every change."""
    cover, patches = parse_data()
    moves, skips = path_map()
    inv = read_inventory(inv_path)
    patches = [p for p in patches if p['only'] in (None, BASE)]
    files = {}	# kernel path -> {'kind', 'ppath', 'hunks' | 'owner'}
    for k, (kind, ppath) in inv.items():
        if kind == 'patch':
            files[k] = {'kind': 'patch', 'ppath': ppath,
                        'hunks': parse_patch(ppath, k, pristine)}
        else:
            files[k] = {'kind': 'new', 'ppath': ppath, 'owner': None}
    # Specific pieces first, then whole files and what is left of them.
    for specific in (True, False):
        for idx, p in enumerate(patches):
            for pc in p['pieces']:
                if pc['base'] not in (None, BASE):
                    continue
                if (pc['mode'] in ('lines', 'hunks')) != specific:
                    continue
                orig_path = pc['path']
                if orig_path in skips:
                    continue
                k = moved(orig_path, moves)
                where = pc['where']
                if pc['mode'] == 'from':
                    if k in files:
                        die('%s: %s is in the overlay already' % (where, k))
                    src = os.path.join(TOP, pc['src'])
                    if not os.path.isfile(src):
                        die('%s: no file %s' % (where, pc['src']))
                    files[k] = {'kind': 'new', 'ppath': pc['src'], 'owner': idx}
                    continue
                if k not in files:
                    die('%s: %s is not in the overlay of %s' % (where, k, BASE))
                fi = files[k]
                if fi['kind'] == 'new':
                    if pc['mode'] != 'all':
                        die('%s: %s is a new file: take it whole' % (where, k))
                    if fi['owner'] is not None:
                        die('%s: %s is taken twice' % (where, k))
                    fi['owner'] = idx
                    continue
                got = 0
                if pc['mode'] == 'all':
                    for _, body in fi['hunks']:
                        for b in body:
                            if b[0] != ' ' and b[2] is None:
                                b[2] = idx
                                got += 1
                elif pc['mode'] == 'hunks':
                    for _, body in fi['hunks']:
                        if any(b[0] != ' ' and pc['a'].search(b[1]) for b in body):
                            for b in body:
                                if b[0] != ' ':
                                    if b[2] is not None:
                                        die('%s: a line of %s is taken twice' % (where, k))
                                    b[2] = idx
                                    got += 1
                else:
                    got = take_lines(fi['hunks'], pc['a'], pc['b'], idx,
                                     where, k)
                if not got:
                    die('%s: takes nothing of %s' % (where, k))
    left = []
    for k, fi in sorted(files.items()):
        if fi['kind'] == 'new' and fi['owner'] is None:
            left.append(k)
        elif fi['kind'] == 'patch' and any(
                b[0] != ' ' and b[2] is None for _, body in fi['hunks'] for b in body):
            left.append(k + ' (some changed lines)')
    if left:
        die('no patch of series/memcap.series takes: ' + ', '.join(left))
    for idx, p in enumerate(patches):
        p['files'] = sorted(k for k, fi in files.items() if owners(fi) & {idx})
        if not p['files']:
            die('%s: the patch "%s" is empty on %s' % (p['where'], p['subject'], BASE))
    return cover, patches, files


def owners(fi):
    if fi['kind'] == 'new':
        return {fi['owner']}
    return {b[2] for _, body in fi['hunks'] for b in body if b[0] != ' '}


def git(gdir, *args, env=None, inp=None):
    r = subprocess.run(['git', '-C', gdir] + list(args), input=inp,
                       capture_output=True, text=True, env=env)
    if r.returncode:
        die('git %s: %s' % (' '.join(args[:2]), r.stderr.strip()))
    return r.stdout.strip()


def ident():
    r = subprocess.run(['git', '-C', TOP, 'var', 'GIT_COMMITTER_IDENT'],
                       capture_output=True, text=True)
    m = re.match(r'^(.*>)', r.stdout.strip()) if r.returncode == 0 else None
    return m.group(1) if m else FALLBACK_IDENT


def when():
    r = subprocess.run(['git', '-C', TOP, 'log', '-1', '--format=%cI'],
                       capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 and r.stdout.strip() else \
        '2026-01-01T00:00:00+00:00'


def message(p, who):
    lines = [p['subject'], ''] + p['body']
    lines += [''] + p['trailers'] + ['Signed-off-by: ' + who]
    return '\n'.join(lines) + '\n'


def gen(inv_path, pristine, gdir, outdir):
    cover, patches, files = plan(inv_path, pristine)
    who, date = ident(), when()
    name, email = re.match(r'^(.*?)\s*<(.*)>$', who).groups()
    env = dict(os.environ, GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email,
               GIT_COMMITTER_NAME=name, GIT_COMMITTER_EMAIL=email,
               GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    git(gdir, 'checkout', '-q', '-f', '--detach', 'base')
    git(gdir, 'clean', '-q', '-f', '-d')
    for idx, p in enumerate(patches):
        for k in p['files']:
            fi = files[k]
            dst = os.path.join(gdir, k)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            if fi['kind'] == 'new':
                with open(os.path.join(TOP, fi['ppath']), 'rb') as f:
                    data = f.read()
                with open(dst, 'wb') as f:
                    f.write(data)
            else:
                with open(dst, 'w') as f:
                    f.write(file_state(k, fi['hunks'], pristine, idx))
        git(gdir, 'add', '-f', '--', *p['files'])
        git(gdir, 'commit', '-q', '--no-verify', '-F', '-', env=env,
            inp=message(p, who))
    os.makedirs(outdir, exist_ok=True)
    for f in os.listdir(outdir):
        if f.endswith('.patch'):
            os.unlink(os.path.join(outdir, f))
    git(gdir, 'format-patch', '-q', '--cover-letter', '--base=base',
        '--subject-prefix=PATCH', '-o', os.path.abspath(outdir), 'base..HEAD',
        env=env)
    git(gdir, 'update-ref', 'refs/heads/generated', 'HEAD')
    fill_cover(outdir, cover)
    print('series/%s: %d patches in %s' % (BASE, len(patches), outdir))


def fill_cover(outdir, cover):
    path = os.path.join(outdir, '0000-cover-letter.patch')
    with open(path) as f:
        text = f.read()
    text = text.replace('*** SUBJECT HERE ***', cover['subject'] if cover else 'memcap')
    blurb = list(cover['body']) if cover else []
    extra = os.environ.get('SERIES_COVER_EXTRA')
    if extra and os.path.isfile(extra):
        with open(extra) as f:
            blurb += [''] + f.read().rstrip('\n').split('\n')
    text = text.replace('*** BLURB HERE ***', '\n'.join(blurb))
    with open(path, 'w') as f:
        f.write(text)


def list_files(inv_path, pristine):
    _, _, files = plan(inv_path, pristine)
    inv = read_inventory(inv_path)
    for k, fi in sorted(files.items()):
        # The overlay's tree has the file, or else the project does.
        print(k, 'overlay' if k in inv else fi['ppath'])


def main():
    if len(sys.argv) == 6 and sys.argv[1] == 'gen':
        gen(*sys.argv[2:])
    elif len(sys.argv) == 4 and sys.argv[1] == 'files':
        list_files(sys.argv[2], sys.argv[3])
    else:
        die(__doc__)


if __name__ == '__main__':
    main()
