// SPDX-License-Identifier: GPL-2.0
/*
 * KVM/arm64: choose the stage-2 memory type from evidence.
 *
 * The VMA says how the host maps the memory (VM_IO, the pgprot's memory
 * type, VM_ALLOW_ANY_UNCACHED); the struct page or the memcap record says
 * what the memory supports; the CPU says what stage 2 can do (FWB, DIC).
 * Stage 2 gets the strongest type all three allow, and a VM that needs
 * what the memory cannot give gets an error, never a host SError.
 *
 * The decision table, row by row, is Documentation/virt/kvm/arm/memcap.rst.
 */

#include <linux/cpufeature.h>
#include <linux/init.h>
#include <linux/kvm_host.h>
#include <linux/memcap.h>
#include <linux/memremap.h>
#include <linux/mm.h>

#include <asm/kvm_memcap.h>
#include <asm/kvm_pgtable.h>
#include <asm/memory.h>
#include <asm/ptdump.h>

static bool host_mt_cacheable(enum kvm_host_mt mt)
{
	return mt == KVM_HOST_MT_NORMAL || mt == KVM_HOST_MT_NORMAL_TAGGED;
}

/*
 * A RAM-equivalent struct page, or a ZONE_DEVICE page that nobody described
 * behind an ordinary VMA (neither VM_PFNMAP nor VM_MIXEDMAP) that maps it
 * cacheable: guest RAM on /dev/daxX.Y, on an fsdax file, or anonymous
 * memory migrated to DEVICE_COHERENT pages.  mm accepted the page as RAM,
 * the host maps it cacheable, and upstream has mapped such pages Normal
 * since 6.17: warn mode keeps that (@in->trust_assumed), strict mode asks
 * for a proof.  Nobody stated that it has tag storage.
 */
static bool pfn_is_ram(const struct kvm_s2_memcap_in *in, bool *no_tags)
{
	*no_tags = in->no_tags;
	if (in->pfn_class == KVM_PFN_RAM)
		return true;
	*no_tags = true;
	return in->pfn_class == KVM_PFN_ASSUMED_PAGE && in->trust_assumed &&
	       !(in->vm_flags & (VM_PFNMAP | VM_MIXEDMAP)) &&
	       host_mt_cacheable(in->host_mt);
}

static bool record_vouches_cacheable(const struct kvm_s2_memcap_in *in)
{
	const unsigned int need = MEMCAP_CACHEABLE | MEMCAP_COHERENT;

	return in->has_record && (in->caps & need) == need;
}

/*
 * Rows 12 to 17: the rules of Linux 7.3 without memcap, for a kernel built
 * without it (@in->trust_vmm), where nobody can state anything.  A pfn
 * outside the linear map in a VM_PFNMAP or VM_MIXEDMAP VMA is IO memory
 * under a non-cacheable pgprot, and under a cacheable one is trusted to be
 * cacheable when FWB and DIC spare KVM the cache maintenance it could not
 * do; every other pfn is Normal.  The MTE rule is 6.12's for all of them.
 */
static int decide_trusting_vmm(const struct kvm_s2_memcap_in *in,
			       struct kvm_s2_memcap_out *out)
{
	bool outside = in->vm_flags & (VM_PFNMAP | VM_MIXEDMAP) &&
		       in->pfn_class != KVM_PFN_RAM;

	if (outside && !host_mt_cacheable(in->host_mt)) {
		if (in->exec) {
			out->row = 12;
			return -ENOEXEC;
		}
		if (in->vm_flags & VM_ALLOW_ANY_UNCACHED) {
			out->mt = KVM_S2_MT_NORMAL_NC;
			out->row = 13;
		} else {
			out->row = 14;
		}
		return 0;
	}
	if (outside && !(in->fwb && in->dic)) {
		out->row = 15;
		return -EFAULT;
	}
	out->mt = KVM_S2_MT_NORMAL;
	out->exec = in->exec || in->dic;
	if (in->vm_mte && !(in->vm_flags & VM_MTE_ALLOWED)) {
		out->mte_refused = true;
		out->row = 16;
		return -EFAULT;
	}
	out->sanitise_tags = in->vm_mte;
	out->row = 17;
	return 0;
}

