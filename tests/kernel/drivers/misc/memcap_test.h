/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Userspace interface of the memcap test driver (/dev/memcap_test).
 *
 * Offsets and sizes are relative to the memory the driver owns
 * (memcap_test.base= and memcap_test.size= on the command line) and must
 * be page aligned.
 */
#ifndef _MEMCAP_TEST_H
#define _MEMCAP_TEST_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Host mapping kinds for mmap(). */
#define MEMCAP_TEST_MAP_CACHED		0	/* cacheable, as nvgrace-gpu usemem */
#define MEMCAP_TEST_MAP_WC		1	/* write-combine (Normal-NC) */
#define MEMCAP_TEST_MAP_DEVICE		2	/* Device-nGnRE, as a vfio-pci BAR */
#define MEMCAP_TEST_MAP_PAGES		3	/* the struct pages of a memremap */
/* The same pages, faulted into an ordinary VMA (not VM_MIXEDMAP), as /dev/dax */
#define MEMCAP_TEST_MAP_DAX		4
/* Cacheable VM_PFNMAP filled at fault time, as nvgrace-gpu's usemem */
#define MEMCAP_TEST_MAP_CACHED_FAULT	5
/*
 * The same with PMD-sized pfn mappings where the VMA and the memory are
 * 2 MiB aligned, as vfio-pci and nvgrace-gpu make them (EOPNOTSUPP where
 * the kernel or the driver cannot)
 */
#define MEMCAP_TEST_MAP_CACHED_HUGE	6

/* mmap flags */
#define MEMCAP_TEST_ANY_UNCACHED	(1U << 0)	/* VM_ALLOW_ANY_UNCACHED */

/* memremap types: enum memory_type values */
#define MEMCAP_TEST_COHERENT		2
#define MEMCAP_TEST_GENERIC		4
#define MEMCAP_TEST_P2PDMA		5

/* memremap flags */
#define MEMCAP_TEST_SET_CAPS		(1U << 0)	/* else inherit */

struct memcap_test_range {
	__u64 offset;
	__u64 size;
	__u32 caps;		/* enum memcap_flags */
	__u32 type;		/* MEMCAP_TEST_COHERENT, ... (memremap) */
	__u32 flags;
	__u32 pad;
};

struct memcap_test_map {
	__u32 kind;		/* MEMCAP_TEST_MAP_* for the next mmap() */
	__u32 flags;		/* MEMCAP_TEST_ANY_UNCACHED */
};

/* MEMCAP_TEST_REFS: the struct pages of a memremap, and their references. */
struct memcap_test_refs {
	__u64 offset;
	__u64 size;
	__u64 refs;		/* out: sum of the pages' reference counts */
};

#define MEMCAP_TEST_MAGIC		'M'
#define MEMCAP_TEST_REGISTER	_IOW(MEMCAP_TEST_MAGIC, 1, struct memcap_test_range)
#define MEMCAP_TEST_UNREGISTER	_IOW(MEMCAP_TEST_MAGIC, 2, struct memcap_test_range)
#define MEMCAP_TEST_SET_MAP	_IOW(MEMCAP_TEST_MAGIC, 3, struct memcap_test_map)
#define MEMCAP_TEST_MEMREMAP	_IOW(MEMCAP_TEST_MAGIC, 4, struct memcap_test_range)
#define MEMCAP_TEST_MEMUNMAP	_IOW(MEMCAP_TEST_MAGIC, 5, struct memcap_test_range)
#define MEMCAP_TEST_HOTPLUG	_IOW(MEMCAP_TEST_MAGIC, 6, struct memcap_test_range)
#define MEMCAP_TEST_HOTREMOVE	_IOW(MEMCAP_TEST_MAGIC, 7, struct memcap_test_range)
#define MEMCAP_TEST_REFS	_IOWR(MEMCAP_TEST_MAGIC, 8, struct memcap_test_refs)

#endif /* _MEMCAP_TEST_H */
