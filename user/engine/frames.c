/* SPDX-License-Identifier: MIT */
/* UMEM frame accounting, and serving one frame in place; see frames.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xdpgame/parsing.h>

#include "engine/frames.h"
#include "core/stats.h"
#include "game/handlers.h"

int xg_frames_init(struct xg_frames *f, uint32_t total, uint32_t frame_size)
{
	uint32_t i;

	*f = (struct xg_frames){ .frame_size = frame_size, .total = total };
	if (!total || !frame_size || (frame_size & (frame_size - 1)))
		return -EINVAL;
	f->stack = calloc(total, sizeof(*f->stack));
	f->is_free = calloc(total, 1);
	if (!f->stack || !f->is_free) {
		xg_frames_free(f);
		return -ENOMEM;
	}
	for (i = 0; i < total; i++) {
		f->stack[i] = (uint64_t)(total - 1 - i) * frame_size;
		f->is_free[i] = 1;
	}
	f->nfree = total;
	return 0;
}

void xg_frames_free(struct xg_frames *f)
{
	free(f->stack);
	free(f->is_free);
	f->stack = NULL;
	f->is_free = NULL;
}

uint64_t xg_frames_get(struct xg_frames *f)
{
	uint64_t addr;

	if (!f->nfree)
		return UINT64_MAX;
	addr = f->stack[f->nfree - 1];
	xg_stat_add(&f->nfree, (uint64_t)-1);
	f->is_free[addr / f->frame_size] = 0;
	return addr;
}

bool xg_frames_put(struct xg_frames *f, uint64_t addr)
{
	uint64_t idx = addr / f->frame_size;

	if (idx >= f->total || f->is_free[idx]) {
		xg_stat_add(&f->bad_puts, 1);
		return false;
	}
	f->is_free[idx] = 1;
	f->stack[f->nfree] = idx * f->frame_size;
	xg_stat_add(&f->nfree, 1);
	return true;
}

bool xg_frames_check(const struct xg_frames *f)
{
	return !xg_stat_read(&f->bad_puts) &&
	       xg_stat_read(&f->nfree) + xg_stat_read(&f->in_fill) +
			       xg_stat_read(&f->in_tx) ==
		       f->total;
}

/* Inlined into xg_serve_frame() (a call cost the worker 17 instructions
 * a MOVE: docs/BENCHMARKS.md); xg_frame_peer() for the tests. */
static inline void frame_peer(const struct xg_frame *f, struct xg_peer *p)
{
	uint32_t a4;

	if (f->iph) { /* 2-byte aligned in a frame: copied, not loaded */
		memcpy(&a4, &f->iph->saddr, 4);
		xg_addr_from_v4(&p->addr, a4);
		memcpy(&a4, &f->iph->daddr, 4);
		xg_addr_from_v4(&p->local, a4);
	} else {
		memcpy(p->addr.a, &f->ip6h->saddr, 16);
		memcpy(p->local.a, &f->ip6h->daddr, 16);
	}
	p->port = f->udph->source;
	p->local_port = f->udph->dest;
	p->stream = false;
}

void xg_frame_peer(const struct xg_frame *f, struct xg_peer *p)
{
	frame_peer(f, p);
}

uint32_t xg_serve_frame(struct xg_handler_ctx *c, void *pkt, uint32_t len,
			uint32_t room)
{
	void *end = (char *)pkt + len;
	struct xg_peer peer;
	struct xg_frame f;
	uint32_t off;
	int r;

	/* The XDP program sent only valid game UDP here; the walk and the
	 * checks find it again (the same code: no IP options or extension
	 * headers, lengths, source), and the handler trusts its validation.
	 * The UDP checksum is the program's alone: the frame has not changed
	 * since it summed it. */
	if (len > room ||
	    xg_frame_walk(pkt, end, XG_XDP_IPV6_EXT_DEFAULT, &f) != XG_FRAME_UDP ||
	    xg_frame_check(&f, end)) {
		xg_stat_add(&c->stats->errors, 1);
		return 0;
	}
	frame_peer(&f, &peer);
	c->peer = &peer;
	c->validated = true;
	off = (uint32_t)((char *)f.payload - (char *)pkt);
	r = xg_handle(c, f.payload, f.len, f.payload, room - off);
	c->peer = NULL; /* it lives on this stack */
	if (r <= 0 || r > XG_MAX_REPLY_SIZE)
		return 0;
	return xg_frame_reply(&f, pkt, (uint32_t)r);
}
