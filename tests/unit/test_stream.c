/* SPDX-License-Identifier: MIT */
/* Stream framing (game/stream.h), protocol v2: frames split across reads,
 * several in one read, every split point, the handshake's frames (JOIN 56,
 * ANSWER 96: the largest) and replies of different sizes (CHALLENGE and
 * WELCOME 48, ACK 32) on one stream, impossible size fields, and the
 * callback's stop. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "game/msg.h"
#include "game/stream.h"

enum { MAXF = 64 };

static const uint64_t TOKEN = 0x1122334455667788ull;

/* What the callback saw: each frame's length and seq, in order. */
struct seen {
	int n;
	uint32_t len[MAXF], seq[MAXF];
	int stop_at; /* return -ECANCELED on this frame (1-based); 0 never */
};

static int record(void *arg, const void *frame, uint32_t len)
{
	struct seen *s = arg;
	struct xg_hdr h;

	memcpy(&h, frame, sizeof(h));
	cr_assert_eq(xg_le16(h.size), len, "a frame is as long as its size");
	cr_assert_lt(s->n, MAXF);
	s->len[s->n] = len;
	s->seq[s->n] = xg_le32(h.seq);
	s->n++;
	return s->n == s->stop_at ? -ECANCELED : 0;
}

/* Three frames of three different sizes back to back; returns the bytes. */
static size_t three(unsigned char *buf)
{
	size_t n = 0;

	n += xg_msg_move(buf + n, 1, 5, TOKEN, 100, 1.0f, 2.0f, 3.0f);
	n += xg_msg_heartbeat(buf + n, 2, 5, TOKEN, 101);
	n += xg_msg_attack(buf + n, 3, 5, TOKEN, 102, 6, 1);
	return n;
}

static void expect_three(const struct seen *s)
{
	cr_assert_eq(s->n, 3);
	cr_assert_eq(s->seq[0], 1);
	cr_assert_eq(s->len[0], XG_MOVE_SIZE);
	cr_assert_eq(s->seq[1], 2);
	cr_assert_eq(s->len[1], XG_HEARTBEAT_SIZE);
	cr_assert_eq(s->seq[2], 3);
	cr_assert_eq(s->len[2], XG_ATTACK_SIZE);
}

Test(stream, merged_frames_in_one_read)
{
	unsigned char buf[3 * XG_MAX_MSG_SIZE];
	struct xg_stream_in in = {};
	struct seen s = {};
	size_t n = three(buf);

	cr_assert_eq(xg_stream_feed(&in, buf, n, record, &s), 0);
	expect_three(&s);
	cr_assert_eq(in.have, 0);
}

Test(stream, split_at_every_byte)
{
	unsigned char buf[3 * XG_MAX_MSG_SIZE];
	size_t n = three(buf), cut;

	for (cut = 0; cut <= n; cut++) {
		struct xg_stream_in in = {};
		struct seen s = {};

		cr_assert_eq(xg_stream_feed(&in, buf, cut, record, &s), 0);
		cr_assert_eq(xg_stream_feed(&in, buf + cut, n - cut, record, &s),
			     0, "cut at %zu", cut);
		expect_three(&s);
		cr_assert_eq(in.have, 0);
	}
}

Test(stream, one_byte_at_a_time)
{
	unsigned char buf[3 * XG_MAX_MSG_SIZE];
	struct xg_stream_in in = {};
	struct seen s = {};
	size_t n = three(buf), i;

	for (i = 0; i < n; i++) {
		cr_assert_eq(xg_stream_feed(&in, buf + i, 1, record, &s), 0);
		cr_assert_lt(in.have, XG_MAX_MSG_SIZE, "never more than a frame");
	}
	expect_three(&s);
}

Test(stream, size_field_below_the_header)
{
	unsigned char buf[XG_MAX_MSG_SIZE];
	struct xg_stream_in in = {};
	struct seen s = {};
	struct xg_hdr h;

	xg_msg_heartbeat(buf, 1, 1, TOKEN, 1);
	memcpy(&h, buf, sizeof(h));
	h.size = xg_le16(XG_HDR_SIZE - 1);
	memcpy(buf, &h, sizeof(h));
	cr_assert_eq(xg_frame_len(buf, XG_FRAME_SIZE_END), -EMSGSIZE);
	cr_assert_eq(xg_stream_feed(&in, buf, XG_HEARTBEAT_SIZE, record, &s),
		     -EMSGSIZE);
	cr_assert_eq(s.n, 0);
}

