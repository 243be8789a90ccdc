/* SPDX-License-Identifier: MIT */
/* Sessions, cookies, connect tokens, replay window; see session.h. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "game/session.h"

void xg_limits_default(struct xg_limits *l)
{
	*l = (struct xg_limits){
		.hs_rate = XG_DEFAULT_HS_RATE,
		.hs_burst = XG_DEFAULT_HS_BURST,
		.hs_total_rate = XG_DEFAULT_HS_TOTAL_RATE,
		.hs_total_burst = XG_DEFAULT_HS_TOTAL_BURST,
		.session_rate = XG_DEFAULT_SESSION_RATE,
		.session_burst = XG_DEFAULT_SESSION_BURST,
		.timeout_ms = XG_SESSION_TIMEOUT_MS,
	};
}

struct xg_sessions *xg_sessions_create(struct xg_world *world,
				       const struct xg_limits *limits)
{
	struct xg_sessions *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return NULL;
	s->slots = aligned_alloc(64, sizeof(*s->slots) * XG_MAX_PLAYERS);
	if (!s->slots) {
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	memset(s->slots, 0, sizeof(*s->slots) * XG_MAX_PLAYERS);
	s->world = world;
	if (limits)
		s->limits = *limits;
	else
		xg_limits_default(&s->limits);
	err = xg_sipkey_random(&s->keys[0]);
	if (!err)
		err = xg_sipkey_random(&s->keys[2]); /* the "previous" one */
	if (!err)
		err = xg_sipkey_random(&s->hs_key);
	if (err) {
		xg_sessions_destroy(s);
		errno = -err;
		return NULL;
	}
	return s;
}

void xg_sessions_destroy(struct xg_sessions *s)
{
	if (!s)
		return;
	free(s->slots);
	free(s);
}

void xg_sessions_set_backend(struct xg_sessions *s, const struct xg_sipkey *k)
{
	s->backend = *k;
	s->have_backend = true;
}

void xg_sessions_set_limits(struct xg_sessions *s, const struct xg_limits *l)
{
	/* read by workers without a lock: each field is a 32-bit word stored
	 * atomically, and a mix of old and new limits for a moment is fine */
	__atomic_store_n(&s->limits.hs_rate, l->hs_rate, __ATOMIC_RELAXED);
	__atomic_store_n(&s->limits.hs_burst, l->hs_burst, __ATOMIC_RELAXED);
	__atomic_store_n(&s->limits.hs_total_rate, l->hs_total_rate, __ATOMIC_RELAXED);
	__atomic_store_n(&s->limits.hs_total_burst, l->hs_total_burst, __ATOMIC_RELAXED);
	__atomic_store_n(&s->limits.session_rate, l->session_rate, __ATOMIC_RELAXED);
	__atomic_store_n(&s->limits.session_burst, l->session_burst, __ATOMIC_RELAXED);
	__atomic_store_n(&s->limits.timeout_ms, l->timeout_ms, __ATOMIC_RELAXED);
}

/* ---- cookies ---- */

struct cookie_input {
	struct xg_addr addr;
	uint16_t port;
	uint16_t pad;
	uint32_t player;
	uint32_t slot;
	uint32_t pad2;
};

static uint64_t cookie_mac(const struct xg_sipkey *k, const struct xg_peer *p,
			   uint32_t player, uint32_t slot)
{
	struct cookie_input in = { .addr = p->addr, .port = p->port,
				   .player = player, .slot = slot };

	return xg_siphash(k, &in, sizeof(in));
}

static uint32_t slot_of(uint64_t now)
{
	return (uint32_t)(now / (XG_COOKIE_SLOT_S * 1000000000ull));
}

void xg_cookie_make(struct xg_sessions *s, const struct xg_peer *p,
		    uint32_t player, uint64_t now, struct xg_cookie *out)
{
	uint32_t gen = atomic_load_explicit(&s->key_gen, memory_order_acquire);

	out->slot = xg_le32(slot_of(now));
	out->reserved = 0;
	out->mac = xg_le64(cookie_mac(&s->keys[gen % 3], p, player,
				      slot_of(now)));
}

