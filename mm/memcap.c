// SPDX-License-Identifier: GPL-2.0
/*
 * Memory capability records.
 *
 * A registry of physical ranges that are not boot RAM, each with the
 * capabilities its memory supports (see include/linux/memcap.h).  Lookups
 * are lock-free: the ranges live in an RCU-safe maple tree indexed by pfn,
 * records never change once inserted, and they are freed with kfree_rcu().
 * Writers are serialised by a mutex.
 */

#define pr_fmt(fmt) "memcap: " fmt

#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/error-injection.h>
#include <linux/init.h>
#include <linux/ioport.h>
#include <linux/memblock.h>
#include <linux/memcap.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/pfn.h>
#include <linux/ratelimit.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "memcap_internal.h"

static struct memcap_registry memcap_global = {
	.tree = MTREE_INIT(memcap_global.tree, MT_FLAGS_USE_RCU),
	.lock = __MUTEX_INITIALIZER(memcap_global.lock),
};

static const char * const memcap_names[] = {
	"cacheable", "coherent", "exclusives", "atomics", "tags",
};

/**
 * arch_memcap_baseline() - what boot RAM supports on this system
 *
 * The generic answer: boot RAM is cacheable and coherent and supports
 * exclusives and atomics.  Architectures with optional features override it.
 *
 * Context: Any context.
 * Return: a mask of &enum memcap_flags.
 */
unsigned int __weak arch_memcap_baseline(void)
{
	return MEMCAP_CACHEABLE | MEMCAP_COHERENT | MEMCAP_EXCLUSIVES |
	       MEMCAP_ATOMICS;
}

/**
 * arch_memcap_default_caps() - what the architecture knows of a range
 * @start: physical address of the range
 * @size: size of the range in bytes
 *
 * The generic answer is the baseline: without better knowledge every range
 * is taken to be like boot RAM, which is what Linux assumed before memcap.
 *
 * Context: Any context.
 * Return: a mask of &enum memcap_flags.
 */
unsigned int __weak arch_memcap_default_caps(phys_addr_t start,
					     phys_addr_t size)
{
	return arch_memcap_baseline();
}

/**
 * memcap_baseline() - what boot RAM supports on this system
 *
 * Context: Any context, once the CPU features are final.
 * Return: a mask of &enum memcap_flags.
 */
unsigned int memcap_baseline(void)
{
	return arch_memcap_baseline();
}
EXPORT_SYMBOL_GPL(memcap_baseline);

/**
 * memcap_default_caps() - capabilities of a range that nobody registered
 * @start: physical address of the range
 * @size: size of the range in bytes
 *
 * This is the architecture's answer, and ignores the registry.  On arm64,
 * boot memory has the baseline and any other range has the baseline without
 * %MEMCAP_TAGS.
 *
 * Context: Any context.
 * Return: a mask of &enum memcap_flags.
 */
unsigned int memcap_default_caps(phys_addr_t start, phys_addr_t size)
{
	return arch_memcap_default_caps(start, size);
}

/**
 * memcap_format() - write capabilities by name
 * @buf: destination
 * @len: size of @buf; %MEMCAP_FORMAT_LEN is always enough
 * @caps: a mask of &enum memcap_flags
 *
 * Writes the names joined by '|' ("cacheable|coherent"), "none" for 0, and
 * "unknown" for bits this kernel does not know.
 *
 * Context: Any context.
 * Return: the length of the string written, as scnprintf().
 */
int memcap_format(char *buf, size_t len, unsigned int caps)
{
	int n = 0;
	int i;

	if (!len)
		return 0;
	buf[0] = '\0';
	if (!caps)
		return scnprintf(buf, len, "none");
	for (i = 0; i < ARRAY_SIZE(memcap_names); i++)
		if (caps & (1U << i))
			n += scnprintf(buf + n, len - n, "%s%s", n ? "|" : "",
				       memcap_names[i]);
	if (caps & ~MEMCAP_ALL)
		n += scnprintf(buf + n, len - n, "%sunknown", n ? "|" : "");
	return n;
}

/**
 * memcap_check_range() - validate a physical range for the registry
 * @start: physical address, page aligned
 * @size: size in bytes, page aligned and not zero
 *
 * Context: Any context.
 * Return: 0, or -EINVAL if the range is empty, not page aligned, or wraps
 * past the end of the physical address space.
 */
int memcap_check_range(phys_addr_t start, phys_addr_t size)
{
	phys_addr_t last;

	if (!size || !PAGE_ALIGNED(start) || !PAGE_ALIGNED(size))
		return -EINVAL;
	if (check_add_overflow(start, size - 1, &last))
		return -EINVAL;
	/* pfns index the tree: they must fit an unsigned long. */
	if (PHYS_PFN(last) > ULONG_MAX - 1)
		return -EINVAL;
	return 0;
}

/**
 * memcap_registry_init() - initialise an empty registry
 * @reg: the registry
 *
 * Context: Process context.
 */
void memcap_registry_init(struct memcap_registry *reg)
{
	mt_init_flags(&reg->tree, MT_FLAGS_USE_RCU);
	mutex_init(&reg->lock);
}

/**
 * memcap_registry_destroy() - remove and free every record of a registry
 * @reg: the registry
 *
 * The tree leaves RCU mode and is destroyed once a grace period has
 * passed, as exit_mmap() destroys the VMA tree: lookups that started
 * before may finish.  The caller makes sure that no lookup starts once it
 * is called (only the KUnit suites destroy registries).  Destroying in RCU
 * mode oopsed in mt_free_walk() (mte_dead_walk()) on Linux 7.3.4, in a
 * KUnit benchmark that destroyed registries of 16 records and more; the
 * cause is not understood yet.
 *
 * Context: Process context; takes the registry's writer lock; sleeps.
 */
