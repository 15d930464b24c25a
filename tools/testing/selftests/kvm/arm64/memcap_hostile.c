// SPDX-License-Identifier: GPL-2.0
/*
 * memcap_hostile - a VMM that misbehaves while its vCPU faults.
 *
 * Each case maps memory of the memcap test driver (/dev/memcap_test), runs
 * a guest that reads and writes every page of it in a loop, and, between
 * two rounds of the guest or from another thread while the guest runs,
 * does what a buggy or malicious VMM does: changes the memory type or the
 * protection of the VMA under the memslot, unmaps or moves it, withdraws
 * the memory, enables MTE after the memslot exists, asks for dirty
 * logging or a read-only slot, or deletes and recreates the slot.  Each
 * case checks the memslot errno, the KVM_RUN result and the stage-2
 * memory type the guest ends up with, against what upstream KVM does
 * (Linux 7.3: kvm_arch_prepare_memory_region(), user_mem_abort() and
 * kvm_vm_ioctl_enable_cap()), and that every reference taken on the
 * driver's struct pages was dropped once the VM and the mapping are gone.
 * The host's health (no WARN, BUG, SError or sanitizer report) is checked
 * on its console by the harness.
 *
 * Needs /dev/memcap_test and debugfs, and MEMCAP_HOST_FWB= and
 * MEMCAP_HOST_DIC= from the harness.  Reports TAP.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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

#define RAMLIKE		0xfU	/* cacheable|coherent|exclusives|atomics */
#define SLOT		10
#define GPA		0x100000000ULL
#define SIZE		(64 * 1024)
#define NPAGES		(SIZE / 4096)
#define ROUNDS		4
#define CHURN		200

#ifndef KVM_CAP_ARM_MTE
#define KVM_CAP_ARM_MTE 205
#endif

enum kind { DAX, CACHED, DEVICE, ANON, CACHED_FAULT };

static int drv_fd = -1;
static bool host_fwb, host_dic, host_mte;
/*
 * Undescribed ZONE_DEVICE pages of an ordinary VMA are Normal where memcap
 * trusts assumptions (warn mode, Linux 6.17 and later, as upstream), else
 * Device-nGnRE (strict mode, and 6.12, which maps them Device).
 */
static bool host_trust;
static const char *dax_s2;
static int next_chunk;

/*
 * Guest: read and write every page, and report each round.  Plain LDR and
 * STR with a base register only, so that an access KVM must emulate as
 * MMIO (a read-only or absent slot) has a valid syndrome (ISV).
 */
static void guest_code(uint64_t gva, uint64_t rounds)
{
	uint64_t r, p, v;

	for (r = 0; r < rounds; r++) {
		for (p = 0; p < NPAGES; p++) {
			uint64_t *q = (uint64_t *)(gva + p * 4096);

			asm volatile("ldr %0, [%1]" : "=r"(v) : "r"(q) : "memory");
			v++;
			asm volatile("str %0, [%1]" : : "r"(v), "r"(q) : "memory");
		}
		GUEST_SYNC(r);
	}
	GUEST_DONE();
}

static int drv(unsigned long cmd, void *arg)
{
	return ioctl(drv_fd, cmd, arg) ? -errno : 0;
}

/* One case: its memory, its VM and what it has set up. */
struct hcase {
	enum kind mem;
	uint64_t off;		/* of its 2 MiB chunk of the driver's memory */
	bool remapped, registered;
	uint64_t refs0;		/* references on the pages before mapping */
	void *host;
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
};

static void *map_mem(enum kind mem, uint64_t off, void *at)
{
	struct memcap_test_map m = {
		.kind = mem == DAX ? MEMCAP_TEST_MAP_DAX :
			mem == DEVICE ? MEMCAP_TEST_MAP_DEVICE :
			mem == CACHED_FAULT ? MEMCAP_TEST_MAP_CACHED_FAULT :
			MEMCAP_TEST_MAP_CACHED,
	};

	if (mem == ANON)
		return mmap(at, SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | (at ? MAP_FIXED : 0), -1, 0);
	TEST_ASSERT(!drv(MEMCAP_TEST_SET_MAP, &m), "SET_MAP");
	return mmap(at, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | (at ? MAP_FIXED : 0),
		    drv_fd, off);
}

static uint64_t page_refs(struct hcase *c)
{
	struct memcap_test_refs r = { .offset = c->off, .size = SIZE };

	TEST_ASSERT(!drv(MEMCAP_TEST_REFS, &r), "REFS: %s", strerror(errno));
	return r.refs;
}

