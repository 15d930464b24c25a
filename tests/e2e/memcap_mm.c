// SPDX-License-Identifier: GPL-2.0
/*
 * memcap mm end to end: memremap_pages() and memory hot-add of device
 * memory, driven from userspace through the memcap test driver, accepted
 * for RAM-equivalent capabilities and refused otherwise.  Each check reads
 * the return code, /proc/iomem and /sys/kernel/debug/memcap/ranges, and a
 * refusal must leave nothing behind in either.  Bad requests must get an
 * errno.  Prints TAP.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../kernel/drivers/misc/memcap_test.h"

#define C	(1U << 0)
#define COH	(1U << 1)
#define EXCL	(1U << 2)
#define ATOM	(1U << 3)
#define TAGS	(1U << 4)
#define MiB	(1024ULL * 1024)
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define DRV_BASE	0x80000000ULL	/* memcap_test.base= of the harness */

static int fd, n_test, n_fail, strict = 1;
static unsigned int baseline;

static void result(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d ", ok ? "" : "not ", ++n_test);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	n_fail += !ok;
}

static int drv(unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/* Does a file contain a line with both strings? */
static int file_has(const char *path, const char *a, const char *b)
{
	char line[512];
	int found = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, a) && (!b || strstr(line, b));
	fclose(f);
	return found;
}

static unsigned int read_baseline(void)
{
	static const char * const names[] = {
		"cacheable", "coherent", "exclusives", "atomics", "tags",
	};
	char line[256];
	unsigned int caps = 0, i;
	FILE *f = fopen("/sys/kernel/debug/memcap/ranges", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "baseline:", 9))
			continue;
		for (i = 0; i < 5; i++)
			if (strstr(line, names[i]))
				caps |= 1U << i;
	}
	fclose(f);
	return caps;
}

/* The debugfs line of a pgmap starts "pgmap 0x<start>". */
static int pgmap_listed(unsigned long long off, const char *type)
{
	char key[64];

	snprintf(key, sizeof(key), "pgmap %#012llx", DRV_BASE + off);
	return file_has("/sys/kernel/debug/memcap/ranges", key, type);
}

static void check_remap(const char *what, unsigned int type, const char *tname,
			unsigned long long off, int set, unsigned int caps,
			int want)
{
	struct memcap_test_range r = {
		.offset = off, .size = 2 * MiB, .type = type, .caps = caps,
		.flags = set ? MEMCAP_TEST_SET_CAPS : 0,
	};
	int ret = drv(MEMCAP_TEST_MEMREMAP, &r);

	/*
	 * Warn mode lets through what nobody stated; the callers here that
	 * set no caps have no record either, or one that suffices.
	 */
	if (!strict && !set)
		want = 0;
	if (want) {
		result(ret == want && !pgmap_listed(off, NULL),
		       "memremap %s: refused (%s), nothing listed", what,
		       strerror(-ret));
		return;
	}
	result(!ret && pgmap_listed(off, tname) == 1,
	       "memremap %s: accepted (%s), listed in debugfs", what,
	       strerror(-ret));
	if (!ret)
		result(!drv(MEMCAP_TEST_MEMUNMAP, &r) && !pgmap_listed(off, NULL),
		       "memunmap %s: record gone", what);
}

static void check_hotplug(const char *what, int record, unsigned int caps,
			  int want)
{
	struct memcap_test_range r = { .offset = 128 * MiB, .size = 128 * MiB,
				       .caps = caps };
	const char *res = "System RAM (memcap_test)";
	int ret;

	if (!strict && !record)
		want = 0;
	if (record)
		drv(MEMCAP_TEST_REGISTER, &r);
	ret = drv(MEMCAP_TEST_HOTPLUG, &r);
	if (want) {
		result(ret == want && file_has("/proc/iomem", res, NULL) == 0,
		       "hot-add %s: refused (%s), no System RAM resource", what,
		       strerror(-ret));
	} else {
		result(!ret && file_has("/proc/iomem", res, NULL) == 1,
		       "hot-add %s: accepted, System RAM in /proc/iomem", what);
		if (!ret)
			result(!drv(MEMCAP_TEST_HOTREMOVE, &r) &&
			       file_has("/proc/iomem", res, NULL) == 0,
			       "hot-remove %s: resource gone", what);
	}
	if (record)
		drv(MEMCAP_TEST_UNREGISTER, &r);
}