/**
 * kvm_s2_memcap_decide() - the stage-2 memory type for a fault
 * @in: the VMA, the backing memory and the host features
 * @out: the mapping to install; @out->row is set on errors too
 *
 * A pure function of @in.  A RAM-equivalent struct page gets Normal,
 * whatever the host pgprot, and so, in warn mode, does a ZONE_DEVICE page
 * that nobody described behind an ordinary cacheable VMA.  IO memory (a
 * non-cacheable host mapping of anything else) gets Normal-NC with
 * VM_ALLOW_ANY_UNCACHED, else Device-nGnRE, and is never executable.  A
 * cacheable host mapping of anything else gets Normal only when its
 * record vouches for cacheable and coherent memory and the host has FWB
 * (and executable only with DIC); otherwise it keeps the 6.12 answer,
 * Normal-NC or Device, and counts as a downgrade.
 *
 * Without memcap (@in->trust_vmm) nothing can be proven, and the rules of
 * the kernel without memcap apply instead (rows 12 to 17).
 *
 * Context: Any context.
 * Return: 0; -ENOEXEC for an instruction fetch the mapping cannot allow;
 * -EFAULT when an MTE VM would get cacheable memory whose tags cannot be
 * managed (@out->mte_refused), or, without memcap, for a cacheable pfn
 * outside the linear map on a host without FWB and DIC.  With
 * @out->mte_refused, @out is still the mapping that the kernel without
 * memcap would have used, for a permission fault on an existing mapping:
 * the caller refuses only new mappings, where its upstream does (6.12 under
 * mmu_lock once the VMA it read is known to be current, 7.3 in
 * kvm_s2_fault_compute_prot()).
 */
int kvm_s2_memcap_decide(const struct kvm_s2_memcap_in *in,
			 struct kvm_s2_memcap_out *out)
{
	bool any_uc = in->vm_flags & VM_ALLOW_ANY_UNCACHED;
	bool no_tags;

	*out = (struct kvm_s2_memcap_out){ .mt = KVM_S2_MT_DEVICE };
	if (in->trust_vmm)
		return decide_trusting_vmm(in, out);

	/*
	 * RAM: the struct page proves it, and it is Normal whatever the host
	 * pgprot, as in 6.12 (a dma_mmap_wc() buffer used as guest memory
	 * keeps working).  MTE as in 6.12: the VMA must allow PROT_MTE, and
	 * the memory must have tag storage.
	 */
	if (pfn_is_ram(in, &no_tags)) {
		out->mt = KVM_S2_MT_NORMAL;
		out->exec = in->exec || in->dic;
		if (in->vm_mte &&
		    (!(in->vm_flags & VM_MTE_ALLOWED) || no_tags)) {
			/* @out is what a permission fault may relax. */
			out->mte_refused = true;
			out->row = 4;
			return -EFAULT;
		}
		out->sanitise_tags = in->vm_mte;
		out->row = 5;
		return 0;
	}

	/*
	 * IO memory: never cacheable, never executable, tags never checked.
	 * The host pgprot decides, not VM_IO: remap_pfn_range() sets VM_IO
	 * on every PFNMAP, including cacheable ones such as nvgrace-gpu's
	 * usemem.  A cacheable VM_IO mapping without a record still ends up
	 * Device (row 11).
	 */
	if (!host_mt_cacheable(in->host_mt)) {
		if (in->exec) {
			out->row = 1;
			return -ENOEXEC;
		}
		out->mt = any_uc ? KVM_S2_MT_NORMAL_NC : KVM_S2_MT_DEVICE;
		out->row = any_uc ? 2 : 3;
		return 0;
	}

