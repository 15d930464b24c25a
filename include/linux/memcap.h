/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory capability records: what a range of physical memory supports.
 */
#ifndef _LINUX_MEMCAP_H
#define _LINUX_MEMCAP_H

#include <linux/types.h>

struct dev_pagemap;
struct device;
struct resource;

/**
 * DOC: memory capability records
 *
 * Linux treats every cacheable struct page as interchangeable with boot RAM:
 * the page allocator, migration, KSM, PROT_MTE anonymous memory and KVM all
 * rely on it.  Memory that is not boot DDR (GPU memory behind a coherent
 * link, CXL, pmem, PCI BARs) may lack some of what boot RAM offers: MTE
 * allocation tags, atomics, exclusives or hardware coherence.
 *
 * A capability record says what a physical range supports.  Drivers
 * register one for each range they own; the memory-management code and
 * KVM read it before creating cacheable struct pages or cacheable stage-2
 * mappings.  The "baseline" is what boot RAM supports on this system, and
 * a range is RAM-equivalent when its capabilities include the whole
 * baseline.  A range that nobody registered gets what the architecture
 * says about it, see memcap_default_caps().
 */

/**
 * enum memcap_flags - capabilities of a range of physical memory
 * @MEMCAP_CACHEABLE: may be mapped Normal, inner and outer write-back
 *	cacheable.  Every other capability describes accesses through such a
 *	mapping and requires this one.
 * @MEMCAP_COHERENT: cacheable accesses are kept coherent by hardware with
 *	the CPUs and with every other agent that can access the range.
 * @MEMCAP_EXCLUSIVES: load/store exclusive pairs (e.g. LDXR/STXR) complete
 *	with their architected semantics.
 * @MEMCAP_ATOMICS: single-instruction atomics (e.g. arm64 LSE) complete
 *	with their architected semantics.
 * @MEMCAP_TAGS: allocation tags (arm64 MTE) are stored for the range, so it
 *	may be mapped Normal-Tagged.
 */
enum memcap_flags {
	MEMCAP_CACHEABLE	= 1U << 0,
	MEMCAP_COHERENT		= 1U << 1,
	MEMCAP_EXCLUSIVES	= 1U << 2,
	MEMCAP_ATOMICS		= 1U << 3,
	MEMCAP_TAGS		= 1U << 4,
};

/* Every capability this kernel knows. */
#define MEMCAP_ALL	(MEMCAP_CACHEABLE | MEMCAP_COHERENT | \
			 MEMCAP_EXCLUSIVES | MEMCAP_ATOMICS | MEMCAP_TAGS)

/* Capabilities that only make sense together with MEMCAP_CACHEABLE. */
#define MEMCAP_NEED_CACHEABLE	(MEMCAP_COHERENT | MEMCAP_EXCLUSIVES | \
				 MEMCAP_ATOMICS | MEMCAP_TAGS)

/* Longest string memcap_format() writes, with its terminating NUL. */
#define MEMCAP_FORMAT_LEN	64

/**
 * enum memcap_coverage - how the registry covers a range of pages
 * @MEMCAP_UNCOVERED: no record intersects the range.
 * @MEMCAP_PARTIAL: records intersect the range but leave part of it
 *	uncovered; the capabilities returned are those common to every
 *	intersecting record, and say nothing about the uncovered parts.
 * @MEMCAP_COVERED: one record, or several adjacent records, cover the whole
 *	range; the capabilities returned are those common to them.
 */
enum memcap_coverage {
	MEMCAP_UNCOVERED,
	MEMCAP_PARTIAL,
	MEMCAP_COVERED,
};

/**
 * enum memcap_use - what the kernel is about to make of a range
 * @MEMCAP_USE_SYSTEM_RAM: page-allocator RAM, from add_memory() and friends
 * @MEMCAP_USE_DEVICE_PRIVATE: %MEMORY_DEVICE_PRIVATE pages, not addressable
 *	by the CPU
 * @MEMCAP_USE_DEVICE_COHERENT: %MEMORY_DEVICE_COHERENT pages, migration
 *	targets for any anonymous page
 * @MEMCAP_USE_FS_DAX: %MEMORY_DEVICE_FS_DAX pages, mapped to users
 * @MEMCAP_USE_DEVICE_GENERIC: %MEMORY_DEVICE_GENERIC pages, mapped to users
 * @MEMCAP_USE_PCI_P2PDMA: %MEMORY_DEVICE_PCI_P2PDMA pages, never used as RAM
 * @MEMCAP_USE_NR: number of uses
 */
