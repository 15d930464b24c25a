/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ZONE_DEVICE interfaces the memcap tests use, as Linux 7.3 has them.
 * The tests are shared by every base; only this file differs.
 */
#ifndef _MM_MEMCAP_TEST_COMPAT_H
#define _MM_MEMCAP_TEST_COMPAT_H

#include <linux/huge_mm.h>
#include <linux/memremap.h>
#include <linux/mm.h>

/* The test driver's memory goes back to it a folio at a time. */
static void __maybe_unused memcap_test_folio_free(struct folio *folio)
{
}

static const struct dev_pagemap_ops memcap_test_pgmap_ops __maybe_unused = {
	.folio_free = memcap_test_folio_free,
};

#ifdef CONFIG_ZONE_DEVICE
/* Hand out one page of a pgmap, as a driver's allocator does. */
static inline void memcap_test_page_init(struct page *page,
					 struct dev_pagemap *pgmap)
{
	zone_device_page_init(page, pgmap, 0);
}

/* Insert a ZONE_DEVICE page at fault time into an ordinary VMA (/dev/dax). */
static inline vm_fault_t memcap_test_insert_page(struct vm_fault *vmf,
						 struct page *page)
{
	return vmf_insert_page_mkwrite(vmf, page, vmf->flags & FAULT_FLAG_WRITE);
}
#endif

/* A PMD-sized cacheable pfn mapping, as vfio-pci's huge faults make. */
#ifdef CONFIG_ARCH_SUPPORTS_PMD_PFNMAP
#define MEMCAP_TEST_HUGE_PFNMAP	1
static inline vm_fault_t memcap_test_insert_pfn_pmd(struct vm_fault *vmf,
						    unsigned long pfn)
{
	return vmf_insert_pfn_pmd(vmf, pfn, vmf->flags & FAULT_FLAG_WRITE);
}
#else
#define MEMCAP_TEST_HUGE_PFNMAP	0
static inline vm_fault_t memcap_test_insert_pfn_pmd(struct vm_fault *vmf,
						    unsigned long pfn)
{
	return VM_FAULT_FALLBACK;
}
#endif

#endif /* _MM_MEMCAP_TEST_COMPAT_H */
