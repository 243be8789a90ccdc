/* SPDX-License-Identifier: MIT */
/*
 * Sessions: who may be which player, from where. Protocol version 2's
 * handshake (docs/PROTOCOL.md) ends here, and every game request is checked
 * here before a handler runs, in every engine: the XDP program checks the
 * same rules in the kernel from the `sessions` map this module fills, and
 * the kernel-socket fallback, which no XDP program guards, is as strict.
 *
 *   JOIN    -> CHALLENGE with a cookie: SipHash-2-4 under a server key over
 *              (source address, source port, player, time slot). Nothing is
 *              stored, so a flood of forged JOINs costs a hash each.
 *   ANSWER  -> the cookie checked (current or previous slot, current or
 *              previous key), the backend's connect token checked when a
 *              backend key is set, then the session: a 64-bit random token
 *              bound to (address, port, player). WELCOME carries it.
 *   game    -> token, address and port (and transport: a session opened
 *              over TCP is its connection's) must be the session's; not silent
 *              longer than the timeout; within its budget; a sequence
 *              number not seen before nor older than the replay window.
 *   LEAVE, or silence -> the session ends and the player leaves the world.
 *
 * One slot per player id, each with a small spinlock: a flow's requests
 * arrive on one worker, so the lock is all but uncontended; the handshake
 * and the main thread's expiry sweep take it too.
 */
#ifndef XDPGAME_GAME_SESSION_H
#define XDPGAME_GAME_SESSION_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <xdpgame/bucket.h>
#include <xdpgame/proto.h>
#include <xdpgame/xdp.h>

#include "core/siphash.h"
#include "game/world.h"

enum {
	XG_REPLAY_WINDOW = 64,          /* sequence numbers remembered */
	XG_COOKIE_SLOT_S = 10,          /* a cookie lives 10-20 s */
	XG_KEY_ROTATE_S = 120,          /* a fresh cookie key this often */
	XG_SESSION_TIMEOUT_MS = 10000,  /* default silence that ends a session */
	XG_HS_SLOTS = 4096,             /* user-space handshake buckets */
};

/* Default limits (attach --limits / xdpgame set change them). */
enum {
	XG_DEFAULT_HS_RATE = 100,       /* JOIN/ANSWER per second per source */
	XG_DEFAULT_HS_BURST = 200,
	XG_DEFAULT_HS_TOTAL_RATE = 10000, /* JOIN/ANSWER a second, all sources */
	XG_DEFAULT_HS_TOTAL_BURST = 1000, /* below an AF_XDP RX ring (2048) */
	XG_DEFAULT_SESSION_RATE = 1000, /* game requests per second a player */
	XG_DEFAULT_SESSION_BURST = 2000,
};

/* The two ends of a datagram. Addresses IPv6 or IPv4-mapped, ports in
 * network order, as struct xg_addr. */
struct xg_peer {
	struct xg_addr addr;  /* the client */
	uint16_t port;
	uint16_t local_port;  /* ours: the game port it was sent to */
	struct xg_addr local; /* ours: the address it was sent to */
	bool stream;          /* over a TCP connection (engine/tcp.c): no XDP
				 program checked it, and a session it opens
				 is that connection's alone */
};

struct xg_limits {
	uint32_t hs_rate, hs_burst;
	uint32_t hs_total_rate, hs_total_burst;
	uint32_t session_rate, session_burst;
	uint32_t timeout_ms;
};

struct xg_session {
	_Atomic uint32_t lock;
	uint32_t pad;
	uint64_t token;       /* 0: no session */
	struct xg_addr addr;
	uint16_t port;
	bool stream;          /* opened over TCP: never in the XDP program's
				 map, checked in user space alone */
	uint64_t last_seen;   /* ns; user space's own view */
	uint64_t replay_top;  /* highest sequence number let in */
	uint64_t replay_mask; /* bit i: replay_top - i seen */
	struct xg_bucket budget;
} __attribute__((aligned(64)));

/* Mirrors a session into the XDP program's `sessions` map (entry NULL: the
 * session ended), and reads back the last-seen time the kernel keeps. */
