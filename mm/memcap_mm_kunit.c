// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the memcap mm policy: the decision function, and
 * memremap_pages() and memory hotplug on real memory outside boot RAM.
 *
 * The real-memory cases need physical memory that the kernel does not use:
 * boot with more RAM than mem= gives the kernel and name the rest with
 * memcap_mm_kunit.devmem_start= and memcap_mm_kunit.devmem_size= (the
 * harness boots QEMU with -m 1G and mem=768M, so 0x70000000 + 256M).
 * memremap cases use 4 MiB chunks of its first half; the hotplug cases use
 * the last memory block.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/init.h>
#include <linux/ioport.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/memblock.h>
#include <linux/memcap.h>
#include <linux/memory.h>
#include <linux/memory_hotplug.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/pagemap.h>
#include <linux/pfn.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#ifdef CONFIG_ARM64_MTE
#include <asm/mte-kasan.h>
#include <asm/mte.h>
#endif

#include "memcap_internal.h"
#include "memcap_test_compat.h"

static u64 devmem_start;
module_param(devmem_start, ullong, 0444);
MODULE_PARM_DESC(devmem_start, "start of unused physical memory for the tests");
static u64 devmem_size;
module_param(devmem_size, ullong, 0444);
MODULE_PARM_DESC(devmem_size, "size of that memory");
static char *machine = "";
module_param(machine, charp, 0444);
MODULE_PARM_DESC(machine, "the QEMU CPU the harness booted: max or a76");

#define C	MEMCAP_CACHEABLE
#define COH	MEMCAP_COHERENT
#define EXCL	MEMCAP_EXCLUSIVES
#define ATOM	MEMCAP_ATOMICS
#define TAGS	MEMCAP_TAGS
#define ALL	MEMCAP_ALL
#define NO_MTE	(C | COH | EXCL | ATOM)
#define NO_LSE	(C | COH | EXCL | TAGS)

/*
 * The facts of the machines the harness boots, written out by hand rather
 * than read from the code under test.  QEMU -cpu max has MTE (with
 * mte=on) and LSE; cortex-a76 and cortex-a710 (booted without mte=on)
 * have LSE and no MTE.  On all of them, memory that
 * firmware did not describe at boot has no tags stated, so its assumed
 * capabilities are those of boot RAM without tags.
 */
enum test_machine { M_MAX, M_A76, M_NR };

static const struct {
	const char *name;
	unsigned int baseline;
	unsigned int unregistered;
	bool mte;
} machines[M_NR] = {
	[M_MAX] = { "max", ALL, NO_MTE, true },
	[M_A76] = { "a76", NO_MTE, NO_MTE, false },
};

static enum test_machine this_machine(struct kunit *test)
{
	enum test_machine m;

	for (m = 0; m < M_NR; m++)
		if (!strcmp(machine, machines[m].name))
			return m;
	/* Cortex-A710 without mte=on: for mm, the facts of Cortex-A76. */
	if (!strcmp(machine, "a710"))
		return M_A76;
	kunit_skip(test, "unknown machine: boot with memcap_mm_kunit.machine=max|a76|a710");
	return M_NR;
}

/* The mode the command line asked for; warn when it says nothing. */
static bool want_strict(void)
{
	if (strstr(saved_command_line, "memcap.mode=warn"))
		return false;
	if (strstr(saved_command_line, "memcap.mode=strict"))
		return true;
	return IS_ENABLED(CONFIG_MEMCAP_STRICT);
}

/* The machine facts agree with what the kernel found. */
static void memcap_test_machine_facts(struct kunit *test)
{
	enum test_machine m = this_machine(test);

	if (m == M_NR)
		return;
	KUNIT_EXPECT_EQ(test, memcap_baseline(), machines[m].baseline);
#ifdef CONFIG_ARM64
	KUNIT_EXPECT_EQ(test, system_supports_mte(), machines[m].mte);
#endif
}

/* ---- The decision function against a table written out by hand ---- */

/*
 * One letter per use, in enum memcap_use order: System RAM, DEVICE_PRIVATE,
 * DEVICE_COHERENT, FS_DAX, DEVICE_GENERIC, PCI_P2PDMA.
 * A: allowed, W: allowed with a warning, D: denied.
 */
struct decide_case {
	const char *name;
	unsigned int caps;
	unsigned int baseline;
	const char *strict;
	const char *warn;
};

/*
 * Tags are needed only by System RAM and DEVICE_COHERENT (the 1st and 3rd
 * letters): FS_DAX and DEVICE_GENERIC pages are never mapped PROT_MTE.
 */
static const struct decide_case decide_cases[] = {
	{ "every cap, MTE baseline", ALL, ALL, "AAAAAA", "AAAAAA" },
	{ "missing tags, MTE baseline", ALL & ~TAGS, ALL, "DADAAA", "WAWAAA" },
	{ "missing atomics, MTE baseline", ALL & ~ATOM, ALL, "DADDDA", "WAWWWA" },
	{ "missing exclusives, MTE baseline", ALL & ~EXCL, ALL, "DADDDA", "WAWWWA" },
	{ "missing coherent, MTE baseline", ALL & ~COH, ALL, "DADDDA", "WAWWWA" },
	{ "missing tags and atomics, MTE baseline", C | COH | EXCL, ALL, "DADDDA", "WAWWWA" },
	{ "cacheable only, MTE baseline", C, ALL, "DADDDA", "WAWWWA" },
	{ "no caps (uncached), MTE baseline", 0, ALL, "DADDDA", "WAWWWA" },
	{ "missing tags, baseline without MTE", NO_MTE, NO_MTE, "AAAAAA", "AAAAAA" },
	{ "every cap, baseline without MTE", ALL, NO_MTE, "AAAAAA", "AAAAAA" },
	{ "missing atomics, baseline without MTE", C | COH | EXCL, NO_MTE, "DADDDA", "WAWWWA" },
	{ "missing coherent, baseline without MTE", C | EXCL | ATOM, NO_MTE, "DADDDA", "WAWWWA" },
	{ "missing atomics, baseline without LSE", NO_LSE, NO_LSE, "AAAAAA", "AAAAAA" },
	{ "missing tags, baseline without LSE", C | COH | EXCL, NO_LSE, "DADAAA", "WAWAAA" },
	{ "tags without cacheable", TAGS, ALL, "DDDDDD", "DDDDDD" },
	{ "coherent without cacheable", COH, NO_MTE, "DDDDDD", "DDDDDD" },
	{ "unknown bit", ALL | (1U << 5), ALL, "DDDDDD", "DDDDDD" },
	{ "top bit", NO_MTE | (1U << 31), NO_MTE, "DDDDDD", "DDDDDD" },
};

KUNIT_ARRAY_PARAM_DESC(decide, decide_cases, name);

static enum memcap_verdict letter(char c)
{
	return c == 'A' ? MEMCAP_ALLOW : c == 'W' ? MEMCAP_ALLOW_WARN :
	       MEMCAP_DENY;
}

static void memcap_test_decide(struct kunit *test)
{
	const struct decide_case *dc = test->param_value;
	enum memcap_use use;

	KUNIT_ASSERT_EQ(test, strlen(dc->strict), (size_t)MEMCAP_USE_NR);
	KUNIT_ASSERT_EQ(test, strlen(dc->warn), (size_t)MEMCAP_USE_NR);
	for (use = 0; use < MEMCAP_USE_NR; use++) {
		KUNIT_EXPECT_EQ_MSG(test, memcap_decide(use, dc->caps,
							dc->baseline, true),
				    letter(dc->strict[use]), "strict, use %d", use);
		KUNIT_EXPECT_EQ_MSG(test, memcap_decide(use, dc->caps,
							dc->baseline, false),
				    letter(dc->warn[use]), "warn, use %d", use);
	}
}

