/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ZONE_DEVICE interfaces the memcap tests use, as Linux 6.12 has them.
 * The tests are shared by every base; only this file differs.
 */
#ifndef _MM_MEMCAP_TEST_COMPAT_H
#define _MM_MEMCAP_TEST_COMPAT_H

#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/pfn_t.h>

/* The test driver's memory goes back to it a page at a time. */
static void __maybe_unused memcap_test_page_free(struct page *page)
{
}

static const struct dev_pagemap_ops memcap_test_pgmap_ops __maybe_unused = {
	.page_free = memcap_test_page_free,
};

#ifdef CONFIG_ZONE_DEVICE
/* Hand out one page of a pgmap, as a driver's allocator does. */
static inline void memcap_test_page_init(struct page *page,
					 struct dev_pagemap *pgmap)
{
	zone_device_page_init(page);
}

/*
 * Insert a ZONE_DEVICE page at fault time into an ordinary VMA, as /dev/dax
 * does on 6.12: a devmap pfn, which needs no VM_MIXEDMAP.
 */
static inline vm_fault_t memcap_test_insert_page(struct vm_fault *vmf,
						 struct page *page)
{
	pfn_t pfn = phys_to_pfn_t(page_to_phys(page), PFN_DEV | PFN_MAP);

	if (vmf->flags & FAULT_FLAG_WRITE)
		return vmf_insert_mixed_mkwrite(vmf->vma, vmf->address, pfn);
	return vmf_insert_mixed(vmf->vma, vmf->address, pfn);
}
#endif

/*
 * No PMD-sized pfn mappings from the test driver on 6.12: its huge-fault
 * path is vfio-pci's alone there, and the case that uses them runs on the
 * primary base.
 */
#define MEMCAP_TEST_HUGE_PFNMAP	0
static inline vm_fault_t memcap_test_insert_pfn_pmd(struct vm_fault *vmf,
						    unsigned long pfn)
{
	return VM_FAULT_FALLBACK;
}

#endif /* _MM_MEMCAP_TEST_COMPAT_H */
