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
 * /proc/iomem, no memory block in /sys/devices/system/memory, no
 * memremap in the driver, no live percpu ref of the pgmap (the driver
 * fails the operation with -ENOTRECOVERABLE if one lives on), and no
 * range in warn mode's list of ranges it reported
 * (/sys/kernel/debug/memcap/warned, emptied before each attempt): memcap
 * logs a range as it checks it, and remembers it only once the operation
 * went through.  An operation that succeeds remembers its range exactly
 * when the kernel logged it ("allowed in warn mode"), which the operations
 * on memory that nobody described do on an MTE host in warn mode: nothing
 * states tags for it.
 *
 * The failure site of each injection is read back from the kernel: with
 * verbose=2, fault injection dumps the stack of the allocation it failed,
 * and the site is the first frame of that stack outside the allocators
 * (function+offset, so two calls in one function are two sites).
 * Allocations made with __GFP_NOWARN fail silently, and are counted as
 * unattributed.
 *
 * Then fail_function fails memcap's two policy hooks, memcap_pgmap_prepare()
 * and memcap_hotplug_check() (marked ALLOW_ERROR_INJECTION), so that
 * memremap_pages() and add_memory_resource() must unwind after them: the
 * operation fails with the injected errno (-EXDEV, which neither hook
 * returns of its own) and leaves nothing behind.
 *
 * The window of injections is marked in the kernel log too, so that the
 * harness's health check, which reads the console, knows which stack dumps
 * are the injections' own: the console may print the kernel's messages
 * later than the program's (pl011 is an nbcon console on 7.3).
 *
 * Prints TAP and, per operation, the injection points hit, the distinct
 * failure sites and the injections that failed the operation.
 *
 * Needs CONFIG_FAULT_INJECTION, FAILSLAB, FAIL_PAGE_ALLOC, FAIL_FUNCTION and
 * their debugfs (the sanitizer kernel); elsewhere it skips.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <asm/hwcap.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../kernel/drivers/misc/memcap_test.h"

#define MiB		(1024ULL * 1024)
#define RAMLIKE		0xfU	/* cacheable|coherent|exclusives|atomics */
#define MAX_N		400
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define WARNED		"/sys/kernel/debug/memcap/warned"

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

/*
 * The kernel log, read from where it stood at the start: each injected
 * failure's stack names its site.
 */
static int kmsg_fd = -1;

#define MAX_SITES	256

static struct site {
	char name[96];
	int hits;
} sites[MAX_SITES];
static int n_sites, n_unattributed;
/*
 * "allowed in warn mode" lines for the operation's own range
 * [op_start, op_end) that kmsg_sites() has read: virtio-mem may plug its
 * own memory meanwhile.
 */
static int n_warn_logged;
static unsigned long long op_start, op_end;

static int is_op_range(unsigned long long start, unsigned long long last)
{
	return start == op_start && last + 1 == op_end;
}

/* Frames of the allocators and of the fault injection itself. */
static int allocator_frame(const char *fn)
{
	static const char * const pfx[] = {
		"dump_stack", "show_stack", "dump_backtrace", "fail_dump",
		"should_fail", "__should_fail", "should_failslab",
		"__should_failslab", "prepare_alloc_pages", "__alloc_",
		"alloc_pages", "alloc_frozen_pages", "__folio_alloc",
		"folio_alloc", "kmem_cache_alloc", "__kmem_cache_alloc",
		"__kmalloc", "kmalloc", "__kvmalloc", "kvmalloc", "krealloc",
		"slab_alloc", "___slab_alloc", "__slab_alloc", "new_slab",
		"allocate_slab", "alloc_slab", "__vmalloc", "vmalloc",
		"vzalloc", "__get_free_pages", "get_zeroed_page", "pcpu_alloc",
		"alloc_pages_mpol", "alloc_pages_node",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pfx); i++)
		if (!strncmp(fn, pfx[i], strlen(pfx[i])))
			return 1;
	return 0;
}

