/* SPDX-License-Identifier: MIT */
/*
 * Wire protocol: layout (the offsets docs/PROTOCOL.md gives) and
 * xg_validate(), one test per malformed class, each asserting the exact
 * reason.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#include <xdpgame/proto.h>

#include "game/msg.h"

Test(proto, layout_matches_protocol_doc)
{
	cr_expect_eq(sizeof(struct xg_hdr), 24);
	cr_expect_eq(offsetof(struct xg_hdr, magic), 0);
	cr_expect_eq(offsetof(struct xg_hdr, version), 2);
	cr_expect_eq(offsetof(struct xg_hdr, type), 3);
	cr_expect_eq(offsetof(struct xg_hdr, size), 4);
	cr_expect_eq(offsetof(struct xg_hdr, status), 6);
	cr_expect_eq(offsetof(struct xg_hdr, reserved), 7);
	cr_expect_eq(offsetof(struct xg_hdr, seq), 8);
	cr_expect_eq(offsetof(struct xg_hdr, player), 12);
	cr_expect_eq(offsetof(struct xg_hdr, token), 16);
	cr_expect_eq(XG_MOVE_SIZE, 48);
	cr_expect_eq(XG_ATTACK_SIZE, 40);
	cr_expect_eq(XG_HEARTBEAT_SIZE, 32);
	cr_expect_eq(XG_LEAVE_SIZE, 32);
	cr_expect_eq(XG_JOIN_SIZE, 56);
	cr_expect_eq(XG_ANSWER_SIZE, 96);
	cr_expect_eq(XG_ACK_SIZE, 32);
	cr_expect_eq(XG_CHALLENGE_SIZE, 48);
	cr_expect_eq(XG_WELCOME_SIZE, 48);
	cr_expect_eq(offsetof(struct xg_move, x), 8);
	cr_expect_eq(offsetof(struct xg_attack, target), 8);
	cr_expect_eq(offsetof(struct xg_attack, skill), 12);
	cr_expect_eq(offsetof(struct xg_answer, cookie), 8);
	cr_expect_eq(offsetof(struct xg_answer, connect), 24);
	cr_expect_eq(sizeof(struct xg_connect_token), 48);
	cr_expect_eq(offsetof(struct xg_connect_token, mac), 40);
	cr_expect_eq(offsetof(struct xg_welcome, token), 8);
	cr_expect_eq(offsetof(struct xg_welcome, timeout_ms), 16);
}

Test(proto, no_reply_larger_than_its_request)
{
	for (int t = 1; t < XG_MSG_NTYPES; t++)
		if (!xg_is_handshake((uint8_t)t))
			cr_expect_leq(XG_ACK_SIZE, XG_HDR_SIZE + xg_body_size(t),
				      "type %d", t);
	cr_expect_leq(XG_CHALLENGE_SIZE, XG_JOIN_SIZE);
	cr_expect_leq(XG_WELCOME_SIZE, XG_ANSWER_SIZE);
	cr_expect_leq(XG_MAX_REPLY_SIZE, XG_MAX_MSG_SIZE);
}

/* The example packet (version 2: with a session token), byte for byte. */
Test(proto, doc_example_packet)
{
	static const unsigned char ex[] = {
		0x58, 0x47, 0x02, 0x01, 0x30, 0x00, 0x00, 0x00, /* hdr */
		0x07, 0x00, 0x00, 0x00, 0x2a, 0x00, 0x00, 0x00,
		0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* token */
		0x00, 0xe4, 0x0b, 0x54, 0x02, 0x00, 0x00, 0x00, /* ts */
		0x00, 0x00, 0x48, 0x42, 0x00, 0x00, 0xc8, 0xc2, /* x, y */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* z, rsvd */
	};
	unsigned char buf[XG_MAX_MSG_SIZE];
	uint32_t n = xg_msg_move(buf, 7, 42, 0x1122334455667788ull,
				 10000000000ull, 50.0f, -100.0f, 0.0f);

	cr_assert_eq(n, sizeof(ex));
	cr_expect_arr_eq(buf, ex, sizeof(ex));
	cr_expect_eq(xg_validate(ex, ex + sizeof(ex), sizeof(ex)), XG_OK);
}

/* ... and its ack, as the doc shows it. */
Test(proto, doc_example_ack)
{
	static const unsigned char ack[] = {
		0x58, 0x47, 0x02, 0x81, 0x20, 0x00, 0x00, 0x00,
		0x07, 0x00, 0x00, 0x00, 0x2a, 0x00, 0x00, 0x00,
		0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
		0x00, 0xe4, 0x0b, 0x54, 0x02, 0x00, 0x00, 0x00,
	};
	union {
		struct xg_hdr h;
		unsigned char b[XG_MAX_MSG_SIZE];
	} m;

	xg_msg_move(m.b, 7, 42, 0x1122334455667788ull, 10000000000ull, 50.0f,
		    -100.0f, 0.0f);
	xg_make_reply(&m.h, XG_ST_OK, XG_ACK_SIZE);
	cr_expect_arr_eq(m.b, ack, sizeof(ack));
}

