// SPDX-License-Identifier: GPL-2.0
/* Fixture: nothing here may be reported. */
static struct page *lookup(unsigned long pfn)
{
	if (!pfn_valid(pfn))
		return NULL;
	return pfn_to_page(pfn);
}

static bool counts_pages(unsigned long pfn)
{
	return pfn_valid(pfn);
}

static pgprot_t from_vma(struct vm_area_struct *vma)
{
	if (vma->vm_flags & VM_IO)
		return pgprot_noncached(vma->vm_page_prot);
	return vma->vm_page_prot;
}

static void *map_window(unsigned long pfn, size_t size)
{
	if (pfn_valid(pfn))
		return NULL;		/* refuses RAM: not a memory type */
	return ioremap(PFN_PHYS(pfn), size);
}
