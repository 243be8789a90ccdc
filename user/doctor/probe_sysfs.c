/* SPDX-License-Identifier: MIT */
/*
 * The doctor's small readers of files under /sys and /proc: a first line,
 * a number, the interface's own /sys/class/net entries, its NUMA node, the
 * IRQs /proc/interrupts names it by, and a process by its name.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor/doctor.h"

int dr_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	int err = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		err = -ENODATA;
	fclose(f);
	if (!err)
		buf[strcspn(buf, "\n")] = '\0';
	return err;
}

int dr_read_long(const char *path, long *v)
{
	char buf[64], *end;
	int err = dr_read_line(path, buf, sizeof(buf));

	if (err)
		return err;
	*v = strtol(buf, &end, 10);
	return end == buf ? -EINVAL : 0;
}

int dr_sys_long(struct dr_ctx *c, const char *file, long *v)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", c->ifname, file);
	return dr_read_long(path, v);
}

int dr_numa_node(struct dr_ctx *c, long *node)
{
	if (!dr_sys_long(c, "device/numa_node", node))
		return 0;
	return dr_sys_long(c, "device/../numa_node", node);
}

/* Does `name` occur in `s` as a whole word (not inside a longer name)? */
static bool dr_has_word(const char *s, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	if (!n)
		return false;
	for (p = strstr(s, name); p; p = strstr(p + 1, name)) {
		bool start = p == s || !(isalnum((unsigned char)p[-1]) ||
					 p[-1] == '_');
		bool end = !isalnum((unsigned char)p[n]) && p[n] != '_';

		if (start && end)
			return true;
	}
	return false;
}

int dr_find_irqs(struct dr_ctx *c, int *irqs, int max)
{
	FILE *f = fopen("/proc/interrupts", "re");
	char line[1024];
	int n = 0;

	if (!f)
		return -errno;
	while (n < max && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		int irq;

		if (!colon || sscanf(line, " %d:", &irq) != 1)
			continue;
		if (dr_has_word(colon + 1, c->ifname) ||
		    (!c->virt && dr_has_word(colon + 1, c->devname)) ||
		    (!c->virt && dr_has_word(colon + 1, c->bus)))
			irqs[n++] = irq;
	}
	fclose(f);
	return n;
}

long dr_find_process(const char *name)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char path[PATH_MAX], comm[32];
	long pid = 0;

	while (d && !pid && (e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		if (!dr_read_line(path, comm, sizeof(comm)) &&
		    !strcmp(comm, name))
			pid = strtol(e->d_name, NULL, 10);
	}
	if (d)
		closedir(d);
	return pid;
}