void memcap_registry_destroy(struct memcap_registry *reg)
{
	struct memcap_record *rec;
	unsigned long index = 0;

	guard(mutex)(&reg->lock);
	mt_for_each(&reg->tree, rec, index, ULONG_MAX)
		kfree_rcu(rec, rcu);
	mt_clear_in_rcu(&reg->tree);
	synchronize_rcu();
	mtree_destroy(&reg->tree);
}

/**
 * memcap_registry_insert() - add a record to a registry
 * @reg: the registry
 * @start: physical address, page aligned
 * @size: size in bytes, page aligned
 * @caps: mask of &enum memcap_flags
 * @owner: name of the registrant, copied
 *
 * Context: Process context; takes the registry's writer lock and may sleep.
 * Return: see memcap_register().
 */
int memcap_registry_insert(struct memcap_registry *reg, phys_addr_t start,
			   phys_addr_t size, unsigned int caps,
			   const char *owner)
{
	struct memcap_record *rec;
	size_t len;
	int ret;

	ret = memcap_check_range(start, size);
	if (ret)
		return ret;
	if (caps & ~MEMCAP_ALL)
		return -EOPNOTSUPP;
	if (!memcap_caps_valid(caps) || !owner || !*owner)
		return -EINVAL;

	len = strlen(owner) + 1;
	rec = kmalloc(struct_size(rec, owner, len), GFP_KERNEL);
	if (!rec)
		return -ENOMEM;
	rec->first_pfn = PHYS_PFN(start);
	rec->last_pfn = PHYS_PFN(start + size - 1);
	rec->caps = caps;
	rec->pgmaps = 0;
	memcpy(rec->owner, owner, len);

	scoped_guard(mutex, &reg->lock)
		ret = mtree_insert_range(&reg->tree, rec->first_pfn,
					 rec->last_pfn, rec, GFP_KERNEL);
	if (ret) {
		/* Nobody could see it: no grace period needed. */
		kfree(rec);
		return ret;
	}
	return 0;
}

/**
 * memcap_registry_remove() - remove a record from a registry
 * @reg: the registry
 * @start: physical address the record was registered with
 * @size: size the record was registered with
 *
 * Context: Process context; takes the registry's writer lock.
 * Return: see memcap_unregister().
 */
int memcap_registry_remove(struct memcap_registry *reg, phys_addr_t start,
			   phys_addr_t size)
{
	struct memcap_record *rec;
	int ret;

	ret = memcap_check_range(start, size);
	if (ret)
		return ret;

	guard(mutex)(&reg->lock);
	rec = mtree_load(&reg->tree, PHYS_PFN(start));
	if (!rec || rec->first_pfn != PHYS_PFN(start) ||
	    rec->last_pfn != PHYS_PFN(start + size - 1))
		return -ENOENT;
	/* Pages made under the record must go before it does. */
	if (rec->pgmaps)
		return -EBUSY;
	mtree_erase(&reg->tree, rec->first_pfn);
	kfree_rcu(rec, rcu);
	return 0;
}

/**
 * memcap_registry_lookup() - find the capabilities of a range of pages
 * @reg: the registry
 * @pfn: first page
 * @nr_pages: number of pages
 * @caps: set to the capabilities found, see &enum memcap_coverage; left
 *	alone when the answer is %MEMCAP_UNCOVERED
 *
 * Context: Any context; lock-free, under RCU.
 * Return: how the registry covers the range.  An empty or wrapping range
 * is %MEMCAP_UNCOVERED.
 */
enum memcap_coverage memcap_registry_lookup(struct memcap_registry *reg,
					    unsigned long pfn,
					    unsigned long nr_pages,
					    unsigned int *caps)
{
	struct memcap_record *rec;
	unsigned long index = pfn;
	unsigned long next = pfn;
	unsigned long last;
	unsigned int common = MEMCAP_ALL;
	bool any = false, hole = false, reached = false;

	if (!nr_pages || check_add_overflow(pfn, nr_pages - 1, &last))
		return MEMCAP_UNCOVERED;

	/*
	 * Walk the records that intersect [pfn, last] in order.  The range is
	 * covered when they leave no hole, whether one record or several
	 * adjacent ones cover it.
	 */
	rcu_read_lock();
	while ((rec = mt_find(&reg->tree, &index, last))) {
		if (rec->first_pfn > next)
			hole = true;
		common &= rec->caps;
		any = true;
		if (rec->last_pfn >= last) {
			reached = true;
			break;
		}
		next = rec->last_pfn + 1;
		/* mt_find() moved index past the record; 0 means it wrapped. */
		if (!index)
			break;
	}
	rcu_read_unlock();

	if (!any)
		return MEMCAP_UNCOVERED;
	*caps = common;
	if (hole || !reached)
		return MEMCAP_PARTIAL;
	return MEMCAP_COVERED;
}

/**
 * memcap_registry_count() - number of records in a registry
 * @reg: the registry
 *
 * Context: Process context; takes the registry's writer lock.
 * Return: the number of records.
 */
unsigned long memcap_registry_count(struct memcap_registry *reg)
{
	struct memcap_record *rec;
	unsigned long index = 0;
	unsigned long n = 0;

	guard(mutex)(&reg->lock);
	mt_for_each(&reg->tree, rec, index, ULONG_MAX)
		n++;
	return n;
}

/**
 * memcap_register() - describe a range of physical memory
 * @start: physical address, page aligned
 * @size: size in bytes, page aligned and not zero
 * @caps: mask of &enum memcap_flags the memory supports
 * @owner: name of the registrant (a driver or device name), copied
 *
 * Records what the memory in [@start, @start + @size) supports, for the
 * memory-management code and KVM to read.  The record stays until
 * memcap_unregister() and never changes meanwhile.  On error nothing is
 * recorded.
 *
 * Context: Process context; may sleep.
 * Return:
 * * 0 - the record is in place
 * * -EINVAL - @size is 0, the range is not page aligned or wraps, @caps
 *   names a capability without %MEMCAP_CACHEABLE, or @owner is empty
 * * -EOPNOTSUPP - @caps has a bit this kernel does not know
 * * -EEXIST - the range overlaps a registered range
 * * -ENOMEM - out of memory
 */
