/* SPDX-License-Identifier: MIT */
/*
 * The XDP loader (see xdp_loader.h for the pin layout and the locking).
 *
 * attach:   check the options -> bpffs -> claim the pin directory (under the
 *           root lock; a dead holder's leftovers are removed) -> the
 *           interface carries no XDP program -> open, set rodata, load ->
 *           fill ports/config -> pin maps and prog -> attach (native, then
 *           generic for auto) -> write info.
 * destroy:  detach (XDP_FLAGS_REPLACE with our program) -> remove the pins
 *           and the directory (under the root lock) -> unlock -> free.
 * cleanup:  for a dead holder: detach the pinned program where it is still
 *           attached -> remove the pins.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/magic.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/log.h"
#include "xdp/loader.h"
#include "xdpgame.skel.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum {
	ERRBUF = 128,
	PIN_PATH_MAX = 128, /* XG_PIN_ROOT/IFNAME/map name, with room */
};

struct xg_xdp {
	struct xdpgame *skel;
	int ifindex;
	char ifname[IF_NAMESIZE];
	char pin_dir[PIN_PATH_MAX];
	int dir_fd;             /* the pin directory, flock'ed while we live */
	enum xg_xdp_mode mode;  /* NATIVE or GENERIC once attached */
	__u32 mode_flag;        /* XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE */
	bool attached;
};

/* clang-format off */
static const char *const mode_names[] = {
	[XG_MODE_AUTO] = "auto",
	[XG_MODE_NATIVE] = "native",
	[XG_MODE_GENERIC] = "generic",
	[XG_MODE_SOCKETS] = "sockets",
};

static const char *const counter_names[XG_CNT_MAX] = {
	[XG_CNT_PASS_NOT_GAME] = "pass_not_game",
	[XG_CNT_PASS_FRAGMENT] = "pass_fragment",
	[XG_CNT_PASS_VLAN] = "pass_vlan",
	[XG_CNT_PASS_IPV6_EXT] = "pass_ipv6_ext",
	[XG_CNT_REDIRECT] = "redirect",
	[XG_CNT_FALLTHROUGH] = "fallthrough",
	[XG_CNT_XDP_TX] = "xdp_tx",
	[XG_CNT_DROP_UDP_LEN] = "drop_udp_len",
	[XG_CNT_DROP_TOO_SHORT] = "drop_too_short",
	[XG_CNT_DROP_BAD_MAGIC] = "drop_bad_magic",
	[XG_CNT_DROP_BAD_VERSION] = "drop_bad_version",
	[XG_CNT_DROP_BAD_TYPE] = "drop_bad_type",
	[XG_CNT_DROP_RESERVED] = "drop_reserved",
	[XG_CNT_DROP_SIZE_OVER] = "drop_size_over",
	[XG_CNT_DROP_SIZE_UNDER] = "drop_size_under",
	[XG_CNT_DROP_BODY_SIZE] = "drop_body_size",
	[XG_CNT_DROP_BAD_COORD] = "drop_bad_coord",
};
/* clang-format on */

static const char *errstr(int err, char buf[ERRBUF])
{
	libbpf_strerror(err, buf, ERRBUF);
	return buf;
}

const char *xg_mode_name(enum xg_xdp_mode m)
{
	if ((unsigned int)m >= ARRAY_SIZE(mode_names))
		return "?";
	return mode_names[m];
}

int xg_mode_parse(const char *s, enum xg_xdp_mode *m)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(mode_names); i++) {
		if (!strcmp(s, mode_names[i])) {
			*m = (enum xg_xdp_mode)i;
			return 0;
		}
	}
	if (!strcmp(s, "drv")) {
		*m = XG_MODE_NATIVE;
		return 0;
	}
	if (!strcmp(s, "skb")) {
		*m = XG_MODE_GENERIC;
		return 0;
	}
	return -EINVAL;
}

const char *xg_xdp_counter_name(int idx)
{
	if (idx < 0 || idx >= XG_CNT_MAX)
		return NULL;
	return counter_names[idx];
}

int xg_xdp_xsks_fd(const struct xg_xdp *x)
{
	return bpf_map__fd(x->skel->maps.xsks);
}

int xg_xdp_config_fd(const struct xg_xdp *x)
{
	return bpf_map__fd(x->skel->maps.config);
}

