// SPDX-License-Identifier: GPL-2.0
/* Fixture: every mapping here must be reported. */
static int usemem_mmap(struct vm_area_struct *vma, phys_addr_t phys)
{
	return remap_pfn_range(vma, vma->vm_start, PHYS_PFN(phys),
			       vma->vm_end - vma->vm_start, vma->vm_page_prot);
}

static int bar_mmap(struct file *f, struct vm_area_struct *vma)
{
	vm_flags_set(vma, VM_IO | VM_DONTEXPAND);
	return io_remap_pfn_range(vma, vma->vm_start, vma->vm_pgoff,
				  vma->vm_end - vma->vm_start,
				  vma->vm_page_prot);
}

static vm_fault_t dev_fault(struct vm_fault *vmf)
{
	return vmf_insert_pfn(vmf->vma, vmf->address, dev_pfn(vmf));
}