int memcap_register(phys_addr_t start, phys_addr_t size, unsigned int caps,
		    const char *owner)
{
	return memcap_registry_insert(&memcap_global, start, size, caps, owner);
}
EXPORT_SYMBOL_GPL(memcap_register);

/**
 * memcap_unregister() - remove the record of a range
 * @start: physical address, as given to memcap_register()
 * @size: size, as given to memcap_register()
 *
 * Only a whole record can be removed.  Lookups that started before the
 * call may still see the record until they finish.
 *
 * Nothing made under the record may outlive it.  memremap_pages() pins the
 * records that stated a pgmap's capabilities until memunmap_pages(), and
 * the driver must zap its own mappings of the range (for example
 * unmap_mapping_range() on the file it handed out) right after it
 * unregisters, so that KVM drops the stage-2 mappings it made under the
 * record: a stage-2 fault that races with the withdrawal then either finds
 * no record, or is retried because of the zap's invalidation.  Zapping
 * first would leave a window, for a driver that fills its mappings at
 * fault time, in which a fault maps under the record again.  With
 * devm_memcap_register(), register before the mappings can exist, so that
 * devres releases the record only once they are gone.
 *
 * Context: Process context; may sleep.
 * Return:
 * * 0 - the record is gone
 * * -EINVAL - the range is malformed, as for memcap_register()
 * * -ENOENT - no record has exactly this range
 * * -EBUSY - a pgmap whose capabilities the record stated is still mapped
 */
int memcap_unregister(phys_addr_t start, phys_addr_t size)
{
	return memcap_registry_remove(&memcap_global, start, size);
}
EXPORT_SYMBOL_GPL(memcap_unregister);

static int memcap_resource_range(const struct resource *res,
				 phys_addr_t *start, phys_addr_t *size)
{
	if (!res || resource_type(res) != IORESOURCE_MEM ||
	    res->end < res->start)
		return -EINVAL;
	*start = res->start;
	*size = resource_size(res);
	return 0;
}

/**
 * memcap_register_resource() - describe the memory of a resource
 * @res: an %IORESOURCE_MEM resource
 * @caps: mask of &enum memcap_flags the memory supports
 * @owner: name of the registrant; @res->name when NULL
 *
 * Context: Process context; may sleep.
 * Return: as memcap_register(); also -EINVAL if @res is not a memory
 * resource.
 */
int memcap_register_resource(const struct resource *res, unsigned int caps,
			     const char *owner)
{
	phys_addr_t start, size;
	int ret;

	ret = memcap_resource_range(res, &start, &size);
	if (ret)
		return ret;
	return memcap_register(start, size, caps, owner ?: res->name);
}
EXPORT_SYMBOL_GPL(memcap_register_resource);

struct memcap_devres {
	phys_addr_t start;
	phys_addr_t size;
};

static void memcap_devres_release(struct device *dev, void *data)
{
	struct memcap_devres *dr = data;

	WARN_ON(memcap_unregister(dr->start, dr->size));
}

/**
 * devm_memcap_register() - resource-managed memcap_register()
 * @dev: the device that owns the memory; its name is the record's owner
 * @start: physical address, page aligned
 * @size: size in bytes, page aligned and not zero
 * @caps: mask of &enum memcap_flags the memory supports
 *
 * The record is removed when @dev is unbound.  On error nothing is recorded
 * and nothing is added to @dev.
 *
 * Context: Process context; may sleep.
 * Return: as memcap_register().
 */
int devm_memcap_register(struct device *dev, phys_addr_t start,
			 phys_addr_t size, unsigned int caps)
{
	struct memcap_devres *dr;
	int ret;

	dr = devres_alloc(memcap_devres_release, sizeof(*dr), GFP_KERNEL);
	if (!dr)
		return -ENOMEM;
	ret = memcap_register(start, size, caps, dev_name(dev));
	if (ret) {
		devres_free(dr);
		return ret;
	}
	dr->start = start;
	dr->size = size;
	devres_add(dev, dr);
	return 0;
}
EXPORT_SYMBOL_GPL(devm_memcap_register);

/**
 * devm_memcap_register_resource() - resource-managed
 *	memcap_register_resource()
 * @dev: the device that owns the memory; its name is the record's owner
 * @res: an %IORESOURCE_MEM resource
 * @caps: mask of &enum memcap_flags the memory supports
 *
 * Context: Process context; may sleep.
 * Return: as memcap_register_resource().
 */
int devm_memcap_register_resource(struct device *dev,
				  const struct resource *res,
				  unsigned int caps)
{
	phys_addr_t start, size;
	int ret;

	ret = memcap_resource_range(res, &start, &size);
	if (ret)
		return ret;
	return devm_memcap_register(dev, start, size, caps);
}
EXPORT_SYMBOL_GPL(devm_memcap_register_resource);

/**
 * memcap_lookup_pfn() - capabilities that the registry records for pages
 * @pfn: first page
 * @nr_pages: number of pages
 * @caps: set to the capabilities found, see &enum memcap_coverage
 *
 * Only the registry is consulted.  A caller that needs an answer for
 * %MEMCAP_UNCOVERED ranges falls back to memcap_default_caps().
 *
 * Context: Any context; lock-free.
 * Return: how the registry covers the range.
 */
enum memcap_coverage memcap_lookup_pfn(unsigned long pfn,
				       unsigned long nr_pages,
				       unsigned int *caps)
{
	return memcap_registry_lookup(&memcap_global, pfn, nr_pages, caps);
}
EXPORT_SYMBOL_GPL(memcap_lookup_pfn);

