/* SPDX-License-Identifier: MIT */
/*
 * The doctor's checks of what XDP needs: privileges, the interface (up,
 * carrier, addresses), its driver, the XDP program attached now, native
 * XDP and AF_XDP zero-copy.
 *
 * Read-only, like every check: on kernels without the netdev netlink
 * family (< 6.3) the driver cannot be asked for its XDP features, and
 * xdp-native says "unknown" rather than attach a program to find out
 * (attaching native XDP resets the rings of many NICs: a live server's
 * traffic would stall).
 */
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/if_link.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "doctor/doctor.h"
#include "xdp/loader.h"

enum {
	DR_XDP_MTU_MAX = 3498,		/* bytes: single-buffer XDP on most drivers */
};

/* ---- privileges, interface, driver ---------------------------------- */

void dr_check_privileges(struct dr_ctx *c)
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

void dr_check_interface(struct dr_ctx *c)
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

void dr_check_driver(struct dr_ctx *c)
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

/* ---- XDP ------------------------------------------------------------ */

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

void dr_check_xdp_attached(struct dr_ctx *c)
{
	const char *mode = dr_mode_name(c->attach_mode);
	char pins[PATH_MAX];

	if (!c->prog_id && !xg_xdp_pin_dir(c->ifname, pins, sizeof(pins))) {
		dr_record(c, DR_WARN,
			  "no XDP program attached, but %s holds pins left by an xdpgame that was killed",
			  pins);
		dr_fix(c, "xdpgame detach %s", c->ifname);
	} else if (!c->prog_id) {
		dr_record(c, DR_OK, "no XDP program attached");
	} else if (!strcmp(c->prog_name, "xdp_dispatcher")) {
		dr_record(c, DR_WARN,
			  "libxdp dispatcher id %u attached in %s mode: xdpgame does not run beside other XDP programs and refuses to attach; removing it stops the programs it holds",
			  c->prog_id, mode);
		dr_fix(c, "xdp-loader unload %s --all", c->ifname);
	} else if (!strncmp(c->prog_name, "xdpgame", 7)) {
		dr_record(c, DR_INFO,
			  "xdpgame program id %u attached in %s mode: an xdpgame instance is running (it holds the program through a bpf_link, which goes when it exits, however it dies); see `xdpgame status`",
			  c->prog_id, mode);
	} else {
		dr_record(c, DR_WARN,
			  "program id %u '%s' from another tool is attached in %s mode: xdpgame cannot attach next to it; removing it stops whatever loaded it",
			  c->prog_id, c->prog_name, mode);
		dr_fix(c, "ip link set dev %s %s off", c->ifname,
		       dr_mode_keyword(c->attach_mode));
	}
}

static void dr_no_native(struct dr_ctx *c, const char *why)
{
	dr_record(c, DR_WARN,
		  "%s: %s; xdpgame falls back to generic (skb) XDP, which works but costs an skb per packet",
		  c->driver[0] ? c->driver : c->ifname, why);
	dr_fix(c, "xdpgame attach %s --mode generic --port %u", c->ifname,
	       c->nports ? c->ports[0] : 4000);
}

/* Kernels before 6.3 cannot say, and the doctor attaches nothing to find
 * out: what is attached now may tell, else attach itself will. */
static void dr_probe_native(struct dr_ctx *c)
{
	if (c->prog_id && c->attach_mode == XDP_ATTACHED_DRV) {
		dr_record(c, DR_OK, "a program is attached in native mode, so the driver has native XDP");
		return;
	}
	dr_record(c, DR_INFO,
		  "unknown: the kernel (before 6.3) cannot report the driver's XDP features, and the doctor attaches nothing to find out; `xdpgame attach --mode native` tells (it fails, naming the reason, where the driver has none)");
}

void dr_check_xdp_native(struct dr_ctx *c)
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

void dr_check_xdp_zerocopy(struct dr_ctx *c)
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
