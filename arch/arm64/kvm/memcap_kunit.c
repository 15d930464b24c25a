// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the KVM/arm64 stage-2 memory type policy.
 *
 * kvm_s2_memcap_decide() is checked over every combination of its inputs
 * against a reference written from the decision table and the definitions
 * above it in
 * Documentation/virt/kvm/arm/memcap.rst (rows 1 to 11, first match wins),
 * and on named cases that cite those rows.  Without memcap (rows 12 to 17)
 * it is checked against a reference written from Linux 7.3's fault path.
 */

#include <kunit/test.h>
#include <linux/bitfield.h>
#include <linux/gfp.h>
#include <linux/kvm_host.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/memcap.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>

#include <asm/kvm_memcap.h>
#include <asm/kvm_pgtable.h>
#include <asm/ptdump.h>

#define C	MEMCAP_CACHEABLE
#define COH	MEMCAP_COHERENT
#define CC	(MEMCAP_CACHEABLE | MEMCAP_COHERENT)
#define RAMCAPS	(CC | MEMCAP_EXCLUSIVES | MEMCAP_ATOMICS)

/* ---- The reference: the documented table, one predicate per row ---- */

static bool ref_host_uncached(const struct kvm_s2_memcap_in *in)
{
	return in->host_mt == KVM_HOST_MT_NORMAL_NC ||
	       in->host_mt == KVM_HOST_MT_DEVICE_nGnRE ||
	       in->host_mt == KVM_HOST_MT_DEVICE_nGnRnE;
}

/*
 * "RAM page": a RAM-equivalent struct page, or an assumed page behind an
 * ordinary VMA (neither VM_PFNMAP nor VM_MIXEDMAP) with a cacheable
 * pgprot, when assumptions are trusted (warn mode, 7.3).
 */
static bool ref_ram(const struct kvm_s2_memcap_in *in)
{
	return in->pfn_class == KVM_PFN_RAM ||
	       (in->pfn_class == KVM_PFN_ASSUMED_PAGE && in->trust_assumed &&
		!(in->vm_flags & VM_PFNMAP) && !(in->vm_flags & VM_MIXEDMAP) &&
		!ref_host_uncached(in));
}

/*
 * IO: the host pgprot is not cacheable, and no RAM page backs it (RAM is
 * Normal whatever the pgprot, as in 6.12).  VM_IO alone is not IO (row 3
 * note).
 */
static bool ref_io(const struct kvm_s2_memcap_in *in)
{
	return !ref_ram(in) && ref_host_uncached(in);
}

static bool ref_uc(const struct kvm_s2_memcap_in *in)
{
	return in->vm_flags & VM_ALLOW_ANY_UNCACHED;
}

static bool ref_other(const struct kvm_s2_memcap_in *in)
{
	return !ref_io(in) && !ref_ram(in);
}

static bool ref_vouched(const struct kvm_s2_memcap_in *in)
{
	return in->has_record && (in->caps & C) && (in->caps & COH) && in->fwb;
}

static bool row1(const struct kvm_s2_memcap_in *in)
{
	return ref_io(in) && in->exec;
}

static bool row2(const struct kvm_s2_memcap_in *in)
{
	return ref_io(in) && ref_uc(in);
}

static bool row3(const struct kvm_s2_memcap_in *in)
{
	return ref_io(in);
}

static bool row4(const struct kvm_s2_memcap_in *in)
{
	/* Nobody stated that an assumed page has tag storage. */
	return ref_ram(in) && in->vm_mte &&
	       (!(in->vm_flags & VM_MTE_ALLOWED) || in->no_tags ||
		in->pfn_class == KVM_PFN_ASSUMED_PAGE);
}

static bool row5(const struct kvm_s2_memcap_in *in)
{
	return ref_ram(in);
}

static bool row6(const struct kvm_s2_memcap_in *in)
{
	return ref_other(in) && ref_vouched(in) && in->vm_mte;
}

static bool row7(const struct kvm_s2_memcap_in *in)
{
	return ref_other(in) && ref_vouched(in) && in->exec && !in->dic;
}

static bool row8(const struct kvm_s2_memcap_in *in)
{
	return ref_other(in) && ref_vouched(in);
}

static bool row9(const struct kvm_s2_memcap_in *in)
{
	return ref_other(in) && in->exec;
}

static bool row10(const struct kvm_s2_memcap_in *in)
{
	return ref_other(in) && ref_uc(in);
}

static bool row11(const struct kvm_s2_memcap_in *in)
{
	return ref_other(in);
}

enum ref_x { X_NEVER, X_FAULT_OR_DIC, X_DIC };

static const struct ref_row {
	bool (*match)(const struct kvm_s2_memcap_in *in);
	int err;
	enum kvm_s2_mt mt;
	enum ref_x x;
	bool sanitise;		/* when the VM has MTE */
	bool downgraded;
} ref_rows[] = {
	[1]  = { row1, -ENOEXEC },
	[2]  = { row2, 0, KVM_S2_MT_NORMAL_NC, X_NEVER },
	[3]  = { row3, 0, KVM_S2_MT_DEVICE, X_NEVER },
	[4]  = { row4, -EFAULT, KVM_S2_MT_NORMAL, X_FAULT_OR_DIC },
	[5]  = { row5, 0, KVM_S2_MT_NORMAL, X_FAULT_OR_DIC, true },
	[6]  = { row6, -EFAULT, KVM_S2_MT_DEVICE },
	[7]  = { row7, -ENOEXEC },
	[8]  = { row8, 0, KVM_S2_MT_NORMAL, X_DIC },
	[9]  = { row9, -ENOEXEC },
	[10] = { row10, 0, KVM_S2_MT_NORMAL_NC, X_NEVER, false, true },
	[11] = { row11, 0, KVM_S2_MT_DEVICE, X_NEVER, false, true },
};

static int ref_row_of(const struct kvm_s2_memcap_in *in)
{
	int r;

	for (r = 1; r < ARRAY_SIZE(ref_rows); r++)
		if (ref_rows[r].match(in))
			return r;
	return 0;
}

static bool ref_exec(const struct ref_row *rr, const struct kvm_s2_memcap_in *in)
{
	switch (rr->x) {
	case X_FAULT_OR_DIC:
		return in->exec || in->dic;
	case X_DIC:
		return in->dic;
	default:
		return false;
	}
}

/*
 * Row 6 refuses, but leaves the mapping 6.12 would have used for a
 * permission fault to relax: Normal-NC with ANY_UNCACHED, else Device.
 */
static enum kvm_s2_mt ref_mt(const struct ref_row *rr,
			     const struct kvm_s2_memcap_in *in)
{
	if (rr == &ref_rows[6] && ref_uc(in))
		return KVM_S2_MT_NORMAL_NC;
	return rr->mt;
}

/*
 * Safety properties that must hold whatever the table says, written from
 * the architecture, not from the table:
 *  - Normal only with a proof: a RAM-equivalent struct page, or a stated
 *    record with cacheable and coherent memory on a host with FWB; or,
 *    only where assumptions are trusted, a struct page that the host
 *    already maps cacheable in an ordinary VMA (as upstream 7.3);
 *  - memory that is not RAM is never Normal under a non-cacheable host
 *    mapping (mismatched attributes);
 *  - executable only for pages with a linear map, or with DIC (no I-cache
 *    maintenance can be done for memory without a linear map);
 *  - tags are sanitised only on RAM with stated tag storage, in an MTE VM
 *    whose VMA allows PROT_MTE;
 *  - a downgrade is never Normal, and errors are -EFAULT or -ENOEXEC.
 */
