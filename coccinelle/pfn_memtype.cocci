// SPDX-License-Identifier: GPL-2.0-only
/// Find code that infers a memory type or cacheability from a pfn alone:
/// pfn_is_map_memory(), pfn_valid() or page_is_ram() deciding between a
/// cacheable and an uncached or Device mapping.  Memory outside the linear
/// map may be coherent and cacheable (GPU memory, CXL), and memory with a
/// struct page may not be RAM; the VMA's pgprot and the memcap record
/// should decide.  6.12's kvm_is_device_pfn() is the archetype.
///
// Confidence: Moderate
// Copyright: (C) 2026 The memcap authors.
// Options: --no-includes --include-headers
// Keywords: pfn_is_map_memory, pfn_valid, page_is_ram, pgprot_noncached

virtual context
virtual org
virtual report

// A helper named for a memory type that answers from the pfn only.
@r1 depends on org || report@
identifier fn =~ "(device|io|mmio|uncached|cacheable|memtype|memory_type|_ram)";
expression E;
position p;
@@

fn(...) {
  ...
(
  return !pfn_is_map_memory@p(E);
|
  return pfn_is_map_memory@p(E);
|
  return !pfn_valid@p(E);
|
  return !page_is_ram@p(E);
|
  return page_is_ram@p(E);
)
}

// A pfn-only test that picks an uncached or Device pgprot.
@r2 depends on org || report@
expression E, P;
statement S;
position p;
@@

(
  if (\(!pfn_is_map_memory@p(E)\|!pfn_valid@p(E)\|!page_is_ram@p(E)\))
  {
    <+... \(pgprot_noncached\|pgprot_writecombine\|pgprot_device\)(P) ...+>
  }
  else S
|
  if (\(!pfn_is_map_memory@p(E)\|!pfn_valid@p(E)\|!page_is_ram@p(E)\))
  {
    <+... \(pgprot_noncached\|pgprot_writecombine\|pgprot_device\)(P) ...+>
  }
)

// A positive pfn-only test that keeps the pgprot for RAM and makes the
// rest uncached after it (powerpc's pci_phys_mem_access_prot()).
@r3 depends on org || report exists@
expression E, P, Q, X;
position p;
@@

(
  if (\(pfn_is_map_memory@p(E)\|pfn_valid@p(E)\|page_is_ram@p(E)\))
    return P;
|
  if (\(pfn_is_map_memory@p(E)\|pfn_valid@p(E)\|page_is_ram@p(E)\)) {
    return P;
  }
)
  ... when any
(
  X = \(pgprot_noncached\|pgprot_writecombine\|pgprot_device\)(Q);
|
  return \(pgprot_noncached\|pgprot_writecombine\|pgprot_device\)(Q);
)

@depends on context@
expression E, P;
@@

  if (\(!pfn_is_map_memory(E)\|!pfn_valid(E)\|!page_is_ram(E)\))
  {
*   <+... \(pgprot_noncached\|pgprot_writecombine\|pgprot_device\)(P) ...+>
  }

@script:python depends on org@
p << r1.p;
@@
coccilib.org.print_todo(p[0], "memory type from the pfn alone")

@script:python depends on org@
p << r2.p;
@@
coccilib.org.print_todo(p[0], "cacheability from the pfn alone")

@script:python depends on org@
p << r3.p;
@@
coccilib.org.print_todo(p[0], "cacheability from the pfn alone")

@script:python depends on report@
p << r1.p;
@@
coccilib.report.print_report(p[0], "WARNING: memory type inferred from the pfn alone; the VMA or a memcap record should decide")

@script:python depends on report@
p << r2.p;
@@
coccilib.report.print_report(p[0], "WARNING: cacheability chosen from the pfn alone; the VMA or a memcap record should decide")

@script:python depends on report@
p << r3.p;
@@
coccilib.report.print_report(p[0], "WARNING: cacheability chosen from the pfn alone; the VMA or a memcap record should decide")
