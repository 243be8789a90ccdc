/* SPDX-License-Identifier: MIT */
/*
 * The live settings of a running instance, through its pins (see
 * xdp/loader.h): the `config` map, one row of xg_settings per member (a
 * rate and its burst share a row; the MAC is the holder's, never a
 * setting), and the `ports` map. Writers are `xdpgame set`; the XDP program
 * reads both at every packet, so a change takes effect at the next one,
 * with no restart and no packet lost (a map update is atomic for the
 * program's lookups). The holder copies the limits into its user-space
 * sessions within a second (cli/serve.c).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "core/log.h"
#include "xdp/internal.h"

#define OFF(m) offsetof(struct xg_xdp_config, m)
#define BOOL_ROW(m, opt, help)                                                 \
	{ #m, opt, "on|off", XG_SET_BOOL, OFF(m), NULL, 0, 0, 1, help }
#define U32_ROW(m, opt, arg, min, max, help)                                   \
	{ #m, opt, arg, XG_SET_U32, OFF(m), NULL, 0, min, max, help }
#define RATE_ROW(m, b, opt, help)                                              \
	{ #m, opt, "R[/B]", XG_SET_RATE, OFF(m), #b, OFF(b), 0, 0, help }

/* clang-format off */
const struct xg_setting xg_settings[] = {
	BOOL_ROW(kernel_replies, "kernel-replies",
		 "answer HEARTBEAT in the XDP program (XDP_TX)"),
	BOOL_ROW(redirect, "redirect",
		 "game packets to the AF_XDP sockets (off: kernel's)"),
	RATE_ROW(hs_rate, hs_burst, "handshake-rate",
		 "JOIN+ANSWER/s per source address, burst B; 0: none"),
	RATE_ROW(hs_total_rate, hs_total_burst, "handshake-total",
		 "JOIN+ANSWER/s from all sources, burst B; 0: none"),
	RATE_ROW(session_rate, session_burst, "session-rate",
		 "game requests/s per session, burst B; 0: none"),
	U32_ROW(session_timeout_ms, "session-timeout", "MS", 100, 3600000,
		"silence that ends a session, 100..3600000 ms"),
	BOOL_ROW(route_check, "route-check",
		 "replies follow the kernel's route (off: back to sender's MAC)"),
};
/* clang-format on */
const int xg_nsettings = (int)ARRAY_SIZE(xg_settings);
_Static_assert(ARRAY_SIZE(xg_settings) <= XG_SETTINGS_MAX,
	       "raise XG_SETTINGS_MAX");
/* the rows cover every __u32 member, all before the MAC (unit-tested:
 * tests/unit/test_settings.c); a new member fails this until it has one */
_Static_assert(OFF(mac) == 10 * sizeof(__u32),
	       "a new config member needs a row in xg_settings");

static __u32 get32(const struct xg_xdp_config *c, size_t off)
{
	__u32 v;

	memcpy(&v, (const char *)c + off, sizeof(v));
	return v;
}

static void put32(struct xg_xdp_config *c, size_t off, __u32 v)
{
	memcpy((char *)c + off, &v, sizeof(v));
}

struct xg_setting_val xg_setting_get(const struct xg_setting *s,
				     const struct xg_xdp_config *c)
{
	struct xg_setting_val v = { .v = get32(c, s->off) };

	if (s->kind == XG_SET_RATE)
		v.burst = get32(c, s->burst_off);
	return v;
}

void xg_setting_put(const struct xg_setting *s, struct xg_xdp_config *c,
		    struct xg_setting_val v)
{
	put32(c, s->off, v.v);
	if (s->kind == XG_SET_RATE)
		put32(c, s->burst_off, v.burst);
}

int xg_setting_parse(const struct xg_setting *s, const char *text,
		     struct xg_setting_val *v)
{
	uint64_t n;

	*v = (struct xg_setting_val){};
	switch (s->kind) {
	case XG_SET_BOOL:
		if (!strcmp(text, "on") || !strcmp(text, "1"))
			v->v = 1;
		else if (!strcmp(text, "off") || !strcmp(text, "0"))
			v->v = 0;
		else
			return -EINVAL;
		return 0;
	case XG_SET_RATE:
		return xg_parse_rate(text, &v->v, &v->burst);
	case XG_SET_U32:
		break;
	}
	if (xg_parse_u64(text, s->min, s->max, &n))
		return -EINVAL;
	v->v = (__u32)n;
	return 0;
}

void xg_setting_format(const struct xg_setting *s, struct xg_setting_val v,
		       char *buf, size_t size)
{
	switch (s->kind) {
	case XG_SET_BOOL:
		snprintf(buf, size, "%s", v.v ? "on" : "off");
		break;
	case XG_SET_RATE:
		snprintf(buf, size, "%u/%u", v.v, v.burst);
		break;
	case XG_SET_U32:
		snprintf(buf, size, "%u", v.v);
		break;
	}
}

