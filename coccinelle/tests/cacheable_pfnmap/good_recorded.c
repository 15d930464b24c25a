// SPDX-License-Identifier: GPL-2.0
/* Fixture: a driver that describes its memory is not reported. */
static int probe(struct device *dev, struct resource *res)
{
	return devm_memcap_register_resource(dev, res, MEMCAP_CACHEABLE |
					     MEMCAP_COHERENT);
}

static int usemem_mmap(struct vm_area_struct *vma, phys_addr_t phys)
{
	return remap_pfn_range(vma, vma->vm_start, PHYS_PFN(phys),
			       vma->vm_end - vma->vm_start, vma->vm_page_prot);
}
