// SPDX-License-Identifier: GPL-2.0
/* Fixture: every pfn-only decision here must be reported. */
static bool kvm_is_device_pfn(unsigned long pfn)
{
	return !pfn_is_map_memory(pfn);
}

pgprot_t phys_mem_access_prot(struct file *file, unsigned long pfn,
			      unsigned long size, pgprot_t vma_prot)
{
	if (!pfn_is_map_memory(pfn))
		return pgprot_noncached(vma_prot);
	return vma_prot;
}

static void map_it(struct vm_area_struct *vma, unsigned long pfn)
{
	if (!pfn_valid(pfn)) {
		vma->vm_page_prot = pgprot_writecombine(vma->vm_page_prot);
		vm_flags_set(vma, VM_IO);
	}
}