/*
 * The mm policy: what each creator of struct pages needs of the baseline.
 * Tags matter only where a tagged access can reach the pages: page-allocator
 * RAM, and DEVICE_COHERENT pages, which receive migrated anonymous pages
 * (PROT_MTE ones included).  FS_DAX and DEVICE_GENERIC pages are only
 * mapped through files, and such VMAs never get VM_MTE_ALLOWED.  See
 * Documentation/mm/memcap.rst for the table and the reasons.
 */
static const unsigned int memcap_use_ignores[MEMCAP_USE_NR] = {
	[MEMCAP_USE_SYSTEM_RAM]		= 0,
	[MEMCAP_USE_DEVICE_PRIVATE]	= MEMCAP_ALL,
	[MEMCAP_USE_DEVICE_COHERENT]	= 0,
	[MEMCAP_USE_FS_DAX]		= MEMCAP_TAGS,
	[MEMCAP_USE_DEVICE_GENERIC]	= MEMCAP_TAGS,
	[MEMCAP_USE_PCI_P2PDMA]		= MEMCAP_ALL,
};

static const char * const memcap_use_names[MEMCAP_USE_NR] = {
	[MEMCAP_USE_SYSTEM_RAM]		= "hot-added System RAM",
	[MEMCAP_USE_DEVICE_PRIVATE]	= "MEMORY_DEVICE_PRIVATE",
	[MEMCAP_USE_DEVICE_COHERENT]	= "MEMORY_DEVICE_COHERENT",
	[MEMCAP_USE_FS_DAX]		= "MEMORY_DEVICE_FS_DAX",
	[MEMCAP_USE_DEVICE_GENERIC]	= "MEMORY_DEVICE_GENERIC",
	[MEMCAP_USE_PCI_P2PDMA]		= "MEMORY_DEVICE_PCI_P2PDMA",
};

/**
 * memcap_required() - what a use of memory needs of the baseline
 * @use: what the pages are for
 * @baseline: what boot RAM supports, normally memcap_baseline()
 *
 * Page-allocator RAM and %MEMORY_DEVICE_COHERENT pages need the whole
 * baseline.  %MEMORY_DEVICE_FS_DAX and %MEMORY_DEVICE_GENERIC pages need it
 * without %MEMCAP_TAGS, because they can never be mapped PROT_MTE.
 * %MEMORY_DEVICE_PCI_P2PDMA and %MEMORY_DEVICE_PRIVATE pages need nothing.
 *
 * Context: Any context.
 * Return: a mask of &enum memcap_flags; 0 for an unknown @use.
 */
unsigned int memcap_required(enum memcap_use use, unsigned int baseline)
{
	if ((unsigned int)use >= MEMCAP_USE_NR)
		return 0;
	return baseline & ~memcap_use_ignores[use];
}

/**
 * memcap_decide() - the mm policy for creating struct pages
 * @use: what the pages are for
 * @caps: the capabilities of the memory
 * @baseline: what boot RAM supports, normally memcap_baseline()
 * @strict: strict mode (refuse) rather than warn mode (allow and log)
 *
 * A pure function: the memory must have everything memcap_required() says
 * @use needs.  Malformed @caps and unknown uses are refused in either mode.
 *
 * Context: Any context.
 * Return: the verdict.
 */
enum memcap_verdict memcap_decide(enum memcap_use use, unsigned int caps,
				  unsigned int baseline, bool strict)
{
	if ((unsigned int)use >= MEMCAP_USE_NR || !memcap_caps_valid(caps))
		return MEMCAP_DENY;
	if (memcap_is_ram_equivalent(caps, memcap_required(use, baseline)))
		return MEMCAP_ALLOW;
	return strict ? MEMCAP_DENY : MEMCAP_ALLOW_WARN;
}

/*
 * The capabilities of a range and whether anybody stated them: the records
 * that cover it, one or several, or else the architecture's assumption
 * reduced by the records that cover parts of it.  @recorded is set to what
 * the records that intersect the range state (MEMCAP_ALL if none does), so
 * that a record stating a lack is honoured even where it covers only part.
 */
static unsigned int memcap_resolve(phys_addr_t start, phys_addr_t size,
				   bool *stated, unsigned int *recorded)
{
	unsigned int caps;

	*stated = false;
	*recorded = MEMCAP_ALL;
	switch (memcap_lookup_pfn(PHYS_PFN(start), PHYS_PFN(size), &caps)) {
	case MEMCAP_COVERED:
		*stated = true;
		*recorded = caps;
		return caps;
	case MEMCAP_PARTIAL:
		*recorded = caps;
		return caps & memcap_default_caps(start, size);
	default:
		return memcap_default_caps(start, size);
	}
}

/**
 * memcap_range_caps() - capabilities of a range, from every source
 * @start: physical address, page aligned
 * @size: size in bytes, page aligned
 *
 * What the records that cover the range state if they cover all of it;
 * otherwise what the architecture says of an unregistered range, reduced
 * by the records that cover parts of it.
 *
 * Context: Any context; lock-free.
 * Return: a mask of &enum memcap_flags.
 */
unsigned int memcap_range_caps(phys_addr_t start, phys_addr_t size)
{
	unsigned int recorded;
	bool stated;

	return memcap_resolve(start, size, &stated, &recorded);
}

static bool memcap_strict_mode __read_mostly = IS_ENABLED(CONFIG_MEMCAP_STRICT);

static int memcap_mode_set(const char *val, const struct kernel_param *kp)
{
	if (sysfs_streq(val, "strict"))
		WRITE_ONCE(memcap_strict_mode, true);
	else if (sysfs_streq(val, "warn"))
		WRITE_ONCE(memcap_strict_mode, false);
	else
		return -EINVAL;
	return 0;
}

static int memcap_mode_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", memcap_strict_mode ? "strict" : "warn");
}

static const struct kernel_param_ops memcap_mode_ops = {
	.set = memcap_mode_set,
	.get = memcap_mode_get,
};
module_param_cb(mode, &memcap_mode_ops, NULL, 0444);
MODULE_PARM_DESC(mode, "strict (refuse) or warn (allow, log once per range)");

