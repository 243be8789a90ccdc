/* SPDX-License-Identifier: MIT */
/*
 * Handler table and xg_handle(): the handshake (JOIN, CHALLENGE, ANSWER,
 * WELCOME), game requests within a session, acks and statuses, skills,
 * death and respawn, in-place replies, events, refusals.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "game/handlers.h"
#include "game/msg.h"
#include "core/ring.h"

static struct xg_world *world;
static struct xg_sessions *sessions;
static struct xg_ring *events;
static struct xg_stats stats;
static struct xg_handler_ctx ctx;
static struct xg_peer client;

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

static void setup(void)
{
	world = xg_world_create(XG_MAX_PLAYERS);
	sessions = xg_sessions_create(world, NULL);
	events = xg_ring_create(16, sizeof(struct xg_event));
	cr_assert(world && sessions && events);
	xg_stats_init(&stats);
	client = peer(2, 40000);
	ctx = (struct xg_handler_ctx){ .world = world, .sessions = sessions,
				       .stats = &stats, .events = events,
				       .now = 1000000000000ull,
				       .peer = &client };
}

static void teardown(void)
{
	xg_ring_destroy(events);
	xg_sessions_destroy(sessions);
	xg_world_destroy(world);
}

TestSuite(handlers, .init = setup, .fini = teardown);

/* Handle in place and return the reply's header (copied out, aligned). */
static struct xg_hdr handle(unsigned char *buf, uint32_t len, int *ret)
{
	struct xg_hdr h;

	*ret = xg_handle(&ctx, buf, len, buf, len);
	memcpy(&h, buf, sizeof(h));
	return h;
}

static void expect_ack(const unsigned char *buf, uint8_t type, uint32_t seq,
		       uint8_t status, uint64_t ts)
{
	struct xg_hdr h;
	struct xg_ack a;

	memcpy(&h, buf, sizeof(h));
	memcpy(&a, buf + sizeof(h), sizeof(a));
	cr_expect_eq(xg_le16(h.magic), XG_MAGIC);
	cr_expect_eq(h.version, XG_VERSION);
	cr_expect_eq(h.type, XG_MSG_ACK | type);
	cr_expect_eq(xg_le16(h.size), XG_ACK_SIZE);
	cr_expect_eq(xg_le32(h.seq), seq);
	cr_expect_eq(h.status, status, "status %u, want %u", h.status, status);
	cr_expect_eq(xg_le64(a.client_ts), ts);
}

/* The whole handshake through xg_handle, from c->peer: the token. */
static uint64_t join(uint32_t player)
{
	unsigned char buf[XG_MAX_MSG_SIZE];
	struct xg_reply_view rv;
	struct xg_cookie cookie;
	uint32_t n;
	int r;

	n = xg_msg_join(buf, 1, player, 55);
	cr_assert_eq(n, XG_JOIN_SIZE);
	handle(buf, n, &r);
	cr_assert_eq(r, XG_CHALLENGE_SIZE, "JOIN: %d", r);
	cr_assert_eq(xg_reply_parse(buf, (size_t)r, &rv), 0);
	cr_assert_eq(rv.type, XG_MSG_CHALLENGE);
	cr_assert_eq(rv.status, XG_ST_OK);
	cr_assert_eq(rv.player, player);
	cr_assert_eq(rv.client_ts, 55);
	cookie = rv.cookie;
	n = xg_msg_answer(buf, 2, player, 56, &cookie, NULL);
	handle(buf, n, &r);
	cr_assert_eq(r, XG_WELCOME_SIZE, "ANSWER: %d", r);
	cr_assert_eq(xg_reply_parse(buf, (size_t)r, &rv), 0);
	cr_assert_eq(rv.type, XG_MSG_WELCOME);
	cr_assert_eq(rv.status, XG_ST_OK, "WELCOME status %u", rv.status);
	cr_assert_eq(rv.client_ts, 56);
	cr_assert_eq(rv.timeout_ms, XG_SESSION_TIMEOUT_MS);
	cr_assert_neq(rv.session, 0);
	return rv.session;
}

