#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Helpers of tests/scripts/coccicheck.sh for a whole-tree run.

  sites.py parse-failures SRC OUT ERR...
      Read spatch's --verbose-parsing output (ERR files), and write OUT:
      one line per region spatch could not parse, with the functions it
      lost (a finding inside them is silently dropped).
  sites.py flagged FILE < FINDINGS
      How many of FILE's functions a finding is in, and how many it has
      (for the bad fixtures: each function must be flagged).
  sites.py recall SRC OUT SCRIPT FILES FINDINGS
      Grep FILES (paths relative to SRC) for the call sites SCRIPT targets,
      and append to OUT one line per site saying whether a finding of
      FINDINGS (spatch report lines) covers it: same file and function, or
      same line.  Prints "N call sites, M reported, K not reported".

Only the standard library; the C "parser" here is a brace counter that
knows comments, strings and the preprocessor, which is all a grep needs.
"""
import os
import re
import sys

IDENT = re.compile(r'[A-Za-z_]\w*')

# Names followed by "(...)" in a function header that are not its name.
ATTRS = {
    '__attribute__', '__printf', '__scanf', '__alloc_size', '__realloc_size',
    '__section', '__aligned', '__must_hold', '__acquires', '__releases',
    '__cond_acquires', '__acquires_shared', '__releases_shared',
    '__must_hold_shared', '__diag_ignore', '__malloc', '__assume_aligned',
    '__counted_by', '__cleanup', '__free', '__nocfi', '__no_sanitize_address',
    '__weak', 'asmlinkage', '__visible', 'noinline', '__always_inline',
}


class Source:
    """One C file: its text with comments and literals blanked, the lines
    that are preprocessor directives or #define bodies, #if 0 regions, and
    the span of each function definition."""

    def __init__(self, path):
        with open(path, encoding='utf-8', errors='replace') as f:
            self.text = f.read()
        self.code = self._blank(self.text)
        self.lines = self.code.split('\n')
        self.raw_lines = self.text.split('\n')
        self.pos = [0]
        for l in self.lines:
            self.pos.append(self.pos[-1] + len(l) + 1)
        self._preprocessor()
        self.funcs = self._functions()

    @staticmethod
    def _blank(t):
        """Comments, strings and character literals become spaces."""
        out = []
        i, n = 0, len(t)
        while i < n:
            c = t[i]
            if c == '/' and t.startswith('/*', i):
                j = t.find('*/', i + 2)
                j = n if j < 0 else j + 2
                out.append(re.sub(r'[^\n]', ' ', t[i:j]))
                i = j
            elif c == '/' and t.startswith('//', i):
                j = t.find('\n', i)
                j = n if j < 0 else j
                out.append(' ' * (j - i))
                i = j
            elif c in '"\'':
                j = i + 1
                while j < n and t[j] != c and t[j] != '\n':
                    j += 2 if t[j] == '\\' else 1
                j = min(j + 1, n)
                out.append(c + re.sub(r'[^\n]', ' ', t[i + 1:j - 1]) + c)
                i = j
            else:
                out.append(c)
                i += 1
        return ''.join(out)

    def _preprocessor(self):
        """Mark directive lines (with continuations), #define bodies, the
        lines of #if 0 blocks, and the lines of #else/#elif branches."""
        n = len(self.lines)
        self.directive = [False] * n
        self.in_define = [False] * n
        self.if0 = [False] * n
        self.else_branch = [False] * n
        stack = []          # per open #if: {'if0': #if 0, 'else': past #else}
        i = 0
        while i < n:
            s = self.lines[i].lstrip()
            if s.startswith('#'):
                word = re.match(r'#\s*(\w*)', s).group(1)
                j = i
                while self.lines[j].rstrip().endswith('\\') and j + 1 < n:
                    j += 1
                for k in range(i, j + 1):
                    self.directive[k] = True
                    self.in_define[k] = word == 'define'
                if word in ('if', 'ifdef', 'ifndef'):
                    stack.append({'if0': re.match(r'#\s*if\s+0\b', s) is not None,
                                  'else': False})
                elif word in ('else', 'elif') and stack:
                    stack[-1]['else'] = True
                elif word == 'endif' and stack:
                    stack.pop()
                i = j + 1
                continue
            # dead: the first branch of an #if 0
            self.if0[i] = any(e['if0'] and not e['else'] for e in stack)
            # an alternative branch: not used for function spans
            self.else_branch[i] = any(e['else'] and not e['if0'] for e in stack)
            i += 1

    def _functions(self):
        """(name, header line, offset of its '{', last line) of each function
        definition, 1-based lines.  At #else/#elif the brace depth goes back
        to what it was at the #if, so that a header written twice under
        #ifdef opens one body; #if 0 blocks and directives are skipped."""
        funcs = []
        depth = 0
        header = []
        hstart = None
        name = start = brace = None
        saved = []
        off = 0
        for ln, line in enumerate(self.lines):
            lo = off
            off += len(line) + 1
            if self.directive[ln]:
                w = re.match(r'\s*#\s*(\w*)', line)
                w = w.group(1) if w else ''
                if w in ('if', 'ifdef', 'ifndef'):
                    saved.append(depth)
                elif w in ('else', 'elif') and saved:
                    depth = saved[-1]
                elif w == 'endif' and saved:
                    saved.pop()
                continue
            if self.if0[ln]:
                continue
            for col, c in enumerate(line):
                if depth == 0:
                    if c == '{':
                        name = self._func_name(''.join(header))
                        start, brace = hstart, lo + col
                        depth = 1
                        header, hstart = [], None
                    elif c in ';}':
                        header, hstart = [], None
                    else:
                        if hstart is None and not c.isspace():
                            hstart = ln + 1
                        header.append(c)
                else:
                    if c == '{':
                        depth += 1
                    elif c == '}':
                        depth -= 1
                        if depth == 0:
                            if name:
                                funcs.append((name, start or ln + 1, brace, ln + 1))
                            name = None
            if depth == 0:
                header.append('\n')
        return funcs

    @staticmethod
    def _func_name(h):
        h = h.strip()
        if '(' not in h or h.rstrip().endswith('='):
            return None
        # "= {" initialisers, struct/enum/union bodies
        depth = 0
        for c in h:
            if c == '(':
                depth += 1
            elif c == ')':
                depth -= 1
            elif c == '=' and depth == 0:
                return None
        if depth != 0:
            return None
        cands = [m for m in re.finditer(r'([A-Za-z_]\w*)\s*\(', h)]
        top = []
        for m in cands:
            d = h[:m.start()].count('(') - h[:m.start()].count(')')
            if d == 0:
                top.append(m.group(1))
        # the last one that is not an attribute: "DEFINE_FREE(...) int f(x)"
        # and "int f(x) __acquires(l)" are both f
        for t in reversed(top):
            if t not in ATTRS:
                return t
        return top[0] if top else None

    def function_at(self, line):
        for name, a, _, b in self.funcs:
            if a <= line <= b:
                return name
        return None

    def in_body(self, offset):
        return any(br < offset and self._line_of(self.pos, offset) <= b
                   for _, _, br, b in self.funcs)

    def functions_in(self, a, b):
        """Functions that lines a..b (an unparsed region) overlap.  spatch
        starts such a region at the closing brace of the function before it,
        which it did parse: a function that only ends on line a is kept."""
        return [n for n, s, _, e in self.funcs if s <= b and e > a]

    def body(self, line):
        for _, a, _, b in self.funcs:
            if a <= line <= b:
                return '\n'.join(self.lines[a - 1:b])
        return ''

    def calls(self, names):
        """(line, name, args text, kind) of each call of a name in names.
        kind: 'code', 'define' (inside a #define body) or 'if0'."""
        rx = re.compile(r'(?<![\w.>])(' + '|'.join(map(re.escape, names)) + r')\s*\(')
        pos = self.pos
        out = []
        for m in rx.finditer(self.code):
            ln = self._line_of(pos, m.start())
            i = m.end()
            depth = 1
            while i < len(self.code) and depth:
                if self.code[i] == '(':
                    depth += 1
                elif self.code[i] == ')':
                    depth -= 1
                i += 1
            args = self.code[m.end():i - 1]
            if self.in_define[ln - 1]:
                kind = 'define'
            elif self.if0[ln - 1]:
                kind = 'if0'
            elif not self.in_body(m.start()):
                kind = 'decl'       # prototype, definition header, initialiser
            else:
                kind = 'code'
            out.append((ln, m.group(1), args, kind))
        return out

    @staticmethod
    def _line_of(pos, off):
        lo, hi = 0, len(pos) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if pos[mid] <= off:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1


