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
#include "game/session.h"
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

/* What a handler may touch: the world and the sessions, its worker's
 * counters and event ring, the time the batch was received, and the two
 * ends of the datagram at hand (the engine sets it per datagram). */
struct xg_handler_ctx {
	struct xg_world *world;
	struct xg_sessions *sessions;
	struct xg_stats *stats;
	struct xg_ring *events; /* may be NULL: events are then counted lost */
	uint64_t now;           /* ns, CLOCK_MONOTONIC */
	const struct xg_peer *peer;
	/* the XDP program ran xg_validate() on every datagram of this
	 * engine (AF_XDP: it redirects nothing else), so xg_handle() skips
	 * it; false for the kernel sockets, which no XDP program checked */
	bool validated;
};

/* The server's skills: what ATTACK's skill id does. */
struct xg_skill {
	const char *name;
	uint16_t damage;
};

enum { XG_NSKILLS = 4 };
extern const struct xg_skill xg_skills[XG_NSKILLS];

/* A request handler: the request is aligned and validated, and a game
 * request's session checked. It writes the reply's header status and size
 * and any body beyond client_ts into 'h' (the request becomes the reply),
 * and returns the reply's size, or 0 for no reply (counted as denied). */
typedef uint32_t (*xg_handler_fn)(struct xg_handler_ctx *c, struct xg_hdr *h);

struct xg_handler {
	const char *name;
	xg_handler_fn fn;
};

extern const struct xg_handler xg_handlers[XG_MSG_NTYPES];

/*
 * Handle one datagram of 'len' bytes at 'req' (any alignment) from c->peer.
 * On success the reply is written to 'out' (cap bytes; may alias req) and
 * its length returned. A malformed datagram gets no reply: -XG_ERR_* is
 * returned and counted in c->stats->malformed. A well-formed one refused
 * (no session, bad cookie, over budget, replayed...) gets none either: 0 is
 * returned and it is counted in c->stats->denied. -ENOBUFS if cap is smaller
 * than the reply (never the case when out == req: no reply is larger than
 * its request). With c->validated, out == req and cap >= XG_MAX_MSG_SIZE
 * (a UMEM frame), the datagram is handled where it lies if it is aligned
 * for struct xg_hdr, else its head is copied as a constant
 * XG_MAX_MSG_SIZE bytes.
 */
int xg_handle(struct xg_handler_ctx *c, const void *req, uint32_t len,
	      void *out, uint32_t cap);

#endif