/*
 * Set a case up: DAX pages of an undescribed memremap, or the driver's
 * memory as a cacheable PFNMAP with a RAM-like record, or as a Device BAR.
 * The VM has one vCPU unless @no_vcpu (MTE must be enabled before one).
 */
static void setup(struct hcase *c, enum kind mem, bool no_vcpu)
{
	struct memcap_test_range r = {
		.offset = (uint64_t)next_chunk++ * 2 * 1024 * 1024,
		.size = 2 * 1024 * 1024, .type = MEMCAP_TEST_GENERIC,
		.caps = RAMLIKE,
	};

	memset(c, 0, sizeof(*c));
	c->mem = mem;
	c->off = r.offset;
	if (mem == DAX) {
		TEST_ASSERT(!drv(MEMCAP_TEST_MEMREMAP, &r), "MEMREMAP");
		c->remapped = true;
		c->refs0 = page_refs(c);
	} else if (mem == CACHED || mem == CACHED_FAULT) {
		TEST_ASSERT(!drv(MEMCAP_TEST_REGISTER, &r), "REGISTER");
		c->registered = true;
	}
	c->host = map_mem(mem, c->off, NULL);
	TEST_ASSERT(c->host != MAP_FAILED, "mmap: %s", strerror(errno));
	c->vm = vm_create(1);
	if (!no_vcpu)
		c->vcpu = vm_vcpu_add(c->vm, 0, guest_code);
}

/* The vCPU, once MTE or anything else that must come first is done. */
static void start(struct hcase *c, uint64_t rounds)
{
	if (!c->vcpu)
		c->vcpu = vm_vcpu_add(c->vm, 0, guest_code);
	memcap_vcpus_added(c->vm);
	/* An abort KVM injects reaches the library's handler, and is reported. */
	vm_init_descriptor_tables(c->vm);
	vcpu_init_descriptor_tables(c->vcpu);
	virt_map(c->vm, GPA, GPA, SIZE / c->vm->page_size);
	vcpu_args_set(c->vcpu, 2, GPA, rounds);
}

static int slot(struct hcase *c, uint32_t flags)
{
	return __vm_set_user_memory_region(c->vm, SLOT, flags, GPA, SIZE, c->host);
}

/*
 * Run until the guest syncs or is done.  Return: 0 on a sync, 1 when done,
 * 2 on an MMIO exit, -errno when KVM_RUN fails.
 */
static int step(struct hcase *c)
{
	struct ucall uc;

	if (_vcpu_run(c->vcpu))
		return -errno;
	switch (get_ucall(c->vcpu, &uc)) {
	case UCALL_SYNC:
		return 0;
	case UCALL_DONE:
		return 1;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
		break;
	case UCALL_UNHANDLED:
		printf("# the guest took an exception: vector %lu, EC %#lx\n",
		       uc.args[0], uc.args[1]);
		return -EPROTO;
	case UCALL_NONE:
		if (c->vcpu->run->exit_reason == KVM_EXIT_MMIO)
			return 2;
	}
	return -EPROTO;
}

/* Run the guest to its end, or to the first failure or MMIO exit. */
static int finish(struct hcase *c)
{
	int ret;

	while (!(ret = step(c)))
		;
	return ret;
}

static bool s2_is(struct hcase *c, const char *want)
{
	char type[32] = "";
	bool xn;

	if (!read_ptdump(c->vm, GPA, type, sizeof(type), &xn))
		type[0] = '\0';
	if (strcmp(type, want)) {
		printf("# stage 2: %s, want %s\n", type[0] ? type : "(unmapped)", want);
		return false;
	}
	return true;
}

static bool expect(const char *what, int got, int exp)
{
	if (got == exp)
		return true;
	printf("# %s: got %d (%s), want %d\n", what, got,
	       got < 0 ? strerror(-got) : "-", exp);
	return false;
}