/* A pinned map of the instance, checked to have this build's layout. */
static int open_map(const char *ifname, const char *name, __u32 key_size,
		    __u32 value_size)
{
	struct bpf_map_info mi = {};
	__u32 len = sizeof(mi);
	char path[PIN_PATH_MAX], pkey[PIN_KEY_MAX];
	int fd, err;

	err = pins_check_ifname(ifname);
	if (err)
		return err;
	if (pins_resolve(ifname, pkey)) {
		pr_warn("error: no xdpgame on %s (no pins for it under %s); "
			"start one with `xdpgame attach %s`\n",
			ifname, XG_PIN_ROOT, ifname);
		return -ENOENT;
	}
	pins_path(path, pkey, name);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		if (fd == -ENOENT)
			pr_warn("error: no xdpgame on %s (no %s); start one with "
				"`xdpgame attach %s`\n",
				ifname, path, ifname);
		else
			pr_warn("error: cannot open %s: %s\n", path,
				strerror(-fd));
		return fd;
	}
	if (bpf_obj_get_info_by_fd(fd, &mi, &len) || mi.key_size != key_size ||
	    mi.value_size != value_size) {
		pr_warn("error: %s has another layout (key %u, value %u bytes; "
			"this xdpgame expects %u, %u): the running xdpgame is "
			"another version; restart it with this one\n",
			path, mi.key_size, mi.value_size, key_size, value_size);
		close(fd);
		return -EPROTO;
	}
	return fd;
}

int xg_xdp_config_read(const char *ifname, struct xg_xdp_config *c)
{
	__u32 key = 0;
	int fd, err = 0;

	memset(c, 0, sizeof(*c));
	fd = open_map(ifname, XG_PIN_CONFIG, sizeof(key), sizeof(*c));
	if (fd < 0)
		return fd;
	if (bpf_map_lookup_elem(fd, &key, c)) {
		err = -errno;
		pr_warn("error: %s: cannot read the config map: %s\n", ifname,
			strerror(-err));
	}
	close(fd);
	return err;
}

int xg_xdp_config_write(const char *ifname, const struct xg_xdp_config *c)
{
	__u32 key = 0;
	int fd, err = 0;

	fd = open_map(ifname, XG_PIN_CONFIG, sizeof(key), sizeof(*c));
	if (fd < 0)
		return fd;
	if (bpf_map_update_elem(fd, &key, c, BPF_EXIST)) {
		err = -errno;
		pr_warn("error: %s: cannot write the config map: %s\n", ifname,
			strerror(-err));
	}
	close(fd);
	return err;
}

/* The ports set in the ports map (fd, an array indexed by port) into
 * ports, in order; how many, or -errno. One batch read of the whole array
 * where the kernel has it (5.6), else one lookup per port. */
static int ports_of(int fd, __u16 *ports, int max)
{
	__u32 count = XG_XDP_PORT_SLOTS, out, *keys;
	__u8 *vals;
	int n = 0, err = 0;

	keys = calloc(XG_XDP_PORT_SLOTS, sizeof(*keys));
	vals = calloc(XG_XDP_PORT_SLOTS, sizeof(*vals));
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	if (bpf_map_lookup_batch(fd, NULL, &out, keys, vals, &count, NULL) &&
	    (errno != ENOENT || count != XG_XDP_PORT_SLOTS)) {
		for (__u32 p = 0; p < XG_XDP_PORT_SLOTS; p++)
			if (bpf_map_lookup_elem(fd, &p, &vals[p])) {
				err = -errno;
				goto out;
			}
	}
	for (__u32 p = 1; p < XG_XDP_PORT_SLOTS && n < max; p++)
		if (vals[p])
			ports[n++] = (__u16)p;
out:
	free(keys);
	free(vals);
	return err ? err : n;
}

int xg_xdp_ports_read(const char *ifname, __u16 *ports, int max)
{
	int fd, n;

	fd = open_map(ifname, XG_PIN_PORTS, sizeof(__u32), sizeof(__u8));
	if (fd < 0)
		return fd;
	n = ports_of(fd, ports, max);
	if (n < 0)
		pr_warn("error: %s: cannot read the ports map: %s\n", ifname,
			strerror(-n));
	close(fd);
	return n;
}

static bool has_port(const __u16 *ports, int n, __u16 p)
{
	for (int i = 0; i < n; i++)
		if (ports[i] == p)
			return true;
	return false;
}

int xg_xdp_ports_write(const char *ifname, const __u16 *ports, int n)
{
	__u16 old[XG_XDP_MAX_PORTS];
	int fd, nold, err = 0;
	__u8 one = 1, zero = 0;
	__u32 key;

	fd = open_map(ifname, XG_PIN_PORTS, sizeof(__u32), sizeof(__u8));
	if (fd < 0)
		return fd;
	nold = ports_of(fd, old, XG_XDP_MAX_PORTS);
	if (nold < 0) {
		err = nold;
		goto out;
	}
	/* add first, then remove: a port kept is never missing in between */
	for (int i = 0; i < n && !err; i++) {
		key = ports[i];
		if (bpf_map_update_elem(fd, &key, &one, BPF_ANY))
			err = -errno;
	}
	for (int i = 0; i < nold && !err; i++) {
		key = old[i];
		if (!has_port(ports, n, old[i]) &&
		    bpf_map_update_elem(fd, &key, &zero, BPF_ANY))
			err = -errno;
	}
out:
	if (err)
		pr_warn("error: %s: cannot update the ports map: %s\n", ifname,
			strerror(-err));
	close(fd);
	return err;
}
