/* SPDX-License-Identifier: MIT */
/*
 * Handler table and the common request path: copy the datagram's head into
 * an aligned buffer (frames put the UDP payload at any offset), validate it
 * with the rule set shared with the XDP program, dispatch on type, and turn
 * the copy into the ack with the same xg_make_ack() the XDP program uses.
 */
#include <errno.h>
#include <string.h>

#include "game/handlers.h"
#include "core/ring.h"

static enum xg_status handle_move(struct xg_handler_ctx *c,
				  const struct xg_hdr *h, const void *body)
{
	const struct xg_move *m = body;

	return xg_world_move(c->world, xg_le32(h->player), xg_le32(m->x),
			     xg_le32(m->y), xg_le32(m->z), c->now);
}

static enum xg_status handle_attack(struct xg_handler_ctx *c,
				    const struct xg_hdr *h, const void *body)
{
	const struct xg_attack *a = body;
	struct xg_event ev;
	enum xg_status st;
	bool killed;

	st = xg_world_attack(c->world, xg_le32(h->player), xg_le32(a->target),
			     xg_le16(a->damage), c->now, &killed);
	if (killed) {
		ev = (struct xg_event){ .type = XG_EV_KILL,
					.player = xg_le32(h->player),
					.other = xg_le32(a->target),
					.ts = c->now };
		if (!c->events || xg_ring_push(c->events, &ev, sizeof(ev)))
			xg_stat_add(&c->stats->events_lost, 1);
	}
	return st;
}

static enum xg_status handle_heartbeat(struct xg_handler_ctx *c,
				       const struct xg_hdr *h,
				       const void *body)
{
	enum xg_status st = xg_world_touch(c->world, xg_le32(h->player), c->now);

	(void)body;
	/* with a world of XG_MAX_PLAYERS, the same answer as the XDP
	 * program's in-kernel reply (xg_heartbeat_status) */
	return st != XG_ST_OK ? st : (enum xg_status)xg_heartbeat_status(h);
}

const struct xg_handler xg_handlers[XG_MSG_NTYPES] = {
	[XG_MSG_MOVE] = { "move", handle_move },
	[XG_MSG_ATTACK] = { "attack", handle_attack },
	[XG_MSG_HEARTBEAT] = { "heartbeat", handle_heartbeat },
};

int xg_handle(struct xg_handler_ctx *c, const void *req, uint32_t len,
	      void *out, uint32_t cap)
{
	union {
		struct xg_hdr h;
		unsigned char b[XG_MAX_MSG_SIZE];
	} m;
	uint32_t head = len < sizeof(m) ? len : sizeof(m);
	enum xg_status st;
	enum xg_err err;
	uint32_t n;

	memcpy(m.b, req, head);
	err = xg_validate(m.b, m.b + head, len);
	if (err) {
		xg_stat_add(&c->stats->malformed[err], 1);
		return -(int)err;
	}
	if (cap < XG_ACK_SIZE)
		return -ENOBUFS;

	st = xg_handlers[m.h.type].fn(c, &m.h, &m.h + 1);
	xg_stat_add(&c->stats->handled[m.h.type], 1);
	xg_stat_add(&c->stats->status[st], 1);

	n = xg_make_ack(&m.h, st);
	memcpy(out, m.b, n);
	return (int)n;
}
