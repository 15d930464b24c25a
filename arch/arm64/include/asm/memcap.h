/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 hooks for memory capability records.
 */
#ifndef __ASM_MEMCAP_H
#define __ASM_MEMCAP_H

#include <linux/memcap.h>

#include <linux/mm_types.h>

#include <asm/memory.h>
#include <asm/mte.h>
#include <asm/pgtable-hwdef.h>
#include <asm/pgtable-prot.h>

/*
 * pgprot_mhp() maps hot-added memory Normal-Tagged, as boot RAM, so that
 * the kernel can initialise the tags of PROT_MTE pages through the linear
 * map.  A range whose records say it has no tag storage is mapped Normal:
 * tag accesses to it must never be made.
 */
#define arch_memcap_mhp_pgprot arch_memcap_mhp_pgprot
static inline pgprot_t arch_memcap_mhp_pgprot(pgprot_t prot, unsigned int caps)
{
	if (caps & MEMCAP_TAGS)
		return prot;
	if ((pgprot_val(prot) & PTE_ATTRINDX_MASK) !=
	    PTE_ATTRINDX(MT_NORMAL_TAGGED))
		return prot;
	return __pgprot((pgprot_val(prot) & ~PTE_ATTRINDX_MASK) |
			PTE_ATTRINDX(MT_NORMAL));
}

/*
 * PG_mte_tagged is never cleared on a page in use, and the page allocator
 * clears it when RAM is freed.  ZONE_DEVICE pages are freed to their driver
 * instead: without this, the next owner of a DEVICE_COHERENT page would
 * find it "tagged" and keep the previous owner's tags.
 */
#define arch_memcap_device_page_free arch_memcap_device_page_free
static inline void arch_memcap_device_page_free(struct page *page)
{
	clear_page_mte_tagged(page);
}

#endif /* __ASM_MEMCAP_H */