int xg_xdp_workers_fd(const struct xg_xdp *x)
{
	return bpf_map__fd(x->skel->maps.workers);
}

enum xg_xdp_mode xg_xdp_attached_mode(const struct xg_xdp *x)
{
	return x->mode;
}

/* ---- bpffs, pin paths, locks ------------------------------------------ */

static bool bpffs_mounted(void)
{
	struct statfs st;

	return statfs(XG_BPFFS_DIR, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

int xg_bpffs_ensure(void)
{
	int err;

	if (bpffs_mounted())
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

/* Interface names never contain '/' or ':' and are not "." or "..". */
static int check_ifname(const char *ifname)
{
	if (!ifname || !*ifname || strlen(ifname) >= IF_NAMESIZE ||
	    strchr(ifname, '/') || strchr(ifname, ':') ||
	    !strcmp(ifname, ".") || !strcmp(ifname, "..")) {
		pr_warn("error: invalid interface name '%s'\n",
			ifname ? ifname : "(null)");
		return -EINVAL;
	}
	return 0;
}

static void pin_path(char *buf, const char *ifname, const char *name)
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
static int root_lock(void)
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
static void root_unlock(int fd)
{
	if (fd < 0)
		return;
	rmdir(XG_PIN_ROOT); /* fails while an instance is pinned: fine */
	close(fd);
}

/* Is the pin directory held by a live instance? 1 yes, 0 no, -errno. A
 * holder in this very process counts as live (another open file). */
static int dir_held(const char *dir)
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

static int read_info(const char *ifname, struct xg_xdp_info *info)
{
	char path[PIN_PATH_MAX];
	__u32 key = 0;
	int fd, err = 0;

	memset(info, 0, sizeof(*info));
	pin_path(path, ifname, XG_PIN_INFO);
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
static int remove_pins(const char *dir, char *what, size_t whatsz)
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

/* ---- the interface ---------------------------------------------------- */

static __u32 prog_id_of_fd(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.id;
}

/* The name of a loaded program, or "?". */
static const char *prog_name_of_id(__u32 id, char buf[BPF_OBJ_NAME_LEN])
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd;

	snprintf(buf, BPF_OBJ_NAME_LEN, "?");
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return buf;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.name[0])
		snprintf(buf, BPF_OBJ_NAME_LEN, "%s", info.name);
	close(fd);
	return buf;
}

struct attached {
	__u32 id;
	__u32 flag;
	const char *mode;
};

/* `ip link set dev IFACE xdp<suffix> off` removes a program in that mode. */
static const char *xdp_off_suffix(__u32 flag)
{
	return flag == XDP_FLAGS_SKB_MODE ? "generic" :
	       flag == XDP_FLAGS_HW_MODE  ? "offload" :
					    "drv";
}

/* The XDP programs on an interface, one per attach mode. */
static int query_attached(int ifindex, struct attached out[3])
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int err;

	err = bpf_xdp_query(ifindex, 0, &q);
	if (err)
		return err;
	out[0] = (struct attached){ q.drv_prog_id, XDP_FLAGS_DRV_MODE,
				    "native" };
	out[1] = (struct attached){ q.skb_prog_id, XDP_FLAGS_SKB_MODE,
				    "generic" };
	out[2] = (struct attached){ q.hw_prog_id, XDP_FLAGS_HW_MODE,
				    "offload" };
	return 0;
}

/*
 * Detach the program pinned in the directory from the interface, in every
 * mode where it is the attached one; other programs are left alone.
 * Returns how many were detached, or a negative errno.
 */
static int detach_pinned(const char *ifname)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, ao);
	char path[PIN_PATH_MAX], eb[ERRBUF];
	struct attached at[3];
	int pfd, ifindex, err, n = 0;
	__u32 id;

	pin_path(path, ifname, XG_PIN_PROG);
	pfd = bpf_obj_get(path);
	if (pfd < 0)
		return 0; /* no program pinned: nothing of ours to detach */
	id = prog_id_of_fd(pfd);
	ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		pr_info("%s: interface gone; its XDP program went with it\n",
			ifname);
		goto out;
	}
	err = query_attached(ifindex, at);
	if (err) {
		pr_warn("error: cannot query XDP programs on %s: %s\n", ifname,
			errstr(err, eb));
		n = err;
		goto out;
	}
	ao.old_prog_fd = pfd;
	for (int i = 0; i < 3; i++) {
		if (!at[i].id)
			continue;
		if (at[i].id != id) {
			char name[BPF_OBJ_NAME_LEN];

			pr_info("%s: XDP program id %u (%s, %s mode) is not the "
				"pinned xdpgame program (id %u): left alone\n",
				ifname, at[i].id,
				prog_name_of_id(at[i].id, name), at[i].mode,
				id);
			continue;
		}
		err = bpf_xdp_detach(ifindex, at[i].flag, &ao);
		if (err) {
			pr_warn("error: cannot detach XDP program id %u from "
				"%s (%s mode): %s\n",
				id, ifname, at[i].mode, errstr(err, eb));
			n = err;
			goto out;
		}
		pr_info("%s: detached xdpgame XDP program id %u (%s mode)\n",
			ifname, id, at[i].mode);
		n++;
	}
