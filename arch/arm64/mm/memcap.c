// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 answers for memory capability records: what boot RAM supports, and
 * what is known of a range that nobody registered.
 *
 * MTE allocation tag storage is only guaranteed for the memory that
 * firmware described at boot, so any other range is assumed untagged until
 * a driver vouches for it.  Atomics count only when the system implements
 * LSE; exclusives, coherence and cacheability are architectural for RAM.
 */

#include <linux/cache.h>
#include <linux/cpufeature.h>
#include <linux/init.h>
#include <linux/memblock.h>
#include <linux/memcap.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include <asm/sysreg.h>

static unsigned int arm64_memcap_baseline __ro_after_init;

/* Boot memory, as memblock described it before any hotplug. */
static struct arm64_memcap_region {
	phys_addr_t base;
	phys_addr_t end;
} *boot_regions __ro_after_init;
static unsigned int nr_boot_regions __ro_after_init;

static unsigned int arm64_memcap_compute_baseline(void)
{
	unsigned int caps = MEMCAP_CACHEABLE | MEMCAP_COHERENT |
			    MEMCAP_EXCLUSIVES;
	u64 isar0 = read_sanitised_ftr_reg(SYS_ID_AA64ISAR0_EL1);
	unsigned int atomic;

	atomic = cpuid_feature_extract_unsigned_field(isar0,
						      ID_AA64ISAR0_EL1_ATOMIC_SHIFT);
	if (atomic >= ID_AA64ISAR0_EL1_ATOMIC_IMP)
		caps |= MEMCAP_ATOMICS;
	if (system_supports_mte())
		caps |= MEMCAP_TAGS;
	return caps;
}

/**
 * arch_memcap_baseline() - what boot RAM supports on this arm64 system
 *
 * Cacheable, coherent and exclusives always; %MEMCAP_ATOMICS when every CPU
 * implements LSE atomics; %MEMCAP_TAGS when the system supports MTE.
 *
 * Context: Any context.  Exact once the CPU capabilities are finalised.
 * Return: a mask of &enum memcap_flags.
 */
unsigned int arch_memcap_baseline(void)
{
	if (likely(arm64_memcap_baseline))
		return arm64_memcap_baseline;
	return arm64_memcap_compute_baseline();
}

static bool arm64_memcap_is_boot_memory(phys_addr_t start, phys_addr_t end)
{
	phys_addr_t cur = start;
	unsigned int i;

	for (i = 0; i < nr_boot_regions && cur < end; i++) {
		if (boot_regions[i].end <= cur)
			continue;
		if (boot_regions[i].base > cur)
			return false;
		cur = boot_regions[i].end;
	}
	return cur >= end;
}

/**
 * arch_memcap_default_caps() - what arm64 knows of an unregistered range
 * @start: physical address of the range
 * @size: size of the range in bytes
 *
 * Memory that firmware described at boot has the baseline.  Any other
 * range has the baseline without %MEMCAP_TAGS, because tag storage is only
 * provisioned for boot memory.
 *
 * Context: Any context.
 * Return: a mask of &enum memcap_flags.
 */
unsigned int arch_memcap_default_caps(phys_addr_t start, phys_addr_t size)
{
	unsigned int caps = arch_memcap_baseline();
	phys_addr_t end;

	if (!size || check_add_overflow(start, size, &end))
		return caps & ~MEMCAP_TAGS;
	/* Pairs with the release in arm64_memcap_init(). */
	if (smp_load_acquire(&boot_regions)) {
		if (arm64_memcap_is_boot_memory(start, end))
			return caps;
	} else if (memblock_is_region_memory(start, size)) {
		/* Before the snapshot nothing can have been hot-added. */
		return caps;
	}
	return caps & ~MEMCAP_TAGS;
}

/*
 * Runs after smp_init(), when the CPU capabilities are final and before any
 * driver can hot-add memory (which would grow memblock).
 */
static int __init arm64_memcap_init(void)
{
	struct arm64_memcap_region *regions;
	struct memblock_region *r;
	unsigned int n = 0;

	arm64_memcap_baseline = arm64_memcap_compute_baseline();

	regions = kcalloc(memblock.memory.cnt, sizeof(*regions), GFP_KERNEL);
	if (!regions)
		return -ENOMEM;
	for_each_mem_region(r) {
		phys_addr_t base = r->base, end = r->base + r->size;

		/* memblock keeps regions sorted; merge touching ones. */
		if (n && regions[n - 1].end == base) {
			regions[n - 1].end = end;
			continue;
		}
		regions[n].base = base;
		regions[n].end = end;
		n++;
	}
	nr_boot_regions = n;
	/* Publish the table only once it is complete. */
	smp_store_release(&boot_regions, regions);
	return 0;
}
arch_initcall(arm64_memcap_init);
