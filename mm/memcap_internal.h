/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals of the memory capability registry, shared with its KUnit tests.
 */
#ifndef _MM_MEMCAP_INTERNAL_H
#define _MM_MEMCAP_INTERNAL_H

#include <linux/maple_tree.h>
#include <linux/memcap.h>
#include <linux/memremap.h>
#include <linux/mutex.h>
#include <linux/pgtable.h>
#include <linux/rcupdate.h>

/**
 * struct memcap_record - one registered range
 * @rcu: frees the record after the readers that may still see it
 * @first_pfn: first page of the range
 * @last_pfn: last page of the range (inclusive)
 * @caps: mask of &enum memcap_flags
 * @pgmaps: live pgmaps whose capabilities this record stated; the record
 *	cannot be removed while there are any.  Only the writers, under the
 *	registry's lock, read or change it.
 * @owner: who registered the range, for debugfs and messages
 *
 * What readers see of a record never changes once it is in the tree: to
 * change the capabilities of a range, unregister it and register it again.
 */
struct memcap_record {
	struct rcu_head rcu;
	unsigned long first_pfn;
	unsigned long last_pfn;
	unsigned int caps;
	unsigned int pgmaps;
	char owner[];
};

/**
 * struct memcap_registry - a set of non-overlapping records
 * @tree: maple tree from pfn to &struct memcap_record, read under RCU
 * @lock: serialises writers
 */
struct memcap_registry {
	struct maple_tree tree;
	struct mutex lock;	/* serialises writers */
};

void memcap_registry_init(struct memcap_registry *reg);
void memcap_registry_destroy(struct memcap_registry *reg);
int memcap_registry_insert(struct memcap_registry *reg, phys_addr_t start,
			   phys_addr_t size, unsigned int caps,
			   const char *owner);
int memcap_registry_remove(struct memcap_registry *reg, phys_addr_t start,
			   phys_addr_t size);
enum memcap_coverage memcap_registry_lookup(struct memcap_registry *reg,
					    unsigned long pfn,
					    unsigned long nr_pages,
					    unsigned int *caps);
unsigned long memcap_registry_count(struct memcap_registry *reg);
int memcap_check_range(phys_addr_t start, phys_addr_t size);

/*
 * arch_memcap_mhp_pgprot() - the linear-map protection of hot-added memory
 * whose capabilities records state.  An architecture that maps hot-added
 * memory with more than the memory may support (arm64: MTE tags, see
 * pgprot_mhp()) defines it in <asm/memcap.h>.
 */
#ifdef CONFIG_ARCH_HAS_MEMCAP
#include <asm/memcap.h>
#endif

#ifndef arch_memcap_mhp_pgprot
static inline pgprot_t arch_memcap_mhp_pgprot(pgprot_t prot, unsigned int caps)
{
	return prot;
}
#endif

/*
 * arch_memcap_device_page_free() - forget the architecture's per-page state
 * of a ZONE_DEVICE page that is freed, as freeing RAM to the page
 * allocator does (arm64: PG_mte_tagged, now that DEVICE_COHERENT pages can
 * really hold tags).
 */
struct folio;
struct page;

#ifndef arch_memcap_device_page_free
static inline void arch_memcap_device_page_free(struct page *page)
{
}
#endif

/*
 * Called by free_zone_device_folio() before the driver gets the folio back.
 * Only DEVICE_COHERENT pages can hold what the architecture must forget
 * (they take migrated anonymous pages, PROT_MTE ones included); pages of
 * other types are never mapped where that state is set.
 */
static inline void memcap_device_folio_free(struct folio *folio,
					    enum memory_type type)
{
	long i;

	if (type != MEMORY_DEVICE_COHERENT)
		return;
	for (i = 0; i < folio_nr_pages(folio); i++)
		arch_memcap_device_page_free(folio_page(folio, i));
}

/* Hooks for mm/memremap.c and mm/memory_hotplug.c. */
struct dev_pagemap;
struct resource;

/* memcap_hotplug_check() logged the range in warn mode. */
#define MEMCAP_HOTPLUG_WARNED	1

#ifdef CONFIG_MEMCAP
int memcap_pgmap_prepare(struct dev_pagemap *pgmap, pgprot_t *pgprot,
			 unsigned long caller);
void memcap_pgmap_mapped(const struct dev_pagemap *pgmap);
void memcap_pgmap_release(struct dev_pagemap *pgmap);
int memcap_hotplug_check(const struct resource *res, pgprot_t *pgprot,
			 unsigned long caller);
void memcap_hotplug_added(u64 start, u64 size, int check);
#else
static inline int memcap_pgmap_prepare(struct dev_pagemap *pgmap,
				       pgprot_t *pgprot, unsigned long caller)
{
	return 0;
}

static inline void memcap_pgmap_mapped(const struct dev_pagemap *pgmap)
{
}

static inline void memcap_pgmap_release(struct dev_pagemap *pgmap)
{
}

static inline int memcap_hotplug_check(const struct resource *res,
				       pgprot_t *pgprot, unsigned long caller)
{
	return 0;
}

static inline void memcap_hotplug_added(u64 start, u64 size, int check)
{
}
#endif

/* For the KUnit tests: the pgmap records that debugfs lists. */
bool memcap_pgmap_published(const struct dev_pagemap *pgmap,
			    unsigned int *caps);
unsigned long memcap_pgmap_count(void);
unsigned long memcap_record_count(void);

#endif /* _MM_MEMCAP_INTERNAL_H */
