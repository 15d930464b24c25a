// SPDX-License-Identifier: GPL-2.0
/*
 * memcap_stage2 - the stage-2 memory type KVM chooses, end to end.
 *
 * For each row of the decision table in
 * Documentation/virt/kvm/arm/memcap.rst that this host can show, map some
 * memory in the host (anonymous RAM, or memory of the memcap test driver
 * mapped cacheable, write-combine or Device, with or without a capability
 * record), create a memslot over it, run a guest that reads, writes and
 * optionally jumps into it, and check:
 *  - the memslot errno and the KVM_RUN result;
 *  - the stage-2 memory type and execute permission, read back from the
 *    stage-2 ptdump in debugfs while the VM is alive;
 *  - that the guest saw the host's data and the host sees the guest's.
 *
 * Needs /dev/memcap_test (CONFIG_MEMCAP_TEST, memcap_test.base/size=) and
 * debugfs.  Reports TAP; one test per scenario.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "ucall_common.h"
#include "memcap_stage2_compat.h"
#include "memcap_util.h"
#include "../../../../../drivers/misc/memcap_test.h"

#define MEMCAP_CACHEABLE	(1U << 0)
#define MEMCAP_COHERENT		(1U << 1)
#define MEMCAP_EXCLUSIVES	(1U << 2)
#define MEMCAP_ATOMICS		(1U << 3)
#define MEMCAP_TAGS		(1U << 4)
#define CC			(MEMCAP_CACHEABLE | MEMCAP_COHERENT)
#define RAMLIKE			(CC | MEMCAP_EXCLUSIVES | MEMCAP_ATOMICS)

#ifndef KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED
#define KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED 243
#endif

#define SLOT		10
#define TEST_GPA	(1ULL << 32)
#define TEST_SIZE	(64 * 1024)
#define HOST_WORD	0x686f73742d776f72ULL	/* "host-wor" */
#define GUEST_WORD	0x67756573742d776fULL	/* "guest-wo" */
#define RET_INSN	0xd65f03c0U		/* ret */
/* ESR_ELx.EC of an instruction abort taken without a change in EL. */
#define EC_IABT_CUR	0x21

enum backing { ANON, DRV_CACHED, DRV_WC, DRV_DEVICE, DRV_PAGES, ANON_SWAP,
	       DRV_PAGES_ASSUMED, GMEM, DRV_DAX_ASSUMED };
enum outcome { RUN_OK, RUN_PABT, RUN_EFAULT };

struct scenario {
	const char *name;
	int row;		/* decision table row, 0 if none */
	enum backing backing;
	bool any_uc;		/* VM_ALLOW_ANY_UNCACHED */
	int record;		/* caps of a record, or -1 for none */
	bool mte;		/* MTE VM */
	bool exec;		/* the guest jumps into the memory */
	bool need_fwb;		/* only on hosts with FWB / without */
	bool need_nofwb;
	bool need_dic;		/* only on hosts with DIC / without */
	bool need_nodic;
	int slot_errno;		/* expected memslot errno */
	enum outcome run;
	const char *s2;		/* expected stage-2 type, NULL if none */
	int trust;		/* 1: where assumed dax pages are Normal; -1: not */
};

