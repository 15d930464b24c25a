// SPDX-License-Identifier: GPL-2.0-only
/// Find memremap_pages() and devm_memremap_pages() callers that create a
/// cacheable pgmap (MEMORY_DEVICE_COHERENT, _GENERIC or _FS_DAX) without
/// describing its memory with pgmap_set_memcap().  Such a pgmap inherits
/// whatever the memcap registry or the architecture says of its range: on
/// an arm64 system with MTE, an unregistered range is refused.
///
// Confidence: Moderate
// Copyright: (C) 2026 The memcap authors.
// Options: --no-includes --include-headers
// Keywords: memremap_pages, devm_memremap_pages, pgmap_set_memcap, memcap

virtual context
virtual org
virtual report

// Test code that calls memremap_pages() without capabilities on purpose.
@initialize:python@
@@
def excluded(p):
    f = p[0].file
    return f.endswith('_kunit.c') or f.endswith('memcap_test.c')

@depends on context@
expression P, D;
@@

(
  P->type = \(MEMORY_DEVICE_COHERENT\|MEMORY_DEVICE_GENERIC\|MEMORY_DEVICE_FS_DAX\);
  ... when != pgmap_set_memcap(P, ...)
      when != P->flags |= PGMAP_MEMCAP_VALID
(
* memremap_pages(P, ...)
|
* devm_memremap_pages(D, P)
)
|
  P.type = \(MEMORY_DEVICE_COHERENT\|MEMORY_DEVICE_GENERIC\|MEMORY_DEVICE_FS_DAX\);
  ... when != pgmap_set_memcap(&P, ...)
      when != P.flags |= PGMAP_MEMCAP_VALID
(
* memremap_pages(&P, ...)
|
* devm_memremap_pages(D, &P)
)
)

@r depends on org || report exists@
expression P, D;
position p;
@@

(
  P->type = \(MEMORY_DEVICE_COHERENT\|MEMORY_DEVICE_GENERIC\|MEMORY_DEVICE_FS_DAX\);
  ... when != pgmap_set_memcap(P, ...)
      when != P->flags |= PGMAP_MEMCAP_VALID
(
  memremap_pages@p(P, ...)
|
  devm_memremap_pages@p(D, P)
)
|
  P.type = \(MEMORY_DEVICE_COHERENT\|MEMORY_DEVICE_GENERIC\|MEMORY_DEVICE_FS_DAX\);
  ... when != pgmap_set_memcap(&P, ...)
      when != P.flags |= PGMAP_MEMCAP_VALID
(
  memremap_pages@p(&P, ...)
|
  devm_memremap_pages@p(D, &P)
)
)

@script:python depends on org@
p << r.p;
@@
if not excluded(p):
    coccilib.org.print_todo(p[0], "cacheable pgmap without pgmap_set_memcap()")

@script:python depends on report@
p << r.p;
@@
if not excluded(p):
    coccilib.report.print_report(p[0], "WARNING: memremap of a cacheable pgmap without pgmap_set_memcap(): its capabilities are guessed from the range")
