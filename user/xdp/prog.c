/* SPDX-License-Identifier: MIT */
/*
 * The XDP program itself: the mode names, the map fds, and what the attach
 * in attach.c does to the program before and after it goes on the link:
 * open, set rodata and load (prog_load), fill ports/config/addresses
 * (prog_fill_maps), write `info` (prog_write_info), pin the maps and the
 * program (prog_pin_all), and, after a hot reload, re-pin the new program
 * and record its id (prog_record).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/log.h"
#include "xdp/internal.h"
#include "xdpgame.skel.h"

/* clang-format off */
static const char *const mode_names[] = {
	[XG_MODE_AUTO] = "auto",
	[XG_MODE_NATIVE] = "native",
	[XG_MODE_GENERIC] = "generic",
	[XG_MODE_SOCKETS] = "sockets",
};
/* clang-format on */

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

int xg_xdp_xsks_fd(const struct xg_xdp *x)
{
	return bpf_map__fd(x->skel->maps.xsks);
}

int xg_xdp_config_fd(const struct xg_xdp *x)
{
	return bpf_map__fd(x->skel->maps.config);
}

int xg_xdp_stats_fd(const struct xg_xdp *x)
{
	return bpf_map__fd(x->skel->maps.stats);
}

int xg_xdp_workers_fd(const struct xg_xdp *x)
{
	return bpf_map__fd(x->skel->maps.workers);
}

enum xg_xdp_mode xg_xdp_attached_mode(const struct xg_xdp *x)
{
	return x->mode;
}

int prog_load(struct xg_xdp *x, const struct xg_xdp_opts *o)
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
	x->ipv6_ext_max = o->ipv6_ext_max ? (__u32)o->ipv6_ext_max :
					    XG_XDP_IPV6_EXT_DEFAULT;
	x->skel->rodata->xg_ipv6_ext_max = x->ipv6_ext_max;
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

int prog_fill_maps(struct xg_xdp *x, const struct xg_xdp_opts *o)
{
	struct xg_xdp_config cfg = {
		.kernel_replies = o->kernel_replies,
		.redirect = o->redirect,
		.route_check = o->route_check,
		.hs_rate = o->hs_rate,
		.hs_burst = o->hs_burst,
		.hs_total_rate = o->hs_total_rate,
		.hs_total_burst = o->hs_total_burst,
		.session_rate = o->session_rate,
		.session_burst = o->session_burst,
		.session_timeout_ms = o->session_timeout_ms,
	};
	char eb[ERRBUF];
	__u32 key = 0, port;
	__u8 one = 1;
	int err;

	for (int i = 0; i < o->nports; i++) {
		port = o->ports[i];
		err = bpf_map_update_elem(bpf_map__fd(x->skel->maps.ports),
					  &port, &one, BPF_ANY);
		if (err)
			goto fail;
	}
	err = xg_xdp_iface_mac(x->ifname, cfg.mac);
	if (err) {
		pr_warn("error: %s: cannot read its MAC address: %s\n",
			x->ifname, errstr(err, eb));
		return err;
	}
	err = bpf_map_update_elem(bpf_map__fd(x->skel->maps.config), &key,
				  &cfg, BPF_ANY);
	if (err)
		goto fail;
	err = xg_xdp_sync_addrs(x);
	if (err < 0)
		return err;
	return 0;
fail:
	err = -errno;
	pr_warn("error: %s: cannot fill the XDP program's maps: %s\n",
		x->ifname, errstr(err, eb));
	return err;
}

int prog_write_info(struct xg_xdp *x, const struct xg_xdp_opts *o)
{
	struct xg_xdp_info info = {
		.pid = (__u32)getpid(),
		.mode = x->mode,
		.nqueues = (__u32)o->nqueues,
		.flags = (o->redirect ? XG_INFO_REDIRECT : 0) |
			 (o->kernel_replies ? XG_INFO_KERNEL_REPLIES : 0) |
			 (o->route_check ? XG_INFO_ROUTE_CHECK : 0),
		.nports = (__u32)o->nports,
		.ifindex = (__u32)x->ifindex,
		.prog_id = iface_prog_id(x->prog_fd),
		.ipv6_ext_max = x->ipv6_ext_max,
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
int prog_pin_all(struct xg_xdp *x)
{
	char path[PIN_PATH_MAX], eb[ERRBUF];
	struct bpf_map *map;
	int err;

	bpf_object__for_each_map(map, x->skel->obj) {
		if (bpf_map__is_internal(map))
			continue;
		pins_path(path, x->key, bpf_map__name(map));
		err = bpf_map__pin(map, path);
		if (err)
			goto fail;
	}
	pins_path(path, x->key, XG_PIN_PROG);
	err = bpf_program__pin(x->skel->progs.xdpgame_rx, path);
	if (err)
		goto fail;
	return 0;
fail:
	pr_warn("error: %s: cannot pin %s: %s\n", x->ifname, path,
		errstr(err, eb));
	return err;
}

/* Record the program now on the link: re-pin it as "prog" and put its id
 * in `info`. */
int prog_record(struct xg_xdp *x)
{
	char path[PIN_PATH_MAX], eb[ERRBUF];
	struct xg_xdp_info info;
	int fd = bpf_map__fd(x->skel->maps.info), err;
	__u32 key = 0;

	pins_path(path, x->key, XG_PIN_PROG);
	if (unlink(path) && errno != ENOENT)
		return -errno;
	err = bpf_obj_pin(x->prog_fd, path);
	if (err) {
		pr_warn("error: %s: cannot pin %s: %s\n", x->ifname, path,
			errstr(err, eb));
		return err;
	}
	if (bpf_map_lookup_elem(fd, &key, &info))
		return -errno;
	info.prog_id = iface_prog_id(x->prog_fd);
	if (bpf_map_update_elem(fd, &key, &info, BPF_ANY))
		return -errno;
	return 0;
}