static bool safe(const struct kvm_s2_memcap_in *in, int ret,
		 const struct kvm_s2_memcap_out *out, struct kunit *test)
{
	bool ram = in->pfn_class == KVM_PFN_RAM;
	bool host_c = in->host_mt == KVM_HOST_MT_NORMAL ||
		      in->host_mt == KVM_HOST_MT_NORMAL_TAGGED;
	bool host_page = in->pfn_class == KVM_PFN_ASSUMED_PAGE &&
			 in->trust_assumed && host_c &&
			 !(in->vm_flags & (VM_PFNMAP | VM_MIXEDMAP));
	bool proof = ram || host_page ||
		     (in->has_record && (in->caps & C) && (in->caps & COH) &&
		      in->fwb);
	const char *why = NULL;

	if (ret && ret != -EFAULT && ret != -ENOEXEC)
		why = "unexpected errno";
	else if ((!ret || ret == -EFAULT) && out->mt == KVM_S2_MT_NORMAL &&
		 !proof)
		why = "Normal without a proof";
	else if (!ret && out->mt == KVM_S2_MT_NORMAL && !ram && !host_c)
		why = "Normal under a non-cacheable host mapping";
	else if (!ret && out->exec && !ram && !host_page && !in->dic)
		why = "executable without DIC or a linear map";
	else if (out->sanitise_tags &&
		 (ret || !ram || in->no_tags || !in->vm_mte ||
		  !(in->vm_flags & VM_MTE_ALLOWED)))
		why = "tags sanitised where they cannot be";
	else if (!ret && out->downgraded && out->mt == KVM_S2_MT_NORMAL)
		why = "a downgrade to Normal";
	else if (!ret && in->vm_mte && !ram && out->mt == KVM_S2_MT_NORMAL)
		why = "Normal without struct pages in an MTE VM";
	else if (!ret && out->mt == KVM_S2_MT_NORMAL && !ram && !host_page &&
		 !out->fixed_size)
		why = "a record-backed mapping that may grow past the record";
	else if (!ret && out->downgraded && !out->fixed_size)
		why = "a downgrade that may grow over recorded memory";
	if (why)
		kunit_err(test, "unsafe: %s (flags %#lx host %u class %u rec %d caps %#x mte %d fwb %d dic %d exec %d trust %d)\n",
			  why, in->vm_flags, in->host_mt, in->pfn_class,
			  in->has_record, in->caps, in->vm_mte, in->fwb,
			  in->dic, in->exec, in->trust_assumed);
	return !why;
}

/*
 * No regression against upstream 7.3, written from its fault path
 * (kvm_s2_fault_pin_pfn() and kvm_s2_fault_compute_prot()): a pfn of a VMA
 * that is neither VM_PFNMAP nor VM_MIXEDMAP is Normal there, executable on
 * an exec fault or with DIC.  memcap must give the same, in a VM without
 * MTE, to RAM, and, where it trusts assumptions, to an assumed page that
 * the host maps cacheable.  Return: -1 if the case does not apply, else
 * whether memcap matches upstream.
 */
static int as_upstream73(const struct kvm_s2_memcap_in *in, int ret,
			 const struct kvm_s2_memcap_out *out)
{
	bool host_c = in->host_mt == KVM_HOST_MT_NORMAL ||
		      in->host_mt == KVM_HOST_MT_NORMAL_TAGGED;

	if ((in->vm_flags & (VM_PFNMAP | VM_MIXEDMAP)) || in->vm_mte)
		return -1;
	if (in->pfn_class != KVM_PFN_RAM &&
	    !(in->pfn_class == KVM_PFN_ASSUMED_PAGE && in->trust_assumed &&
	      host_c))
		return -1;
	return !ret && out->mt == KVM_S2_MT_NORMAL &&
	       out->exec == (in->exec || in->dic);
}

static const unsigned long flag_bits[] = {
	VM_IO, VM_PFNMAP, VM_MIXEDMAP, VM_ALLOW_ANY_UNCACHED, VM_MTE_ALLOWED,
};

/*
 * Every combination of the inputs but @trust_vmm, in mixed radix: VMA
 * flags, host type, class, record (caps 0 to 31, or 32: none), and six
 * booleans.
 */
#define NR_COMBOS	(32UL * KVM_HOST_MT_NR * KVM_PFN_NR * 33 * 64)

static void combo_in(unsigned long n, struct kvm_s2_memcap_in *in)
{
	unsigned int bits, rec, fl, i;

	memset(in, 0, sizeof(*in));
	bits = n % 64;
	n /= 64;
	rec = n % 33;
	n /= 33;
	in->pfn_class = n % KVM_PFN_NR;
	n /= KVM_PFN_NR;
	in->host_mt = n % KVM_HOST_MT_NR;
	fl = n / KVM_HOST_MT_NR;
	for (i = 0; i < ARRAY_SIZE(flag_bits); i++)
		if (fl & BIT(i))
			in->vm_flags |= flag_bits[i];
	in->has_record = rec < BIT(5);
	in->caps = in->has_record ? rec : 0;
	in->vm_mte = bits & 1;
	in->fwb = bits & 2;
	in->dic = bits & 4;
	in->exec = bits & 8;
	in->no_tags = bits & 16;
	in->trust_assumed = bits & 32;
}

static void kvm_memcap_test_exhaustive(struct kunit *test)
{
	unsigned long combos = 0, bad = 0, unsafe = 0, upstream = 0, regress = 0;
	unsigned long rows_hit[ARRAY_SIZE(ref_rows)] = {};
	struct kvm_s2_memcap_in in;
	struct kvm_s2_memcap_out out;
	unsigned int mt, cls, rec;
	unsigned long n;
	int r, ret;

	for (n = 0; n < NR_COMBOS; n++) {
		combo_in(n, &in);
		mt = in.host_mt;
		cls = in.pfn_class;
		rec = in.has_record ? in.caps : 32;

		r = ref_row_of(&in);
		ret = kvm_s2_memcap_decide(&in, &out);
		combos++;
		rows_hit[r]++;
		unsafe += !safe(&in, ret, &out, test);
		switch (as_upstream73(&in, ret, &out)) {
		case 0:
			if (regress++ < 8)
				KUNIT_FAIL(test,
					   "not as 7.3: %#lx %u %u T%d x%d D%d: %d %d %d",
					   in.vm_flags, mt, cls,
					   in.trust_assumed, in.exec, in.dic,
					   ret, out.mt, out.exec);
			fallthrough;
		case 1:
			upstream++;
		}
		if (r == 0 || ret != ref_rows[r].err || out.row != r ||
		    out.mte_refused != (r == 4 || r == 6) ||
		    (ret == -EFAULT && out.mt != ref_mt(&ref_rows[r], &in)) ||
		    (!ret && (out.mt != ref_mt(&ref_rows[r], &in) ||
			      out.exec != ref_exec(&ref_rows[r], &in) ||
			      out.sanitise_tags != (ref_rows[r].sanitise && in.vm_mte) ||
			      out.downgraded != ref_rows[r].downgraded))) {
			if (bad++ < 8)
				KUNIT_FAIL(test,
					   "flags %#lx host %u class %u rec %u mte %d fwb %d dic %d exec %d trust %d: got %d row %d mt %d x %d, want row %d",
					   in.vm_flags, mt, cls, rec, in.vm_mte,
					   in.fwb, in.dic, in.exec,
					   in.trust_assumed, ret, out.row,
					   out.mt, out.exec, r);
		}
	}
	kunit_info(test, "%lu combinations checked, %lu mismatches, %lu unsafe, %lu of %lu where upstream 7.3 maps Normal differ\n",
		   combos, bad, unsafe, regress, upstream);
	for (r = 1; r < ARRAY_SIZE(ref_rows); r++) {
		kunit_info(test, "row %2d: %lu combinations\n", r, rows_hit[r]);
		KUNIT_EXPECT_GT(test, rows_hit[r], 0UL);
	}
	KUNIT_EXPECT_EQ(test, bad, 0UL);
	KUNIT_EXPECT_EQ(test, unsafe, 0UL);
	KUNIT_EXPECT_GT(test, upstream, 0UL);
	KUNIT_EXPECT_EQ(test, regress, 0UL);
	KUNIT_EXPECT_EQ(test, combos, 32UL * 5 * 4 * 33 * 64);
}

/* ---- Named cases, each citing its row ---- */

struct named_case {
	const char *name;
	struct kvm_s2_memcap_in in;
	int err;
	enum kvm_s2_mt mt;
	bool exec;
	int row;
};

