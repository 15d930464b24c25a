// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the memory capability registry and the baseline.
 *
 * Most cases run on a private registry, so that they cannot disturb (or be
 * disturbed by) the records of real drivers; the devm and resource cases
 * use the global registry at a physical address far above any RAM.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/ioport.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/memblock.h>
#include <linux/memcap.h>
#include <linux/moduleparam.h>
#include <linux/pfn.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sizes.h>

#ifdef CONFIG_ARM64
#include <linux/cpufeature.h>
#endif

#include "memcap_internal.h"

#define P		PAGE_SIZE
#define BASE		BIT_ULL(32)
#define PFN(addr)	PHYS_PFN(addr)
/* Far above RAM and devices on any platform these tests boot on. */
#define GLOBAL_BASE	BIT_ULL(44)

#define C	MEMCAP_CACHEABLE
#define COH	MEMCAP_COHERENT
#define EXCL	MEMCAP_EXCLUSIVES
#define ATOM	MEMCAP_ATOMICS
#define TAGS	MEMCAP_TAGS

static u64 seed;
module_param(seed, ullong, 0444);
MODULE_PARM_DESC(seed, "seed of the randomised differential test (0: random)");

struct memcap_test_ctx {
	struct memcap_registry reg;
};

static int memcap_test_init(struct kunit *test)
{
	struct memcap_test_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	memcap_registry_init(&ctx->reg);
	test->priv = ctx;
	return 0;
}

static void memcap_test_exit(struct kunit *test)
{
	struct memcap_test_ctx *ctx = test->priv;

	memcap_registry_destroy(&ctx->reg);
}

static struct memcap_registry *test_reg(struct kunit *test)
{
	return &((struct memcap_test_ctx *)test->priv)->reg;
}

/* Lookup helper: coverage, with caps set to ~0 when the lookup left it. */
static enum memcap_coverage lookup(struct memcap_registry *reg,
				   phys_addr_t start, phys_addr_t size,
				   unsigned int *caps)
{
	*caps = ~0U;
	return memcap_registry_lookup(reg, PFN(start), PFN(size), caps);
}

/* ---- Bad input: each refusal returns its errno and leaves nothing ---- */

enum memcap_op { OP_REGISTER, OP_UNREGISTER };

struct bad_case {
	const char *name;
	enum memcap_op op;
	phys_addr_t start;
	phys_addr_t size;
	unsigned int caps;
	const char *owner;
	int err;
};

/* Every bad case runs with one record already at [BASE + 16P, BASE + 32P). */
#define PRE_START	(BASE + 16 * P)
#define PRE_SIZE	(16 * P)
#define PRE_CAPS	(C | COH)
#define TOP_PAGE	(PHYS_ADDR_MAX & PAGE_MASK)

static const struct bad_case bad_cases[] = {
	{ "register zero size", OP_REGISTER, BASE, 0, C, "t", -EINVAL },
	{ "register start not page aligned", OP_REGISTER, BASE + 1, P, C, "t", -EINVAL },
	{ "register size not page aligned", OP_REGISTER, BASE, P + 512, C, "t", -EINVAL },
	{ "register size below a page", OP_REGISTER, BASE, 1, C, "t", -EINVAL },
	{ "register wraps around", OP_REGISTER, TOP_PAGE, 2 * P, C, "t", -EINVAL },
	{ "register huge size wraps", OP_REGISTER, BASE, TOP_PAGE, C, "t", -EINVAL },
	{ "register unknown bit", OP_REGISTER, BASE, P, C | (1U << 5), "t", -EOPNOTSUPP },
	{ "register top bit", OP_REGISTER, BASE, P, C | (1U << 31), "t", -EOPNOTSUPP },
	{ "register all bits", OP_REGISTER, BASE, P, ~0U, "t", -EOPNOTSUPP },
	{ "register tags without cacheable", OP_REGISTER, BASE, P, TAGS, "t", -EINVAL },
	{ "register coherent without cacheable", OP_REGISTER, BASE, P, COH, "t", -EINVAL },
	{ "register exclusives without cacheable", OP_REGISTER, BASE, P, EXCL, "t", -EINVAL },
	{ "register atomics without cacheable", OP_REGISTER, BASE, P, ATOM, "t", -EINVAL },
	{ "register NULL owner", OP_REGISTER, BASE, P, C, NULL, -EINVAL },
	{ "register empty owner", OP_REGISTER, BASE, P, C, "", -EINVAL },
	{ "register same range", OP_REGISTER, PRE_START, PRE_SIZE, C, "t", -EEXIST },
	{ "register overlapping head", OP_REGISTER, BASE + 8 * P, 9 * P, C, "t", -EEXIST },
	{ "register overlapping tail", OP_REGISTER, BASE + 31 * P, 2 * P, C, "t", -EEXIST },
	{ "register inside", OP_REGISTER, BASE + 20 * P, P, C, "t", -EEXIST },
	{ "register containing", OP_REGISTER, BASE, 64 * P, C, "t", -EEXIST },
	{ "register first page", OP_REGISTER, PRE_START, P, C, "t", -EEXIST },
	{ "register last page", OP_REGISTER, BASE + 31 * P, P, C, "t", -EEXIST },
	{ "unregister unknown range", OP_UNREGISTER, BASE, P, 0, NULL, -ENOENT },
	{ "unregister first page of record", OP_UNREGISTER, PRE_START, P, 0, NULL, -ENOENT },
	{ "unregister tail of record", OP_UNREGISTER, BASE + 17 * P, 15 * P, 0, NULL, -ENOENT },
	{ "unregister superset of record", OP_UNREGISTER, BASE + 15 * P, 18 * P, 0, NULL, -ENOENT },
	{ "unregister zero size", OP_UNREGISTER, PRE_START, 0, 0, NULL, -EINVAL },
	{ "unregister misaligned", OP_UNREGISTER, PRE_START + 8, PRE_SIZE, 0, NULL, -EINVAL },
	{ "unregister wraps around", OP_UNREGISTER, TOP_PAGE, 2 * P, 0, NULL, -EINVAL },
};