out:
	close(pfd);
	return n;
}

/* Detach and unpin a dead instance. Caller holds the root lock. */
static int cleanup_locked(const char *ifname)
{
	char dir[PIN_PATH_MAX], what[256];
	int ndet, nrm;

	pin_path(dir, ifname, NULL);
	ndet = detach_pinned(ifname);
	if (ndet < 0)
		return ndet;
	nrm = remove_pins(dir, what, sizeof(what));
	if (nrm < 0)
		return nrm;
	pr_info("%s: removed %s (pins: %s)\n", ifname, dir,
		nrm ? what : "none");
	return ndet + nrm + 1;
}

/* A program that looks like ours but has no pins: say so, touch nothing. */
static void hint_unpinned(const char *ifname)
{
	char name[BPF_OBJ_NAME_LEN];
	struct attached at[3];
	int ifindex = if_nametoindex(ifname);

	if (!ifindex || query_attached(ifindex, at))
		return;
	for (int i = 0; i < 3; i++) {
		if (!at[i].id)
			continue;
		prog_name_of_id(at[i].id, name);
		pr_info("%s: carries XDP program id %u '%s' (%s mode), with no "
			"xdpgame pins here; if it is a leftover, remove it with "
			"`ip link set dev %s xdp%s off`\n",
			ifname, at[i].id, name, at[i].mode, ifname,
			xdp_off_suffix(at[i].flag));
	}
}

int xg_xdp_cleanup(const char *ifname)
{
	char dir[PIN_PATH_MAX];
	struct xg_xdp_info info;
	int lock, held, ret;

	ret = check_ifname(ifname);
	if (ret)
		return ret;
	pin_path(dir, ifname, NULL);
	if (!bpffs_mounted() || access(dir, F_OK)) {
		pr_info("%s: no xdpgame pins in %s: nothing to remove\n",
			ifname, dir);
		hint_unpinned(ifname);
		return -ENOENT;
	}
	lock = root_lock();
	if (lock < 0)
		return lock;
	held = dir_held(dir);
	if (held == 1) {
		read_info(ifname, &info);
		pr_warn("error: xdpgame is running on %s (pid %u): stop it "
			"instead (kill -TERM %u); it detaches and cleans up "
			"itself\n",
			ifname, info.pid, info.pid);
		ret = -EBUSY;
	} else if (held < 0) {
		ret = held == -ENOENT ? -ENOENT : held;
		if (ret != -ENOENT)
			pr_warn("error: cannot open %s: %s\n", dir,
				strerror(-ret));
	} else {
		ret = cleanup_locked(ifname);
		ret = ret < 0 ? ret : 0;
	}
	root_unlock(lock);
	return ret;
}

/* ---- attach ----------------------------------------------------------- */

