// SPDX-License-Identifier: GPL-2.0
/* Fixture: nothing here may be reported. */
static void *good_described(struct device *dev, struct dev_pagemap *pgmap)
{
	pgmap->type = MEMORY_DEVICE_GENERIC;
	pgmap_set_memcap(pgmap, MEMCAP_CACHEABLE | MEMCAP_COHERENT);
	return devm_memremap_pages(dev, pgmap);
}

static void *good_private(struct dev_pagemap *pgmap)
{
	pgmap->type = MEMORY_DEVICE_PRIVATE;
	return memremap_pages(pgmap, 0);
}

static void *good_p2pdma(struct device *dev, struct dev_pagemap *pgmap)
{
	pgmap->type = MEMORY_DEVICE_PCI_P2PDMA;
	return devm_memremap_pages(dev, pgmap);
}

static void *good_embedded(struct device *dev, struct pmem_device *pmem)
{
	pmem->pgmap.type = MEMORY_DEVICE_FS_DAX;
	pgmap_set_memcap(&pmem->pgmap, caps);
	return devm_memremap_pages(dev, &pmem->pgmap);
}