#define ANON	(VM_MTE_ALLOWED)
#define PFNMAP	(VM_IO | VM_PFNMAP)
#define CPFNMAP	(VM_PFNMAP)		/* cacheable PFNMAP, nvgrace-gpu usemem */
#define UC	(VM_ALLOW_ANY_UNCACHED)
#define N	KVM_HOST_MT_NORMAL
#define NT	KVM_HOST_MT_NORMAL_TAGGED
#define WC	KVM_HOST_MT_NORMAL_NC
#define DEV	KVM_HOST_MT_DEVICE_nGnRE
#define DEVNR	KVM_HOST_MT_DEVICE_nGnRnE
#define RAM	KVM_PFN_RAM
#define PAGE	KVM_PFN_OTHER_PAGE
#define ASSUMED	KVM_PFN_ASSUMED_PAGE
#define NOPAGE	KVM_PFN_NO_PAGE
#define S2N	KVM_S2_MT_NORMAL
#define S2NC	KVM_S2_MT_NORMAL_NC
#define S2D	KVM_S2_MT_DEVICE

#define IN(_f, _h, _c, _rec, _caps, _mte, _fwb, _dic, _x) \
	{ .vm_flags = (_f), .host_mt = (_h), .pfn_class = (_c), \
	  .has_record = (_rec), .caps = (_caps), .vm_mte = (_mte), \
	  .fwb = (_fwb), .dic = (_dic), .exec = (_x) }
/* The same, with assumptions trusted (warn mode on 7.3). */
#define IN_WARN(_f, _h, _c, _rec, _caps, _mte, _fwb, _dic, _x) \
	{ .vm_flags = (_f), .host_mt = (_h), .pfn_class = (_c), \
	  .has_record = (_rec), .caps = (_caps), .vm_mte = (_mte), \
	  .fwb = (_fwb), .dic = (_dic), .exec = (_x), .trust_assumed = true }