struct xg_session_sink {
	void (*publish)(void *arg, uint32_t player,
			const struct xg_session_entry *e);
	uint64_t (*kernel_last_seen)(void *arg, uint32_t player);
	void *arg;
};

struct xg_sessions {
	struct xg_session *slots;     /* XG_MAX_PLAYERS */
	struct xg_world *world;
	struct xg_sipkey keys[3];     /* cookie keys, a ring */
	_Atomic uint32_t key_gen;     /* keys[gen % 3] current, gen-1 previous */
	uint64_t key_born_ns;
	struct xg_sipkey backend;     /* connect-token key */
	bool have_backend;
	struct xg_limits limits;
	bool kernel_checks;           /* an XDP program checks expiry and rates */
	struct xg_session_sink sink;
	_Atomic uint32_t live;
	_Atomic uint32_t hs_lock;
	struct xg_bucket hs[XG_HS_SLOTS];
	struct xg_bucket hs_total;
	struct xg_sipkey hs_key;      /* spreads sources over hs[] */
};

/* NULL + errno. The world gains a player when its session opens. */
struct xg_sessions *xg_sessions_create(struct xg_world *world,
				       const struct xg_limits *limits);
void xg_sessions_destroy(struct xg_sessions *s);
/* The backend's key: ANSWER then needs a connect token signed with it. */
void xg_sessions_set_backend(struct xg_sessions *s, const struct xg_sipkey *k);
void xg_sessions_set_limits(struct xg_sessions *s, const struct xg_limits *l);
/* Default limits. */
void xg_limits_default(struct xg_limits *l);

/* Main thread, about once a second: rotate the cookie key when due, end
 * sessions silent for longer than the timeout (the kernel's last-seen time
 * counts: in-kernel heartbeat replies refresh only that). How many ended. */
int xg_sessions_tick(struct xg_sessions *s, uint64_t now);

/* Handshake steps and the game check, for the handlers. */
void xg_cookie_make(struct xg_sessions *s, const struct xg_peer *p,
		    uint32_t player, uint64_t now, struct xg_cookie *out);
bool xg_cookie_check(struct xg_sessions *s, const struct xg_peer *p,
		     uint32_t player, uint64_t now, const struct xg_cookie *c);
/* Whether the backend admits this player here; always true without a key.
 * wall_s: Unix time now. */
bool xg_connect_check(const struct xg_sessions *s, const struct xg_peer *p,
		      uint32_t player, const struct xg_connect_token *t,
		      uint64_t wall_s);
/* Sign a connect token (the backend's side; the load generator and the
 * tests use it). */
void xg_connect_sign(const struct xg_sipkey *key, struct xg_connect_token *t);
/* Handshake budget of a source, in user space (no XDP program). */
bool xg_handshake_allowed(struct xg_sessions *s, const struct xg_peer *p,
			  uint64_t now);
/* Open (or renew, from the same address and port) the session of 'player';
 * OK with *token set, PLAYER_TAKEN, or UNKNOWN_PLAYER. */
enum xg_status xg_session_open(struct xg_sessions *s, uint32_t player,
			       const struct xg_peer *p, uint64_t now,
			       uint64_t *token);
/* End a session (LEAVE); the player leaves the world. */
void xg_session_close(struct xg_sessions *s, uint32_t player);
/* End it only if it still has this token (a TCP connection closing ends
 * the sessions it opened, not one another source has taken over since).
 * Whether it ended. */
bool xg_session_close_token(struct xg_sessions *s, uint32_t player,
			    uint64_t token);
/* Live sessions. */
uint32_t xg_sessions_live(const struct xg_sessions *s);

/* ---- the game request's check, inline: every request runs it ---- */

/* A slot's spinlock (and the handshake budget's). */
static inline void xg_slot_lock(_Atomic uint32_t *l)
{
	uint32_t z;

	for (;;) {
		z = 0;
		if (atomic_compare_exchange_weak_explicit(
			    l, &z, 1, memory_order_acquire, memory_order_relaxed))
			return;
		while (atomic_load_explicit(l, memory_order_relaxed))
#if defined(__x86_64__) || defined(__i386__)
			__builtin_ia32_pause();
#else
			;
#endif
	}
}

