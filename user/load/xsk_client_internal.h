/* SPDX-License-Identifier: MIT */
/*
 * What the two files of `xdpgame load --xsk IFACE` share and nobody else
 * sees: the sizes, the in-flight table and the run's context.
 * xsk_client.c sets the context up, joins, reports and tears down;
 * xsk_client_run.c runs it. The public API is load/xsk_client.h.
 */
#ifndef XDPGAME_LOAD_XSK_CLIENT_INTERNAL_H
#define XDPGAME_LOAD_XSK_CLIENT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>

#include <xdp/xsk.h>

#include "load/blast_setup.h"
#include "load/handshake.h"
#include "load/loop.h"
#include "load/mix.h"

struct bpf_link;
struct xsk_redirect;

enum {
	XC_FRAMES = 8192,
	XC_FRAME_SIZE = 2048,       /* bytes */
	XC_RING = 4096,             /* every ring */
	XC_BATCH = 64,              /* frames per pass, each way */
	XC_TABLE = 1 << 20,         /* requests tracked, by seq */
	XC_KICKS = XC_RING / 16,    /* sendto calls per batch at most */
	XC_BUSY_POLL_US = 20,
	XC_HDRS = ETH_HLEN + sizeof(struct iphdr) + sizeof(struct udphdr),
	XC_IP_TTL = 64,
};

enum slot_state { S_FREE, S_BUSY, S_ACKED, S_LOST };

struct xc_slot {
	uint64_t sent_ns;
	uint32_t seq;
	uint8_t kind;   /* enum xg_kind */
	uint8_t state;  /* enum slot_state */
};

struct xc_ctx {
	const struct xg_loop_opts *o;
	struct xg_blast_link link;
	struct xsk_redirect *skel;
	struct bpf_link *prog_link;
	void *buf;
	struct xsk_umem *umem;
	struct xsk_ring_prod fq, tx;
	struct xsk_ring_cons cq, rx;
	struct xsk_socket *xsk;
	bool zero_copy;
	bool busy;                  /* --busy-poll, and there is a NAPI */
	bool napi_known;            /* checked after the first acks */
	uint64_t *tx_free;          /* free TX frame addresses */
	uint32_t ntx_free;
	unsigned char hdr[XC_HDRS]; /* Ethernet/IPv4/UDP template */
	struct xg_mix mix;
	uint32_t first_seq, next_seq, expire_seq;
	uint64_t inflight;
	struct xc_slot *table;      /* by seq % XC_TABLE */
	uint64_t *tokens;
	struct xg_handshake_opts hs;
	struct xg_loop_stats st;
};

/* The run (xsk_client_run.c): send, receive and check acks, expire, until
 * the count or the duration is done and nothing is in flight, or a
 * signal; what it measured is left in c->st. */
void xc_run(struct xc_ctx *c);
/* SIGINT and SIGTERM: end the run. */
void xc_on_signal(int sig);

#endif