/*
 * Properties that hold whatever the table says: every cap is always
 * enough, more caps never turn an allow into a refusal, malformed caps are
 * always refused, and warn mode never refuses what is well formed.
 */
static void decide_properties_of(struct kunit *test, enum memcap_use use,
				 unsigned int caps, unsigned int base)
{
	enum memcap_verdict v = memcap_decide(use, caps, base, true);
	unsigned int more;

	if (!memcap_caps_valid(caps)) {
		KUNIT_EXPECT_EQ(test, v, MEMCAP_DENY);
		KUNIT_EXPECT_EQ(test, memcap_decide(use, caps, base, false),
				MEMCAP_DENY);
		return;
	}
	KUNIT_EXPECT_NE(test, memcap_decide(use, caps, base, false),
			MEMCAP_DENY);
	if (v != MEMCAP_ALLOW)
		return;
	for (more = caps; more <= ALL; more++)
		if ((more & caps) == caps && memcap_caps_valid(more))
			KUNIT_EXPECT_EQ(test, memcap_decide(use, more, base, true),
					MEMCAP_ALLOW);
}

static void memcap_test_decide_properties(struct kunit *test)
{
	static const unsigned int baselines[] = { ALL, NO_MTE, NO_LSE,
						  C | COH | EXCL };
	unsigned int b, caps, n = 0;
	enum memcap_use use;

	for (b = 0; b < ARRAY_SIZE(baselines); b++) {
		for (use = 0; use < MEMCAP_USE_NR; use++) {
			unsigned int base = baselines[b];

			KUNIT_EXPECT_EQ(test, memcap_decide(use, ALL, base, true),
					MEMCAP_ALLOW);
			for (caps = 0; caps <= ALL; caps++) {
				n++;
				decide_properties_of(test, use, caps, base);
			}
		}
	}
	kunit_info(test, "%u verdicts checked\n", n);
}

static void memcap_test_decide_bad_use(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, memcap_decide(MEMCAP_USE_NR, ALL, ALL, false),
			MEMCAP_DENY);
	KUNIT_EXPECT_EQ(test, memcap_decide(-1, ALL, ALL, false), MEMCAP_DENY);
}

/* The capabilities of a range come from the records, else from the arch. */
static void memcap_test_range_caps(struct kunit *test)
{
	enum test_machine m = this_machine(test);
	phys_addr_t s = BIT_ULL(44) + SZ_1G;
	unsigned int def;

	if (m == M_NR)
		return;
	def = machines[m].unregistered;
	KUNIT_EXPECT_EQ(test, memcap_range_caps(s, SZ_2M), def);
	KUNIT_ASSERT_EQ(test, 0, memcap_register(s, SZ_1M, C | COH, "kunit"));
	KUNIT_EXPECT_EQ(test, memcap_range_caps(s, SZ_1M), C | COH);
	/* Half covered: the record and the arch's answer, intersected. */
	KUNIT_EXPECT_EQ(test, memcap_range_caps(s, SZ_2M), C | COH);
	/* Two adjacent records cover it: what both state, nothing assumed. */
	KUNIT_ASSERT_EQ(test, 0, memcap_register(s + SZ_1M, SZ_1M, C | TAGS,
						 "kunit"));
	KUNIT_EXPECT_EQ(test, memcap_range_caps(s, SZ_2M), C);
	KUNIT_EXPECT_EQ(test, 0, memcap_unregister(s + SZ_1M, SZ_1M));
	KUNIT_EXPECT_EQ(test, 0, memcap_unregister(s, SZ_1M));
}

static void memcap_test_mode_param(struct kunit *test)
{
	kunit_info(test, "mode: %s\n", memcap_strict() ? "strict" : "warn");
	KUNIT_EXPECT_EQ(test, memcap_strict(), want_strict());
}

static struct kunit_case memcap_policy_cases[] = {
	KUNIT_CASE(memcap_test_machine_facts),
	KUNIT_CASE_PARAM(memcap_test_decide, decide_gen_params),
	KUNIT_CASE(memcap_test_decide_properties),
	KUNIT_CASE(memcap_test_decide_bad_use),
	KUNIT_CASE(memcap_test_range_caps),
	KUNIT_CASE(memcap_test_mode_param),
	{}
};

static struct kunit_suite memcap_policy_suite = {
	.name = "memcap_policy",
	.test_cases = memcap_policy_cases,
};

/* ---- Real memory: what a refusal must not leave behind ---- */

static bool have_devmem(struct kunit *test)
{
	if (devmem_size >= SZ_256M && IS_ALIGNED(devmem_start, SZ_128M))
		return true;
	kunit_skip(test, "no unused memory: see memcap_mm_kunit.devmem_start");
	return false;
}

static int probe_linear(phys_addr_t pa)
{
	u64 word;

	return copy_from_kernel_nofault(&word, __va(pa), sizeof(word));
}

/*
 * The MTE tag of the first granule of [pa, ...) after writing @tag through
 * the linear map: @tag when the linear map is Normal-Tagged, 0 when it is
 * not (allocation tag accesses to untagged memory are RAZ/WI).
 */
static u8 linear_tag_roundtrip(phys_addr_t pa, u8 tag)
{
#ifdef CONFIG_ARM64_MTE
	u64 va = (u64)__va(pa) & ~(0xffUL << 56);

	/*
	 * STG takes the tag from the pointer's top byte, in KASAN's 0xF<tag>
	 * format.  With KASAN_HW_TAGS the helper sets that byte from its
	 * @tag argument, without KASAN tags it leaves the pointer alone: give
	 * the tag both ways.
	 */
	mte_set_mem_tag_range((void *)(va | ((0xf0UL | tag) << 56)),
			      MTE_GRANULE_SIZE, 0xf0 | tag, false);
	tag = mte_get_mem_tag((void *)(va | (0xf0UL << 56))) & 0xf;
	mte_set_mem_tag_range((void *)(va | (0xf0UL << 56)), MTE_GRANULE_SIZE,
			      0xf0, false);
	return tag;
#else
	return 0;
#endif
}

static void expect_nothing_left(struct kunit *test, phys_addr_t start,
				phys_addr_t size)
{
	unsigned long first = PHYS_PFN(start), last = PHYS_PFN(start + size) - 1;
	unsigned int caps;

	/* No pgmap in pgmap_array (memcap_pfn_proof() asks it). */
	KUNIT_EXPECT_EQ(test, memcap_pfn_proof(first, &caps), MEMCAP_PGMAP_NONE);
	KUNIT_EXPECT_EQ(test, memcap_pfn_proof(last, &caps), MEMCAP_PGMAP_NONE);
	KUNIT_EXPECT_FALSE(test, pfn_valid(first));
	KUNIT_EXPECT_FALSE(test, pfn_valid(last));
	KUNIT_EXPECT_NULL(test, pfn_to_online_page(first));
	KUNIT_EXPECT_EQ(test, region_intersects(start, size, IORESOURCE_MEM,
						IORES_DESC_NONE),
			REGION_DISJOINT);
	/* No linear map: a read of it faults (and is fixed up). */
	KUNIT_EXPECT_EQ(test, probe_linear(start), -EFAULT);
	KUNIT_EXPECT_EQ(test, probe_linear(start + size - 8), -EFAULT);
#ifdef CONFIG_ARCH_KEEP_MEMBLOCK
	KUNIT_EXPECT_FALSE(test, memblock_is_region_memory(start, size));
#endif
}

#ifdef CONFIG_ZONE_DEVICE
enum caps_source {
	SRC_BASELINE,		/* pgmap_set_memcap(baseline) */
	SRC_NO_TAGS,		/* pgmap_set_memcap(baseline without tags) */
	SRC_NO_ATOMICS,		/* pgmap_set_memcap(baseline without atomics) */
	SRC_RECORD,		/* nothing set; a registry record with the baseline */
	SRC_LEGACY,		/* nothing set, no record: the arch's answer */
};

