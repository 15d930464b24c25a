// SPDX-License-Identifier: GPL-2.0
/*
 * PID 1 of the memcap test initramfs.
 *
 * Mounts the pseudo filesystems, prints what memcap exposes between
 * markers the harness parses, runs the programs the boot was asked for and
 * powers the machine off.  The kernel hands "memcap_init=<mode>" from its
 * command line to us as an environment variable.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void mnt(const char *src, const char *dst, const char *type)
{
	mkdir(dst, 0755);
	if (mount(src, dst, type, 0, NULL) && errno != EBUSY)
		printf("MEMCAP-INIT: mount %s on %s: %s\n", type, dst,
		       strerror(errno));
}

/* Print a file between "MEMCAP-BEGIN <tag>" and "MEMCAP-END <tag>". */
static int dump(const char *tag, const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0) {
		printf("MEMCAP-INIT: open %s: %s\n", path, strerror(errno));
		return -1;
	}
	printf("MEMCAP-BEGIN %s\n", tag);
	fflush(stdout);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, n, stdout);
	close(fd);
	printf("MEMCAP-END %s\n", tag);
	fflush(stdout);
	return 0;
}

/* Run every executable /bin/memcap-<mode>-* program, in name order. */
static void run_programs(const char *mode)
{
	char path[256];
	int i;

	for (i = 0; i < 100; i++) {
		int status;
		pid_t pid;

		snprintf(path, sizeof(path), "/bin/memcap-%s-%02d", mode, i);
		if (access(path, X_OK))
			continue;
		printf("MEMCAP-RUN %s\n", path);
		fflush(stdout);
		pid = fork();
		if (!pid) {
			execl(path, path, (char *)NULL);
			_exit(127);
		}
		waitpid(pid, &status, 0);
		printf("MEMCAP-EXIT %s %d\n", path,
		       WIFEXITED(status) ? WEXITSTATUS(status) : 128);
		fflush(stdout);
	}
}

int main(void)
{
	const char *mode = getenv("memcap_init");

	if (!mode)
		mode = "check";
	mnt("devtmpfs", "/dev", "devtmpfs");
	mnt("proc", "/proc", "proc");
	mnt("sysfs", "/sys", "sysfs");
	mnt("debugfs", "/sys/kernel/debug", "debugfs");
	setvbuf(stdout, NULL, _IOLBF, 0);

	printf("MEMCAP-INIT: start mode=%s\n", mode);
	dump("ranges", "/sys/kernel/debug/memcap/ranges");
	dump("iomem", "/proc/iomem");
	run_programs(mode);
	dump("ranges-end", "/sys/kernel/debug/memcap/ranges");
	printf("MEMCAP-INIT: done\n");
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
