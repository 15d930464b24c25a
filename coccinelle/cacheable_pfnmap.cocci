// SPDX-License-Identifier: GPL-2.0-only
/// Find PFNMAP mappings installed with an unmodified, cacheable
/// vma->vm_page_prot (remap_pfn_range(), io_remap_pfn_range(),
/// vmf_insert_pfn*(), vmf_insert_mixed()) or, from an mmap_prepare hook
/// (7.x), with an unmodified desc->page_prot (mmap_action_remap*(),
/// mmap_action_ioremap*(), mmap_action_simple_ioremap()) in a file that
/// registers no memcap record.  KVM only maps such memory cacheable at stage 2 when a
/// record vouches for it; without one the guest gets Device, and the host
/// has a cacheable alias of memory that may not be coherent.
/// nvgrace-gpu's usemem is the archetype.
///
/// Drivers that map RAM they allocated (a kernel buffer) are false
/// positives: RAM has struct pages and needs no record.
///
// Confidence: Low
// Copyright: (C) 2026 The memcap authors.
// Options: --no-includes --include-headers
// Keywords: remap_pfn_range, io_remap_pfn_range, vmf_insert_pfn, mmap_action_remap, memcap

virtual context
virtual org
virtual report

@initialize:python@
@@
def excluded(p):
    return p[0].file.endswith('memcap_test.c')

// A file that describes its memory is fine.
@has_record@
@@
(
  memcap_register(...)
|
  devm_memcap_register(...)
|
  memcap_register_resource(...)
|
  devm_memcap_register_resource(...)
)

// A file that makes its mappings uncached somewhere.
@uncached@
expression V;
@@
(
  V->vm_page_prot = \(pgprot_noncached\|pgprot_writecombine\|pgprot_device\|pgprot_dmacoherent\)(...)
|
  V->page_prot = \(pgprot_noncached\|pgprot_writecombine\|pgprot_device\|pgprot_dmacoherent\)(...)
)

@r1 depends on !has_record && (org || report) exists@
identifier fn;
expression V, A, PFN, SZ;
position p;
@@

fn(...) {
  ... when != V->vm_page_prot = \(pgprot_noncached\|pgprot_writecombine\|pgprot_device\|pgprot_dmacoherent\)(...)
(
  remap_pfn_range@p(V, A, PFN, SZ, V->vm_page_prot)
|
  io_remap_pfn_range@p(V, A, PFN, SZ, V->vm_page_prot)
)
  ... when any
}

@r2 depends on !has_record && !uncached && (org || report)@
position p;
@@

(
  vmf_insert_pfn@p(...)
|
  vmf_insert_pfn_pmd@p(...)
|
  vmf_insert_pfn_pud@p(...)
|
  vmf_insert_mixed@p(...)
)

// 7.x mmap_prepare: the action maps with desc->page_prot.  The
// mmap_action_*() helpers that call one another are not drivers.
@r3 depends on !has_record && (org || report) exists@
identifier fn !~ "^mmap_action_";
expression D;
position p;
@@

fn(...) {
  ... when != D->page_prot = \(pgprot_noncached\|pgprot_writecombine\|pgprot_device\|pgprot_dmacoherent\)(...)
(
  mmap_action_remap@p(D, ...)
|
  mmap_action_remap_full@p(D, ...)
|
  mmap_action_ioremap@p(D, ...)
|
  mmap_action_ioremap_full@p(D, ...)
|
  mmap_action_simple_ioremap@p(D, ...)
)
  ... when any
}

@depends on !has_record && context@
identifier fn;
expression V, A, PFN, SZ;
@@

fn(...) {
  ... when != V->vm_page_prot = \(pgprot_noncached\|pgprot_writecombine\|pgprot_device\|pgprot_dmacoherent\)(...)
(
* remap_pfn_range(V, A, PFN, SZ, V->vm_page_prot)
|
* io_remap_pfn_range(V, A, PFN, SZ, V->vm_page_prot)
)
  ... when any
}

@depends on !has_record && context@
identifier fn;
expression D;
@@

fn(...) {
  ... when != D->page_prot = \(pgprot_noncached\|pgprot_writecombine\|pgprot_device\|pgprot_dmacoherent\)(...)
(
* mmap_action_remap(D, ...)
|
* mmap_action_remap_full(D, ...)
|
* mmap_action_ioremap(D, ...)
|
* mmap_action_ioremap_full(D, ...)
|
* mmap_action_simple_ioremap(D, ...)
)
  ... when any
}

@script:python depends on org@
p << r1.p;
@@
if not excluded(p):
    coccilib.org.print_todo(p[0], "cacheable PFNMAP without a memcap record")

@script:python depends on org@
p << r2.p;
@@
if not excluded(p):
    coccilib.org.print_todo(p[0], "cacheable PFNMAP without a memcap record")

@script:python depends on report@
p << r1.p;
@@
if not excluded(p):
    coccilib.report.print_report(p[0], "WARNING: cacheable PFNMAP (unmodified vm_page_prot) in a driver that registers no memcap record")

@script:python depends on report@
p << r2.p;
@@
if not excluded(p):
    coccilib.report.print_report(p[0], "WARNING: pfn inserted with a cacheable vm_page_prot in a driver that registers no memcap record")

@script:python depends on org@
p << r3.p;
@@
if not excluded(p):
    coccilib.org.print_todo(p[0], "cacheable PFNMAP without a memcap record")

@script:python depends on report@
p << r3.p;
@@
if not excluded(p):
    coccilib.report.print_report(p[0], "WARNING: mmap_prepare action with a cacheable desc->page_prot in a driver that registers no memcap record")