static inline void xg_slot_unlock(_Atomic uint32_t *l)
{
	atomic_store_explicit(l, 0, memory_order_release);
}

/* A limit, read without a lock (xg_sessions_set_limits()). */
static inline uint32_t xg_limit(const uint32_t *field)
{
	return __atomic_load_n(field, __ATOMIC_RELAXED);
}

static inline uint64_t xg_timeout_ns(const struct xg_sessions *s)
{
	return (uint64_t)xg_limit(&s->limits.timeout_ms) * 1000000ull;
}

/* Silent for longer than tmo at 'now'. Times come from several threads
 * and the kernel, so 'last' may be a little after 'now': not silent. */
static inline bool xg_silent(uint64_t now, uint64_t last, uint64_t tmo)
{
	return now > last && now - last > tmo;
}

static inline bool xg_same_source(const struct xg_session *ss,
				  const struct xg_peer *p)
{
	return ss->port == p->port && ss->stream == p->stream &&
	       !__builtin_memcmp(&ss->addr, &p->addr, sizeof(ss->addr));
}

/* The replay window: a sequence number is let in once, and only if it is
 * newer than the newest minus XG_REPLAY_WINDOW. */
static inline bool xg_replay_admit(struct xg_session *ss, uint32_t seq)
{
	uint64_t q = seq, d;

	if (!ss->replay_mask) { /* first request of the session */
		ss->replay_top = q;
		ss->replay_mask = 1;
		return true;
	}
	if (q > ss->replay_top) {
		d = q - ss->replay_top;
		ss->replay_mask = d >= XG_REPLAY_WINDOW ? 0 : ss->replay_mask << d;
		ss->replay_mask |= 1;
		ss->replay_top = q;
		return true;
	}
	d = ss->replay_top - q;
	if (d >= XG_REPLAY_WINDOW || (ss->replay_mask >> d) & 1)
		return false;
	ss->replay_mask |= 1ull << d;
	return true;
}

/* Check a game request's header against its session and let it in (marks
 * its sequence number seen). XG_DENY_NONE or the reason. */
static inline enum xg_deny xg_session_admit(struct xg_sessions *s,
					    const struct xg_hdr *h,
					    const struct xg_peer *p,
					    uint64_t now)
{
	uint32_t player = xg_le32(h->player);
	struct xg_session *ss;
	enum xg_deny why = XG_DENY_NONE;
	/* the XDP program checks expiry and budget where it runs, against
	 * the kernel's last-seen time, which user space may not have seen;
	 * nothing checked what came over TCP */
	bool here = !s->kernel_checks || p->stream;

	if (player >= XG_MAX_PLAYERS)
		return XG_DENY_NO_SESSION;
	ss = &s->slots[player];
	xg_slot_lock(&ss->lock);
	if (!ss->token)
		why = XG_DENY_NO_SESSION;
	else if (!xg_ct_eq64(ss->token, xg_le64(h->token)))
		why = XG_DENY_BAD_TOKEN;
	else if (!xg_same_source(ss, p))
		why = XG_DENY_WRONG_SOURCE;
	else if (here && xg_silent(now, ss->last_seen, xg_timeout_ns(s)))
		why = XG_DENY_EXPIRED;
	else if (here &&
		 !xg_bucket_take(&ss->budget, now, xg_limit(&s->limits.session_rate),
				 xg_limit(&s->limits.session_burst)))
		why = XG_DENY_SESSION_RATE;
	else if (!xg_replay_admit(ss, xg_le32(h->seq)))
		why = XG_DENY_REPLAY;
	else if (now > ss->last_seen)
		ss->last_seen = now;
	xg_slot_unlock(&ss->lock);
	return why;
}

/* IPv4 address (network order) as an IPv4-mapped struct xg_addr. */
static inline void xg_addr_from_v4(struct xg_addr *a, uint32_t v4)
{
	int i;

	for (i = 0; i < 10; i++)
		a->a[i] = 0;
	a->a[10] = a->a[11] = 0xff;
	__builtin_memcpy(&a->a[12], &v4, 4);
}

#endif