enum memcap_use {
	MEMCAP_USE_SYSTEM_RAM,
	MEMCAP_USE_DEVICE_PRIVATE,
	MEMCAP_USE_DEVICE_COHERENT,
	MEMCAP_USE_FS_DAX,
	MEMCAP_USE_DEVICE_GENERIC,
	MEMCAP_USE_PCI_P2PDMA,
	MEMCAP_USE_NR,
};

/**
 * enum memcap_verdict - what the mm policy says of a range
 * @MEMCAP_ALLOW: the policy is met, or does not apply to this use
 * @MEMCAP_ALLOW_WARN: the policy is not met, but warn mode lets it through
 * @MEMCAP_DENY: the policy is not met (strict mode), or the capabilities
 *	are malformed (any mode)
 */
enum memcap_verdict {
	MEMCAP_ALLOW,
	MEMCAP_ALLOW_WARN,
	MEMCAP_DENY,
};

/**
 * enum memcap_pgmap_proof - what was proven of the memory of a pgmap
 * @MEMCAP_PGMAP_NONE: no pgmap maps the pfn (memcap_pfn_proof() only)
 * @MEMCAP_PGMAP_NOT_RAM: nobody stated its capabilities, and its type's
 *	pages are never mapped like RAM, e.g. P2PDMA (memcap_pfn_proof() only)
 * @MEMCAP_PGMAP_ASSUMED: nobody stated its capabilities; the architecture's
 *	assumption let it through (or there is no memcap)
 * @MEMCAP_PGMAP_STATED: a driver or the registry stated its capabilities,
 *	and they are not everything its type needs of boot RAM
 * @MEMCAP_PGMAP_RAM: a driver or the registry stated its capabilities, and
 *	they include everything its type needs of boot RAM
 */
enum memcap_pgmap_proof {
	MEMCAP_PGMAP_NONE,
	MEMCAP_PGMAP_NOT_RAM,
	MEMCAP_PGMAP_ASSUMED,
	MEMCAP_PGMAP_STATED,
	MEMCAP_PGMAP_RAM,
};

/**
 * memcap_caps_valid() - check that a capability set is self-consistent
 * @caps: a mask of &enum memcap_flags
 *
 * Context: Any context.
 * Return: true if @caps has no unknown bit and every capability that needs
 * %MEMCAP_CACHEABLE comes with it.
 */
static inline bool memcap_caps_valid(unsigned int caps)
{
	if (caps & ~MEMCAP_ALL)
		return false;
	return !(caps & MEMCAP_NEED_CACHEABLE) || (caps & MEMCAP_CACHEABLE);
}

/**
 * memcap_missing() - capabilities of a baseline that a range lacks
 * @caps: the range's capabilities
 * @baseline: the reference, normally memcap_baseline()
 *
 * Context: Any context.
 * Return: the bits of @baseline that are not in @caps; 0 if none.
 */
static inline unsigned int memcap_missing(unsigned int caps,
					  unsigned int baseline)
{
	return baseline & ~caps;
}

/**
 * memcap_is_ram_equivalent() - can a range stand in for boot RAM?
 * @caps: the range's capabilities
 * @baseline: what boot RAM supports, normally memcap_baseline()
 *
 * Context: Any context.
 * Return: true if @caps include every capability of @baseline.
 */
static inline bool memcap_is_ram_equivalent(unsigned int caps,
					    unsigned int baseline)
{
	return !memcap_missing(caps, baseline);
}

#ifdef CONFIG_MEMCAP

unsigned int memcap_baseline(void);
/*
 * Not exported: for mm, the architecture, KVM and their KUnit suites,
 * which are always built in.  A module that calls them fails to compile.
 */