KUNIT_ARRAY_PARAM_DESC(bad, bad_cases, name);

static void memcap_test_bad_input(struct kunit *test)
{
	const struct bad_case *bc = test->param_value;
	struct memcap_registry *reg = test_reg(test);
	enum memcap_coverage before = MEMCAP_UNCOVERED, after;
	unsigned int caps_before = 0, caps_after;
	bool valid = !memcap_check_range(bc->start, bc->size);
	int ret;

	ret = memcap_registry_insert(reg, PRE_START, PRE_SIZE, PRE_CAPS, "pre");
	KUNIT_ASSERT_EQ(test, ret, 0);
	if (valid)
		before = lookup(reg, bc->start, bc->size, &caps_before);

	if (bc->op == OP_REGISTER)
		ret = memcap_registry_insert(reg, bc->start, bc->size,
					     bc->caps, bc->owner);
	else
		ret = memcap_registry_remove(reg, bc->start, bc->size);
	KUNIT_EXPECT_EQ(test, ret, bc->err);

	/* Nothing left behind, nothing taken away. */
	KUNIT_EXPECT_EQ(test, memcap_registry_count(reg), 1UL);
	KUNIT_EXPECT_EQ(test, lookup(reg, PRE_START, PRE_SIZE, &caps_after),
			MEMCAP_COVERED);
	KUNIT_EXPECT_EQ(test, caps_after, PRE_CAPS);
	if (valid) {
		after = lookup(reg, bc->start, bc->size, &caps_after);
		KUNIT_EXPECT_EQ(test, after, before);
		if (before != MEMCAP_UNCOVERED)
			KUNIT_EXPECT_EQ(test, caps_after, caps_before);
	}
}

/* Every 5-bit mask: the consistent ones are stored exactly, others refused. */
static void memcap_test_every_caps_mask(struct kunit *test)
{
	struct memcap_registry *reg = test_reg(test);
	unsigned int mask, caps, accepted = 0;
	int ret;

	for (mask = 0; mask <= MEMCAP_ALL; mask++) {
		phys_addr_t start = BASE + mask * P;
		bool ok = !(mask & MEMCAP_NEED_CACHEABLE) || (mask & C);

		KUNIT_EXPECT_EQ(test, memcap_caps_valid(mask), ok);
		ret = memcap_registry_insert(reg, start, P, mask, "mask");
		KUNIT_EXPECT_EQ_MSG(test, ret, ok ? 0 : -EINVAL, "mask %#x", mask);
		if (ok) {
			accepted++;
			KUNIT_EXPECT_EQ(test, lookup(reg, start, P, &caps),
					MEMCAP_COVERED);
			KUNIT_EXPECT_EQ_MSG(test, caps, mask, "mask %#x", mask);
		} else {
			KUNIT_EXPECT_EQ(test, lookup(reg, start, P, &caps),
					MEMCAP_UNCOVERED);
		}
	}
	/* 0, and cacheable with any subset of the four others. */
	KUNIT_EXPECT_EQ(test, accepted, 17U);
	KUNIT_EXPECT_EQ(test, memcap_registry_count(reg), 17UL);
}

/* ---- Boundaries ---- */

static void memcap_test_first_and_last_page(struct kunit *test)
{
	struct memcap_registry *reg = test_reg(test);
	phys_addr_t s = BASE + 4 * P;
	unsigned int caps;

	KUNIT_ASSERT_EQ(test, 0, memcap_registry_insert(reg, s, 4 * P,
							C | COH | ATOM, "r"));
	KUNIT_EXPECT_EQ(test, lookup(reg, s, P, &caps), MEMCAP_COVERED);
	KUNIT_EXPECT_EQ(test, caps, C | COH | ATOM);
	KUNIT_EXPECT_EQ(test, lookup(reg, s + 3 * P, P, &caps), MEMCAP_COVERED);
	KUNIT_EXPECT_EQ(test, caps, C | COH | ATOM);
	KUNIT_EXPECT_EQ(test, lookup(reg, s, 4 * P, &caps), MEMCAP_COVERED);
	KUNIT_EXPECT_EQ(test, lookup(reg, s + P, 2 * P, &caps), MEMCAP_COVERED);
}