static const struct scenario scenarios[] = {
	{ "anonymous RAM -> Normal", 5, ANON, false, -1, false, false, false, false,
	  false, false, 0, RUN_OK, "Normal" },
	{ "anonymous RAM, MTE VM -> Normal", 5, ANON, false, -1, true, false, false,
	  false, false, false, 0, RUN_OK, "Normal" },
	{ "anonymous RAM, exec -> Normal, executable", 5, ANON, false, -1, false,
	  true, false, false, false, false, 0, RUN_OK, "Normal" },
	{ "ZONE_DEVICE pages that passed memremap -> Normal", 5, DRV_PAGES, false, -1,
	  false, false, false, false, false, false, 0, RUN_OK, "Normal" },
	{ "cacheable PFNMAP, record C|COH|EXCL|ATOM, FWB -> Normal", 8, DRV_CACHED,
	  false, RAMLIKE, false, false, true, false, false, false, 0, RUN_OK,
	  "Normal" },
	{ "cacheable PFNMAP, record C|COH, FWB, no DIC, exec -> prefetch abort", 7,
	  DRV_CACHED, false, CC, false, true, true, false, false, true, 0, RUN_PABT,
	  "Normal" },
	{ "cacheable PFNMAP, record C|COH, FWB, DIC, exec -> Normal, executable", 8,
	  DRV_CACHED, false, CC, false, true, true, false, true, false, 0, RUN_OK,
	  "Normal" },
	{ "cacheable PFNMAP, no record -> Device-nGnRE (6.12, counted)", 11,
	  DRV_CACHED, false, -1, false, false, false, false, false, false, 0, RUN_OK,
	  "Device-nGnRE" },
	{ "cacheable PFNMAP, record C only -> Device-nGnRE", 11, DRV_CACHED, false,
	  MEMCAP_CACHEABLE, false, false, false, false, false, false, 0, RUN_OK,
	  "Device-nGnRE" },
	{ "cacheable PFNMAP, no record, ANY_UNCACHED -> Normal-NC", 10, DRV_CACHED,
	  true, -1, false, false, false, false, false, false, 0, RUN_OK, "Normal-NC" },
	{ "cacheable PFNMAP, record C|COH, no FWB -> Device-nGnRE", 11, DRV_CACHED,
	  false, RAMLIKE, false, false, false, true, false, false, 0, RUN_OK,
	  "Device-nGnRE" },
	{ "write-combine BAR, ANY_UNCACHED -> Normal-NC", 2, DRV_WC, true, -1, false,
	  false, false, false, false, false, 0, RUN_OK, "Normal-NC" },
	{ "device BAR -> Device-nGnRE", 3, DRV_DEVICE, false, -1, false, false, false,
	  false, false, false, 0, RUN_OK, "Device-nGnRE" },
	{ "device BAR, ANY_UNCACHED -> Normal-NC", 2, DRV_DEVICE, true, RAMLIKE,
	  false, false, false, false, false, false, 0, RUN_OK, "Normal-NC" },
	{ "device BAR, exec -> prefetch abort", 1, DRV_DEVICE, false, -1, false, true,
	  false, false, false, false, 0, RUN_PABT, "Device-nGnRE" },
	/*
	 * Instruction fetches from every memory type: upstream refuses to
	 * execute from any non-cacheable mapping (map_non_cacheable:
	 * -ENOEXEC, a prefetch abort for the guest), Normal-NC included.
	 */
	{ "write-combine BAR, ANY_UNCACHED, exec -> prefetch abort", 2, DRV_WC,
	  true, -1, false, true, false, false, false, false, 0, RUN_PABT,
	  "Normal-NC" },
	{ "ZONE_DEVICE pages that passed memremap, exec -> Normal, executable", 5,
	  DRV_PAGES, false, -1, false, true, false, false, false, false, 0, RUN_OK,
	  "Normal" },
	{ "ZONE_DEVICE pages in a VM_MIXEDMAP VMA, caps only assumed, exec -> prefetch abort",
	  9, DRV_PAGES_ASSUMED, false, -1, false, true, false, false, false, false,
	  0, RUN_PABT, "Device-nGnRE" },
	{ "MTE VM, device BAR -> memslot EINVAL, as 6.12", 3, DRV_DEVICE, false, -1,
	  true, false, false, false, false, false, EINVAL, RUN_OK, NULL },
	{ "MTE VM, cacheable PFNMAP with record -> memslot EINVAL", 6, DRV_CACHED,
	  false, RAMLIKE, true, false, false, false, false, false, EINVAL, RUN_OK,
	  NULL },
	{ "MTE VM, cacheable mapping swapped in after the memslot -> KVM_RUN EFAULT",
	  6, ANON_SWAP, false, RAMLIKE, true, false, false, false, false, false, 0,
	  RUN_EFAULT, NULL },
	{ "guest_memfd slot -> Normal (gmem_abort(): RAM by construction)", 5, GMEM,
	  false, -1, false, false, false, false, false, false, 0, RUN_OK, "Normal" },
	{ "guest_memfd slot, exec -> Normal, executable", 5, GMEM, false, -1, false,
	  true, false, false, false, false, 0, RUN_OK, "Normal" },
	{ "MTE VM, guest_memfd slot -> memslot EINVAL, as upstream", 4, GMEM,
	  false, -1, true, false, false, false, false, false, EINVAL, RUN_OK, NULL },
	{ "ZONE_DEVICE pages in a VM_MIXEDMAP VMA, caps only assumed -> Device-nGnRE, as 6.12",
	  11, DRV_PAGES_ASSUMED, false, -1, false, false, false, false, false, false,
	  0, RUN_OK, "Device-nGnRE" },
	/*
	 * The same pages faulted into an ordinary VMA, as /dev/dax and fsdax:
	 * upstream 7.3 maps them Normal whatever backs them (it checks only
	 * VM_PFNMAP and VM_MIXEDMAP), and so does memcap in warn mode; 6.12
	 * maps any pfn outside the linear map Device, and so does memcap in
	 * strict mode until a driver states the pages' capabilities.
	 */
	{ "ZONE_DEVICE pages, ordinary VMA (/dev/dax), caps assumed, warn -> Normal, as 7.3",
	  5, DRV_DAX_ASSUMED, false, -1, false, false, false, false, false, false, 0,
	  RUN_OK, "Normal", 1 },
	{ "ZONE_DEVICE pages in an ordinary VMA, caps assumed, warn, exec -> Normal, executable",
	  5, DRV_DAX_ASSUMED, false, -1, false, true, false, false, false, false, 0,
	  RUN_OK, "Normal", 1 },
	{ "ZONE_DEVICE pages in an ordinary VMA, caps assumed, strict or 6.12 -> Device-nGnRE",
	  11, DRV_DAX_ASSUMED, false, -1, false, false, false, false, false, false, 0,
	  RUN_OK, "Device-nGnRE", -1 },
	{ "ZONE_DEVICE pages, ordinary VMA, caps assumed, strict or 6.12, exec -> prefetch abort",
	  9, DRV_DAX_ASSUMED, false, -1, false, true, false, false, false, false, 0,
	  RUN_PABT, "Device-nGnRE", -1 },
	{ "ZONE_DEVICE pages in an ordinary VMA, record C|COH|EXCL|ATOM -> Normal",
	  5, DRV_DAX_ASSUMED, false, RAMLIKE, false, false, false, false, false,
	  false, 0, RUN_OK, "Normal" },
	{ "MTE VM, ZONE_DEVICE pages in an ordinary VMA -> memslot EINVAL, as upstream",
	  4, DRV_DAX_ASSUMED, false, -1, true, false, false, false, false, false,
	  EINVAL, RUN_OK, NULL },
};

