// SPDX-License-Identifier: GPL-2.0
/*
 * memcap under injected allocation failures: registration, memremap and
 * hot-add of the memcap test driver's memory, with the Nth allocation of
 * the calling task failed (failslab and fail_page_alloc, through
 * /proc/thread-self/fail-nth), for N = 1, 2, ... until the operation gets
 * through without reaching the Nth allocation.  Every injected failure
 * must either be absorbed (the operation succeeds) or fail the operation
 * with -ENOMEM (or an errno the operation documents for it), and a failed
 * operation must leave nothing behind: no
 * record or pgmap in /sys/kernel/debug/memcap/ranges, no resource in
 * /proc/iomem, no memory block in /sys/devices/system/memory, and no
 * memremap in the driver.  Prints TAP and, per operation, the injection
 * points hit and the failure sites that failed it.
 *
 * Needs CONFIG_FAULT_INJECTION, FAILSLAB, FAIL_PAGE_ALLOC and their debugfs
 * (the sanitizer kernel); elsewhere it skips.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../kernel/drivers/misc/memcap_test.h"

#define MiB		(1024ULL * 1024)
#define RAMLIKE		0xfU	/* cacheable|coherent|exclusives|atomics */
#define MAX_N		400
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static int fd, n_test, n_fail;

static int drv(unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static int write_file(const char *path, const char *val)
{
	int f = open(path, O_WRONLY);
	ssize_t n;

	if (f < 0)
		return -errno;
	n = write(f, val, strlen(val));
	close(f);
	return n < 0 ? -errno : 0;
}

/*
 * The task's fail-nth, opened once: reading and writing it allocates
 * nothing, where opening it would allocate, and count.
 */
static int nth_fd = -1;

/* Fail the task's nth allocation from now on (0: stop). */
static void fail_nth(int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);

	if (pwrite(nth_fd, buf, len, 0) != len) {
		printf("# fail-nth: %s\n", strerror(errno));
		exit(1);
	}
}

/* Did the nth allocation come (the counter ran out)? */
static int fail_nth_fired(void)
{
	char buf[16] = "";

	if (pread(nth_fd, buf, sizeof(buf) - 1, 0) < 0)
		exit(1);
	return atoi(buf) == 0;
}

/* Lines of a file that start with any of the prefixes. */
static int count_lines(const char *path, const char *p1, const char *p2)
{
	char line[512];
	int n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		const char *s = line + strspn(line, " ");

		n += !strncmp(s, p1, strlen(p1)) || (p2 && !strncmp(s, p2, strlen(p2)));
	}
	fclose(f);
	return n;
}

static int count_memory_blocks(void)
{
	DIR *d = opendir("/sys/devices/system/memory");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, "memory", 6) && e->d_name[6] >= '0' &&
		     e->d_name[6] <= '9';
	closedir(d);
	return n;
}

/* What an operation could leave behind. */
struct state {
	int ranges, iomem, blocks, remapped;
};

static void snapshot(struct state *s, uint64_t off, uint64_t size)
{
	struct memcap_test_refs r = { .offset = off, .size = size };

	s->ranges = count_lines("/sys/kernel/debug/memcap/ranges", "0x", "pgmap");
	s->iomem = count_lines("/proc/iomem", "", NULL);
	s->blocks = count_memory_blocks();
	s->remapped = !drv(MEMCAP_TEST_REFS, &r);
}

static int same(const struct state *a, const struct state *b)
{
	return a->ranges == b->ranges && a->iomem == b->iomem &&
	       a->blocks == b->blocks && a->remapped == b->remapped;
}

struct op {
	const char *name;
	unsigned long cmd, undo;
	struct memcap_test_range r;
	int record;		/* caps of a record registered first, or -1 */
	int alt_errno;		/* another errno the operation documents */
};

