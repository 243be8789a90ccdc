/* SPDX-License-Identifier: MIT */
/*
 * Attaching and detaching (see xdp/loader.h for the pin layout and the
 * locking).
 *
 * attach:   check the options -> bpffs -> claim the pin directory
 *           NETNS-IFINDEX (under the root lock; a dead holder's leftovers
 *           are removed) -> the interface carries no XDP program -> open,
 *           set rodata, load -> fill ports/config -> pin maps and prog ->
 *           attach through a bpf_link (native, then generic for auto) ->
 *           write info.
 * replace:  bpf_link_update on our link (for a hot reload).
 * destroy:  detach and close the link -> remove the pins and the directory
 *           (under the root lock) -> unlock -> free.
 * What is done to the program itself (open, load, fill the maps, pin, write
 * info, record a replacement) is in prog.c, the cleanup after a dead holder
 * in iface.c, the readers in read.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/if_link.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/log.h"
#include "xdp/internal.h"
#include "xdpgame.skel.h"

/* ---- attach ----------------------------------------------------------- */

static int check_opts(const struct xg_xdp_opts *o)
{
	int err = pins_check_ifname(o->ifname);

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

	lock = pins_root_lock();
	if (lock < 0)
		return lock;
	held = pins_dir_held(x->pin_dir);
	if (held == 1) {
		if (pins_read_info(x->key, &info) || !info.pid)
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
		pins_read_info(x->key, &info);
		pr_info("%s: cleaning up after an xdpgame that is gone (pid "
			"%u)\n",
			x->ifname, info.pid);
		err = iface_cleanup_locked(x->key, x->ifname);
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
	err = pins_write_name(x->dir_fd, x->ifname);
	if (err)
		pr_warn("warning: %s: cannot record the interface name in %s: "
			"%s\n",
			x->ifname, x->pin_dir, strerror(-err));
	err = 0;
out:
	pins_root_unlock(lock);
	return err;
}

/* Give the pin directory up: remove it and unlock. */
static void release_pin_dir(struct xg_xdp *x)
{
	int lock;

	if (x->dir_fd < 0)
		return;
	lock = pins_root_lock();
	pins_remove(x->pin_dir, NULL, 0);
	close(x->dir_fd);
	x->dir_fd = -1;
	pins_root_unlock(lock);
}

/* Through a bpf_link that only this process holds: the kernel takes the
 * program off the interface when the link's last fd closes, which is at
 * our exit however we die. The link refuses an interface that already has
 * a program in any mode (-EBUSY or -EEXIST): nothing is ever replaced. */
static int attach_one(struct xg_xdp *x, enum xg_xdp_mode m)
{
	__u32 flag = mode_flag_of(m);
	LIBBPF_OPTS(bpf_link_create_opts, lo, .flags = flag);
	int fd;

	fd = bpf_link_create(x->prog_fd, x->ifindex, BPF_XDP, &lo);
	if (fd < 0)
		return fd;
	x->link_fd = fd;
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
		return "an MTU too large for XDP is a common cause, or a "
		       "kernel before 5.9 (XDP through a bpf_link)";
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
	__u64 netns;
	int err;

	*out = NULL;
	err = check_opts(o);
	if (err)
		return err;
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->dir_fd = -1;
	x->link_fd = -1;
	x->own_prog_fd = -1;
	snprintf(x->ifname, sizeof(x->ifname), "%s", o->ifname);
	x->ifindex = (int)if_nametoindex(x->ifname);
	if (!x->ifindex) {
		err = -errno;
		pr_warn("error: no interface %s (%s); see `ip link`\n",
			x->ifname, strerror(-err));
		goto err_free;
	}
	err = pins_netns(&netns);
	if (err) {
		pr_warn("error: %s: cannot tell the network namespace "
			"(/proc/self/ns/net: %s); is /proc mounted?\n",
			x->ifname, strerror(-err));
		goto err_free;
	}
	pins_key(x->key, netns, x->ifindex);
	pins_path(x->pin_dir, x->key, NULL);

	err = xg_bpffs_ensure();
	if (err)
		goto err_free;
	err = claim_pin_dir(x);
	if (err)
		goto err_free;
	err = iface_check_free(x->ifindex, x->ifname);
	if (err)
		goto err_release;
	err = prog_load(x, o);
	if (err)
		goto err_release;
	x->prog_fd = bpf_program__fd(x->skel->progs.xdpgame_rx);
	err = prog_fill_maps(x, o);
	if (err)
		goto err_skel;
	err = prog_write_info(x, o); /* pid now, for `status`; mode once attached */
	if (err)
		goto err_skel;
	err = prog_pin_all(x);
	if (err)
		goto err_skel;
	err = attach_mode(x, o->mode);
	if (err)
		goto err_skel;
	err = prog_write_info(x, o);
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
	char eb[ERRBUF];
	int err;

	if (!x || !x->attached)
		return;
	/* Detach explicitly, so the program is off even if the fd were
	 * shared; closing our only fd would do it too, so an error here
	 * (the interface gone: nothing to detach) changes nothing. */
	err = bpf_link_detach(x->link_fd);
	if (err && err != -ENODEV && err != -ENOLINK)
		pr_warn("warning: %s: bpf_link detach: %s; closing the link "
			"takes the program off\n",
			x->ifname, errstr(err, eb));
	close(x->link_fd);
	x->link_fd = -1;
	x->attached = false;
	pr_debug("%s: XDP program detached\n", x->ifname);
}

int xg_xdp_replace_prog(struct xg_xdp *x, int new_prog_fd)
{
	LIBBPF_OPTS(bpf_link_update_opts, uo, .flags = BPF_F_REPLACE);
	char eb[ERRBUF];
	int err, fd;

	if (!x || !x->attached) {
		pr_warn("error: %s: no XDP program attached to replace\n",
			x ? x->ifname : "?");
		return -ENOENT;
	}
	fd = fcntl(new_prog_fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	uo.old_prog_fd = x->prog_fd;
	err = bpf_link_update(x->link_fd, fd, &uo);
	if (err) {
		pr_warn("error: %s: cannot replace the XDP program: %s (the "
			"old one stays)\n",
			x->ifname, errstr(err, eb));
		close(fd);
		return err;
	}
	if (x->own_prog_fd >= 0)
		close(x->own_prog_fd);
	x->own_prog_fd = fd;
	x->prog_fd = fd;
	err = prog_record(x);
	if (err)
		pr_warn("warning: %s: XDP program replaced, but its pin and "
			"`info` could not be updated: %s\n",
			x->ifname, errstr(err, eb));
	pr_info("%s: XDP program replaced (id %u)\n", x->ifname,
		iface_prog_id(fd));
	return 0;
}

void xg_xdp_destroy(struct xg_xdp *x)
{
	if (!x)
		return;
	xg_xdp_detach_prog(x);
	release_pin_dir(x);
	if (x->own_prog_fd >= 0)
		close(x->own_prog_fd);
	xdpgame__destroy(x->skel);
	free(x);
}
