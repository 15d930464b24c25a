// SPDX-License-Identifier: GPL-2.0
/* Fixture: a fault handler that inserts pfns under scoped_guard(). */
static vm_fault_t usemem_fault(struct vm_fault *vmf)
{
	struct dev *d = vmf->vma->vm_private_data;
	vm_fault_t ret = VM_FAULT_SIGBUS;

	scoped_guard(rwsem_read, &d->memory_lock) {
		if (d->gone)
			return VM_FAULT_SIGBUS;
		ret = vmf_insert_pfn(vmf->vma, vmf->address, d->pfn);
	}
	return ret;
}