static void run_op(const struct op *op)
{
	struct memcap_test_range rec = op->r;
	struct state before, after;
	int n, ret, fired, points = 0, sites = 0, absorbed = 0, ok = 1;

	rec.caps = op->record;
	if (op->record >= 0 && drv(MEMCAP_TEST_REGISTER, &rec)) {
		printf("# %s: REGISTER: %s\n", op->name, strerror(errno));
		ok = 0;
	}
	snapshot(&before, op->r.offset, op->r.size);
	for (n = 1; n <= MAX_N && ok; n++) {
		fail_nth(n);
		ret = drv(op->cmd, (void *)&op->r);
		fired = fail_nth_fired();
		fail_nth(0);
		if (!ret) {
			if (drv(op->undo, (void *)&op->r)) {
				printf("# %s: undo: %s\n", op->name, strerror(errno));
				ok = 0;
			}
			if (!fired)
				break;
			points++;
			absorbed++;
			continue;
		}
		points++;
		if (!fired || (ret != -ENOMEM && ret != op->alt_errno)) {
			printf("# %s: fail-nth %d: %s (%s)\n", op->name, n,
			       strerror(-ret), fired ? "injected" : "not injected");
			ok = 0;
		}
		sites++;
		snapshot(&after, op->r.offset, op->r.size);
		if (!same(&before, &after)) {
			printf("# %s: fail-nth %d left ranges %d->%d iomem %d->%d\n",
			       op->name, n, before.ranges, after.ranges, before.iomem,
			       after.iomem);
			printf("#   blocks %d->%d remapped %d->%d\n",
			       before.blocks, after.blocks, before.remapped,
			       after.remapped);
			ok = 0;
		}
	}
	if (n > MAX_N) {
		printf("# %s: still failing after %d injections\n", op->name, MAX_N);
		ok = 0;
	}
	if (op->record >= 0 && drv(MEMCAP_TEST_UNREGISTER, &rec))
		ok = 0;
	printf("MEMCAP-INJECT\t%s\t%d points\t%d failed it\t%d absorbed\n",
	       op->name, points, sites, absorbed);
	printf("%sok %d %s: %d injection points, %d failure sites, nothing left\n",
	       ok ? "" : "not ", ++n_test, op->name, points, sites);
	n_fail += !ok;
	fflush(stdout);
}

int main(void)
{
	static const struct op ops[] = {
		{ "register a record", MEMCAP_TEST_REGISTER, MEMCAP_TEST_UNREGISTER,
		  { .offset = 0, .size = 2 * MiB, .caps = RAMLIKE }, -1 },
		{ "memremap generic, caps stated", MEMCAP_TEST_MEMREMAP,
		  MEMCAP_TEST_MEMUNMAP,
		  { .offset = 0, .size = 2 * MiB, .caps = RAMLIKE,
		    .type = MEMCAP_TEST_GENERIC, .flags = MEMCAP_TEST_SET_CAPS }, -1 },
		{ "memremap generic over a record", MEMCAP_TEST_MEMREMAP,
		  MEMCAP_TEST_MEMUNMAP,
		  { .offset = 0, .size = 2 * MiB, .type = MEMCAP_TEST_GENERIC },
		  RAMLIKE },
		/*
		 * add_memory_driver_managed() reports a failed allocation in
		 * __request_region() as a conflict, -EEXIST, as it always has.
		 */
		{ "hot-add over a record", MEMCAP_TEST_HOTPLUG, MEMCAP_TEST_HOTREMOVE,
		  { .offset = 128 * MiB, .size = 128 * MiB }, -1, -EEXIST },
	};
	static const char * const quiet[] = {
		"/sys/kernel/debug/failslab/ignore-gfp-wait",
		"/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait",
		"/sys/kernel/debug/fail_page_alloc/min-order",
		"/sys/kernel/debug/failslab/verbose",
		"/sys/kernel/debug/fail_page_alloc/verbose",
	};
	struct op hot = ops[3];
	unsigned int i;

	if (access("/proc/thread-self/fail-nth", W_OK) ||
	    access("/sys/kernel/debug/failslab", F_OK)) {
		printf("1..0 # SKIP no fault injection in this kernel\n");
		return 0;
	}
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (nth_fd < 0) {
		printf("# fail-nth: %s\n", strerror(errno));
		return 1;
	}
	fd = open("/dev/memcap_test", O_RDWR);
	if (fd < 0) {
		printf("1..0 # SKIP /dev/memcap_test: %s\n", strerror(errno));
		return 0;
	}
	/* Every allocation may fail, not only atomic ones; no stack dumps. */
	for (i = 0; i < ARRAY_SIZE(quiet); i++)
		if (write_file(quiet[i], "0")) {
			printf("# %s: %s\n", quiet[i], strerror(errno));
			return 1;
		}
	/* Hot-add needs a record with the baseline: RAM-like, with tags. */
	hot.record = RAMLIKE | (1U << 4);
	printf("1..%zu\n", ARRAY_SIZE(ops));
	printf("MEMCAP-INJECT-BEGIN\n");
	fflush(stdout);
	for (i = 0; i < 3; i++)
		run_op(&ops[i]);
	run_op(&hot);
	printf("MEMCAP-INJECT-END\n");
	return n_fail ? 1 : 0;
}
