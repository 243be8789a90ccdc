/* SPDX-License-Identifier: MIT */
/*
 * Reading a running instance through its pins, for the commands that are not
 * its holder (`stats`, `status`, `detach`) and for the holder's own report:
 * the counter names, the stats map summed over the CPUs, the published
 * workers, the list of pinned instances.
 */
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/log.h"
#include "xdp/internal.h"

/* clang-format off */
static const char *const counter_names[XG_CNT_MAX] = {
	[XG_CNT_PASS_NOT_GAME] = "pass_not_game",
	[XG_CNT_PASS_FRAGMENT] = "pass_fragment",
	[XG_CNT_PASS_VLAN] = "pass_vlan",
	[XG_CNT_PASS_IPV6_EXT] = "pass_ipv6_ext",
	[XG_CNT_REDIRECT] = "redirect",
	[XG_CNT_FALLTHROUGH] = "fallthrough",
	[XG_CNT_XDP_TX] = "xdp_tx",
	[XG_CNT_PASS_NOT_LOCAL] = "pass_not_local",
	[XG_CNT_PASS_IP_OPTIONS] = "pass_ip_options",
	[XG_CNT_PASS_ROUTE] = "pass_route",
	[XG_CNT_PASS_NO_NEIGH] = "pass_no_neigh",
	[XG_CNT_DENY_NO_SESSION] = "deny_no_session",
	[XG_CNT_DENY_BAD_TOKEN] = "deny_bad_token",
	[XG_CNT_DENY_WRONG_SOURCE] = "deny_wrong_source",
	[XG_CNT_DENY_EXPIRED] = "deny_expired",
	[XG_CNT_DENY_SESSION_RATE] = "deny_session_rate",
	[XG_CNT_DENY_HANDSHAKE_RATE] = "deny_handshake_rate",
	[XG_CNT_DENY_REPLAY] = "deny_replay",
	[XG_CNT_DENY_BAD_COOKIE] = "deny_bad_cookie",
	[XG_CNT_DROP_UDP_LEN] = "drop_udp_len",
	[XG_CNT_DROP_IP_HEADER] = "drop_ip_header",
	[XG_CNT_DROP_IP_LEN] = "drop_ip_len",
	[XG_CNT_DROP_BAD_SOURCE] = "drop_bad_source",
	[XG_CNT_DROP_UDP_CHECKSUM] = "drop_udp_checksum",
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

const char *xg_xdp_counter_name(int idx)
{
	if (idx < 0 || idx >= XG_CNT_MAX)
		return NULL;
	return counter_names[idx];
}

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
	char path[PIN_PATH_MAX], key[PIN_KEY_MAX];
	__u32 milen = sizeof(mi);
	int fd, err = 0;

	memset(out, 0, sizeof(*out) * XG_CNT_MAX);
	err = pins_check_ifname(ifname);
	if (err)
		return err;
	if (pins_resolve(ifname, key)) {
		pr_warn("error: xdpgame is not attached to %s (no pins for it "
			"under %s)\n",
			ifname, XG_PIN_ROOT);
		return -ENOENT;
	}
	pins_path(path, key, XG_PIN_STATS);
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

/* One directory under the root: its instance, to cb. */
static int list_one(const char *key, __u64 here,
		    int (*cb)(const struct xg_xdp_instance *in, void *arg),
		    void *arg)
{
	char dir[PIN_PATH_MAX], recorded[IF_NAMESIZE], now[IF_NAMESIZE];
	struct xg_xdp_info info;
	struct xg_xdp_instance in = { .info = &info, .pin_dir = dir,
				      .recorded = recorded };

	if (pins_parse_key(key, &in.netns, &in.ifindex))
		return 0; /* not ours */
	pins_path(dir, key, NULL);
	pins_read_name(key, recorded);
	pins_read_info(key, &info);
	in.here = in.netns == here;
	in.ifname = recorded;
	if (in.here) {
		if (if_indextoname((unsigned int)in.ifindex, now))
			in.ifname = now;
		else
			in.gone = true;
	}
	if (!in.ifname[0])
		in.ifname = key;
	in.alive = pins_dir_held(dir) == 1;
	return cb(&in, arg);
}

int xg_xdp_list(int (*cb)(const struct xg_xdp_instance *in, void *arg),
		void *arg)
{
	struct dirent *de;
	int n = 0, ret = 0, lock;
	__u64 here = 0;
	DIR *d;

	if (!pins_bpffs_mounted() || access(XG_PIN_ROOT, F_OK))
		return 0;
	pins_netns(&here);
	lock = pins_root_lock();
	if (lock < 0)
		return lock;
	d = opendir(XG_PIN_ROOT);
	if (!d) {
		ret = errno == ENOENT ? 0 : -errno;
		pins_root_unlock(lock);
		return ret;
	}
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || strlen(de->d_name) >= PIN_KEY_MAX ||
		    !strchr(de->d_name, '-'))
			continue;
		ret = list_one(de->d_name, here, cb, arg);
		if (ret)
			break;
		n++;
	}
	closedir(d);
	pins_root_unlock(lock);
	return ret ? ret : n;
}