Test(stream, oversized_frame_refused_before_its_body)
{
	unsigned char buf[XG_MAX_MSG_SIZE];
	struct xg_stream_in in = {};
	struct seen s = {};
	struct xg_hdr h;

	xg_msg_heartbeat(buf, 1, 1, TOKEN, 1);
	memcpy(&h, buf, sizeof(h));
	h.size = xg_le16(XG_MAX_MSG_SIZE + 1);
	memcpy(buf, &h, sizeof(h));
	/* the size field alone, split in two reads, is enough to refuse */
	cr_assert_eq(xg_stream_feed(&in, buf, XG_FRAME_SIZE_END - 1, record, &s),
		     0);
	cr_assert_eq(xg_stream_feed(&in, buf + XG_FRAME_SIZE_END - 1, 1, record,
				    &s),
		     -EMSGSIZE);
	h.size = 0xffff;
	memcpy(buf, &h, sizeof(h));
	cr_assert_eq(xg_frame_len(buf, sizeof(buf)), -EMSGSIZE);
	cr_assert_eq(s.n, 0);
}

Test(stream, frame_after_a_good_one_is_checked_too)
{
	unsigned char buf[3 * XG_MAX_MSG_SIZE];
	struct xg_stream_in in = {};
	struct seen s = {};
	size_t n = xg_msg_heartbeat(buf, 1, 1, TOKEN, 1);

	memset(buf + n, 0, XG_HDR_SIZE); /* size 0 */
	cr_assert_eq(xg_stream_feed(&in, buf, n + XG_HDR_SIZE, record, &s),
		     -EMSGSIZE);
	cr_assert_eq(s.n, 1, "the good frame before it was delivered");
}

/* A frame whose size field is possible but whose content is not (bad
 * magic) is delivered whole: validation is the handler's (xg_handle). */
Test(stream, malformed_content_is_the_handlers_to_judge)
{
	unsigned char buf[XG_MAX_MSG_SIZE];
	struct xg_stream_in in = {};
	struct seen s = {};
	size_t n = xg_msg_heartbeat(buf, 9, 1, TOKEN, 1);

	buf[0] ^= 0xff;
	cr_assert_eq(xg_stream_feed(&in, buf, n, record, &s), 0);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(s.seq[0], 9);
}

Test(stream, callback_stops_the_feed)
{
	unsigned char buf[3 * XG_MAX_MSG_SIZE];
	struct xg_stream_in in = {};
	struct seen s = { .stop_at = 2 };
	size_t n = three(buf);

	cr_assert_eq(xg_stream_feed(&in, buf, n, record, &s), -ECANCELED);
	cr_assert_eq(s.n, 2, "nothing after the stop");
}

Test(stream, partial_frame_then_stop_in_the_completion)
{
	unsigned char buf[3 * XG_MAX_MSG_SIZE];
	struct xg_stream_in in = {};
	struct seen s = { .stop_at = 1 };
	size_t n = three(buf);

	cr_assert_eq(xg_stream_feed(&in, buf, 7, record, &s), 0);
	cr_assert_eq(xg_stream_feed(&in, buf + 7, n - 7, record, &s),
		     -ECANCELED);
	cr_assert_eq(s.n, 1);
}

/* A client's handshake and a request, as the TCP engine reads them: JOIN
 * and ANSWER (the largest request, XG_MAX_MSG_SIZE) split at every byte. */
