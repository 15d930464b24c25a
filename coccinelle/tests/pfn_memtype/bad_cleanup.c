// SPDX-License-Identifier: GPL-2.0
/* Fixture: a pfn-only decision inside scoped_guard() must be flagged. */
static void map_it(struct foo *f, struct vm_area_struct *vma, unsigned long pfn)
{
	scoped_guard(mutex, &f->lock) {
		if (!pfn_valid(pfn)) {
			vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
			vm_flags_set(vma, VM_IO);
		}
	}
}
