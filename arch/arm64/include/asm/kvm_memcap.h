/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KVM/arm64: the stage-2 memory type, chosen from the VMA, the memory's
 * capability record and the host's features.
 */
#ifndef __ARM64_KVM_MEMCAP_H__
#define __ARM64_KVM_MEMCAP_H__

#include <linux/types.h>

struct kvm;
struct ptdump_prot_bits;
struct vm_area_struct;

/**
 * enum kvm_host_mt - host memory type of a VMA, from its pgprot's AttrIndx
 * @KVM_HOST_MT_NORMAL: MT_NORMAL, write-back cacheable
 * @KVM_HOST_MT_NORMAL_TAGGED: MT_NORMAL_TAGGED, cacheable with MTE tags
 * @KVM_HOST_MT_NORMAL_NC: MT_NORMAL_NC, write-combine
 * @KVM_HOST_MT_DEVICE_nGnRE: MT_DEVICE_nGnRE
 * @KVM_HOST_MT_DEVICE_nGnRnE: MT_DEVICE_nGnRnE
 * @KVM_HOST_MT_NR: number of host memory types
 */
enum kvm_host_mt {
	KVM_HOST_MT_NORMAL,
	KVM_HOST_MT_NORMAL_TAGGED,
	KVM_HOST_MT_NORMAL_NC,
	KVM_HOST_MT_DEVICE_nGnRE,
	KVM_HOST_MT_DEVICE_nGnRnE,
	KVM_HOST_MT_NR,
};

/**
 * enum kvm_pfn_class - what backs a pfn
 * @KVM_PFN_RAM: a RAM-equivalent struct page: boot or hot-added RAM, or a
 *	ZONE_DEVICE page whose pgmap passed memremap_pages() as RAM-equivalent
 * @KVM_PFN_OTHER_PAGE: a struct page that is not RAM-equivalent, such as
 *	MEMORY_DEVICE_PCI_P2PDMA, or memory outside the linear map
 * @KVM_PFN_ASSUMED_PAGE: a ZONE_DEVICE page whose pgmap nobody described:
 *	memremap_pages() accepted it on what the architecture assumes
 * @KVM_PFN_NO_PAGE: no struct page
 * @KVM_PFN_NR: number of classes
 */
enum kvm_pfn_class {
	KVM_PFN_RAM,
	KVM_PFN_OTHER_PAGE,
	KVM_PFN_ASSUMED_PAGE,
	KVM_PFN_NO_PAGE,
	KVM_PFN_NR,
};

/**
 * enum kvm_s2_mt - stage-2 memory type
 * @KVM_S2_MT_NORMAL: Normal, inner and outer write-back cacheable
 * @KVM_S2_MT_NORMAL_NC: Normal non-cacheable
 * @KVM_S2_MT_DEVICE: Device-nGnRE
 */
enum kvm_s2_mt {
	KVM_S2_MT_NORMAL,
	KVM_S2_MT_NORMAL_NC,
	KVM_S2_MT_DEVICE,
};

/* The VMA flags the decision reads; every other flag is ignored. */
#define KVM_MEMCAP_VM_FLAGS	(VM_IO | VM_PFNMAP | VM_MIXEDMAP | \
				 VM_ALLOW_ANY_UNCACHED | VM_MTE_ALLOWED)

/**
 * struct kvm_s2_memcap_in - everything the stage-2 memory type depends on
 * @vm_flags: the VMA's flags, masked with %KVM_MEMCAP_VM_FLAGS
 * @host_mt: the host memory type of the VMA
 * @pfn_class: what backs the pfn
 * @has_record: a driver or firmware stated the capabilities of the whole
 *	mapping (a registry record or a pgmap's own); assumptions never count
 * @caps: the record's capabilities (enum memcap_flags), if @has_record
 * @no_tags: a RAM-equivalent struct page whose memory has no MTE tag
 *	storage (a ZONE_DEVICE page accepted without %MEMCAP_TAGS)
 * @trust_assumed: a %KVM_PFN_ASSUMED_PAGE counts as RAM in a VMA that is
 *	neither VM_PFNMAP nor VM_MIXEDMAP, as upstream maps it since 6.17:
 *	warn mode only; strict mode asks for proof
 * @trust_vmm: nobody can state anything (``CONFIG_MEMCAP=n``): keep the
 *	rules of Linux 7.3 without memcap, which trust the VMA's pgprot for
 *	a ``VM_PFNMAP``/``VM_MIXEDMAP`` pfn outside the linear map and map
 *	every other pfn Normal.  The 6.12 backport never sets it: its
 *	rules without records are rows 1 to 11
 * @vm_mte: the VM has MTE enabled
 * @fwb: the host has stage-2 forced write-back (FEAT_S2FWB)
 * @dic: the host needs no I-cache invalidation to the PoU (CTR_EL0.DIC)
 * @exec: the fault is an instruction fetch
 */
struct kvm_s2_memcap_in {
	unsigned long vm_flags;
	enum kvm_host_mt host_mt;
	enum kvm_pfn_class pfn_class;
	bool has_record;
	unsigned int caps;
	bool no_tags;
	bool trust_assumed;
	bool trust_vmm;
	bool vm_mte;
	bool fwb;
	bool dic;
	bool exec;
};

/**
 * struct kvm_s2_memcap_out - the stage-2 mapping to install
 * @mt: memory type
 * @exec: map executable
 * @sanitise_tags: MTE tags must be initialised before the guest sees them
 * @downgraded: the mapping is weaker than the host's cacheable mapping
 *	because nothing proves the memory can take a cacheable one
 * @mte_refused: the error is -EFAULT because an MTE VM would get memory
 *	whose tags KVM cannot manage: the caller refuses new mappings only,
 *	and a permission fault may still relax an existing mapping of @mt
 * @fixed_size: the records gave this answer for the size they were looked
 *	up for, and no more: the mapping may grow into a larger block only
 *	where kvm_s2_memcap_covers() allows it (6.12: never)
 * @row: the row of the decision table in Documentation/virt/kvm/arm/memcap.rst
 */
struct kvm_s2_memcap_out {
	enum kvm_s2_mt mt;
	bool exec;
	bool sanitise_tags;
	bool downgraded;
	bool mte_refused;
	bool fixed_size;
	int row;
};

int kvm_s2_memcap_decide(const struct kvm_s2_memcap_in *in,
			 struct kvm_s2_memcap_out *out);
enum kvm_host_mt kvm_host_mt_from_vma(const struct vm_area_struct *vma);
void kvm_s2_memcap_gather_vma(struct kvm *kvm, struct vm_area_struct *vma,
			      bool exec, struct kvm_s2_memcap_in *in);
void kvm_s2_memcap_gather_pfn(unsigned long pfn, unsigned long nr_pages,
			      struct kvm_s2_memcap_in *in);
int kvm_s2_memcap_fault(struct kvm_s2_memcap_in *in, unsigned long pfn,
			unsigned long nr_pages, struct kvm_s2_memcap_out *out);
bool kvm_s2_memcap_covers(const struct kvm_s2_memcap_out *out,
			  unsigned long pfn, unsigned long nr_pages);
int kvm_s2_memcap_check_vma(struct kvm *kvm, struct vm_area_struct *vma);
const char *kvm_s2_memattr_name(u64 pte, bool fwb);
int kvm_s2_memattr_prot_bits(struct ptdump_prot_bits *bits, bool fwb);

#endif /* __ARM64_KVM_MEMCAP_H__ */