static const struct named_case named_cases[] = {
	/* Row 5: RAM. */
	{ "row 5: anonymous RAM, read -> Normal",
	  IN(ANON, N, RAM, 0, 0, 0, 1, 0, 0),
	  0, S2N, false, 5 },
	{ "row 5: anonymous RAM, exec, no DIC -> Normal X",
	  IN(ANON, N, RAM, 0, 0, 0, 1, 0, 1),
	  0, S2N, true, 5 },
	{ "row 5: anonymous RAM, DIC -> Normal X",
	  IN(ANON, N, RAM, 0, 0, 0, 1, 1, 0),
	  0, S2N, true, 5 },
	{ "row 5: anonymous RAM, no FWB -> Normal",
	  IN(ANON, N, RAM, 0, 0, 0, 0, 0, 0),
	  0, S2N, false, 5 },
	{ "row 5: PROT_MTE RAM, MTE VM -> Normal, tags sanitised",
	  IN(ANON, NT, RAM, 0, 0, 1, 1, 0, 0),
	  0, S2N, false, 5 },
	{ "row 5: RAM, MTE VM, VM_MTE_ALLOWED -> Normal",
	  IN(ANON, N, RAM, 0, 0, 1, 1, 0, 0),
	  0, S2N, false, 5 },
	{ "row 5: ZONE_DEVICE generic page that passed memremap -> Normal",
	  IN(VM_MIXEDMAP, N, RAM, 0, 0, 0, 1, 0, 0),
	  0, S2N, false, 5 },
	{ "row 5: ZONE_DEVICE coherent page, exec -> Normal X",
	  IN(0, N, RAM, 0, 0, 0, 1, 0, 1),
	  0, S2N, true, 5 },
	{ "row 5: RAM with a record: the page decides -> Normal",
	  IN(ANON, N, RAM, 1, 0, 0, 1, 0, 0),
	  0, S2N, false, 5 },
	/* Row 4. */
	{ "row 4: RAM without VM_MTE_ALLOWED, MTE VM -> EFAULT",
	  IN(0, N, RAM, 0, 0, 1, 1, 0, 0),
	  -EFAULT, S2N, false, 4 },
	{ "row 4: MIXEDMAP RAM, MTE VM -> EFAULT",
	  IN(VM_MIXEDMAP, N, RAM, 0, 0, 1, 1, 0, 0),
	  -EFAULT, S2N, false, 4 },
	/* Rows 1-3: IO. */
	{ "row 3: vfio BAR, VM_IO|VM_PFNMAP, Device pgprot -> Device-nGnRE",
	  IN(PFNMAP, DEV, NOPAGE, 0, 0, 0, 1, 0, 0),
	  0, S2D, false, 3 },
	{ "row 3: nGnRnE pgprot -> Device-nGnRE",
	  IN(PFNMAP, DEVNR, NOPAGE, 0, 0, 0, 1, 0, 0),
	  0, S2D, false, 3 },
	{ "row 2: vfio BAR with VM_ALLOW_ANY_UNCACHED -> Normal-NC",
	  IN(PFNMAP | UC, DEV, NOPAGE, 0, 0, 0, 1, 0, 0),
	  0, S2NC, false, 2 },
	{ "row 2: write-combine pgprot with VM_ALLOW_ANY_UNCACHED -> Normal-NC",
	  IN(PFNMAP | UC, WC, NOPAGE, 0, 0, 0, 1, 0, 0),
	  0, S2NC, false, 2 },
	{ "row 3: write-combine pgprot without it -> Device-nGnRE",
	  IN(VM_PFNMAP, WC, NOPAGE, 0, 0, 0, 1, 0, 0),
	  0, S2D, false, 3 },
	{ "row 11: VM_IO|VM_PFNMAP, cacheable pgprot, no record -> Device-nGnRE",
	  IN(PFNMAP, N, NOPAGE, 0, 0, 0, 1, 0, 0),
	  0, S2D, false, 11 },
	{ "row 8: nvgrace usemem: VM_IO|VM_PFNMAP cacheable, record C|COH, FWB -> Normal",
	  IN(PFNMAP, N, NOPAGE, 1, RAMCAPS, 0, 1, 0, 0),
	  0, S2N, false, 8 },
	{ "row 5: /dev/mem-like VM_IO cacheable mapping of RAM -> Normal",
	  IN(PFNMAP, N, RAM, 0, 0, 0, 1, 0, 0),
	  0, S2N, false, 5 },
	/* 6.12 and upstream: RAM pages are Normal whatever the host pgprot. */
	{ "row 5: Device pgprot over RAM pages -> Normal, as 6.12",
	  IN(VM_MIXEDMAP, DEV, RAM, 0, 0, 0, 1, 0, 0),
	  0, S2N, false, 5 },
	{ "row 5: dma_mmap_wc() RAM buffer, VM_IO|VM_PFNMAP -> Normal, as 6.12",
	  IN(PFNMAP, WC, RAM, 0, 0, 0, 1, 0, 0),
	  0, S2N, false, 5 },
	{ "row 5: dma_mmap_wc() RAM buffer, exec -> Normal X, as 6.12",
	  IN(PFNMAP, WC, RAM, 0, 0, 0, 1, 0, 1),
	  0, S2N, true, 5 },
	{ "row 2: MTE VM, BAR with VM_ALLOW_ANY_UNCACHED -> Normal-NC",
	  IN(PFNMAP | UC, DEV, NOPAGE, 0, 0, 1, 1, 0, 0),
	  0, S2NC, false, 2 },
	{ "row 3: MTE VM, device BAR -> Device-nGnRE",
	  IN(PFNMAP, DEV, NOPAGE, 0, 0, 1, 1, 0, 0),
	  0, S2D, false, 3 },
	{ "row 3: no FWB, device BAR -> Device-nGnRE",
	  IN(PFNMAP, DEV, NOPAGE, 0, 0, 0, 0, 0, 0),
	  0, S2D, false, 3 },
	{ "row 1: exec from a device BAR -> ENOEXEC",
	  IN(PFNMAP, DEV, NOPAGE, 0, 0, 0, 1, 0, 1),
	  -ENOEXEC, S2D, false, 1 },
	{ "row 1: exec from Normal-NC, DIC -> ENOEXEC",
	  IN(PFNMAP | UC, WC, NOPAGE, 0, 0, 0, 1, 1, 1),
	  -ENOEXEC, S2D, false, 1 },
	{ "row 1: exec from a P2PDMA page mapped uncached -> ENOEXEC",
	  IN(VM_MIXEDMAP, DEV, PAGE, 1, 0, 0, 1, 1, 1),
	  -ENOEXEC, S2D, false, 1 },
	/* Rows 6-8: cacheable, vouched for by a record. */
	{ "row 8: cacheable PFNMAP, record C|COH, FWB, no DIC -> Normal",
	  IN(CPFNMAP, N, NOPAGE, 1, CC, 0, 1, 0, 0),
	  0, S2N, false, 8 },
	{ "row 8: cacheable PFNMAP, RAM-like record, FWB, DIC -> Normal X",
	  IN(CPFNMAP, N, NOPAGE, 1, RAMCAPS, 0, 1, 1, 0),
	  0, S2N, true, 8 },
	{ "row 8: cacheable PFNMAP, record C|COH, FWB, DIC, exec -> Normal X",
	  IN(CPFNMAP, N, NOPAGE, 1, CC, 0, 1, 1, 1),
	  0, S2N, true, 8 },
	{ "row 7: cacheable PFNMAP, record C|COH, FWB, no DIC, exec -> ENOEXEC",
	  IN(CPFNMAP, N, NOPAGE, 1, CC, 0, 1, 0, 1),
	  -ENOEXEC, S2N, false, 7 },
	{ "row 8: P2PDMA page, cacheable, record C|COH, FWB -> Normal",
	  IN(VM_MIXEDMAP, N, PAGE, 1, CC, 0, 1, 0, 0),
	  0, S2N, false, 8 },
	{ "row 8: tagged host pgprot, record C|COH, FWB -> Normal",
	  IN(CPFNMAP, NT, NOPAGE, 1, CC | MEMCAP_TAGS, 0, 1, 0, 0),
	  0, S2N, false, 8 },
	{ "row 6: cacheable PFNMAP, record C|COH, FWB, MTE VM -> EFAULT",
	  IN(CPFNMAP, N, NOPAGE, 1, CC, 1, 1, 0, 0),
	  -EFAULT, S2N, false, 6 },
	{ "row 6: cacheable PFNMAP, record with tags, MTE VM -> EFAULT",
	  IN(CPFNMAP | VM_MTE_ALLOWED, N, NOPAGE, 1, RAMCAPS | MEMCAP_TAGS, 1, 1, 1, 0),
	  -EFAULT, S2N, false, 6 },
	{ "row 11: cacheable PFNMAP, no record, MTE VM -> Device-nGnRE, as 6.12",
	  IN(CPFNMAP, N, NOPAGE, 0, 0, 1, 1, 0, 0),
	  0, S2D, false, 11 },
	{ "row 11: unstated COHERENT page, MTE VM, strict -> Device-nGnRE, as 6.12",
	  IN(ANON, N, ASSUMED, 0, 0, 1, 1, 0, 0),
	  0, S2D, false, 11 },
	/* Assumed pages: upstream 7.3 maps an ordinary VMA's pages Normal. */
	{ "row 5: /dev/dax page, nothing stated, warn -> Normal, as 7.3",
	  IN_WARN(0, N, ASSUMED, 0, 0, 0, 1, 0, 0),
	  0, S2N, false, 5 },
	{ "row 5: fsdax page, nothing stated, warn, no FWB, exec -> Normal X",
	  IN_WARN(0, N, ASSUMED, 0, 0, 0, 0, 0, 1),
	  0, S2N, true, 5 },
	{ "row 5: /dev/dax page, nothing stated, warn, DIC -> Normal X",
	  IN_WARN(0, N, ASSUMED, 0, 0, 0, 1, 1, 0),
	  0, S2N, true, 5 },
	{ "row 4: unstated COHERENT page, PROT_MTE anon, MTE VM, warn -> EFAULT",
	  IN_WARN(ANON, NT, ASSUMED, 0, 0, 1, 1, 1, 0),
	  -EFAULT, S2N, false, 4 },
	{ "row 11: /dev/dax page, nothing stated, strict -> Device (downgrade)",
	  IN(0, N, ASSUMED, 0, 0, 0, 1, 1, 0),
	  0, S2D, false, 11 },
	{ "row 9: /dev/dax page, nothing stated, strict, exec -> ENOEXEC",
	  IN(0, N, ASSUMED, 0, 0, 0, 1, 1, 1),
	  -ENOEXEC, S2D, false, 9 },
	{ "row 11: assumed page in a VM_MIXEDMAP VMA, warn -> Device-nGnRE",
	  IN_WARN(VM_MIXEDMAP, N, ASSUMED, 0, 0, 0, 1, 1, 0),
	  0, S2D, false, 11 },
	{ "row 3: assumed page, ordinary VMA, Device pgprot, warn -> Device-nGnRE",
	  IN_WARN(0, DEV, ASSUMED, 0, 0, 0, 1, 1, 0),
	  0, S2D, false, 3 },
	{ "row 5: RAM page, strict: assumptions play no part -> Normal",
	  IN(0, N, RAM, 0, 0, 0, 1, 0, 0),
	  0, S2N, false, 5 },
	{ "row 11: cacheable PFNMAP, record C|COH, no FWB, MTE VM -> Device-nGnRE",
	  IN(CPFNMAP, N, NOPAGE, 1, CC, 1, 0, 0, 0),
	  0, S2D, false, 11 },
	/* Rows 9-11: cacheable, unproven: the 6.12 answer, counted. */
	{ "row 11: cacheable PFNMAP, no record -> Device-nGnRE (downgrade)",
	  IN(CPFNMAP, N, NOPAGE, 0, 0, 0, 1, 0, 0),
	  0, S2D, false, 11 },
	{ "row 10: cacheable PFNMAP, no record, ANY_UNCACHED -> Normal-NC (downgrade)",
	  IN(CPFNMAP | UC, N, NOPAGE, 0, 0, 0, 1, 0, 0),
	  0, S2NC, false, 10 },
	{ "row 11: cacheable PFNMAP, record C only -> Device-nGnRE (downgrade)",
	  IN(CPFNMAP, N, NOPAGE, 1, C, 0, 1, 1, 0),
	  0, S2D, false, 11 },
	{ "row 11: cacheable PFNMAP, record without coherent -> Device-nGnRE",
	  IN(CPFNMAP, N, NOPAGE, 1, C | MEMCAP_ATOMICS | MEMCAP_EXCLUSIVES, 0, 1, 1, 0),
	  0, S2D, false, 11 },
	{ "row 11: cacheable PFNMAP, uncached record -> Device-nGnRE",
	  IN(CPFNMAP, N, NOPAGE, 1, 0, 0, 1, 1, 0),
	  0, S2D, false, 11 },
	{ "row 11: cacheable PFNMAP, record C|COH, no FWB -> Device-nGnRE",
	  IN(CPFNMAP, N, NOPAGE, 1, CC, 0, 0, 0, 0),
	  0, S2D, false, 11 },
	{ "row 10: cacheable PFNMAP, record C|COH, no FWB, ANY_UNCACHED -> Normal-NC",
	  IN(CPFNMAP | UC, N, NOPAGE, 1, CC, 0, 0, 0, 0),
	  0, S2NC, false, 10 },
	{ "row 11: P2PDMA page, cacheable, no caps -> Device-nGnRE",
	  IN(VM_MIXEDMAP, N, PAGE, 1, 0, 0, 1, 0, 0),
	  0, S2D, false, 11 },
	{ "row 8: ZONE_DEVICE page, stated C|COH|EXCL (P2PDMA), FWB -> Normal",
	  IN(VM_MIXEDMAP, N, PAGE, 1, CC | MEMCAP_EXCLUSIVES, 0, 1, 0, 0),
	  0, S2N, false, 8 },
	{ "row 11: ZONE_DEVICE page, stated C|COH|EXCL (P2PDMA), no FWB -> Device",
	  IN(VM_MIXEDMAP, N, PAGE, 1, CC | MEMCAP_EXCLUSIVES, 0, 0, 0, 0),
	  0, S2D, false, 11 },
	{ "row 9: cacheable PFNMAP, no record, exec -> ENOEXEC",
	  IN(CPFNMAP, N, NOPAGE, 0, 0, 0, 1, 1, 1),
	  -ENOEXEC, S2D, false, 9 },
	{ "row 9: cacheable PFNMAP, record C|COH, no FWB, exec -> ENOEXEC",
	  IN(CPFNMAP, N, NOPAGE, 1, CC, 0, 0, 1, 1),
	  -ENOEXEC, S2D, false, 9 },
};

