/* SPDX-License-Identifier: MIT */
/* Handler table and xg_handle(): acks, statuses, in-place replies, events. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "game/handlers.h"
#include "game/msg.h"
#include "core/ring.h"

static struct xg_world *world;
static struct xg_ring *events;
static struct xg_stats stats;
static struct xg_handler_ctx ctx;

static void setup(void)
{
	world = xg_world_create(XG_MAX_PLAYERS);
	events = xg_ring_create(16, sizeof(struct xg_event));
	cr_assert(world && events);
	xg_stats_init(&stats);
	ctx = (struct xg_handler_ctx){ .world = world, .stats = &stats,
				       .events = events, .now = 1000 };
}

static void teardown(void)
{
	xg_ring_destroy(events);
	xg_world_destroy(world);
}

TestSuite(handlers, .init = setup, .fini = teardown);

/* Handle in place and return the ack's header (copied out, aligned). */
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

Test(handlers, table_covers_every_type)
{
	for (int t = 1; t < XG_MSG_NTYPES; t++) {
		cr_expect_not_null(xg_handlers[t].fn, "type %d", t);
		cr_expect_not_null(xg_handlers[t].name);
	}
}

Test(handlers, move_updates_position_and_acks)
{
	unsigned char buf[64];
	struct xg_player_view v;
	int r;

	handle(buf, xg_msg_move(buf, 11, 5, 777, 1.5f, -2.5f, 3.0f), &r);
	cr_assert_eq(r, XG_ACK_SIZE);
	expect_ack(buf, XG_MSG_MOVE, 11, XG_ST_OK, 777);
	cr_assert_eq(xg_world_get(world, 5, &v), 0);
	cr_expect_float_eq(v.x, 1.5f, 0);
	cr_expect_float_eq(v.y, -2.5f, 0);
	cr_expect_float_eq(v.z, 3.0f, 0);
	cr_expect_eq(v.health, XG_FULL_HEALTH);
	cr_expect_eq(stats.handled[XG_MSG_MOVE], 1);
	cr_expect_eq(stats.status[XG_ST_OK], 1);
}

Test(handlers, move_out_of_bounds_keeps_position)
{
	unsigned char buf[64];
	struct xg_player_view v;
	int r;

	handle(buf, xg_msg_move(buf, 1, 5, 1, 100, 100, 10), &r);
	handle(buf, xg_msg_move(buf, 2, 5, 2, 10000.5f, 0, 0), &r);
	cr_assert_eq(r, XG_ACK_SIZE);
	expect_ack(buf, XG_MSG_MOVE, 2, XG_ST_OUT_OF_BOUNDS, 2);
	handle(buf, xg_msg_move(buf, 3, 5, 3, 0, 0, -1000.5f), &r);
	expect_ack(buf, XG_MSG_MOVE, 3, XG_ST_OUT_OF_BOUNDS, 3);
	cr_assert_eq(xg_world_get(world, 5, &v), 0);
	cr_expect_float_eq(v.x, 100, 0);
	cr_expect_float_eq(v.z, 10, 0);
	cr_expect_eq(stats.status[XG_ST_OUT_OF_BOUNDS], 2);
}

Test(handlers, player_beyond_capacity)
{
	struct xg_world *small = xg_world_create(8);
	unsigned char buf[64];
	int r;

	ctx.world = small;
	handle(buf, xg_msg_heartbeat(buf, 1, 8, 5), &r);
	expect_ack(buf, XG_MSG_HEARTBEAT, 1, XG_ST_UNKNOWN_PLAYER, 5);
	handle(buf, xg_msg_move(buf, 2, 100, 5, 0, 0, 0), &r);
	expect_ack(buf, XG_MSG_MOVE, 2, XG_ST_UNKNOWN_PLAYER, 5);
	ctx.world = world;
	xg_world_destroy(small);
}

Test(handlers, attack_needs_a_known_target)
{
	unsigned char buf[64];
	struct xg_player_view v;
	int r;

	handle(buf, xg_msg_attack(buf, 1, 1, 9, 2, 0, 10), &r);
	expect_ack(buf, XG_MSG_ATTACK, 1, XG_ST_UNKNOWN_TARGET, 9);
	handle(buf, xg_msg_attack(buf, 2, 1, 9, XG_MAX_PLAYERS, 0, 10), &r);
	expect_ack(buf, XG_MSG_ATTACK, 2, XG_ST_UNKNOWN_TARGET, 9);
	handle(buf, xg_msg_heartbeat(buf, 3, 2, 9), &r);
	expect_ack(buf, XG_MSG_HEARTBEAT, 3, XG_ST_OK, 9);
	handle(buf, xg_msg_attack(buf, 4, 1, 9, 2, 3, 10), &r);
	expect_ack(buf, XG_MSG_ATTACK, 4, XG_ST_OK, 9);
	cr_assert_eq(xg_world_get(world, 2, &v), 0);
	cr_expect_eq(v.health, XG_FULL_HEALTH - 10);
}