/*
 * strict: the strict-mode verdict on each machine, 'A' or 'D' ([M_MAX],
 * [M_A76]); warn mode accepts every case.  tagged: the linear map is
 * Normal-Tagged on -cpu max (only DEVICE_COHERENT with tags is).
 */
struct remap_case {
	const char *name;
	enum memory_type type;
	enum caps_source src;
	const char *strict;
	bool tagged;
};

static const struct remap_case remap_cases[] = {
	{ "coherent, baseline caps", MEMORY_DEVICE_COHERENT, SRC_BASELINE, "AA", true },
	{ "coherent, missing tags", MEMORY_DEVICE_COHERENT, SRC_NO_TAGS, "DA", false },
	{ "coherent, missing atomics", MEMORY_DEVICE_COHERENT, SRC_NO_ATOMICS, "DD", true },
	{ "coherent, caps from a record", MEMORY_DEVICE_COHERENT, SRC_RECORD, "AA", true },
	{ "coherent, legacy caller", MEMORY_DEVICE_COHERENT, SRC_LEGACY, "DA", false },
	{ "generic, baseline caps", MEMORY_DEVICE_GENERIC, SRC_BASELINE, "AA", false },
	{ "generic, missing tags", MEMORY_DEVICE_GENERIC, SRC_NO_TAGS, "AA", false },
	{ "generic, missing atomics", MEMORY_DEVICE_GENERIC, SRC_NO_ATOMICS, "DD", false },
	{ "generic, caps from a record", MEMORY_DEVICE_GENERIC, SRC_RECORD, "AA", false },
	{ "generic, legacy caller", MEMORY_DEVICE_GENERIC, SRC_LEGACY, "AA", false },
	{ "fsdax, baseline caps", MEMORY_DEVICE_FS_DAX, SRC_BASELINE, "AA", false },
	{ "fsdax, missing tags", MEMORY_DEVICE_FS_DAX, SRC_NO_TAGS, "AA", false },
	{ "fsdax, missing atomics", MEMORY_DEVICE_FS_DAX, SRC_NO_ATOMICS, "DD", false },
	{ "fsdax, caps from a record", MEMORY_DEVICE_FS_DAX, SRC_RECORD, "AA", false },
	{ "fsdax, legacy caller", MEMORY_DEVICE_FS_DAX, SRC_LEGACY, "AA", false },
	{ "p2pdma, baseline caps", MEMORY_DEVICE_PCI_P2PDMA, SRC_BASELINE, "AA", false },
	{ "p2pdma, missing tags", MEMORY_DEVICE_PCI_P2PDMA, SRC_NO_TAGS, "AA", false },
	{ "p2pdma, missing atomics", MEMORY_DEVICE_PCI_P2PDMA, SRC_NO_ATOMICS, "AA", false },
	{ "p2pdma, caps from a record", MEMORY_DEVICE_PCI_P2PDMA, SRC_RECORD, "AA", false },
	{ "p2pdma, legacy caller", MEMORY_DEVICE_PCI_P2PDMA, SRC_LEGACY, "AA", false },
};

/* The caps each source gives on each machine, by hand. */
static unsigned int source_caps(enum caps_source src, enum test_machine m)
{
	static const unsigned int caps[][M_NR] = {
		[SRC_BASELINE]	 = { ALL, NO_MTE },
		[SRC_NO_TAGS]	 = { ALL & ~TAGS, NO_MTE },
		[SRC_NO_ATOMICS] = { ALL & ~ATOM, NO_MTE & ~ATOM },
		[SRC_RECORD]	 = { ALL, NO_MTE },
		[SRC_LEGACY]	 = { NO_MTE, NO_MTE },
	};

	return caps[src][m];
}

KUNIT_ARRAY_PARAM_DESC(remap, remap_cases, name);

#define CHUNK	SZ_4M
#define MAPLEN	SZ_2M

static struct dev_pagemap *new_pgmap(struct kunit *test, enum memory_type type,
				     phys_addr_t start)
{
	struct dev_pagemap *pgmap;

	pgmap = kunit_kzalloc(test, sizeof(*pgmap), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pgmap);
	pgmap->type = type;
	pgmap->range.start = start;
	pgmap->range.end = start + MAPLEN - 1;
	pgmap->nr_range = 1;
	if (type == MEMORY_DEVICE_COHERENT) {
		pgmap->ops = &memcap_test_pgmap_ops;
		pgmap->owner = test;
	}
	return pgmap;
}

/* Map, check that the pages work and are recorded, unmap. */
static void remap_accepted(struct kunit *test, struct dev_pagemap *pgmap,
			   void *ret, unsigned int want_caps,
			   enum memcap_pgmap_proof want_proof, int want_tag)
{
	phys_addr_t start = pgmap->range.start;
	unsigned long pfn = PHYS_PFN(start);
	unsigned long before = memcap_pgmap_count() - 1;
	u64 *p = __va(start), *q = __va(start + MAPLEN - 8);
	unsigned int caps = ~0U;
	struct page *page;

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(ret), "memremap_pages: %ld",
			       PTR_ERR(ret));
	KUNIT_EXPECT_PTR_EQ(test, ret, (void *)p);
	KUNIT_EXPECT_TRUE(test, memcap_pgmap_published(pgmap, &caps));
	KUNIT_EXPECT_EQ(test, caps, want_caps);
	KUNIT_EXPECT_EQ(test, memcap_pgmap_proof(pgmap, &caps), want_proof);

	/*
	 * pgmap_array maps the pfn to this pgmap, with this proof; a P2PDMA
	 * BAR that nobody described is never taken for RAM.
	 */
	KUNIT_EXPECT_EQ(test, memcap_pfn_proof(pfn, &caps),
			want_proof == MEMCAP_PGMAP_ASSUMED &&
			pgmap->type == MEMORY_DEVICE_PCI_P2PDMA ?
			MEMCAP_PGMAP_NOT_RAM : want_proof);
	KUNIT_EXPECT_TRUE(test, pfn_valid(pfn));
	page = pfn_to_page(pfn);
	KUNIT_EXPECT_TRUE(test, is_zone_device_page(page));

	/* The linear map works: aligned 64-bit accesses, fine on Device too. */
	WRITE_ONCE(*p, 0x6d656d6361700001ULL);
	WRITE_ONCE(*q, 0x6d656d6361700002ULL);
	KUNIT_EXPECT_EQ(test, READ_ONCE(*p), 0x6d656d6361700001ULL);
	KUNIT_EXPECT_EQ(test, READ_ONCE(*q), 0x6d656d6361700002ULL);
	/* Tags written through the linear map stick only where it is tagged. */
	if (want_tag >= 0)
		KUNIT_EXPECT_EQ(test, linear_tag_roundtrip(start, 0xa), want_tag);

	memunmap_pages(pgmap);
	KUNIT_EXPECT_FALSE(test, memcap_pgmap_published(pgmap, &caps));
	KUNIT_EXPECT_EQ(test, memcap_pgmap_count(), before);
	expect_nothing_left(test, start, MAPLEN);
}

