// SPDX-License-Identifier: GPL-2.0
/* Fixture: uncached mappings are not reported. */
static int bar_mmap(struct file *f, struct vm_area_struct *vma)
{
	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	return io_remap_pfn_range(vma, vma->vm_start, vma->vm_pgoff,
				  vma->vm_end - vma->vm_start,
				  vma->vm_page_prot);
}

static vm_fault_t dev_fault(struct vm_fault *vmf)
{
	return vmf_insert_pfn(vmf->vma, vmf->address, dev_pfn(vmf));
}

static int wc_mmap(struct vm_area_struct *vma)
{
	return remap_pfn_range(vma, vma->vm_start, 0, PAGE_SIZE,
			       pgprot_writecombine(vma->vm_page_prot));
}
