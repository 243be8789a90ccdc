/* SPDX-License-Identifier: MIT */
/*
 * Sessions (game/session.c): cookies and their key rotation, the backend's
 * connect tokens, opening, admitting (token, source, expiry, budget, replay
 * window), ending, and the sink that mirrors sessions into the XDP
 * program's map. Time is a fake `now` throughout.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <time.h>

#include "game/msg.h"
#include "game/session.h"
#include "game/world.h"

#define S_NS 1000000000ull
#define MS_NS 1000000ull

static const uint64_t T = 1000 * S_NS; /* a slot boundary: slot 100 */

static struct xg_world *world;
static struct xg_sessions *ss;

static struct xg_peer peer(uint8_t host, uint16_t port)
{
	struct xg_peer p;

	memset(&p, 0, sizeof(p));
	xg_addr_from_v4(&p.addr, htonl(0x0a000000u | host));
	p.port = htons(port);
	xg_addr_from_v4(&p.local, htonl(0x0a000001u));
	p.local_port = htons(7777);
	return p;
}

static void make(const struct xg_limits *l)
{
	world = xg_world_create(XG_MAX_PLAYERS);
	cr_assert_not_null(world);
	ss = xg_sessions_create(world, l);
	cr_assert_not_null(ss);
}

static void setup(void)
{
	make(NULL);
}

static void teardown(void)
{
	xg_sessions_destroy(ss);
	xg_world_destroy(world);
}

TestSuite(session, .init = setup, .fini = teardown);

/* A game request's header, aligned. */
static struct xg_hdr hdr(uint32_t seq, uint32_t player, uint64_t token)
{
	union {
		struct xg_hdr h;
		unsigned char b[XG_MAX_MSG_SIZE];
	} m;

	xg_msg_heartbeat(m.b, seq, player, token, 1);
	return m.h;
}

static enum xg_deny admit(uint32_t seq, uint32_t player, uint64_t token,
			  const struct xg_peer *p, uint64_t now)
{
	struct xg_hdr h = hdr(seq, player, token);

	return xg_session_admit(ss, &h, p, now);
}

static uint64_t open_ok(uint32_t player, const struct xg_peer *p,
			uint64_t now)
{
	uint64_t token = 1;

	cr_assert_eq(xg_session_open(ss, player, p, now, &token), XG_ST_OK);
	cr_assert_neq(token, 0);
	return token;
}

/* ---- cookies ---- */

Test(session, cookie_made_and_checked_for_the_same_source)
{
	struct xg_peer a = peer(2, 40000), b = peer(3, 40000),
		       a2 = peer(2, 40001);
	struct xg_cookie c, bad;

	xg_cookie_make(ss, &a, 7, T, &c);
	cr_expect_eq(c.reserved, 0);
	cr_expect(xg_cookie_check(ss, &a, 7, T, &c));
	cr_expect(xg_cookie_check(ss, &a, 7, T + 9 * S_NS, &c));
	cr_expect_not(xg_cookie_check(ss, &b, 7, T, &c), "another address");
	cr_expect_not(xg_cookie_check(ss, &a2, 7, T, &c), "another port");
	cr_expect_not(xg_cookie_check(ss, &a, 8, T, &c), "another player");
	bad = c;
	bad.mac ^= 1;
	cr_expect_not(xg_cookie_check(ss, &a, 7, T, &bad), "modified mac");
	bad = c;
	bad.slot = xg_le32(xg_le32(c.slot) + 1);
	cr_expect_not(xg_cookie_check(ss, &a, 7, T + 10 * S_NS, &bad),
		      "slot changed");
	bad = c;
	bad.reserved = 1;
	cr_expect_not(xg_cookie_check(ss, &a, 7, T, &bad), "reserved set");
}

Test(session, cookie_lives_one_slot_more)
{
	struct xg_peer a = peer(2, 40000);
	struct xg_cookie c;

	xg_cookie_make(ss, &a, 7, T + 3 * S_NS, &c);
	/* the next slot: still good */
	cr_expect(xg_cookie_check(ss, &a, 7, T + XG_COOKIE_SLOT_S * S_NS, &c));
	cr_expect(xg_cookie_check(ss, &a, 7,
				  T + (2 * XG_COOKIE_SLOT_S - 1) * S_NS, &c));
	/* two slots later: too old */
	cr_expect_not(xg_cookie_check(ss, &a, 7,
				      T + 2 * XG_COOKIE_SLOT_S * S_NS, &c));
	/* from a slot not yet begun: refused */
	cr_expect_not(xg_cookie_check(ss, &a, 7, T - S_NS, &c));
}

