/* SPDX-License-Identifier: MIT */
/*
 * The game's packet handlers: one table keyed by message type, used by every
 * engine (kernel sockets, AF_XDP) alike. An engine hands xg_handle() a
 * datagram and a buffer for the reply (which may be the datagram itself, so
 * that AF_XDP can reply in place inside its frame); handlers know nothing of
 * sockets, frames or addresses.
 */
#ifndef XDPGAME_HANDLERS_H
#define XDPGAME_HANDLERS_H

#include <stdint.h>

#include <xdpgame/proto.h>

#include "core/stats.h"
#include "game/world.h"

struct xg_ring;

/* Game events handed from workers to the main thread through an xg_ring. */
enum xg_event_type {
	XG_EV_KILL = 1, /* 'player' took the last health of 'other' */
};

struct xg_event {
	uint32_t type;
	uint32_t player;
	uint32_t other;
	uint32_t pad;
	uint64_t ts;
};

/* What a handler may touch: the world, its worker's counters and event ring,
 * and the time the batch was received. */
struct xg_handler_ctx {
	struct xg_world *world;
	struct xg_stats *stats;
	struct xg_ring *events; /* may be NULL: events are then counted lost */
	uint64_t now;           /* ns, CLOCK_MONOTONIC */
};

/* A request handler: body is aligned and validated. Returns the ack status. */
typedef enum xg_status (*xg_handler_fn)(struct xg_handler_ctx *c,
					const struct xg_hdr *h,
					const void *body);

struct xg_handler {
	const char *name;
	xg_handler_fn fn;
};

extern const struct xg_handler xg_handlers[XG_MSG_NTYPES];

/*
 * Handle one datagram of 'len' bytes at 'req' (any alignment). On success the
 * ack is written to 'out' (cap bytes; may alias req) and its length returned.
 * A malformed datagram gets no reply: -XG_ERR_* is returned and counted in
 * c->stats->malformed. -ENOBUFS if cap is smaller than the ack (never the
 * case when out == req, since an ack is never larger than its request).
 */
int xg_handle(struct xg_handler_ctx *c, const void *req, uint32_t len,
	      void *out, uint32_t cap);

#endif