static int check_opts(const struct xg_xdp_opts *o)
{
	int err = check_ifname(o->ifname);

	if (err)
		return err;
	if (o->mode != XG_MODE_AUTO && o->mode != XG_MODE_NATIVE &&
	    o->mode != XG_MODE_GENERIC) {
		pr_warn("error: %s: XDP mode '%s' cannot be attached (auto, "
			"native or generic)\n",
			o->ifname, xg_mode_name(o->mode));
		return -EINVAL;
	}
	if (!o->ports || o->nports < 1 || o->nports > XG_XDP_MAX_PORTS) {
		pr_warn("error: %s: %d game ports given; 1 to %d are "
			"supported\n",
			o->ifname, o->nports, XG_XDP_MAX_PORTS);
		return -EINVAL;
	}
	for (int i = 0; i < o->nports; i++) {
		if (!o->ports[i]) {
			pr_warn("error: %s: port 0 is not a game port\n",
				o->ifname);
			return -EINVAL;
		}
	}
	if (o->nqueues < 0 || o->nqueues > XG_XDP_MAX_QUEUES) {
		pr_warn("error: %s: %d queues; the program serves queues 0 to "
			"%d\n",
			o->ifname, o->nqueues, XG_XDP_MAX_QUEUES - 1);
		return -EINVAL;
	}
	if (o->ipv6_ext_max < 0 || o->ipv6_ext_max > XG_XDP_IPV6_EXT_LIMIT) {
		pr_warn("error: %s: IPv6 extension header limit %d is not in "
			"0..%d\n",
			o->ifname, o->ipv6_ext_max, XG_XDP_IPV6_EXT_LIMIT);
		return -EINVAL;
	}
	return 0;
}

/*
 * Create the pin directory and lock it, removing a dead instance's first.
 * A live one: -EEXIST.
 */