/**
 * memcap_strict() - is the mm policy in strict mode?
 *
 * Context: Any context.
 * Return: true in strict mode, false in warn mode.
 */
bool memcap_strict(void)
{
	return READ_ONCE(memcap_strict_mode);
}

#ifdef CONFIG_MEMORY_HOTPLUG	/* memremap_pages() and hot-add; ZONE_DEVICE needs it */
/*
 * Ranges reported in warn mode by an operation that went through.  A range
 * is remembered only once its memremap or hot-add succeeded, so that a
 * failed operation leaves nothing here and its retry is reported again.
 * Bounded: once it is full (a virtio-mem device adds one memory block at a
 * time), further warnings are only ratelimited.  Debugfs can empty it.
 */
#define MEMCAP_WARNED_MAX	64

struct memcap_warned {
	struct list_head node;
	phys_addr_t start;
	phys_addr_t end;
};

static LIST_HEAD(memcap_warned_list);
static unsigned int memcap_warned_nr;
static DEFINE_MUTEX(memcap_warned_lock);
static DEFINE_RATELIMIT_STATE(memcap_report_rs, 5 * HZ, 32);

static struct memcap_warned *
memcap_find_warned(phys_addr_t start, phys_addr_t end)
{
	struct memcap_warned *w;

	lockdep_assert_held(&memcap_warned_lock);
	list_for_each_entry(w, &memcap_warned_list, node)
		if (w->start == start && w->end == end)
			return w;
	return NULL;
}

/* Was [start, end) reported by an operation that went through? */
static bool memcap_warned_before(phys_addr_t start, phys_addr_t end)
{
	guard(mutex)(&memcap_warned_lock);
	return memcap_find_warned(start, end);
}

/*
 * Remember [start, end) as reported, while the list has room.  Without
 * memory it is reported again next time, which is all that is lost.
 */
static void memcap_remember_warning(phys_addr_t start, phys_addr_t end)
{
	struct memcap_warned *w;

	guard(mutex)(&memcap_warned_lock);
	if (memcap_find_warned(start, end) ||
	    memcap_warned_nr >= MEMCAP_WARNED_MAX)
		return;
	w = kmalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return;
	w->start = start;
	w->end = end;
	list_add(&w->node, &memcap_warned_list);
	memcap_warned_nr++;
}

/*
 * One message per refusal, and one per range in warn mode, ratelimited:
 * drivers reach this from probes and ioctls that userspace triggers.  A
 * pr_warn, not a WARN, for the same reason.  Returns true when it logged
 * that warn mode let the range through: the caller remembers the range
 * once its operation has gone through.  A message the ratelimit
 * suppressed returns false, so that the range is reported the next time.
 */
static bool memcap_report(enum memcap_verdict v, enum memcap_use use,
			  phys_addr_t start, phys_addr_t end, int more,
			  unsigned int caps, bool stated, const char *name,
			  unsigned long caller)
{
	char missing[MEMCAP_FORMAT_LEN], have[MEMCAP_FORMAT_LEN];

	if (v == MEMCAP_ALLOW_WARN && memcap_warned_before(start, end))
		return false;
	if (!__ratelimit(&memcap_report_rs))
		return false;
	memcap_format(have, sizeof(have), caps);
	if (!memcap_caps_valid(caps)) {
		pr_warn("refused %s[mem %#010llx-%#010llx]%s for %s from %pS: inconsistent capabilities %s\n",
			name ?: "", (u64)start, (u64)end - 1,
			more ? " and more ranges" : "", memcap_use_names[use],
			(void *)caller, have);
		return false;
	}
	memcap_format(missing, sizeof(missing),
		      memcap_missing(caps, memcap_required(use,
							   memcap_baseline())));
	pr_warn("%s %s[mem %#010llx-%#010llx]%s for %s from %pS: missing %s (has %s, %s)\n",
		v == MEMCAP_DENY ? "refused" : "allowed in warn mode",
		name ?: "", (u64)start, (u64)end - 1,
		more ? " and more ranges" : "", memcap_use_names[use],
		(void *)caller, missing, have, stated ? "stated" : "assumed");
	return v == MEMCAP_ALLOW_WARN;
}
#endif /* CONFIG_MEMORY_HOTPLUG */

#ifdef CONFIG_ZONE_DEVICE
/* pgmaps that passed memremap_pages(), for debugfs. */
struct memcap_pgmap_rec {
	struct list_head node;
	const struct dev_pagemap *pgmap;
	enum memcap_use use;
	unsigned int caps;
	int nr_pinned;
	bool warned;		/* logged in warn mode, to remember once mapped */
	unsigned long caller;
};

static LIST_HEAD(memcap_pgmap_list);
static DEFINE_MUTEX(memcap_pgmap_lock);

static int memcap_pgmap_use(enum memory_type type, enum memcap_use *use)
{
	switch (type) {
	case MEMORY_DEVICE_PRIVATE:
		*use = MEMCAP_USE_DEVICE_PRIVATE;
		return 0;
	case MEMORY_DEVICE_COHERENT:
		*use = MEMCAP_USE_DEVICE_COHERENT;
		return 0;
	case MEMORY_DEVICE_FS_DAX:
		*use = MEMCAP_USE_FS_DAX;
		return 0;
	case MEMORY_DEVICE_GENERIC:
		*use = MEMCAP_USE_DEVICE_GENERIC;
		return 0;
	case MEMORY_DEVICE_PCI_P2PDMA:
		*use = MEMCAP_USE_PCI_P2PDMA;
		return 0;
	}
	return -EINVAL;
}

/*
 * Count a pgmap in (@delta 1) or out (-1) of every record that intersects
 * its first @nr ranges.  Called under the registry's lock, only for
 * pgmaps whose ranges the records cover: then no record can come or go
 * meanwhile.  @nr is the count at prepare time: memremap_pages() lowers
 * pgmap->nr_range on its error path before it releases the pgmap.
 */