	/*
	 * Cacheable, without a RAM-equivalent struct page, vouched for: an
	 * MTE VM cannot have it Normal, because tags cannot be sanitised
	 * without struct pages.  Unproven memory gets the 6.12 answer
	 * below, which 6.12 gave MTE VMs too.
	 */
	if (in->vm_mte && record_vouches_cacheable(in) && in->fwb) {
		out->mt = any_uc ? KVM_S2_MT_NORMAL_NC : KVM_S2_MT_DEVICE;
		out->mte_refused = true;
		out->row = 6;
		return -EFAULT;
	}
	if (record_vouches_cacheable(in) && in->fwb) {
		if (in->exec && !in->dic) {
			out->row = 7;
			return -ENOEXEC;
		}
		out->mt = KVM_S2_MT_NORMAL;
		out->exec = in->dic;
		out->fixed_size = true;
		out->row = 8;
		return 0;
	}

	/* No proof: what 6.12 did, and count it. */
	if (in->exec) {
		out->row = 9;
		return -ENOEXEC;
	}
	out->mt = any_uc ? KVM_S2_MT_NORMAL_NC : KVM_S2_MT_DEVICE;
	out->downgraded = true;
	/* Nor may a downgrade grow over memory that a record vouches for. */
	out->fixed_size = true;
	out->row = any_uc ? 10 : 11;
	return 0;
}

/**
 * kvm_host_mt_from_vma() - decode the host memory type of a VMA
 * @vma: the VMA
 *
 * Context: The mmap lock is held.
 * Return: the memory type that the AttrIndx of @vma->vm_page_prot selects.
 */
enum kvm_host_mt kvm_host_mt_from_vma(const struct vm_area_struct *vma)
{
	switch ((pgprot_val(vma->vm_page_prot) & PTE_ATTRINDX_MASK) >> 2) {
	case MT_NORMAL:
		return KVM_HOST_MT_NORMAL;
	case MT_NORMAL_TAGGED:
		return KVM_HOST_MT_NORMAL_TAGGED;
	case MT_NORMAL_NC:
		return KVM_HOST_MT_NORMAL_NC;
	case MT_DEVICE_nGnRnE:
		return KVM_HOST_MT_DEVICE_nGnRnE;
	default:
		return KVM_HOST_MT_DEVICE_nGnRE;
	}
}

/**
 * kvm_s2_memcap_gather_vma() - the inputs that come from the VMA and the VM
 * @kvm: the VM
 * @vma: the VMA that backs the faulting address
 * @exec: the fault is an instruction fetch
 * @in: filled in
 *
 * Context: The mmap lock is held.
 */
void kvm_s2_memcap_gather_vma(struct kvm *kvm, struct vm_area_struct *vma,
			      bool exec, struct kvm_s2_memcap_in *in)
{
	in->vm_flags = vma->vm_flags & KVM_MEMCAP_VM_FLAGS;
	in->host_mt = kvm_host_mt_from_vma(vma);
	in->trust_assumed = !memcap_strict();
	in->trust_vmm = !IS_ENABLED(CONFIG_MEMCAP);
	in->vm_mte = kvm_has_mte(kvm);
	/* A guest's stage-2 tables use FWB whenever the CPUs have it. */
	in->fwb = cpus_have_final_cap(ARM64_HAS_STAGE2_FWB);
	in->dic = cpus_have_final_cap(ARM64_HAS_CACHE_DIC);
	in->exec = exec;
}

/*
 * A pfn with a struct page: what its pgmap's proof says, if a pgmap maps
 * it.  memcap_pfn_proof() pins the pgmap while it reads it, and never
 * touches the struct page, whose memmap memunmap_pages() may be freeing:
 * KVM holds no reference on a PFNMAP pfn.  Return: a pgmap maps @pfn.
 */
static bool kvm_s2_memcap_gather_pgmap(unsigned long pfn,
				       struct kvm_s2_memcap_in *in)
{
	unsigned int caps;