KUNIT_ARRAY_PARAM_DESC(named, named_cases, name);

static void kvm_memcap_test_named(struct kunit *test)
{
	const struct named_case *nc = test->param_value;
	struct kvm_s2_memcap_out out;
	int ret;

	ret = kvm_s2_memcap_decide(&nc->in, &out);
	KUNIT_EXPECT_EQ(test, ret, nc->err);
	KUNIT_EXPECT_EQ(test, out.row, nc->row);
	if (!nc->err) {
		KUNIT_EXPECT_EQ(test, out.mt, nc->mt);
		KUNIT_EXPECT_EQ(test, out.exec, nc->exec);
		KUNIT_EXPECT_EQ(test, out.downgraded, nc->row >= 10);
	}
	/* The reference agrees with the hand-written expectation too. */
	KUNIT_EXPECT_EQ(test, ref_row_of(&nc->in), nc->row);
}

/* Row 4: a ZONE_DEVICE RAM page without tag storage, in an MTE VM. */
static void kvm_memcap_test_no_tags(struct kunit *test)
{
	struct kvm_s2_memcap_in in = IN(ANON, N, RAM, 0, 0, 1, 1, 0, 0);
	struct kvm_s2_memcap_out out;

	in.no_tags = true;
	KUNIT_EXPECT_EQ(test, kvm_s2_memcap_decide(&in, &out), -EFAULT);
	KUNIT_EXPECT_EQ(test, out.row, 4);
	KUNIT_EXPECT_FALSE(test, out.sanitise_tags);
	/* Without MTE in the VM, tags do not matter. */
	in.vm_mte = false;
	KUNIT_EXPECT_EQ(test, kvm_s2_memcap_decide(&in, &out), 0);
	KUNIT_EXPECT_EQ(test, out.mt, S2N);
	KUNIT_EXPECT_EQ(test, out.row, 5);
}

/* ---- Without memcap: Linux 7.3's rules ---- */

/*
 * Without memcap (CONFIG_MEMCAP=n, @trust_vmm), a kernel with this series
 * must do exactly what Linux 7.3 does.  The reference is written from 7.3's
 * fault path, step by step, not from the table: kvm_s2_fault_pin_pfn()
 * (a VM_PFNMAP/VM_MIXEDMAP pfn outside the linear map is "device"; under a
 * cacheable pgprot, kvm_vma_is_cacheable(), it needs
 * kvm_supports_cacheable_pfnmap(), FWB and DIC, or the fault is -EFAULT;
 * under any other it is map_non_cacheable), kvm_s2_fault_compute_prot()
 * (-ENOEXEC for a fetch from map_non_cacheable; X on a fetch, or with DIC
 * unless map_non_cacheable; Normal-NC with VM_ALLOW_ANY_UNCACHED, else
 * Device, for map_non_cacheable; -EFAULT on a translation fault of an MTE
 * VM without VM_MTE_ALLOWED unless map_non_cacheable) and
 * kvm_s2_fault_map() (tags sanitised in an MTE VM unless
 * map_non_cacheable).  Pages are "in the linear map" (pfn_is_map_memory())
 * exactly when their class is RAM: without memcap no pgmap is proven RAM.
 */
struct up73 {
	int err;
	bool translation_only;	/* the -EFAULT of compute_prot's MTE check */
	enum kvm_s2_mt mt;
	bool exec;
	bool sanitise;
};

static void upstream73(const struct kvm_s2_memcap_in *in, struct up73 *u)
{
	bool cacheable = in->host_mt != KVM_HOST_MT_NORMAL_NC &&
			 in->host_mt != KVM_HOST_MT_DEVICE_nGnRE &&
			 in->host_mt != KVM_HOST_MT_DEVICE_nGnRnE;
	bool map_non_cacheable = false;

	memset(u, 0, sizeof(*u));
	/* kvm_s2_fault_pin_pfn() */
	if ((in->vm_flags & (VM_PFNMAP | VM_MIXEDMAP)) &&
	    in->pfn_class != KVM_PFN_RAM) {
		if (cacheable) {
			if (!in->fwb || !in->dic) {
				u->err = -EFAULT;
				return;
			}
		} else {
			map_non_cacheable = true;
		}
	}
	/* kvm_s2_fault_compute_prot() */
	if (in->exec && map_non_cacheable) {
		u->err = -ENOEXEC;
		return;
	}
	u->exec = in->exec;
	if (map_non_cacheable) {
		u->mt = (in->vm_flags & VM_ALLOW_ANY_UNCACHED) ?
			KVM_S2_MT_NORMAL_NC : KVM_S2_MT_DEVICE;
	} else {
		u->mt = KVM_S2_MT_NORMAL;
		if (in->dic)
			u->exec = true;
	}
	if (!map_non_cacheable && in->vm_mte &&
	    !(in->vm_flags & VM_MTE_ALLOWED)) {
		u->err = -EFAULT;
		u->translation_only = true;
		return;
	}
	/* kvm_s2_fault_map() */
	u->sanitise = !map_non_cacheable && in->vm_mte;
}

static void kvm_memcap_test_without_memcap(struct kunit *test)
{
	unsigned long combos = 0, bad = 0, odd = 0, rows_hit[18] = {};
	struct kvm_s2_memcap_in in;
	struct kvm_s2_memcap_out out;
	unsigned int mt, cls, i;
	struct up73 u;
	unsigned long n;
	int ret;

	for (n = 0; n < NR_COMBOS; n++) {
		combo_in(n, &in);
		mt = in.host_mt;
		cls = in.pfn_class;
		in.trust_vmm = true;

		upstream73(&in, &u);
		ret = kvm_s2_memcap_decide(&in, &out);
		combos++;
		if (out.row >= 0 && out.row < ARRAY_SIZE(rows_hit))
			rows_hit[out.row]++;
		if (ret != u.err || out.mte_refused != u.translation_only ||
		    ((!ret || out.mte_refused) &&
		     (out.mt != u.mt || out.exec != u.exec)) ||
		    (!ret && out.sanitise_tags != u.sanitise)) {
			if (bad++ < 8)
				KUNIT_FAIL(test,
					   "not as 7.3: flags %#lx host %u class %u mte %d fwb %d dic %d exec %d: got %d/%d mt %d x %d row %d, 7.3 %d/%d mt %d x %d",
					   in.vm_flags, mt, cls, in.vm_mte, in.fwb,
					   in.dic, in.exec, ret, out.mte_refused,
					   out.mt, out.exec, out.row, u.err,
					   u.translation_only, u.mt, u.exec);
		}
		/*
		 * Whatever 7.3 does: nothing is counted as a downgrade or
		 * held to a record's size, as nothing was looked up; and a
		 * pfn outside the linear map is Normal only where stage 2
		 * needs no cache maintenance (FWB and DIC).
		 */
		if (out.downgraded || out.fixed_size ||
		    (!ret && out.mt == KVM_S2_MT_NORMAL &&
		     cls != KVM_PFN_RAM &&
		     (in.vm_flags & (VM_PFNMAP | VM_MIXEDMAP)) &&
		     (!in.fwb || !in.dic))) {
			if (odd++ < 8)
				KUNIT_FAIL(test,
					   "flags %#lx host %u class %u: downgraded %d fixed %d mt %d",
					   in.vm_flags, mt, cls, out.downgraded,
					   out.fixed_size, out.mt);
		}
	}
	kunit_info(test, "%lu combinations without memcap, %lu differ from 7.3\n",
		   combos, bad);
	for (i = 12; i < ARRAY_SIZE(rows_hit); i++) {
		kunit_info(test, "row %2u: %lu combinations\n", i, rows_hit[i]);
		KUNIT_EXPECT_GT(test, rows_hit[i], 0UL);
	}
	KUNIT_EXPECT_EQ(test, bad, 0UL);
	KUNIT_EXPECT_EQ(test, odd, 0UL);
	KUNIT_EXPECT_EQ(test, combos, 32UL * 5 * 4 * 33 * 64);
	/* Rows 1 to 11 are never reached: memcap's rules are off. */
	for (i = 0; i < 12; i++)
		KUNIT_EXPECT_EQ(test, rows_hit[i], 0UL);

	/* nvgrace-gpu's usemem on a host with FWB and DIC: Normal X, as 7.3. */
	in = (struct kvm_s2_memcap_in)IN(VM_IO | VM_PFNMAP, N, NOPAGE, 0, 0,
					 0, 1, 1, 0);
	in.trust_vmm = true;
	KUNIT_EXPECT_EQ(test, kvm_s2_memcap_decide(&in, &out), 0);
	KUNIT_EXPECT_EQ(test, out.mt, KVM_S2_MT_NORMAL);
	KUNIT_EXPECT_TRUE(test, out.exec);
	/* Without DIC, 7.3 fails every fault, permission faults included. */
	in.dic = false;
	KUNIT_EXPECT_EQ(test, kvm_s2_memcap_decide(&in, &out), -EFAULT);
	KUNIT_EXPECT_FALSE(test, out.mte_refused);
	/*
	 * A ZONE_DEVICE page that vm_insert_page() put in a MIXEDMAP VMA:
	 * without memcap, kvm_s2_memcap_gather_pfn() calls it another page.
	 */
	in = (struct kvm_s2_memcap_in)IN(VM_MIXEDMAP, N, PAGE, 0, 0,
					 0, 1, 1, 0);
	in.trust_vmm = true;
	KUNIT_EXPECT_EQ(test, kvm_s2_memcap_decide(&in, &out), 0);
	KUNIT_EXPECT_EQ(test, out.mt, KVM_S2_MT_NORMAL);
}