Test(session, cookie_survives_one_key_rotation_not_two)
{
	const uint64_t rot = XG_KEY_ROTATE_S * S_NS;
	struct xg_peer a = peer(2, 40000);
	struct xg_cookie c, fresh;

	xg_sessions_tick(ss, T); /* the key's birth */
	xg_cookie_make(ss, &a, 7, T, &c);
	xg_sessions_tick(ss, T + rot / 2);
	cr_expect(xg_cookie_check(ss, &a, 7, T, &c), "no rotation yet");
	xg_sessions_tick(ss, T + rot);
	cr_expect(xg_cookie_check(ss, &a, 7, T, &c), "the previous key");
	xg_cookie_make(ss, &a, 7, T, &fresh);
	cr_expect_neq(fresh.mac, c.mac, "a new key makes other cookies");
	cr_expect(xg_cookie_check(ss, &a, 7, T, &fresh));
	xg_sessions_tick(ss, T + 2 * rot);
	cr_expect_not(xg_cookie_check(ss, &a, 7, T, &c), "two keys back");
	cr_expect(xg_cookie_check(ss, &a, 7, T, &fresh), "one key back");
}

/* ---- connect tokens ---- */

static const struct xg_sipkey backend = { 0x1111222233334444ull,
					  0x5555666677778888ull };

static struct xg_connect_token token_for(const struct xg_peer *p,
					 uint32_t player, uint64_t expires)
{
	struct xg_connect_token t = {};

	t.expires = xg_le64(expires);
	t.player = xg_le32(player);
	t.server_port = p->local_port;
	memcpy(t.server_addr, p->local.a, sizeof(t.server_addr));
	t.nonce = xg_le64(0xabcdef);
	xg_connect_sign(&backend, &t);
	return t;
}

Test(session, connect_token_checked_with_the_backend_key)
{
	const uint64_t now_s = 1700000000;
	struct xg_peer p = peer(2, 40000), q;
	struct xg_connect_token t, u;
	struct xg_sipkey other = backend;

	xg_sessions_set_backend(ss, &backend);
	t = token_for(&p, 7, now_s + 60);
	cr_expect(xg_connect_check(ss, &p, 7, &t, now_s));
	cr_expect(xg_connect_check(ss, &p, 7, &t, now_s + 59));
	cr_expect_not(xg_connect_check(ss, &p, 7, &t, now_s + 60), "expired");
	cr_expect_not(xg_connect_check(ss, &p, 8, &t, now_s), "other player");
	q = p;
	xg_addr_from_v4(&q.local, htonl(0x0a000063u));
	cr_expect_not(xg_connect_check(ss, &q, 7, &t, now_s),
		      "other server address");
	q = p;
	q.local_port = htons(7778);
	cr_expect_not(xg_connect_check(ss, &q, 7, &t, now_s),
		      "other server port");
	/* the client's own address and port do not matter */
	q = peer(9, 1234);
	cr_expect(xg_connect_check(ss, &q, 7, &t, now_s));
	/* signed with another key */
	other.k1 ^= 1;
	u = t;
	xg_connect_sign(&other, &u);
	cr_expect_not(xg_connect_check(ss, &p, 7, &u, now_s), "other key");
	/* changed after signing */
	u = t;
	u.expires = xg_le64(now_s + 3600);
	cr_expect_not(xg_connect_check(ss, &p, 7, &u, now_s), "forged expiry");
	u = t;
	u.player = xg_le32(8);
	cr_expect_not(xg_connect_check(ss, &p, 8, &u, now_s), "forged player");
}

Test(session, without_a_backend_key_anything_goes)
{
	struct xg_peer p = peer(2, 40000);
	struct xg_connect_token zero = {}, junk;

	memset(&junk, 0xa5, sizeof(junk));
	cr_expect(xg_connect_check(ss, &p, 7, &zero, 1700000000));
	cr_expect(xg_connect_check(ss, &p, 7, &junk, 1700000000));
}

/* ---- handshake budget (user space) ---- */

