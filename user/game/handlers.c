/* SPDX-License-Identifier: MIT */
/*
 * Handler table and the common request path: copy the datagram's head into
 * an aligned buffer (frames put the UDP payload at any offset), validate it
 * with the rule set shared with the XDP program, check its session (game
 * requests) or its source's handshake budget (JOIN, ANSWER), dispatch on
 * type, and turn the copy into the reply with the same xg_make_reply() the
 * XDP program uses. A datagram the XDP program validated that lies 8-byte
 * aligned in its AF_XDP frame is handled where it lies, without the copy.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "game/handlers.h"
#include "core/ring.h"

const struct xg_skill xg_skills[XG_NSKILLS] = {
	{ "strike", 10 },
	{ "slash", 25 },
	{ "fireball", 60 },
	{ "backstab", 150 },
};

static uint32_t ack(struct xg_hdr *h, enum xg_status st)
{
	xg_make_reply(h, st, XG_ACK_SIZE);
	return XG_ACK_SIZE;
}

static uint32_t handle_move(struct xg_handler_ctx *c, struct xg_hdr *h)
{
	const struct xg_move *m = (const void *)(h + 1);

	return ack(h, xg_world_move(c->world, xg_le32(h->player), xg_le32(m->x),
				    xg_le32(m->y), xg_le32(m->z), c->now));
}

static uint32_t handle_attack(struct xg_handler_ctx *c, struct xg_hdr *h)
{
	const struct xg_attack *a = (const void *)(h + 1);
	uint16_t skill = xg_le16(a->skill);
	struct xg_event ev;
	enum xg_status st;
	bool killed;

	if (skill >= XG_NSKILLS)
		return ack(h, XG_ST_UNKNOWN_SKILL);
	st = xg_world_attack(c->world, xg_le32(h->player), xg_le32(a->target),
			     xg_skills[skill].damage, c->now, &killed);
	if (killed) {
		ev = (struct xg_event){ .type = XG_EV_KILL,
					.player = xg_le32(h->player),
					.other = xg_le32(a->target),
					.ts = c->now };
		if (!c->events || xg_ring_push(c->events, &ev, sizeof(ev)))
			xg_stat_add(&c->stats->events_lost, 1);
	}
	return ack(h, st);
}

/* The XDP program answers HEARTBEAT with OK when it lets one in (the
 * session check passed), and so does this: a player with a session is in
 * the world. */
static uint32_t handle_heartbeat(struct xg_handler_ctx *c, struct xg_hdr *h)
{
	xg_world_touch(c->world, xg_le32(h->player), c->now);
	return ack(h, XG_ST_OK);
}

static uint32_t handle_leave(struct xg_handler_ctx *c, struct xg_hdr *h)
{
	xg_session_close(c->sessions, xg_le32(h->player));
	return ack(h, XG_ST_OK);
}

/* JOIN: a cookie for this source, player and time; nothing stored. */
static uint32_t handle_join(struct xg_handler_ctx *c, struct xg_hdr *h)
{
	struct xg_challenge *ch = (void *)(h + 1);

	xg_cookie_make(c->sessions, c->peer, xg_le32(h->player), c->now,
		       &ch->cookie);
	xg_make_reply(h, XG_ST_OK, XG_CHALLENGE_SIZE);
	return XG_CHALLENGE_SIZE;
}

static uint64_t wall_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec;
}

/* ANSWER: a cookie we made for this very source and player proves the
 * address; then the backend's word (with a key), then the session. */
static uint32_t handle_answer(struct xg_handler_ctx *c, struct xg_hdr *h)
{
	const struct xg_answer *a = (const void *)(h + 1);
	struct xg_answer in = *a; /* the reply overwrites the body */
	struct xg_welcome *w = (void *)(h + 1);
	uint32_t player = xg_le32(h->player);
	enum xg_status st;
	uint64_t token = 0;

	if (!xg_cookie_check(c->sessions, c->peer, player, c->now, &in.cookie)) {
		xg_stat_add(&c->stats->denied[XG_DENY_BAD_COOKIE], 1);
		return 0;
	}
	if (!xg_connect_check(c->sessions, c->peer, player, &in.connect,
			      wall_seconds()))
		st = XG_ST_DENIED;
	else
		st = xg_session_open(c->sessions, player, c->peer, c->now,
				     &token);
	w->client_ts = in.client_ts;
	w->token = xg_le64(token);
	w->timeout_ms = xg_le32(__atomic_load_n(&c->sessions->limits.timeout_ms,
						 __ATOMIC_RELAXED));
	w->reserved = 0;
	xg_make_reply(h, st, XG_WELCOME_SIZE);
	return XG_WELCOME_SIZE;
}