/* ---- The ptdump column, in both MemAttr encodings ---- */

static u64 memattr(u64 attr)
{
	return FIELD_PREP(KVM_PTE_LEAF_ATTR_LO_S2_MEMATTR, attr) | PTE_VALID;
}

static void kvm_memcap_test_ptdump_decode(struct kunit *test)
{
	/* FEAT_S2FWB: MemAttr[3:0] = 0b0110 Normal WB, 0b0101 NC, 0b0001 Device. */
	KUNIT_EXPECT_STREQ(test, kvm_s2_memattr_name(memattr(0x6), true), "Normal");
	KUNIT_EXPECT_STREQ(test, kvm_s2_memattr_name(memattr(0x5), true), "Normal-NC");
	KUNIT_EXPECT_STREQ(test, kvm_s2_memattr_name(memattr(0x1), true), "Device-nGnRE");
	KUNIT_EXPECT_STREQ(test, kvm_s2_memattr_name(memattr(0xf), true), "?");
	/* Without FWB: outer[3:2] inner[1:0]; 0b1111 WB, 0b0101 NC, 0b0001 nGnRE. */
	KUNIT_EXPECT_STREQ(test, kvm_s2_memattr_name(memattr(0xf), false), "Normal");
	KUNIT_EXPECT_STREQ(test, kvm_s2_memattr_name(memattr(0x5), false), "Normal-NC");
	KUNIT_EXPECT_STREQ(test, kvm_s2_memattr_name(memattr(0x1), false), "Device-nGnRE");
	KUNIT_EXPECT_STREQ(test, kvm_s2_memattr_name(memattr(0x6), false), "?");
	KUNIT_EXPECT_STREQ(test, kvm_s2_memattr_name(memattr(0x0), false), "?");
	/* Other descriptor bits do not matter. */
	KUNIT_EXPECT_STREQ(test, kvm_s2_memattr_name(memattr(0x6) |
			   KVM_PTE_LEAF_ATTR_LO_S2_AF | KVM_PTE_LEAF_ATTR_HI_S2_XN,
			   true), "Normal");
}

#ifdef CONFIG_PTDUMP_STAGE2_DEBUGFS
/* The column ptdump prints: the entry whose mask/val match, as dump_prot(). */
static void kvm_memcap_test_ptdump_bits(struct kunit *test)
{
	static const struct { u64 attr; bool fwb; const char *name; } cases[] = {
		{ 0x6, true, "Normal" }, { 0x5, true, "Normal-NC" },
		{ 0x1, true, "Device-nGnRE" }, { 0xf, false, "Normal" },
		{ 0x5, false, "Normal-NC" }, { 0x1, false, "Device-nGnRE" },
	};
	struct ptdump_prot_bits bits[3];
	int i, j, n, hits;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		n = kvm_s2_memattr_prot_bits(bits, cases[i].fwb);
		KUNIT_ASSERT_EQ(test, n, 3);
		hits = 0;
		for (j = 0; j < n; j++) {
			if ((memattr(cases[i].attr) & bits[j].mask) != bits[j].val)
				continue;
			hits++;
			KUNIT_EXPECT_STREQ(test, bits[j].set, cases[i].name);
		}
		KUNIT_EXPECT_EQ_MSG(test, hits, 1, "attr %#llx fwb %d",
				    cases[i].attr, cases[i].fwb);
	}
}
#endif

/* ---- Inputs gathered from real objects ---- */

static void kvm_memcap_test_host_mt(struct kunit *test)
{
	struct vm_area_struct vma = {};

	vma.vm_page_prot = PAGE_SHARED;
	KUNIT_EXPECT_EQ(test, kvm_host_mt_from_vma(&vma), KVM_HOST_MT_NORMAL);
	vma.vm_page_prot = pgprot_tagged(PAGE_SHARED);
	KUNIT_EXPECT_EQ(test, kvm_host_mt_from_vma(&vma),
			KVM_HOST_MT_NORMAL_TAGGED);
	vma.vm_page_prot = pgprot_writecombine(PAGE_SHARED);
	KUNIT_EXPECT_EQ(test, kvm_host_mt_from_vma(&vma), KVM_HOST_MT_NORMAL_NC);
	vma.vm_page_prot = pgprot_device(PAGE_SHARED);
	KUNIT_EXPECT_EQ(test, kvm_host_mt_from_vma(&vma),
			KVM_HOST_MT_DEVICE_nGnRE);
	vma.vm_page_prot = pgprot_noncached(PAGE_SHARED);
	KUNIT_EXPECT_EQ(test, kvm_host_mt_from_vma(&vma),
			KVM_HOST_MT_DEVICE_nGnRnE);
}