bool xg_cookie_check(struct xg_sessions *s, const struct xg_peer *p,
		     uint32_t player, uint64_t now, const struct xg_cookie *c)
{
	uint32_t gen = atomic_load_explicit(&s->key_gen, memory_order_acquire);
	uint32_t slot = xg_le32(c->slot), cur = slot_of(now);
	uint64_t mac = xg_le64(c->mac);
	int ok;

	if (c->reserved || (slot != cur && slot + 1 != cur))
		return false;
	/* both keys, always, so the time taken says nothing of which */
	ok = xg_ct_eq64(mac, cookie_mac(&s->keys[gen % 3], p, player, slot));
	ok |= xg_ct_eq64(mac, cookie_mac(&s->keys[(gen + 2) % 3], p, player,
					 slot));
	return ok;
}

/* ---- connect tokens ---- */

static uint64_t connect_mac(const struct xg_sipkey *k,
			    const struct xg_connect_token *t)
{
	return xg_siphash(k, t, offsetof(struct xg_connect_token, mac));
}

void xg_connect_sign(const struct xg_sipkey *key, struct xg_connect_token *t)
{
	t->mac = xg_le64(connect_mac(key, t));
}

bool xg_connect_check(const struct xg_sessions *s, const struct xg_peer *p,
		      uint32_t player, const struct xg_connect_token *t,
		      uint64_t wall_s)
{
	if (!s->have_backend)
		return true;
	if (!xg_ct_eq64(xg_le64(t->mac), connect_mac(&s->backend, t)))
		return false;
	return xg_le64(t->expires) > wall_s && xg_le32(t->player) == player &&
	       t->server_port == p->local_port &&
	       !memcmp(t->server_addr, p->local.a, sizeof(t->server_addr));
}

/* ---- handshake budget (user space, when no XDP program runs) ---- */

bool xg_handshake_allowed(struct xg_sessions *s, const struct xg_peer *p,
			  uint64_t now)
{
	uint32_t i = (uint32_t)xg_siphash(&s->hs_key, &p->addr, sizeof(p->addr)) %
		     XG_HS_SLOTS;
	bool ok;

	if (s->kernel_checks && !p->stream) /* TCP never passes XDP */
		return true;
	xg_slot_lock(&s->hs_lock);
	ok = xg_bucket_take(&s->hs[i], now, xg_limit(&s->limits.hs_rate),
			    xg_limit(&s->limits.hs_burst)) &&
	     xg_bucket_take(&s->hs_total, now, xg_limit(&s->limits.hs_total_rate),
			    xg_limit(&s->limits.hs_total_burst));
	xg_slot_unlock(&s->hs_lock);
	return ok;
}

/* ---- sessions ---- */

static uint64_t new_token(void)
{
	uint64_t t = 0;

	while (!t)
		if (getrandom(&t, sizeof(t), 0) != sizeof(t))
			t = 0;
	return t;
}

static void publish(struct xg_sessions *s, uint32_t player,
		    const struct xg_session *ss)
{
	struct xg_session_entry e;

	if (!s->sink.publish)
		return;
	if (!ss || ss->stream) { /* a TCP session: no datagram may use it */
		s->sink.publish(s->sink.arg, player, NULL);
		return;
	}
	e = (struct xg_session_entry){ .token = ss->token, .addr = ss->addr,
				       .port = ss->port,
				       .last_seen = ss->last_seen };
	s->sink.publish(s->sink.arg, player, &e);
}