Test(handlers, table_covers_every_type)
{
	for (int t = 1; t < XG_MSG_NTYPES; t++) {
		cr_expect_not_null(xg_handlers[t].fn, "type %d", t);
		cr_expect_not_null(xg_handlers[t].name);
	}
}

Test(handlers, handshake_then_game_requests)
{
	unsigned char buf[XG_MAX_MSG_SIZE];
	struct xg_player_view v;
	uint64_t tok;
	int r;

	cr_expect_eq(xg_world_get(world, 5, &v), -ENOENT);
	tok = join(5);
	cr_expect_eq(stats.handled[XG_MSG_JOIN], 1);
	cr_expect_eq(stats.handled[XG_MSG_ANSWER], 1);
	cr_expect_eq(xg_sessions_live(sessions), 1);
	cr_expect_eq(xg_world_get(world, 5, &v), 0, "spawned");
	handle(buf, xg_msg_heartbeat(buf, 3, 5, tok, 9), &r);
	cr_assert_eq(r, XG_ACK_SIZE);
	expect_ack(buf, XG_MSG_HEARTBEAT, 3, XG_ST_OK, 9);
	handle(buf, xg_msg_move(buf, 4, 5, tok, 10, 1, 2, 3), &r);
	cr_assert_eq(r, XG_ACK_SIZE);
	expect_ack(buf, XG_MSG_MOVE, 4, XG_ST_OK, 10);
	/* the token goes back in the ack's header */
	cr_expect_eq(xg_le64(((struct xg_hdr *)buf)->token), tok);
}

Test(handlers, challenge_is_no_larger_than_join)
{
	unsigned char buf[XG_MAX_MSG_SIZE];
	uint32_t n = xg_msg_join(buf, 1, 5, 55);
	int r;

	cr_expect_eq(n, 56);
	handle(buf, n, &r);
	cr_expect_eq(r, 48);
	cr_expect_leq((uint32_t)r, n);
	cr_expect_eq(xg_sessions_live(sessions), 0, "JOIN stores nothing");
}

Test(handlers, requests_without_a_session_get_no_reply)
{
	unsigned char buf[XG_MAX_MSG_SIZE], copy[XG_MAX_MSG_SIZE];
	uint32_t n;
	uint64_t tok;
	int r;

	n = xg_msg_heartbeat(buf, 1, 5, 1234, 9);
	memcpy(copy, buf, n);
	handle(buf, n, &r);
	cr_expect_eq(r, 0);
	cr_expect_arr_eq(buf, copy, n, "no reply written");
	cr_expect_eq(stats.denied[XG_DENY_NO_SESSION], 1);
	tok = join(5);
	handle(buf, xg_msg_move(buf, 3, 5, tok + 1, 9, 0, 0, 0), &r);
	cr_expect_eq(r, 0);
	cr_expect_eq(stats.denied[XG_DENY_BAD_TOKEN], 1);
	handle(buf, xg_msg_move(buf, 3, 5, 0, 9, 0, 0, 0), &r);
	cr_expect_eq(r, 0);
	cr_expect_eq(stats.denied[XG_DENY_BAD_TOKEN], 2);
	/* from another port of the same host */
	client.port = htons(40001);
	handle(buf, xg_msg_move(buf, 3, 5, tok, 9, 0, 0, 0), &r);
	cr_expect_eq(r, 0);
	cr_expect_eq(stats.denied[XG_DENY_WRONG_SOURCE], 1);
	client.port = htons(40000);
	handle(buf, xg_msg_move(buf, 3, 5, tok, 9, 0, 0, 0), &r);
	cr_expect_eq(r, XG_ACK_SIZE);
	handle(buf, xg_msg_move(buf, 3, 5, tok, 9, 0, 0, 0), &r);
	cr_expect_eq(r, 0, "replayed");
	cr_expect_eq(stats.denied[XG_DENY_REPLAY], 1);
	cr_expect_eq(xg_stats_denied_total(&stats), 5);
	cr_expect_eq(stats.handled[XG_MSG_MOVE], 1);
}