static void memcap_test_outside_neighbours(struct kunit *test)
{
	struct memcap_registry *reg = test_reg(test);
	phys_addr_t s = BASE + 4 * P;
	unsigned int caps;

	KUNIT_ASSERT_EQ(test, 0, memcap_registry_insert(reg, s, 4 * P, C, "r"));
	/* The page before and the page one past the end are not covered. */
	KUNIT_EXPECT_EQ(test, lookup(reg, s - P, P, &caps), MEMCAP_UNCOVERED);
	KUNIT_EXPECT_EQ(test, caps, ~0U);
	KUNIT_EXPECT_EQ(test, lookup(reg, s + 4 * P, P, &caps),
			MEMCAP_UNCOVERED);
	KUNIT_EXPECT_EQ(test, caps, ~0U);
	/* One page over either edge is partial. */
	KUNIT_EXPECT_EQ(test, lookup(reg, s - P, 2 * P, &caps), MEMCAP_PARTIAL);
	KUNIT_EXPECT_EQ(test, caps, C);
	KUNIT_EXPECT_EQ(test, lookup(reg, s + 3 * P, 2 * P, &caps),
			MEMCAP_PARTIAL);
	KUNIT_EXPECT_EQ(test, lookup(reg, s - P, 6 * P, &caps), MEMCAP_PARTIAL);
}

static void memcap_test_adjacent_records(struct kunit *test)
{
	struct memcap_registry *reg = test_reg(test);
	unsigned int a = C | COH | EXCL | ATOM, b = C | COH | TAGS, caps;

	KUNIT_ASSERT_EQ(test, 0, memcap_registry_insert(reg, BASE, 4 * P, a, "a"));
	KUNIT_ASSERT_EQ(test, 0, memcap_registry_insert(reg, BASE + 4 * P,
							4 * P, b, "b"));
	KUNIT_EXPECT_EQ(test, memcap_registry_count(reg), 2UL);
	KUNIT_EXPECT_EQ(test, lookup(reg, BASE + 3 * P, P, &caps), MEMCAP_COVERED);
	KUNIT_EXPECT_EQ(test, caps, a);
	KUNIT_EXPECT_EQ(test, lookup(reg, BASE + 4 * P, P, &caps), MEMCAP_COVERED);
	KUNIT_EXPECT_EQ(test, caps, b);
	/*
	 * Straddling the seam: every page is described, by two records, so
	 * the range is covered with what both records state (C | COH).
	 */
	KUNIT_EXPECT_EQ(test, lookup(reg, BASE + 3 * P, 2 * P, &caps),
			MEMCAP_COVERED);
	KUNIT_EXPECT_EQ(test, caps, C | COH);
	KUNIT_EXPECT_EQ(test, lookup(reg, BASE, 8 * P, &caps), MEMCAP_COVERED);
	KUNIT_EXPECT_EQ(test, caps, C | COH);
	/* One page past the second record: a hole at the end. */
	KUNIT_EXPECT_EQ(test, lookup(reg, BASE, 9 * P, &caps), MEMCAP_PARTIAL);
	KUNIT_EXPECT_EQ(test, caps, C | COH);
	/* A third record after a one-page hole: partial, whatever its caps. */
	KUNIT_ASSERT_EQ(test, 0, memcap_registry_insert(reg, BASE + 9 * P,
							4 * P, a, "c"));
	KUNIT_EXPECT_EQ(test, lookup(reg, BASE + 4 * P, 8 * P, &caps),
			MEMCAP_PARTIAL);
	KUNIT_EXPECT_EQ(test, caps, C | COH);
	KUNIT_EXPECT_EQ(test, lookup(reg, BASE + 9 * P, 4 * P, &caps),
			MEMCAP_COVERED);
	KUNIT_EXPECT_EQ(test, caps, a);
}

static void memcap_test_straddle_hole(struct kunit *test)
{
	struct memcap_registry *reg = test_reg(test);
	unsigned int caps;

	KUNIT_ASSERT_EQ(test, 0, memcap_registry_insert(reg, BASE, 4 * P,
							C | COH, "a"));
	KUNIT_ASSERT_EQ(test, 0, memcap_registry_insert(reg, BASE + 8 * P, 4 * P,
							C | ATOM, "b"));
	KUNIT_EXPECT_EQ(test, lookup(reg, BASE, 12 * P, &caps), MEMCAP_PARTIAL);
	KUNIT_EXPECT_EQ(test, caps, C);
	KUNIT_EXPECT_EQ(test, lookup(reg, BASE + 4 * P, 4 * P, &caps),
			MEMCAP_UNCOVERED);
	KUNIT_EXPECT_EQ(test, lookup(reg, BASE + 6 * P, 4 * P, &caps),
			MEMCAP_PARTIAL);
	KUNIT_EXPECT_EQ(test, caps, C | ATOM);
}

static void memcap_test_degenerate_lookups(struct kunit *test)
{
	struct memcap_registry *reg = test_reg(test);
	unsigned int caps = 0x5a5a;

	KUNIT_ASSERT_EQ(test, 0, memcap_registry_insert(reg, BASE, 4 * P, C, "a"));
	KUNIT_EXPECT_EQ(test, memcap_registry_lookup(reg, PFN(BASE), 0, &caps),
			MEMCAP_UNCOVERED);
	KUNIT_EXPECT_EQ(test, memcap_registry_lookup(reg, PFN(BASE), ULONG_MAX,
						     &caps), MEMCAP_UNCOVERED);
	KUNIT_EXPECT_EQ(test, caps, 0x5a5aU);
}

