/* SPDX-License-Identifier: MIT */
/*
 * Pins on bpffs (see xdp/loader.h for the layout and the locking): mounting
 * bpffs, the pin paths, the root lock on XG_PIN_ROOT, the holder's flock on
 * its directory, reading an instance's `info` map, removing pins.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include <bpf/bpf.h>

#include "core/log.h"
#include "core/util.h"
#include "xdp/internal.h"

bool pins_bpffs_mounted(void)
{
	struct statfs st;

	return statfs(XG_BPFFS_DIR, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

int xg_bpffs_ensure(void)
{
	int err;

	if (pins_bpffs_mounted())
		return 0;
	if (mkdir(XG_BPFFS_DIR, 0755) && errno != EEXIST) {
		err = -errno;
		pr_warn("error: cannot create %s: %s\n", XG_BPFFS_DIR,
			strerror(-err));
		return err;
	}
	if (mount("bpf", XG_BPFFS_DIR, "bpf", 0, "mode=0700")) {
		err = -errno;
		pr_warn("error: cannot mount bpffs at %s: %s; run as root, or "
			"mount it yourself: mount -t bpf bpf %s\n",
			XG_BPFFS_DIR, strerror(-err), XG_BPFFS_DIR);
		return err;
	}
	pr_info("mounted bpffs at %s\n", XG_BPFFS_DIR);
	return 0;
}

int pins_check_ifname(const char *ifname)
{
	int err = xg_ifname_check(ifname);

	if (err)
		pr_warn("error: invalid interface name '%s'\n",
			ifname ? ifname : "(null)");
	return err;
}

void pins_path(char *buf, const char *ifname, const char *name)
{
	if (name)
		snprintf(buf, PIN_PATH_MAX, "%s/%s/%s", XG_PIN_ROOT, ifname,
			 name);
	else
		snprintf(buf, PIN_PATH_MAX, "%s/%s", XG_PIN_ROOT, ifname);
}

/*
 * Take the root lock (flock on XG_PIN_ROOT, created if missing). The root may
 * be removed by whoever held the lock before us: then ours is on a dead
 * inode and we try again. Returns the locked fd or a negative errno.
 */
int pins_root_lock(void)
{
	struct stat a, b;
	int fd, err;

	for (int tries = 0; tries < 8; tries++) {
		if (mkdir(XG_PIN_ROOT, 0700) && errno != EEXIST)
			goto fail;
		fd = open(XG_PIN_ROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			goto fail;
		}
		if (flock(fd, LOCK_EX) || fstat(fd, &a)) {
			err = -errno;
			close(fd);
			errno = -err;
			goto fail;
		}
		if (stat(XG_PIN_ROOT, &b) == 0 && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev)
			return fd;
		close(fd);
	}
	errno = EAGAIN;
fail:
	err = -errno;
	pr_warn("error: cannot lock %s: %s\n", XG_PIN_ROOT, strerror(-err));
	return err;
}

/* Remove the root if it is empty (we hold its lock), then unlock. */
void pins_root_unlock(int fd)
{
	if (fd < 0)
		return;
	rmdir(XG_PIN_ROOT); /* fails while an instance is pinned: fine */
	close(fd);
}

/* Is the pin directory held by a live instance? 1 yes, 0 no, -errno. A
 * holder in this very process counts as live (another open file). */
int pins_dir_held(const char *dir)
{
	int fd, ret;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		ret = 0;
	else
		ret = errno == EWOULDBLOCK ? 1 : -errno;
	close(fd); /* drops our probe lock, if we got it */
	return ret;
}

int pins_read_info(const char *ifname, struct xg_xdp_info *info)
{
	char path[PIN_PATH_MAX];
	__u32 key = 0;
	int fd, err = 0;

	memset(info, 0, sizeof(*info));
	pins_path(path, ifname, XG_PIN_INFO);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return fd;
	if (bpf_map_lookup_elem(fd, &key, info))
		err = -errno;
	close(fd);
	return err;
}

/* Remove every pin in the directory, then the directory. The names removed
 * go to 'what' (may be NULL). Returns how many pins were removed, or a
 * negative errno if the directory could not be removed. */
int pins_remove(const char *dir, char *what, size_t whatsz)
{
	struct dirent *de;
	int n = 0, dfd;
	size_t used = 0;
	DIR *d;

	if (what && whatsz)
		what[0] = '\0';
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	dfd = dirfd(d);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (unlinkat(dfd, de->d_name, 0)) {
			pr_warn("warning: cannot remove %s/%s: %s\n", dir,
				de->d_name, strerror(errno));
			continue;
		}
		if (what && used < whatsz)
			used += snprintf(what + used, whatsz - used, "%s%s",
					 n ? " " : "", de->d_name);
		n++;
	}
	closedir(d);
	if (rmdir(dir) && errno != ENOENT) {
		int err = -errno;

		pr_warn("warning: cannot remove %s: %s\n", dir, strerror(-err));
		return err;
	}
	return n;
}

int pins_prog_fd(const char *ifname)
{
	char path[PIN_PATH_MAX];

	pins_path(path, ifname, XG_PIN_PROG);
	return bpf_obj_get(path);
}
