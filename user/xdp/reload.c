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
 *   settings) -> load -> swap on the interface (swap_prog) -> pin the new
 *   program as "prog" (pinned as prog_new, renamed over: never missing) ->
 *   info.prog_id.
 *
 * A map whose layout differs in the new program fails the load: such a
 * change needs a restart, and nothing is touched.
 *
 * swap_prog is the one place that knows how the program is attached:
 * netlink with XDP_FLAGS_REPLACE and the expected old program, so a program
 * somebody else attached meanwhile is never replaced. With a bpf_link it
 * becomes bpf_link_update(link, new, .old_prog_fd = old, BPF_F_REPLACE).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/log.h"
#include "xdp/internal.h"
#include "xdpgame.skel.h"

/* Replace old_fd by new_fd on the interface, atomically. */
static int swap_prog(const struct xg_xdp_info *info, int new_fd, int old_fd)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, ao, .old_prog_fd = old_fd);

	return bpf_xdp_attach((int)info->ifindex, new_fd,
			      XDP_FLAGS_REPLACE |
				      mode_flag_of((enum xg_xdp_mode)info->mode),
			      &ao);
}

/* Every map of the new skeleton reuses the instance's pinned one. */
static int reuse_maps(struct xdpgame *skel, const char *ifname)
{
	char path[PIN_PATH_MAX], eb[ERRBUF];
	struct bpf_map *map;
	int fd, err;

	bpf_object__for_each_map(map, skel->obj) {
		if (bpf_map__is_internal(map))
			continue;
		pins_path(path, ifname, bpf_map__name(map));
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

/* Pin the new program over the old pin without a moment of no pin. */
static int repin(struct xdpgame *skel, const char *ifname)
{
	char path[PIN_PATH_MAX], tmp[PIN_PATH_MAX], eb[ERRBUF];
	int err;

	pins_path(path, ifname, XG_PIN_PROG);
	pins_path(tmp, ifname, XG_PIN_PROG "_new"); /* bpffs allows no dots */
	unlink(tmp);
	err = bpf_program__pin(skel->progs.xdpgame_rx, tmp);
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		unlink(tmp);
		pr_warn("error: reload %s: the new program is attached but "
			"cannot be pinned as %s: %s; `xdpgame detach` after the "
			"server stops may need `ip link set dev %s xdp off`\n",
			ifname, path, errstr(err, eb), ifname);
	}
	return err;
}

static int reload_locked(const char *ifname, __u32 *old_id, __u32 *new_id)
{
	struct xg_xdp_info info;
	char dir[PIN_PATH_MAX], eb[ERRBUF];
	struct xdpgame *skel = NULL;
	int old_fd = -1, new_fd, err;
	__u32 key = 0;

	pins_path(dir, ifname, NULL);
	if (pins_dir_held(dir) != 1 || pins_read_info(ifname, &info) ||
	    (info.mode != XG_MODE_NATIVE && info.mode != XG_MODE_GENERIC)) {
		pr_warn("error: reload: no running xdpgame with an XDP program "
			"on %s; `xdpgame status` lists them\n",
			ifname);
		return -ENOENT;
	}
	old_fd = pins_prog_fd(ifname);
	if (old_fd < 0) {
		pr_warn("error: reload %s: no pinned program: %s\n", ifname,
			errstr(old_fd, eb));
		return old_fd;
	}
	*old_id = iface_prog_id(old_fd);
	skel = xdpgame__open();
	if (!skel) {
		err = -errno;
		pr_warn("error: reload %s: cannot open the XDP program: %s\n",
			ifname, errstr(err, eb));
		goto out;
	}
	skel->rodata->xg_ipv6_ext_max = info.ipv6_ext_max ?
						info.ipv6_ext_max :
						XG_XDP_IPV6_EXT_DEFAULT;
	err = reuse_maps(skel, ifname);
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
	new_fd = bpf_program__fd(skel->progs.xdpgame_rx);
	err = swap_prog(&info, new_fd, old_fd);
	if (err) {
		pr_warn("error: reload %s: cannot swap the XDP program (id %u): "
			"%s%s\n",
			ifname, *old_id, errstr(err, eb),
			err == -EEXIST ? "; it is no longer the attached one" :
					 "");
		goto out;
	}
	*new_id = iface_prog_id(new_fd);
	err = repin(skel, ifname);
	info.prog_id = *new_id;
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.info), &key, &info,
				BPF_EXIST))
		pr_warn("warning: reload %s: cannot record the new program id "
			"in the info map\n",
			ifname);
out:
	xdpgame__destroy(skel); /* the program stays: attached and pinned */
	close(old_fd);
	return err;
}

int xg_xdp_reload(const char *ifname, __u32 *old_id, __u32 *new_id)
{
	int lock, err;

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
	err = reload_locked(ifname, old_id, new_id);
	pins_root_unlock(lock);
	return err;
}