static void memcap_test_top_of_address_space(struct kunit *test)
{
	struct memcap_registry *reg = test_reg(test);
	phys_addr_t last = PHYS_ADDR_MAX & PAGE_MASK;
	unsigned int caps;

	KUNIT_EXPECT_EQ(test, 0, memcap_registry_insert(reg, last, P, C, "top"));
	KUNIT_EXPECT_EQ(test, lookup(reg, last, P, &caps), MEMCAP_COVERED);
	KUNIT_EXPECT_EQ(test, lookup(reg, last - P, 2 * P, &caps),
			MEMCAP_PARTIAL);
	KUNIT_EXPECT_EQ(test, 0, memcap_registry_remove(reg, last, P));
	KUNIT_EXPECT_EQ(test, memcap_registry_count(reg), 0UL);
}

/* ---- Lifecycle ---- */

static void memcap_test_reregister(struct kunit *test)
{
	struct memcap_registry *reg = test_reg(test);
	unsigned int caps;

	KUNIT_ASSERT_EQ(test, 0, memcap_registry_insert(reg, BASE, 8 * P, C, "x"));
	KUNIT_EXPECT_EQ(test, 0, memcap_registry_remove(reg, BASE, 8 * P));
	KUNIT_EXPECT_EQ(test, lookup(reg, BASE, 8 * P, &caps), MEMCAP_UNCOVERED);
	KUNIT_EXPECT_EQ(test, -ENOENT, memcap_registry_remove(reg, BASE, 8 * P));
	KUNIT_EXPECT_EQ(test, 0, memcap_registry_insert(reg, BASE, 8 * P,
							C | COH | TAGS, "x"));
	KUNIT_EXPECT_EQ(test, lookup(reg, BASE, 8 * P, &caps), MEMCAP_COVERED);
	KUNIT_EXPECT_EQ(test, caps, C | COH | TAGS);
	/* A different split of the same pages is a different range. */
	KUNIT_EXPECT_EQ(test, 0, memcap_registry_remove(reg, BASE, 8 * P));
	KUNIT_EXPECT_EQ(test, 0, memcap_registry_insert(reg, BASE, 4 * P, C, "y"));
	KUNIT_EXPECT_EQ(test, 0, memcap_registry_insert(reg, BASE + 4 * P, 4 * P,
							C, "z"));
	KUNIT_EXPECT_EQ(test, memcap_registry_count(reg), 2UL);
}

static void memcap_test_owner_copied(struct kunit *test)
{
	struct memcap_registry *reg = test_reg(test);
	struct memcap_record *rec;
	char name[16] = "gpu0";

	KUNIT_ASSERT_EQ(test, 0, memcap_registry_insert(reg, BASE, P, C, name));
	strscpy(name, "changed", sizeof(name));
	rcu_read_lock();
	rec = mtree_load(&reg->tree, PFN(BASE));
	KUNIT_EXPECT_NOT_NULL(test, rec);
	if (rec)
		KUNIT_EXPECT_STREQ(test, rec->owner, "gpu0");
	rcu_read_unlock();
}

static void memcap_test_destroy_empties(struct kunit *test)
{
	struct memcap_registry *reg = test_reg(test);
	unsigned int caps;
	int i, ret;

	for (i = 0; i < 64; i++) {
		ret = memcap_registry_insert(reg, BASE + i * 2 * P, P, C, "many");
		KUNIT_ASSERT_EQ(test, ret, 0);
	}
	KUNIT_EXPECT_EQ(test, memcap_registry_count(reg), 64UL);
	memcap_registry_destroy(reg);
	KUNIT_EXPECT_EQ(test, memcap_registry_count(reg), 0UL);
	KUNIT_EXPECT_EQ(test, lookup(reg, BASE, 128 * P, &caps),
			MEMCAP_UNCOVERED);
	/* The registry is usable again after destroy. */
	memcap_registry_init(reg);
	KUNIT_EXPECT_EQ(test, 0, memcap_registry_insert(reg, BASE, P, C, "again"));
}

/* The public API on the global registry, far above any RAM. */
static void memcap_test_global_api(struct kunit *test)
{
	phys_addr_t s = GLOBAL_BASE;
	unsigned int caps = 0;

	KUNIT_EXPECT_EQ(test, memcap_lookup_pfn(PFN(s), 4, &caps),
			MEMCAP_UNCOVERED);
	KUNIT_ASSERT_EQ(test, 0, memcap_register(s, 4 * P, C | COH, "kunit"));
	KUNIT_EXPECT_EQ(test, memcap_lookup_pfn(PFN(s), 4, &caps),
			MEMCAP_COVERED);
	KUNIT_EXPECT_EQ(test, caps, C | COH);
	KUNIT_EXPECT_EQ(test, -EEXIST, memcap_register(s, P, C, "kunit"));
	KUNIT_EXPECT_EQ(test, -ENOENT, memcap_unregister(s, P));
	KUNIT_EXPECT_EQ(test, 0, memcap_unregister(s, 4 * P));
	KUNIT_EXPECT_EQ(test, memcap_lookup_pfn(PFN(s), 4, &caps),
			MEMCAP_UNCOVERED);
}