enum xg_status xg_session_open(struct xg_sessions *s, uint32_t player,
			       const struct xg_peer *p, uint64_t now,
			       uint64_t *token)
{
	struct xg_session *ss;
	uint64_t k, last;
	bool fresh, same;

	*token = 0;
	if (player >= XG_MAX_PLAYERS ||
	    (s->world && player >= s->world->capacity))
		return XG_ST_UNKNOWN_PLAYER;
	ss = &s->slots[player];
	/* the kernel's last-seen time counts too: a player whose heartbeats
	 * are answered in the kernel is alive though user space sees nothing */
	k = s->sink.kernel_last_seen ? s->sink.kernel_last_seen(s->sink.arg, player) : 0;
	xg_slot_lock(&ss->lock);
	fresh = !ss->token;
	same = xg_same_source(ss, p);
	last = ss->last_seen > k ? ss->last_seen : k;
	if (!fresh && !same && !xg_silent(now, last, xg_timeout_ns(s))) {
		xg_slot_unlock(&ss->lock);
		return XG_ST_PLAYER_TAKEN;
	}
	__atomic_store_n(&ss->token, new_token(), __ATOMIC_RELAXED);
	ss->addr = p->addr;
	ss->port = p->port;
	ss->stream = p->stream;
	ss->last_seen = now;
	ss->replay_top = 0;
	ss->replay_mask = 0;
	ss->budget = (struct xg_bucket){};
	*token = ss->token;
	publish(s, player, ss);
	/* under the slot's lock, so that a close racing with this open
	 * cannot leave the player in the world without a session, or the
	 * other way round (the world's updates are lock-free and short) */
	if (fresh)
		atomic_fetch_add_explicit(&s->live, 1, memory_order_relaxed);
	if (s->world) {
		/* a silent session taken over from another address: the new
		 * owner starts afresh, not where the old one left off */
		if (!fresh && !same)
			xg_world_leave(s->world, player);
		xg_world_spawn(s->world, player, now);
	}
	xg_slot_unlock(&ss->lock);
	return XG_ST_OK;
}

/* The session ends and its player leaves the world, both under the slot's
 * lock (see xg_session_open). */
static bool close_locked(struct xg_sessions *s, uint32_t player,
			 struct xg_session *ss)
{
	if (!ss->token)
		return false;
	__atomic_store_n(&ss->token, 0, __ATOMIC_RELAXED);
	publish(s, player, NULL);
	atomic_fetch_sub_explicit(&s->live, 1, memory_order_relaxed);
	if (s->world)
		xg_world_leave(s->world, player);
	return true;
}

void xg_session_close(struct xg_sessions *s, uint32_t player)
{
	struct xg_session *ss;

	if (player >= XG_MAX_PLAYERS)
		return;
	ss = &s->slots[player];
	xg_slot_lock(&ss->lock);
	close_locked(s, player, ss);
	xg_slot_unlock(&ss->lock);
}

bool xg_session_close_token(struct xg_sessions *s, uint32_t player,
			    uint64_t token)
{
	struct xg_session *ss;
	bool ended = false;

	if (player >= XG_MAX_PLAYERS || !token)
		return false;
	ss = &s->slots[player];
	xg_slot_lock(&ss->lock);
	if (ss->token == token)
		ended = close_locked(s, player, ss);
	xg_slot_unlock(&ss->lock);
	return ended;
}

int xg_sessions_tick(struct xg_sessions *s, uint64_t now)
{
	uint64_t tmo = xg_timeout_ns(s), last, k;
	uint32_t gen, i;
	int ended = 0;

	if (!s->key_born_ns)
		s->key_born_ns = now;
	if (now - s->key_born_ns >= XG_KEY_ROTATE_S * 1000000000ull) {
		/* the slot two generations back is written: nobody uses it */
		gen = atomic_load_explicit(&s->key_gen, memory_order_relaxed);
		if (!xg_sipkey_random(&s->keys[(gen + 1) % 3])) {
			atomic_store_explicit(&s->key_gen, gen + 1,
					      memory_order_release);
			s->key_born_ns = now;
		}
	}
	if (!atomic_load_explicit(&s->live, memory_order_relaxed))
		return 0;
	for (i = 0; i < XG_MAX_PLAYERS; i++) {
		struct xg_session *ss = &s->slots[i];
		bool was = false;

		if (!__atomic_load_n(&ss->token, __ATOMIC_RELAXED))
			continue;
		k = s->sink.kernel_last_seen ?
			    s->sink.kernel_last_seen(s->sink.arg, i) : 0;
		xg_slot_lock(&ss->lock);
		last = ss->last_seen > k ? ss->last_seen : k;
		if (ss->token && xg_silent(now, last, tmo))
			was = close_locked(s, i, ss);
		xg_slot_unlock(&ss->lock);
		if (was)
			ended++;
	}
	return ended;
}

uint32_t xg_sessions_live(const struct xg_sessions *s)
{
	return atomic_load_explicit(&s->live, memory_order_relaxed);
}
