/* SPDX-License-Identifier: MIT */
/*
 * What the files of the AF_XDP engine share and nobody else sees (xsk.c has
 * the overview and opens and closes the sockets; xsk_loop.c is a worker's
 * loop): its sizes, the state of a worker and the engine, the refill both
 * sides use, and the worker's thread function.
 */
#ifndef XDPGAME_ENGINE_XSK_INTERNAL_H
#define XDPGAME_ENGINE_XSK_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <xdp/xsk.h>

#include "engine/engine.h"
#include "engine/frames.h"

enum {
	XSK_FRAMES = 4096,
	XSK_FRAME_SIZE = 2048,
	XSK_RING = 2048,      /* RX, TX, fill and completion ring sizes */
	XSK_BATCH = 64,
	XSK_IDLE_MS = 100,
	XSK_BUSY_POLL_US = 20,
	/* --busy-poll: a worker that received nothing for this long sleeps
	 * in poll() until the next frame: it spins while requests come, not
	 * while the game is idle (nor, before its first frame, above the
	 * NAPI kthread that would bring it one) */
	XSK_BUSY_IDLE_NS = 1000000,
	XSK_KICKS = XSK_RING / 32, /* sendto calls per kick at most */
	/* NET_IP_ALIGN: the kernel puts a frame at a 4-aligned offset in
	 * the UMEM frame, so 2 more bytes put the IP header (after 14 bytes
	 * of Ethernet, or 18, 22 with VLAN tags) on a 4-byte boundary, as
	 * the header structs the walk reads through want (UBSan: misaligned
	 * struct iphdr otherwise). 6, not 2: the IP header stays 4-byte
	 * aligned, and an IPv4 datagram without VLAN tags then starts
	 * 8-byte aligned (256 + 6 + 14 + 20 + 8 = 304), so xg_handle()
	 * handles it where it lies, without a copy. */
	XSK_HEADROOM = 6,
};

struct xsk_worker {
	struct xg_worker *w;
	int queue;
	bool busy_poll;   /* --busy-poll, and the socket can: it spins */
	bool napi_known;  /* busy polling's NAPI checked (napi_check()) */
	uint64_t last_rx_ns; /* the last batch received, CLOCK_MONOTONIC */
	bool zero_copy;
	void *buf;
	struct xsk_umem *umem;
	struct xsk_ring_prod fq;
	struct xsk_ring_cons cq;
	struct xsk_socket *xsk;
	struct xsk_ring_cons rx;
	struct xsk_ring_prod tx;
	struct xg_frames frames;
	uint64_t tx_addr[XSK_BATCH];
	uint32_t tx_len[XSK_BATCH];
};

struct xg_xsk_engine {
	struct xg_server *srv;
	struct xsk_worker *workers; /* the queues that opened, in order */
	int nworkers;
	int fallback[XG_MAX_QUEUES]; /* queues left to the kernel sockets */
	int nfallback;
	bool zero_copy;
	char desc[160];
};

/* Give free frames to the fill ring. */
static inline void refill(struct xsk_worker *x)
{
	uint32_t want = (uint32_t)x->frames.nfree, idx, n, i;

	n = xsk_prod_nb_free(&x->fq, want);
	if (n > want)
		n = want;
	if (!n || xsk_ring_prod__reserve(&x->fq, n, &idx) != n)
		return;
	for (i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&x->fq, idx + i) = xg_frames_get(&x->frames);
	xsk_ring_prod__submit(&x->fq, n);
	xg_stat_add(&x->frames.in_fill, n);
}

/* A worker thread: serve its queue until the server stops (xsk_loop.c). */
void *xsk_worker_run(void *arg);

#endif