static int claim_pin_dir(struct xg_xdp *x)
{
	struct xg_xdp_info info;
	int lock, held, err;

	lock = root_lock();
	if (lock < 0)
		return lock;
	held = dir_held(x->pin_dir);
	if (held == 1) {
		if (read_info(x->ifname, &info) || !info.pid)
			/* the holder is still starting: no info written yet
			 * (and never suggest `kill -TERM 0`) */
			pr_warn("error: another xdpgame is starting on %s (pins "
				"in %s); wait for it, or stop it with SIGTERM\n",
				x->ifname, x->pin_dir);
		else
			pr_warn("error: xdpgame already runs on %s (pid %u, %s "
				"mode, pins in %s); stop that one first (kill "
				"-TERM %u)\n",
				x->ifname, info.pid, xg_mode_name(info.mode),
				x->pin_dir, info.pid);
		err = -EEXIST;
		goto out;
	}
	if (held == 0) {
		read_info(x->ifname, &info);
		pr_info("%s: cleaning up after an xdpgame that is gone (pid "
			"%u)\n",
			x->ifname, info.pid);
		err = cleanup_locked(x->ifname);
		if (err < 0)
			goto out;
	} else if (held != -ENOENT) {
		err = held;
		pr_warn("error: cannot open %s: %s\n", x->pin_dir,
			strerror(-err));
		goto out;
	}
	if (mkdir(x->pin_dir, 0700)) {
		err = -errno;
		pr_warn("error: cannot create %s: %s\n", x->pin_dir,
			strerror(-err));
		goto out;
	}
	x->dir_fd = open(x->pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (x->dir_fd < 0 || flock(x->dir_fd, LOCK_EX | LOCK_NB)) {
		err = -errno;
		pr_warn("error: cannot lock %s: %s\n", x->pin_dir,
			strerror(-err));
		if (x->dir_fd >= 0)
			close(x->dir_fd);
		x->dir_fd = -1;
		rmdir(x->pin_dir);
		goto out;
	}
	err = 0;
out:
	root_unlock(lock);
	return err;
}

/* Give the pin directory up: remove it and unlock. */
static void release_pin_dir(struct xg_xdp *x)
{
	int lock;

	if (x->dir_fd < 0)
		return;
	lock = root_lock();
	remove_pins(x->pin_dir, NULL, 0);
	close(x->dir_fd);
	x->dir_fd = -1;
	root_unlock(lock);
}

/* The interface must carry no XDP program: we never replace one. */
static int check_iface_free(const struct xg_xdp *x)
{
	char name[BPF_OBJ_NAME_LEN], eb[ERRBUF];
	struct attached at[3];
	int err;

	err = query_attached(x->ifindex, at);
	if (err) {
		pr_warn("error: cannot query XDP programs on %s: %s\n",
			x->ifname, errstr(err, eb));
		return err;
	}
	for (int i = 0; i < 3; i++) {
		if (!at[i].id)
			continue;
		prog_name_of_id(at[i].id, name);
		pr_warn("error: %s already has an XDP program (id %u, '%s', "
			"%s mode) that xdpgame did not pin; it is left alone. "
			"If nothing needs it, remove it first: ip link set dev "
			"%s xdp%s off\n",
			x->ifname, at[i].id, name, at[i].mode, x->ifname,
			xdp_off_suffix(at[i].flag));
		return -EBUSY;
	}
	return 0;
}

static int load(struct xg_xdp *x, const struct xg_xdp_opts *o)
{
	char eb[ERRBUF];
	int err;

	x->skel = xdpgame__open();
	if (!x->skel) {
		err = -errno;
		pr_warn("error: %s: cannot open the XDP program: %s\n",
			x->ifname, errstr(err, eb));
		return err;
	}
	x->skel->rodata->xg_ipv6_ext_max =
		o->ipv6_ext_max ? (__u32)o->ipv6_ext_max :
				  XG_XDP_IPV6_EXT_DEFAULT;
	err = xdpgame__load(x->skel);
	if (err) {
		pr_warn("error: %s: cannot load the XDP program: %s; it needs "
			"root and a kernel >= 5.10 with BTF (run with -v for "
			"the verifier's log)\n",
			x->ifname, errstr(err, eb));
		xdpgame__destroy(x->skel);
		x->skel = NULL;
		return err;
	}
	return 0;
}

static int fill_maps(struct xg_xdp *x, const struct xg_xdp_opts *o)
{
	struct xg_xdp_config cfg = {
		.kernel_replies = o->kernel_replies,
		.redirect = o->redirect,
	};
	char eb[ERRBUF];
	__u8 one = 1;
	__u32 key = 0;
	int err;

	for (int i = 0; i < o->nports; i++) {
		err = bpf_map_update_elem(bpf_map__fd(x->skel->maps.ports),
					  &o->ports[i], &one, BPF_ANY);
		if (err)
			goto fail;
	}
	err = bpf_map_update_elem(bpf_map__fd(x->skel->maps.config), &key,
				  &cfg, BPF_ANY);
	if (err)
		goto fail;
	return 0;
fail:
	err = -errno;
	pr_warn("error: %s: cannot fill the XDP program's maps: %s\n",
		x->ifname, errstr(err, eb));
	return err;
}

static int write_info(struct xg_xdp *x, const struct xg_xdp_opts *o)
{
	struct xg_xdp_info info = {
		.pid = (__u32)getpid(),
		.mode = x->mode,
		.nqueues = (__u32)o->nqueues,
		.flags = (o->redirect ? XG_INFO_REDIRECT : 0) |
			 (o->kernel_replies ? XG_INFO_KERNEL_REPLIES : 0),
		.nports = (__u32)o->nports,
		.ifindex = (__u32)x->ifindex,
		.prog_id = prog_id_of_fd(
			bpf_program__fd(x->skel->progs.xdpgame_rx)),
	};
	struct timespec ts;
	char eb[ERRBUF];
	__u32 key = 0;
	int err;

	clock_gettime(CLOCK_REALTIME, &ts);
	info.attach_time = (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
	for (int i = 0; i < o->nports && i < XG_XDP_INFO_PORTS; i++)
		info.ports[i] = o->ports[i];
	err = bpf_map_update_elem(bpf_map__fd(x->skel->maps.info), &key, &info,
				  BPF_ANY);
	if (err) {
		err = -errno;
		pr_warn("error: %s: cannot write the info map: %s\n",
			x->ifname, errstr(err, eb));
	}
	return err;
}

/* Pin every map of the program under its own name, and the program. */
static int pin_all(struct xg_xdp *x)
{
	char path[PIN_PATH_MAX], eb[ERRBUF];
	struct bpf_map *map;
	int err;

	bpf_object__for_each_map(map, x->skel->obj) {
		if (bpf_map__is_internal(map))
			continue;
		pin_path(path, x->ifname, bpf_map__name(map));
		err = bpf_map__pin(map, path);
		if (err)
			goto fail;
	}
	pin_path(path, x->ifname, XG_PIN_PROG);
	err = bpf_program__pin(x->skel->progs.xdpgame_rx, path);
	if (err)
		goto fail;
	return 0;
fail:
	pr_warn("error: %s: cannot pin %s: %s\n", x->ifname, path,
		errstr(err, eb));
	return err;
}

static int attach_one(struct xg_xdp *x, enum xg_xdp_mode m)
{
	__u32 flag = m == XG_MODE_NATIVE ? XDP_FLAGS_DRV_MODE :
					   XDP_FLAGS_SKB_MODE;
	int err;

	err = bpf_xdp_attach(x->ifindex,
			     bpf_program__fd(x->skel->progs.xdpgame_rx),
			     XDP_FLAGS_UPDATE_IF_NOEXIST | flag, NULL);
	if (err)
		return err;
	x->mode = m;
	x->mode_flag = flag;
	x->attached = true;
	return 0;
}

static const char *attach_hint(int err)
{
	switch (-err) {
	case EOPNOTSUPP:
		return "the driver has no native XDP";
	case EBUSY:
	case EEXIST:
		return "another XDP program got there first";
	case ERANGE:
	case EINVAL:
		return "see the kernel's message above; an MTU too large for "
		       "XDP is a common cause";
	case EPERM:
		return "run as root";
	default:
		return "see `xdpgame doctor`";
	}
}

static int attach_mode(struct xg_xdp *x, enum xg_xdp_mode want)
{
	char eb[ERRBUF], eb2[ERRBUF];
	int err, err_native;

	if (want != XG_MODE_AUTO) {
		err = attach_one(x, want);
		if (err) {
			pr_warn("error: cannot attach the XDP program to %s in "
				"%s mode: %s (%s)%s\n",
				x->ifname, xg_mode_name(want), errstr(err, eb),
				attach_hint(err),
				want == XG_MODE_NATIVE ?
					"; --mode generic works on any driver" :
					"");
			return err;
		}
		pr_info("%s: XDP program attached in %s mode\n", x->ifname,
			xg_mode_name(want));
		return 0;
	}
	err_native = attach_one(x, XG_MODE_NATIVE);
	if (!err_native) {
		pr_info("%s: XDP program attached in native mode\n",
			x->ifname);
		return 0;
	}
	err = attach_one(x, XG_MODE_GENERIC);
	if (err) {
		pr_warn("error: cannot attach the XDP program to %s: native "
			"mode: %s (%s); generic mode: %s (%s)\n",
			x->ifname, errstr(err_native, eb),
			attach_hint(err_native),
			errstr(err, eb2), attach_hint(err));
		return err;
	}
	pr_info("%s: XDP program attached in generic mode (slower); native "
		"mode failed: %s (%s)\n",
		x->ifname, errstr(err_native, eb), attach_hint(err_native));
	return 0;
}

int xg_xdp_attach(const struct xg_xdp_opts *o, struct xg_xdp **out)
{
	struct xg_xdp *x;
	int err;

	*out = NULL;
	err = check_opts(o);
	if (err)
		return err;
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->dir_fd = -1;
	snprintf(x->ifname, sizeof(x->ifname), "%s", o->ifname);
	pin_path(x->pin_dir, x->ifname, NULL);
	x->ifindex = (int)if_nametoindex(x->ifname);
	if (!x->ifindex) {
		err = -errno;
		pr_warn("error: no interface %s (%s); see `ip link`\n",
			x->ifname, strerror(-err));
		goto err_free;
	}

	err = xg_bpffs_ensure();
	if (err)
		goto err_free;
	err = claim_pin_dir(x);
	if (err)
		goto err_free;
	err = check_iface_free(x);
	if (err)
		goto err_release;
	err = load(x, o);
	if (err)
		goto err_release;
	err = fill_maps(x, o);
	if (err)
		goto err_skel;
	err = write_info(x, o); /* pid now, for `status`; mode once attached */
	if (err)
		goto err_skel;
	err = pin_all(x);
	if (err)
		goto err_skel;
	err = attach_mode(x, o->mode);
	if (err)
		goto err_skel;
	err = write_info(x, o);
	if (err)
		goto err_detach;
	*out = x;
	return 0;

err_detach:
	xg_xdp_detach_prog(x);
err_skel:
	xdpgame__destroy(x->skel);
err_release:
	release_pin_dir(x);
err_free:
	free(x);
	return err;
}

void xg_xdp_detach_prog(struct xg_xdp *x)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, ao);
	char eb[ERRBUF];
	int err;

	if (!x || !x->attached)
		return;
	ao.old_prog_fd = bpf_program__fd(x->skel->progs.xdpgame_rx);
	err = bpf_xdp_detach(x->ifindex, x->mode_flag, &ao);
	if (err == -EEXIST) {
		pr_warn("warning: %s: the XDP program is no longer xdpgame's "
			"(replaced by someone else); left alone\n",
			x->ifname);
	} else if (err == -ENODEV) {
		pr_debug("%s: interface gone\n", x->ifname);
	} else if (err) {
		/* still attached: destroy keeps the pins for `detach` */
		pr_warn("warning: cannot detach the XDP program from %s: %s; "
			"run `xdpgame detach %s`\n",
			x->ifname, errstr(err, eb), x->ifname);
		return;
	} else {
		pr_debug("%s: XDP program detached\n", x->ifname);
	}
	x->attached = false;
}