static unsigned char pkt[256];

static enum xg_err check(uint32_t len)
{
	return xg_validate(pkt, pkt + len, len);
}

static uint32_t move(float x, float y, float z)
{
	return xg_msg_move(pkt, 1, 2, 9, 3, x, y, z);
}

Test(proto, valid_requests)
{
	cr_expect_eq(check(move(1, 2, 3)), XG_OK);
	cr_expect_eq(check(xg_msg_attack(pkt, 1, 2, 9, 3, 4, 5)), XG_OK);
	cr_expect_eq(check(xg_msg_heartbeat(pkt, 1, 2, 9, 3)), XG_OK);
}

Test(proto, shorter_than_header)
{
	uint32_t n = xg_msg_heartbeat(pkt, 1, 2, 9, 3);

	(void)n;
	for (uint32_t len = 0; len < XG_HDR_SIZE; len++)
		cr_expect_eq(check(len), XG_ERR_TOO_SHORT, "len %u", len);
}

Test(proto, header_present_but_end_pointer_short)
{
	/* BPF case: the datagram claims 32 bytes but only 10 are readable */
	xg_msg_heartbeat(pkt, 1, 2, 9, 3);
	cr_expect_eq(xg_validate(pkt, pkt + 10, 32), XG_ERR_TOO_SHORT);
}

Test(proto, bad_magic)
{
	uint32_t n = xg_msg_heartbeat(pkt, 1, 2, 9, 3);

	pkt[0] ^= 0xff;
	cr_expect_eq(check(n), XG_ERR_BAD_MAGIC);
	pkt[0] ^= 0xff;
	pkt[1] = 0x00;
	cr_expect_eq(check(n), XG_ERR_BAD_MAGIC);
}

Test(proto, bad_version)
{
	uint32_t n = xg_msg_heartbeat(pkt, 1, 2, 9, 3);

	pkt[2] = 0;
	cr_expect_eq(check(n), XG_ERR_BAD_VERSION);
	pkt[2] = 1; /* version 1 (no sessions) is refused */
	cr_expect_eq(check(n), XG_ERR_BAD_VERSION);
	pkt[2] = 3;
	cr_expect_eq(check(n), XG_ERR_BAD_VERSION);
}

Test(proto, unknown_type)
{
	static const uint8_t types[] = { 0, XG_MSG_NTYPES, 0x7f,
					 XG_MSG_ACK | XG_MSG_MOVE,
					 XG_MSG_CHALLENGE, XG_MSG_WELCOME, 0xff };
	uint32_t n = xg_msg_heartbeat(pkt, 1, 2, 9, 3);

	for (size_t i = 0; i < sizeof(types); i++) {
		pkt[3] = types[i];
		cr_expect_eq(check(n), XG_ERR_BAD_TYPE, "type %#x", types[i]);
	}
}

Test(proto, reserved_fields)
{
	uint32_t n = xg_msg_heartbeat(pkt, 1, 2, 9, 3);

	pkt[6] = 1; /* status */
	cr_expect_eq(check(n), XG_ERR_RESERVED);
	pkt[6] = 0;
	pkt[7] = 1; /* reserved */
	cr_expect_eq(check(n), XG_ERR_RESERVED);
	pkt[7] = 0;
	n = move(1, 2, 3);
	pkt[XG_HDR_SIZE + offsetof(struct xg_move, reserved)] = 1;
	cr_expect_eq(check(n), XG_ERR_RESERVED);
	n = xg_msg_attack(pkt, 1, 2, 9, 3, 4, 1);
	pkt[XG_HDR_SIZE + offsetof(struct xg_attack, reserved)] = 1;
	cr_expect_eq(check(n), XG_ERR_RESERVED);
}

/* Handshakes carry token 0; a game request's token is its session's. */
Test(proto, handshake_token_must_be_zero)
{
	struct xg_cookie c = {};
	uint32_t n = xg_msg_join(pkt, 1, 2, 3);

	cr_expect_eq(check(n), XG_OK);
	pkt[offsetof(struct xg_hdr, token)] = 1;
	cr_expect_eq(check(n), XG_ERR_RESERVED);
	n = xg_msg_answer(pkt, 1, 2, 3, &c, NULL);
	cr_expect_eq(check(n), XG_OK);
	pkt[offsetof(struct xg_hdr, token) + 7] = 0x80;
	cr_expect_eq(check(n), XG_ERR_RESERVED);
	n = xg_msg_heartbeat(pkt, 1, 2, 0, 3); /* token 0 is well formed */
	cr_expect_eq(check(n), XG_OK);
}