Test(handlers, answer_with_a_bad_cookie_is_denied)
{
	unsigned char buf[XG_MAX_MSG_SIZE];
	struct xg_reply_view rv;
	struct xg_cookie c;
	uint32_t n;
	int r;

	handle(buf, xg_msg_join(buf, 1, 5, 55), &r);
	cr_assert_eq(xg_reply_parse(buf, (size_t)r, &rv), 0);
	c = rv.cookie;
	c.mac ^= 1;
	handle(buf, xg_msg_answer(buf, 2, 5, 56, &c, NULL), &r);
	cr_expect_eq(r, 0);
	/* the right cookie, but for player 5 and answered for 6 */
	n = xg_msg_answer(buf, 2, 6, 56, &rv.cookie, NULL);
	handle(buf, n, &r);
	cr_expect_eq(r, 0);
	/* from another source */
	client = peer(3, 40000);
	handle(buf, xg_msg_answer(buf, 2, 5, 56, &rv.cookie, NULL), &r);
	cr_expect_eq(r, 0);
	cr_expect_eq(stats.denied[XG_DENY_BAD_COOKIE], 3);
	cr_expect_eq(xg_sessions_live(sessions), 0);
	cr_expect_eq(stats.handled[XG_MSG_ANSWER], 0);
}

Test(handlers, answer_for_a_taken_player)
{
	unsigned char buf[XG_MAX_MSG_SIZE];
	struct xg_reply_view rv;
	int r;

	join(5);
	client = peer(3, 40000);
	handle(buf, xg_msg_join(buf, 1, 5, 55), &r);
	cr_assert_eq(xg_reply_parse(buf, (size_t)r, &rv), 0);
	handle(buf, xg_msg_answer(buf, 2, 5, 56, &rv.cookie, NULL), &r);
	cr_assert_eq(r, XG_WELCOME_SIZE);
	cr_assert_eq(xg_reply_parse(buf, (size_t)r, &rv), 0);
	cr_expect_eq(rv.status, XG_ST_PLAYER_TAKEN);
	cr_expect_eq(rv.session, 0);
}

Test(handlers, answer_needs_the_backends_token_when_keyed)
{
	static const struct xg_sipkey key = { 1, 2 };
	unsigned char buf[XG_MAX_MSG_SIZE];
	struct xg_connect_token t = {};
	struct xg_reply_view rv;
	int r;

	xg_sessions_set_backend(sessions, &key);
	handle(buf, xg_msg_join(buf, 1, 5, 55), &r);
	cr_assert_eq(xg_reply_parse(buf, (size_t)r, &rv), 0);
	handle(buf, xg_msg_answer(buf, 2, 5, 56, &rv.cookie, NULL), &r);
	cr_assert_eq(r, XG_WELCOME_SIZE);
	{
		struct xg_reply_view w;

		cr_assert_eq(xg_reply_parse(buf, (size_t)r, &w), 0);
		cr_expect_eq(w.status, XG_ST_DENIED);
		cr_expect_eq(w.session, 0);
	}
	cr_expect_eq(xg_sessions_live(sessions), 0);
	t.expires = xg_le64(4000000000ull); /* 2096 */
	t.player = xg_le32(5);
	t.server_port = client.local_port;
	memcpy(t.server_addr, client.local.a, 16);
	xg_connect_sign(&key, &t);
	handle(buf, xg_msg_answer(buf, 3, 5, 56, &rv.cookie, &t), &r);
	cr_assert_eq(xg_reply_parse(buf, (size_t)r, &rv), 0);
	cr_expect_eq(rv.status, XG_ST_OK);
	cr_expect_neq(rv.session, 0);
}

Test(handlers, handshake_over_budget_is_denied)
{
	unsigned char buf[XG_MAX_MSG_SIZE];
	int r, ok = 0;

	for (int i = 0; i < XG_DEFAULT_HS_BURST + 5; i++) {
		handle(buf, xg_msg_join(buf, (uint32_t)i, 5, 55), &r);
		ok += r == XG_CHALLENGE_SIZE;
	}
	cr_expect_eq(ok, XG_DEFAULT_HS_BURST);
	cr_expect_eq(stats.denied[XG_DENY_HANDSHAKE_RATE], 5);
}

