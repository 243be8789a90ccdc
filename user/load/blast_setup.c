/* SPDX-License-Identifier: MIT */
/*
 * The setup of `xdpgame load --blast IFACE` (steps 1-3 of blast.c's
 * comment): the IPv4 target, IFACE's index, address and MAC, the UDP
 * socket the acks land in, and the target's MAC, resolved by a probe.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <xdpgame/proto.h>

#include "core/log.h"
#include "core/util.h"
#include "game/msg.h"
#include "load/blast_setup.h"
#include "load/target.h"

enum {
	BLAST_ARP_WAIT_MS = 2000,   /* for the neighbour entry */
	BLAST_PROBE_WAIT_MS = 500,  /* for the probe's ack */
	BLAST_RCVBUF = 32 << 20,    /* bytes */
};

/* ADDR:PORT, IPv4 only: the frames are IPv4. */
static int blast_target(struct xg_blast_link *l, const struct xg_blast_opts *o)
{
	struct addrinfo hints = { .ai_family = AF_INET,
				  .ai_socktype = SOCK_DGRAM },
			*res;
	const char *t = o->target, *colon = strrchr(t, ':'), *port;
	char host[256];
	int err;

	if (t[0] == '[' || (colon && memchr(t, ':', (size_t)(colon - t)))) {
		pr_warn("error: load --blast: '%s' is IPv6; the blast path builds IPv4 frames only (use ADDR:PORT with an IPv4 address)\n",
			t);
		return -EAFNOSUPPORT;
	}
	err = xg_load_split_target(t, host, sizeof(host), &port);
	if (err)
		return err;
	err = getaddrinfo(host, port, &hints, &res);
	if (err) {
		pr_warn("error: load --blast: cannot resolve '%s' port '%s' to an IPv4 address: %s\n",
			host, port, gai_strerror(err));
		return -EINVAL;
	}
	memcpy(&l->dst, res->ai_addr, sizeof(l->dst));
	freeaddrinfo(res);
	return 0;
}

static int blast_iface(struct xg_blast_link *l, const struct xg_blast_opts *o)
{
	const char *ifname = o->ifname;
	struct ifaddrs *ifa, *i;
	struct ifreq ifr = {};
	bool found = false;
	int fd, err = 0;

	if (strlen(ifname) >= IFNAMSIZ ||
	    !(l->ifindex = (int)if_nametoindex(ifname))) {
		pr_warn("error: load --blast: no interface named '%s' in this network namespace; list them with `ip link`\n",
			ifname);
		return -ENODEV;
	}
	if (getifaddrs(&ifa)) {
		err = -errno;
		pr_warn("error: load --blast: cannot list addresses: %s\n",
			strerror(-err));
		return err;
	}
	for (i = ifa; i && !found; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET ||
		    strcmp(i->ifa_name, ifname))
			continue;
		memcpy(&l->src, i->ifa_addr, sizeof(l->src));
		found = true;
	}
	freeifaddrs(ifa);
	if (!found) {
		pr_warn("error: load --blast: interface %s has no IPv4 address (the frames need one as their source); add one, e.g. `ip addr add 192.0.2.2/24 dev %s`\n",
			ifname, ifname);
		return -EADDRNOTAVAIL;
	}

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memcpy(ifr.ifr_name, ifname, strlen(ifname) + 1);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		err = -errno;
		pr_warn("error: load --blast: cannot read the MAC of %s: %s\n",
			ifname, strerror(-err));
	} else if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
		err = -EPFNOSUPPORT;
		pr_warn("error: load --blast: %s is not an Ethernet interface\n",
			ifname);
	} else {
		memcpy(l->src_mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	}
	close(fd);
	return err;
}

/* A UDP socket on IFACE's address, an ephemeral port, tied to IFACE and
 * connected to the target; its port becomes the frames' source port. */