static void memcap_pgmap_pin(const struct dev_pagemap *pgmap, int nr,
			     int delta)
{
	struct memcap_registry *reg = &memcap_global;
	struct memcap_record *rec;
	unsigned long index;
	int i;

	lockdep_assert_held(&reg->lock);
	for (i = 0; i < nr; i++) {
		index = PHYS_PFN(pgmap->ranges[i].start);
		mt_for_each(&reg->tree, rec, index,
			    PHYS_PFN(pgmap->ranges[i].end))
			rec->pgmaps += delta;
	}
}

/*
 * pgmap->memcap_proof: the stated capabilities of an accepted pgmap, with
 * these two bits, which are not capabilities.
 */
#define MEMCAP_PROOF_STATED	BIT(30)
#define MEMCAP_PROOF_RAM	BIT(31)

/**
 * memcap_pgmap_prepare() - apply the mm policy before memremap_pages()
 * @pgmap: the pgmap about to be mapped
 * @pgprot: protection of its linear map; a %MEMORY_DEVICE_COHERENT pgmap
 *	accepted with %MEMCAP_TAGS gets pgprot_mhp() of it, as hot-added RAM
 * @caller: return address of the memremap_pages() caller
 *
 * Resolves the capabilities of @pgmap: the caller's, when it set them with
 * pgmap_set_memcap(), else those that registry records state for all of
 * its ranges, else what the architecture assumes (see memcap_range_caps()).
 * Applies memcap_decide(), in strict mode whenever the capabilities were
 * stated (warn mode only lets assumptions through), and, when the pgmap
 * may be created, records in
 * @pgmap->memcap_proof what was stated, for memcap_pgmap_proof(), and
 * publishes the pgmap for debugfs.  On error nothing is kept.  Error
 * injection (fail_function) may fail it, to test memremap_pages()'s
 * unwinding.
 *
 * Context: Process context; may sleep; takes the registry's writer lock.
 * Return: 0; -EINVAL for malformed capabilities; -EPERM when the policy
 * refuses the pgmap; -ENOMEM.
 */
int memcap_pgmap_prepare(struct dev_pagemap *pgmap, pgprot_t *pgprot,
			 unsigned long caller)
{
	unsigned int caps, required, recorded, rec_caps, honour;
	struct memcap_pgmap_rec *rec;
	bool stated = true, st, warned = false;
	enum memcap_verdict v;
	enum memcap_use use;
	int i;

	pgmap->memcap_proof = 0;
	/* An unknown type is memremap_pages()'s to report. */
	if (memcap_pgmap_use(pgmap->type, &use) || pgmap->nr_range < 1)
		return 0;

	/* No record may come or go between the lookup and the pin. */
	guard(mutex)(&memcap_global.lock);
	if (pgmap->flags & PGMAP_MEMCAP_VALID) {
		caps = pgmap->memcap;
		recorded = caps;
	} else {
		caps = MEMCAP_ALL;
		recorded = MEMCAP_ALL;
		for (i = 0; i < pgmap->nr_range; i++) {
			caps &= memcap_resolve(pgmap->ranges[i].start,
					       range_len(&pgmap->ranges[i]), &st,
					       &rec_caps);
			stated &= st;
			recorded &= rec_caps;
		}
	}

	/*
	 * Warn mode is for assumptions: what a driver or a record stated is
	 * honoured in either mode, even a record that covers only part.
	 */
	honour = memcap_required(use, memcap_baseline()) & ~recorded;
	v = memcap_decide(use, caps, memcap_baseline(),
			  memcap_strict() || stated || honour);
	if (v != MEMCAP_ALLOW)
		warned = memcap_report(v, use, pgmap->ranges[0].start,
				       pgmap->ranges[0].end + 1,
				       pgmap->nr_range - 1, caps,
				       stated || honour, NULL, caller);
	if (v == MEMCAP_DENY)
		return memcap_caps_valid(caps) ? -EPERM : -EINVAL;

	rec = kmalloc(sizeof(*rec), GFP_KERNEL);
	if (!rec)
		return -ENOMEM;
	rec->pgmap = pgmap;
	rec->use = use;
	rec->caps = caps;
	rec->caller = caller;
	rec->warned = warned;
	/* Records that stated the caps stay until memunmap_pages(). */
	rec->nr_pinned = 0;
	if (stated && !(pgmap->flags & PGMAP_MEMCAP_VALID)) {
		rec->nr_pinned = pgmap->nr_range;
		memcap_pgmap_pin(pgmap, rec->nr_pinned, 1);
	}
	/*
	 * DEVICE_COHERENT pages receive migrated anonymous pages, PROT_MTE
	 * ones too: the kernel then initialises their tags through the linear
	 * map, which must be tagged for that, as for hot-added RAM.
	 */
	if (use == MEMCAP_USE_DEVICE_COHERENT && (caps & MEMCAP_TAGS))
		*pgprot = pgprot_mhp(*pgprot);
	if (stated) {
		required = memcap_required(use, memcap_baseline());
		pgmap->memcap_proof = caps | MEMCAP_PROOF_STATED;
		if (v == MEMCAP_ALLOW && required &&
		    memcap_is_ram_equivalent(caps, required))
			pgmap->memcap_proof |= MEMCAP_PROOF_RAM;
	}
	mutex_lock(&memcap_pgmap_lock);
	list_add_tail(&rec->node, &memcap_pgmap_list);
	mutex_unlock(&memcap_pgmap_lock);
	return 0;
}
ALLOW_ERROR_INJECTION(memcap_pgmap_prepare, ERRNO);

/**
 * memcap_pgmap_mapped() - note that a pgmap went in
 * @pgmap: the pgmap, which memcap_pgmap_prepare() accepted
 *
 * memremap_pages() calls it once it succeeded, devm_memremap_pages() once
 * its release action is in place too.  What memcap_pgmap_prepare() logged
 * in warn mode is remembered only now, so that a memremap that fails after
 * it leaves nothing behind.
 *
 * Context: Process context; may sleep.
 */