static void memcap_test_devm_release(struct kunit *test)
{
	phys_addr_t s = GLOBAL_BASE + 64 * P;
	struct device *dev;
	unsigned int caps = 0;

	dev = kunit_device_register(test, "memcap-devm");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	KUNIT_ASSERT_EQ(test, 0, devm_memcap_register(dev, s, 8 * P,
						      C | COH | EXCL));
	KUNIT_EXPECT_EQ(test, memcap_lookup_pfn(PFN(s), 8, &caps),
			MEMCAP_COVERED);
	KUNIT_EXPECT_EQ(test, caps, C | COH | EXCL);
	kunit_device_unregister(test, dev);
	KUNIT_EXPECT_EQ(test, memcap_lookup_pfn(PFN(s), 8, &caps),
			MEMCAP_UNCOVERED);
}

/* A devm registration that fails must not remove somebody else's record. */
static void memcap_test_devm_failure_leaves_nothing(struct kunit *test)
{
	phys_addr_t s = GLOBAL_BASE + 128 * P;
	struct device *dev;
	unsigned int caps = 0;

	KUNIT_ASSERT_EQ(test, 0, memcap_register(s, 4 * P, C, "other"));
	dev = kunit_device_register(test, "memcap-devm-fail");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	KUNIT_EXPECT_EQ(test, -EEXIST, devm_memcap_register(dev, s, 4 * P, C));
	KUNIT_EXPECT_EQ(test, -EINVAL, devm_memcap_register(dev, s, 0, C));
	KUNIT_EXPECT_EQ(test, -EOPNOTSUPP,
			devm_memcap_register(dev, s + 8 * P, P, 1U << 9));
	kunit_device_unregister(test, dev);
	KUNIT_EXPECT_EQ(test, memcap_lookup_pfn(PFN(s), 4, &caps),
			MEMCAP_COVERED);
	KUNIT_EXPECT_EQ(test, memcap_lookup_pfn(PFN(s + 8 * P), 1, &caps),
			MEMCAP_UNCOVERED);
	KUNIT_EXPECT_EQ(test, 0, memcap_unregister(s, 4 * P));
}

static void memcap_test_resource_helpers(struct kunit *test)
{
	struct resource mem = DEFINE_RES_MEM_NAMED(GLOBAL_BASE + 256 * P,
						   16 * P, "kunit-bar");
	struct resource io = DEFINE_RES_IO(0x1000, 0x100);
	struct device *dev;
	unsigned int caps = 0;

	KUNIT_EXPECT_EQ(test, -EINVAL, memcap_register_resource(&io, C, "io"));
	KUNIT_EXPECT_EQ(test, -EINVAL, memcap_register_resource(NULL, C, "x"));
	KUNIT_ASSERT_EQ(test, 0, memcap_register_resource(&mem, C | COH, NULL));
	KUNIT_EXPECT_EQ(test, memcap_lookup_pfn(PFN(mem.start), 16, &caps),
			MEMCAP_COVERED);
	KUNIT_EXPECT_EQ(test, memcap_lookup_pfn(PFN(mem.end) + 1, 1, &caps),
			MEMCAP_UNCOVERED);
	KUNIT_EXPECT_EQ(test, 0, memcap_unregister(mem.start,
						   resource_size(&mem)));

	dev = kunit_device_register(test, "memcap-res");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	KUNIT_EXPECT_EQ(test, -EINVAL,
			devm_memcap_register_resource(dev, &io, C));
	KUNIT_ASSERT_EQ(test, 0, devm_memcap_register_resource(dev, &mem, C));
	KUNIT_EXPECT_EQ(test, memcap_lookup_pfn(PFN(mem.start), 16, &caps),
			MEMCAP_COVERED);
	kunit_device_unregister(test, dev);
	KUNIT_EXPECT_EQ(test, memcap_lookup_pfn(PFN(mem.start), 16, &caps),
			MEMCAP_UNCOVERED);
}

/* ---- Randomised differential test against a reference model ---- */

#define MODEL_PAGES	96
#define MODEL_RECORDS	MODEL_PAGES
#define MODEL_OPS	20000

struct model {
	int owner[MODEL_PAGES];		/* record index, or -1 */
	struct {
		unsigned int first, nr, caps;
		bool live;
	} rec[MODEL_RECORDS];
	unsigned int nr_live;
};

static unsigned int rnd(struct rnd_state *st, unsigned int n)
{
	return prandom_u32_state(st) % n;
}

static enum memcap_coverage model_lookup(struct model *m, unsigned int first,
					 unsigned int nr, unsigned int *caps)
{
	bool any = false, all_owned = true;
	unsigned int i, common = ~0U;

	for (i = first; i < first + nr; i++) {
		int o = i < MODEL_PAGES ? m->owner[i] : -1;

		if (o < 0)
			all_owned = false;
		if (o >= 0) {
			any = true;
			common &= m->rec[o].caps;
		}
	}
	if (!any)
		return MEMCAP_UNCOVERED;
	*caps = common;
	/* Covered when every page has a record, one or several. */
	return all_owned ? MEMCAP_COVERED : MEMCAP_PARTIAL;
}