static void kvm_memcap_test_gather_pfn(struct kunit *test)
{
	const struct kvm_s2_memcap_out normal = { .mt = KVM_S2_MT_NORMAL };
	const struct kvm_s2_memcap_out device = { .mt = KVM_S2_MT_DEVICE };
	phys_addr_t far = BIT_ULL(44) + SZ_2G;
	struct kvm_s2_memcap_in in = { .has_record = true, .caps = ~0U,
				       .trust_vmm = !IS_ENABLED(CONFIG_MEMCAP) };
	struct kvm_s2_memcap_in c = IN(CPFNMAP, N, NOPAGE, 0, 0, 0, 1, 1, 0);
	struct kvm_s2_memcap_out out;
	struct page *page;

	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	kvm_s2_memcap_gather_pfn(page_to_pfn(page), 1, &in);
	KUNIT_EXPECT_EQ(test, in.pfn_class, KVM_PFN_RAM);
	KUNIT_EXPECT_FALSE(test, in.has_record);
	__free_page(page);

	/* No struct page, no record: nothing vouches for it. */
	kvm_s2_memcap_gather_pfn(PHYS_PFN(far), 1, &in);
	KUNIT_EXPECT_EQ(test, in.pfn_class, KVM_PFN_NO_PAGE);
	KUNIT_EXPECT_FALSE(test, in.has_record);

	/*
	 * The 6.12 backport's rules (no trust_vmm), unrecorded cacheable
	 * PFNMAP: row 11.  A downgrade held to the record's size only where
	 * records exist; without memcap it is 6.12's plain Device answer.
	 */
	KUNIT_EXPECT_EQ(test, kvm_s2_memcap_fault(&c, PHYS_PFN(far), 1, &out), 0);
	KUNIT_EXPECT_EQ(test, out.row, 11);
	KUNIT_EXPECT_EQ(test, out.mt, KVM_S2_MT_DEVICE);
	KUNIT_EXPECT_EQ(test, out.downgraded, IS_ENABLED(CONFIG_MEMCAP));
	KUNIT_EXPECT_EQ(test, out.fixed_size, IS_ENABLED(CONFIG_MEMCAP));

	if (!IS_ENABLED(CONFIG_MEMCAP))
		return;
	/* A record covering the whole (huge) mapping is consulted. */
	KUNIT_ASSERT_EQ(test, 0, memcap_register(far, SZ_2M, CC, "kvm-kunit"));
	kvm_s2_memcap_gather_pfn(PHYS_PFN(far) + 3, 1, &in);
	KUNIT_EXPECT_TRUE(test, in.has_record);
	KUNIT_EXPECT_EQ(test, in.caps, CC);
	kvm_s2_memcap_gather_pfn(PHYS_PFN(far) + 3, SZ_2M >> PAGE_SHIFT, &in);
	KUNIT_EXPECT_TRUE(test, in.has_record);
	/* A mapping larger than the record is not covered by it. */
	kvm_s2_memcap_gather_pfn(PHYS_PFN(far), SZ_4M >> PAGE_SHIFT, &in);
	KUNIT_EXPECT_FALSE(test, in.has_record);
	KUNIT_EXPECT_EQ(test, in.caps, 0U);

	/*
	 * A fault may grow a record-backed Normal mapping to a block only if
	 * the records vouch for the whole block (kvm_s2_memcap_covers()).
	 */
	KUNIT_EXPECT_TRUE(test, kvm_s2_memcap_covers(&normal, PHYS_PFN(far),
						     SZ_2M >> PAGE_SHIFT));
	KUNIT_EXPECT_FALSE(test, kvm_s2_memcap_covers(&normal, PHYS_PFN(far),
						      SZ_4M >> PAGE_SHIFT));
	KUNIT_EXPECT_FALSE(test, kvm_s2_memcap_covers(&normal, PHYS_PFN(far + SZ_2M),
						      SZ_2M >> PAGE_SHIFT));
	/*
	 * A downgraded mapping, only over memory no record touches: the
	 * block past the record, not one that holds any of it.
	 */
	KUNIT_EXPECT_TRUE(test, kvm_s2_memcap_covers(&device, PHYS_PFN(far + SZ_2M),
						     SZ_2M >> PAGE_SHIFT));
	KUNIT_EXPECT_FALSE(test, kvm_s2_memcap_covers(&device, PHYS_PFN(far),
						      SZ_4M >> PAGE_SHIFT));
	KUNIT_EXPECT_FALSE(test, kvm_s2_memcap_covers(&device, PHYS_PFN(far),
						      SZ_2M >> PAGE_SHIFT));
	KUNIT_EXPECT_EQ(test, 0, memcap_unregister(far, SZ_2M));
	/* Half a block recorded: neither answer holds for all of it. */
	KUNIT_ASSERT_EQ(test, 0, memcap_register(far, SZ_1M, CC, "kvm-kunit"));
	KUNIT_EXPECT_FALSE(test, kvm_s2_memcap_covers(&normal, PHYS_PFN(far),
						      SZ_2M >> PAGE_SHIFT));
	KUNIT_EXPECT_FALSE(test, kvm_s2_memcap_covers(&device, PHYS_PFN(far),
						      SZ_2M >> PAGE_SHIFT));
	KUNIT_EXPECT_EQ(test, 0, memcap_unregister(far, SZ_1M));
	/* Cacheable but not coherent: never vouched for, at any size. */
	KUNIT_ASSERT_EQ(test, 0, memcap_register(far, SZ_2M, MEMCAP_CACHEABLE,
						 "kvm-kunit"));
	KUNIT_EXPECT_FALSE(test, kvm_s2_memcap_covers(&normal, PHYS_PFN(far), 1));
	KUNIT_EXPECT_EQ(test, 0, memcap_unregister(far, SZ_2M));
}

#if defined(CONFIG_ZONE_DEVICE) && defined(CONFIG_MEMCAP)
/*
 * Physical memory the kernel does not use, as for the mm suites (the
 * harness boots with mem=768M of 1.25G and passes 0x70000000); these cases
 * use 2 MiB at +112 MiB, which the mm suites leave alone.
 */
static u64 memcap_devmem_start;
module_param(memcap_devmem_start, ullong, 0444);
MODULE_PARM_DESC(memcap_devmem_start, "unused physical memory for the KUnit tests");

struct gather_pgmap_case {
	const char *name;
	enum memory_type type;
	bool set;		/* pgmap_set_memcap(caps) */
	int record;		/* caps of a registry record, or -1 */
	unsigned int caps;
	enum kvm_pfn_class want_class;
	bool want_record;
	unsigned int want_caps;
	bool want_no_tags;
};

#define EVERY	(RAMCAPS | MEMCAP_TAGS)

/*
 * Caps chosen so that memremap_pages() accepts every case in either mode
 * on both test machines (-cpu max and cortex-a76 both have LSE atomics).
 */
static const struct gather_pgmap_case gather_pgmap_cases[] = {
	{ "generic, stated every cap -> RAM",
	  MEMORY_DEVICE_GENERIC, true, -1, EVERY, KVM_PFN_RAM, false, 0, false },
	{ "generic, stated without tags -> RAM without tags",
	  MEMORY_DEVICE_GENERIC, true, -1, RAMCAPS, KVM_PFN_RAM, false, 0, true },
	{ "generic, nothing stated -> assumed, no record",
	  MEMORY_DEVICE_GENERIC, false, -1, 0, KVM_PFN_ASSUMED_PAGE, false, 0, false },
	{ "generic, a record states every cap -> RAM",
	  MEMORY_DEVICE_GENERIC, false, EVERY, 0, KVM_PFN_RAM, false, 0, false },
	{ "p2pdma, stated C|COH -> the pgmap's record",
	  MEMORY_DEVICE_PCI_P2PDMA, true, -1, CC, KVM_PFN_OTHER_PAGE, true, CC, false },
	{ "p2pdma, a record states C -> the pgmap's record",
	  MEMORY_DEVICE_PCI_P2PDMA, false, C, 0, KVM_PFN_OTHER_PAGE, true, C, false },
	{ "p2pdma, nothing stated -> not RAM, no record",
	  MEMORY_DEVICE_PCI_P2PDMA, false, -1, 0, KVM_PFN_OTHER_PAGE, false, 0, false },
};

KUNIT_ARRAY_PARAM_DESC(gather_pgmap, gather_pgmap_cases, name);

static void kvm_memcap_test_gather_pgmap(struct kunit *test)
{
	const struct gather_pgmap_case *gc = test->param_value;
	phys_addr_t start = memcap_devmem_start + SZ_64M + SZ_32M + SZ_16M;
	struct kvm_s2_memcap_in in = { .has_record = !gc->want_record,
				       .caps = ~0U, .no_tags = !gc->want_no_tags };
	struct dev_pagemap *pgmap;
	void *ret;

	if (!memcap_devmem_start)
		kunit_skip(test, "no unused memory: see kvm.memcap_devmem_start");
	pgmap = kunit_kzalloc(test, sizeof(*pgmap), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pgmap);
	pgmap->type = gc->type;
	pgmap->range.start = start;
	pgmap->range.end = start + SZ_2M - 1;
	pgmap->nr_range = 1;
	if (gc->set)
		pgmap_set_memcap(pgmap, gc->caps);
	if (gc->record >= 0)
		KUNIT_ASSERT_EQ(test, 0, memcap_register(start, SZ_2M, gc->record,
							 "kvm-kunit"));
	ret = memremap_pages(pgmap, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(ret), "memremap_pages: %ld",
			       PTR_ERR(ret));

	kvm_s2_memcap_gather_pfn(PHYS_PFN(start) + 1, 1, &in);
	KUNIT_EXPECT_EQ(test, in.pfn_class, gc->want_class);
	KUNIT_EXPECT_EQ(test, in.has_record, gc->want_record);
	KUNIT_EXPECT_EQ(test, in.caps, gc->want_caps);
	KUNIT_EXPECT_EQ(test, in.no_tags, gc->want_no_tags);

	memunmap_pages(pgmap);
	if (gc->record >= 0)
		KUNIT_EXPECT_EQ(test, 0, memcap_unregister(start, SZ_2M));
}
#endif