Test(session, handshake_budget_per_source)
{
	struct xg_limits l;
	struct xg_peer a = peer(2, 40000), a2 = peer(2, 40001),
		       b = peer(3, 40000);

	teardown();
	xg_limits_default(&l);
	l.hs_rate = 2;
	l.hs_burst = 2;
	make(&l);
	cr_expect(xg_handshake_allowed(ss, &a, T));
	cr_expect(xg_handshake_allowed(ss, &a2, T)); /* same address */
	cr_expect_not(xg_handshake_allowed(ss, &a, T));
	cr_expect(xg_handshake_allowed(ss, &b, T));
	cr_expect(xg_handshake_allowed(ss, &a, T + S_NS / 2)); /* refilled */
	ss->kernel_checks = true; /* the XDP program counts them instead */
	for (int i = 0; i < 10; i++)
		cr_expect(xg_handshake_allowed(ss, &a, T + S_NS / 2));
}

/* ---- sessions ---- */

Test(session, open_then_admit)
{
	struct xg_peer a = peer(2, 40000);
	struct xg_player_view v;
	uint64_t tok;

	cr_expect_eq(xg_sessions_live(ss), 0);
	cr_expect_eq(xg_world_get(world, 5, &v), -ENOENT);
	tok = open_ok(5, &a, T);
	cr_expect_eq(xg_sessions_live(ss), 1);
	cr_expect_eq(xg_world_get(world, 5, &v), 0, "spawned with the session");
	cr_expect_eq(v.health, XG_FULL_HEALTH);
	cr_expect_eq(admit(1, 5, tok, &a, T + 1), XG_DENY_NONE);
	cr_expect_eq(admit(2, 5, tok, &a, T + 2), XG_DENY_NONE);
}

Test(session, admit_refusals)
{
	struct xg_peer a = peer(2, 40000), b = peer(3, 40000),
		       a2 = peer(2, 40001);
	uint64_t tok = open_ok(5, &a, T);

	cr_expect_eq(admit(1, 5, tok ^ 1, &a, T), XG_DENY_BAD_TOKEN);
	cr_expect_eq(admit(1, 5, 0, &a, T), XG_DENY_BAD_TOKEN);
	cr_expect_eq(admit(1, 5, tok, &b, T), XG_DENY_WRONG_SOURCE);
	cr_expect_eq(admit(1, 5, tok, &a2, T), XG_DENY_WRONG_SOURCE);
	cr_expect_eq(admit(1, 6, tok, &a, T), XG_DENY_NO_SESSION);
	cr_expect_eq(admit(1, XG_MAX_PLAYERS, tok, &a, T), XG_DENY_NO_SESSION);
	cr_expect_eq(admit(1, 0xffffffff, tok, &a, T), XG_DENY_NO_SESSION);
	/* none of those marked seq 1 seen */
	cr_expect_eq(admit(1, 5, tok, &a, T), XG_DENY_NONE);
}

Test(session, replay_window)
{
	struct xg_peer a = peer(2, 40000);
	uint64_t tok = open_ok(5, &a, T);

	cr_expect_eq(admit(10, 5, tok, &a, T), XG_DENY_NONE);
	cr_expect_eq(admit(10, 5, tok, &a, T), XG_DENY_REPLAY, "replayed");
	cr_expect_eq(admit(12, 5, tok, &a, T), XG_DENY_NONE);
	cr_expect_eq(admit(11, 5, tok, &a, T), XG_DENY_NONE, "out of order");
	cr_expect_eq(admit(11, 5, tok, &a, T), XG_DENY_REPLAY, "only once");
	cr_expect_eq(admit(12, 5, tok, &a, T), XG_DENY_REPLAY);
	cr_expect_eq(admit(12 + XG_REPLAY_WINDOW, 5, tok, &a, T),
		     XG_DENY_NONE);
	/* 12 is now as old as the window: too old, seen or not */
	cr_expect_eq(admit(12, 5, tok, &a, T), XG_DENY_REPLAY);
	cr_expect_eq(admit(5, 5, tok, &a, T), XG_DENY_REPLAY, "older");
	/* 13 is inside the window and unseen */
	cr_expect_eq(admit(13, 5, tok, &a, T), XG_DENY_NONE);
	cr_expect_eq(admit(13, 5, tok, &a, T), XG_DENY_REPLAY);
	/* a jump far ahead forgets everything behind the window */
	cr_expect_eq(admit(100000, 5, tok, &a, T), XG_DENY_NONE);
	cr_expect_eq(admit(99999, 5, tok, &a, T), XG_DENY_NONE);
	cr_expect_eq(admit(13 + XG_REPLAY_WINDOW, 5, tok, &a, T),
		     XG_DENY_REPLAY);
}