Test(handlers, leave_ends_the_session)
{
	unsigned char buf[XG_MAX_MSG_SIZE];
	struct xg_player_view v;
	uint64_t tok = join(5);
	int r;

	handle(buf, xg_msg_leave(buf, 3, 5, tok, 9), &r);
	cr_assert_eq(r, XG_ACK_SIZE);
	expect_ack(buf, XG_MSG_LEAVE, 3, XG_ST_OK, 9);
	cr_expect_eq(xg_sessions_live(sessions), 0);
	cr_expect_eq(xg_world_get(world, 5, &v), -ENOENT);
	handle(buf, xg_msg_heartbeat(buf, 4, 5, tok, 9), &r);
	cr_expect_eq(r, 0);
	cr_expect_eq(stats.denied[XG_DENY_NO_SESSION], 1);
}

Test(handlers, move_updates_position_and_acks)
{
	unsigned char buf[64];
	struct xg_player_view v;
	uint64_t tok = join(5);
	int r;

	handle(buf, xg_msg_move(buf, 11, 5, tok, 777, 1.5f, -2.5f, 3.0f), &r);
	cr_assert_eq(r, XG_ACK_SIZE);
	expect_ack(buf, XG_MSG_MOVE, 11, XG_ST_OK, 777);
	cr_assert_eq(xg_world_get(world, 5, &v), 0);
	cr_expect_float_eq(v.x, 1.5f, 0);
	cr_expect_float_eq(v.y, -2.5f, 0);
	cr_expect_float_eq(v.z, 3.0f, 0);
	cr_expect_eq(v.health, XG_FULL_HEALTH);
	cr_expect_eq(stats.handled[XG_MSG_MOVE], 1);
	cr_expect_eq(stats.status[XG_ST_OK], 3); /* CHALLENGE, WELCOME, ack */
}

Test(handlers, move_out_of_bounds_keeps_position)
{
	unsigned char buf[64];
	struct xg_player_view v;
	uint64_t tok = join(5);
	int r;

	handle(buf, xg_msg_move(buf, 3, 5, tok, 1, 100, 100, 10), &r);
	handle(buf, xg_msg_move(buf, 4, 5, tok, 2, 10000.5f, 0, 0), &r);
	cr_assert_eq(r, XG_ACK_SIZE);
	expect_ack(buf, XG_MSG_MOVE, 4, XG_ST_OUT_OF_BOUNDS, 2);
	handle(buf, xg_msg_move(buf, 5, 5, tok, 3, 0, 0, -1000.5f), &r);
	expect_ack(buf, XG_MSG_MOVE, 5, XG_ST_OUT_OF_BOUNDS, 3);
	cr_assert_eq(xg_world_get(world, 5, &v), 0);
	cr_expect_float_eq(v.x, 100, 0);
	cr_expect_float_eq(v.z, 10, 0);
	cr_expect_eq(stats.status[XG_ST_OUT_OF_BOUNDS], 2);
}

/* A player id beyond the world's capacity gets no session (WELCOME says
 * UNKNOWN_PLAYER), so its game requests are refused unanswered. */
Test(handlers, player_beyond_capacity)
{
	struct xg_world *small = xg_world_create(8);
	struct xg_sessions *s8 = xg_sessions_create(small, NULL);
	unsigned char buf[XG_MAX_MSG_SIZE];
	struct xg_reply_view rv;
	int r;

	cr_assert(small && s8);
	ctx.world = small;
	ctx.sessions = s8;
	handle(buf, xg_msg_join(buf, 1, 8, 5), &r);
	cr_assert_eq(xg_reply_parse(buf, (size_t)r, &rv), 0);
	handle(buf, xg_msg_answer(buf, 2, 8, 5, &rv.cookie, NULL), &r);
	cr_assert_eq(xg_reply_parse(buf, (size_t)r, &rv), 0);
	cr_expect_eq(rv.type, XG_MSG_WELCOME);
	cr_expect_eq(rv.status, XG_ST_UNKNOWN_PLAYER);
	cr_expect_eq(rv.session, 0);
	handle(buf, xg_msg_heartbeat(buf, 3, 8, 1, 5), &r);
	cr_expect_eq(r, 0);
	handle(buf, xg_msg_move(buf, 4, 100, 1, 5, 0, 0, 0), &r);
	cr_expect_eq(r, 0);
	cr_expect_eq(stats.denied[XG_DENY_NO_SESSION], 2);
	ctx.world = world;
	ctx.sessions = sessions;
	xg_sessions_destroy(s8);
	xg_world_destroy(small);
}