static int drv_fd = -1;
static bool host_fwb, host_dic, host_mte, host_gmem;
/* Assumed ZONE_DEVICE pages of an ordinary VMA are Normal (7.3, warn). */
static bool host_trust;
/* Linux 6.17 and later refuse cacheable PFNMAP memslots without FWB+DIC. */
static bool pfnmap_slot_rule;
static uint64_t last_downgrades;
/* The last scenario's stage-2 execute-never bit, and its fetch: 1 ran, 2 aborted. */
static bool last_xn;
static int last_fetch;
/* How its last KVM_RUN failed or exited unexpectedly, if it did. */
static char last_err[32];

static const char *errname(int e)
{
	switch (e) {
	case EINVAL:
		return "EINVAL";
	case EFAULT:
		return "EFAULT";
	case ENOEXEC:
		return "ENOEXEC";
	default:
		return strerror(e);
	}
}

/* Can this host show the scenario's row? */
static bool host_can_show(const struct scenario *s)
{
	return !((s->need_fwb && !host_fwb) || (s->need_nofwb && host_fwb) ||
		 (s->need_dic && !host_dic) || (s->need_nodic && host_dic) ||
		 (s->mte && !host_mte) || (s->backing == GMEM && !host_gmem) ||
		 (s->trust > 0 && !host_trust) || (s->trust < 0 && host_trust));
}

/*
 * Is the stage-2 mapping executable?  From the architecture: RAM is mapped
 * executable on an exec fault, or always when the host has DIC (no I-cache
 * maintenance needed); record-backed Normal memory only with DIC; never
 * Device or Normal-NC memory.
 */
static bool want_exec(const struct scenario *s)
{
	if (s->row == 5)
		return s->exec || host_dic;
	if (s->row == 8)
		return host_dic;
	return false;
}

/* Guest: read, write, optionally call into the memory; report each step. */
static bool pabt_seen;