	switch (memcap_pfn_proof(pfn, &caps)) {
	case MEMCAP_PGMAP_RAM:
		in->pfn_class = KVM_PFN_RAM;
		in->no_tags = !(caps & MEMCAP_TAGS);
		break;
	case MEMCAP_PGMAP_STATED:
		/* The pgmap's own record, e.g. a P2PDMA BAR's. */
		in->has_record = true;
		in->caps = caps;
		break;
	case MEMCAP_PGMAP_ASSUMED:
		/* Assumed, never proven: see pfn_is_ram(). */
		in->pfn_class = KVM_PFN_ASSUMED_PAGE;
		break;
	case MEMCAP_PGMAP_NOT_RAM:
		/* Nothing stated of a P2PDMA BAR, say: as 6.12, Device. */
		break;
	case MEMCAP_PGMAP_NONE:
		return false;
	}
	return true;
}

/**
 * kvm_s2_memcap_gather_pfn() - the inputs that come from the pfn
 * @pfn: the pfn about to be mapped
 * @nr_pages: number of pages of the mapping, a power of two
 * @in: filled in, after kvm_s2_memcap_gather_vma()
 *
 * Boot RAM is recognised exactly as 6.12 recognised it, so the RAM path
 * costs no more than before.  Only a pfn without a RAM-equivalent struct
 * page consults its pgmap or the memcap registry.  Only capabilities that
 * a driver or firmware stated count as a record: what the architecture
 * assumes of a range never does.
 *
 * Context: The caller holds a reference on the pfn, if it has a page.
 */
void kvm_s2_memcap_gather_pfn(unsigned long pfn, unsigned long nr_pages,
			      struct kvm_s2_memcap_in *in)
{
	unsigned long first = ALIGN_DOWN(pfn, nr_pages);

	in->has_record = false;
	in->caps = 0;
	in->no_tags = false;
	if (likely(pfn_is_map_memory(pfn))) {
		in->pfn_class = KVM_PFN_RAM;
		return;
	}
	/* Without memcap nothing was stated, and only the linear map counts. */
	if (in->trust_vmm) {
		in->pfn_class = pfn_valid(pfn) ? KVM_PFN_OTHER_PAGE :
						 KVM_PFN_NO_PAGE;
		return;
	}
	if (pfn_valid(pfn)) {
		in->pfn_class = KVM_PFN_OTHER_PAGE;
		if (kvm_s2_memcap_gather_pgmap(pfn, in))
			return;
	} else {
		in->pfn_class = KVM_PFN_NO_PAGE;
	}
	if (memcap_lookup_pfn(first, nr_pages, &in->caps) == MEMCAP_COVERED)
		in->has_record = true;
	else
		in->caps = 0;
}

/**
 * kvm_s2_memcap_covers() - may a mapping decided by the records grow to a
 *	block
 * @out: the decision for the range it was looked up for (%fixed_size)
 * @pfn: first pfn of the block
 * @nr_pages: pages in the block
 *
 * Before a fault maps a larger block than the records were looked up for,
 * they must give the same answer for all of it.  A Normal mapping needs
 * records that vouch for the whole block, as they did for the page.  A
 * downgraded one needs a block that no record touches: else it would map
 * Device or Normal-NC over memory the guest may already have mapped Normal
 * and cached, through another page of the block (the stage-2 table of
 * that page is replaced by the block), which would change the memory type
 * of live data under the guest.
 *
 * Context: Any context; takes no lock.
 * Return: the block may be mapped with @out.
 */
bool kvm_s2_memcap_covers(const struct kvm_s2_memcap_out *out,
			  unsigned long pfn, unsigned long nr_pages)
{
	const unsigned int need = MEMCAP_CACHEABLE | MEMCAP_COHERENT;
	enum memcap_coverage cov;
	unsigned int caps;

	cov = memcap_lookup_pfn(pfn, nr_pages, &caps);
	if (out->mt == KVM_S2_MT_NORMAL)
		return cov == MEMCAP_COVERED && (caps & need) == need;
	return cov == MEMCAP_UNCOVERED;
}

/**
 * kvm_s2_memcap_fault() - the stage-2 memory type for a faulting pfn
 * @in: the inputs gathered from the VMA; completed here
 * @pfn: the pfn about to be mapped
 * @nr_pages: number of pages of the mapping
 * @out: the mapping to install
 *
 * Context: The caller holds a reference on the pfn, if it has a page.
 * Return: as kvm_s2_memcap_decide().
 */