void xg_xdp_destroy(struct xg_xdp *x)
{
	if (!x)
		return;
	xg_xdp_detach_prog(x);
	if (x->attached) {
		/* leave the pins to `xdpgame detach`; just unlock */
		close(x->dir_fd);
		x->dir_fd = -1;
	}
	release_pin_dir(x);
	xdpgame__destroy(x->skel);
	free(x);
}

/* ---- reading a running instance --------------------------------------- */

int xg_xdp_sum_stats(int fd, struct xg_xdp_count out[XG_CNT_MAX])
{
	struct xg_xdp_count *vals;
	int ncpu, err = 0;

	memset(out, 0, sizeof(*out) * XG_CNT_MAX);
	ncpu = libbpf_num_possible_cpus();
	if (ncpu < 0)
		return ncpu;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (__u32 k = 0; k < XG_CNT_MAX && !err; k++) {
		if (bpf_map_lookup_elem(fd, &k, vals)) {
			err = -errno;
			break;
		}
		for (int c = 0; c < ncpu; c++) {
			out[k].packets += vals[c].packets;
			out[k].bytes += vals[c].bytes;
		}
	}
	free(vals);
	return err;
}

int xg_xdp_read_stats(const char *ifname, struct xg_xdp_count out[XG_CNT_MAX])
{
	struct bpf_map_info mi = {};
	char path[PIN_PATH_MAX];
	__u32 milen = sizeof(mi);
	int fd, err = 0;

	memset(out, 0, sizeof(*out) * XG_CNT_MAX);
	err = check_ifname(ifname);
	if (err)
		return err;
	pin_path(path, ifname, XG_PIN_STATS);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		err = fd;
		if (err == -ENOENT)
			pr_warn("error: xdpgame is not attached to %s (no %s)\n",
				ifname, path);
		else
			pr_warn("error: cannot open %s: %s\n", path,
				strerror(-err));
		return err;
	}
	if (bpf_obj_get_info_by_fd(fd, &mi, &milen) ||
	    mi.value_size != sizeof(struct xg_xdp_count) ||
	    mi.max_entries != XG_CNT_MAX) {
		pr_warn("error: %s has another layout (value %u bytes, %u "
			"counters; this xdpgame expects %zu, %d): was it "
			"pinned by another version?\n",
			path, mi.value_size, mi.max_entries,
			sizeof(struct xg_xdp_count), XG_CNT_MAX);
		err = -EPROTO;
	} else {
		err = xg_xdp_sum_stats(fd, out);
		if (err)
			pr_warn("error: cannot read %s: %s\n", path,
				strerror(-err));
	}
	close(fd);
	return err;
}