/* Tear down; return false if a reference on the pages was leaked. */
static bool teardown(struct hcase *c)
{
	struct memcap_test_range r = { .offset = c->off, .size = 2 * 1024 * 1024 };
	bool ok = true;
	uint64_t refs;

	kvm_vm_free(c->vm);
	munmap(c->host, SIZE);	/* already gone after case_munmap() */
	if (c->remapped) {
		refs = page_refs(c);
		if (refs != c->refs0) {
			printf("# page references: %llu before, %llu after\n",
			       (unsigned long long)c->refs0, (unsigned long long)refs);
			ok = false;
		}
		TEST_ASSERT(!drv(MEMCAP_TEST_MEMUNMAP, &r), "MEMUNMAP");
	}
	if (c->registered)
		TEST_ASSERT(!drv(MEMCAP_TEST_UNREGISTER, &r), "UNREGISTER");
	return ok;
}

/* Upstream: the guest faults on a read-only hva for a write: -EFAULT. */
static bool case_mprotect(void)
{
	struct hcase c;
	bool ok;

	setup(&c, DAX, false);
	TEST_ASSERT(!slot(&c, 0), "memslot");
	start(&c, ROUNDS);
	ok = expect("first round", step(&c), 0) && s2_is(&c, dax_s2);
	TEST_ASSERT(!mprotect(c.host, SIZE, PROT_READ), "mprotect");
	ok &= expect("write after mprotect(PROT_READ)", finish(&c), -EFAULT);
	return teardown(&c) && ok;
}