Test(handlers, attack_needs_a_target_with_a_session)
{
	unsigned char buf[64];
	struct xg_player_view v;
	uint64_t t1 = join(1), t2;
	int r;

	handle(buf, xg_msg_attack(buf, 3, 1, t1, 9, 2, 0), &r);
	expect_ack(buf, XG_MSG_ATTACK, 3, XG_ST_UNKNOWN_TARGET, 9);
	handle(buf, xg_msg_attack(buf, 4, 1, t1, 9, XG_MAX_PLAYERS, 0), &r);
	expect_ack(buf, XG_MSG_ATTACK, 4, XG_ST_UNKNOWN_TARGET, 9);
	client = peer(3, 40000);
	t2 = join(2);
	client = peer(2, 40000);
	handle(buf, xg_msg_attack(buf, 5, 1, t1, 9, 2, 1), &r);
	expect_ack(buf, XG_MSG_ATTACK, 5, XG_ST_OK, 9);
	cr_assert_eq(xg_world_get(world, 2, &v), 0);
	cr_expect_eq(v.health, XG_FULL_HEALTH - xg_skills[1].damage);
	(void)t2;
}

/* The damage is the skill's, from the server's table; an unknown skill
 * changes nothing. */
Test(handlers, attack_damage_from_the_skill_table)
{
	unsigned char buf[64];
	struct xg_player_view v;
	uint64_t t1 = join(1);
	int32_t want = XG_FULL_HEALTH;
	uint32_t seq = 3;
	int r;

	client = peer(3, 40000);
	join(2);
	client = peer(2, 40000);
	for (uint16_t s = 0; s < XG_NSKILLS; s++) {
		handle(buf, xg_msg_attack(buf, seq, 1, t1, 9, 2, s), &r);
		expect_ack(buf, XG_MSG_ATTACK, seq, XG_ST_OK, 9);
		seq++;
		want -= xg_skills[s].damage;
		cr_assert_eq(xg_world_get(world, 2, &v), 0);
		cr_expect_eq(v.health, want, "skill %u (%s)", s,
			     xg_skills[s].name);
	}
	handle(buf, xg_msg_attack(buf, seq++, 1, t1, 9, 2, XG_NSKILLS), &r);
	expect_ack(buf, XG_MSG_ATTACK, seq - 1, XG_ST_UNKNOWN_SKILL, 9);
	handle(buf, xg_msg_attack(buf, seq++, 1, t1, 9, 2, 0xffff), &r);
	expect_ack(buf, XG_MSG_ATTACK, seq - 1, XG_ST_UNKNOWN_SKILL, 9);
	cr_assert_eq(xg_world_get(world, 2, &v), 0);
	cr_expect_eq(v.health, want);
	cr_expect_eq(stats.status[XG_ST_UNKNOWN_SKILL], 2);
}

/* backstab (150) until the target dies: one kill event, then TARGET_DEAD;
 * the dead can neither move nor attack (DEAD) until, respawn_ns after
 * its death, it is back at full health. */