Test(stream, handshake_requests_split_at_every_byte)
{
	unsigned char buf[3 * XG_MAX_MSG_SIZE];
	struct xg_cookie ck = { .slot = 7, .mac = 99 };
	size_t n = 0, cut;

	n += xg_msg_join(buf + n, 1, 5, 100);
	n += xg_msg_answer(buf + n, 2, 5, 101, &ck, NULL);
	n += xg_msg_heartbeat(buf + n, 3, 5, TOKEN, 102);
	cr_assert_eq(XG_ANSWER_SIZE, XG_MAX_MSG_SIZE);
	for (cut = 0; cut <= n; cut++) {
		struct xg_stream_in in = {};
		struct seen s = {};

		cr_assert_eq(xg_stream_feed(&in, buf, cut, record, &s), 0);
		cr_assert_eq(xg_stream_feed(&in, buf + cut, n - cut, record, &s),
			     0, "cut at %zu", cut);
		cr_assert_eq(s.n, 3);
		cr_assert_eq(s.len[0], XG_JOIN_SIZE);
		cr_assert_eq(s.len[1], XG_ANSWER_SIZE);
		cr_assert_eq(s.len[2], XG_HEARTBEAT_SIZE);
		cr_assert_eq(in.have, 0);
	}
}

/* What the TCP client reads: CHALLENGE (48), WELCOME (48), ACK (32) back
 * to back, cut by their size fields and each parsed as a reply. */
static int parse_reply(void *arg, const void *frame, uint32_t len)
{
	struct xg_reply_view *v = arg;
	int i = 0;

	while (v[i].type)
		i++;
	cr_assert_eq(xg_reply_parse(frame, len, &v[i]), 0,
		     "reply %d of %u bytes parses", i, len);
	return 0;
}

Test(stream, replies_of_different_sizes)
{
	unsigned char buf[3 * XG_MAX_MSG_SIZE], m[XG_MAX_MSG_SIZE];
	struct xg_cookie ck = { .slot = 7, .mac = 99 };
	struct xg_reply_view v[4];
	struct xg_hdr h;
	size_t n = 0, cut;

	xg_msg_join(m, 1, 5, 100);
	memcpy(&h, m, sizeof(h));
	xg_make_reply(&h, XG_ST_OK, XG_CHALLENGE_SIZE);
	memcpy(m, &h, sizeof(h));
	memcpy(m + XG_HDR_SIZE + 8, &ck, sizeof(ck));
	memcpy(buf + n, m, XG_CHALLENGE_SIZE);
	n += XG_CHALLENGE_SIZE;
	xg_msg_answer(m, 2, 5, 101, &ck, NULL);
	memcpy(&h, m, sizeof(h));
	xg_make_reply(&h, XG_ST_OK, XG_WELCOME_SIZE);
	memcpy(m, &h, sizeof(h));
	memset(m + XG_HDR_SIZE + 8, 0, XG_WELCOME_SIZE - XG_HDR_SIZE - 8);
	memcpy(m + XG_HDR_SIZE + 8, &TOKEN, 8);
	memcpy(buf + n, m, XG_WELCOME_SIZE);
	n += XG_WELCOME_SIZE;
	xg_msg_heartbeat(m, 3, 5, TOKEN, 102);
	memcpy(&h, m, sizeof(h));
	xg_make_reply(&h, XG_ST_OK, XG_ACK_SIZE);
	memcpy(m, &h, sizeof(h));
	memcpy(buf + n, m, XG_ACK_SIZE);
	n += XG_ACK_SIZE;
	for (cut = 0; cut <= n; cut++) {
		struct xg_stream_in in = {};

		memset(v, 0, sizeof(v));
		cr_assert_eq(xg_stream_feed(&in, buf, cut, parse_reply, v), 0);
		cr_assert_eq(xg_stream_feed(&in, buf + cut, n - cut, parse_reply,
					    v), 0, "cut at %zu", cut);
		cr_assert_eq(v[0].type, XG_MSG_CHALLENGE);
		cr_assert_eq(v[0].size, XG_CHALLENGE_SIZE);
		cr_assert_eq(v[0].cookie.mac, 99);
		cr_assert_eq(v[1].type, XG_MSG_WELCOME);
		cr_assert_eq(v[1].size, XG_WELCOME_SIZE);
		cr_assert_eq(v[1].session, TOKEN);
		cr_assert_eq(v[2].type, XG_MSG_HEARTBEAT | XG_MSG_ACK);
		cr_assert_eq(v[2].size, XG_ACK_SIZE);
		cr_assert_eq(v[2].token, TOKEN);
		cr_assert_eq(v[3].type, 0, "three replies, no more");
	}
}