static void memcap_test_memremap(struct kunit *test)
{
	const struct remap_case *rc = test->param_value;
	enum test_machine m = this_machine(test);
	unsigned long idx = rc - remap_cases;
	phys_addr_t start = devmem_start + idx * CHUNK;
	enum memcap_pgmap_proof want_proof;
	bool want_ok, meets;
	unsigned long before;
	unsigned int caps;
	int round, want_tag;

	if (m == M_NR || !have_devmem(test))
		return;
	caps = source_caps(rc->src, m);
	meets = rc->strict[m] == 'A';
	/* Warn mode lets through only what nobody stated. */
	want_ok = meets || (!want_strict() && rc->src == SRC_LEGACY);
	if (rc->src == SRC_LEGACY)
		want_proof = MEMCAP_PGMAP_ASSUMED;
	else if (rc->type == MEMORY_DEVICE_PCI_P2PDMA || !meets)
		want_proof = MEMCAP_PGMAP_STATED;
	else
		want_proof = MEMCAP_PGMAP_RAM;
	want_tag = machines[m].mte ? (rc->tagged ? 0xa : 0) : -1;
	kunit_info(test, "%s: caps %#x: expect %s\n", machines[m].name, caps,
		   want_ok ? "accepted" : "refused");

	if (rc->src == SRC_RECORD)
		KUNIT_ASSERT_EQ(test, 0, memcap_register(start, MAPLEN, caps,
							 "memcap_mm_kunit"));
	/* Twice: the second round proves the first cleaned up after itself. */
	for (round = 0; round < 2; round++) {
		struct dev_pagemap *pgmap = new_pgmap(test, rc->type, start);
		void *ret;

		if (rc->src != SRC_RECORD && rc->src != SRC_LEGACY)
			pgmap_set_memcap(pgmap, caps);
		before = memcap_pgmap_count();
		ret = memremap_pages(pgmap, 0);
		/* The caller's statement is never rewritten. */
		KUNIT_EXPECT_EQ(test, pgmap->memcap,
				pgmap->flags & PGMAP_MEMCAP_VALID ? caps : 0);
		if (want_ok) {
			KUNIT_EXPECT_EQ(test, memcap_pgmap_count(), before + 1);
			remap_accepted(test, pgmap, ret, caps, want_proof,
				       want_tag);
			continue;
		}
		/* A policy refusal: EPERM, distinct from malformed (EINVAL). */
		KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(ret), -EPERM);
		/* Nothing created: no percpu_ref, no record, no pages. */
		KUNIT_EXPECT_NULL(test, pgmap->ref.data);
		KUNIT_EXPECT_EQ(test, memcap_pgmap_count(), before);
		KUNIT_EXPECT_FALSE(test, memcap_pgmap_published(pgmap, &caps));
		expect_nothing_left(test, start, MAPLEN);
	}
	if (rc->src == SRC_RECORD)
		KUNIT_EXPECT_EQ(test, 0, memcap_unregister(start, MAPLEN));
	KUNIT_EXPECT_EQ(test, memcap_lookup_pfn(PHYS_PFN(start),
						PHYS_PFN(MAPLEN), &caps),
			MEMCAP_UNCOVERED);
}

/* Malformed caps are refused in warn mode too. */
static void memcap_test_memremap_bad_caps(struct kunit *test)
{
	phys_addr_t start = devmem_start + ARRAY_SIZE(remap_cases) * CHUNK;
	struct dev_pagemap *pgmap;
	unsigned long before = memcap_pgmap_count();
	void *ret;

	if (!have_devmem(test))
		return;
	pgmap = new_pgmap(test, MEMORY_DEVICE_GENERIC, start);
	pgmap_set_memcap(pgmap, TAGS);
	ret = memremap_pages(pgmap, 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(ret), -EINVAL);
	KUNIT_EXPECT_NULL(test, pgmap->ref.data);
	KUNIT_EXPECT_EQ(test, memcap_pgmap_count(), before);
	expect_nothing_left(test, start, MAPLEN);
}

/*
 * Two ranges, one vouched for by a record and one not: the pgmap gets what
 * both have, and counts as assumed, not stated.  DEVICE_COHERENT needs
 * tags, which the unrecorded range is only assumed to lack on -cpu max.
 */
static void memcap_test_memremap_two_ranges(struct kunit *test)
{
	phys_addr_t start = devmem_start + (ARRAY_SIZE(remap_cases) + 1) * CHUNK;
	enum test_machine m = this_machine(test);
	struct dev_pagemap *pgmap;
	unsigned int caps;
	bool want_ok;
	void *ret;

	if (m == M_NR || !have_devmem(test))
		return;
	pgmap = kunit_kzalloc(test, struct_size(pgmap, ranges, 2), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pgmap);
	pgmap->type = MEMORY_DEVICE_COHERENT;
	pgmap->ops = &memcap_test_pgmap_ops;
	pgmap->owner = test;
	pgmap->nr_range = 2;
	pgmap->ranges[0].start = start;
	pgmap->ranges[0].end = start + MAPLEN - 1;
	pgmap->ranges[1].start = start + CHUNK;
	pgmap->ranges[1].end = start + CHUNK + MAPLEN - 1;
	KUNIT_ASSERT_EQ(test, 0, memcap_register(start, MAPLEN,
						 machines[m].baseline,
						 "memcap_mm_kunit"));
	/* max: refused in strict mode (tags assumed missing); a76: accepted. */
	want_ok = m == M_A76 || !want_strict();

	ret = memremap_pages(pgmap, 0);
	if (want_ok) {
		KUNIT_EXPECT_FALSE(test, IS_ERR(ret));
		KUNIT_EXPECT_TRUE(test, memcap_pgmap_published(pgmap, &caps));
		KUNIT_EXPECT_EQ(test, caps, NO_MTE);
		KUNIT_EXPECT_EQ(test, memcap_pgmap_proof(pgmap, &caps),
				MEMCAP_PGMAP_ASSUMED);
		if (!IS_ERR(ret))
			memunmap_pages(pgmap);
	} else {
		KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(ret), -EPERM);
		KUNIT_EXPECT_NULL(test, pgmap->ref.data);
	}
	expect_nothing_left(test, start, MAPLEN);
	expect_nothing_left(test, start + CHUNK, MAPLEN);
	KUNIT_EXPECT_EQ(test, 0, memcap_unregister(start, MAPLEN));
}

/*
 * A record that stated a pgmap's capabilities cannot be unregistered while
 * the pgmap is mapped: KVM may have mapped its pages Normal under it.
 */
static void memcap_test_memremap_pins_record(struct kunit *test)
{
	phys_addr_t start = devmem_start + (ARRAY_SIZE(remap_cases) + 4) * CHUNK;
	enum test_machine m = this_machine(test);
	struct dev_pagemap *pgmap;
	unsigned int caps;
	void *ret;

	if (m == M_NR || !have_devmem(test))
		return;
	KUNIT_ASSERT_EQ(test, 0, memcap_register(start, MAPLEN,
						 machines[m].baseline,
						 "memcap_mm_kunit"));
	pgmap = new_pgmap(test, MEMORY_DEVICE_GENERIC, start);
	ret = memremap_pages(pgmap, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ret));
	KUNIT_EXPECT_EQ(test, memcap_pgmap_proof(pgmap, &caps), MEMCAP_PGMAP_RAM);
	KUNIT_EXPECT_EQ(test, memcap_unregister(start, MAPLEN), -EBUSY);
	/* Still there, unchanged. */
	KUNIT_EXPECT_EQ(test, memcap_lookup_pfn(PHYS_PFN(start), 1, &caps),
			MEMCAP_COVERED);
	KUNIT_EXPECT_EQ(test, caps, machines[m].baseline);
	memunmap_pages(pgmap);
	KUNIT_EXPECT_EQ(test, memcap_unregister(start, MAPLEN), 0);

	/* A pgmap that states its own caps pins nothing. */
	KUNIT_ASSERT_EQ(test, 0, memcap_register(start, MAPLEN,
						 machines[m].baseline,
						 "memcap_mm_kunit"));
	pgmap = new_pgmap(test, MEMORY_DEVICE_GENERIC, start);
	pgmap_set_memcap(pgmap, machines[m].baseline);
	ret = memremap_pages(pgmap, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ret));
	KUNIT_EXPECT_EQ(test, memcap_unregister(start, MAPLEN), 0);
	memunmap_pages(pgmap);
	expect_nothing_left(test, start, MAPLEN);
}