int kvm_s2_memcap_fault(struct kvm_s2_memcap_in *in, unsigned long pfn,
			unsigned long nr_pages, struct kvm_s2_memcap_out *out)
{
	int ret;

	kvm_s2_memcap_gather_pfn(pfn, nr_pages, in);
	ret = kvm_s2_memcap_decide(in, out);
	/*
	 * Without memcap nothing is recorded: no answer is held to the size
	 * of a record, and none is a downgrade that a record could have
	 * avoided.  (Only the 6.12 backport reaches rows 10 and 11 then, and
	 * they are 6.12's own answers, blocks included.)
	 */
	if (!IS_ENABLED(CONFIG_MEMCAP)) {
		out->fixed_size = false;
		out->downgraded = false;
	}
	return ret;
}

/**
 * kvm_s2_memcap_check_vma() - refuse at memslot time what every fault in a
 *	VMA would refuse
 * @kvm: the VM
 * @vma: a VMA the memslot covers
 *
 * An MTE VM needs VM_MTE_ALLOWED on every VMA, as in 6.12 and upstream:
 * cacheable memory without it has tags KVM cannot manage, and IO VMAs are
 * refused too, so that the memslot ABI stays unchanged.
 *
 * Context: The mmap lock is held.
 * Return: 0, or -EINVAL.
 */
int kvm_s2_memcap_check_vma(struct kvm *kvm, struct vm_area_struct *vma)
{
	if (kvm_has_mte(kvm) && !(vma->vm_flags & VM_MTE_ALLOWED))
		return -EINVAL;
	return 0;
}

/**
 * kvm_s2_memattr_name() - the memory type of a stage-2 leaf descriptor
 * @pte: the descriptor
 * @fwb: the table uses the FEAT_S2FWB encoding of MemAttr
 *
 * Context: Any context.
 * Return: "Normal", "Normal-NC", "Device-nGnRE", or "?" for an encoding
 * KVM does not use.
 */
const char *kvm_s2_memattr_name(u64 pte, bool fwb)
{
	u64 attr = FIELD_GET(KVM_PTE_LEAF_ATTR_LO_S2_MEMATTR, pte);

	if (attr == (fwb ? MT_S2_FWB_NORMAL : MT_S2_NORMAL))
		return "Normal";
	if (attr == (fwb ? MT_S2_FWB_NORMAL_NC : MT_S2_NORMAL_NC))
		return "Normal-NC";
	if (attr == (fwb ? MT_S2_FWB_DEVICE_nGnRE : MT_S2_DEVICE_nGnRE))
		return "Device-nGnRE";
	return "?";
}

#ifdef CONFIG_PTDUMP_STAGE2_DEBUGFS
/**
 * kvm_s2_memattr_prot_bits() - the ptdump column of stage-2 memory types
 * @bits: three entries to fill in
 * @fwb: the table uses the FEAT_S2FWB encoding of MemAttr
 *
 * Context: Any context.
 * Return: the number of entries filled in.
 */
int kvm_s2_memattr_prot_bits(struct ptdump_prot_bits *bits, bool fwb)
{
	static const struct {
		u64 attr, fwb_attr;
	} enc[] = {
		{ MT_S2_NORMAL, MT_S2_FWB_NORMAL },
		{ MT_S2_NORMAL_NC, MT_S2_FWB_NORMAL_NC },
		{ MT_S2_DEVICE_nGnRE, MT_S2_FWB_DEVICE_nGnRE },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(enc); i++) {
		u64 pte = FIELD_PREP(KVM_PTE_LEAF_ATTR_LO_S2_MEMATTR,
				     fwb ? enc[i].fwb_attr : enc[i].attr);

		bits[i] = (struct ptdump_prot_bits) {
			.mask	= KVM_PTE_LEAF_ATTR_LO_S2_MEMATTR | PTE_VALID,
			.val	= pte | PTE_VALID,
			.set	= kvm_s2_memattr_name(pte, fwb),
			.clear	= NULL,
		};
	}
	return i;
}
#endif