static int blast_socket(struct xg_blast_link *l, const struct xg_blast_opts *o)
{
	socklen_t len = sizeof(l->src);
	int buf = BLAST_RCVBUF;

	l->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (l->fd < 0)
		return -errno;
	/* FORCE goes past rmem_max (root); plain RCVBUF as a fallback */
	if (setsockopt(l->fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)))
		setsockopt(l->fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	l->src.sin_port = 0;
	if (setsockopt(l->fd, SOL_SOCKET, SO_BINDTODEVICE, o->ifname,
		       (socklen_t)strlen(o->ifname)) ||
	    bind(l->fd, (struct sockaddr *)&l->src, sizeof(l->src)) ||
	    getsockname(l->fd, (struct sockaddr *)&l->src, &len) ||
	    connect(l->fd, (struct sockaddr *)&l->dst, sizeof(l->dst))) {
		int err = -errno;

		pr_warn("error: load --blast: cannot set up a UDP socket on %s towards %s: %s\n",
			o->ifname, o->target, strerror(-err));
		return err;
	}
	return 0;
}

/* The complete /proc/net/arp entry for the target on IFACE, if any. */
static bool arp_lookup(struct xg_blast_link *l, const struct xg_blast_opts *o)
{
	char line[256], ip[64], hw[64], mask[64], dev[64];
	unsigned int type, flags, m[ETH_ALEN];
	struct in_addr a;
	bool found = false;
	FILE *f = fopen("/proc/net/arp", "r");
	int k;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s 0x%x 0x%x %63s %63s %63s", ip, &type,
			   &flags, hw, mask, dev) != 6 ||
		    !inet_pton(AF_INET, ip, &a) ||
		    a.s_addr != l->dst.sin_addr.s_addr ||
		    strcmp(dev, o->ifname) || !(flags & ATF_COM) ||
		    sscanf(hw, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3],
			   &m[4], &m[5]) != ETH_ALEN)
			continue;
		for (k = 0; k < ETH_ALEN; k++)
			l->dst_mac[k] = (unsigned char)m[k];
		found = true;
	}
	fclose(f);
	return found;
}

/* Send the probe (a JOIN with a seq outside the pool's: it needs no
 * session and changes nothing), wait for the neighbour entry, then briefly
 * for the probe's CHALLENGE, which is consumed here so the counts below
 * are the blast's own. */
static int blast_resolve(struct xg_blast_link *l, const struct xg_blast_opts *o,
			 uint32_t probe_seq)
{
	unsigned char msg[XG_MAX_MSG_SIZE + 1];
	struct pollfd pfd = { .fd = l->fd, .events = POLLIN };
	uint64_t deadline;
	uint32_t n;
	char ip[INET_ADDRSTRLEN];

	n = xg_msg_join(msg, probe_seq, o->first_player, xg_now_ns());
	if (send(l->fd, msg, n, 0) < 0 && errno != ECONNREFUSED)
		pr_debug("blast: probe: %s\n", strerror(errno));
	deadline = xg_now_ns() + BLAST_ARP_WAIT_MS * 1000000ull;
	while (!arp_lookup(l, o)) {
		if (xg_now_ns() >= deadline) {
			inet_ntop(AF_INET, &l->dst.sin_addr, ip, sizeof(ip));
			pr_warn("error: load --blast: %s has no resolved neighbour (ARP) entry on %s after %d ms; it must be on %s's link and answer ARP (`ip neigh show dev %s`)\n",
				ip, o->ifname, BLAST_ARP_WAIT_MS,
				o->ifname, o->ifname);
			return -EHOSTUNREACH;
		}
		usleep(10000);
	}
	deadline = xg_now_ns() + BLAST_PROBE_WAIT_MS * 1000000ull;
	while (xg_now_ns() < deadline) {
		if (poll(&pfd, 1, 10) > 0 &&
		    recv(l->fd, msg, sizeof(msg), MSG_DONTWAIT) ==
			    XG_CHALLENGE_SIZE) {
			pr_debug("blast: the server answered the probe\n");
			return 0;
		}
	}
	pr_info("load --blast: no ack to the probe within %d ms; blasting anyway\n",
		BLAST_PROBE_WAIT_MS);
	return 0;
}

int xg_blast_setup(struct xg_blast_link *l, const struct xg_blast_opts *o,
		   uint32_t probe_seq)
{
	int err;

	err = blast_target(l, o);
	if (!err)
		err = blast_iface(l, o);
	if (!err)
		err = blast_socket(l, o);
	if (!err)
		err = blast_resolve(l, o, probe_seq);
	return err;
}