def split_args(a):
    out, depth, cur = [], 0, []
    for c in a:
        if c in '([{':
            depth += 1
        elif c in ')]}':
            depth -= 1
        if c == ',' and depth == 0:
            out.append(''.join(cur))
            cur = []
        else:
            cur.append(c)
    out.append(''.join(cur))
    return [' '.join(x.split()) for x in out]


# --- what each script targets -------------------------------------------

VMA_PROT = re.compile(r'^\(?\s*[\w.>\-\[\]]*(->|\.)\s*(vm_page_prot|page_prot)\s*\)?$')
MEMTYPE = re.compile(
    r'\bpgprot_\w+\s*\(|\bPAGE_KERNEL\w*|\b__pgprot\s*\(|\bMT_(DEVICE|NORMAL)\w*'
    r'|_PAGE_(CACHE|NO_CACHE|NOCACHE|WRITETHRU|GUARDED|COHERENT)\w*|\bcacheable\b'
    r'|\buncached\b|\bmemtype\b|\bmemory_type\b|KVM_PGTABLE_PROT_(DEVICE|NORMAL_NC)'
    r'|\bioremap\w*\s*\(|\bvm_page_prot\b|\bpage_prot\b')


def targets(script, src, rel):
    """Call sites of the API the script is about, as (line, callee, note,
    is_target) -- is_target False for grep hits that are not what the
    script looks for (a prototype, an explicit non-VMA pgprot ...)."""
    out = []
    if script == 'memremap_no_memcap':
        for ln, nm, a, kind in src.calls(['memremap_pages', 'devm_memremap_pages']):
            out.append((ln, nm, kind, kind == 'code'))
    elif script == 'hotplug_no_record':
        for ln, nm, a, kind in src.calls(['add_memory', '__add_memory',
                                          'add_memory_driver_managed',
                                          '__add_memory_driver_managed',
                                          'add_memory_resource']):
            out.append((ln, nm, kind, kind == 'code'))
    elif script == 'pfn_memtype':
        for ln, nm, a, kind in src.calls(['pfn_is_map_memory', 'pfn_valid',
                                          'page_is_ram']):
            note, tgt = kind, False
            if kind == 'code':
                m = MEMTYPE.search(src.body(ln))
                if m:
                    note, tgt = 'memory type in function: ' + m.group(0).strip('( '), True
                else:
                    note = 'no memory type in function'
            out.append((ln, nm, note, tgt))
    elif script == 'cacheable_pfnmap':
        names = ['remap_pfn_range', 'io_remap_pfn_range', 'vmf_insert_pfn',
                 'vmf_insert_pfn_prot', 'vmf_insert_pfn_pmd', 'vmf_insert_pfn_pud',
                 'vmf_insert_mixed', 'mmap_action_remap', 'mmap_action_remap_full',
                 'mmap_action_ioremap', 'mmap_action_ioremap_full',
                 'mmap_action_simple_ioremap']
        for ln, nm, a, kind in src.calls(names):
            args = split_args(a)
            if kind != 'code':
                out.append((ln, nm, kind, False))
                continue
            if nm in ('remap_pfn_range', 'io_remap_pfn_range', 'vmf_insert_pfn_prot'):
                prot = args[-1] if args else ''
                if VMA_PROT.match(prot):
                    out.append((ln, nm, 'pgprot ' + prot, True))
                else:
                    out.append((ln, nm, 'explicit pgprot ' + prot, False))
            elif (src.function_at(ln) or '').startswith('mmap_action_'):
                out.append((ln, nm, 'helper calling helper', False))
            elif nm.startswith('mmap_action_'):
                out.append((ln, nm, 'pgprot desc->page_prot', True))
            else:
                out.append((ln, nm, 'pgprot vma->vm_page_prot', True))
    return out


