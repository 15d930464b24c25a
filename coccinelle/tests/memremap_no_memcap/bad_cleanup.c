// SPDX-License-Identifier: GPL-2.0
/* Fixture: memremap inside a scoped_guard() must be flagged. */
static void *bad_scoped(struct foo *f, struct device *dev,
			struct dev_pagemap *pgmap)
{
	void *addr;

	scoped_guard(mutex, &f->lock) {
		pgmap->type = MEMORY_DEVICE_COHERENT;
		addr = devm_memremap_pages(dev, pgmap);
	}
	return addr;
}
