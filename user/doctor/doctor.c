/* SPDX-License-Identifier: MIT */
/*
 * `xdpgame doctor IFACE`: what this host and interface offer xdpgame, and
 * how they are tuned, as one verdict line per check with the command that
 * fixes it.
 *
 * Design: setup (dr_setup) asks the kernel once for what several checks
 * share (ifindex, driver, channels, XDP features, the attached program);
 * then the check table runs in order, each check recording exactly one
 * result (name, verdict, detail, fix) in the context; the text and the JSON
 * output are both printed from those recorded results.
 *
 * The doctor only reads, with one exception: on kernels without the netdev
 * netlink family (< 6.3) it cannot ask the driver for its XDP features, so
 * it attaches a two-instruction XDP_PASS program in native mode and removes
 * it at once (through a bpf_link where the kernel has one, so that even a
 * killed doctor leaves nothing behind), and only when no XDP program is
 * attached already.
 *
 * Network namespaces: ioctls and netlink follow the process's namespace,
 * but /sys/class/net shows the namespace that mounted /sys; the sysfs-based
 * checks say so (INFO) when the interface is not there.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <limits.h>
#include <mntent.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/ethtool.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/sockios.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli/cmds.h"
#include "core/log.h"
#include "core/util.h"

/* The netdev generic netlink family (include/uapi/linux/netdev.h, kernel
 * 6.3+); Debian 12's linux-libc-dev (6.1) does not have the header yet. */
enum {
	DR_NETDEV_CMD_DEV_GET = 1,
	DR_NETDEV_A_DEV_IFINDEX = 1,
	DR_NETDEV_A_DEV_XDP_FEATURES = 3,	/* u64, enum dr_xdp_act bits */
	DR_NETDEV_A_DEV_XDP_ZC_MAX_SEGS = 4,	/* u32 */
};

enum dr_xdp_act {
	DR_XDP_ACT_BASIC = 1,		/* XDP_ABORTED/DROP/PASS/TX */
	DR_XDP_ACT_REDIRECT = 2,
	DR_XDP_ACT_NDO_XMIT = 4,	/* a redirect target */
	DR_XDP_ACT_XSK_ZEROCOPY = 8,
	DR_XDP_ACT_HW_OFFLOAD = 16,
	DR_XDP_ACT_RX_SG = 32,		/* multi-buffer (large MTU) */
	DR_XDP_ACT_NDO_XMIT_SG = 64,
};

enum {
	DR_DETAIL_LEN = 1024,
	DR_FIX_LEN = 2048,
	DR_MAX_RESULTS = 32,
	DR_MAX_IRQS = 256,
	DR_NLBUF = 8192,		/* bytes: a CTRL_CMD_GETFAMILY reply fits */
	DR_XDP_MTU_MAX = 3498,		/* bytes: single-buffer XDP on most drivers */
	DR_MEMLOCK_WANT = 64 << 20,	/* bytes */
};

/* Kernel version as one comparable number. */
static inline int dr_kv(int major, int minor)
{
	return major * 1000 + minor;
}

enum dr_verdict { DR_OK, DR_WARN, DR_FAIL, DR_INFO, DR_NVERDICTS };

static const char *const verdict_tag[DR_NVERDICTS] = {
	"[ OK ]", "[WARN]", "[FAIL]", "[INFO]"
};
static const char *const verdict_json[DR_NVERDICTS] = {
	"ok", "warn", "fail", "info"
};

struct dr_result {
	const char *name;
	enum dr_verdict verdict;
	char detail[DR_DETAIL_LEN];
	char fix[DR_FIX_LEN];	/* empty: nothing to run */
};

struct dr_ctx {
	/* options */
	const char *ifarg;	/* the interface as given */
	char ifname[IF_NAMESIZE];
	bool json;
	uint16_t ports[XG_MAX_PORTS];
	int nports;
	int cpus[XG_MAX_CPUS];	/* worker CPUs, sorted, no duplicates */
	int ncpus;
	char cpulist[256];	/* the same, as "0-3,6" */

	/* what setup found */
	int ifindex;
	int sock;		/* AF_INET datagram socket for SIOCETHTOOL */
	struct utsname uts;
	int kver;		/* dr_kv(major, minor) */
	uint64_t caps;		/* effective capabilities */
	bool sysfs;		/* /sys/class/net/IFACE is this IFACE */
	bool virt;		/* no parent device: veth, lo, bridge ... */
	char driver[32];	/* empty: no ethtool driver info */
	char bus[32];		/* e.g. 0000:03:00.0; empty for virtual */
	char devname[64];	/* parent device's kernel name, e.g. virtio2 */
	int mtu;
	bool chan_known;
	int queues;		/* RX queues (combined + rx) */
	int max_queues;
	const char *chan_kind;	/* "combined" or "rx", for ethtool -L */
	bool feat_known;	/* the netdev netlink family answered */
	uint64_t xdp_feat;	/* enum dr_xdp_act bits */
	uint32_t zc_segs;
	uint32_t prog_id;	/* XDP program attached now, 0 none */
	uint8_t attach_mode;	/* XDP_ATTACHED_* */
	char prog_name[BPF_OBJ_NAME_LEN];

	/* results */
	const char *current;	/* name of the check running */
	struct dr_result res[DR_MAX_RESULTS];
	int nres;
};

struct dr_check {
	const char *name;
	void (*run)(struct dr_ctx *c);
};

/* ---- recording ------------------------------------------------------ */

__attribute__((format(printf, 3, 4)))
static void dr_record(struct dr_ctx *c, enum dr_verdict v, const char *fmt, ...)
{
	struct dr_result *r;
	va_list ap;

	if (c->nres == DR_MAX_RESULTS)
		return;
	r = &c->res[c->nres++];
	r->name = c->current;
	r->verdict = v;
	r->fix[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

/* Append one formatted item to buf, after `sep` unless buf is empty. An
 * item that does not fit is left out whole, never cut; false then. */
static bool dr_vappend(char *buf, size_t len, const char *sep,
		       const char *fmt, va_list ap)
{
	size_t used = strlen(buf), slen = used ? strlen(sep) : 0;
	char item[DR_FIX_LEN];
	int n = vsnprintf(item, sizeof(item), fmt, ap);

	if (n < 0 || (size_t)n >= sizeof(item) || used + slen + (size_t)n >= len)
		return false;
	snprintf(buf + used, len - used, "%s%s", used ? sep : "", item);
	return true;
}

__attribute__((format(printf, 4, 5)))
static bool dr_append(char *buf, size_t len, const char *sep,
		      const char *fmt, ...)
{
	va_list ap;
	bool ok;

	va_start(ap, fmt);
	ok = dr_vappend(buf, len, sep, fmt, ap);
	va_end(ap);
	return ok;
}

/* Add a command to the last result's fix; several are joined by " && ". */
__attribute__((format(printf, 2, 3)))
static void dr_fix(struct dr_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->nres)
		return;
	va_start(ap, fmt);
	dr_vappend(c->res[c->nres - 1].fix, DR_FIX_LEN, " && ", fmt, ap);
	va_end(ap);
}

/* ---- small helpers -------------------------------------------------- */

/* First line of a file, without its newline; 0 or -errno. */
static int dr_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	int err = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		err = -ENODATA;
	fclose(f);
	if (!err)
		buf[strcspn(buf, "\n")] = '\0';
	return err;
}

static int dr_read_long(const char *path, long *v)
{
	char buf[64], *end;
	int err = dr_read_line(path, buf, sizeof(buf));

	if (err)
		return err;
	*v = strtol(buf, &end, 10);
	return end == buf ? -EINVAL : 0;
}

/* /sys/class/net/IFACE/<file> as a number. */
static int dr_sys_long(struct dr_ctx *c, const char *file, long *v)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", c->ifname, file);
	return dr_read_long(path, v);
}

