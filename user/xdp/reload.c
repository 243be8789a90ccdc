/* SPDX-License-Identifier: MIT */
/*
 * Reload: swap the XDP program of a running instance for a freshly loaded
 * one, atomically, keeping everything else. Run by `xdpgame reload IFACE`
 * (a new process: the program it loads is the one built into *its* binary,
 * so installing a new build and running its `reload` upgrades the data
 * path) and by the holder on SIGHUP (the same code, its own binary).
 *
 *   root lock -> the holder is alive -> open the skeleton, rodata as the
 *   holder's (info) -> every map reuses the pinned one (bpf_map__reuse_fd:
 *   xsks keeps the AF_XDP sockets, stats the counts, ports/config the
 *   settings) -> load -> swap on the bpf_link (xg_xdp_replace_prog, which
 *   re-pins "prog" and sets info.prog_id).
 *
 * The program is attached through a bpf_link only the holder has (not
 * pinned: it dies with the holder), so only the holder can swap it. Another
 * process (`xdpgame reload IFACE`) loads its own binary's program, pins it
 * as "prog_next" in the instance's directory, sends SIGHUP to the holder and
 * waits for info.prog_id to name the new program; the holder, on SIGHUP,
 * takes a "prog_next" if there is one (else loads its own binary's) and
 * swaps it in.
 *
 * A map whose layout differs in the new program fails the load: such a
 * change needs a restart, and nothing is touched.
 *
 * The swap is bpf_link_update(link, new, .old_prog_fd = old,
 * BPF_F_REPLACE): netlink's XDP_FLAGS_REPLACE cannot replace a program a
 * link holds.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/log.h"
#include "xdp/internal.h"
#include "xdpgame.skel.h"

#define PIN_NEXT XG_PIN_PROG "_next" /* bpffs allows no dots */

/* Every map of the new skeleton reuses the instance's pinned one. */
static int reuse_maps(struct xdpgame *skel, const char *key,
		      const char *ifname)
{
	char path[PIN_PATH_MAX], eb[ERRBUF];
	struct bpf_map *map;
	int fd, err;

	bpf_object__for_each_map(map, skel->obj) {
		if (bpf_map__is_internal(map))
			continue;
		pins_path(path, key, bpf_map__name(map));
		fd = bpf_obj_get(path);
		if (fd < 0) {
			pr_warn("error: reload %s: no pinned map %s (%s): was "
				"the instance started by another version? "
				"Restart it\n",
				ifname, path, errstr(fd, eb));
			return fd;
		}
		err = bpf_map__reuse_fd(map, fd);
		close(fd);
		if (err) {
			pr_warn("error: reload %s: cannot reuse %s: %s\n",
				ifname, path, errstr(err, eb));
			return err;
		}
	}
	return 0;
}

/* This binary's program, loaded over the instance's pinned maps: a program
 * fd (the caller's to close) or a negative errno (said). */
static int load_prog(const char *key, const char *ifname,
		     const struct xg_xdp_info *info)
{
	struct xdpgame *skel;
	char eb[ERRBUF];
	int err, fd;

	skel = xdpgame__open();
	if (!skel) {
		err = -errno;
		pr_warn("error: reload %s: cannot open the XDP program: %s\n",
			ifname, errstr(err, eb));
		return err;
	}
	skel->rodata->xg_ipv6_ext_max = info->ipv6_ext_max ?
						info->ipv6_ext_max :
						XG_XDP_IPV6_EXT_DEFAULT;
	err = reuse_maps(skel, key, ifname);
	if (err)
		goto out;
	err = xdpgame__load(skel);
	if (err) {
		pr_warn("error: reload %s: cannot load the new XDP program: %s; "
			"if its maps changed layout, restart the server instead "
			"(-v shows the verifier's log)\n",
			ifname, errstr(err, eb));
		goto out;
	}
	fd = fcntl(bpf_program__fd(skel->progs.xdpgame_rx), F_DUPFD_CLOEXEC, 0);
	err = fd < 0 ? -errno : fd;
out:
	xdpgame__destroy(skel);
	return err;
}

static bool running(const char *key, struct xg_xdp_info *info)
{
	char dir[PIN_PATH_MAX];

	pins_path(dir, key, NULL);
	return pins_dir_held(dir) == 1 && !pins_read_info(key, info) &&
	       (info->mode == XG_MODE_NATIVE || info->mode == XG_MODE_GENERIC);
}

/* The holder: a program staged as "prog_next" by `xdpgame reload`, or this
 * binary's, swapped in on our link. */
