/* SPDX-License-Identifier: MIT */
/*
 * Pins on bpffs (see xdp/loader.h for the layout and the locking): mounting
 * bpffs, the pin directory's key (network namespace and ifindex) and the
 * interface name recorded next to the pins, the pin paths, the root lock on
 * XG_PIN_ROOT, the holder's flock on its directory, reading an instance's
 * `info` map, removing pins.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <net/if.h>
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

int pins_netns(__u64 *netns)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st))
		return -errno;
	*netns = (__u64)st.st_ino;
	return 0;
}

void pins_key(char key[PIN_KEY_MAX], __u64 netns, int ifindex)
{
	snprintf(key, PIN_KEY_MAX, "%" PRIu64 "-%d", (uint64_t)netns, ifindex);
}

int pins_parse_key(const char *name, __u64 *netns, int *ifindex)
{
	unsigned long long ns;
	int idx, end = 0;

	if (sscanf(name, "%llu-%d%n", &ns, &idx, &end) != 2 || name[end] ||
	    idx <= 0)
		return -EINVAL;
	*netns = ns;
	*ifindex = idx;
	return 0;
}

void pins_path(char *buf, const char *key, const char *name)
{
	if (name)
		snprintf(buf, PIN_PATH_MAX, "%s/%s/%s", XG_PIN_ROOT, key, name);
	else
		snprintf(buf, PIN_PATH_MAX, "%s/%s", XG_PIN_ROOT, key);
}

int pins_write_name(int dir_fd, const char *ifname)
{
	return symlinkat(ifname, dir_fd, XG_PIN_IFNAME) ? -errno : 0;
}

int pins_read_name(const char *key, char name[IF_NAMESIZE])
{
	char path[PIN_PATH_MAX];
	ssize_t n;

	pins_path(path, key, XG_PIN_IFNAME);
	n = readlink(path, name, IF_NAMESIZE - 1);
	if (n < 0) {
		name[0] = '\0';
		return -errno;
	}
	name[n] = '\0';
	return 0;
}

int pins_resolve(const char *ifname, char key[PIN_KEY_MAX])
{
	char name[IF_NAMESIZE], prefix[PIN_KEY_MAX];
	struct dirent *de;
	__u64 netns = 0;
	int idx, err;
	DIR *d;

	err = pins_netns(&netns);
	if (err)
		return err;
	idx = (int)if_nametoindex(ifname);
	if (idx) {
		pins_key(key, netns, idx);
		return 0;
	}
	/* gone, or renamed: the name it had when it was attached */
	d = opendir(XG_PIN_ROOT);
	if (!d)
		return -ENOENT;
	pins_key(prefix, netns, 0);
	prefix[strlen(prefix) - 1] = '\0'; /* "NETNS-" */
	err = -ENOENT;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) ||
		    strlen(de->d_name) >= PIN_KEY_MAX ||
		    pins_read_name(de->d_name, name) || strcmp(name, ifname))
			continue;
		memcpy(key, de->d_name, strlen(de->d_name) + 1);
		err = 0;
		break;
	}
	closedir(d);
	return err;
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

int pins_read_info(const char *pkey, struct xg_xdp_info *info)
{
	char path[PIN_PATH_MAX];
	__u32 key = 0;
	int fd, err = 0;

	memset(info, 0, sizeof(*info));
	pins_path(path, pkey, XG_PIN_INFO);
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

int pins_prog_fd(const char *key)
{
	char path[PIN_PATH_MAX];

	pins_path(path, key, XG_PIN_PROG);
	return bpf_obj_get(path);
}