/*
 * memremap_pages() fails on its second range (beyond what arm64 can map)
 * after memcap pinned the records of both: the failure must unpin both.
 */
static void memcap_test_memremap_fails_late(struct kunit *test)
{
	phys_addr_t start = devmem_start + (ARRAY_SIZE(remap_cases) + 5) * CHUNK;
	/* Past the linear map with 48 or 52 bits of VA, within 52 of PA. */
	phys_addr_t far = BIT_ULL(52) - SZ_4M;
	enum test_machine m = this_machine(test);
	struct dev_pagemap *pgmap;
	void *ret;

	if (m == M_NR || !have_devmem(test))
		return;
	pgmap = kunit_kzalloc(test, struct_size(pgmap, ranges, 2), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pgmap);
	pgmap->type = MEMORY_DEVICE_GENERIC;
	pgmap->nr_range = 2;
	pgmap->ranges[0].start = start;
	pgmap->ranges[0].end = start + MAPLEN - 1;
	pgmap->ranges[1].start = far;
	pgmap->ranges[1].end = far + MAPLEN - 1;
	KUNIT_ASSERT_EQ(test, 0, memcap_register(start, MAPLEN,
						 machines[m].baseline, "kunit"));
	KUNIT_ASSERT_EQ(test, 0, memcap_register(far, MAPLEN,
						 machines[m].baseline, "kunit"));
	ret = memremap_pages(pgmap, 0);
	KUNIT_EXPECT_TRUE(test, IS_ERR(ret));
	if (!IS_ERR(ret))
		memunmap_pages(pgmap);
	KUNIT_EXPECT_EQ(test, memcap_unregister(start, MAPLEN), 0);
	KUNIT_EXPECT_EQ(test, memcap_unregister(far, MAPLEN), 0);
	expect_nothing_left(test, start, MAPLEN);
}

#ifdef CONFIG_ARM64_MTE
/*
 * A DEVICE_COHERENT page that held tags is handed out again: like RAM
 * freed to the page allocator, it must come back without PG_mte_tagged,
 * or its next owner keeps the previous owner's tags (sanitise_mte_tags()
 * and mte_sync_tags() skip pages already marked).
 */
static void memcap_test_coherent_page_reuse(struct kunit *test)
{
	phys_addr_t start = devmem_start + (ARRAY_SIZE(remap_cases) + 6) * CHUNK;
	enum test_machine m = this_machine(test);
	struct dev_pagemap *pgmap;
	struct page *page;
	void *ret;

	/* The flag logic is the same with or without MTE in the CPU. */
	if (m == M_NR || !have_devmem(test))
		return;
	pgmap = new_pgmap(test, MEMORY_DEVICE_COHERENT, start);
	pgmap_set_memcap(pgmap, machines[m].baseline);
	ret = memremap_pages(pgmap, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ret));
	page = pfn_to_page(PHYS_PFN(start));

	/* As a driver hands a page out, and its user tags it. */
	memcap_test_page_init(page, pgmap);
	unlock_page(page);
	KUNIT_EXPECT_TRUE(test, try_page_mte_tagging(page));
	set_page_mte_tagged(page);
	KUNIT_EXPECT_TRUE(test, page_mte_tagged(page));
	put_page(page);
	/* Free: the next owner tags it afresh, without waiting. */
	KUNIT_EXPECT_FALSE(test, page_mte_tagged(page));
	KUNIT_EXPECT_TRUE(test, try_page_mte_tagging(page));

	memunmap_pages(pgmap);
	expect_nothing_left(test, start, MAPLEN);
}
#endif

/*
 * Figures for the memremap path; printed, never asserted.  memcap's part
 * of memremap_pages() and memunmap_pages() is its three hooks: resolving
 * the caps (a registry lookup) and the decision, publishing the pgmap, and
 * forgetting it.  Under QEMU's -icount (make bench) the nanoseconds are
 * instructions.
 */
static void memcap_bench_memremap(struct kunit *test)
{
	phys_addr_t start = devmem_start + (ARRAY_SIZE(remap_cases) + 3) * CHUNK;
	const unsigned int maps = 20, hooks = 5000;
	unsigned int base = memcap_baseline(), i;
	struct dev_pagemap *pgmap;
	int sink = 0;
	u64 t0, t1, t2;

	if (!have_devmem(test))
		return;
	t0 = ktime_get_ns();
	for (i = 0; i < maps; i++) {
		void *ret;

		pgmap = new_pgmap(test, MEMORY_DEVICE_GENERIC, start);
		pgmap_set_memcap(pgmap, base);
		ret = memremap_pages(pgmap, 0);
		if (IS_ERR(ret)) {
			KUNIT_FAIL(test, "memremap_pages: %ld", PTR_ERR(ret));
			return;
		}
		memunmap_pages(pgmap);
	}
	t1 = ktime_get_ns();
	pgmap = new_pgmap(test, MEMORY_DEVICE_GENERIC, start);
	pgmap_set_memcap(pgmap, base);
	for (i = 0; i < hooks; i++) {
		pgprot_t prot = PAGE_KERNEL;

		sink += memcap_pgmap_prepare(pgmap, &prot, _THIS_IP_);
		memcap_pgmap_mapped(pgmap);
		memcap_pgmap_release(pgmap);
	}
	t2 = ktime_get_ns();
	kunit_info(test, "memremap_pages()+memunmap_pages() of 2 MiB: %llu ns/pair; memcap's hooks: %llu ns/pair (%d)\n",
		   div_u64(t1 - t0, maps), div_u64(t2 - t1, hooks), sink);
}

static struct kunit_case memcap_memremap_cases[] = {
	KUNIT_CASE_PARAM(memcap_test_memremap, remap_gen_params),
	KUNIT_CASE(memcap_test_memremap_bad_caps),
	KUNIT_CASE(memcap_test_memremap_two_ranges),
	KUNIT_CASE(memcap_test_memremap_pins_record),
	KUNIT_CASE(memcap_test_memremap_fails_late),
#ifdef CONFIG_ARM64_MTE
	KUNIT_CASE(memcap_test_coherent_page_reuse),
#endif
	KUNIT_CASE_SLOW(memcap_bench_memremap),
	{}
};

static struct kunit_suite memcap_memremap_suite = {
	.name = "memcap_memremap",
	.test_cases = memcap_memremap_cases,
};

kunit_test_suite(memcap_memremap_suite);
#endif /* CONFIG_ZONE_DEVICE */

#ifdef CONFIG_MEMORY_HOTREMOVE
enum hotplug_source {
	HP_RECORD_BASELINE,	/* a registry record with the baseline */
	HP_NO_RECORD,		/* the arch's answer */
	HP_RECORD_NO_ATOMICS,	/* a record without atomics */
	HP_RECORD_NO_TAGS,	/* a record without tags */
	HP_HALF_NO_TAGS,	/* a record without tags over the first half */
};

/*
 * strict: the strict-mode verdict on [M_MAX] and [M_A76]; warn mode accepts
 * every case.  tagged: the linear map is Normal-Tagged on -cpu max, as
 * pgprot_mhp() makes it in 6.12, unless a record says there are no tags.
 */
struct hotplug_case {
	const char *name;
	enum hotplug_source src;
	const char *strict;
	bool tagged;
};

static const struct hotplug_case hotplug_cases[] = {
	{ "driver-managed, record with tags", HP_RECORD_BASELINE, "AA", true },
	{ "driver-managed, no record", HP_NO_RECORD, "DA", true },
	{ "driver-managed, record without atomics", HP_RECORD_NO_ATOMICS, "DD", true },
	{ "driver-managed, record without tags", HP_RECORD_NO_TAGS, "DA", false },
	{ "driver-managed, half recorded without tags", HP_HALF_NO_TAGS, "DA", false },
};