Test(session, expiry_then_tick_ends_it)
{
	struct xg_limits l;
	struct xg_peer a = peer(2, 40000);
	struct xg_player_view v;
	uint64_t tok;

	teardown();
	xg_limits_default(&l);
	l.timeout_ms = 1000;
	make(&l);
	tok = open_ok(5, &a, T);
	cr_expect_eq(admit(1, 5, tok, &a, T + 1000 * MS_NS), XG_DENY_NONE);
	/* silent for the timeout and 1 ns more */
	cr_expect_eq(admit(2, 5, tok, &a, T + 2000 * MS_NS + 1),
		     XG_DENY_EXPIRED);
	cr_expect_eq(xg_sessions_tick(ss, T + 1500 * MS_NS), 0);
	cr_expect_eq(xg_sessions_live(ss), 1);
	cr_expect_eq(xg_sessions_tick(ss, T + 2000 * MS_NS + 1), 1);
	cr_expect_eq(xg_sessions_live(ss), 0);
	cr_expect_eq(xg_world_get(world, 5, &v), -ENOENT, "left the world");
	cr_expect_eq(admit(3, 5, tok, &a, T + 2001 * MS_NS),
		     XG_DENY_NO_SESSION);
	cr_expect_eq(xg_sessions_tick(ss, T + 5000 * MS_NS), 0);
}

/* With an XDP program, expiry and budgets are the kernel's: user space lets
 * such requests by (they reached it, so the program let them in). */
Test(session, kernel_checks_skip_expiry_and_budget)
{
	struct xg_limits l;
	struct xg_peer a = peer(2, 40000);
	uint64_t tok;

	teardown();
	xg_limits_default(&l);
	l.timeout_ms = 1000;
	l.session_rate = 1;
	l.session_burst = 1;
	make(&l);
	ss->kernel_checks = true;
	tok = open_ok(5, &a, T);
	for (uint32_t i = 1; i <= 5; i++)
		cr_expect_eq(admit(i, 5, tok, &a, T + 3 * S_NS), XG_DENY_NONE);
	cr_expect_eq(admit(5, 5, tok, &a, T + 3 * S_NS), XG_DENY_REPLAY);
}

Test(session, session_budget)
{
	struct xg_limits l;
	struct xg_peer a = peer(2, 40000);
	uint64_t tok;
	uint32_t seq = 1;

	teardown();
	xg_limits_default(&l);
	l.session_rate = 10;
	l.session_burst = 10;
	make(&l);
	tok = open_ok(5, &a, T);
	for (int i = 0; i < 10; i++)
		cr_expect_eq(admit(seq++, 5, tok, &a, T), XG_DENY_NONE,
			     "request %d", i + 1);
	cr_expect_eq(admit(seq, 5, tok, &a, T), XG_DENY_SESSION_RATE);
	/* the refused seq was not marked seen; 100 ms refill one request */
	cr_expect_eq(admit(seq++, 5, tok, &a, T + 100 * MS_NS), XG_DENY_NONE);
	cr_expect_eq(admit(seq, 5, tok, &a, T + 100 * MS_NS),
		     XG_DENY_SESSION_RATE);
	/* another session has its own budget */
	tok = open_ok(6, &a, T);
	cr_expect_eq(admit(1, 6, tok, &a, T), XG_DENY_NONE);
}