static void guest_pabt(struct ex_regs *regs)
{
	WRITE_ONCE(pabt_seen, true);
	regs->pc = regs->regs[30];	/* back to the caller of the blr */
}

static void guest_code(uint64_t gva, uint64_t exec)
{
	uint64_t *p = (uint64_t *)gva;

	GUEST_SYNC(READ_ONCE(p[1]));
	WRITE_ONCE(p[2], GUEST_WORD);
	GUEST_SYNC(0);
	if (exec) {
		((void (*)(void))gva)();
		GUEST_SYNC(READ_ONCE(pabt_seen) ? 2 : 1);
	}
	GUEST_DONE();
}

static int drv_ioctl(unsigned long cmd, void *arg)
{
	return ioctl(drv_fd, cmd, arg) ? -errno : 0;
}

/* Each scenario uses its own 2 MiB of the driver's memory. */
static uint64_t scenario_offset(int i)
{
	return (uint64_t)i * 2 * 1024 * 1024;
}

static void *map_backing(const struct scenario *s, int i, bool *remapped)
{
	struct memcap_test_map m = { .flags = s->any_uc ? MEMCAP_TEST_ANY_UNCACHED : 0 };
	struct memcap_test_range r = {
		.offset = scenario_offset(i), .size = 2 * 1024 * 1024,
		.type = MEMCAP_TEST_GENERIC, .flags = MEMCAP_TEST_SET_CAPS,
		/* Every capability: RAM-equivalent on any host (QEMU RAM). */
		.caps = RAMLIKE | MEMCAP_TAGS,
	};
	void *p;

	*remapped = false;
	switch (s->backing) {
	case ANON:
	case ANON_SWAP:
		return mmap(NULL, TEST_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	case DRV_PAGES_ASSUMED:
	case DRV_DAX_ASSUMED:
	case DRV_PAGES:
		/*
		 * Nothing stated: a record registered before, or else the
		 * arch's assumption, describes it.
		 */
		if (s->backing != DRV_PAGES)
			r.flags = 0;
		TEST_ASSERT(!drv_ioctl(MEMCAP_TEST_MEMREMAP, &r),
			    "memremap of the driver's memory");
		*remapped = true;
		m.kind = s->backing == DRV_DAX_ASSUMED ? MEMCAP_TEST_MAP_DAX :
							 MEMCAP_TEST_MAP_PAGES;
		break;
	case DRV_WC:
		m.kind = MEMCAP_TEST_MAP_WC;
		break;
	case DRV_DEVICE:
		m.kind = MEMCAP_TEST_MAP_DEVICE;
		break;
	default:
		m.kind = MEMCAP_TEST_MAP_CACHED;
		break;
	}
	TEST_ASSERT(!drv_ioctl(MEMCAP_TEST_SET_MAP, &m), "SET_MAP");
	p = mmap(NULL, TEST_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
		 MAP_SHARED, drv_fd, scenario_offset(i));
	return p;
}

/*
 * guest_memfd (Linux 6.18 and later on arm64): memory the kernel allocates
 * for the guest, so RAM by construction; KVM maps it through gmem_abort(),
 * which memcap leaves alone.  The VMM maps it too (MMAP, INIT_SHARED: a
 * slot that is guest_memfd only, which arm64 requires).
 */
#ifdef GUEST_MEMFD_FLAG_INIT_SHARED
#define GMEM_FLAGS	(GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED)

static bool gmem_supported(void)
{
	struct kvm_vm *vm;
	bool ok;

	if (!kvm_has_cap(KVM_CAP_GUEST_MEMFD))
		return false;
	vm = vm_create_barebones();
	ok = (vm_check_cap(vm, KVM_CAP_GUEST_MEMFD_FLAGS) & GMEM_FLAGS) == GMEM_FLAGS;
	kvm_vm_free(vm);
	return ok;
}

static void *map_gmem(struct kvm_vm *vm, int *fd, bool *remapped)
{
	*remapped = false;
	*fd = vm_create_guest_memfd(vm, TEST_SIZE, GMEM_FLAGS);
	return mmap(NULL, TEST_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
}

static int gmem_slot(struct kvm_vm *vm, void *host, int fd)
{
	return __vm_set_user_memory_region2(vm, SLOT, KVM_MEM_GUEST_MEMFD,
					    TEST_GPA, TEST_SIZE, host, fd, 0);
}
#else
static bool gmem_supported(void)
{
	return false;
}

static void *map_gmem(struct kvm_vm *vm, int *fd, bool *remapped)
{
	*remapped = false;
	return MAP_FAILED;
}

static int gmem_slot(struct kvm_vm *vm, void *host, int fd)
{
	errno = EOPNOTSUPP;
	return -1;
}
#endif

/* The VM's stage2_downgrades statistic, summed over its vCPUs. */
static uint64_t read_downgrades(struct kvm_vm *vm)
{
	FILE *f = vm_debugfs_open(vm, "stage2_downgrades");
	unsigned long long n = 0;

	if (f) {
		if (fscanf(f, "%llu", &n) != 1)
			n = 0;
		fclose(f);
	}
	return n;
}

static bool run_scenario(const struct scenario *s, int i, char *type_out)
{
	struct memcap_test_range rec = {
		.offset = scenario_offset(i), .size = 2 * 1024 * 1024,
		.caps = s->record,
	};
	struct memcap_test_range rm = rec;
	bool ok = true, remapped, xn = false;
	int want_errno, gmem_fd = -1;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	char type[32] = "";
	struct ucall uc;
	uint64_t *host;
	int ret, step;

	last_xn = false;
	last_fetch = 0;
	last_err[0] = '\0';
	if (s->record >= 0)
		TEST_ASSERT(!drv_ioctl(MEMCAP_TEST_REGISTER, &rec), "REGISTER");
	vm = vm_create(1);
	if (s->mte)
		vm_enable_cap(vm, KVM_CAP_ARM_MTE, 0);
	if (s->backing == GMEM)
		host = map_gmem(vm, &gmem_fd, &remapped);
	else
		host = map_backing(s, i, &remapped);
	TEST_ASSERT(host != MAP_FAILED, "mmap: %s", strerror(errno));
	host[1] = HOST_WORD;
	((uint32_t *)host)[0] = RET_INSN;
	__builtin___clear_cache((char *)host, (char *)host + 64);

	vcpu = vm_vcpu_add(vm, 0, guest_code);
	memcap_vcpus_added(vm);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	vm_install_sync_handler(vm, VECTOR_SYNC_CURRENT, EC_IABT_CUR, guest_pabt);

	want_errno = s->slot_errno;
	/*
	 * Upstream's memslot rule since 6.17, which memcap keeps: a cacheable
	 * VM_PFNMAP needs FWB and DIC (kvm_arch_prepare_memory_region()).
	 */
	if (!want_errno && s->backing == DRV_CACHED && pfnmap_slot_rule &&
	    !(host_fwb && host_dic))
		want_errno = EINVAL;
	if (gmem_fd >= 0)
		ret = gmem_slot(vm, host, gmem_fd);
	else
		ret = __vm_set_user_memory_region(vm, SLOT, 0, TEST_GPA,
						  TEST_SIZE, host);
	if (ret ? errno != want_errno : want_errno) {
		printf("# memslot: got %d (errno %d), want errno %d\n", ret,
		       ret ? errno : 0, want_errno);
		ok = false;
	}
	if (ret) {
		snprintf(type, sizeof(type), "memslot %s", errname(errno));
		goto out;
	}

	if (s->backing == ANON_SWAP) {
		/* The VMM swaps a cacheable PFNMAP in under the memslot. */
		struct memcap_test_map m = { .kind = MEMCAP_TEST_MAP_CACHED };

		TEST_ASSERT(!drv_ioctl(MEMCAP_TEST_SET_MAP, &m), "SET_MAP");
		TEST_ASSERT(mmap(host, TEST_SIZE, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_FIXED, drv_fd,
				 scenario_offset(i)) == host, "remap");
	}

	virt_map(vm, TEST_GPA, TEST_GPA, TEST_SIZE / vm->page_size);
	vcpu_args_set(vcpu, 2, TEST_GPA, (uint64_t)s->exec);

	for (step = 0; ; step++) {
		ret = _vcpu_run(vcpu);
		if (ret) {
			snprintf(last_err, sizeof(last_err), "KVM_RUN %s",
				 errname(errno));
			if (!type[0])
				snprintf(type, sizeof(type), "%s", last_err);
			if (!(s->run == RUN_EFAULT && errno == EFAULT)) {
				printf("# KVM_RUN: %s\n", strerror(errno));
				ok = false;
			}
			break;
		}
		if (s->run == RUN_EFAULT) {
			printf("# KVM_RUN succeeded, want EFAULT\n");
			ok = false;
			break;
		}
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_SYNC:
			if (step == 0 && uc.args[1] != HOST_WORD) {
				printf("# guest read %#lx, want %#llx\n", uc.args[1], HOST_WORD);
				ok = false;
			}
			if (step == 1 && host[2] != GUEST_WORD) {
				printf("# host read %#lx after the guest wrote\n", host[2]);
				ok = false;
			}
			/* The latest state of the mapping, while the VM lives. */
			if (step >= 1 &&
			    !read_ptdump(vm, TEST_GPA, type, sizeof(type), &xn)) {
				printf("# no stage-2 ptdump entry for %#llx\n", TEST_GPA);
				ok = false;
			}
			if (step == 2) {
				bool pabt = uc.args[1] == 2;
				bool want_pabt = s->run == RUN_PABT;

				last_fetch = pabt ? 2 : 1;

				if (pabt != want_pabt) {
					printf("# exec: %s\n", pabt ? "prefetch abort" : "ran");
					ok = false;
				}
			}
			continue;
		case UCALL_DONE:
			break;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
			break;
		default:
			printf("# unexpected exit %d\n", vcpu->run->exit_reason);
			snprintf(last_err, sizeof(last_err), "exit %d",
				 vcpu->run->exit_reason);
			ok = false;
		}
		break;
	}
	if (s->s2) {
		printf("# stage 2: %s%s\n", type, xn ? " XN" : "");
		if (strcmp(type, s->s2)) {
			printf("# want %s\n", s->s2);
			ok = false;
		}
		if (!xn != want_exec(s)) {
			printf("# execute permission: want %s\n",
			       want_exec(s) ? "X" : "XN");
			ok = false;
		}
	}
	/*
	 * Rows 10 and 11 are counted for the admin to see, and only they; a
	 * row 9 scenario maps the memory by row 11 before its fetch.
	 */
	last_downgrades = read_downgrades(vm);
	if (s->s2 && !!last_downgrades != (s->row >= 9 && s->row <= 11)) {
		printf("# stage2_downgrades is %llu\n",
		       (unsigned long long)last_downgrades);
		ok = false;
	}
out:
	last_xn = xn;
	if (type_out)
		snprintf(type_out, 32, "%s", type);
	kvm_vm_free(vm);
	munmap(host, TEST_SIZE);
	if (gmem_fd >= 0)
		close(gmem_fd);
	if (remapped)
		TEST_ASSERT(!drv_ioctl(MEMCAP_TEST_MEMUNMAP, &rm), "MEMUNMAP");
	if (s->record >= 0)
		TEST_ASSERT(!drv_ioctl(MEMCAP_TEST_UNREGISTER, &rec), "UNREGISTER");
	return ok;
}

static void guest_twice(uint64_t gva)
{
	uint64_t *p = (uint64_t *)gva;

	GUEST_SYNC(READ_ONCE(p[1]));
	GUEST_SYNC(READ_ONCE(p[1]));
	GUEST_DONE();
}

/*
 * The record goes while the guest runs: the driver unregisters and then
 * zaps its user mappings (memcap_test's UNREGISTER does both, in that
 * order, which memcap_unregister() documents).  The Normal stage-2
 * mapping made under the record must go with it, and the guest's next
 * access must not find the memory again.
 */
static bool run_withdraw(int i)
{
	struct memcap_test_range rec = {
		.offset = scenario_offset(i), .size = 2 * 1024 * 1024,
		.caps = RAMLIKE,
	};
	struct memcap_test_map m = { .kind = MEMCAP_TEST_MAP_CACHED };
	char type[32] = "";
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	uint64_t *host;
	bool ok = true, xn;
	int ret;

	TEST_ASSERT(!drv_ioctl(MEMCAP_TEST_REGISTER, &rec), "REGISTER");
	TEST_ASSERT(!drv_ioctl(MEMCAP_TEST_SET_MAP, &m), "SET_MAP");
	host = mmap(NULL, TEST_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		    drv_fd, scenario_offset(i));
	TEST_ASSERT(host != MAP_FAILED, "mmap: %s", strerror(errno));
	host[1] = HOST_WORD;

	vm = vm_create(1);
	vcpu = vm_vcpu_add(vm, 0, guest_twice);
	memcap_vcpus_added(vm);
	vm_set_user_memory_region(vm, SLOT, 0, TEST_GPA, TEST_SIZE, host);
	virt_map(vm, TEST_GPA, TEST_GPA, TEST_SIZE / vm->page_size);
	vcpu_args_set(vcpu, 1, TEST_GPA);

	vcpu_run(vcpu);
	if (get_ucall(vcpu, &uc) != UCALL_SYNC || uc.args[1] != HOST_WORD) {
		printf("# first read: no sync with the host's word\n");
		ok = false;
	}
	if (!read_ptdump(vm, TEST_GPA, type, sizeof(type), &xn) ||
	    strcmp(type, "Normal")) {
		printf("# before: stage 2 %s, want Normal\n", type);
		ok = false;
	}
	TEST_ASSERT(!drv_ioctl(MEMCAP_TEST_UNREGISTER, &rec), "UNREGISTER");
	/* An unmapped range has no leaf, so no memory type. */
	if (read_ptdump(vm, TEST_GPA, type, sizeof(type), &xn) && type[0]) {
		printf("# after: stage 2 still maps it (%s)\n", type);
		ok = false;
	}
	ret = _vcpu_run(vcpu);
	if (!ret || errno != EFAULT) {
		printf("# second read: KVM_RUN %d (%s), want EFAULT\n", ret,
		       ret ? strerror(errno) : "ran");
		ok = false;
	}
	kvm_vm_free(vm);
	munmap(host, TEST_SIZE);
	return ok;
}

static bool is_memory_type(const char *type)
{
	return !strcmp(type, "Normal") || !strcmp(type, "Normal-NC") ||
	       !strcmp(type, "Device-nGnRE");
}

/*
 * For "make run" and the peer table: one line per host mapping kind and
 * record, with the stage-2 type read from the ptdump of the running guest
 * (MEMCAP-S2) and its execute permission (MEMCAP-S2-X); then the same
 * memory again with a guest that fetches an instruction from it
 * (MEMCAP-S2-FETCH: it ran, or took a prefetch abort), and, on a host with
 * MTE, in an MTE VM (MEMCAP-S2-MTE).  A cell that is not a memory type is
 * the errno that refused the memslot or KVM_RUN.
 */
static void report(void)
{
	static const struct { const char *name; enum backing b; bool uc; } kinds[] = {
		{ "anonymous RAM", ANON, false },
		{ "ZONE_DEVICE pages", DRV_PAGES, false },
		{ "ZONE_DEVICE MIXEDMAP", DRV_PAGES_ASSUMED, false },
		{ "ZONE_DEVICE dax VMA", DRV_DAX_ASSUMED, false },
		{ "cacheable PFNMAP", DRV_CACHED, false },
		{ "cacheable PFNMAP+UC", DRV_CACHED, true },
		{ "write-combine+UC", DRV_WC, true },
		{ "Device BAR", DRV_DEVICE, false },
	};
	static const struct { const char *name; int caps; } recs[] = {
		{ "none", -1 }, { "C", MEMCAP_CACHEABLE }, { "C|COH|EXCL|ATOM", RAMLIKE },
	};
	uint64_t downgrades = 0;
	int k, r, i = 0;

	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		for (r = 0; r < ARRAY_SIZE(recs); r++) {
			struct scenario s = {
				.backing = kinds[k].b, .any_uc = kinds[k].uc,
				.record = kinds[k].b == ANON ? -1 : recs[r].caps,
			};
			char type[32] = "?";

			/*
			 * Anonymous memory has no record to vary, and the
			 * pages of an undescribed pgmap are shown as such: a
			 * record that lacked what they need would refuse the
			 * memremap.
			 */
			if ((kinds[k].b == ANON || kinds[k].b == DRV_PAGES_ASSUMED ||
			     kinds[k].b == DRV_DAX_ASSUMED) && r)
				continue;
			/* A KVM_RUN that failed after the mapping was read wins. */
			last_downgrades = 0;
			run_scenario(&s, i++, type);
			downgrades += last_downgrades;
			printf("MEMCAP-S2\t%s\t%s\t%s\n", kinds[k].name,
			       recs[r].name, last_err[0] ? last_err :
			       type[0] ? type : "?");
			printf("MEMCAP-S2-X\t%s\t%s\t%s\n", kinds[k].name,
			       recs[r].name, last_err[0] || !is_memory_type(type) ?
			       "-" : last_xn ? "XN" : "X");

			s.exec = true;
			run_scenario(&s, i++, type);
			printf("MEMCAP-S2-FETCH\t%s\t%s\t%s\n", kinds[k].name,
			       recs[r].name, last_err[0] ? last_err :
			       last_fetch == 2 ? "prefetch abort" :
			       last_fetch == 1 ? "ran" :
			       type[0] && !is_memory_type(type) ? type : "no fetch");
			s.exec = false;

			if (!host_mte)
				continue;
			s.mte = true;
			run_scenario(&s, i++, type);
			printf("MEMCAP-S2-MTE\t%s\t%s\t%s\n", kinds[k].name,
			       recs[r].name, last_err[0] ? last_err :
			       type[0] ? type : "?");
			s.mte = false;
		}
	}
	printf("MEMCAP-S2-DOWNGRADES\t%llu\n", (unsigned long long)downgrades);
}