KUNIT_ARRAY_PARAM_DESC(hotplug, hotplug_cases, name);

static void memcap_test_hotplug(struct kunit *test)
{
	static const unsigned int record_caps[][M_NR] = {
		[HP_RECORD_BASELINE]	= { ALL, NO_MTE },
		[HP_RECORD_NO_ATOMICS]	= { ALL & ~ATOM, NO_MTE & ~ATOM },
		[HP_RECORD_NO_TAGS]	= { ALL & ~TAGS, NO_MTE },
		[HP_HALF_NO_TAGS]	= { ALL & ~TAGS, NO_MTE },
	};
	const struct hotplug_case *hc = test->param_value;
	enum test_machine m = this_machine(test);
	phys_addr_t size = memory_block_size_bytes(), start, rec_size;
	bool want_ok;
	int round, ret, want_tag;

	if (m == M_NR || !have_devmem(test))
		return;
	start = ALIGN_DOWN(devmem_start + devmem_size - size, size);
	KUNIT_ASSERT_GE(test, start, devmem_start + SZ_128M);

	want_ok = hc->strict[m] == 'A' ||
		  (!want_strict() && hc->src == HP_NO_RECORD);
	want_tag = machines[m].mte ? (hc->tagged ? 0x5 : 0) : -1;
	kunit_info(test, "%s [%pa +%pa]: expect %s\n", machines[m].name,
		   &start, &size, want_ok ? "accepted" : "refused");
	rec_size = hc->src == HP_HALF_NO_TAGS ? size / 2 : size;
	if (hc->src != HP_NO_RECORD)
		KUNIT_ASSERT_EQ(test, 0, memcap_register(start, rec_size,
							 record_caps[hc->src][m],
							 "memcap_mm_kunit"));

	for (round = 0; round < 2; round++) {
		ret = add_memory_driver_managed(0, start, size,
						"System RAM (memcap_kunit)",
						MHP_NONE);
		if (!want_ok) {
			KUNIT_EXPECT_EQ(test, ret, -EPERM);
			expect_nothing_left(test, start, size);
			continue;
		}
		KUNIT_ASSERT_EQ(test, ret, 0);
		KUNIT_EXPECT_EQ(test, region_intersects(start, size,
							IORESOURCE_SYSTEM_RAM,
							IORES_DESC_NONE),
				REGION_INTERSECTS);
		KUNIT_EXPECT_TRUE(test, pfn_valid(PHYS_PFN(start)));
		/* The one thing the hook may change: the linear map's tags. */
		if (want_tag >= 0)
			KUNIT_EXPECT_EQ(test, linear_tag_roundtrip(start, 0x5),
					want_tag);
		KUNIT_EXPECT_EQ(test, remove_memory(start, size), 0);
		expect_nothing_left(test, start, size);
	}
	if (hc->src != HP_NO_RECORD)
		KUNIT_EXPECT_EQ(test, 0, memcap_unregister(start, rec_size));
}

/*
 * Figures for the hot-add path; printed, never asserted.  memcap's part of
 * add_memory_driver_managed() is its two hooks: memcap_hotplug_check() (a
 * registry lookup and the decision) and memcap_hotplug_added().  Under
 * QEMU's -icount (make bench) the nanoseconds are instructions.
 */
static void memcap_bench_hotplug(struct kunit *test)
{
	phys_addr_t size = memory_block_size_bytes(), start;
	const unsigned int adds = 3, checks = 20000;
	struct resource res = { .name = "System RAM (memcap_kunit)" };
	int i, ret = 0, sink = 0;
	u64 t0, t1, t2;

	if (!have_devmem(test))
		return;
	start = ALIGN_DOWN(devmem_start + devmem_size - size, size);
	KUNIT_ASSERT_EQ(test, 0, memcap_register(start, size, memcap_baseline(),
						 "memcap_mm_kunit"));
	t0 = ktime_get_ns();
	for (i = 0; i < adds && !ret; i++) {
		ret = add_memory_driver_managed(0, start, size,
						"System RAM (memcap_kunit)",
						MHP_NONE);
		if (!ret)
			ret = remove_memory(start, size);
	}
	t1 = ktime_get_ns();
	res.start = start;
	res.end = start + size - 1;
	for (i = 0; i < checks; i++) {
		pgprot_t prot = pgprot_mhp(PAGE_KERNEL);
		int check = memcap_hotplug_check(&res, &prot, _THIS_IP_);

		memcap_hotplug_added(start, size, check);
		sink += check;
	}
	t2 = ktime_get_ns();
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, 0, memcap_unregister(start, size));
	kunit_info(test, "add_memory_driver_managed()+remove_memory() of %llu MiB: %llu ns/pair; memcap's hooks: %llu ns/call (%d)\n",
		   (u64)size >> 20, div_u64(t1 - t0, adds),
		   div_u64(t2 - t1, checks), sink);
}

static struct kunit_case memcap_hotplug_cases[] = {
	KUNIT_CASE_PARAM(memcap_test_hotplug, hotplug_gen_params),
	KUNIT_CASE_SLOW(memcap_bench_hotplug),
	{}
};

static struct kunit_suite memcap_hotplug_suite = {
	.name = "memcap_hotplug",
	.test_cases = memcap_hotplug_cases,
};

kunit_test_suite(memcap_hotplug_suite);
#endif /* CONFIG_MEMORY_HOTREMOVE */

#if defined(CONFIG_ZONE_DEVICE) && defined(CONFIG_MEMORY_HOTREMOVE)
/*
 * Every pairing at once, from several threads on both CPUs: registry
 * writers, lock-free lookups (of records, and of pgmaps as the KVM fault
 * path does), memremap/memunmap and hot-add/hot-remove over recorded and
 * unrecorded memory, and a driver withdrawing the records memremap rests
 * on (the pin protocol).  Lookups check that a record is never seen half
 * built or freed (its caps are always those it was registered with); at
 * the end, records, pgmaps, resources, memory blocks and struct pages are
 * back to where they started.  Prints the operation counts and the time.
 */
static unsigned int stress_scale = 1;
module_param(stress_scale, uint, 0444);
MODULE_PARM_DESC(stress_scale, "size of the memcap_stress run: 10000 operations or more per unit");

#define STRESS_SLOTS	16
#define STRESS_PAIRS	(1250 * stress_scale)	/* per registry writer */
#define STRESS_READS	(1250 * stress_scale)	/* at least, per reader */
#define STRESS_REMAPS	(10 * stress_scale)	/* memremap+memunmap */
#define STRESS_HOTPLUGS	(stress_scale)		/* hot-add+hot-remove */
#define STRESS_CHUNKS	4
#define SLOT_BASE	BIT_ULL(40)	/* records need no memory behind them */

struct stress {
	struct kunit *test;
	enum test_machine m;
	phys_addr_t hp_start, hp_size;
	atomic_t writers;		/* still running */
	atomic_long_t ops[6];		/* see OP_* */
	/*
	 * stress_withdraw() took the record of a chunk, or is taking it
	 * (between its unregister and its note of it); the registrations
	 */
	atomic_t stolen[STRESS_CHUNKS], taking[STRESS_CHUNKS], gen[STRESS_CHUNKS];
	atomic_t errors;
	struct dev_pagemap pgmap;	/* stress_remap()'s, reused */
	char first_error[160];
	spinlock_t lock;		/* first_error */
};

enum { OP_REG, OP_LOOKUP, OP_REMAP, OP_HOTPLUG, OP_PROOF, OP_WITHDRAW };

/*
 * Did stress_withdraw() take the record of chunk @c?  Asked only once the
 * caller found the record gone, which the withdrawal in flight, if it was
 * the one, had announced: wait for its note, then trust the note alone, so
 * that a withdrawal that failed excuses nothing.
 */