const struct xg_handler xg_handlers[XG_MSG_NTYPES] = {
	[XG_MSG_MOVE] = { "move", handle_move },
	[XG_MSG_ATTACK] = { "attack", handle_attack },
	[XG_MSG_HEARTBEAT] = { "heartbeat", handle_heartbeat },
	[XG_MSG_LEAVE] = { "leave", handle_leave },
	[XG_MSG_JOIN] = { "join", handle_join },
	[XG_MSG_ANSWER] = { "answer", handle_answer },
};

/* Admission, then the handler by a switch, so that the common game
 * requests inline into xg_handle() (no call through the table), and the
 * counters. 'h' is aligned and validated; the reply is written over it. */
static __attribute__((always_inline)) inline int
admit_and_handle(struct xg_handler_ctx *c, struct xg_hdr *h,
		 uint32_t cap)
{
	uint8_t type = h->type;
	enum xg_deny why;
	uint32_t n;

	if (xg_is_handshake(type))
		why = xg_handshake_allowed(c->sessions, c->peer, c->now) ?
			      XG_DENY_NONE : XG_DENY_HANDSHAKE_RATE;
	else
		why = xg_session_admit(c->sessions, h, c->peer, c->now);
	if (why) {
		xg_stat_add(&c->stats->denied[why], 1);
		return 0;
	}
	switch (type) {
	case XG_MSG_MOVE:
		n = handle_move(c, h);
		break;
	case XG_MSG_ATTACK:
		n = handle_attack(c, h);
		break;
	case XG_MSG_HEARTBEAT:
		n = handle_heartbeat(c, h);
		break;
	case XG_MSG_LEAVE:
		n = handle_leave(c, h);
		break;
	case XG_MSG_JOIN:
		n = handle_join(c, h);
		break;
	case XG_MSG_ANSWER:
		n = handle_answer(c, h);
		break;
	default: /* validated: not reached */
		return 0;
	}
	if (!n)
		return 0;
	if (cap < n)
		return -ENOBUFS;
	xg_stat_add(&c->stats->handled[type], 1);
	xg_stat_add(&c->stats->status[h->status], 1);
	return (int)n;
}

int xg_handle(struct xg_handler_ctx *c, const void *req, uint32_t len,
	      void *out, uint32_t cap)
{
	union {
		struct xg_hdr h;
		unsigned char b[XG_MAX_MSG_SIZE];
	} m;
	uint32_t head = len < sizeof(m) ? len : sizeof(m);
	enum xg_err err;
	int n;

	if (c->validated && req == out && len <= cap && cap >= sizeof(m) &&
	    !((uintptr_t)req & (_Alignof(struct xg_hdr) - 1)))
		/* AF_XDP: validated by the XDP program, aligned in its frame,
		 * handled where it lies; no reply is larger than its request
		 * and the frame's room holds the largest request */
		return admit_and_handle(c, out, cap);
	if (c->validated && req == out && cap >= sizeof(m) && len <= cap) {
		/* validated but not aligned (IPv6, VLAN tags): a constant
		 * size, a few moves, not a byte loop */
		memcpy(m.b, req, sizeof(m));
	} else {
		memcpy(m.b, req, head);
		err = xg_validate(m.b, m.b + head, len);
		if (err) {
			xg_stat_add(&c->stats->malformed[err], 1);
			return -(int)err;
		}
	}
	n = admit_and_handle(c, &m.h, cap);
	if (n <= 0)
		return n;
	memcpy(out, m.b, (uint32_t)n);
	return n;
}
