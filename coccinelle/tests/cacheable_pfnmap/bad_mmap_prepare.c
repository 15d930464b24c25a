// SPDX-License-Identifier: GPL-2.0
/* Fixture: 7.x mmap_prepare actions with the default, cacheable pgprot. */
static int carveout_mmap_prepare(struct vm_area_desc *desc)
{
	struct carveout *c = desc->file->private_data;

	desc->vm_ops = &carveout_vm_ops;
	mmap_action_remap_full(desc, PHYS_PFN(c->phys) + desc->pgoff);
	return 0;
}

static int window_mmap_prepare(struct vm_area_desc *desc)
{
	mmap_action_simple_ioremap(desc, window_phys, vma_desc_size(desc));
	return 0;
}