Test(handlers, kill_emits_one_event_then_target_dead)
{
	unsigned char buf[64];
	struct xg_event ev;
	int r;

	handle(buf, xg_msg_heartbeat(buf, 1, 2, 1), &r);
	handle(buf, xg_msg_attack(buf, 2, 1, 1, 2, 0, XG_FULL_HEALTH - 1), &r);
	cr_expect_eq(xg_ring_count(events), 0);
	handle(buf, xg_msg_attack(buf, 3, 1, 1, 2, 0, 65535), &r);
	expect_ack(buf, XG_MSG_ATTACK, 3, XG_ST_OK, 1);
	cr_assert_eq(xg_ring_pop(events, &ev, sizeof(ev)), (int)sizeof(ev));
	cr_expect_eq(ev.type, XG_EV_KILL);
	cr_expect_eq(ev.player, 1);
	cr_expect_eq(ev.other, 2);
	handle(buf, xg_msg_attack(buf, 4, 1, 1, 2, 0, 1), &r);
	expect_ack(buf, XG_MSG_ATTACK, 4, XG_ST_TARGET_DEAD, 1);
	cr_expect_eq(xg_ring_count(events), 0);
}

Test(handlers, unaligned_request_and_separate_output)
{
	unsigned char in[128], out[64];
	uint32_t n;
	int r;

	for (int off = 1; off < 8; off++) {
		n = xg_msg_move(in + off, (uint32_t)off, 3, 42, 1, 2, 3);
		r = xg_handle(&ctx, in + off, n, out + off % 3, 40);
		cr_assert_eq(r, XG_ACK_SIZE);
		expect_ack(out + off % 3, XG_MSG_MOVE, (uint32_t)off, XG_ST_OK, 42);
	}
}

Test(handlers, malformed_gets_no_reply_and_is_counted)
{
	unsigned char buf[64], copy[64];
	uint32_t n = xg_msg_heartbeat(buf, 1, 2, 3);

	buf[0] = 0;
	memcpy(copy, buf, sizeof(buf));
	cr_expect_eq(xg_handle(&ctx, buf, n, buf, sizeof(buf)), -XG_ERR_BAD_MAGIC);
	cr_expect_arr_eq(buf, copy, sizeof(buf)); /* untouched */
	cr_expect_eq(stats.malformed[XG_ERR_BAD_MAGIC], 1);
	cr_expect_eq(xg_handle(&ctx, buf, 3, buf, sizeof(buf)), -XG_ERR_TOO_SHORT);
	cr_expect_eq(stats.malformed[XG_ERR_TOO_SHORT], 1);
	cr_expect_eq(stats.handled[XG_MSG_HEARTBEAT], 0);
}

Test(handlers, oversized_datagram_is_malformed)
{
	unsigned char buf[2048] = {};
	uint32_t n = xg_msg_move(buf, 1, 2, 3, 0, 0, 0);

	(void)n;
	cr_expect_eq(xg_handle(&ctx, buf, sizeof(buf), buf, sizeof(buf)),
		     -XG_ERR_SIZE_UNDER);
}

Test(handlers, output_too_small)
{
	unsigned char buf[64], out[8];
	uint32_t n = xg_msg_heartbeat(buf, 1, 2, 3);

	cr_expect_eq(xg_handle(&ctx, buf, n, out, sizeof(out)), -ENOBUFS);
}

Test(handlers, reply_never_larger_than_request)
{
	unsigned char buf[64];
	uint32_t n;
	int r;

	n = xg_msg_heartbeat(buf, 1, 2, 3);
	handle(buf, n, &r);
	cr_expect_leq((uint32_t)r, n);
	n = xg_msg_attack(buf, 1, 2, 3, 2, 0, 0);
	handle(buf, n, &r);
	cr_expect_leq((uint32_t)r, n);
	n = xg_msg_move(buf, 1, 2, 3, 0, 0, 0);
	handle(buf, n, &r);
	cr_expect_leq((uint32_t)r, n);
}
