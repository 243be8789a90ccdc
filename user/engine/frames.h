/* SPDX-License-Identifier: MIT */
/*
 * The free frames of one UMEM, owned by one AF_XDP worker: a stack of frame
 * addresses plus where every other frame is, so the worker can prove that no
 * frame is leaked or used twice. A frame is, at any moment, exactly one of:
 * free (here), in the fill ring (the kernel will RX into it), in flight on
 * TX (until the completion ring returns it), or in the worker's hands for
 * the length of one batch. xg_frames_check() verifies free + fill + tx ==
 * total between batches. The counters are written by the worker only and
 * may be read by others (relaxed atomics, like the stats module).
 */
#ifndef XDPGAME_FRAMES_H
#define XDPGAME_FRAMES_H

#include <stdbool.h>
#include <stdint.h>

struct xg_frame;
struct xg_handler_ctx;
struct xg_peer;

struct xg_frames {
	uint64_t *stack;   /* free frame addresses */
	uint8_t *is_free;  /* by frame index: catches a double put */
	uint32_t frame_size;
	uint32_t total;
	uint64_t nfree;    /* entries in stack */
	uint64_t in_fill;  /* given to the fill ring, not yet received */
	uint64_t in_tx;    /* submitted on TX, not yet completed */
	uint64_t bad_puts; /* put of a frame that was already free: a bug */
};

/* 'total' frames of 'frame_size' bytes at addresses 0, frame_size, ... */
int xg_frames_init(struct xg_frames *f, uint32_t total, uint32_t frame_size);
void xg_frames_free(struct xg_frames *f);
/* A free frame's address, or UINT64_MAX if none is free. */
uint64_t xg_frames_get(struct xg_frames *f);
/* Give a frame back (any address inside it); false on a double put. */
bool xg_frames_put(struct xg_frames *f, uint64_t addr);
/* Between batches: every frame accounted for exactly once. */
bool xg_frames_check(const struct xg_frames *f);

/* Both ends of a walked frame (f: xg_frame_walk()'s), as the handlers see
 * them: every member of *p is written. */
void xg_frame_peer(const struct xg_frame *f, struct xg_peer *p);

/*
 * One frame an AF_XDP socket received, served in place: the frame walk
 * (include/xdpgame/parsing.h), the peer from its addresses, xg_handle()
 * on the datagram where it lies (c->validated: the XDP program redirects
 * only datagrams it validated), and xg_frame_reply() turning the frame
 * round. 'room': the bytes from pkt to the end of its UMEM frame. Returns
 * the reply frame's length, or 0 for none (counted: c->stats). The AF_XDP
 * worker (xsk_loop.c) calls it per frame and scripts/bench_move.c measures it.
 */
uint32_t xg_serve_frame(struct xg_handler_ctx *c, void *pkt, uint32_t len,
			uint32_t room);

#endif