static void memcap_test_random_differential(struct kunit *test)
{
	static const unsigned int caps_pool[] = {
		0, C, C | COH, C | COH | EXCL | ATOM, C | COH | EXCL | ATOM | TAGS,
		C | TAGS, TAGS /* invalid */, 1U << 7 /* unknown */,
	};
	struct memcap_registry *reg = test_reg(test);
	unsigned int nreg = 0, nunreg = 0, nlook = 0, nrefused = 0;
	u64 s = seed ?: get_random_u64();
	struct rnd_state st;
	struct model *m;
	unsigned int i;

	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	memset(m->owner, 0xff, sizeof(m->owner));
	prandom_seed_state(&st, s);
	kunit_info(test, "seed %llu (memcap_kunit.seed=%llu repeats this run)\n",
		   s, s);

	for (i = 0; i < MODEL_OPS; i++) {
		unsigned int op = rnd(&st, 100), first, nr, caps, got, k;
		enum memcap_coverage want_cov, cov;
		int want, ret, slot = -1;

		first = rnd(&st, MODEL_PAGES);
		nr = 1 + rnd(&st, 8);
		if (op < 40) {			/* register */
			if (first + nr > MODEL_PAGES)
				nr = MODEL_PAGES - first;
			caps = caps_pool[rnd(&st, ARRAY_SIZE(caps_pool))];
			if (caps & ~MEMCAP_ALL)
				want = -EOPNOTSUPP;
			else if (!memcap_caps_valid(caps))
				want = -EINVAL;
			else
				want = 0;
			for (k = first; k < first + nr && !want; k++)
				if (m->owner[k] >= 0)
					want = -EEXIST;
			ret = memcap_registry_insert(reg, BASE + first * P,
						     nr * P, caps, "rnd");
			KUNIT_ASSERT_EQ_MSG(test, ret, want,
					    "op %u register [%u,+%u) caps %#x",
					    i, first, nr, caps);
			if (ret) {
				nrefused++;
				continue;
			}
			for (k = 0; k < MODEL_RECORDS; k++)
				if (!m->rec[k].live)
					break;
			m->rec[k].first = first;
			m->rec[k].nr = nr;
			m->rec[k].caps = caps;
			m->rec[k].live = true;
			for (; nr; nr--, first++)
				m->owner[first] = k;
			m->nr_live++;
			nreg++;
		} else if (op < 65) {		/* unregister */
			if (rnd(&st, 10) < 7 && m->nr_live) {
				/* An existing record, exactly. */
				k = rnd(&st, MODEL_RECORDS);
				while (!m->rec[k].live)
					k = (k + 1) % MODEL_RECORDS;
				first = m->rec[k].first;
				nr = m->rec[k].nr;
			}
			want = -ENOENT;
			if (first < MODEL_PAGES && m->owner[first] >= 0) {
				slot = m->owner[first];
				if (m->rec[slot].first == first &&
				    m->rec[slot].nr == nr)
					want = 0;
			}
			ret = memcap_registry_remove(reg, BASE + first * P,
						     nr * P);
			KUNIT_ASSERT_EQ_MSG(test, ret, want,
					    "op %u unregister [%u,+%u)",
					    i, first, nr);
			if (ret) {
				nrefused++;
				continue;
			}
			for (k = first; k < first + nr; k++)
				m->owner[k] = -1;
			m->rec[slot].live = false;
			m->nr_live--;
			nunreg++;
		} else {			/* lookup */
			nr = 1 + rnd(&st, 12);
			caps = 0;
			want_cov = model_lookup(m, first, nr, &caps);
			got = ~0U;
			cov = memcap_registry_lookup(reg, PFN(BASE) + first, nr,
						     &got);
			KUNIT_ASSERT_EQ_MSG(test, cov, want_cov,
					    "op %u lookup [%u,+%u)", i, first, nr);
			if (want_cov != MEMCAP_UNCOVERED)
				KUNIT_ASSERT_EQ_MSG(test, got, caps,
						    "op %u lookup [%u,+%u)",
						    i, first, nr);
			else
				KUNIT_ASSERT_EQ(test, got, ~0U);
			nlook++;
		}
	}
	KUNIT_EXPECT_EQ(test, memcap_registry_count(reg),
			(unsigned long)m->nr_live);
	kunit_info(test, "%u ops: %u registered, %u unregistered, %u lookups, %u refused\n",
		   MODEL_OPS, nreg, nunreg, nlook, nrefused);
}

/* ---- Readers running while a writer replaces records ---- */

#define RACE_SLOTS	8
#define RACE_ROUNDS	4000
#define RACE_A		(C | COH | EXCL | ATOM)
#define RACE_B		(C | COH | TAGS)

struct race {
	struct memcap_registry *reg;
	struct completion started;
	struct completion done;
	int writer_err;
};

static int race_writer(void *data)
{
	struct race *r = data;
	unsigned int i, slot;
	int ret = 0;

	wait_for_completion(&r->started);
	for (i = 0; i < RACE_ROUNDS && !ret; i++) {
		slot = i % RACE_SLOTS;
		ret = memcap_registry_remove(r->reg, BASE + slot * 8 * P, 4 * P);
		if (!ret)
			ret = memcap_registry_insert(r->reg,
						     BASE + slot * 8 * P, 4 * P,
						     (i / RACE_SLOTS) & 1 ?
						     RACE_A : RACE_B, "race");
		if (!(i % 64))
			cond_resched();
	}
	r->writer_err = ret;
	complete(&r->done);
	return 0;
}