static void site_hit(const char *name)
{
	int i;

	for (i = 0; i < n_sites; i++)
		if (!strcmp(sites[i].name, name))
			break;
	if (i == n_sites) {
		if (n_sites == MAX_SITES)
			return;
		snprintf(sites[n_sites++].name, sizeof(sites[0].name), "%s", name);
	}
	sites[i].hits++;
}

/*
 * Read the kernel log up to now and attribute each reported injection to
 * its site.  Returns how many injections it found reported.
 */
static int kmsg_sites(void)
{
	static char rec[8192];
	int state = 0, found = 0;
	ssize_t n;

	while ((n = read(kmsg_fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		char *msg, *end;

		if (n < 0)
			continue;	/* overwritten records: go on */
		rec[n] = 0;
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		end = strchr(msg, '\n');
		if (end)
			*end = 0;
		if (strstr(msg, "memcap: allowed in warn mode")) {
			const char *r = strstr(msg, "[mem ");
			unsigned long long a, z;

			if (r && sscanf(r, "[mem %llx-%llx]", &a, &z) == 2 &&
			    is_op_range(a, z))
				n_warn_logged++;
		}
		if (strstr(msg, "FAULT_INJECTION: forcing a failure")) {
			state = 1;
		} else if (state == 1 && strstr(msg, "Call trace:")) {
			state = 2;
		} else if (state == 2 && strstr(msg, "+0x")) {
			char fn[96];

			/* " function+0xoff/0xsize [module]" */
			if (sscanf(msg, " %95[^/ ]", fn) == 1 && !allocator_frame(fn)) {
				site_hit(fn);
				found++;
				state = 0;
			}
		}
	}
	return found;
}

/* A line in the kernel log, in order with the injections' stack dumps. */
static void kmsg_mark(const char *what)
{
	int f = open("/dev/kmsg", O_WRONLY);

	if (f < 0 || write(f, what, strlen(what)) < 0)
		printf("# /dev/kmsg: %s\n", strerror(errno));
	if (f >= 0)
		close(f);
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

/* The ranges warn mode remembered: all of them, or the operation's. */
static int count_warned(int own)
{
	unsigned long long a, z;
	char line[128];
	int n = 0;
	FILE *f = fopen(WARNED, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx-%llx", &a, &z) == 2)
			n += !own || is_op_range(a, z);
	fclose(f);
	return n;
}

/* What an operation could leave behind. */
struct state {
	int ranges, iomem, blocks, remapped, warned;
};

static void snapshot(struct state *s, uint64_t off, uint64_t size)
{
	struct memcap_test_refs r = { .offset = off, .size = size };

	s->ranges = count_lines("/sys/kernel/debug/memcap/ranges", "0x", "pgmap");
	s->iomem = count_lines("/proc/iomem", "", NULL);
	s->blocks = count_memory_blocks();
	s->remapped = !drv(MEMCAP_TEST_REFS, &r);
	s->warned = count_warned(0);
}

/*
 * Forget the ranges warn mode reported, so that each attempt reports anew.
 * (Programs that run later may then log a range again: none of them
 * counts the lines, and warnonce_check.py reads a boot without fault
 * injection.)
 */
static void forget_warned(void)
{
	if (write_file(WARNED, "1")) {
		printf("# %s: %s\n", WARNED, strerror(errno));
		exit(1);
	}
}

static int same(const struct state *a, const struct state *b)
{
	return a->ranges == b->ranges && a->iomem == b->iomem &&
	       a->blocks == b->blocks && a->remapped == b->remapped &&
	       a->warned == b->warned;
}

struct op {
	const char *name;
	unsigned long cmd, undo;
	struct memcap_test_range r;
	int record;		/* caps of a record registered first, or -1 */
	int alt_errno;		/* another errno the operation documents */
	int warns;		/* warn mode logs it on an MTE host */
};

/* The policy mode and the host: where the warns operations are logged. */
static int warn_mode, mte_host;
/* Physical start of the test driver's memory (memcap_test.base). */
static unsigned long long dev_base;

static void run_op(const struct op *op)
{
	struct memcap_test_range rec = op->r;
	struct state before, after;
	int n, ret, fired, found, logged, points = 0, failed = 0, absorbed = 0;
	int sites_before = n_sites, unattributed = 0, ok = 1, failed_logged = 0;

	if (op->warns && !warn_mode && mte_host) {
		printf("ok %d %s # SKIP strict mode refuses it on an MTE host\n",
		       ++n_test, op->name);
		return;
	}
	rec.caps = op->record;
	if (op->record >= 0 && drv(MEMCAP_TEST_REGISTER, &rec)) {
		printf("# %s: REGISTER: %s\n", op->name, strerror(errno));
		ok = 0;
	}
	op_start = dev_base + op->r.offset;
	op_end = op_start + op->r.size;
	kmsg_sites();
	forget_warned();
	snapshot(&before, op->r.offset, op->r.size);
	for (n = 1; n <= MAX_N && ok; n++) {
		forget_warned();
		logged = n_warn_logged;
		fail_nth(n);
		ret = drv(op->cmd, (void *)&op->r);
		fired = fail_nth_fired();
		fail_nth(0);
		found = kmsg_sites();
		logged = n_warn_logged - logged;
		if (fired && !found)
			unattributed++;
		if (!ret) {
			int warned = count_warned(1), want = logged > 0;

			/*
			 * Remembered exactly when logged; an absorbed
			 * injection may have been the remembering itself.
			 */
			if (warned > want || (!fired && warned != want)) {
				printf("# %s: fail-nth %d: %d lines logged, %d ranges remembered\n",
				       op->name, n, logged, warned);
				ok = 0;
			}
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
		failed++;
		failed_logged += logged > 0;
		snapshot(&after, op->r.offset, op->r.size);
		if (!same(&before, &after)) {
			printf("# %s: fail-nth %d left ranges %d->%d iomem %d->%d\n",
			       op->name, n, before.ranges, after.ranges, before.iomem,
			       after.iomem);
			printf("#   blocks %d->%d remapped %d->%d warned %d->%d\n",
			       before.blocks, after.blocks, before.remapped,
			       after.remapped, before.warned, after.warned);
			ok = 0;
		}
	}
	if (n > MAX_N) {
		printf("# %s: still failing after %d injections\n", op->name, MAX_N);
		ok = 0;
	}
	/*
	 * Else the check of the warn list above proved nothing: on an MTE
	 * host in warn mode, some failures came after the kernel logged the
	 * range, and, once the ratelimit (32 lines in 5 s) has room again,
	 * an operation that goes through logs its range and remembers it.
	 */
	if (op->warns && warn_mode && mte_host && ok) {
		int warned;

		sleep(6);
		forget_warned();
		logged = n_warn_logged;
		ret = drv(op->cmd, (void *)&op->r);
		kmsg_sites();
		logged = n_warn_logged - logged;
		warned = count_warned(1);
		if (!ret && drv(op->undo, (void *)&op->r))
			ret = -errno;
		if (ret || !failed_logged || logged != 1 || warned != 1) {
			printf("# %s: warn mode on an MTE host: %d failures after the log line\n",
			       op->name, failed_logged);
			printf("#   then %s, %d lines logged, %d ranges remembered\n",
			       strerror(-ret), logged, warned);
			ok = 0;
		}
	}
	if (op->record >= 0 && drv(MEMCAP_TEST_UNREGISTER, &rec))
		ok = 0;
	n_unattributed += unattributed;
	if (op->warns)
		printf("# %s: %d failures came after the warn-mode line\n",
		       op->name, failed_logged);
	printf("MEMCAP-INJECT\t%s\t%d points\t%d failed it\t%d absorbed\t",
	       op->name, points, failed, absorbed);
	printf("%d new sites\t%d unattributed\n", n_sites - sites_before,
	       unattributed);
	printf("%sok %d %s: %d injection points, %d failed it, nothing left\n",
	       ok ? "" : "not ", ++n_test, op->name, points, failed);
	n_fail += !ok;
	fflush(stdout);
}

#define FAIL_FN		"/sys/kernel/debug/fail_function"

/*
 * Fail @fn with @err (fail_function) while @op runs: the operation must
 * fail with @err and leave nothing behind, and go through once the
 * injection is gone.
 */
static void run_fn(const struct op *op, const char *fn, int err)
{
	struct memcap_test_range rec = op->r;
	struct state before, after;
	char path[128], val[32];
	int ret, ok = 1;

	rec.caps = op->record;
	if (op->record >= 0 && drv(MEMCAP_TEST_REGISTER, &rec)) {
		printf("# %s: REGISTER: %s\n", op->name, strerror(errno));
		ok = 0;
	}
	snapshot(&before, op->r.offset, op->r.size);
	snprintf(path, sizeof(path), FAIL_FN "/%s/retval", fn);
	snprintf(val, sizeof(val), "%#llx", (unsigned long long)(long long)err);
	if (write_file(FAIL_FN "/inject", fn) || write_file(path, val)) {
		printf("# %s: cannot inject into %s(): %s\n", op->name, fn,
		       strerror(errno));
		ok = 0;
	} else {
		ret = drv(op->cmd, (void *)&op->r);
		snprintf(val, sizeof(val), "!%s", fn);
		if (write_file(FAIL_FN "/inject", val))
			ok = 0;
		if (ret != err) {
			printf("# %s: %s() failed: the operation returned %d, not %d\n",
			       op->name, fn, ret, err);
			if (!ret)
				drv(op->undo, (void *)&op->r);
			ok = 0;
		}
		snapshot(&after, op->r.offset, op->r.size);
		if (!same(&before, &after)) {
			printf("# %s: %s() failed: ranges %d->%d iomem %d->%d",
			       op->name, fn, before.ranges, after.ranges,
			       before.iomem, after.iomem);
			printf(" blocks %d->%d remapped %d->%d\n", before.blocks,
			       after.blocks, before.remapped, after.remapped);
			ok = 0;
		}
		/* Without the injection, the same operation goes through. */
		ret = drv(op->cmd, (void *)&op->r);
		if (ret || drv(op->undo, (void *)&op->r)) {
			printf("# %s: without injection: %s\n", op->name,
			       strerror(ret ? -ret : errno));
			ok = 0;
		}
	}
	if (op->record >= 0 && drv(MEMCAP_TEST_UNREGISTER, &rec))
		ok = 0;
	printf("%sok %d %s: %s() failed with %s, nothing left\n",
	       ok ? "" : "not ", ++n_test, op->name, fn, strerror(-err));
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
		{ "memremap coherent, nothing stated", MEMCAP_TEST_MEMREMAP,
		  MEMCAP_TEST_MEMUNMAP,
		  { .offset = 0, .size = 2 * MiB, .type = MEMCAP_TEST_COHERENT },
		  -1, 0, 1 },
		{ "hot-add, nothing stated", MEMCAP_TEST_HOTPLUG,
		  MEMCAP_TEST_HOTREMOVE,
		  { .offset = 128 * MiB, .size = 128 * MiB }, -1, -EEXIST, 1 },
	};
	/*
	 * Every allocation may fail, not only atomic ones; a stack dump for
	 * each injection, none rate-limited; fail_function fails only this
	 * task, every time, quietly.
	 */
	static const char * const settings[][2] = {
		{ "/sys/kernel/debug/failslab/ignore-gfp-wait", "0" },
		{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "0" },
		{ "/sys/kernel/debug/fail_page_alloc/min-order", "0" },
		{ "/sys/kernel/debug/failslab/verbose", "2" },
		{ "/sys/kernel/debug/fail_page_alloc/verbose", "2" },
		{ "/sys/kernel/debug/failslab/verbose_ratelimit_interval_ms", "0" },
		{ "/sys/kernel/debug/fail_page_alloc/verbose_ratelimit_interval_ms", "0" },
		{ FAIL_FN "/probability", "100" },
		{ FAIL_FN "/interval", "1" },
		{ FAIL_FN "/times", "-1" },
		{ FAIL_FN "/verbose", "0" },
		{ FAIL_FN "/task-filter", "Y" },
		{ "/proc/self/make-it-fail", "1" },
	};
	char mode[16] = "";
	int i, j;
	struct op hot = ops[3];
	FILE *f;

	if (access("/proc/thread-self/fail-nth", W_OK) ||
	    access("/sys/kernel/debug/failslab", F_OK) ||
	    access(FAIL_FN, F_OK)) {
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
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg_fd < 0 || lseek(kmsg_fd, 0, SEEK_END) < 0) {
		printf("# /dev/kmsg: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < (int)ARRAY_SIZE(settings); i++)
		if (write_file(settings[i][0], settings[i][1])) {
			printf("# %s: %s\n", settings[i][0], strerror(errno));
			return 1;
		}
	f = fopen("/sys/module/memcap/parameters/mode", "r");
	if (!f || !fgets(mode, sizeof(mode), f)) {
		printf("# memcap mode: %s\n", strerror(errno));
		return 1;
	}
	fclose(f);
	warn_mode = !strncmp(mode, "warn", 4);
	f = fopen("/sys/module/memcap_test/parameters/base", "r");
	if (!f || fscanf(f, "%llu", &dev_base) != 1) {
		printf("# memcap_test.base: %s\n", strerror(errno));
		return 1;
	}
	fclose(f);
	mte_host = !!(getauxval(AT_HWCAP2) & HWCAP2_MTE);
	printf("# memcap.mode=%s on a host %s MTE\n", warn_mode ? "warn" : "strict",
	       mte_host ? "with" : "without");
	/* Hot-add needs a record with the baseline: RAM-like, with tags. */
	hot.record = RAMLIKE | (1U << 4);
	printf("1..%zu\n", ARRAY_SIZE(ops) + 3);
	printf("MEMCAP-INJECT-BEGIN\n");
	fflush(stdout);
	kmsg_mark("MEMCAP-KMSG-INJECT-BEGIN");
	for (i = 0; i < 3; i++)
		run_op(&ops[i]);
	run_op(&hot);
	for (i = 4; i < (int)ARRAY_SIZE(ops); i++)
		run_op(&ops[i]);
	run_fn(&ops[1], "memcap_pgmap_prepare", -EXDEV);
	run_fn(&hot, "memcap_hotplug_check", -EXDEV);
	kmsg_mark("MEMCAP-KMSG-INJECT-END");
	printf("MEMCAP-INJECT-END\n");
	/* Most hit first. */
	for (i = 0; i < n_sites; i++)
		for (j = i + 1; j < n_sites; j++)
			if (sites[j].hits > sites[i].hits) {
				struct site t = sites[i];

				sites[i] = sites[j];
				sites[j] = t;
			}
	for (i = 0; i < n_sites; i++)
		printf("# failure site %-48s %d\n", sites[i].name, sites[i].hits);
	printf("MEMCAP-INJECT-SITES\t%d distinct\t%d unattributed (__GFP_NOWARN)\n",
	       n_sites, n_unattributed);
	/*
	 * Sites must be read back: the slab allocations of registration and
	 * memremap warn, so a log without a single site is a broken reader.
	 */
	printf("%sok %d failure sites read back from the kernel log: %d distinct\n",
	       n_sites ? "" : "not ", ++n_test, n_sites);
	n_fail += !n_sites;
	return n_fail ? 1 : 0;
}