static bool stress_taken(struct stress *st, int c)
{
	while (atomic_read_acquire(&st->taking[c]))
		cond_resched();
	return atomic_read(&st->stolen[c]);
}

static phys_addr_t slot_start(int slot)
{
	return SLOT_BASE + (phys_addr_t)slot * SZ_4M;
}

/* Each slot has its own caps, so that a lookup can tell them apart. */
static unsigned int slot_caps(int slot)
{
	static const unsigned int caps[] = {
		C, C | COH, C | COH | EXCL, NO_MTE, ALL, C | COH | ATOM, 0,
		C | EXCL,
	};

	return caps[slot % ARRAY_SIZE(caps)];
}

static __printf(2, 3) void stress_error(struct stress *st, const char *fmt, ...)
{
	va_list args;

	if (atomic_inc_return(&st->errors) != 1)
		return;
	spin_lock(&st->lock);
	va_start(args, fmt);
	vsnprintf(st->first_error, sizeof(st->first_error), fmt, args);
	va_end(args);
	spin_unlock(&st->lock);
}

static void stress_idle(void)
{
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
}

/* Registry writer: slots of one parity, registered and unregistered. */
static int stress_registry(void *data, int parity)
{
	struct stress *st = data;
	int i, slot, ret;

	for (i = 0; i < STRESS_PAIRS && !kthread_should_stop(); i++) {
		slot = 2 * (i % (STRESS_SLOTS / 2)) + parity;
		ret = memcap_register(slot_start(slot), SZ_2M, slot_caps(slot),
				      "memcap_stress");
		if (ret)
			stress_error(st, "register slot %d: %d", slot, ret);
		ret = memcap_unregister(slot_start(slot), SZ_2M);
		if (ret)
			stress_error(st, "unregister slot %d: %d", slot, ret);
		atomic_long_add(2, &st->ops[OP_REG]);
		cond_resched();
	}
	atomic_dec(&st->writers);
	stress_idle();
	return 0;
}

static int stress_registry_even(void *data)
{
	return stress_registry(data, 0);
}

static int stress_registry_odd(void *data)
{
	return stress_registry(data, 1);
}

/*
 * memremap and memunmap a GENERIC pgmap, every other time over a record
 * that states RAM-like caps: the pgmap's proof is RAM with the record's
 * caps, or assumed without one.
 */
static int stress_remap(void *data)
{
	unsigned int rec_caps = memcap_baseline() & ~TAGS, caps;
	struct stress *st = data;
	struct dev_pagemap *pgmap = &st->pgmap;
	enum memcap_pgmap_proof got;
	bool recorded, bad;
	phys_addr_t start;
	int i, c, ret;
	void *va;

	for (i = 0; i < STRESS_REMAPS && !kthread_should_stop(); i++) {
		start = devmem_start + (i % STRESS_CHUNKS) * MAPLEN;
		recorded = i & 1;
		memset(pgmap, 0, sizeof(*pgmap));
		pgmap->type = MEMORY_DEVICE_GENERIC;
		pgmap->range.start = start;
		pgmap->range.end = start + MAPLEN - 1;
		pgmap->nr_range = 1;
		c = i % STRESS_CHUNKS;
		if (recorded) {
			atomic_set(&st->stolen[c], 0);
			atomic_inc(&st->gen[c]);
			if (memcap_register(start, MAPLEN, rec_caps, "memcap_stress"))
				stress_error(st, "register chunk %pa", &start);
		}
		va = memremap_pages(pgmap, 0);
		if (IS_ERR(va)) {
			stress_error(st, "memremap %pa: %ld", &start, PTR_ERR(va));
		} else {
			got = memcap_pfn_proof(PHYS_PFN(start), &caps);
			/* stress_withdraw() may take the record before the pin. */
			if (got == MEMCAP_PGMAP_RAM)
				bad = !recorded || caps != rec_caps ||
				      memcap_lookup_pfn(PHYS_PFN(start),
							PHYS_PFN(MAPLEN), &caps) !=
				      MEMCAP_COVERED;
			else
				bad = got != MEMCAP_PGMAP_ASSUMED ||
				      (recorded && !stress_taken(st, c));
			if (bad)
				stress_error(st, "pgmap %pa: proof %d caps %#x",
					     &start, got, caps);
			memunmap_pages(pgmap);
		}
		ret = recorded ? memcap_unregister(start, MAPLEN) : 0;
		if (ret && !(ret == -ENOENT && stress_taken(st, c)))
			stress_error(st, "unregister chunk %pa: %d", &start, ret);
		atomic_long_add(2, &st->ops[OP_REMAP]);
	}
	atomic_dec(&st->writers);
	stress_idle();
	return 0;
}

/*
 * A driver withdrawing the records that stress_remap() registers, at any
 * moment: 0 only while no pgmap's proof rests on the record (a pgmap
 * pins the records that stated its capabilities), else -EBUSY; -ENOENT
 * when there is none.  Right after it took a record, no pgmap of the
 * chunk may claim it, unless stress_remap() registered anew meanwhile.
 */
static int stress_withdraw(void *data)
{
	struct stress *st = data;
	enum memcap_pgmap_proof proof;
	phys_addr_t start;
	unsigned int caps;
	int i, c, gen, ret;

	for (i = 0; i < STRESS_PAIRS && !kthread_should_stop(); i++) {
		c = 1 + 2 * (i & 1);		/* the recorded chunks */
		start = devmem_start + c * MAPLEN;
		gen = atomic_read(&st->gen[c]);
		/*
		 * Announced before the unregister (whose lock publishes it),
		 * so that stress_remap(), finding the record gone, knows who
		 * took it even before stolen is set.
		 */
		atomic_set(&st->taking[c], 1);
		ret = memcap_unregister(start, MAPLEN);
		if (!ret) {
			atomic_set(&st->stolen[c], 1);
			proof = memcap_pfn_proof(PHYS_PFN(start), &caps);
			if (proof == MEMCAP_PGMAP_RAM &&
			    atomic_read(&st->gen[c]) == gen)
				stress_error(st, "chunk %d: record gone under its pgmap",
					     c);
		} else if (ret != -ENOENT && ret != -EBUSY) {
			stress_error(st, "withdraw chunk %d: %d", c, ret);
		}
		atomic_set_release(&st->taking[c], 0);
		atomic_long_inc(&st->ops[OP_WITHDRAW]);
		cond_resched();
	}
	atomic_dec(&st->writers);
	stress_idle();
	return 0;
}

/*
 * Hot-add and hot-remove a memory block, every other time over a record
 * with the baseline; without one, strict mode refuses it where the
 * assumption lacks tags (-cpu max).
 */
static int stress_hotplug(void *data)
{
	struct stress *st = data;
	bool recorded, want_ok;
	int i, ret;

	for (i = 0; i < STRESS_HOTPLUGS && !kthread_should_stop(); i++) {
		recorded = !(i & 1);
		want_ok = recorded || !want_strict() || !machines[st->m].mte;
		if (recorded && memcap_register(st->hp_start, st->hp_size,
						machines[st->m].baseline,
						"memcap_stress"))
			stress_error(st, "register block");
		ret = add_memory_driver_managed(0, st->hp_start, st->hp_size,
						"System RAM (memcap_stress)",
						MHP_NONE);
		if (ret != (want_ok ? 0 : -EPERM))
			stress_error(st, "hot-add (record %d): %d", recorded, ret);
		if (!ret && remove_memory(st->hp_start, st->hp_size))
			stress_error(st, "hot-remove failed");
		if (recorded && memcap_unregister(st->hp_start, st->hp_size))
			stress_error(st, "unregister block");
		atomic_long_add(2, &st->ops[OP_HOTPLUG]);
	}
	atomic_dec(&st->writers);
	stress_idle();
	return 0;
}