static void kvm_memcap_test_memslot(struct kunit *test)
{
	struct vm_area_struct vma = {};
	struct kvm *kvm;

	kvm = kunit_kzalloc(test, sizeof(*kvm), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, kvm);

	/* Without MTE nothing is refused at memslot time. */
	vm_flags_init(&vma, VM_PFNMAP);
	vma.vm_page_prot = PAGE_SHARED;
	KUNIT_EXPECT_EQ(test, kvm_s2_memcap_check_vma(kvm, &vma), 0);

	/* An MTE VM needs a host with MTE. */
	set_bit(KVM_ARCH_FLAG_MTE_ENABLED, &kvm->arch.flags);
	KUNIT_EXPECT_EQ(test, kvm_has_mte(kvm), system_supports_mte());
	/* MTE VM, cacheable PFNMAP: every fault would be -EFAULT. */
	KUNIT_EXPECT_EQ(test, kvm_s2_memcap_check_vma(kvm, &vma),
			system_supports_mte() ? -EINVAL : 0);
	/* MTE VM, anonymous memory that allows PROT_MTE. */
	vm_flags_init(&vma, VM_MTE_ALLOWED);
	KUNIT_EXPECT_EQ(test, kvm_s2_memcap_check_vma(kvm, &vma), 0);
	/* MTE VM, cacheable VM_IO|VM_PFNMAP (remap_pfn_range()): refused. */
	vm_flags_init(&vma, VM_IO | VM_PFNMAP);
	KUNIT_EXPECT_EQ(test, kvm_s2_memcap_check_vma(kvm, &vma),
			system_supports_mte() ? -EINVAL : 0);
	/*
	 * MTE VM, device BAR or write-combine PFNMAP: refused, as 6.12 and
	 * upstream refuse every VMA without VM_MTE_ALLOWED in an MTE VM.
	 */
	vma.vm_page_prot = pgprot_device(PAGE_SHARED);
	KUNIT_EXPECT_EQ(test, kvm_s2_memcap_check_vma(kvm, &vma),
			system_supports_mte() ? -EINVAL : 0);
	vm_flags_init(&vma, VM_PFNMAP);
	vma.vm_page_prot = pgprot_writecombine(PAGE_SHARED);
	KUNIT_EXPECT_EQ(test, kvm_s2_memcap_check_vma(kvm, &vma),
			system_supports_mte() ? -EINVAL : 0);
}

/*
 * What upstream 7.3's fault path computes for the same choice (its
 * mmu.c): kvm_vma_mte_allowed() and kvm_vma_is_cacheable(), both static
 * there, and pfn_is_map_memory() only for VM_PFNMAP and VM_MIXEDMAP: for
 * anonymous RAM it never searches memblock.  The baseline of the ratio
 * below, not an expected value.
 */
static noinline bool upstream_ram_inputs(struct vm_area_struct *vma,
					 unsigned long pfn)
{
	bool cacheable, mte_allowed = vma->vm_flags & VM_MTE_ALLOWED;

	switch (FIELD_GET(PTE_ATTRINDX_MASK, pgprot_val(vma->vm_page_prot))) {
	case MT_NORMAL_NC:
	case MT_DEVICE_nGnRnE:
	case MT_DEVICE_nGnRE:
		cacheable = false;
		break;
	default:
		cacheable = true;
	}
	if (vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP) && !pfn_is_map_memory(pfn))
		return false;
	return cacheable && mte_allowed;
}

/* What memcap's fault path calls for the same pfn (mmu.c). */
static noinline int memcap_ram_decision(struct kvm *kvm,
					struct vm_area_struct *vma,
					unsigned long pfn,
					struct kvm_s2_memcap_out *out)
{
	struct kvm_s2_memcap_in in;

	kvm_s2_memcap_gather_vma(kvm, vma, false, &in);
	return kvm_s2_memcap_fault(&in, pfn, 1, out);
}

/*
 * Figures for the fault path; printed, never asserted.  Under QEMU's
 * -icount (make bench) the nanoseconds are instructions.
 */
static void kvm_memcap_bench(struct kunit *test)
{
	struct kvm_s2_memcap_in pfnmap = IN(CPFNMAP, N, NOPAGE, 0, 0, 0, 1, 0, 0);
	const unsigned int loops = 200000;
	struct vm_area_struct vma = {};
	struct kvm_s2_memcap_out out;
	u64 t0, t1, t2, t3, ratio;
	unsigned long pfn;
	struct page *page;
	unsigned int i, sink = 0;
	struct kvm *kvm;

	kvm = kunit_kzalloc(test, sizeof(*kvm), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, kvm);
	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	pfn = page_to_pfn(page);
	/* Anonymous memory, as a VMM's guest RAM. */
	vm_flags_init(&vma, VM_READ | VM_WRITE | VM_MTE_ALLOWED);
	vma.vm_page_prot = PAGE_SHARED;

	t0 = ktime_get_ns();
	for (i = 0; i < loops; i++)
		sink += memcap_ram_decision(kvm, &vma, pfn, &out);
	t1 = ktime_get_ns();
	for (i = 0; i < loops; i++)
		sink += upstream_ram_inputs(&vma, pfn);
	t2 = ktime_get_ns();
	for (i = 0; i < loops; i++) {
		kvm_s2_memcap_gather_pfn(PHYS_PFN(BIT_ULL(44)), 1, &pfnmap);
		kvm_s2_memcap_decide(&pfnmap, &out);
	}
	t3 = ktime_get_ns();
	__free_page(page);
	ratio = div64_u64((t1 - t0) * 100, max_t(u64, t2 - t1, 1));
	kunit_info(test, "decision, RAM pfn: memcap %llu ns, upstream 7.3's VMA checks %llu ns; ratio %llu.%02llu (%u)\n",
		   div_u64(t1 - t0, loops), div_u64(t2 - t1, loops),
		   ratio / 100, ratio % 100, sink);
	kunit_info(test, "PFNMAP pfn (registry lookup): %llu ns/fault\n",
		   div_u64(t3 - t2, loops));
}

static struct kunit_case kvm_memcap_cases[] = {
	KUNIT_CASE_SLOW(kvm_memcap_test_exhaustive),
	KUNIT_CASE_PARAM(kvm_memcap_test_named, named_gen_params),
	KUNIT_CASE(kvm_memcap_test_no_tags),
	KUNIT_CASE_SLOW(kvm_memcap_test_without_memcap),
	KUNIT_CASE(kvm_memcap_test_ptdump_decode),
#ifdef CONFIG_PTDUMP_STAGE2_DEBUGFS
	KUNIT_CASE(kvm_memcap_test_ptdump_bits),
#endif
	KUNIT_CASE(kvm_memcap_test_host_mt),
	KUNIT_CASE(kvm_memcap_test_gather_pfn),
#if defined(CONFIG_ZONE_DEVICE) && defined(CONFIG_MEMCAP)
	KUNIT_CASE_PARAM(kvm_memcap_test_gather_pgmap, gather_pgmap_gen_params),
#endif
	KUNIT_CASE(kvm_memcap_test_memslot),
	KUNIT_CASE_SLOW(kvm_memcap_bench),
	{}
};

static struct kunit_suite kvm_memcap_suite = {
	.name = "kvm_arm64_memcap",
	.test_cases = kvm_memcap_cases,
};

kunit_test_suite(kvm_memcap_suite);

MODULE_DESCRIPTION("KUnit tests for the KVM/arm64 stage-2 memory type policy");
MODULE_LICENSE("GPL");