static void check_bad_requests(void)
{
	struct memcap_test_range r = { .offset = 0, .size = 2 * MiB, .caps = C };
	struct memcap_test_map m = { .kind = 9 };
	void *p;

	r.offset = 512 * MiB;
	result(drv(MEMCAP_TEST_REGISTER, &r) == -ERANGE,
	       "register outside the device: ERANGE");
	r.offset = 0;
	r.caps = C | (1U << 7);
	result(drv(MEMCAP_TEST_REGISTER, &r) == -EOPNOTSUPP,
	       "register with an unknown capability bit: EOPNOTSUPP");
	r.caps = TAGS;
	result(drv(MEMCAP_TEST_REGISTER, &r) == -EINVAL,
	       "register tags without cacheable: EINVAL");
	r.caps = C;
	result(!drv(MEMCAP_TEST_REGISTER, &r) &&
	       drv(MEMCAP_TEST_REGISTER, &r) == -EEXIST &&
	       !drv(MEMCAP_TEST_UNREGISTER, &r),
	       "register an overlapping range: EEXIST");
	result(drv(MEMCAP_TEST_UNREGISTER, &r) == -ENOENT,
	       "unregister a range with no record: ENOENT");
	r.offset = 4096;
	r.type = MEMCAP_TEST_GENERIC;
	result(drv(MEMCAP_TEST_MEMREMAP, &r) == -EINVAL,
	       "memremap not 2 MiB aligned: EINVAL");
	r.offset = 0;
	r.type = 1;	/* MEMORY_DEVICE_PRIVATE */
	result(drv(MEMCAP_TEST_MEMREMAP, &r) == -EINVAL,
	       "memremap of an unsupported type: EINVAL");
	result(drv(MEMCAP_TEST_SET_MAP, &m) == -EINVAL,
	       "unknown mapping kind: EINVAL");
	p = mmap(NULL, 512 * MiB, PROT_READ, MAP_SHARED, fd, 0);
	result(p == MAP_FAILED && errno == EINVAL, "mmap larger than the device: EINVAL");
	result(drv(_IO('M', 99), NULL) == -ENOTTY, "unknown ioctl: ENOTTY");
}

/* make run: leave what a GPU driver would have in place, for debugfs. */
static void leave_examples(void)
{
	struct memcap_test_range rec = { .offset = 192 * MiB, .size = 16 * MiB,
					 .caps = C | COH | EXCL | ATOM };
	struct memcap_test_range bar = { .offset = 224 * MiB, .size = 2 * MiB,
					 .type = MEMCAP_TEST_P2PDMA,
					 .flags = MEMCAP_TEST_SET_CAPS };

	result(!drv(MEMCAP_TEST_REGISTER, &rec),
	       "example: record for 16 MiB of coherent device memory kept");
	result(!drv(MEMCAP_TEST_MEMREMAP, &bar),
	       "example: P2PDMA pgmap of an uncached BAR kept");
}

/* Has the kernel log a line with this string?  (Reads /dev/kmsg.) */
static int kmsg_has(const char *what)
{
	char rec[1024];
	int found = 0;
	ssize_t n;
	int kfd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (kfd < 0)
		return 0;
	while (!found && (n = read(kfd, rec, sizeof(rec) - 1)) != 0) {
		if (n < 0) {
			if (errno == EPIPE)
				continue;	/* overwritten records */
			break;			/* EAGAIN: the end */
		}
		rec[n] = '\0';
		found = !!strstr(rec, what);
	}
	close(kfd);
	return found;
}