Test(handlers, kill_event_dead_actor_and_respawn)
{
	unsigned char buf[64];
	struct xg_player_view v;
	struct xg_event ev;
	uint64_t t1 = join(1), t2, dead_at;
	uint32_t seq = 3;
	int r;

	world->respawn_ns = 1000000; /* 1 ms */
	client = peer(3, 40000);
	t2 = join(2);
	client = peer(2, 40000);
	for (int i = 0; i < XG_FULL_HEALTH / 150; i++) {
		handle(buf, xg_msg_attack(buf, seq++, 1, t1, 1, 2, 3), &r);
		expect_ack(buf, XG_MSG_ATTACK, seq - 1, XG_ST_OK, 1);
	}
	cr_expect_eq(xg_ring_count(events), 0);
	handle(buf, xg_msg_attack(buf, seq++, 1, t1, 1, 2, 3), &r);
	expect_ack(buf, XG_MSG_ATTACK, seq - 1, XG_ST_OK, 1);
	dead_at = ctx.now;
	cr_assert_eq(xg_ring_pop(events, &ev, sizeof(ev)), (int)sizeof(ev));
	cr_expect_eq(ev.type, XG_EV_KILL);
	cr_expect_eq(ev.player, 1);
	cr_expect_eq(ev.other, 2);
	cr_expect_eq(ev.ts, dead_at);
	handle(buf, xg_msg_attack(buf, seq++, 1, t1, 1, 2, 0), &r);
	expect_ack(buf, XG_MSG_ATTACK, seq - 1, XG_ST_TARGET_DEAD, 1);
	cr_expect_eq(xg_ring_count(events), 0);
	/* the dead player's own requests */
	client = peer(3, 40000);
	ctx.now = dead_at + 1000;
	handle(buf, xg_msg_move(buf, 3, 2, t2, 1, 5, 5, 5), &r);
	expect_ack(buf, XG_MSG_MOVE, 3, XG_ST_DEAD, 1);
	handle(buf, xg_msg_attack(buf, 4, 2, t2, 1, 1, 0), &r);
	expect_ack(buf, XG_MSG_ATTACK, 4, XG_ST_DEAD, 1);
	cr_expect_eq(stats.status[XG_ST_DEAD], 2);
	/* the heartbeat keeps the session: OK */
	handle(buf, xg_msg_heartbeat(buf, 5, 2, t2, 1), &r);
	expect_ack(buf, XG_MSG_HEARTBEAT, 5, XG_ST_OK, 1);
	/* respawn_ns after the death: back at the origin, full health */
	ctx.now = dead_at + world->respawn_ns;
	handle(buf, xg_msg_move(buf, 6, 2, t2, 1, 5, 5, 5), &r);
	expect_ack(buf, XG_MSG_MOVE, 6, XG_ST_OK, 1);
	cr_assert_eq(xg_world_get(world, 2, &v), 0);
	cr_expect_eq(v.health, XG_FULL_HEALTH);
	cr_expect_float_eq(v.x, 5, 0);
}

Test(handlers, unaligned_request_and_separate_output)
{
	unsigned char in[128], out[64];
	uint64_t tok = join(3);
	uint32_t n;
	int r;

	for (int off = 1; off < 8; off++) {
		n = xg_msg_move(in + off, (uint32_t)off + 10, 3, tok, 42, 1, 2,
				3);
		r = xg_handle(&ctx, in + off, n, out + off % 3, 40);
		cr_assert_eq(r, XG_ACK_SIZE);
		expect_ack(out + off % 3, XG_MSG_MOVE, (uint32_t)off + 10,
			   XG_ST_OK, 42);
	}
}

/* AF_XDP: the XDP program validated the datagram; in place in a frame
 * with room, xg_handle() copies a constant head and skips validation, and
 * the ack is the same. Without the room it validates as ever. */
Test(handlers, validated_in_place_same_ack)
{
	unsigned char frame[2048];
	uint64_t tok = join(6);
	uint32_t n;
	int r;

	ctx.validated = true;
	for (int off = 0; off < 4; off++) {
		n = xg_msg_move(frame + 42 + off, (uint32_t)off + 20, 6, tok, 99,
				4, 5, 6);
		r = xg_handle(&ctx, frame + 42 + off, n, frame + 42 + off,
			      (uint32_t)sizeof(frame) - 42 - (uint32_t)off);
		cr_assert_eq(r, XG_ACK_SIZE);
		expect_ack(frame + 42 + off, XG_MSG_MOVE, (uint32_t)off + 20,
			   XG_ST_OK, 99);
	}
	/* no room to copy the constant head: validated as ever */
	n = xg_msg_move(frame, 30, 6, tok, 99, 4, 5, 6);
	frame[0] ^= 0xff; /* bad magic */
	cr_expect_eq(xg_handle(&ctx, frame, n, frame, n), -XG_ERR_BAD_MAGIC);
}

