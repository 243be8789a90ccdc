/* SPDX-License-Identifier: MIT */
/*
 * The live settings of a running instance, through its pins (see
 * xdp/loader.h): the `config` map, one row of xg_settings per member, and
 * the `ports` map. Writers are `xdpgame set`; the XDP program reads both at
 * every packet, so a change takes effect at the next one, with no restart
 * and no packet lost (a map update is atomic for the program's lookups).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "core/log.h"
#include "xdp/internal.h"

#define XG_SETTING(member, kind, max, help)                                   \
	{ #member, kind, offsetof(struct xg_xdp_config, member), max, help }

/* clang-format off */
const struct xg_setting xg_settings[] = {
	XG_SETTING(kernel_replies, XG_SET_BOOL, 1,
		   "answer HEARTBEAT in the XDP program (XDP_TX)"),
	XG_SETTING(redirect, XG_SET_BOOL, 1,
		   "valid game packets to the AF_XDP sockets (off: to "
		   "the kernel's)"),
};
/* clang-format on */
const int xg_nsettings = (int)ARRAY_SIZE(xg_settings);
_Static_assert(ARRAY_SIZE(xg_settings) <= XG_SETTINGS_MAX,
	       "raise XG_SETTINGS_MAX");

__u32 xg_setting_get(const struct xg_setting *s, const struct xg_xdp_config *c)
{
	__u32 v;

	memcpy(&v, (const char *)c + s->off, sizeof(v));
	return v;
}

void xg_setting_put(const struct xg_setting *s, struct xg_xdp_config *c,
		    __u32 v)
{
	memcpy((char *)c + s->off, &v, sizeof(v));
}

int xg_setting_parse(const struct xg_setting *s, const char *text, __u32 *v)
{
	uint64_t n;

	if (s->kind == XG_SET_BOOL) {
		if (!strcmp(text, "on") || !strcmp(text, "1"))
			*v = 1;
		else if (!strcmp(text, "off") || !strcmp(text, "0"))
			*v = 0;
		else
			return -EINVAL;
		return 0;
	}
	if (xg_parse_u64(text, 0, s->max, &n))
		return -EINVAL;
	*v = (__u32)n;
	return 0;
}

/* A pinned map of the instance, checked to have this build's layout. */
static int open_map(const char *ifname, const char *name, __u32 key_size,
		    __u32 value_size)
{
	struct bpf_map_info mi = {};
	__u32 len = sizeof(mi);
	char path[PIN_PATH_MAX];
	int fd, err;

	err = pins_check_ifname(ifname);
	if (err)
		return err;
	pins_path(path, ifname, name);
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

static int cmp_u16(const void *a, const void *b)
{
	return (int)*(const __u16 *)a - (int)*(const __u16 *)b;
}

/* Every key of the ports map (fd) into ports; how many, or -errno. */
static int ports_of(int fd, __u16 *ports, int max)
{
	__u16 key, next;
	void *prev = NULL;
	int n = 0;

	while (n < max && !bpf_map_get_next_key(fd, prev, &next)) {
		ports[n++] = next;
		key = next;
		prev = &key;
	}
	if (n < max && errno != ENOENT)
		return -errno;
	qsort(ports, (size_t)n, sizeof(*ports), cmp_u16);
	return n;
}

int xg_xdp_ports_read(const char *ifname, __u16 *ports, int max)
{
	int fd, n;

	fd = open_map(ifname, XG_PIN_PORTS, sizeof(__u16), sizeof(__u8));
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
	__u8 one = 1;

	fd = open_map(ifname, XG_PIN_PORTS, sizeof(__u16), sizeof(__u8));
	if (fd < 0)
		return fd;
	nold = ports_of(fd, old, XG_XDP_MAX_PORTS);
	if (nold < 0) {
		err = nold;
		goto out;
	}
	/* add first, then remove: a port kept is never missing in between */
	for (int i = 0; i < n && !err; i++)
		if (bpf_map_update_elem(fd, &ports[i], &one, BPF_ANY))
			err = -errno;
	for (int i = 0; i < nold && !err; i++)
		if (!has_port(ports, n, old[i]) &&
		    bpf_map_delete_elem(fd, &old[i]) && errno != ENOENT)
			err = -errno;
out:
	if (err)
		pr_warn("error: %s: cannot update the ports map: %s\n", ifname,
			strerror(-err));
	close(fd);
	return err;
}
