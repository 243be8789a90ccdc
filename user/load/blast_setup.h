/* SPDX-License-Identifier: MIT */
/*
 * The link a blast goes over, set up by blast_setup.c: IFACE, the two ends'
 * addresses and MACs, and the UDP socket the acks land in.
 */
#ifndef XDPGAME_LOAD_BLAST_SETUP_H
#define XDPGAME_LOAD_BLAST_SETUP_H

#include <stdint.h>

#include <linux/if_ether.h>
#include <netinet/in.h>

#include "load/blast.h"

struct xg_blast_link {
	int ifindex;
	unsigned char src_mac[ETH_ALEN], dst_mac[ETH_ALEN];
	struct sockaddr_in src, dst;  /* src.sin_port: the bound port */
	int fd;                       /* bound UDP socket; acks land here */
};

/* Resolve o->target (IPv4), read o->ifname's index, first IPv4 address
 * and MAC, open l->fd (bound there, tied to IFACE, connected to the
 * target) and learn the target's MAC by sending it a HEARTBEAT with seq
 * probe_seq; its ack, if it comes within half a second, is consumed. 0, or
 * a negative errno with the reason printed; l->fd (set to -1 by the
 * caller beforehand) is the caller's to close either way. */
int xg_blast_setup(struct xg_blast_link *l, const struct xg_blast_opts *o,
		   uint32_t probe_seq);

#endif
