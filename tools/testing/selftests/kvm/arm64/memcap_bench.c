// SPDX-License-Identifier: GPL-2.0
/*
 * memcap_bench - the cost of stage-2 faults, for make bench.
 *
 * A guest writes once to every 4 KiB page of a 64 MiB memslot, then does
 * it again.  The first pass takes a stage-2 fault per page (4 KiB
 * mappings), or per 2 MiB block (transparent huge pages); the second takes
 * none.  The difference, divided by the number of faults, is what one
 * fault costs: the exit, KVM's fault path, and the re-entry.  The host's
 * memory is populated before the guest runs, so that no host page fault
 * or page zeroing is counted, and an untimed first run faults in the
 * guest's code, stack and ucall page.  The first pass also faults in the
 * guest's stage-1 tables of the memslot, which live in RAM (4 KiB, one per
 * 512 pages, and two above them): they are counted as 4 KiB RAM faults, at
 * the cost the RAM run measured, and taken out of the other kinds.  The
 * 2 MiB run checks that THP backs all of it (AnonHugePages in smaps).
 *
 * The memory: anonymous pages without THP (4 KiB faults), anonymous
 * memory with THP (2 MiB faults), and the memcap test driver's memory as a
 * cacheable VM_PFNMAP with a RAM-like record (4 KiB faults; a registry
 * lookup per fault with memcap, none upstream).
 *
 * MEMCAP_BENCH_MIB= sets the size (make check runs a short version).
 * Times come from CLOCK_MONOTONIC.  make bench runs QEMU with
 * -icount shift=0, where a nanosecond of guest time is one instruction,
 * so that the figures repeat from run to run.  Prints one line per kind:
 * "MEMCAP-BENCH <kind> <faults> <first pass ns> <second pass ns>
 * <ns per fault>", and TAP.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "ucall_common.h"
#include "memcap_stage2_compat.h"
#include "../../../../../drivers/misc/memcap_test.h"

#define RAMLIKE		0xfU	/* cacheable|coherent|exclusives|atomics */
#define SLOT		10
#define GPA		0x100000000ULL
#define SZ_2M		(2ULL << 20)
#define DEFAULT_MIB	64

static uint64_t size;