Test(session, player_taken_while_alive)
{
	struct xg_limits l;
	struct xg_peer a = peer(2, 40000), b = peer(3, 40000),
		       a2 = peer(2, 40001);
	uint64_t t1, t2, t3;

	teardown();
	xg_limits_default(&l);
	l.timeout_ms = 1000;
	make(&l);
	t1 = open_ok(3, &a, T);
	t3 = 1;
	cr_expect_eq(xg_session_open(ss, 3, &b, T + 1, &t3), XG_ST_PLAYER_TAKEN);
	cr_expect_eq(t3, 0);
	cr_expect_eq(xg_session_open(ss, 3, &a2, T + 1, &t3),
		     XG_ST_PLAYER_TAKEN);
	cr_expect_eq(admit(1, 3, t1, &a, T + 2), XG_DENY_NONE, "still a's");
	/* the same source: renewed, with a new token */
	t2 = open_ok(3, &a, T + 3);
	cr_expect_neq(t2, t1);
	cr_expect_eq(xg_sessions_live(ss), 1);
	cr_expect_eq(admit(2, 3, t1, &a, T + 4), XG_DENY_BAD_TOKEN);
	cr_expect_eq(admit(2, 3, t2, &a, T + 4), XG_DENY_NONE);
	/* silent past the timeout: another source may take the player */
	t3 = open_ok(3, &b, T + 4 + 1000 * MS_NS + 1);
	cr_expect_eq(xg_sessions_live(ss), 1);
	cr_expect_eq(admit(3, 3, t2, &a, T + 4 + 1001 * MS_NS),
		     XG_DENY_BAD_TOKEN);
	cr_expect_eq(admit(3, 3, t3, &b, T + 4 + 1001 * MS_NS), XG_DENY_NONE);
}

/* Workers stamp their batches independently: an ANSWER from elsewhere,
 * stamped a moment before the owner's latest request, must not find the
 * session expired (now - last_seen must not wrap around). */
Test(session, player_taken_with_an_earlier_timestamp)
{
	struct xg_peer a = peer(2, 40000), b = peer(3, 40000);
	uint64_t t1, t3 = 1;

	t1 = open_ok(3, &a, T);
	cr_expect_eq(admit(1, 3, t1, &a, T + 5000), XG_DENY_NONE);
	cr_expect_eq(xg_session_open(ss, 3, &b, T + 4000, &t3),
		     XG_ST_PLAYER_TAKEN);
	cr_expect_eq(t3, 0);
	/* nor the owner's own request stamped a little earlier */
	cr_expect_eq(admit(2, 3, t1, &a, T + 4500), XG_DENY_NONE);
}

Test(session, unknown_player)
{
	struct xg_world *small = xg_world_create(8);
	struct xg_sessions *s8 = xg_sessions_create(small, NULL);
	struct xg_peer a = peer(2, 40000);
	uint64_t tok = 1;

	cr_assert(small && s8);
	cr_expect_eq(xg_session_open(s8, 8, &a, T, &tok), XG_ST_UNKNOWN_PLAYER);
	cr_expect_eq(tok, 0);
	cr_expect_eq(xg_session_open(s8, 7, &a, T, &tok), XG_ST_OK);
	cr_expect_eq(xg_session_open(ss, XG_MAX_PLAYERS, &a, T, &tok),
		     XG_ST_UNKNOWN_PLAYER);
	cr_expect_eq(xg_sessions_live(s8), 1);
	xg_sessions_destroy(s8);
	xg_world_destroy(small);
}

Test(session, close_frees_the_player)
{
	struct xg_peer a = peer(2, 40000), b = peer(3, 40000);
	struct xg_player_view v;
	uint64_t tok = open_ok(5, &a, T);

	xg_session_close(ss, 5);
	cr_expect_eq(xg_sessions_live(ss), 0);
	cr_expect_eq(xg_world_get(world, 5, &v), -ENOENT);
	cr_expect_eq(admit(1, 5, tok, &a, T), XG_DENY_NO_SESSION);
	xg_session_close(ss, 5); /* twice: nothing more */
	xg_session_close(ss, XG_MAX_PLAYERS);
	cr_expect_eq(xg_sessions_live(ss), 0);
	tok = open_ok(5, &b, T + 1); /* anybody may have it now */
	cr_expect_eq(admit(1, 5, tok, &b, T + 2), XG_DENY_NONE);
	cr_expect_eq(xg_sessions_live(ss), 1);
}

/* ---- the sink ---- */

struct seen {
	int calls, nulls;
	uint32_t player;
	struct xg_session_entry e;
	uint64_t kernel_last;
};

static void rec_publish(void *arg, uint32_t player,
			const struct xg_session_entry *e)
{
	struct seen *s = arg;

	s->calls++;
	s->player = player;
	if (e)
		s->e = *e;
	else
		s->nulls++;
}