Test(proto, size_field_larger_than_datagram)
{
	uint32_t n = move(1, 2, 3);

	cr_expect_eq(check(n - 1), XG_ERR_SIZE_OVER); /* truncated in transit */
	pkt[4] = (uint8_t)(n + 1);
	cr_expect_eq(check(n), XG_ERR_SIZE_OVER);
	pkt[4] = 0xff;
	pkt[5] = 0xff;
	cr_expect_eq(check(n), XG_ERR_SIZE_OVER);
}

Test(proto, size_field_smaller_than_datagram)
{
	uint32_t n = move(1, 2, 3);

	cr_expect_eq(check(n + 1), XG_ERR_SIZE_UNDER); /* trailing byte */
	pkt[4] = (uint8_t)(n - 8);
	cr_expect_eq(check(n), XG_ERR_SIZE_UNDER);
	pkt[4] = 0;
	cr_expect_eq(check(n), XG_ERR_SIZE_UNDER);
}

Test(proto, body_too_short_or_long)
{
	/* a MOVE whose size field and datagram agree but hold a heartbeat's body */
	uint32_t n = xg_msg_heartbeat(pkt, 1, 2, 9, 3);

	pkt[3] = XG_MSG_MOVE;
	cr_expect_eq(check(n), XG_ERR_BODY_SIZE);
	pkt[3] = XG_MSG_ATTACK;
	cr_expect_eq(check(n), XG_ERR_BODY_SIZE);
	/* a heartbeat with a MOVE-sized body */
	n = move(1, 2, 3);
	pkt[3] = XG_MSG_HEARTBEAT;
	cr_expect_eq(check(n), XG_ERR_BODY_SIZE);
	/* header only */
	n = xg_msg_heartbeat(pkt, 1, 2, 9, 3);
	pkt[4] = XG_HDR_SIZE;
	cr_expect_eq(check(XG_HDR_SIZE), XG_ERR_BODY_SIZE);
}

Test(proto, nan_and_infinite_coordinates)
{
	const float bad[] = { NAN, -NAN, INFINITY, -INFINITY };

	for (size_t i = 0; i < 4; i++) {
		cr_expect_eq(check(move(bad[i], 0, 0)), XG_ERR_BAD_COORD);
		cr_expect_eq(check(move(0, bad[i], 0)), XG_ERR_BAD_COORD);
		cr_expect_eq(check(move(0, 0, bad[i])), XG_ERR_BAD_COORD);
	}
}

Test(proto, out_of_bounds_is_well_formed)
{
	/* Bounds are the MOVE handler's business (ack OUT_OF_BOUNDS), not a
	 * malformed packet: the client gets told. */
	cr_expect_eq(check(move(10000.5f, 0, 0)), XG_OK);
	cr_expect_eq(check(move(0, -3e38f, 0)), XG_OK);
	cr_expect_eq(check(move(0, 0, 1001)), XG_OK);
}

Test(proto, coordinate_bounds_on_bit_patterns)
{
	cr_expect(xg_coord_within(xg_f32_bits(10000.0f), XG_F32_BITS_10000));
	cr_expect(xg_coord_within(xg_f32_bits(-10000.0f), XG_F32_BITS_10000));
	cr_expect(xg_coord_within(xg_f32_bits(-0.0f), XG_F32_BITS_10000));
	cr_expect(xg_coord_within(xg_f32_bits(1e-40f), XG_F32_BITS_10000));
	cr_expect_not(xg_coord_within(xg_f32_bits(10000.001f), XG_F32_BITS_10000));
	cr_expect_not(xg_coord_within(xg_f32_bits(-10000.001f), XG_F32_BITS_10000));
	cr_expect(xg_coord_within(xg_f32_bits(1000.0f), XG_F32_BITS_1000));
	cr_expect_not(xg_coord_within(xg_f32_bits(1000.1f), XG_F32_BITS_1000));
	cr_expect_eq(xg_f32_bits(10000.0f), XG_F32_BITS_10000);
	cr_expect_eq(xg_f32_bits(1000.0f), XG_F32_BITS_1000);
}

Test(proto, make_reply_in_place)
{
	union {
		struct xg_hdr h;
		unsigned char b[XG_MAX_MSG_SIZE];
	} m;
	uint32_t n = move(1, 2, 3);
	struct xg_hdr h;

	memcpy(m.b, pkt, n);
	xg_make_reply(&m.h, XG_ST_OUT_OF_BOUNDS, XG_ACK_SIZE);
	memcpy(&h, m.b, sizeof(h));
	cr_expect_eq(h.type, XG_MSG_ACK | XG_MSG_MOVE);
	cr_expect_eq(h.status, XG_ST_OUT_OF_BOUNDS);
	cr_expect_eq(xg_le16(h.size), XG_ACK_SIZE);
	cr_expect_eq(xg_le32(h.seq), 1);
	cr_expect_eq(xg_le32(h.player), 2);
	cr_expect_eq(xg_le64(h.token), 9);
	cr_expect_eq(h.reserved, 0);
	cr_expect_lt(XG_ACK_SIZE, n);
}