/*
 * A real device: QEMU's virtio-mem-pci, which the harness plugs with
 * requested-size=128M.  The virtio-mem driver states nothing about its
 * memory, so memcap assumes it has no tag storage (and under QEMU's TCG
 * it has none: QEMU gives tag memory to boot RAM only).  On an MTE host
 * strict mode refuses it; warn mode, the default, adds it as 6.12 does and
 * logs it; without MTE both modes add it silently.
 */
static void check_virtio_mem(int tags)
{
	const char *res = "System RAM (virtio_mem)";
	int want_added = !(tags && strict), added = 0, refused = 0, i;

	/* virtio-mem plugs from a workqueue: give it up to 20 s. */
	for (i = 0; i < 200 && !added && !refused; i++) {
		added = file_has("/proc/iomem", res, NULL) == 1;
		/* -EPERM (-1) from add_memory_driver_managed(): memcap's. */
		refused = kmsg_has("adding memory failed: -1");
		if (!added && !refused)
			usleep(100000);
	}
	if (want_added) {
		result(added && !refused,
		       "virtio-mem: 128 MiB hot-added (%s in /proc/iomem)", res);
		result(kmsg_has("allowed in warn mode System RAM (virtio_mem)") == tags,
		       "virtio-mem: %s", tags ? "logged as missing tags (warn mode)" :
		       "nothing logged (no MTE: the assumption is the baseline)");
	} else {
		result(refused && !added,
		       "virtio-mem: refused (missing tags, strict mode), no %s",
		       res);
	}
}

/*
 * Record lifetime and the driver's own order: a record that stated a
 * pgmap's caps stays while the pgmap does, and the driver refuses to
 * unmap pages that a user VMA still maps.
 */
static void check_lifetime(unsigned int b)
{
	struct memcap_test_range r = { .offset = 12 * MiB, .size = 2 * MiB,
				       .type = MEMCAP_TEST_GENERIC, .caps = b };
	struct memcap_test_map m = { .kind = MEMCAP_TEST_MAP_PAGES };
	unsigned long *p;

	result(!drv(MEMCAP_TEST_REGISTER, &r) && !drv(MEMCAP_TEST_MEMREMAP, &r),
	       "record, then memremap under it: accepted");
	result(drv(MEMCAP_TEST_UNREGISTER, &r) == -EBUSY,
	       "unregister while the pgmap is mapped: EBUSY");
	result(!drv(MEMCAP_TEST_SET_MAP, &m), "map the pages to userspace");
	p = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 12 * MiB);
	result(p != MAP_FAILED, "mmap of the pgmap's pages");
	if (p != MAP_FAILED) {
		__atomic_store_n(&p[0], 0x6d656d636170UL, __ATOMIC_RELAXED);
		result(drv(MEMCAP_TEST_MEMUNMAP, &r) == -EBUSY &&
		       pgmap_listed(12 * MiB, NULL) == 1 &&
		       __atomic_load_n(&p[0], __ATOMIC_RELAXED) == 0x6d656d636170UL,
		       "memunmap while a VMA maps the pages: EBUSY, pages kept");
		munmap((void *)p, 2 * MiB);
	}
	result(!drv(MEMCAP_TEST_MEMUNMAP, &r) && !pgmap_listed(12 * MiB, NULL),
	       "memunmap once the VMA is gone: done");
	result(!drv(MEMCAP_TEST_UNREGISTER, &r),
	       "unregister once the pgmap is gone: done");
}