static uint64_t rec_last_seen(void *arg, uint32_t player)
{
	struct seen *s = arg;

	(void)player;
	return s->kernel_last;
}

Test(session, sink_sees_open_and_close)
{
	struct xg_peer a = peer(2, 40000);
	struct seen s = {};
	uint64_t tok;

	ss->sink = (struct xg_session_sink){ .publish = rec_publish,
					     .kernel_last_seen = rec_last_seen,
					     .arg = &s };
	tok = open_ok(9, &a, T);
	cr_expect_eq(s.calls, 1);
	cr_expect_eq(s.nulls, 0);
	cr_expect_eq(s.player, 9);
	cr_expect_eq(s.e.token, tok);
	cr_expect_arr_eq(&s.e.addr, &a.addr, sizeof(a.addr));
	cr_expect_eq(s.e.port, a.port);
	cr_expect_eq(s.e.last_seen, T);
	cr_expect_eq(s.e.budget.credit, 0);
	cr_expect_eq(s.e.budget.ts, 0, "a fresh budget starts full");
	xg_session_close(ss, 9);
	cr_expect_eq(s.calls, 2);
	cr_expect_eq(s.nulls, 1);
	cr_expect_eq(s.player, 9);
}

/* The kernel's last-seen time keeps a session alive that user space has
 * not heard from (in-kernel heartbeat replies); when it too is old, the
 * tick ends the session and the sink hears of it. */
Test(session, tick_counts_the_kernels_last_seen)
{
	const uint64_t tmo = XG_SESSION_TIMEOUT_MS * MS_NS;
	struct xg_peer a = peer(2, 40000);
	struct seen s = {};

	ss->sink = (struct xg_session_sink){ .publish = rec_publish,
					     .kernel_last_seen = rec_last_seen,
					     .arg = &s };
	open_ok(9, &a, T);
	s.kernel_last = T + tmo;
	cr_expect_eq(xg_sessions_tick(ss, T + tmo + tmo / 2), 0);
	cr_expect_eq(s.nulls, 0);
	cr_expect_eq(xg_sessions_tick(ss, T + 2 * tmo + 1), 1);
	cr_expect_eq(s.nulls, 1);
	cr_expect_eq(s.player, 9);
	cr_expect_eq(xg_sessions_live(ss), 0);
}

/* ---- sessions opened over TCP (engine/tcp.c) ---- */

static void note_publish(void *arg, uint32_t player,
			 const struct xg_session_entry *e)
{
	int *published = arg;

	(void)player;
	*published = e ? 1 : -1;
}

Test(session, stream_session_is_its_connections)
{
	struct xg_peer tcp = peer(2, 40000), udp = peer(2, 40000);
	int published = 0;
	uint64_t tok;

	tcp.stream = true;
	ss->sink.publish = note_publish;
	ss->sink.arg = &published;
	ss->kernel_checks = true; /* an XDP program guards the UDP side */
	tok = open_ok(5, &tcp, T);
	cr_expect_eq(published, -1, "never written to the XDP program's map");
	cr_expect_eq(admit(1, 5, tok, &tcp, T + 1), XG_DENY_NONE);
	cr_expect_eq(admit(2, 5, tok, &udp, T + 2), XG_DENY_WRONG_SOURCE,
		     "a datagram from the very address and port");
	/* checked in user space though XDP runs: no program saw TCP */
	cr_expect_eq(admit(3, 5, tok, &tcp, T + 30 * S_NS), XG_DENY_EXPIRED);
	cr_expect_not(xg_session_close_token(ss, 5, tok + 1), "not its token");
	cr_expect_eq(xg_sessions_live(ss), 1);
	cr_expect(xg_session_close_token(ss, 5, tok));
	cr_expect_eq(xg_sessions_live(ss), 0);
	cr_expect_not(xg_session_close_token(ss, 5, tok), "ended already");
}

Test(session, stream_handshake_budget_even_with_xdp)
{
	struct xg_limits l;
	struct xg_peer a = peer(2, 40000);

	teardown();
	xg_limits_default(&l);
	l.hs_rate = 1;
	l.hs_burst = 1;
	make(&l);
	ss->kernel_checks = true;
	a.stream = true;
	cr_expect(xg_handshake_allowed(ss, &a, T));
	cr_expect_not(xg_handshake_allowed(ss, &a, T), "TCP pays in user space");
}
