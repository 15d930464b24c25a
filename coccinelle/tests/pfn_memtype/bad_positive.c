// SPDX-License-Identifier: GPL-2.0
/* Fixture: RAM keeps the caller's pgprot, anything else is made uncached. */
pgprot_t pci_phys_mem_access_prot(unsigned long pfn, unsigned long size,
				  pgprot_t prot)
{
	struct resource *found = NULL;

	if (page_is_ram(pfn))
		return prot;

	prot = pgprot_noncached(prot);
	found = find_bar(pfn);
	if (found && (found->flags & IORESOURCE_PREFETCH))
		prot = pgprot_noncached_wc(prot);
	return prot;
}

static pgprot_t map_prot(unsigned long pfn, pgprot_t prot)
{
	if (pfn_valid(pfn)) {
		return prot;
	}
	return pgprot_writecombine(prot);
}