/* Sync, write every page, sync, write every page again, done. */
static void guest_code(uint64_t gva, uint64_t npages)
{
	uint64_t pass, p;

	GUEST_SYNC(0);
	for (pass = 0; pass < 2; pass++) {
		for (p = 0; p < npages; p++)
			WRITE_ONCE(*(uint64_t *)(gva + p * 4096), p);
		GUEST_SYNC(pass);
	}
	GUEST_DONE();
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* One vcpu_run up to the guest's next sync; its duration in ns. */
static uint64_t timed_run(struct kvm_vcpu *vcpu)
{
	struct ucall uc;
	uint64_t t0 = now_ns(), t;

	vcpu_run(vcpu);
	t = now_ns() - t0;
	switch (get_ucall(vcpu, &uc)) {
	case UCALL_SYNC:
	case UCALL_DONE:
		break;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
		break;
	default:
		TEST_FAIL("unexpected exit: %s",
			  exit_reason_str(vcpu->run->exit_reason));
	}
	return t;
}

enum kind { RAM_4K, RAM_2M, PFNMAP };
static const char * const names[] = { "ram-4k", "ram-2m", "pfnmap-recorded" };

/* AnonHugePages of the mapping at @p, in KiB, or -1. */
static long anon_huge_kb(void *p)
{
	unsigned long lo, hi, at = (unsigned long)p;
	char line[256];
	long kb = -1;
	int in = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)
			in = lo <= at && at < hi;
		else if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

static void *raw;	/* the anonymous mapping, before alignment */

static void *map_memory(enum kind k, int drv_fd)
{
	struct memcap_test_range r = { .offset = 0, .size = size, .caps = RAMLIKE };
	struct memcap_test_map m = { .kind = MEMCAP_TEST_MAP_CACHED };
	uint8_t *p;
	uint64_t i;

	if (k == PFNMAP) {
		TEST_ASSERT(!ioctl(drv_fd, MEMCAP_TEST_REGISTER, &r),
			    "REGISTER: %s", strerror(errno));
		TEST_ASSERT(!ioctl(drv_fd, MEMCAP_TEST_SET_MAP, &m),
			    "SET_MAP: %s", strerror(errno));
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, drv_fd, 0);
		TEST_ASSERT(p != MAP_FAILED, "mmap: %s", strerror(errno));
		return p;
	}
	/* 2 MiB aligned, so that THP can back every block. */
	raw = mmap(NULL, size + SZ_2M, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(raw != MAP_FAILED, "mmap: %s", strerror(errno));
	p = (uint8_t *)(((uintptr_t)raw + SZ_2M - 1) & ~(SZ_2M - 1));
	TEST_ASSERT(!madvise(p, size, k == RAM_2M ? MADV_HUGEPAGE : MADV_NOHUGEPAGE),
		    "madvise: %s", strerror(errno));
	/* Populated now, so that the guest's faults find the host's pages. */
	for (i = 0; i < size; i += 4096)
		p[i] = 1;
	return p;
}

/* Cost of one 4 KiB RAM fault, from the first run. */
static uint64_t ram_4k;

static void bench(enum kind k, int drv_fd, int n)
{
	/* The guest's stage-1 tables of the memslot: faulted in pass one. */
	uint64_t npages = size / 4096, tables = npages / 512 + 2;
	uint64_t faults, first, second, extra, per;
	long huge = 0;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	void *host;

	host = map_memory(k, drv_fd);
	vm = vm_create(1);
	vcpu = vm_vcpu_add(vm, 0, guest_code);
	memcap_vcpus_added(vm);
	vm_set_user_memory_region(vm, SLOT, 0, GPA, size, host);
	virt_map(vm, GPA, GPA, npages);
	vcpu_args_set(vcpu, 2, GPA, npages);

	timed_run(vcpu);		/* the guest's code, stack, ucall */
	first = timed_run(vcpu);
	second = timed_run(vcpu);
	faults = k == RAM_2M ? size / SZ_2M : npages;
	if (k == RAM_4K) {
		per = first > second ? (first - second) / (faults + tables) : 0;
		ram_4k = per;
	} else {
		extra = tables * ram_4k;
		per = first > second + extra ? (first - second - extra) / faults : 0;
	}
	if (k == RAM_2M)
		huge = anon_huge_kb(host);
	printf("MEMCAP-BENCH\t%s\t%lu\t%lu\t%lu\t%lu\n", names[k], faults, first,
	       second, per);
	if (k == RAM_2M && huge != (long)(size >> 10))
		printf("not ok %d %s: THP backs %ld of %lu KiB\n", n, names[k], huge,
		       size >> 10);
	else
		printf("%sok %d %s: %lu faults\n", per ? "" : "not ", n, names[k],
		       faults);
	kvm_vm_free(vm);
	if (k == PFNMAP) {
		struct memcap_test_range r = { .offset = 0, .size = size };

		munmap(host, size);
		TEST_ASSERT(!ioctl(drv_fd, MEMCAP_TEST_UNREGISTER, &r),
			    "UNREGISTER: %s", strerror(errno));
	} else {
		munmap(raw, size + SZ_2M);
	}
}

int main(void)
{
	const char *mib = getenv("MEMCAP_BENCH_MIB");
	int drv_fd;

	/* From the kernel's command line, through init's environment. */
	size = (mib ? strtoull(mib, NULL, 0) : DEFAULT_MIB) << 20;
	drv_fd = open("/dev/memcap_test", O_RDWR);
	printf("1..3\n");
	printf("# %lu MiB per memslot; guest ns are instructions under -icount shift=0\n",
	       size >> 20);
	bench(RAM_4K, drv_fd, 1);
	bench(RAM_2M, drv_fd, 2);
	if (drv_fd < 0)
		printf("ok 3 %s # SKIP /dev/memcap_test: %s\n", names[PFNMAP],
		       strerror(errno));
	else
		bench(PFNMAP, drv_fd, 3);
	return 0;
}