/* Bounded string copy that always terminates (names may be cut). */
static void dr_copy(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static bool dr_has_cap(const struct dr_ctx *c, int cap)
{
	return c->caps & (1ull << cap);
}

static int dr_ethtool(struct dr_ctx *c, void *cmd)
{
	struct ifreq ifr = {};

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", c->ifname);
	ifr.ifr_data = cmd;
	return ioctl(c->sock, SIOCETHTOOL, &ifr) ? -errno : 0;
}

static bool dr_cpu_in(const int *cpus, int n, int cpu)
{
	for (int i = 0; i < n; i++)
		if (cpus[i] == cpu)
			return true;
	return false;
}

static int dr_cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Sort and deduplicate a CPU list; returns the new count. */
static int dr_cpus_normalize(int *cpus, int n)
{
	int out = 0;

	qsort(cpus, (size_t)n, sizeof(*cpus), dr_cmp_int);
	for (int i = 0; i < n; i++)
		if (!out || cpus[out - 1] != cpus[i])
			cpus[out++] = cpus[i];
	return out;
}

/* A sorted CPU list as "0-3,6". */
static void dr_fmt_cpulist(const int *cpus, int n, char *buf, size_t len)
{
	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		int j = i;

		while (j + 1 < n && cpus[j + 1] == cpus[j] + 1)
			j++;
		if (j > i)
			dr_append(buf, len, ",", "%d-%d", cpus[i], cpus[j]);
		else
			dr_append(buf, len, ",", "%d", cpus[i]);
		i = j;
	}
}

/* Does `name` occur in `s` as a whole word (not inside a longer name)? */
static bool dr_has_word(const char *s, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	if (!n)
		return false;
	for (p = strstr(s, name); p; p = strstr(p + 1, name)) {
		bool start = p == s || !(isalnum((unsigned char)p[-1]) ||
					 p[-1] == '_');
		bool end = !isalnum((unsigned char)p[n]) && p[n] != '_';

		if (start && end)
			return true;
	}
	return false;
}

static void dr_fmt_bytes(unsigned long long v, char *buf, size_t len)
{
	if (v == (unsigned long long)RLIM_INFINITY)
		snprintf(buf, len, "unlimited");
	else if (v >= 1 << 20)
		snprintf(buf, len, "%llu MiB", v >> 20);
	else
		snprintf(buf, len, "%llu KiB", v >> 10);
}

/* ---- generic netlink: the driver's XDP features --------------------- */

struct dr_nlmsg {
	struct nlmsghdr nh;
	struct genlmsghdr gh;
	char attrs[DR_NLBUF];
};

static void dr_nl_init(struct dr_nlmsg *m, uint16_t family, uint8_t cmd)
{
	memset(&m->nh, 0, sizeof(m->nh));
	m->nh.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN;
	m->nh.nlmsg_type = family;
	m->nh.nlmsg_flags = NLM_F_REQUEST;
	m->gh.cmd = cmd;
	m->gh.version = 1;
	m->gh.reserved = 0;
}

