/* SPDX-License-Identifier: MIT */
/*
 * The XDP programs on an interface: which there are (one per attach mode),
 * whether one is ours, and xg_xdp_cleanup, which after a dead holder
 * removes the pins. The holder's program went with its bpf_link; only one
 * that an older xdpgame attached through netlink can still be there, and it
 * is detached if it is the pinned one (XDP_FLAGS_REPLACE: never somebody
 * else's).
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_link.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/log.h"
#include "xdp/internal.h"

__u32 iface_prog_id(int fd)
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
 * mode where it is the attached one; other programs are left alone. Says
 * so when there is none (the usual case: the kernel took it off with the
 * dead holder's bpf_link). Returns how many were detached, or a negative
 * errno.
 */
static int detach_pinned(const char *key, const char *ifname)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, ao);
	char path[PIN_PATH_MAX], eb[ERRBUF], now[IF_NAMESIZE];
	struct attached at[3];
	int pfd, ifindex, err, n = 0;
	__u64 netns, here;
	__u32 id;

	pins_path(path, key, XG_PIN_PROG);
	pfd = bpf_obj_get(path);
	if (pfd < 0)
		return 0; /* no program pinned: nothing of ours to detach */
	id = iface_prog_id(pfd);
	if (pins_parse_key(key, &netns, &ifindex) || pins_netns(&here) ||
	    netns != here || !if_indextoname((unsigned int)ifindex, now)) {
		pr_info("%s: interface gone; no XDP program to remove\n",
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
		if (err == -EBUSY) {
			pr_warn("error: xdpgame XDP program id %u on %s (%s "
				"mode) is held by a bpf_link that some process "
				"still has open; it goes when that process "
				"ends\n",
				id, ifname, at[i].mode);
			n = err;
			goto out;
		}
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
	if (!n)
		pr_info("%s: no XDP program to remove: the kernel took "
			"xdpgame's off the interface when its holder died\n",
			ifname);
out:
	close(pfd);
	return n;
}

/* Detach and unpin a dead instance. Caller holds the root lock. */
int iface_cleanup_locked(const char *key, const char *ifname)
{
	char dir[PIN_PATH_MAX], what[256];
	int ndet, nrm;

	pins_path(dir, key, NULL);
	ndet = detach_pinned(key, ifname);
	if (ndet < 0)
		return ndet;
	nrm = pins_remove(dir, what, sizeof(what));
	if (nrm < 0)
		return nrm;
	pr_info("%s: removed %s (pins: %s)\n", ifname, dir,
		nrm ? what : "none");
	return ndet + nrm + 1;
}

/*
 * Say which XDP programs the interface carries that xdpgame did not pin:
 * refuse, as the error of an attach (the first one), or else as a hint of
 * `detach` (each of them). How many, or a negative errno from the query.
 */
static int say_foreign(int ifindex, const char *ifname, bool refuse)
{
	char name[BPF_OBJ_NAME_LEN];
	struct attached at[3];
	int err, n = 0;

	err = query_attached(ifindex, at);
	if (err)
		return err;
	for (int i = 0; i < 3 && !(refuse && n); i++) {
		if (!at[i].id)
			continue;
		prog_name_of_id(at[i].id, name);
		if (refuse)
			pr_warn("error: %s already has an XDP program (id %u, "
				"'%s', %s mode) that xdpgame did not pin; it is "
				"left alone. If nothing needs it, remove it "
				"first: ip link set dev %s xdp%s off\n",
				ifname, at[i].id, name, at[i].mode, ifname,
				xdp_off_suffix(at[i].flag));
		else
			pr_info("%s: carries XDP program id %u '%s' (%s mode), "
				"with no xdpgame pins here; if it is a leftover, "
				"remove it with `ip link set dev %s xdp%s off`\n",
				ifname, at[i].id, name, at[i].mode, ifname,
				xdp_off_suffix(at[i].flag));
		n++;
	}
	return n;
}

int iface_check_free(int ifindex, const char *ifname)
{
	char eb[ERRBUF];
	int n = say_foreign(ifindex, ifname, true);

	if (n < 0)
		pr_warn("error: cannot query XDP programs on %s: %s\n", ifname,
			errstr(n, eb));
	return n > 0 ? -EBUSY : n;
}

int xg_xdp_cleanup(const char *ifname)
{
	char dir[PIN_PATH_MAX], key[PIN_KEY_MAX];
	struct xg_xdp_info info;
	int lock, held, ret, ifindex;

	ret = pins_check_ifname(ifname);
	if (ret)
		return ret;
	if (!pins_bpffs_mounted() || pins_resolve(ifname, key) ||
	    (pins_path(dir, key, NULL), access(dir, F_OK))) {
		pr_info("%s: no xdpgame pins for it under %s: nothing to "
			"remove\n",
			ifname, XG_PIN_ROOT);
		/* one that looks like ours but has no pins: say so, touch
		 * nothing */
		ifindex = (int)if_nametoindex(ifname);
		if (ifindex)
			say_foreign(ifindex, ifname, false);
		return -ENOENT;
	}
	lock = pins_root_lock();
	if (lock < 0)
		return lock;
	held = pins_dir_held(dir);
	if (held == 1) {
		pins_read_info(key, &info);
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
		ret = iface_cleanup_locked(key, ifname);
		ret = ret < 0 ? ret : 0;
	}
	pins_root_unlock(lock);
	return ret;
}