/* Lock-free readers, until every writer is done. */
static int stress_lookup(void *data)
{
	unsigned int rec_caps = memcap_baseline() & ~TAGS;
	struct stress *st = data;
	bool bad;
	enum memcap_coverage cov;
	enum memcap_pgmap_proof proof;
	unsigned int caps;
	unsigned long n = 0;
	int slot;

	while ((atomic_read(&st->writers) || n < STRESS_READS) &&
	       !kthread_should_stop()) {
		slot = n % STRESS_SLOTS;
		cov = memcap_lookup_pfn(PHYS_PFN(slot_start(slot)),
					PHYS_PFN(SZ_2M), &caps);
		if (cov == MEMCAP_PARTIAL ||
		    (cov == MEMCAP_COVERED && caps != slot_caps(slot)))
			stress_error(st, "slot %d: coverage %d caps %#x", slot,
				     cov, caps);
		atomic_long_inc(&st->ops[OP_LOOKUP]);
		/*
		 * As KVM's fault path asks for a pfn's pgmap: stress_remap()
		 * maps odd chunks over a record, even ones without.
		 */
		slot = n % STRESS_CHUNKS;
		proof = memcap_pfn_proof(PHYS_PFN(devmem_start + slot * MAPLEN),
					 &caps);
		if (slot & 1)	/* ASSUMED: stress_withdraw() took the record */
			bad = proof != MEMCAP_PGMAP_NONE &&
			      proof != MEMCAP_PGMAP_ASSUMED &&
			      (proof != MEMCAP_PGMAP_RAM || caps != rec_caps);
		else
			bad = proof != MEMCAP_PGMAP_NONE &&
			      proof != MEMCAP_PGMAP_ASSUMED;
		if (bad)
			stress_error(st, "chunk %d: proof %d caps %#x", slot,
				     proof, caps);
		atomic_long_inc(&st->ops[OP_PROOF]);
		/* The hot-plug block: its record, whole, or none. */
		cov = memcap_lookup_pfn(PHYS_PFN(st->hp_start),
					PHYS_PFN(st->hp_size), &caps);
		if (cov == MEMCAP_PARTIAL ||
		    (cov == MEMCAP_COVERED && caps != machines[st->m].baseline))
			stress_error(st, "hot-plug block: coverage %d caps %#x",
				     cov, caps);
		if (!(++n % 64))
			cond_resched();
	}
	stress_idle();
	return 0;
}

static int count_block(struct memory_block *mem, void *arg)
{
	(*(unsigned long *)arg)++;
	return 0;
}

static void memcap_test_stress(struct kunit *test)
{
	static int (* const writers[])(void *) = {
		stress_registry_even, stress_registry_odd, stress_remap,
		stress_hotplug, stress_withdraw,
	};
	struct task_struct *t[ARRAY_SIZE(writers) + 2];
	unsigned long records, pgmaps, total = 0, blocks = 0, nr_blocks = 0;
	unsigned int caps;
	struct stress *st;
	ktime_t t0;
	int i;

	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	st->m = this_machine(test);
	if (st->m == M_NR || !have_devmem(test))
		return;
	st->test = test;
	spin_lock_init(&st->lock);
	st->hp_size = memory_block_size_bytes();
	st->hp_start = ALIGN_DOWN(devmem_start + devmem_size - st->hp_size,
				  st->hp_size);
	KUNIT_ASSERT_GE(test, st->hp_start, devmem_start + SZ_128M);
	records = memcap_record_count();
	pgmaps = memcap_pgmap_count();
	KUNIT_ASSERT_EQ(test, for_each_memory_block(&nr_blocks, count_block), 0);
	atomic_set(&st->writers, ARRAY_SIZE(writers));

	/* Every thread exists before any runs: a failure stops them all. */
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		if (i < ARRAY_SIZE(writers))
			t[i] = kthread_create(writers[i], st, "memcap-stress/%d", i);
		else
			t[i] = kthread_create(stress_lookup, st, "memcap-lookup/%d",
					      i);
		if (IS_ERR(t[i])) {
			KUNIT_FAIL(test, "kthread_create: %ld", PTR_ERR(t[i]));
			while (i--)
				kthread_stop(t[i]);
			return;
		}
	}
	/* One reader on each CPU. */
	kthread_bind(t[ARRAY_SIZE(writers)], 0);
	kthread_bind(t[ARRAY_SIZE(writers) + 1], 1 % num_online_cpus());
	t0 = ktime_get();
	for (i = 0; i < ARRAY_SIZE(t); i++)
		wake_up_process(t[i]);
	/* Writers, then the readers' minimum; 10 minutes at most. */
	while ((atomic_read(&st->writers) ||
		atomic_long_read(&st->ops[OP_LOOKUP]) < 2L * STRESS_READS) &&
	       ktime_ms_delta(ktime_get(), t0) < 600000)
		msleep(20);
	for (i = 0; i < ARRAY_SIZE(t); i++)
		kthread_stop(t[i]);

	for (i = 0; i < ARRAY_SIZE(st->ops); i++)
		total += atomic_long_read(&st->ops[i]);
	kunit_info(test, "%lu operations in %lld ms: %ld register/unregister, %ld record lookups, %ld pgmap lookups, %ld memremap/memunmap, %ld hot-add/remove, %ld withdrawals racing memremap; %d errors\n",
		   total, ktime_ms_delta(ktime_get(), t0),
		   atomic_long_read(&st->ops[OP_REG]),
		   atomic_long_read(&st->ops[OP_LOOKUP]),
		   atomic_long_read(&st->ops[OP_PROOF]),
		   atomic_long_read(&st->ops[OP_REMAP]),
		   atomic_long_read(&st->ops[OP_HOTPLUG]),
		   atomic_long_read(&st->ops[OP_WITHDRAW]),
		   atomic_read(&st->errors));
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&st->errors), 0, "first: %s",
			    st->first_error);
	KUNIT_EXPECT_GE(test, total, 10000UL * stress_scale);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&st->ops[OP_REG]),
			2L * 2 * STRESS_PAIRS);
	KUNIT_EXPECT_GE(test, atomic_long_read(&st->ops[OP_LOOKUP]),
			2L * STRESS_READS);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&st->ops[OP_REMAP]),
			2L * STRESS_REMAPS);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&st->ops[OP_HOTPLUG]),
			2L * STRESS_HOTPLUGS);

	/* Everything back where it started. */
	KUNIT_EXPECT_EQ(test, memcap_record_count(), records);
	KUNIT_EXPECT_EQ(test, memcap_pgmap_count(), pgmaps);
	for (i = 0; i < STRESS_SLOTS; i++)
		KUNIT_EXPECT_EQ(test, memcap_lookup_pfn(PHYS_PFN(slot_start(i)),
							PHYS_PFN(SZ_2M), &caps),
				MEMCAP_UNCOVERED);
	expect_nothing_left(test, devmem_start, STRESS_CHUNKS * MAPLEN);
	expect_nothing_left(test, st->hp_start, st->hp_size);
	KUNIT_EXPECT_EQ(test, for_each_memory_block(&blocks, count_block),
			0);
	KUNIT_EXPECT_EQ(test, blocks, nr_blocks);
}

static struct kunit_case memcap_stress_cases[] = {
	KUNIT_CASE_SLOW(memcap_test_stress),
	{}
};

static struct kunit_suite memcap_stress_suite = {
	.name = "memcap_stress",
	.test_cases = memcap_stress_cases,
};

kunit_test_suite(memcap_stress_suite);
#endif

kunit_test_suite(memcap_policy_suite);

MODULE_DESCRIPTION("KUnit tests for the memcap mm policy");
MODULE_LICENSE("GPL");