static void memcap_test_concurrent_readers(struct kunit *test)
{
	struct memcap_registry *reg = test_reg(test);
	unsigned long reads = 0, seen_a = 0, seen_b = 0, gaps = 0;
	struct task_struct *t;
	struct race *r;
	unsigned int slot, caps;
	enum memcap_coverage cov;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->reg = reg;
	init_completion(&r->started);
	init_completion(&r->done);
	for (slot = 0; slot < RACE_SLOTS; slot++)
		KUNIT_ASSERT_EQ(test, 0,
				memcap_registry_insert(reg, BASE + slot * 8 * P,
						       4 * P, RACE_A, "race"));

	t = kthread_run(race_writer, r, "memcap-race");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));

	/*
	 * Read at least one round before the writer starts, and keep reading
	 * until it is done, so that the readers always overlap the writer.
	 */
	do {
		for (slot = 0; slot < RACE_SLOTS; slot++) {
			phys_addr_t s = BASE + slot * 8 * P;

			/* Exactly the slot: the old record, the new, or none. */
			cov = lookup(reg, s, 4 * P, &caps);
			if (cov == MEMCAP_COVERED) {
				if (caps == RACE_A)
					seen_a++;
				else if (caps == RACE_B)
					seen_b++;
				else
					KUNIT_FAIL(test, "torn caps %#x", caps);
			} else if (cov == MEMCAP_UNCOVERED) {
				gaps++;
			} else {
				KUNIT_FAIL(test, "slot %u partially covered", slot);
			}
			/* The gap after a slot is never covered. */
			KUNIT_EXPECT_EQ(test, lookup(reg, s + 4 * P, 4 * P, &caps),
					MEMCAP_UNCOVERED);
			reads++;
		}
		complete(&r->started);
		cond_resched();
	} while (!completion_done(&r->done));
	wait_for_completion(&r->done);
	KUNIT_EXPECT_EQ(test, r->writer_err, 0);
	KUNIT_EXPECT_EQ(test, memcap_registry_count(reg),
			(unsigned long)RACE_SLOTS);
	kunit_info(test, "%lu reads during %u replacements: %lu old, %lu new, %lu between\n",
		   reads, RACE_ROUNDS, seen_a, seen_b, gaps);
}

/*
 * Figures for the registry; printed, never asserted: the lookup of one
 * page inside one of N records, for N = 16, 256 and 4096, and the ratio
 * of the last to the first.  Under QEMU's -icount (make bench) the
 * nanoseconds are instructions.
 */
static void memcap_bench_registry(struct kunit *test)
{
	static const unsigned int sizes[] = { 16, 256, 4096 };
	const unsigned int lookups = 100000;
	u64 per[ARRAY_SIZE(sizes)], ratio;
	unsigned int i, j, caps, covered = 0;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct memcap_registry *reg;
		u64 t0;

		reg = kunit_kzalloc(test, sizeof(*reg), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, reg);
		memcap_registry_init(reg);
		for (j = 0; j < sizes[i]; j++) {
			int ret = memcap_registry_insert(reg, BASE + (u64)j * SZ_4M,
							 SZ_2M, C | COH | EXCL | ATOM,
							 "bench");

			if (ret) {
				KUNIT_FAIL(test, "insert %u of %u: %d", j, sizes[i], ret);
				memcap_registry_destroy(reg);
				return;
			}
		}
		t0 = ktime_get_ns();
		for (j = 0; j < lookups; j++) {
			/* Records in a scattered order, a page inside each. */
			u64 rec = (j * 2654435761U) % sizes[i];

			covered += memcap_registry_lookup(reg,
							  PFN(BASE + rec * SZ_4M) + j % 512,
							  1, &caps) == MEMCAP_COVERED;
		}
		per[i] = div_u64(ktime_get_ns() - t0, lookups);
		memcap_registry_destroy(reg);
	}
	ratio = div64_u64(per[2] * 100, max_t(u64, per[0], 1));
	kunit_info(test, "registry lookup: 16 records %llu ns, 256 records %llu ns, 4096 records %llu ns; 4096/16 = %llu.%02llu (%u found)\n",
		   per[0], per[1], per[2], ratio / 100, ratio % 100, covered);
}

static struct kunit_case memcap_registry_cases[] = {
	KUNIT_CASE_PARAM(memcap_test_bad_input, bad_gen_params),
	KUNIT_CASE(memcap_test_every_caps_mask),
	KUNIT_CASE(memcap_test_first_and_last_page),
	KUNIT_CASE(memcap_test_outside_neighbours),
	KUNIT_CASE(memcap_test_adjacent_records),
	KUNIT_CASE(memcap_test_straddle_hole),
	KUNIT_CASE(memcap_test_degenerate_lookups),
	KUNIT_CASE(memcap_test_top_of_address_space),
	KUNIT_CASE(memcap_test_reregister),
	KUNIT_CASE(memcap_test_owner_copied),
	KUNIT_CASE(memcap_test_destroy_empties),
	KUNIT_CASE(memcap_test_global_api),
	KUNIT_CASE(memcap_test_devm_release),
	KUNIT_CASE(memcap_test_devm_failure_leaves_nothing),
	KUNIT_CASE(memcap_test_resource_helpers),
	KUNIT_CASE_SLOW(memcap_test_random_differential),
	KUNIT_CASE_SLOW(memcap_test_concurrent_readers),
	KUNIT_CASE_SLOW(memcap_bench_registry),
	{}
};