int main(int argc, char **argv)
{
	/*
	 * What each QEMU CPU has, by hand: -cpu max has MTE (mte=on) and
	 * LSE; cortex-a76 and cortex-a710 (without mte=on) have LSE and no
	 * MTE.  Boot RAM has the rest.
	 */
	static const struct { const char *name; unsigned int baseline; } facts[] = {
		{ "max", C | COH | EXCL | ATOM | TAGS },
		{ "a76", C | COH | EXCL | ATOM },
		{ "a710", C | COH | EXCL | ATOM },
	};
	const char *machine = getenv("MEMCAP_MACHINE");
	unsigned int b = 0, i;
	int tags;

	printf("TAP version 13\n");
	fd = open("/dev/memcap_test", O_RDWR);
	if (fd < 0) {
		printf("1..0 # SKIP /dev/memcap_test: %s\n", strerror(errno));
		return 4;
	}
	for (i = 0; machine && i < ARRAY_SIZE(facts); i++)
		if (!strcmp(machine, facts[i].name))
			b = facts[i].baseline;
	if (!b) {
		printf("1..0 # SKIP set MEMCAP_MACHINE=max|a76|a710\n");
		return 4;
	}
	baseline = b;
	/* The mode the command line asked for; warn by default. */
	strict = file_has("/proc/cmdline", "memcap.mode=strict", NULL) == 1;
	tags = !!(b & TAGS);
	printf("# baseline %#x (%s), %s mode\n", b, tags ? "MTE host" : "no MTE",
	       strict ? "strict" : "warn");
	result(read_baseline() == b, "debugfs baseline is the machine's");

	check_remap("generic, baseline caps", MEMCAP_TEST_GENERIC,
		    "MEMORY_DEVICE_GENERIC", 0, 1, b, 0);
	/* Tags are never needed by pages that cannot be mapped PROT_MTE. */
	check_remap("generic, missing tags", MEMCAP_TEST_GENERIC,
		    "MEMORY_DEVICE_GENERIC", 2 * MiB, 1, b & ~TAGS, 0);
	check_remap("coherent, missing atomics", MEMCAP_TEST_COHERENT,
		    "MEMORY_DEVICE_COHERENT", 4 * MiB, 1, b & ~ATOM, -EPERM);
	check_remap("generic, legacy caller, no record", MEMCAP_TEST_GENERIC,
		    "MEMORY_DEVICE_GENERIC", 6 * MiB, 0, 0, 0);
	check_remap("p2pdma, uncached, any caps", MEMCAP_TEST_P2PDMA,
		    "MEMORY_DEVICE_PCI_P2PDMA", 8 * MiB, 1, 0, 0);
	{
		struct memcap_test_range rec = { .offset = 10 * MiB,
						 .size = 2 * MiB, .caps = b };

		drv(MEMCAP_TEST_REGISTER, &rec);
		check_remap("generic, legacy caller, record with baseline",
			    MEMCAP_TEST_GENERIC, "MEMORY_DEVICE_GENERIC",
			    10 * MiB, 0, 0, 0);
		drv(MEMCAP_TEST_UNREGISTER, &rec);
	}
	/* Migrated anonymous pages may be PROT_MTE: coherent needs tags. */
	check_remap("coherent, missing tags", MEMCAP_TEST_COHERENT,
		    "MEMORY_DEVICE_COHERENT", 14 * MiB, 1, b & ~TAGS,
		    tags ? -EPERM : 0);
	check_remap("coherent, legacy caller, no record", MEMCAP_TEST_COHERENT,
		    "MEMORY_DEVICE_COHERENT", 16 * MiB, 0, 0, tags ? -EPERM : 0);
	check_hotplug("no record", 0, 0, tags ? -EPERM : 0);
	check_hotplug("record without atomics", 1, b & ~ATOM, -EPERM);
	check_hotplug("record with the baseline", 1, b, 0);
	check_lifetime(b);
	check_virtio_mem(tags);
	check_bad_requests();
	if (strstr(argv[0], "memcap-run"))
		leave_examples();

	printf("1..%d\n", n_test);
	close(fd);
	return n_fail ? 1 : 0;
}