Test(handlers, malformed_gets_no_reply_and_is_counted)
{
	unsigned char buf[64], copy[64];
	uint32_t n = xg_msg_heartbeat(buf, 1, 2, 7, 3);

	buf[0] = 0;
	memcpy(copy, buf, sizeof(buf));
	cr_expect_eq(xg_handle(&ctx, buf, n, buf, sizeof(buf)), -XG_ERR_BAD_MAGIC);
	cr_expect_arr_eq(buf, copy, sizeof(buf)); /* untouched */
	cr_expect_eq(stats.malformed[XG_ERR_BAD_MAGIC], 1);
	cr_expect_eq(xg_handle(&ctx, buf, 3, buf, sizeof(buf)), -XG_ERR_TOO_SHORT);
	cr_expect_eq(stats.malformed[XG_ERR_TOO_SHORT], 1);
	n = xg_msg_heartbeat(buf, 1, 2, 7, 3);
	buf[2] = 1; /* a version-1 client */
	cr_expect_eq(xg_handle(&ctx, buf, n, buf, sizeof(buf)),
		     -XG_ERR_BAD_VERSION);
	cr_expect_eq(stats.handled[XG_MSG_HEARTBEAT], 0);
}

Test(handlers, oversized_datagram_is_malformed)
{
	unsigned char buf[2048] = {};
	uint32_t n = xg_msg_move(buf, 1, 2, 7, 3, 0, 0, 0);

	(void)n;
	cr_expect_eq(xg_handle(&ctx, buf, sizeof(buf), buf, sizeof(buf)),
		     -XG_ERR_SIZE_UNDER);
}

Test(handlers, output_too_small)
{
	unsigned char buf[64], out[8];
	uint64_t tok = join(2);
	uint32_t n = xg_msg_heartbeat(buf, 3, 2, tok, 3);

	cr_expect_eq(xg_handle(&ctx, buf, n, out, sizeof(out)), -ENOBUFS);
	n = xg_msg_join(buf, 4, 9, 3);
	cr_expect_eq(xg_handle(&ctx, buf, n, out, XG_CHALLENGE_SIZE - 1),
		     -ENOBUFS);
}

Test(handlers, reply_never_larger_than_request)
{
	unsigned char buf[XG_MAX_MSG_SIZE];
	struct xg_reply_view rv;
	uint64_t tok = join(2);
	uint32_t n;
	int r;

	n = xg_msg_heartbeat(buf, 3, 2, tok, 3);
	handle(buf, n, &r);
	cr_expect_eq(r, XG_ACK_SIZE);
	cr_expect_leq((uint32_t)r, n);
	n = xg_msg_attack(buf, 4, 2, tok, 3, 2, 0);
	handle(buf, n, &r);
	cr_expect_eq(r, XG_ACK_SIZE);
	cr_expect_leq((uint32_t)r, n);
	n = xg_msg_move(buf, 5, 2, tok, 3, 0, 0, 0);
	handle(buf, n, &r);
	cr_expect_eq(r, XG_ACK_SIZE);
	cr_expect_leq((uint32_t)r, n);
	n = xg_msg_join(buf, 6, 2, 3);
	handle(buf, n, &r);
	cr_expect_eq(r, XG_CHALLENGE_SIZE);
	cr_expect_leq((uint32_t)r, n);
	cr_assert_eq(xg_reply_parse(buf, (size_t)r, &rv), 0);
	n = xg_msg_answer(buf, 7, 2, 3, &rv.cookie, NULL);
	handle(buf, n, &r);
	cr_expect_eq(r, XG_WELCOME_SIZE);
	cr_expect_leq((uint32_t)r, n);
	cr_assert_eq(xg_reply_parse(buf, (size_t)r, &rv), 0);
	tok = rv.session; /* renewed: a new token */
	n = xg_msg_leave(buf, 8, 2, tok, 3);
	handle(buf, n, &r);
	cr_expect_eq(r, XG_ACK_SIZE);
	cr_expect_leq((uint32_t)r, n);
}
