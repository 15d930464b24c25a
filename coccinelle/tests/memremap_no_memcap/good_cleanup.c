// SPDX-License-Identifier: GPL-2.0
/* Fixture: a pgmap described inside a scoped_guard() is not flagged. */
static void *good_scoped(struct foo *f, struct device *dev,
			 struct dev_pagemap *pgmap)
{
	void *addr;

	scoped_guard(mutex, &f->lock) {
		pgmap->type = MEMORY_DEVICE_GENERIC;
		pgmap_set_memcap(pgmap, f->caps);
		addr = devm_memremap_pages(dev, pgmap);
	}
	return addr;
}