int xg_xdp_list(int (*cb)(const char *ifname, const struct xg_xdp_info *info,
			  bool alive, void *arg),
		void *arg)
{
	char dir[PIN_PATH_MAX];
	struct xg_xdp_info info;
	struct dirent *de;
	int n = 0, ret = 0;
	DIR *d;

	if (!bpffs_mounted())
		return 0;
	d = opendir(XG_PIN_ROOT);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    de->d_type != DT_DIR || strlen(de->d_name) >= IF_NAMESIZE)
			continue;
		pin_path(dir, de->d_name, NULL);
		read_info(de->d_name, &info);
		ret = cb(de->d_name, &info, dir_held(dir) == 1, arg);
		if (ret)
			break;
		n++;
	}
	closedir(d);
	return ret ? ret : n;
}

int xg_xdp_read_workers(const char *ifname, struct xg_worker_pub *out, int max)
{
	char path[PIN_PATH_MAX];
	__u32 key;
	int fd, n = 0, err;

	err = check_ifname(ifname);
	if (err)
		return err;
	pin_path(path, ifname, XG_PIN_WORKERS);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return fd;
	for (key = 0; key < XG_XDP_MAX_WORKERS && n < max; key++) {
		if (bpf_map_lookup_elem(fd, &key, &out[n])) {
			err = -errno;
			break;
		}
		if (out[n].valid)
			n++;
	}
	close(fd);
	return err ? err : n;
}
