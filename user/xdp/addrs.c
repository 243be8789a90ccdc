/* SPDX-License-Identifier: MIT */
/*
 * What "addressed to this host" means to the XDP program: the interface's
 * MAC address (in the config map) and its IP addresses (the `addrs` map,
 * IPv4 mapped into IPv6). A game datagram to any other destination is
 * passed to the kernel untouched and never answered, so the program cannot
 * be made to speak for broadcast, multicast or another host's address.
 * Addresses change while the server runs; xg_xdp_sync_addrs() is cheap
 * enough to call every second. And the way back: whether the kernel lets
 * the program look up the route of a reply (xg_route_families()).
 */
#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "core/log.h"
#include "xdp/internal.h"
#include "xdpgame.skel.h"

int xg_xdp_iface_mac(const char *ifname, __u8 mac[6])
{
	struct ifreq ifr = {};
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strncpy(ifr.ifr_name, ifname, sizeof(ifr.ifr_name) - 1);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		err = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return err;
}

static void addr_of(const struct sockaddr *sa, struct xg_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		a->a[10] = a->a[11] = 0xff;
		memcpy(&a->a[12], &s4->sin_addr, 4);
	} else {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		memcpy(a->a, &s6->sin6_addr, 16);
	}
}

static bool in_list(const struct xg_addr *list, int n, const struct xg_addr *a)
{
	for (int i = 0; i < n; i++)
		if (!memcmp(&list[i], a, sizeof(*a)))
			return true;
	return false;
}

int xg_xdp_sync_addrs(struct xg_xdp *x)
{
	int fd = bpf_map__fd(x->skel->maps.addrs), n = 0, err = 0;
	struct xg_addr want[XG_XDP_MAX_ADDRS], key, next, gone[XG_XDP_MAX_ADDRS];
	struct ifaddrs *ifa, *i;
	int ngone = 0;
	__u8 one = 1;
	void *prev = NULL;

	if (getifaddrs(&ifa))
		return -errno;
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || strcmp(i->ifa_name, x->ifname) ||
		    (i->ifa_addr->sa_family != AF_INET &&
		     i->ifa_addr->sa_family != AF_INET6))
			continue;
		if (n == XG_XDP_MAX_ADDRS) {
			pr_warn("warning: %s has more than %d addresses; game traffic to the others is passed to the kernel unanswered\n",
				x->ifname, XG_XDP_MAX_ADDRS);
			break;
		}
		addr_of(i->ifa_addr, &want[n++]);
	}
	freeifaddrs(ifa);
	for (int k = 0; k < n && !err; k++)
		if (bpf_map_update_elem(fd, &want[k], &one, BPF_ANY))
			err = -errno;
	/* then drop what the interface no longer has */
	while (!err && !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (!in_list(want, n, &key) && ngone < XG_XDP_MAX_ADDRS)
			gone[ngone++] = key;
	}
	for (int k = 0; k < ngone; k++)
		bpf_map_delete_elem(fd, &gone[k]);
	if (err)
		pr_warn("error: %s: cannot fill the XDP program's address map: %s\n",
			x->ifname, strerror(-err));
	return err ? err : n;
}

int xg_xdp_sessions_fd(const struct xg_xdp *x)
{
	return bpf_map__fd(x->skel->maps.sessions);
}

int xg_xdp_session_publish(struct xg_xdp *x, __u32 player,
			   const struct xg_session_entry *e)
{
	struct xg_session_entry none = {};

	if (bpf_map_update_elem(xg_xdp_sessions_fd(x), &player, e ? e : &none,
				BPF_ANY))
		return -errno;
	return 0;
}

__u64 xg_xdp_session_last_seen(struct xg_xdp *x, __u32 player)
{
	struct xg_session_entry e;

	if (bpf_map_lookup_elem(xg_xdp_sessions_fd(x), &player, &e) || !e.token)
		return 0;
	return e.last_seen;
}

/* 1 if the sysctl file at path holds a non-zero number, else 0 (missing:
 * IPv6 disabled, or no /proc). */
static int sysctl_on(const char *path)
{
	char buf[16] = "";
	FILE *f = fopen(path, "re");
	int on = 0;

	if (!f)
		return 0;
	if (fgets(buf, sizeof(buf), f))
		on = atoi(buf) != 0;
	fclose(f);
	return on;
}

int xg_route_families(void)
{
	return (sysctl_on(XG_LO_FORWARDING4) ? XG_ROUTE_IPV4 : 0) |
	       (sysctl_on(XG_LO_FORWARDING6) ? XG_ROUTE_IPV6 : 0);
}