static int reload_held(struct xg_xdp *x, __u32 *old_id, __u32 *new_id)
{
	char path[PIN_PATH_MAX];
	struct xg_xdp_info info;
	int fd, err;

	*old_id = iface_prog_id(x->prog_fd);
	pins_path(path, x->key, PIN_NEXT);
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		unlink(path);
		pr_debug("%s: reload: taking the staged program %s\n",
			 x->ifname, path);
	} else {
		if (pins_read_info(x->key, &info))
			memset(&info, 0, sizeof(info));
		info.ipv6_ext_max = x->ipv6_ext_max;
		fd = load_prog(x->key, x->ifname, &info);
		if (fd < 0)
			return fd;
	}
	err = xg_xdp_replace_prog(x, fd);
	if (!err)
		*new_id = iface_prog_id(x->prog_fd);
	close(fd);
	return err;
}

int xg_xdp_reload_held(struct xg_xdp *x, __u32 *old_id, __u32 *new_id)
{
	int lock, err;

	*old_id = *new_id = 0;
	if (!x || !x->attached)
		return -ENOENT;
	lock = pins_root_lock();
	if (lock < 0)
		return lock;
	err = reload_held(x, old_id, new_id);
	pins_root_unlock(lock);
	return err;
}

/* Another process: load, stage as "prog_next", and return the holder's pid
 * to signal (the root lock is held). */
static int stage_locked(const char *ifname, char key[PIN_KEY_MAX],
			__u32 *old_id, __u32 *new_id, pid_t *pid)
{
	char path[PIN_PATH_MAX], eb[ERRBUF];
	struct xg_xdp_info info;
	int fd, err;

	if (pins_resolve(ifname, key) || !running(key, &info)) {
		pr_warn("error: reload: no running xdpgame with an XDP program "
			"on %s; `xdpgame status` lists them\n",
			ifname);
		return -ENOENT;
	}
	*old_id = info.prog_id;
	fd = load_prog(key, ifname, &info);
	if (fd < 0)
		return fd;
	*new_id = iface_prog_id(fd);
	pins_path(path, key, PIN_NEXT);
	unlink(path);
	err = bpf_obj_pin(fd, path);
	close(fd);
	if (err) {
		pr_warn("error: reload %s: cannot pin the new program as %s: "
			"%s\n",
			ifname, path, errstr(err, eb));
		return err;
	}
	*pid = (pid_t)info.pid;
	return 0;
}

int xg_xdp_reload(const char *ifname, __u32 *old_id, __u32 *new_id)
{
	char key[PIN_KEY_MAX], path[PIN_PATH_MAX], eb[ERRBUF];
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	struct xg_xdp_info info;
	pid_t pid = 0;
	int lock, err, i;

	*old_id = *new_id = 0;
	err = pins_check_ifname(ifname);
	if (err)
		return err;
	if (!pins_bpffs_mounted()) {
		pr_warn("error: reload: no running xdpgame on %s (bpffs is not "
			"mounted)\n",
			ifname);
		return -ENOENT;
	}
	lock = pins_root_lock(); /* one reload, attach or cleanup at a time */
	if (lock < 0)
		return lock;
	err = stage_locked(ifname, key, old_id, new_id, &pid);
	pins_root_unlock(lock);
	if (err)
		return err;
	pins_path(path, key, PIN_NEXT);
	if (pid <= 0 || kill(pid, SIGHUP)) {
		err = pid <= 0 ? -ESRCH : -errno;
		pr_warn("error: reload %s: cannot signal the server (pid %d): "
			"%s\n",
			ifname, (int)pid, errstr(err, eb));
		unlink(path);
		return err;
	}
	/* the holder swaps it in on its next turn of the loop */
	for (i = 0; i < 500; i++) { /* 10 s */
		if (!pins_read_info(key, &info) && info.prog_id == *new_id)
			return 0;
		nanosleep(&ts, NULL);
	}
	lock = pins_root_lock();
	if (lock >= 0 && unlink(path) && !pins_read_info(key, &info) &&
	    info.prog_id == *new_id) {
		err = 0; /* taken meanwhile */
	} else {
		pr_warn("error: reload %s: the server (pid %d) did not swap in "
			"the new program within 10 s (its log says why); the "
			"old one keeps serving\n",
			ifname, (int)pid);
		err = -ETIMEDOUT;
	}
	if (lock >= 0)
		pins_root_unlock(lock);
	return err;
}