static void dr_nl_put(struct dr_nlmsg *m, uint16_t type, const void *data,
		      uint16_t len)
{
	struct nlattr *a = (void *)((char *)m + NLMSG_ALIGN(m->nh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	m->nh.nlmsg_len = NLMSG_ALIGN(m->nh.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

/* Send the request in *m and read its one reply back into *m. */
static int dr_nl_call(int fd, struct dr_nlmsg *m)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	ssize_t n;

	if (sendto(fd, m, m->nh.nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0)
		return -errno;
	n = recv(fd, m, sizeof(*m), 0);
	if (n < 0)
		return -errno;
	if (!NLMSG_OK(&m->nh, (size_t)n))
		return -EPROTO;
	if (m->nh.nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(&m->nh);

		return e->error ? e->error : -ENODATA;
	}
	return 0;
}

/* The payload of attribute `type` in a reply, or NULL. */
static const void *dr_nl_find(const struct dr_nlmsg *m, uint16_t type,
			      uint16_t want_len)
{
	const char *p = m->attrs, *end = (const char *)m + m->nh.nlmsg_len;

	while (p + NLA_HDRLEN <= end) {
		const struct nlattr *a = (const void *)p;

		if (a->nla_len < NLA_HDRLEN || p + a->nla_len > end)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a->nla_len - NLA_HDRLEN >= want_len ?
				       p + NLA_HDRLEN : NULL;
		p += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}

static int dr_genl_family(int fd, struct dr_nlmsg *m, const char *name)
{
	const void *id;
	uint16_t v;
	int err;

	dr_nl_init(m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY);
	dr_nl_put(m, CTRL_ATTR_FAMILY_NAME, name, (uint16_t)(strlen(name) + 1));
	err = dr_nl_call(fd, m);
	if (err)
		return err;
	id = dr_nl_find(m, CTRL_ATTR_FAMILY_ID, sizeof(v));
	if (!id)
		return -EPROTO;
	memcpy(&v, id, sizeof(v));
	return v;
}

/* Ask the netdev family for the driver's XDP features (kernel 6.3+). */
static int dr_query_xdp_features(struct dr_ctx *c)
{
	struct timeval tv = { .tv_sec = 2 };
	struct dr_nlmsg *m = calloc(1, sizeof(*m));
	uint32_t ifindex = (uint32_t)c->ifindex;
	const void *feat, *segs;
	int fd, fam, err;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0 || !m) {
		err = fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	err = fam = dr_genl_family(fd, m, "netdev");
	if (fam < 0)
		goto out;
	dr_nl_init(m, (uint16_t)fam, DR_NETDEV_CMD_DEV_GET);
	dr_nl_put(m, DR_NETDEV_A_DEV_IFINDEX, &ifindex, sizeof(ifindex));
	err = dr_nl_call(fd, m);
	feat = err ? NULL : dr_nl_find(m, DR_NETDEV_A_DEV_XDP_FEATURES, 8);
	if (!err && !feat)
		err = -EPROTO;
	if (!err) {
		memcpy(&c->xdp_feat, feat, sizeof(c->xdp_feat));
		segs = dr_nl_find(m, DR_NETDEV_A_DEV_XDP_ZC_MAX_SEGS, 4);
		if (segs)
			memcpy(&c->zc_segs, segs, sizeof(c->zc_segs));
		c->feat_known = true;
	}
out:
	if (fd >= 0)
		close(fd);
	free(m);
	return err;
}

static void dr_fmt_xdp_features(uint64_t f, char *buf, size_t len)
{
	static const struct { uint64_t bit; const char *name; } names[] = {
		{ DR_XDP_ACT_BASIC, "basic" },
		{ DR_XDP_ACT_REDIRECT, "redirect" },
		{ DR_XDP_ACT_NDO_XMIT, "ndo-xmit" },
		{ DR_XDP_ACT_XSK_ZEROCOPY, "xsk-zerocopy" },
		{ DR_XDP_ACT_HW_OFFLOAD, "hw-offload" },
		{ DR_XDP_ACT_RX_SG, "rx-sg" },
		{ DR_XDP_ACT_NDO_XMIT_SG, "ndo-xmit-sg" },
	};
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (f & names[i].bit)
			dr_append(buf, len, ",", "%s", names[i].name);
	if (!buf[0])
		snprintf(buf, len, "none");
}

/* ---- setup: what several checks share ------------------------------- */

static void dr_probe_caps(struct dr_ctx *c)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = {};

	if (syscall(SYS_capget, &h, d))
		return;
	c->caps = (uint64_t)d[1].effective << 32 | d[0].effective;
}

/* Driver info, and whether /sys/class/net shows our interface. */
static void dr_probe_device(struct dr_ctx *c)
{
	struct ethtool_drvinfo di = { .cmd = ETHTOOL_GDRVINFO };
	char path[PATH_MAX], link[PATH_MAX];
	struct ifreq ifr = {};
	long idx;
	ssize_t n;

	if (!dr_ethtool(c, &di)) {
		dr_copy(c->driver, sizeof(c->driver), di.driver);
		dr_copy(c->bus, sizeof(c->bus), di.bus_info);
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", c->ifname);
	if (!ioctl(c->sock, SIOCGIFMTU, &ifr))
		c->mtu = ifr.ifr_mtu;
	c->sysfs = !dr_sys_long(c, "ifindex", &idx) && idx == c->ifindex;
	c->virt = !c->bus[0] || !strcmp(c->bus, "N/A");
	if (!c->sysfs)
		return;
	snprintf(path, sizeof(path), "/sys/class/net/%s/device", c->ifname);
	n = readlink(path, link, sizeof(link) - 1);
	c->virt = n <= 0;
	if (n > 0) {
		link[n] = '\0';
		dr_copy(c->devname, sizeof(c->devname),
			strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
	}
}

static void dr_probe_channels(struct dr_ctx *c)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };

	if (dr_ethtool(c, &ch))
		return;
	c->chan_known = true;
	c->queues = (int)(ch.combined_count + ch.rx_count);
	c->chan_kind = ch.max_combined ? "combined" : "rx";
	c->max_queues = (int)(ch.max_combined ? ch.max_combined : ch.max_rx);
	if (ch.max_combined && ch.max_rx)
		c->max_queues += (int)ch.max_rx;
}

static void dr_probe_xdp_prog(struct dr_ctx *c)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd;

	if (bpf_xdp_query(c->ifindex, 0, &q))
		return;
	/* in "several" mode prog_id is 0 and each mode has its own id */
	c->prog_id = q.prog_id ? q.prog_id : q.drv_prog_id ? q.drv_prog_id :
		     q.skb_prog_id ? q.skb_prog_id : q.hw_prog_id;
	c->attach_mode = q.attach_mode;
	if (!c->prog_id)
		return;
	snprintf(c->prog_name, sizeof(c->prog_name), "?");
	fd = bpf_prog_get_fd_by_id(c->prog_id);
	if (fd < 0)
		return;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		dr_copy(c->prog_name, sizeof(c->prog_name), info.name);
	close(fd);
}

/* 0, or 1 with one line printed when the interface does not exist. */
static int dr_setup(struct dr_ctx *c)
{
	int major = 0, minor = 0;

	if (strlen(c->ifarg) < sizeof(c->ifname))
		strcpy(c->ifname, c->ifarg);
	c->ifindex = c->ifname[0] ? (int)if_nametoindex(c->ifname) : 0;
	if (!c->ifindex) {
		pr_warn("error: no interface named '%s' in this network namespace; list them with `ip link`\n",
			c->ifarg);
		return XG_EXIT_FAIL;
	}
	c->sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (c->sock < 0) {
		pr_warn("error: doctor: cannot open a socket: %s\n", strerror(errno));
		return XG_EXIT_FAIL;
	}
	uname(&c->uts);
	sscanf(c->uts.release, "%d.%d", &major, &minor);
	c->kver = dr_kv(major, minor);
	dr_probe_caps(c);
	dr_probe_device(c);
	dr_probe_channels(c);
	if (dr_query_xdp_features(c))
		pr_debug("doctor: no netdev netlink family; XDP features unknown\n");
	dr_probe_xdp_prog(c);
	return 0;
}

/* Checks that read /sys/class/net/IFACE first make sure it is ours. */
static bool dr_need_sysfs(struct dr_ctx *c)
{
	if (c->sysfs)
		return true;
	dr_record(c, DR_INFO,
		  "%s is not under /sys/class/net: /sys was mounted in another network namespace, so the per-device settings cannot be read here (`ip netns exec NS xdpgame doctor %s` remounts /sys)",
		  c->ifname, c->ifname);
	return false;
}

/* ---- checks: privileges, interface, driver -------------------------- */

static void check_privileges(struct dr_ctx *c)
{
	static const struct { int cap; const char *name; } need[] = {
		{ CAP_NET_ADMIN, "CAP_NET_ADMIN" },
		{ CAP_BPF, "CAP_BPF" },
		{ CAP_SYS_ADMIN, "CAP_SYS_ADMIN" },
	};
	char miss[128] = "";
	long last = CAP_LAST_CAP;

	/* before 5.8 there is no CAP_BPF and CAP_SYS_ADMIN covers it */
	dr_read_long("/proc/sys/kernel/cap_last_cap", &last);
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (need[i].cap <= last && !dr_has_cap(c, need[i].cap))
			dr_append(miss, sizeof(miss), ", ", "%s", need[i].name);
	if (!miss[0]) {
		dr_record(c, DR_OK, geteuid() == 0 ? "running as root" :
			  "not root, but has CAP_NET_ADMIN, CAP_BPF and CAP_SYS_ADMIN");
		return;
	}
	dr_record(c, DR_FAIL,
		  "euid %u lacks %s: loading XDP, AF_XDP sockets and pinning need them; run as root",
		  (unsigned)geteuid(), miss);
	dr_fix(c, "sudo xdpgame doctor %s", c->ifname);
}

/* Addresses a client can reach (IPv4, or IPv6 other than link-local). */
static int dr_addresses(struct dr_ctx *c, char *buf, size_t len)
{
	struct ifaddrs *ifa, *i;
	int n = 0;

	buf[0] = '\0';
	if (getifaddrs(&ifa))
		return -errno;
	for (i = ifa; i; i = i->ifa_next) {
		const struct sockaddr_in6 *a6 = (const void *)i->ifa_addr;
		const struct sockaddr_in *a4 = (const void *)i->ifa_addr;
		char s[INET6_ADDRSTRLEN];

		if (!i->ifa_addr || strcmp(i->ifa_name, c->ifname))
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			inet_ntop(AF_INET, &a4->sin_addr, s, sizeof(s));
		else if (i->ifa_addr->sa_family == AF_INET6 &&
			 !IN6_IS_ADDR_LINKLOCAL(&a6->sin6_addr))
			inet_ntop(AF_INET6, &a6->sin6_addr, s, sizeof(s));
		else
			continue;
		dr_append(buf, len, ", ", "%s", s);
		n++;
	}
	freeifaddrs(ifa);
	return n;
}

static void check_interface(struct dr_ctx *c)
{
	struct ifreq ifr = {};
	char addrs[512];
	int naddr = dr_addresses(c, addrs, sizeof(addrs));
	short fl;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", c->ifname);
	fl = ioctl(c->sock, SIOCGIFFLAGS, &ifr) ? 0 : ifr.ifr_flags;
	if (!(fl & IFF_UP) || naddr <= 0) {
		dr_record(c, DR_FAIL, "ifindex %d is %s and has %s", c->ifindex,
			  fl & IFF_UP ? "up" : "down",
			  naddr > 0 ? addrs : "no IP address, so no client can reach the game");
		if (!(fl & IFF_UP))
			dr_fix(c, "ip link set dev %s up", c->ifname);
		if (naddr <= 0)
			dr_fix(c, "ip addr add 192.0.2.1/24 dev %s", c->ifname);
		return;
	}
	if (!(fl & IFF_RUNNING)) {
		dr_record(c, DR_WARN,
			  "ifindex %d is up but has no carrier (cable, switch port, or the veth peer is down); addresses %s",
			  c->ifindex, addrs);
		dr_fix(c, "ethtool %s | grep 'Link detected'", c->ifname);
		return;
	}
	dr_record(c, DR_OK, "ifindex %d, up, carrier, mtu %d, addresses %s",
		  c->ifindex, c->mtu, addrs);
}

static void check_driver(struct dr_ctx *c)
{
	if (!c->driver[0]) {
		dr_record(c, DR_INFO,
			  "no ethtool driver information (a virtual device such as lo)");
		return;
	}
	if (c->virt)
		dr_record(c, DR_OK, "%s (virtual device)", c->driver);
	else if (c->devname[0] && strcmp(c->devname, c->bus))
		dr_record(c, DR_OK, "%s at %s (device %s)", c->driver, c->bus,
			  c->devname);
	else
		dr_record(c, DR_OK, "%s at %s", c->driver, c->bus);
}

/* ---- checks: XDP ---------------------------------------------------- */

static const char *dr_mode_name(uint8_t mode)
{
	switch (mode) {
	case XDP_ATTACHED_DRV: return "native";
	case XDP_ATTACHED_SKB: return "generic";
	case XDP_ATTACHED_HW: return "offloaded";
	case XDP_ATTACHED_MULTI: return "several";
	default: return "no";
	}
}

/* iproute2's keyword for a mode: `ip link set dev X xdpgeneric off`. */
static const char *dr_mode_keyword(uint8_t mode)
{
	switch (mode) {
	case XDP_ATTACHED_DRV: return "xdpdrv";
	case XDP_ATTACHED_SKB: return "xdpgeneric";
	case XDP_ATTACHED_HW: return "xdpoffload";
	default: return "xdp";
	}
}

static void check_xdp_attached(struct dr_ctx *c)
{
	const char *mode = dr_mode_name(c->attach_mode);
	char pins[PATH_MAX];
	struct stat st;

	snprintf(pins, sizeof(pins), "/sys/fs/bpf/xdpgame/%s", c->ifname);
	if (!c->prog_id && !stat(pins, &st)) {
		dr_record(c, DR_WARN,
			  "no XDP program attached, but %s holds pins left by an xdpgame that was killed",
			  pins);
		dr_fix(c, "xdpgame detach %s", c->ifname);
	} else if (!c->prog_id) {
		dr_record(c, DR_OK, "no XDP program attached");
	} else if (!strcmp(c->prog_name, "xdp_dispatcher")) {
		dr_record(c, DR_INFO,
			  "libxdp dispatcher id %u attached in %s mode: xdpgame's program can run next to the programs it holds",
			  c->prog_id, mode);
	} else if (!strncmp(c->prog_name, "xdpgame", 7)) {
		dr_record(c, DR_INFO,
			  "xdpgame program id %u attached in %s mode: an xdpgame instance is running, or one was killed (then remove it with the fix)",
			  c->prog_id, mode);
		dr_fix(c, "xdpgame detach %s", c->ifname);
	} else {
		dr_record(c, DR_WARN,
			  "program id %u '%s' from another tool is attached in %s mode: xdpgame cannot attach next to it; removing it stops whatever loaded it",
			  c->prog_id, c->prog_name, mode);
		dr_fix(c, "ip link set dev %s %s off", c->ifname,
		       dr_mode_keyword(c->attach_mode));
	}
}

/* Attach a pass-through program in native mode for an instant. Through a
 * bpf_link (5.9+) it goes away with the link's fd even if we are killed. */
static int dr_try_native(struct dr_ctx *c)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
		  .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	libbpf_print_fn_t print;
	int fd, link, err = 0;

	/* the expected "driver does not support XDP" is the finding, not noise */
	print = libbpf_set_print(NULL);
	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "xg_doctor_probe", "GPL", insns,
			   sizeof(insns) / sizeof(insns[0]), NULL);
	if (fd < 0) {
		libbpf_set_print(print);
		return fd;
	}
	if (c->kver >= dr_kv(5, 9)) {
		LIBBPF_OPTS(bpf_link_create_opts, lo, .flags = XDP_FLAGS_DRV_MODE);

		link = bpf_link_create(fd, c->ifindex, BPF_XDP, &lo);
		err = link < 0 ? link : 0;
		if (link >= 0)
			close(link);
	} else {
		LIBBPF_OPTS(bpf_xdp_attach_opts, ao, .old_prog_fd = fd);

		err = bpf_xdp_attach(c->ifindex, fd, XDP_FLAGS_DRV_MODE |
				     XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
		if (!err)
			bpf_xdp_detach(c->ifindex, XDP_FLAGS_DRV_MODE |
				       XDP_FLAGS_REPLACE, &ao);
	}
	close(fd);
	libbpf_set_print(print);
	return err;
}

static void dr_no_native(struct dr_ctx *c, const char *why)
{
	dr_record(c, DR_WARN,
		  "%s: %s; xdpgame falls back to generic (skb) XDP, which works but costs an skb per packet",
		  c->driver[0] ? c->driver : c->ifname, why);
	dr_fix(c, "xdpgame attach %s --mode generic --port %u", c->ifname,
	       c->nports ? c->ports[0] : 4000);
}

/* Kernels before 6.3 cannot say; try it when that disturbs nothing. */
static void dr_probe_native(struct dr_ctx *c)
{
	int err;

	if (c->prog_id && c->attach_mode == XDP_ATTACHED_DRV) {
		dr_record(c, DR_OK, "a program is attached in native mode, so the driver has native XDP");
		return;
	}
	if (c->prog_id) {
		dr_record(c, DR_INFO, "unknown: the kernel cannot report XDP features and the doctor never disturbs the program attached in %s mode",
			  dr_mode_name(c->attach_mode));
		return;
	}
	if (!dr_has_cap(c, CAP_NET_ADMIN) || !dr_has_cap(c, CAP_BPF)) {
		dr_record(c, DR_INFO, "unknown: the kernel cannot report XDP features and probing needs root");
		dr_fix(c, "sudo xdpgame doctor %s", c->ifname);
		return;
	}
	err = dr_try_native(c);
	if (!err)
		dr_record(c, DR_OK, "native XDP works (probed: a pass-through program attached and removed)");
	else if (err == -EOPNOTSUPP)
		dr_no_native(c, "no native XDP (probe attach: operation not supported)");
	else
		dr_record(c, DR_INFO, "unknown: probe attach failed: %s",
			  strerror(-err));
}

static void check_xdp_native(struct dr_ctx *c)
{
	const uint64_t want = DR_XDP_ACT_BASIC | DR_XDP_ACT_REDIRECT;
	char feat[128];

	if (!c->feat_known) {
		dr_probe_native(c);
		return;
	}
	dr_fmt_xdp_features(c->xdp_feat, feat, sizeof(feat));
	if (!(c->xdp_feat & DR_XDP_ACT_BASIC)) {
		dr_no_native(c, "the driver has no native XDP");
	} else if ((c->xdp_feat & want) != want) {
		dr_no_native(c, "native XDP without XDP_REDIRECT, so it cannot feed AF_XDP sockets");
	} else if (c->mtu > DR_XDP_MTU_MAX && !(c->xdp_feat & DR_XDP_ACT_RX_SG)) {
		dr_record(c, DR_WARN,
			  "native XDP (%s), but mtu %d is above what single-buffer XDP takes (about %d) and the driver has no multi-buffer XDP: native attach will fail",
			  feat, c->mtu, DR_XDP_MTU_MAX);
		dr_fix(c, "ip link set dev %s mtu 1500", c->ifname);
	} else {
		dr_record(c, DR_OK, "native XDP with redirect (features: %s)%s",
			  feat, !strcmp(c->driver, "veth") ?
			  "; on veth, XDP_TX and redirects out need an XDP program on the peer too" : "");
	}
}

static void check_xdp_zerocopy(struct dr_ctx *c)
{
	if (!c->feat_known) {
		dr_record(c, DR_INFO, "unknown; xdpgame tries it at attach and falls back to copy mode");
		return;
	}
	if (c->xdp_feat & DR_XDP_ACT_XSK_ZEROCOPY) {
		if (c->zc_segs > 1)
			dr_record(c, DR_OK, "AF_XDP zero-copy supported, up to %u buffers per packet",
				  c->zc_segs);
		else
			dr_record(c, DR_OK, "AF_XDP zero-copy supported");
		return;
	}
	dr_record(c, DR_INFO,
		  "%s has no AF_XDP zero-copy: sockets run in copy mode (one copy per packet, still bypassing the kernel stack)",
		  c->driver[0] ? c->driver : c->ifname);
}

/* ---- checks: queues, RSS, ntuple ------------------------------------ */

static void check_queues(struct dr_ctx *c)
{
	int want = c->ncpus < c->max_queues ? c->ncpus : c->max_queues;

	if (!c->chan_known) {
		dr_record(c, DR_INFO,
			  "the driver does not report its queues (ethtool -l): xdpgame finds the queue count at attach");
	} else if (c->queues == c->ncpus) {
		dr_record(c, DR_OK, "%d RX queue(s) for %d worker CPU(s) (max %d)",
			  c->queues, c->ncpus, c->max_queues);
	} else if (c->queues < c->ncpus && c->max_queues > c->queues) {
		dr_record(c, DR_WARN,
			  "%d RX queue(s) for %d worker CPUs (max %d): one AF_XDP worker serves each queue, so CPUs sit idle",
			  c->queues, c->ncpus, c->max_queues);
		dr_fix(c, "ethtool -L %s %s %d", c->ifname, c->chan_kind, want);
	} else if (c->queues < c->ncpus) {
		dr_record(c, DR_INFO,
			  "%d RX queue(s), the most %s allows, for %d worker CPUs: only %d worker(s) get a queue",
			  c->queues, c->driver[0] ? c->driver : "the driver",
			  c->ncpus, c->queues);
	} else {
		dr_record(c, DR_WARN,
			  "%d RX queues but %d worker CPUs (%s): workers would share CPUs; match them",
			  c->queues, c->ncpus, c->cpulist);
		dr_fix(c, "ethtool -L %s %s %d", c->ifname, c->chan_kind, c->ncpus);
	}
}

/* RSS indirection table: its size and how many distinct queues it uses. */
static int dr_rss_table(struct dr_ctx *c, int *size, int *distinct)
{
	struct ethtool_rxfh hdr = { .cmd = ETHTOOL_GRSSH }, *t;
	bool seen[XG_MAX_QUEUES * 16] = {};
	int err = dr_ethtool(c, &hdr);

	if (err)
		return err;
	*size = (int)hdr.indir_size;
	*distinct = 0;
	if (!hdr.indir_size)
		return 0;
	t = calloc(1, sizeof(*t) + hdr.indir_size * 4 + hdr.key_size);
	if (!t)
		return -ENOMEM;
	*t = hdr;
	err = dr_ethtool(c, t);
	for (__u32 i = 0; !err && i < t->indir_size; i++) {
		__u32 q = t->rss_config[i];

		if (q < sizeof(seen) && !seen[q]) {
			seen[q] = true;
			(*distinct)++;
		}
	}
	free(t);
	return err;
}

/* Does the NIC hash UDP/IPv4 on ports too (not just addresses)? */
static int dr_udp4_hash_ports(struct dr_ctx *c, bool *ports)
{
	struct ethtool_rxnfc nfc = { .cmd = ETHTOOL_GRXFH, .flow_type = UDP_V4_FLOW };
	const __u64 both = RXH_L4_B_0_1 | RXH_L4_B_2_3;
	int err = dr_ethtool(c, &nfc);

	if (!err)
		*ports = (nfc.data & both) == both;
	return err;
}

static void check_rss(struct dr_ctx *c)
{
	int size = 0, used = 0, err = dr_rss_table(c, &size, &used);
	bool ports = true, hash_known = !dr_udp4_hash_ports(c, &ports);
	bool narrow, addr_only;

	if (err || !size) {
		dr_record(c, DR_INFO, "no RSS indirection table (%s): %s",
			  err ? strerror(-err) : "size 0",
			  c->queues > 1 ? "the NIC does not spread flows over its queues by a table" :
			  c->queues == 1 ? "with one RX queue none is needed" :
					   "a device without queues to spread over");
		return;
	}
	narrow = used < c->queues;
	addr_only = hash_known && !ports && c->queues > 1;
	if (!narrow && !addr_only) {
		dr_record(c, DR_OK, "indirection table of %d entries spreads over %d queue(s)%s",
			  size, used, hash_known && ports ? "; UDP/IPv4 hash includes ports" : "");
		return;
	}
	dr_record(c, DR_WARN, "indirection table of %d entries uses %d of %d queues%s",
		  size, used, c->queues, addr_only ?
		  "; UDP/IPv4 is hashed on addresses only, so clients behind one NAT share a queue" : "");
	if (narrow)
		dr_fix(c, "ethtool -X %s equal %d", c->ifname, c->queues);
	if (addr_only)
		dr_fix(c, "ethtool -N %s rx-flow-hash udp4 sdfn", c->ifname);
}

/* Index of a feature name in the ETH_SS_FEATURES string set, or -errno. */
static int dr_feature_bit(struct dr_ctx *c, const char *name, int *count)
{
	union {
		struct ethtool_sset_info h;
		char room[sizeof(struct ethtool_sset_info) + sizeof(__u32)];
	} si = { .h = { .cmd = ETHTOOL_GSSET_INFO,
			.sset_mask = 1ull << ETH_SS_FEATURES } };
	struct ethtool_gstrings *gs;
	int err = dr_ethtool(c, &si), bit = -ENOENT;
	__u32 n;

	if (err)
		return err;
	n = si.h.sset_mask ? si.h.data[0] : 0;
	if (!n)
		return -EOPNOTSUPP;
	gs = calloc(1, sizeof(*gs) + (size_t)n * ETH_GSTRING_LEN);
	if (!gs)
		return -ENOMEM;
	gs->cmd = ETHTOOL_GSTRINGS;
	gs->string_set = ETH_SS_FEATURES;
	gs->len = n;
	err = dr_ethtool(c, gs);
	for (__u32 i = 0; !err && bit < 0 && i < gs->len; i++)
		if (!strncmp((char *)gs->data + i * ETH_GSTRING_LEN, name,
			     ETH_GSTRING_LEN))
			bit = (int)i;
	free(gs);
	*count = (int)n;
	return err ? err : bit;
}

/* Can this feature be switched (available), and is it on (active)? */
static int dr_feature(struct dr_ctx *c, const char *name, bool *avail, bool *active)
{
	struct ethtool_gfeatures *gf;
	int count = 0, bit = dr_feature_bit(c, name, &count), blocks, err;

	if (bit < 0)
		return bit;
	blocks = (count + 31) / 32;
	gf = calloc(1, sizeof(*gf) + (size_t)blocks * sizeof(gf->features[0]));
	if (!gf)
		return -ENOMEM;
	gf->cmd = ETHTOOL_GFEATURES;
	gf->size = (__u32)blocks;
	err = dr_ethtool(c, gf);
	if (!err) {
		*avail = gf->features[bit / 32].available & (1u << (bit % 32));
		*active = gf->features[bit / 32].active & (1u << (bit % 32));
	}
	free(gf);
	return err;
}

static void dr_ntuple_fix(struct dr_ctx *c)
{
	dr_fix(c, "ethtool -K %s ntuple on", c->ifname);
	if (!c->nports)
		dr_fix(c, "ethtool -N %s flow-type udp4 dst-port 4000 action 0",
		       c->ifname);
	for (int i = 0; i < c->nports; i++)
		dr_fix(c, "ethtool -N %s flow-type udp4 dst-port %u action %d",
		       c->ifname, c->ports[i], c->queues > 0 ? i % c->queues : 0);
}

static void check_ntuple(struct dr_ctx *c)
{
	struct ethtool_rxnfc cnt = { .cmd = ETHTOOL_GRXCLSRLCNT };
	struct ethtool_value fl = { .cmd = ETHTOOL_GFLAGS };
	bool avail = false, active = false;
	int err = dr_feature(c, "rx-ntuple-filter", &avail, &active);

	if (err && !dr_ethtool(c, &fl)) {	/* old drivers: flags only */
		active = fl.data & ETH_FLAG_NTUPLE;
		avail = active;
		err = 0;
	}
	if (err || (!avail && !active)) {
		dr_record(c, DR_INFO,
			  "%s has no ntuple filters: RSS alone spreads the game traffic over the queues",
			  c->driver[0] ? c->driver : c->ifname);
	} else if (c->queues <= 1 && c->max_queues <= 1) {
		dr_record(c, DR_INFO, "ntuple filters %s, but one RX queue: nothing to steer",
			  active ? "on" : "off");
	} else if (!active) {
		dr_record(c, DR_INFO,
			  "ntuple filters available but off: needed only to keep the game ports on chosen queues (attach --queues N on fewer than all queues)");
		dr_ntuple_fix(c);
	} else {
		dr_record(c, DR_OK, "ntuple filters on, %d rule(s) installed",
			  dr_ethtool(c, &cnt) ? 0 : (int)cnt.rule_cnt);
	}
}

/* ---- checks: busy polling and NAPI ---------------------------------- */

static void check_busy_poll(struct dr_ctx *c)
{
	long poll, rd;

	if (dr_read_long("/proc/sys/net/core/busy_poll", &poll) ||
	    dr_read_long("/proc/sys/net/core/busy_read", &rd)) {
		dr_record(c, DR_INFO, "net.core.busy_poll/busy_read are not visible in this network namespace");
		return;
	}
	if (poll > 0 && rd > 0) {
		dr_record(c, DR_OK, "busy_poll=%ld busy_read=%ld (us)", poll, rd);
		return;
	}
	dr_record(c, DR_WARN,
		  "busy_poll=%ld busy_read=%ld: kernel sockets (the fallback engine) sleep for interrupts; AF_XDP workers busy-poll on their own with --busy-poll",
		  poll, rd);
	dr_fix(c, "sysctl -w net.core.busy_poll=50 net.core.busy_read=50");
}

static void check_napi_defer(struct dr_ctx *c)
{
	long defer, gro;

	if (!dr_need_sysfs(c))
		return;
	if (dr_sys_long(c, "napi_defer_hard_irqs", &defer) ||
	    dr_sys_long(c, "gro_flush_timeout", &gro)) {
		dr_record(c, DR_INFO, "no napi_defer_hard_irqs/gro_flush_timeout in sysfs (kernel < 5.10)");
		return;
	}
	if (defer > 0 && gro > 0) {
		dr_record(c, DR_OK,
			  "napi_defer_hard_irqs=%ld gro_flush_timeout=%ld ns: interrupts stay off while workers busy-poll",
			  defer, gro);
		return;
	}
	if (c->virt) {
		dr_record(c, DR_INFO,
			  "napi_defer_hard_irqs=%ld gro_flush_timeout=%ld: they defer NIC interrupts, and a virtual device has none",
			  defer, gro);
		return;
	}
	dr_record(c, DR_WARN,
		  "napi_defer_hard_irqs=%ld gro_flush_timeout=%ld: with --busy-poll, interrupts still fire between polls; 2 and 200000 (ns) let the workers keep them off",
		  defer, gro);
	dr_fix(c, "echo 2 > /sys/class/net/%s/napi_defer_hard_irqs", c->ifname);
	dr_fix(c, "echo 200000 > /sys/class/net/%s/gro_flush_timeout", c->ifname);
}

static void check_threaded_napi(struct dr_ctx *c)
{
	long v;

	if (!dr_need_sysfs(c))
		return;
	if (dr_sys_long(c, "threaded", &v)) {
		dr_record(c, DR_INFO, "no threaded NAPI knob (kernel < 5.12)");
	} else if (v == 0) {
		dr_record(c, DR_INFO,
			  "NAPI runs in softirq (threaded=0): fine with --busy-poll; without it, threaded NAPI gives kthreads you can pin away from the workers");
		dr_fix(c, "echo 1 > /sys/class/net/%s/threaded", c->ifname);
	} else {
		dr_record(c, DR_OK,
			  "threaded NAPI (threaded=%ld): pin the napi/%s-* kthreads away from the worker CPUs",
			  v, c->ifname);
	}
}

/* ---- checks: CPUs, NUMA, IRQs --------------------------------------- */

static void check_cpu_governor(struct dr_ctx *c)
{
	char path[PATH_MAX], gov[32], first[64] = "";
	int found = 0, slow = 0;

	for (int i = 0; i < c->ncpus; i++) {
		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%d/cpufreq/scaling_governor",
			 c->cpus[i]);
		if (dr_read_line(path, gov, sizeof(gov)))
			continue;
		found++;
		if (strcmp(gov, "performance") && !slow++)
			snprintf(first, sizeof(first), "cpu%d: %s", c->cpus[i], gov);
	}
	if (!found)
		dr_record(c, DR_INFO, "no cpufreq (VM?): the host decides the CPU frequency");
	else if (!slow)
		dr_record(c, DR_OK, "performance on all %d worker CPU(s) with cpufreq", found);
	else {
		dr_record(c, DR_WARN,
			  "%d of %d worker CPU(s) not on the performance governor (%s): frequency ramps add latency spikes",
			  slow, found, first);
		dr_fix(c, "cpupower -c %s frequency-set -g performance", c->cpulist);
	}
}

/* The NIC's NUMA node: the device's own, else its bus parent's (virtio). */
static int dr_numa_node(struct dr_ctx *c, long *node)
{
	if (!dr_sys_long(c, "device/numa_node", node))
		return 0;
	return dr_sys_long(c, "device/../numa_node", node);
}

static void check_numa(struct dr_ctx *c)
{
	char path[PATH_MAX], list[256];
	int node_cpus[XG_MAX_CPUS], n, off = 0;
	long node;

	if (!dr_need_sysfs(c))
		return;
	if (c->virt) {
		dr_record(c, DR_INFO, "virtual device: no NUMA node");
		return;
	}
	if (dr_numa_node(c, &node) || node < 0) {
		dr_record(c, DR_INFO, "the NIC reports no NUMA node (one-node machine, or the firmware does not say)");
		return;
	}
	snprintf(path, sizeof(path), "/sys/devices/system/node/node%ld/cpulist", node);
	n = dr_read_line(path, list, sizeof(list)) ? -ENOENT :
	    xg_parse_cpulist(list, node_cpus, XG_MAX_CPUS);
	if (n <= 0) {
		dr_record(c, DR_INFO, "NIC on node %ld, which has no CPUs listed", node);
		return;
	}
	for (int i = 0; i < c->ncpus; i++)
		off += !dr_cpu_in(node_cpus, n, c->cpus[i]);
	if (!off) {
		dr_record(c, DR_OK, "NIC on node %ld; all worker CPUs (%s) are on it", node, c->cpulist);
		return;
	}
	dr_record(c, DR_WARN,
		  "NIC on node %ld (CPUs %s) but %d worker CPU(s) are not: their packets cross the interconnect",
		  node, list, off);
	dr_fix(c, "xdpgame attach %s --cpus %s --port %u", c->ifname, list,
	       c->nports ? c->ports[0] : 4000);
}

/* IRQs whose /proc/interrupts line names the interface, its parent device
 * (virtio2-input.0) or its bus address (mlx5_comp0@pci:0000:03:00.0). */
static int dr_find_irqs(struct dr_ctx *c, int *irqs, int max)
{
	FILE *f = fopen("/proc/interrupts", "re");
	char line[1024];
	int n = 0;

	if (!f)
		return -errno;
	while (n < max && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		int irq;

		if (!colon || sscanf(line, " %d:", &irq) != 1)
			continue;
		if (dr_has_word(colon + 1, c->ifname) ||
		    (!c->virt && dr_has_word(colon + 1, c->devname)) ||
		    (!c->virt && dr_has_word(colon + 1, c->bus)))
			irqs[n++] = irq;
	}
	fclose(f);
	return n;
}

/* IRQs that may fire on a CPU outside the workers, as "irq->CPUs" in
 * `bad`, and in `fix` the commands that spread them over the workers. */
static int dr_irqs_off_workers(struct dr_ctx *c, const int *irqs, int n,
			       char *bad, size_t badlen, char *fix, size_t fixlen)
{
	char path[PATH_MAX], list[256];
	int cpus[XG_MAX_CPUS], nbad = 0;

	for (int i = 0; i < n; i++) {
		int m, off = 0;

		snprintf(path, sizeof(path), "/proc/irq/%d/smp_affinity_list", irqs[i]);
		if (dr_read_line(path, list, sizeof(list)))
			continue;
		m = xg_parse_cpulist(list, cpus, XG_MAX_CPUS);
		for (int j = 0; j < m; j++)
			off += !dr_cpu_in(c->cpus, c->ncpus, cpus[j]);
		if (!off)
			continue;
		dr_append(bad, badlen, " ", "%d->%s", irqs[i], list);
		dr_append(fix, fixlen, " && ", "echo %d > /proc/irq/%d/smp_affinity_list",
			  c->cpus[nbad % c->ncpus], irqs[i]);
		nbad++;
	}
	return nbad;
}

static void check_irq_affinity(struct dr_ctx *c)
{
	int irqs[DR_MAX_IRQS], n = dr_find_irqs(c, irqs, DR_MAX_IRQS), nbad;
	char bad[512] = "", fix[DR_FIX_LEN] = "";

	if (n <= 0) {
		dr_record(c, DR_INFO, c->virt ? "virtual device: no IRQs" :
			  "no IRQ in /proc/interrupts names %s or its device", c->ifname);
		return;
	}
	nbad = dr_irqs_off_workers(c, irqs, n, bad, sizeof(bad), fix, sizeof(fix));
	if (!nbad) {
		dr_record(c, DR_OK, "%d IRQ(s) of %s, all on worker CPUs (%s)",
			  n, c->ifname, c->cpulist);
		return;
	}
	dr_record(c, DR_WARN,
		  "%d of %d IRQ(s) of %s may fire outside the worker CPUs (%s): %s (irq->CPUs)",
		  nbad, n, c->ifname, c->cpulist, bad);
	dr_fix(c, "%s", fix);
}

static void check_irqbalance(struct dr_ctx *c)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char path[PATH_MAX], comm[32];
	long pid = 0;

	while (d && !pid && (e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		if (!dr_read_line(path, comm, sizeof(comm)) &&
		    !strcmp(comm, "irqbalance"))
			pid = strtol(e->d_name, NULL, 10);
	}
	if (d)
		closedir(d);
	if (!pid) {
		dr_record(c, DR_OK, "irqbalance is not running");
		return;
	}
	dr_record(c, DR_WARN,
		  "irqbalance (pid %ld) is running and will move the NIC's IRQs off the CPUs you pin them to",
		  pid);
	dr_fix(c, "systemctl stop irqbalance");
}

/* ---- checks: BPF environment and kernel ----------------------------- */

static void check_bpffs(struct dr_ctx *c)
{
	FILE *f = setmntent("/proc/self/mounts", "re");
	char other[PATH_MAX] = "";
	struct mntent *m;
	bool std = false;

	while (f && (m = getmntent(f))) {
		if (strcmp(m->mnt_type, "bpf"))
			continue;
		if (!strcmp(m->mnt_dir, "/sys/fs/bpf"))
			std = true;
		else if (!other[0])
			snprintf(other, sizeof(other), "%s", m->mnt_dir);
	}
	if (f)
		endmntent(f);
	if (std) {
		dr_record(c, DR_OK, "bpffs mounted at /sys/fs/bpf");
		return;
	}
	dr_record(c, DR_INFO,
		  "bpffs not mounted at /sys/fs/bpf%s%s: xdpgame attach mounts it itself to pin its maps",
		  other[0] ? "; one is at " : "", other);
	dr_fix(c, "mount -t bpf bpf /sys/fs/bpf");
}

static void check_memlock(struct dr_ctx *c)
{
	struct rlimit rl = {};
	char lim[32];
	bool low, memcg = c->kver >= dr_kv(5, 11);

	getrlimit(RLIMIT_MEMLOCK, &rl);
	dr_fmt_bytes(rl.rlim_cur, lim, sizeof(lim));
	low = rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < DR_MEMLOCK_WANT;
	if (!low || (memcg && dr_has_cap(c, CAP_IPC_LOCK))) {
		dr_record(c, DR_OK, "RLIMIT_MEMLOCK %s %s", lim,
			  !low ? "is enough for BPF maps and the AF_XDP UMEM" :
			  "does not matter: the kernel charges BPF memory to memcg (5.11+) and CAP_IPC_LOCK exempts the UMEM");
		return;
	}
	if (!memcg && dr_has_cap(c, CAP_SYS_RESOURCE) && dr_has_cap(c, CAP_IPC_LOCK)) {
		dr_record(c, DR_OK,
			  "RLIMIT_MEMLOCK %s, but libbpf raises it when it loads (CAP_SYS_RESOURCE) and CAP_IPC_LOCK exempts the UMEM",
			  lim);
		return;
	}
	dr_record(c, DR_WARN, "RLIMIT_MEMLOCK is %s: %s", lim,
		  memcg ? "without CAP_IPC_LOCK the AF_XDP UMEM is charged to it" :
			  "kernels before 5.11 charge BPF maps to it");
	dr_fix(c, "ulimit -l unlimited");
}

static void check_kernel(struct dr_ctx *c)
{
	static const struct {
		int major, minor;
		const char *what, *meaning;
	} feats[] = {
		{ 4, 8, "native XDP", "no XDP at all: kernel sockets only" },
		{ 4, 12, "generic XDP", "drivers without native XDP get no fast path" },
		{ 4, 18, "AF_XDP", "no AF_XDP sockets: game packets take the kernel path" },
		{ 5, 3, "XDP_USE_NEED_WAKEUP", "workers kick the kernel with a syscall on every batch" },
		{ 5, 9, "bpf_link XDP", "a killed xdpgame leaves its program attached until `xdpgame detach`" },
		{ 5, 11, "SO_PREFER_BUSY_POLL", "no AF_XDP busy polling: workers wait for interrupts" },
	};
	char missing[DR_DETAIL_LEN - 64] = "";
	int need = 0;

	for (size_t i = 0; i < sizeof(feats) / sizeof(feats[0]); i++) {
		if (c->kver >= dr_kv(feats[i].major, feats[i].minor))
			continue;
		need = dr_kv(feats[i].major, feats[i].minor);
		dr_append(missing, sizeof(missing), "; ", "%s (%d.%d): %s",
			  feats[i].what, feats[i].major, feats[i].minor,
			  feats[i].meaning);
	}
	if (!need) {
		dr_record(c, DR_OK,
			  "%s has every feature xdpgame uses (XDP, AF_XDP, need_wakeup, bpf_link, SO_PREFER_BUSY_POLL)",
			  c->uts.release);
		return;
	}
	dr_record(c, DR_WARN, "%s lacks %s", c->uts.release, missing);
	dr_fix(c, "install a kernel >= %d.%d",
	       need / 1000, need % 1000);
}

static void check_btf(struct dr_ctx *c)
{
	struct stat st;

	if (!stat("/sys/kernel/btf/vmlinux", &st)) {
		dr_record(c, DR_OK, "kernel BTF at /sys/kernel/btf/vmlinux");
		return;
	}
	dr_record(c, DR_WARN,
		  "no /sys/kernel/btf/vmlinux: CO-RE relocations in the XDP object cannot be resolved, so it may not load (xdpgame then serves through kernel sockets)");
	dr_fix(c, "install a kernel built with CONFIG_DEBUG_INFO_BTF=y");
}

static const struct dr_check dr_checks[] = {
	{ "privileges", check_privileges },
	{ "interface", check_interface },
	{ "driver", check_driver },
	{ "xdp-attached", check_xdp_attached },
	{ "xdp-native", check_xdp_native },
	{ "xdp-zerocopy", check_xdp_zerocopy },
	{ "queues", check_queues },
	{ "rss", check_rss },
	{ "ntuple", check_ntuple },
	{ "busy-poll", check_busy_poll },
	{ "napi-defer", check_napi_defer },
	{ "threaded-napi", check_threaded_napi },
	{ "cpu-governor", check_cpu_governor },
	{ "numa", check_numa },
	{ "irq-affinity", check_irq_affinity },
	{ "irqbalance", check_irqbalance },
	{ "bpffs", check_bpffs },
	{ "memlock", check_memlock },
	{ "kernel", check_kernel },
	{ "btf", check_btf },
};

_Static_assert(sizeof(dr_checks) / sizeof(dr_checks[0]) <= DR_MAX_RESULTS,
	       "one result per check");

/* ---- output --------------------------------------------------------- */

static void dr_count(const struct dr_ctx *c, int count[DR_NVERDICTS])
{
	for (int v = 0; v < DR_NVERDICTS; v++)
		count[v] = 0;
	for (int i = 0; i < c->nres; i++)
		count[c->res[i].verdict]++;
}

static void dr_print_text(const struct dr_ctx *c, FILE *f)
{
	int n[DR_NVERDICTS];

	fprintf(f, "xdpgame doctor: %s (ifindex %d), kernel %s, worker CPUs %s\n",
		c->ifname, c->ifindex, c->uts.release, c->cpulist);
	for (int i = 0; i < c->nres; i++) {
		const struct dr_result *r = &c->res[i];

		fprintf(f, "%s %s: %s\n", verdict_tag[r->verdict], r->name, r->detail);
		if (r->verdict != DR_OK && r->fix[0])
			fprintf(f, "       fix: %s\n", r->fix);
	}
	dr_count(c, n);
	fprintf(f, "summary: %d ok, %d warn, %d fail, %d info\n", n[DR_OK],
		n[DR_WARN], n[DR_FAIL], n[DR_INFO]);
}

static void dr_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void dr_print_json(const struct dr_ctx *c, FILE *f)
{
	int n[DR_NVERDICTS];

	fputs("{\"interface\":", f);
	dr_json_str(f, c->ifname);
	fputs(",\"checks\":[", f);
	for (int i = 0; i < c->nres; i++) {
		const struct dr_result *r = &c->res[i];

		fprintf(f, "%s{\"name\":", i ? "," : "");
		dr_json_str(f, r->name);
		fprintf(f, ",\"verdict\":\"%s\",\"detail\":", verdict_json[r->verdict]);
		dr_json_str(f, r->detail);
		fputs(",\"fix\":", f);
		if (r->fix[0])
			dr_json_str(f, r->fix);
		else
			fputs("null", f);
		fputc('}', f);
	}
	dr_count(c, n);
	fprintf(f, "],\"summary\":{\"ok\":%d,\"warn\":%d,\"fail\":%d,\"info\":%d}}\n",
		n[DR_OK], n[DR_WARN], n[DR_FAIL], n[DR_INFO]);
}

/* ---- command -------------------------------------------------------- */

static void doctor_usage(FILE *f)
{
	fprintf(f,
		"usage: xdpgame doctor IFACE [--json] [--port P]... [--cpus LIST]\n"
		"\n"
		"Check what IFACE and this host offer xdpgame (native XDP, zero-copy,\n"
		"queues, RSS, ntuple, busy polling, CPU governor, NUMA, IRQs, bpffs,\n"
		"memlock, kernel, privileges): one line per check, OK, WARN, FAIL or\n"
		"INFO, each not OK with the command that fixes it. Exit status 1 if a\n"
		"check FAILs. Read-only, except that on kernels before 6.3 native XDP\n"
		"is probed by attaching a pass-through program for an instant, and\n"
		"only when IFACE has no XDP program.\n"
		"\n"
		"  -p, --port P        game UDP port, used in the fix commands (repeatable)\n"
		"  -c, --cpus LIST     worker CPUs, e.g. 0-3,6 (default: all we may run on)\n"
		"      --json          one JSON object instead of text\n"
		"  -v, --verbose       debug messages\n"
		"  -h, --help          this text\n");
}

static int doctor_bad(const char *opt, const char *val, const char *want)
{
	pr_warn("error: doctor: invalid %s '%s': %s\n", opt, val, want);
	return XG_EXIT_USAGE;
}

/* Options into the context; XG_EXIT_OK, or -1 after --help. */
static int doctor_parse(int argc, char **argv, struct dr_ctx *c)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'J' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int opt, n;

	while ((opt = getopt_long(argc, argv, "p:c:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (c->nports == XG_MAX_PORTS)
				return doctor_bad("--port", optarg, "too many ports");
			if (xg_parse_port(optarg, &c->ports[c->nports]))
				return doctor_bad("--port", optarg, "want 1..65535");
			c->nports++;
			break;
		case 'c':
			n = xg_parse_cpulist(optarg, c->cpus, XG_MAX_CPUS);
			if (n < 0)
				return doctor_bad("--cpus", optarg,
						  "want a list of CPUs such as 0-3,6");
			c->ncpus = n;
			break;
		case 'J':
			c->json = true;
			break;
		case 'v':
			xg_log_set_level(XG_LOG_DEBUG);
			break;
		case 'h':
			doctor_usage(stdout);
			return -1;
		default:
			doctor_usage(stderr);
			return XG_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		pr_warn("error: doctor: %s\n", optind >= argc ?
			"missing interface name" : "one interface only");
		doctor_usage(stderr);
		return XG_EXIT_USAGE;
	}
	c->ifarg = argv[optind];
	return XG_EXIT_OK;
}

static int doctor_run(struct dr_ctx *c)
{
	int n[DR_NVERDICTS], err;

	if (!c->ncpus)
		c->ncpus = xg_online_cpus(c->cpus, XG_MAX_CPUS);
	if (c->ncpus <= 0) {
		c->cpus[0] = 0;
		c->ncpus = 1;
	}
	c->ncpus = dr_cpus_normalize(c->cpus, c->ncpus);
	dr_fmt_cpulist(c->cpus, c->ncpus, c->cpulist, sizeof(c->cpulist));
	err = dr_setup(c);
	if (err)
		return err;
	for (size_t i = 0; i < sizeof(dr_checks) / sizeof(dr_checks[0]); i++) {
		int before = c->nres;

		c->current = dr_checks[i].name;
		dr_checks[i].run(c);
		if (c->nres == before)
			dr_record(c, DR_INFO, "no finding");
	}
	if (c->json)
		dr_print_json(c, stdout);
	else
		dr_print_text(c, stdout);
	dr_count(c, n);
	return n[DR_FAIL] ? XG_EXIT_FAIL : XG_EXIT_OK;
}

int cmd_doctor(int argc, char **argv)
{
	struct dr_ctx *c = calloc(1, sizeof(*c));
	int ret;

	if (!c) {
		pr_warn("error: doctor: out of memory\n");
		return XG_EXIT_FAIL;
	}
	c->sock = -1;
	ret = doctor_parse(argc, argv, c);
	if (ret == -1)
		ret = XG_EXIT_OK;
	else if (ret == XG_EXIT_OK)
		ret = doctor_run(c);
	if (c->sock >= 0)
		close(c->sock);
	free(c);
	return ret;
}