int main(int argc, char **argv)
{
	int i, cap, n = 0, sys_fd, sys_ret, sys_errno;
	struct kvm_vm *vm;
	bool withdraw;

	drv_fd = open("/dev/memcap_test", O_RDWR);
	__TEST_REQUIRE(drv_fd >= 0, "/dev/memcap_test is missing (CONFIG_MEMCAP_TEST)");

	host_mte = kvm_has_cap(KVM_CAP_ARM_MTE);
	/* make run, and the table of memcap beside upstream in make check. */
	if (strstr(argv[0], "memcap-run") || strstr(argv[0], "memcap-peer")) {
		report();
		return 0;
	}
	/* A VM capability upstream: KVM_CHECK_EXTENSION on a VM fd. */
	vm = vm_create_barebones();
	cap = vm_check_cap(vm, KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED);
	kvm_vm_free(vm);
	/* ... and -EINVAL on the system fd. */
	sys_fd = open_kvm_dev_path_or_exit();
	sys_ret = ioctl(sys_fd, KVM_CHECK_EXTENSION,
			KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED);
	sys_errno = errno;
	close(sys_fd);
	/* What the platform is known to have: the harness passes it. */
	__TEST_REQUIRE(getenv("MEMCAP_HOST_FWB") && getenv("MEMCAP_HOST_DIC"),
		       "set MEMCAP_HOST_FWB=0|1 and MEMCAP_HOST_DIC=0|1");
	host_fwb = atoi(getenv("MEMCAP_HOST_FWB"));
	host_dic = atoi(getenv("MEMCAP_HOST_DIC"));
	host_gmem = gmem_supported();

	pfnmap_slot_rule = kernel_at_least(6, 17);
	host_trust = kernel_at_least(6, 17) && !memcap_mode_strict();
	for (i = 0; i < ARRAY_SIZE(scenarios); i++)
		n += host_can_show(&scenarios[i]);
	ksft_print_header();
	/* Normal under a record needs FWB (row 8), and DIC since 6.17. */
	withdraw = host_fwb && (host_dic || !pfnmap_slot_rule);
	ksft_set_plan(n + 2 + withdraw);

	/* Upstream's meaning: FWB and DIC. */
	ksft_test_result(cap == (host_fwb && host_dic),
			 "KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED is %d (host FWB %d, DIC %d)\n",
			 cap, host_fwb, host_dic);
	ksft_test_result(sys_ret == -1 && sys_errno == EINVAL,
			 "KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED on /dev/kvm: %d (%s), a VM capability\n",
			 sys_ret, sys_ret == -1 ? strerror(sys_errno) : "no error");
	for (i = 0; i < ARRAY_SIZE(scenarios); i++) {
		const struct scenario *s = &scenarios[i];

		if (!host_can_show(s))
			continue;
		ksft_test_result(run_scenario(s, i, NULL), "row %d: %s\n", s->row,
				 s->name);
	}
	if (withdraw)
		ksft_test_result(run_withdraw(i),
				 "row 8: record withdrawn under a running guest -> stage 2 unmapped, KVM_RUN EFAULT\n");
	close(drv_fd);
	ksft_finished();
}