static struct kunit_suite memcap_registry_suite = {
	.name = "memcap_registry",
	.init = memcap_test_init,
	.exit = memcap_test_exit,
	.test_cases = memcap_registry_cases,
};

/* ---- The baseline and the architecture's default ---- */

static void memcap_test_baseline_bits(struct kunit *test)
{
	unsigned int base = memcap_baseline();

	KUNIT_EXPECT_TRUE(test, memcap_caps_valid(base));
	KUNIT_EXPECT_EQ(test, base & (C | COH | EXCL), C | COH | EXCL);
#ifdef CONFIG_ARM64
	/* Independent sources: the cpucaps, not the ID register. */
	KUNIT_EXPECT_EQ(test, !!(base & TAGS), system_supports_mte());
#ifdef CONFIG_ARM64_LSE_ATOMICS
	KUNIT_EXPECT_EQ(test, !!(base & ATOM),
			cpus_have_final_cap(ARM64_HAS_LSE_ATOMICS));
#endif
#endif
	kunit_info(test, "baseline %#x\n", base);
}

static void memcap_test_ram_equivalent(struct kunit *test)
{
	unsigned int base = memcap_baseline(), bit;

	KUNIT_EXPECT_TRUE(test, memcap_is_ram_equivalent(base, base));
	KUNIT_EXPECT_TRUE(test, memcap_is_ram_equivalent(MEMCAP_ALL, base));
	KUNIT_EXPECT_EQ(test, memcap_missing(base, base), 0U);
	for (bit = 1; bit <= MEMCAP_ALL; bit <<= 1) {
		if (!(base & bit))
			continue;
		KUNIT_EXPECT_FALSE(test,
				   memcap_is_ram_equivalent(base & ~bit, base));
		KUNIT_EXPECT_EQ(test, memcap_missing(base & ~bit, base), bit);
	}
	KUNIT_EXPECT_EQ(test, memcap_missing(0, base), base);
}

/*
 * The end of the first boot memory region (QEMU virt: all of boot RAM).
 * Not max_pfn nor memblock_end_of_DRAM(): memremap_pages() and memory
 * hot-add (virtio-mem, at boot) move those.
 */
static phys_addr_t boot_ram_end(void)
{
#ifdef CONFIG_ARCH_KEEP_MEMBLOCK
	return memblock.memory.regions[0].base + memblock.memory.regions[0].size;
#else
	return memblock_end_of_DRAM();
#endif
}

static void memcap_test_default_caps(struct kunit *test)
{
	unsigned int base = memcap_baseline();
	phys_addr_t ram = memblock_start_of_DRAM();
	phys_addr_t end = boot_ram_end();

	/* Boot RAM has the baseline. */
	KUNIT_EXPECT_EQ(test, memcap_default_caps(ram, P), base);
	KUNIT_EXPECT_EQ(test, memcap_default_caps(end - P, P), base);
#ifdef CONFIG_ARM64
	/* Beyond boot RAM: no tag storage, the rest as boot RAM. */
	KUNIT_EXPECT_EQ(test, memcap_default_caps(end, P), base & ~TAGS);
	KUNIT_EXPECT_EQ(test, memcap_default_caps(end - P, 2 * P),
			base & ~TAGS);
	KUNIT_EXPECT_EQ(test, memcap_default_caps(GLOBAL_BASE, P),
			base & ~TAGS);
	KUNIT_EXPECT_EQ(test, memcap_default_caps(ram, 0), base & ~TAGS);
#endif
}

static void memcap_test_format(struct kunit *test)
{
	char buf[MEMCAP_FORMAT_LEN];
	char small[8];

	memcap_format(buf, sizeof(buf), 0);
	KUNIT_EXPECT_STREQ(test, buf, "none");
	memcap_format(buf, sizeof(buf), C | COH);
	KUNIT_EXPECT_STREQ(test, buf, "cacheable|coherent");
	memcap_format(buf, sizeof(buf), MEMCAP_ALL | (1U << 30));
	KUNIT_EXPECT_STREQ(test, buf,
			   "cacheable|coherent|exclusives|atomics|tags|unknown");
	KUNIT_EXPECT_LT(test, strlen(buf), sizeof(buf));
	memcap_format(small, sizeof(small), MEMCAP_ALL);
	KUNIT_EXPECT_EQ(test, strlen(small), sizeof(small) - 1);
	KUNIT_EXPECT_EQ(test, memcap_format(buf, 0, C), 0);
}

static struct kunit_case memcap_baseline_cases[] = {
	KUNIT_CASE(memcap_test_baseline_bits),
	KUNIT_CASE(memcap_test_ram_equivalent),
	KUNIT_CASE(memcap_test_default_caps),
	KUNIT_CASE(memcap_test_format),
	{}
};

static struct kunit_suite memcap_baseline_suite = {
	.name = "memcap_baseline",
	.test_cases = memcap_baseline_cases,
};

kunit_test_suites(&memcap_registry_suite, &memcap_baseline_suite);

MODULE_DESCRIPTION("KUnit tests for memory capability records");
MODULE_LICENSE("GPL");
