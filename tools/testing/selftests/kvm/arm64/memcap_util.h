/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the memcap selftests read of the host: the stage-2 ptdump of a
 * running VM (/sys/kernel/debug/kvm/<pid>-<vm fd>/stage2_page_tables,
 * whose last column is each leaf's memory type), memcap's mode and the
 * kernel's version.
 */
#ifndef MEMCAP_UTIL_H
#define MEMCAP_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kvm_util.h"

/* A file of the VM's debugfs directory, /sys/kernel/debug/kvm/<pid>-<fd>/. */
static inline FILE *vm_debugfs_open(struct kvm_vm *vm, const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/debug/kvm/%d-%d/%s", getpid(),
		 vm->fd, name);
	return fopen(path, "r");
}

/*
 * The stage-2 ptdump line that covers gpa, and its range: one leaf, or a
 * run of leaves of the same level and attributes.
 */
static inline bool ptdump_line(struct kvm_vm *vm, uint64_t gpa, char *line,
			       size_t len, uint64_t *lo, uint64_t *hi)
{
	FILE *f = vm_debugfs_open(vm, "stage2_page_tables");
	unsigned long long l, h;
	bool found = false;

	if (!f)
		return false;
	while (fgets(line, len, f)) {
		if (sscanf(line, "0x%llx-0x%llx", &l, &h) == 2 && gpa >= l && gpa < h) {
			*lo = l;
			*hi = h;
			found = true;
			break;
		}
	}
	fclose(f);
	return found;
}

/* The memory type and XN of the stage-2 ptdump line that covers gpa. */
static inline bool read_ptdump(struct kvm_vm *vm, uint64_t gpa, char *type,
			       size_t len, bool *xn)
{
	uint64_t lo, hi;
	char line[256];
	char *tok;

	if (!ptdump_line(vm, gpa, line, sizeof(line), &lo, &hi))
		return false;
	*xn = false;
	type[0] = '\0';
	for (tok = strtok(line, "\n\t "); tok; tok = strtok(NULL, "\n\t ")) {
		/*
		 * Execute-never for the guest kernel: 6.12 prints "X",
		 * 7.3 the XN field, "PXNUXN" or "PXNux" (FEAT_XNX).
		 */
		if (!strcmp(tok, "X") || !strncmp(tok, "PXN", 3))
			*xn = true;
		else if (!strcmp(tok, "Normal") || !strcmp(tok, "Normal-NC") ||
			 !strcmp(tok, "Device-nGnRE"))
			snprintf(type, len, "%s", tok);
	}
	return true;
}

/*
 * The range of the ptdump line that covers gpa.  A line that covers a
 * whole aligned 2 MiB around gpa is a block (or 512 pages the guest
 * touched).
 */
static inline bool read_ptdump_span(struct kvm_vm *vm, uint64_t gpa,
				    uint64_t *lo, uint64_t *hi)
{
	char line[256];

	return ptdump_line(vm, gpa, line, sizeof(line), lo, hi);
}

/* Is the running kernel at least major.minor? */
static inline bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma, mi;

	TEST_ASSERT(!uname(&u) && sscanf(u.release, "%d.%d", &ma, &mi) == 2,
		    "uname");
	return ma > major || (ma == major && mi >= minor);
}

/*
 * memcap.mode, from sysfs: strict mode asks assumed pages for a proof.
 * Without CONFIG_MEMCAP there is no mode, and nothing is refused.
 */
static inline bool memcap_mode_strict(void)
{
	char mode[16] = "";
	FILE *f = fopen("/sys/module/memcap/parameters/mode", "r");

	if (!f && errno == ENOENT)
		return false;
	TEST_ASSERT(f, "/sys/module/memcap/parameters/mode: %s", strerror(errno));
	TEST_ASSERT(fgets(mode, sizeof(mode), f), "reading memcap.mode");
	fclose(f);
	return !strncmp(mode, "strict", 6);
}

#endif /* MEMCAP_UTIL_H */