FINDING = re.compile(r'^(?:\w+: )?([^:\s]+):(\d+):')


def cmd_recall(srcdir, out, script, files, findings):
    found = {}
    with open(findings) as f:
        for l in f:
            m = FINDING.match(l)
            if m:
                found.setdefault(m.group(1), set()).add(int(m.group(2)))
    n = m_rep = 0
    lines = []
    with open(files) as f:
        rels = [l.strip() for l in f if l.strip()]
    for rel in rels:
        try:
            src = Source(os.path.join(srcdir, rel))
        except OSError:
            continue
        hits = found.get(rel, set())
        hit_funcs = {src.function_at(h) for h in hits} - {None}
        for ln, nm, note, tgt in sorted(set(targets(script, src, rel))):
            fn = src.function_at(ln) or '-'
            covered = ln in hits or fn in hit_funcs
            # a site the script reports is one it targets, whatever the grep
            tgt = tgt or covered
            if not tgt:
                st = 'not-a-target'
            elif covered:
                st = 'reported'
            else:
                st = 'NOT-REPORTED'
            if tgt:
                n += 1
                m_rep += st == 'reported'
            lines.append('%s\t%s\t%s:%d\t%s\t%s\t%s\n' % (script, st, rel, ln, fn, nm, note))
    with open(out, 'a') as f:
        f.writelines(lines)
    print('%d call sites, %d reported, %d not reported' % (n, m_rep, n - m_rep))


