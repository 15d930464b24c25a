// SPDX-License-Identifier: GPL-2.0
/* Fixture: mmap_prepare actions made uncached are not reported. */
static int hpet_like_mmap_prepare(struct vm_area_desc *desc)
{
	desc->page_prot = pgprot_noncached(desc->page_prot);
	mmap_action_simple_ioremap(desc, regs_phys, PAGE_SIZE);
	return 0;
}

static int wc_mmap_prepare(struct vm_area_desc *desc)
{
	desc->page_prot = pgprot_writecombine(desc->page_prot);
	mmap_action_ioremap_full(desc, PHYS_PFN(fb_phys));
	return 0;
}

/* include/linux/mm.h: the helpers themselves are not drivers. */
static inline void mmap_action_remap_full(struct vm_area_desc *desc,
					  unsigned long start_pfn)
{
	mmap_action_remap(desc, desc->start, start_pfn, vma_desc_size(desc));
}