/* Upstream: no VMA behind the slot any more: -EFAULT. */
static bool case_munmap(bool move)
{
	struct hcase c;
	void *to;
	bool ok;

	setup(&c, DAX, false);
	TEST_ASSERT(!slot(&c, 0), "memslot");
	start(&c, ROUNDS);
	ok = expect("first round", step(&c), 0);
	if (move) {
		/* Somewhere of our own to move it to. */
		to = mmap(NULL, SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		TEST_ASSERT(to != MAP_FAILED, "mmap: %s", strerror(errno));
		to = mremap(c.host, SIZE, SIZE, MREMAP_MAYMOVE | MREMAP_FIXED, to);
		TEST_ASSERT(to != MAP_FAILED, "mremap: %s", strerror(errno));
		ok &= expect("access after mremap()", finish(&c), -EFAULT);
		/* The moved mapping is what the teardown must drop. */
		c.host = to;
	} else {
		TEST_ASSERT(!munmap(c.host, SIZE), "munmap");
		ok &= expect("access after munmap()", finish(&c), -EFAULT);
	}
	return teardown(&c) && ok;
}

/*
 * mmap(MAP_FIXED) over the memslot's VMA: the MMU notifier unmaps stage 2,
 * and the next fault takes the new VMA's memory type.
 */
static bool case_replace(enum kind from, enum kind to, const char *s2_before,
			 const char *s2_after)
{
	struct hcase c;
	bool ok;

	setup(&c, from, false);
	TEST_ASSERT(!slot(&c, 0), "memslot");
	start(&c, ROUNDS);
	ok = expect("first round", step(&c), 0) && s2_is(&c, s2_before);
	TEST_ASSERT(map_mem(to, c.off, c.host) == c.host, "MAP_FIXED: %s",
		    strerror(errno));
	ok &= expect("next round", step(&c), 0) && s2_is(&c, s2_after);
	ok &= expect("the rest", finish(&c), 1);
	return teardown(&c) && ok;
}

/* The driver may not free pages a VMA maps: MEMUNMAP is -EBUSY. */
static bool case_unbind(void)
{
	struct memcap_test_range r;
	struct hcase c;
	bool ok;

	setup(&c, DAX, false);
	r = (struct memcap_test_range){ .offset = c.off, .size = 2 * 1024 * 1024 };
	TEST_ASSERT(!slot(&c, 0), "memslot");
	start(&c, ROUNDS);
	ok = expect("first round", step(&c), 0);
	ok &= expect("MEMUNMAP under the guest", drv(MEMCAP_TEST_MEMUNMAP, &r), -EBUSY);
	ok &= expect("the rest", finish(&c), 1) && s2_is(&c, dax_s2);
	return teardown(&c) && ok;
}

/*
 * MTE enabled after the memslot: upstream allows it (only guest_memfd
 * slots stop it) and refuses each fault on a cacheable VMA without
 * VM_MTE_ALLOWED with -EFAULT; an uncached one is mapped as before.
 * Where dax pages are Device (strict mode, 6.12), they are uncached too.
 */
static bool case_mte_late(enum kind mem)
{
	bool uncached = mem == DEVICE || (mem == DAX && !host_trust);
	struct hcase c;
	bool ok;

	setup(&c, mem, true);
	TEST_ASSERT(!slot(&c, 0), "memslot");
	ok = expect("KVM_CAP_ARM_MTE after the memslot",
		    __vm_enable_cap(c.vm, KVM_CAP_ARM_MTE, 0) ? -errno : 0, 0);
	start(&c, ROUNDS);
	if (uncached)
		ok &= expect("run", finish(&c), 1) && s2_is(&c, "Device-nGnRE");
	else
		ok &= expect("run", finish(&c), -EFAULT) && s2_is(&c, "");
	return teardown(&c) && ok;
}

/* Upstream refuses dirty logging of a VM_PFNMAP slot; others log. */
static bool case_dirty_log(enum kind mem)
{
	unsigned long bitmap[NPAGES / 64 + 1] = {};
	struct hcase c;
	int i, n = 0;
	bool ok;

	setup(&c, mem, false);
	if (mem != DAX) {
		ok = expect("memslot with KVM_MEM_LOG_DIRTY_PAGES",
			    slot(&c, KVM_MEM_LOG_DIRTY_PAGES) ? -errno : 0, -EINVAL);
		return teardown(&c) && ok;
	}
	ok = expect("memslot with KVM_MEM_LOG_DIRTY_PAGES",
		    slot(&c, KVM_MEM_LOG_DIRTY_PAGES) ? -errno : 0, 0);
	start(&c, ROUNDS);
	ok &= expect("run", finish(&c), 1);
	kvm_vm_get_dirty_log(c.vm, SLOT, bitmap);
	for (i = 0; i < NPAGES; i++)
		n += !!(bitmap[i / 64] & (1UL << (i % 64)));
	if (n != NPAGES) {
		printf("# %d of %d written pages logged dirty\n", n, NPAGES);
		ok = false;
	}
	return teardown(&c) && ok;
}

/* A read-only slot: reads are mapped, each write exits to the VMM. */
static bool case_readonly(enum kind mem)
{
	struct hcase c;
	int ret, mmio = 0;
	bool ok = true;

	setup(&c, mem, false);
	TEST_ASSERT(!slot(&c, KVM_MEM_READONLY), "read-only memslot");
	start(&c, 1);
	while ((ret = step(&c)) == 2) {
		if (!c.vcpu->run->mmio.is_write) {
			printf("# MMIO exit for a read\n");
			ok = false;
		}
		mmio++;
	}
	ok &= expect("run", ret, 0);
	ok &= expect("writes that exited", mmio, NPAGES);
	ok &= s2_is(&c, mem == DEVICE ? "Device-nGnRE" : dax_s2);
	return teardown(&c) && ok;
}

/* Delete and recreate the slot while the vCPU faults, from a thread. */
struct churn {
	struct hcase *c;
	bool stop;		/* READ_ONCE/WRITE_ONCE */
	bool efault_ok;		/* see case_withdraw_churn() */
	int faults, efaults, mmio, syncs, last_err;
};

static void *vcpu_thread(void *arg)
{
	struct churn *ch = arg;
	int ret;

	while (!READ_ONCE(ch->stop)) {
		ret = step(ch->c);
		if (ret == 1)
			break;
		if (ret == 2) {
			ch->mmio++;
		} else if (ret == 0) {
			ch->syncs++;
		} else if (ret == -EFAULT && ch->efault_ok) {
			ch->efaults++;
		} else {
			ch->faults++;
			ch->last_err = ret;
		}
	}
	return NULL;
}

static bool case_slot_churn(enum kind mem)
{
	struct churn ch = {};
	struct hcase c;
	pthread_t t;
	int i;

	setup(&c, mem, false);
	TEST_ASSERT(!slot(&c, 0), "memslot");
	start(&c, 1000000);
	ch.c = &c;
	pthread_create(&t, NULL, vcpu_thread, &ch);
	for (i = 0; i < CHURN; i++) {
		vm_set_user_memory_region(c.vm, SLOT, 0, GPA, 0, NULL);
		vm_set_user_memory_region(c.vm, SLOT, 0, GPA, SIZE, c.host);
	}
	/* The guest syncs every round, so the thread sees this soon. */
	WRITE_ONCE(ch.stop, true);
	pthread_join(t, NULL);
	printf("# %d slot deletions: %d rounds, %d MMIO exits, %d failed runs\n",
	       CHURN, ch.syncs, ch.mmio, ch.faults);
	return teardown(&c) && ch.faults == 0;
}

/*
 * mprotect(PROT_READ) or munmap() of the memory from another thread while
 * the vCPU runs and writes: KVM_RUN -EFAULT from then on, as upstream
 * (the MMU notifier unmaps stage 2, and the next write fault finds no
 * writable VMA), and nothing else goes wrong.
 */
static bool case_concurrent(bool unmap)
{
	struct churn ch = { .efault_ok = true };
	int i, efaults_before, rounds_at;
	struct hcase c;
	pthread_t t;

	setup(&c, DAX, false);
	TEST_ASSERT(!slot(&c, 0), "memslot");
	start(&c, 1000000);
	ch.c = &c;
	pthread_create(&t, NULL, vcpu_thread, &ch);
	/* A few rounds first: the memory is mapped and being written. */
	for (i = 0; i < 20000 && READ_ONCE(ch.syncs) < 3; i++)
		usleep(500);
	efaults_before = READ_ONCE(ch.efaults);
	rounds_at = READ_ONCE(ch.syncs);
	if (unmap)
		TEST_ASSERT(!munmap(c.host, SIZE), "munmap");
	else
		TEST_ASSERT(!mprotect(c.host, SIZE, PROT_READ), "mprotect");
	for (i = 0; i < 20000 && !READ_ONCE(ch.efaults); i++)
		usleep(500);
	WRITE_ONCE(ch.stop, true);
	pthread_join(t, NULL);
	printf("# %d rounds, %d EFAULT before; then %d rounds, %d KVM_RUN EFAULT,",
	       rounds_at, efaults_before, ch.syncs - rounds_at, ch.efaults);
	printf(" %d other failed runs (last: %s)\n", ch.faults,
	       ch.faults ? strerror(-ch.last_err) : "-");
	/*
	 * Once the memory is gone, at most the rounds in flight may end: one
	 * the vCPU finished before the change but had not reported, and one
	 * whose writes were all done.
	 */
	return teardown(&c) && rounds_at >= 3 && !efaults_before &&
	       ch.syncs - rounds_at <= 2 && ch.efaults > 0 && ch.faults == 0;
}

/*
 * The driver withdraws the record under a running guest, as the rule
 * says (unregister, then zap), and registers it again, over and over; the
 * guest keeps faulting the memory back in.  Once the record is gone, no
 * Normal stage-2 mapping may be seen; with it, Normal comes back.
 *
 * A zap that lands between KVM's fixup_user_fault() and its second
 * follow_pfnmap_start() in hva_to_pfn_remapped() fails that KVM_RUN with
 * -EFAULT, in upstream KVM as well: the VMM may run the vCPU again, and
 * this one does.  Those are counted, not failed.
 */
static bool case_withdraw_churn(void)
{
	struct memcap_test_range r;
	struct churn ch = {};
	int i, j, stale = 0, normal = 0;
	char type[32];
	struct hcase c;
	pthread_t t;
	bool xn;

	setup(&c, CACHED_FAULT, false);
	r = (struct memcap_test_range){ .offset = c.off, .size = 2 * 1024 * 1024,
					.caps = RAMLIKE };
	TEST_ASSERT(!slot(&c, 0), "memslot");
	start(&c, 1000000);
	ch.c = &c;
	ch.efault_ok = true;
	pthread_create(&t, NULL, vcpu_thread, &ch);
	for (i = 0; i < CHURN; i++) {
		TEST_ASSERT(!drv(MEMCAP_TEST_UNREGISTER, &r), "UNREGISTER");
		if (read_ptdump(c.vm, GPA, type, sizeof(type), &xn) &&
		    !strcmp(type, "Normal"))
			stale++;
		TEST_ASSERT(!drv(MEMCAP_TEST_REGISTER, &r), "REGISTER");
		/*
		 * A record never upgrades what is mapped: the VMM maps the
		 * memory afresh, which zaps stage 2, and the guest's next
		 * fault finds the record.
		 */
		TEST_ASSERT(map_mem(CACHED_FAULT, c.off, c.host) == c.host,
			    "MAP_FIXED: %s", strerror(errno));
		for (j = 0; j < 200; j++) {
			if (read_ptdump(c.vm, GPA, type, sizeof(type), &xn) &&
			    !strcmp(type, "Normal")) {
				normal++;
				break;
			}
			usleep(500);
		}
	}
	WRITE_ONCE(ch.stop, true);
	pthread_join(t, NULL);
	printf("# %d withdrawals: Normal %d times with the record, %d without\n",
	       CHURN, normal, stale);
	printf("# %d guest rounds, %d EFAULT under a zap, %d other failed runs (last: %s)\n",
	       ch.syncs, ch.efaults, ch.faults,
	       ch.faults ? strerror(-ch.last_err) : "-");
	return teardown(&c) && !stale && normal > CHURN / 2 && !ch.faults;
}

/*
 * An unaligned slot (4 MiB + 64 KiB, at a GPA 64 KiB past a 2 MiB
 * boundary) over cacheable PFNMAP memory whose record covers only its
 * first 2 MiB.  The guest touches 16 pages across the record's end: the
 * recorded ones are Normal (table row 8), the others Device-nGnRE (row
 * 11), and no mapping may span the boundary.
 */
static bool case_partial_record(void)
{
	const uint64_t len = 4 * 1024 * 1024 + 64 * 1024;
	const uint64_t gpa = GPA + 64 * 1024, gva = gpa + 2 * 1024 * 1024 - 32 * 1024;
	struct memcap_test_range rec = { .size = 2 * 1024 * 1024, .caps = RAMLIKE };
	struct memcap_test_map m = { .kind = MEMCAP_TEST_MAP_CACHED };
	char before[32] = "", after[32] = "";
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	bool ok = true, xn;
	void *host;
	int ret;

	rec.offset = (uint64_t)next_chunk * 2 * 1024 * 1024;
	next_chunk += 3;
	TEST_ASSERT(!drv(MEMCAP_TEST_REGISTER, &rec), "REGISTER");
	TEST_ASSERT(!drv(MEMCAP_TEST_SET_MAP, &m), "SET_MAP");
	host = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, drv_fd, rec.offset);
	TEST_ASSERT(host != MAP_FAILED, "mmap: %s", strerror(errno));
	vm = vm_create(1);
	vcpu = vm_vcpu_add(vm, 0, guest_code);
	memcap_vcpus_added(vm);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	ret = __vm_set_user_memory_region(vm, SLOT, 0, gpa, len, host);
	ok = expect("unaligned memslot", ret ? -errno : 0, 0);
	virt_map(vm, gva, gva, NPAGES);
	vcpu_args_set(vcpu, 2, gva, 1);
	ok &= expect("run", _vcpu_run(vcpu) ? -errno : 0, 0);
	if (!read_ptdump(vm, gva, before, sizeof(before), &xn) ||
	    !read_ptdump(vm, gpa + 2 * 1024 * 1024, after, sizeof(after), &xn) ||
	    strcmp(before, "Normal") || strcmp(after, "Device-nGnRE")) {
		printf("# stage 2: %s inside the record, %s past it\n", before, after);
		ok = false;
	}
	kvm_vm_free(vm);
	munmap(host, len);
	TEST_ASSERT(!drv(MEMCAP_TEST_UNREGISTER, &rec), "UNREGISTER");
	return ok;
}