#ifndef MODULE
unsigned int memcap_default_caps(phys_addr_t start, phys_addr_t size);
int memcap_format(char *buf, size_t len, unsigned int caps);
unsigned int memcap_range_caps(phys_addr_t start, phys_addr_t size);
bool memcap_strict(void);
unsigned int memcap_required(enum memcap_use use, unsigned int baseline);
enum memcap_verdict memcap_decide(enum memcap_use use, unsigned int caps,
				  unsigned int baseline, bool strict);
#endif

int memcap_register(phys_addr_t start, phys_addr_t size, unsigned int caps,
		    const char *owner);
int memcap_unregister(phys_addr_t start, phys_addr_t size);
int memcap_register_resource(const struct resource *res, unsigned int caps,
			     const char *owner);
int devm_memcap_register(struct device *dev, phys_addr_t start,
			 phys_addr_t size, unsigned int caps);
int devm_memcap_register_resource(struct device *dev,
				  const struct resource *res,
				  unsigned int caps);
enum memcap_coverage memcap_lookup_pfn(unsigned long pfn,
				       unsigned long nr_pages,
				       unsigned int *caps);

#ifndef MODULE
unsigned int arch_memcap_baseline(void);
unsigned int arch_memcap_default_caps(phys_addr_t start, phys_addr_t size);
#endif

#else /* !CONFIG_MEMCAP */

/*
 * Without CONFIG_MEMCAP every range is assumed to be like boot RAM, which is
 * what the kernel did before memcap existed.  Registration succeeds and
 * records nothing, so drivers need no #ifdef.
 */
static inline unsigned int memcap_baseline(void)
{
	return MEMCAP_CACHEABLE | MEMCAP_COHERENT | MEMCAP_EXCLUSIVES |
	       MEMCAP_ATOMICS;
}

#ifndef MODULE
static inline unsigned int memcap_default_caps(phys_addr_t start,
					       phys_addr_t size)
{
	return memcap_baseline();
}

static inline int memcap_format(char *buf, size_t len, unsigned int caps)
{
	if (len)
		buf[0] = '\0';
	return 0;
}

static inline unsigned int memcap_range_caps(phys_addr_t start,
					     phys_addr_t size)
{
	return memcap_baseline();
}

static inline bool memcap_strict(void)
{
	return false;
}
#endif

static inline int memcap_register(phys_addr_t start, phys_addr_t size,
				  unsigned int caps, const char *owner)
{
	return 0;
}

static inline int memcap_unregister(phys_addr_t start, phys_addr_t size)
{
	return 0;
}

static inline int memcap_register_resource(const struct resource *res,
					   unsigned int caps,
					   const char *owner)
{
	return 0;
}

static inline int devm_memcap_register(struct device *dev, phys_addr_t start,
				       phys_addr_t size, unsigned int caps)
{
	return 0;
}

static inline int devm_memcap_register_resource(struct device *dev,
						const struct resource *res,
						unsigned int caps)
{
	return 0;
}

static inline enum memcap_coverage memcap_lookup_pfn(unsigned long pfn,
						     unsigned long nr_pages,
						     unsigned int *caps)
{
	return MEMCAP_UNCOVERED;
}

#endif /* CONFIG_MEMCAP */

#if defined(CONFIG_MEMCAP) && defined(CONFIG_ZONE_DEVICE)
enum memcap_pgmap_proof memcap_pgmap_proof(const struct dev_pagemap *pgmap,
					   unsigned int *caps);
#else
static inline enum memcap_pgmap_proof
memcap_pgmap_proof(const struct dev_pagemap *pgmap, unsigned int *caps)
{
	*caps = 0;
	return MEMCAP_PGMAP_ASSUMED;
}
#endif

/*
 * Where the architecture has memcap's hooks, the pgmap of a pfn is looked
 * up with memcap off too: KVM then sees what the kernel before memcap did.
 */
#if defined(CONFIG_ZONE_DEVICE) && \
	(defined(CONFIG_MEMCAP) || defined(CONFIG_ARCH_HAS_MEMCAP))
enum memcap_pgmap_proof memcap_pfn_proof(unsigned long pfn, unsigned int *caps);
#else
static inline enum memcap_pgmap_proof
memcap_pfn_proof(unsigned long pfn, unsigned int *caps)
{
	*caps = 0;
	return MEMCAP_PGMAP_NONE;
}
#endif

#endif /* _LINUX_MEMCAP_H */