void memcap_pgmap_mapped(const struct dev_pagemap *pgmap)
{
	struct memcap_pgmap_rec *rec;
	bool warned = false;

	scoped_guard(mutex, &memcap_pgmap_lock) {
		list_for_each_entry(rec, &memcap_pgmap_list, node) {
			if (rec->pgmap == pgmap) {
				warned = rec->warned;
				rec->warned = false;
				break;
			}
		}
	}
	if (warned)
		memcap_remember_warning(pgmap->ranges[0].start,
					pgmap->ranges[0].end + 1);
}

/**
 * memcap_pgmap_proof() - what was proven of the memory of a pgmap
 * @pgmap: a pgmap that memremap_pages() accepted, pinned by the caller
 *	(get_dev_pagemap())
 * @caps: set to the capabilities stated for @pgmap, or 0
 *
 * Capabilities count as proof only when a driver stated them, with
 * pgmap_set_memcap() or with registry records that cover every range of
 * @pgmap; what the architecture assumes of a range never does.
 *
 * Context: Any context.
 * Return: %MEMCAP_PGMAP_ASSUMED when nothing was stated;
 * %MEMCAP_PGMAP_RAM when the stated capabilities include everything its
 * type needs of the baseline (see memcap_required()) and the pgmap was
 * accepted without a warning; %MEMCAP_PGMAP_STATED otherwise.
 */
enum memcap_pgmap_proof memcap_pgmap_proof(const struct dev_pagemap *pgmap,
					   unsigned int *caps)
{
	unsigned int proof = READ_ONCE(pgmap->memcap_proof);

	*caps = proof & MEMCAP_ALL;
	if (proof & MEMCAP_PROOF_RAM)
		return MEMCAP_PGMAP_RAM;
	if (proof & MEMCAP_PROOF_STATED)
		return MEMCAP_PGMAP_STATED;
	*caps = 0;
	return MEMCAP_PGMAP_ASSUMED;
}

/**
 * memcap_pgmap_release() - forget the record of a pgmap
 * @pgmap: a pgmap being unmapped; one without a record is ignored
 *
 * Context: Process context; may sleep.
 */
void memcap_pgmap_release(struct dev_pagemap *pgmap)
{
	struct memcap_pgmap_rec *rec, *found = NULL;

	guard(mutex)(&memcap_global.lock);
	scoped_guard(mutex, &memcap_pgmap_lock) {
		list_for_each_entry(rec, &memcap_pgmap_list, node) {
			if (rec->pgmap == pgmap) {
				list_del(&rec->node);
				found = rec;
				break;
			}
		}
	}
	if (found && found->nr_pinned)
		memcap_pgmap_pin(pgmap, found->nr_pinned, -1);
	pgmap->memcap_proof = 0;
	kfree(found);
}

/**
 * memcap_pgmap_published() - the record of a pgmap, if it has one
 * @pgmap: the pgmap
 * @caps: set to the recorded capabilities when there is a record
 *
 * Context: Process context; may sleep.
 * Return: true if @pgmap has a record.
 */
bool memcap_pgmap_published(const struct dev_pagemap *pgmap,
			    unsigned int *caps)
{
	struct memcap_pgmap_rec *rec;

	guard(mutex)(&memcap_pgmap_lock);
	list_for_each_entry(rec, &memcap_pgmap_list, node) {
		if (rec->pgmap == pgmap) {
			*caps = rec->caps;
			return true;
		}
	}
	return false;
}

/**
 * memcap_record_count() - number of records in the registry
 *
 * Context: Process context; may sleep.
 * Return: the number of records that drivers registered and that are
 * still registered.
 */
unsigned long memcap_record_count(void)
{
	return memcap_registry_count(&memcap_global);
}

/**
 * memcap_pgmap_count() - number of pgmap records
 *
 * Context: Process context; may sleep.
 * Return: the number of pgmaps that memremap_pages() accepted and that
 * are still mapped.
 */
unsigned long memcap_pgmap_count(void)
{
	struct memcap_pgmap_rec *rec;
	unsigned long n = 0;

	guard(mutex)(&memcap_pgmap_lock);
	list_for_each_entry(rec, &memcap_pgmap_list, node)
		n++;
	return n;
}

static void memcap_show_pgmaps(struct seq_file *m)
{
	char buf[MEMCAP_FORMAT_LEN];
	struct memcap_pgmap_rec *rec;
	int i;

	guard(mutex)(&memcap_pgmap_lock);
	list_for_each_entry(rec, &memcap_pgmap_list, node) {
		memcap_format(buf, sizeof(buf), rec->caps);
		for (i = 0; i < rec->pgmap->nr_range; i++)
			seq_printf(m, "pgmap %#012llx-%#012llx %-40s type=%s caller=%ps\n",
				   (u64)rec->pgmap->ranges[i].start,
				   (u64)rec->pgmap->ranges[i].end, buf,
				   memcap_use_names[rec->use],
				   (void *)rec->caller);
	}
}
#else
bool memcap_pgmap_published(const struct dev_pagemap *pgmap,
			    unsigned int *caps)
{
	return false;
}

unsigned long memcap_pgmap_count(void)
{
	return 0;
}

static void memcap_show_pgmaps(struct seq_file *m)
{
}
#endif /* CONFIG_ZONE_DEVICE */