/* Guest: touch three addresses in turn, syncing after each. */
static void guest_touch3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t addr[3] = { a, b, c }, v;
	int i;

	for (i = 0; i < 3; i++) {
		asm volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr[i]) : "memory");
		v++;
		asm volatile("str %0, [%1]" : : "r"(v), "r"(addr[i]) : "memory");
		GUEST_SYNC(i);
	}
	GUEST_DONE();
}

/*
 * Huge pfn mappings (PMD-sized in the host, as vfio-pci and nvgrace-gpu
 * make them) under a 2 MiB-aligned slot, of which a record covers 3 MiB.
 * KVM grows a page fault to a stage-2 block where the host maps a PMD:
 * the first 2 MiB are all recorded, so they may be one Normal block, as
 * upstream maps them.  The second 2 MiB are recorded only in part: no
 * block may cover them, neither a Normal one (the unrecorded half would be
 * Normal) nor a Device one (the recorded half, already mapped Normal and
 * cached by the guest, would change type under it), whichever page the
 * guest touches first.
 */
static bool case_huge_record(bool unrecorded_first)
{
	const uint64_t MiB = 1024 * 1024, len = 4 * MiB;
	const uint64_t a = GPA, rec_b = GPA + 2 * MiB + 4096, norec = GPA + 3 * MiB + 4096;
	struct memcap_test_range rec = { .size = 3 * MiB, .caps = RAMLIKE };
	struct memcap_test_map m = { .kind = MEMCAP_TEST_MAP_CACHED_HUGE };
	static const char * const want[3] = { "Normal", "Normal", "Device-nGnRE" };
	const uint64_t at[3] = { a, rec_b, norec };
	uint64_t lo, hi, limit_lo[3], limit_hi[3];
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	uint8_t *resv, *host;
	bool ok = true, xn;
	struct ucall uc;
	int i;

	rec.offset = (uint64_t)next_chunk * 2 * MiB;
	next_chunk += 2;
	TEST_ASSERT(!drv(MEMCAP_TEST_REGISTER, &rec), "REGISTER");
	TEST_ASSERT(!drv(MEMCAP_TEST_SET_MAP, &m), "SET_MAP");
	/* A 2 MiB-aligned host address, congruent with the memory. */
	resv = mmap(NULL, len + 2 * MiB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(resv != MAP_FAILED, "mmap: %s", strerror(errno));
	host = (uint8_t *)(((uintptr_t)resv + 2 * MiB - 1) & ~(2 * MiB - 1));
	TEST_ASSERT(mmap(host, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			 drv_fd, rec.offset) == host, "mmap: %s", strerror(errno));

	vm = vm_create(1);
	vcpu = vm_vcpu_add(vm, 0, guest_touch3);
	memcap_vcpus_added(vm);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	vm_set_user_memory_region(vm, SLOT, 0, GPA, len, host);
	virt_map(vm, GPA, GPA, len / vm->page_size);
	if (unrecorded_first)
		vcpu_args_set(vcpu, 3, a, norec, rec_b);
	else
		vcpu_args_set(vcpu, 3, a, rec_b, norec);
	for (i = 0; i < 3; i++) {
		if (_vcpu_run(vcpu) || get_ucall(vcpu, &uc) != UCALL_SYNC) {
			printf("# touch %d: KVM_RUN %s\n", i, strerror(errno));
			ok = false;
			break;
		}
	}
	/* Where each mapping may reach: the block, or its half of the record. */
	limit_lo[0] = GPA;
	limit_hi[0] = GPA + 2 * MiB;
	limit_lo[1] = GPA + 2 * MiB;
	limit_hi[1] = GPA + 3 * MiB;
	limit_lo[2] = GPA + 3 * MiB;
	limit_hi[2] = GPA + 4 * MiB;
	for (i = 0; ok && i < 3; i++) {
		char type[32] = "";

		if (!read_ptdump(vm, at[i], type, sizeof(type), &xn) ||
		    !read_ptdump_span(vm, at[i], &lo, &hi)) {
			printf("# %#llx: not mapped\n", (unsigned long long)at[i]);
			ok = false;
			continue;
		}
		if (strcmp(type, want[i]) || lo < limit_lo[i] || hi > limit_hi[i]) {
			printf("# %#llx: %s [%#llx-%#llx), want %s within [%#llx-%#llx)\n",
			       (unsigned long long)at[i], type, (unsigned long long)lo,
			       (unsigned long long)hi, want[i],
			       (unsigned long long)limit_lo[i],
			       (unsigned long long)limit_hi[i]);
			ok = false;
		}
		/* The whole recorded block as one Normal block, as upstream. */
		if (i == 0 && (lo != GPA || hi != GPA + 2 * MiB)) {
			printf("# the recorded block is not one 2 MiB mapping: [%#llx-%#llx)\n",
			       (unsigned long long)lo, (unsigned long long)hi);
			ok = false;
		}
	}
	kvm_vm_free(vm);
	munmap(resv, len + 2 * MiB);
	TEST_ASSERT(!drv(MEMCAP_TEST_UNREGISTER, &rec), "UNREGISTER");
	return ok;
}

int main(int argc, char **argv)
{
	struct memcap_test_map huge_map = { .kind = MEMCAP_TEST_MAP_CACHED_HUGE };
	bool cacheable_slots, huge;

	drv_fd = open("/dev/memcap_test", O_RDWR);
	__TEST_REQUIRE(drv_fd >= 0, "/dev/memcap_test is missing (CONFIG_MEMCAP_TEST)");
	__TEST_REQUIRE(getenv("MEMCAP_HOST_FWB") && getenv("MEMCAP_HOST_DIC"),
		       "set MEMCAP_HOST_FWB=0|1 and MEMCAP_HOST_DIC=0|1");
	host_fwb = atoi(getenv("MEMCAP_HOST_FWB"));
	host_dic = atoi(getenv("MEMCAP_HOST_DIC"));
	host_mte = kvm_has_cap(KVM_CAP_ARM_MTE);
	/*
	 * Normal under a record needs FWB, and since 6.17 a cacheable
	 * VM_PFNMAP memslot needs FWB and DIC (upstream's rule).
	 */
	cacheable_slots = host_fwb && (host_dic || !kernel_at_least(6, 17));
	host_trust = kernel_at_least(6, 17) && !memcap_mode_strict();
	dax_s2 = host_trust ? "Normal" : "Device-nGnRE";

	/* Huge pfn mappings: the primary base's test driver makes them. */
	huge = cacheable_slots && !drv(MEMCAP_TEST_SET_MAP, &huge_map);
	if (cacheable_slots && !huge)
		printf("# no huge pfn mappings from the test driver: %s\n", strerror(errno));

	ksft_print_header();
	ksft_set_plan(15 + 3 * cacheable_slots + 2 * huge + 2 * host_mte +
		      cacheable_slots * host_mte);

#define RUN(name, call) ksft_test_result(call, "%s\n", name)
	RUN("mprotect(PROT_READ) under a running guest -> KVM_RUN EFAULT", case_mprotect());
	RUN("munmap() under a running guest -> KVM_RUN EFAULT", case_munmap(false));
	RUN("mremap() away under a running guest -> KVM_RUN EFAULT", case_munmap(true));
	RUN("mprotect(PROT_READ) from another thread while the vCPU writes -> KVM_RUN EFAULT",
	    case_concurrent(false));
	RUN("munmap() from another thread while the vCPU writes -> KVM_RUN EFAULT",
	    case_concurrent(true));
	RUN("MAP_FIXED Device BAR over dax pages -> Device-nGnRE after",
	    case_replace(DAX, DEVICE, dax_s2, "Device-nGnRE"));
	RUN("MAP_FIXED anonymous memory over a Device BAR -> Device-nGnRE, then Normal",
	    case_replace(DEVICE, ANON, "Device-nGnRE", "Normal"));
	if (cacheable_slots) {
		RUN("MAP_FIXED Device BAR over recorded cacheable PFNMAP -> Normal, then Device",
		    case_replace(CACHED, DEVICE, "Normal", "Device-nGnRE"));
		RUN("record withdrawn and restored under faults -> never Normal without it",
		    case_withdraw_churn());
		RUN("unaligned slot over a partly recorded PFNMAP -> Normal inside, Device past it",
		    case_partial_record());
	}
	if (huge) {
		RUN("huge PFNMAP slot, 3 MiB recorded -> Normal block, then pages, none past it",
		    case_huge_record(false));
		RUN("huge PFNMAP slot, unrecorded page first -> recorded pages still Normal",
		    case_huge_record(true));
	}
	RUN("driver unbind (MEMUNMAP) under a running guest -> EBUSY, guest runs on",
	    case_unbind());
	RUN("dirty logging of a Device BAR slot -> memslot EINVAL", case_dirty_log(DEVICE));
	RUN("dirty logging of a cacheable PFNMAP slot -> memslot EINVAL",
	    case_dirty_log(CACHED));
	RUN("dirty logging of dax pages -> every written page logged", case_dirty_log(DAX));
	RUN("read-only slot of dax pages -> reads mapped, writes exit as MMIO",
	    case_readonly(DAX));
	RUN("read-only slot of a Device BAR -> reads Device-nGnRE, writes exit as MMIO",
	    case_readonly(DEVICE));
	RUN("slot deleted and recreated under faults, dax pages -> no failed KVM_RUN",
	    case_slot_churn(DAX));
	RUN("slot deleted and recreated under faults, Device BAR -> no failed KVM_RUN",
	    case_slot_churn(DEVICE));
	if (host_mte) {
		RUN(host_trust ? "MTE enabled after a dax memslot -> KVM_RUN EFAULT" :
				 "MTE enabled after a dax memslot -> Device-nGnRE (strict, 6.12)",
		    case_mte_late(DAX));
		RUN("MTE enabled after a Device BAR memslot -> Device-nGnRE",
		    case_mte_late(DEVICE));
		if (cacheable_slots)
			RUN("MTE enabled after a recorded cacheable PFNMAP slot -> KVM_RUN EFAULT",
			    case_mte_late(CACHED));
	}
	close(drv_fd);
	ksft_finished();
}