PE_LOC = re.compile(r'^ = File "([^"]+)", line (\d+)')


def cmd_parse_failures(srcdir, out, errs):
    seen = {}
    fatal = {}
    for e in errs:
        with open(e, errors='replace') as f:
            lines = f.read().split('\n')
        if lines and lines[0].startswith('FILE: '):
            for l in lines:
                if l.startswith('Fatal error'):
                    fatal[lines[0][6:]] = l
        i = 0
        while i < len(lines):
            if not lines[i].startswith('parse error'):
                i += 1
                continue
            m = PE_LOC.match(lines[i + 1]) if i + 1 < len(lines) else None
            i += 1
            if not m:
                continue
            path, line = m.group(1), int(m.group(2))
            content = ''
            while i < len(lines) and not lines[i].startswith('badcount:'):
                if lines[i].startswith('  whole content = '):
                    content = lines[i][len('  whole content = '):]
                i += 1
            before = after = 0
            bad_seen = False
            i += 1
            while i < len(lines) and (lines[i].startswith('bad:') or lines[i].startswith('BAD:!!!!!')):
                if lines[i].startswith('BAD'):
                    bad_seen = True
                elif bad_seen:
                    after += 1
                else:
                    before += 1
                i += 1
            rel = os.path.relpath(os.path.join(srcdir, path), srcdir) if not os.path.isabs(path) else path
            seen[(rel, line)] = (line - before, line + after, content.strip())
    rows = []
    files = set()
    nfun = 0
    for rel, msg in sorted(fatal.items()):
        try:
            fns = [fn[0] for fn in Source(os.path.join(srcdir, rel)).funcs]
        except OSError:
            fns = []
        files.add(rel)
        nfun += len(fns)
        rows.append('%s:0\twhole file\t%s\t%s\n' % (rel, ','.join(fns), msg[:100]))
    for (rel, line), (a, b, content) in sorted(seen.items()):
        if rel.startswith('/'):     # spatch's own macro files
            continue
        try:
            src = Source(os.path.join(srcdir, rel))
            fns = src.functions_in(a, b)
        except OSError:
            fns = []
        files.add(rel)
        nfun += len(fns)
        rows.append('%s:%d\t%d-%d\t%s\t%s\n' % (rel, line, a, b,
                                                 ','.join(fns) if fns else '-',
                                                 content[:100]))
    with open(out, 'w') as f:
        f.write('# file:line of the parse error\tlines spatch dropped\t'
                'functions in them (- none: a macro or a declaration)\tthe line\n')
        f.writelines(rows)
    print('%d parse failures in %d files, %d functions dropped'
          % (len(rows), len(files), nfun))


def cmd_flagged(path):
    """Findings on stdin: print how many of path's functions have one, and
    how many functions it has."""
    src = Source(path)
    hit = set()
    for l in sys.stdin:
        m = FINDING.match(l)
        if m:
            hit.add(src.function_at(int(m.group(2))))
    names = [f[0] for f in src.funcs]
    print(len([n for n in names if n in hit]), len(names))


if __name__ == '__main__':
    cmd = sys.argv[1]
    if cmd == 'flagged':
        cmd_flagged(sys.argv[2])
    elif cmd == 'recall':
        cmd_recall(*sys.argv[2:7])
    elif cmd == 'parse-failures':
        cmd_parse_failures(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        sys.exit('usage: sites.py recall|parse-failures ...')