#ifdef CONFIG_MEMORY_HOTPLUG
/**
 * memcap_hotplug_check() - apply the mm policy to hot-added System RAM
 * @res: the resource about to become System RAM
 * @pgprot: protection of the linear map, normally pgprot_mhp(PAGE_KERNEL);
 *	when records state the capabilities of the range, the architecture
 *	may adjust it to them (arch_memcap_mhp_pgprot())
 * @caller: return address of the add_memory_resource() caller
 *
 * Warn mode lets through only ranges whose capabilities the architecture
 * assumed, and leaves their @pgprot alone, so that they are mapped as
 * before memcap.  Capabilities that records state are honoured in either
 * mode.  Error injection (fail_function) may fail it, to test
 * add_memory_resource()'s unwinding.
 *
 * Context: Process context; may sleep.
 * Return: 0, or %MEMCAP_HOTPLUG_WARNED when warn mode let the range
 * through and said so, to be passed to memcap_hotplug_added(); -EPERM when
 * the policy refuses the range.
 */
int memcap_hotplug_check(const struct resource *res, pgprot_t *pgprot,
			 unsigned long caller)
{
	phys_addr_t start = res->start, size = resource_size(res);
	unsigned int caps, recorded, honour;
	enum memcap_verdict v;
	bool stated, warned = false;

	caps = memcap_resolve(start, size, &stated, &recorded);
	/*
	 * Warn mode is for assumptions: what records stated is honoured in
	 * either mode, even where they cover only part of the range.
	 */
	honour = memcap_required(MEMCAP_USE_SYSTEM_RAM, memcap_baseline()) &
		 ~recorded;
	v = memcap_decide(MEMCAP_USE_SYSTEM_RAM, caps, memcap_baseline(),
			  memcap_strict() || stated || honour);
	if (v != MEMCAP_ALLOW) {
		char name[64];

		snprintf(name, sizeof(name), "%s ", res->name ?: "");
		warned = memcap_report(v, MEMCAP_USE_SYSTEM_RAM, start,
				       start + size, 0, caps, stated || honour,
				       name, caller);
	}
	if (v == MEMCAP_DENY)
		return -EPERM;
	if (stated)
		*pgprot = arch_memcap_mhp_pgprot(*pgprot, caps);
	return warned ? MEMCAP_HOTPLUG_WARNED : 0;
}
ALLOW_ERROR_INJECTION(memcap_hotplug_check, ERRNO);

/**
 * memcap_hotplug_added() - note that hot-added memory went in
 * @start: physical start of the range memcap_hotplug_check() accepted
 * @size: its size in bytes
 * @check: what memcap_hotplug_check() returned for it
 *
 * What memcap_hotplug_check() logged in warn mode is remembered only now,
 * so that a hot-add that fails after it leaves nothing behind.  Takes the
 * range, not the resource: add_memory_resource() may have merged the
 * resource into its neighbour, and freed it, by then.
 *
 * Context: Process context; may sleep.
 */
void memcap_hotplug_added(u64 start, u64 size, int check)
{
	if (check == MEMCAP_HOTPLUG_WARNED)
		memcap_remember_warning(start, start + size);
}
#endif /* CONFIG_MEMORY_HOTPLUG */

#ifdef CONFIG_DEBUG_FS
static void memcap_show_caps(struct seq_file *m, const char *what,
			     unsigned int caps)
{
	char buf[MEMCAP_FORMAT_LEN];

	memcap_format(buf, sizeof(buf), caps);
	seq_printf(m, "%-14s %s\n", what, buf);
}

static int memcap_ranges_show(struct seq_file *m, void *v)
{
	struct memcap_registry *reg = &memcap_global;
	char buf[MEMCAP_FORMAT_LEN];
	struct memcap_record *rec;
	unsigned long index = 0;

	memcap_show_caps(m, "baseline:", memcap_baseline());
	/* The arch's answer for a range beyond every boot memory region. */
	memcap_show_caps(m, "unregistered:",
			 memcap_default_caps(PFN_PHYS(max_pfn), PAGE_SIZE));

	guard(mutex)(&reg->lock);
	mt_for_each(&reg->tree, rec, index, ULONG_MAX) {
		memcap_format(buf, sizeof(buf), rec->caps);
		seq_printf(m, "%#018llx-%#018llx %-40s owner=%s\n",
			   (unsigned long long)PFN_PHYS(rec->first_pfn),
			   (unsigned long long)PFN_PHYS(rec->last_pfn + 1) - 1,
			   buf, rec->owner);
	}
	memcap_show_pgmaps(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(memcap_ranges);

#ifdef CONFIG_MEMORY_HOTPLUG
/* The ranges warn mode reported; writing anything forgets them all. */
static int memcap_warned_show(struct seq_file *m, void *v)
{
	struct memcap_warned *w;

	guard(mutex)(&memcap_warned_lock);
	list_for_each_entry(w, &memcap_warned_list, node)
		seq_printf(m, "%#018llx-%#018llx\n", (u64)w->start,
			   (u64)w->end - 1);
	return 0;
}

static int memcap_warned_open(struct inode *inode, struct file *file)
{
	return single_open(file, memcap_warned_show, NULL);
}

static ssize_t memcap_warned_write(struct file *file, const char __user *buf,
				   size_t len, loff_t *ppos)
{
	struct memcap_warned *w, *tmp;

	guard(mutex)(&memcap_warned_lock);
	list_for_each_entry_safe(w, tmp, &memcap_warned_list, node) {
		list_del(&w->node);
		kfree(w);
	}
	memcap_warned_nr = 0;
	return len;
}

static const struct file_operations memcap_warned_fops = {
	.owner = THIS_MODULE,
	.open = memcap_warned_open,
	.read = seq_read,
	.write = memcap_warned_write,
	.llseek = seq_lseek,
	.release = single_release,
};
#endif /* CONFIG_MEMORY_HOTPLUG */

static int __init memcap_debugfs_init(void)
{
	struct dentry *dir = debugfs_create_dir("memcap", NULL);

	debugfs_create_file("ranges", 0400, dir, NULL, &memcap_ranges_fops);
#ifdef CONFIG_MEMORY_HOTPLUG
	debugfs_create_file("warned", 0600, dir, NULL, &memcap_warned_fops);
#endif
	return 0;
}
late_initcall(memcap_debugfs_init);
#endif /* CONFIG_DEBUG_FS */
