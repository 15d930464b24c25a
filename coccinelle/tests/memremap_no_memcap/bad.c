// SPDX-License-Identifier: GPL-2.0
/* Fixture: every function here must be reported. */
static void *bad_generic(struct device *dev, struct dev_pagemap *pgmap)
{
	pgmap->type = MEMORY_DEVICE_GENERIC;
	pgmap->nr_range = 1;
	return devm_memremap_pages(dev, pgmap);
}

static void *bad_coherent(struct dev_pagemap *pgmap, int nid)
{
	pgmap->type = MEMORY_DEVICE_COHERENT;
	pgmap->ops = &ops;
	return memremap_pages(pgmap, nid);
}

static int bad_embedded(struct device *dev, struct pmem_device *pmem)
{
	void *addr;

	pmem->pgmap.type = MEMORY_DEVICE_FS_DAX;
	addr = devm_memremap_pages(dev, &pmem->pgmap);
	return IS_ERR(addr);
}

static void *bad_conditional(struct dev_pagemap *pgmap, bool coherent)
{
	if (coherent)
		pgmap->type = MEMORY_DEVICE_COHERENT;
	else
		pgmap->type = MEMORY_DEVICE_PRIVATE;
	return memremap_pages(pgmap, 0);
}