int xg_xdp_pin_dir(const char *ifname, char *buf, size_t len)
{
	char key[PIN_KEY_MAX], dir[PIN_PATH_MAX];

	if (xg_ifname_check(ifname) || pins_resolve(ifname, key))
		return -ENOENT;
	pins_path(dir, key, NULL);
	if (access(dir, F_OK))
		return -ENOENT;
	snprintf(buf, len, "%s", dir);
	return 0;
}

int xg_xdp_read_workers(const char *ifname, struct xg_worker_pub *out, int max)
{
	char path[PIN_PATH_MAX], pkey[PIN_KEY_MAX];
	__u32 key;
	int fd, n = 0, err;

	err = pins_check_ifname(ifname);
	if (err)
		return err;
	err = pins_resolve(ifname, pkey);
	if (err)
		return err;
	pins_path(path, pkey, XG_PIN_WORKERS);
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

struct find {
	const char *dir;
	struct xg_xdp_info *info;
	bool *alive;
	bool found;
};

static int find_cb(const struct xg_xdp_instance *in, void *arg)
{
	struct find *f = arg;

	if (strcmp(in->pin_dir, f->dir))
		return 0;
	*f->info = *in->info;
	*f->alive = in->alive;
	f->found = true;
	return 1;
}

int xg_xdp_find(const char *ifname, struct xg_xdp_info *info, bool *alive)
{
	char dir[PIN_PATH_MAX];
	struct find f = { dir, info, alive, false };

	memset(info, 0, sizeof(*info));
	*alive = false;
	if (xg_xdp_pin_dir(ifname, dir, sizeof(dir)))
		return 0;
	if (xg_xdp_list(find_cb, &f) < 0)
		return 0;
	return f.found;
}

/* An AF_XDP socket's XDP_STATISTICS in struct xg_worker_pub, by name. */
static const struct {
	const char *name;
	size_t off;
} xsk_fields[] = {
#define XSK_FIELD(f) { #f, offsetof(struct xg_worker_pub, f) }
	XSK_FIELD(rx_dropped),
	XSK_FIELD(rx_invalid_descs),
	XSK_FIELD(tx_invalid_descs),
	XSK_FIELD(rx_ring_full),
	XSK_FIELD(rx_fill_ring_empty_descs),
	XSK_FIELD(tx_ring_empty_descs),
#undef XSK_FIELD
};

int xg_worker_pub_xsk(const struct xg_worker_pub *p, int i, const char **name,
		      __u64 *v)
{
	if (i < 0 || (size_t)i >= ARRAY_SIZE(xsk_fields))
		return -ENOENT;
	*name = xsk_fields[i].name;
	*v = *(const __u64 *)((const char *)p + xsk_fields[i].off);
	return 0;
}
