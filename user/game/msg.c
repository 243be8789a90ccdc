/* SPDX-License-Identifier: MIT */
/* Request builders; see msg.h. Each request is built in a local aligned
 * copy and then copied out, so 'buf' may have any alignment (a frame's UDP
 * payload, say). */
#include <errno.h>
#include <string.h>

#include "game/msg.h"

union msg {
	struct {
		struct xg_hdr h;
		union {
			struct xg_move move;
			struct xg_attack attack;
			struct xg_heartbeat heartbeat;
			struct xg_leave leave;
			struct xg_join join;
			struct xg_answer answer;
		};
	};
	unsigned char b[XG_MAX_MSG_SIZE];
};

static uint32_t finish(void *buf, union msg *m, uint8_t type, uint32_t seq,
		       uint32_t player, uint64_t token)
{
	uint32_t size = XG_HDR_SIZE + xg_body_size(type);

	m->h.magic = xg_le16(XG_MAGIC);
	m->h.version = XG_VERSION;
	m->h.type = type;
	m->h.size = xg_le16((uint16_t)size);
	m->h.seq = xg_le32(seq);
	m->h.player = xg_le32(player);
	m->h.token = xg_le64(token);
	memcpy(buf, m->b, size);
	return size;
}

uint32_t xg_f32_bits(float f)
{
	uint32_t b;

	memcpy(&b, &f, sizeof(b));
	return b;
}

uint32_t xg_msg_move(void *buf, uint32_t seq, uint32_t player, uint64_t token,
		     uint64_t ts, float x, float y, float z)
{
	union msg m = {};

	m.move.client_ts = xg_le64(ts);
	m.move.x = xg_le32(xg_f32_bits(x));
	m.move.y = xg_le32(xg_f32_bits(y));
	m.move.z = xg_le32(xg_f32_bits(z));
	return finish(buf, &m, XG_MSG_MOVE, seq, player, token);
}

uint32_t xg_msg_attack(void *buf, uint32_t seq, uint32_t player,
		       uint64_t token, uint64_t ts, uint32_t target,
		       uint16_t skill)
{
	union msg m = {};

	m.attack.client_ts = xg_le64(ts);
	m.attack.target = xg_le32(target);
	m.attack.skill = xg_le16(skill);
	return finish(buf, &m, XG_MSG_ATTACK, seq, player, token);
}

uint32_t xg_msg_heartbeat(void *buf, uint32_t seq, uint32_t player,
			  uint64_t token, uint64_t ts)
{
	union msg m = {};

	m.heartbeat.client_ts = xg_le64(ts);
	return finish(buf, &m, XG_MSG_HEARTBEAT, seq, player, token);
}

uint32_t xg_msg_leave(void *buf, uint32_t seq, uint32_t player, uint64_t token,
		      uint64_t ts)
{
	union msg m = {};

	m.leave.client_ts = xg_le64(ts);
	return finish(buf, &m, XG_MSG_LEAVE, seq, player, token);
}

uint32_t xg_msg_join(void *buf, uint32_t seq, uint32_t player, uint64_t ts)
{
	union msg m = {};

	m.join.client_ts = xg_le64(ts);
	return finish(buf, &m, XG_MSG_JOIN, seq, player, 0);
}

uint32_t xg_msg_answer(void *buf, uint32_t seq, uint32_t player, uint64_t ts,
		       const struct xg_cookie *cookie,
		       const struct xg_connect_token *connect)
{
	union msg m = {};

	m.answer.client_ts = xg_le64(ts);
	m.answer.cookie = *cookie;
	if (connect)
		m.answer.connect = *connect;
	return finish(buf, &m, XG_MSG_ANSWER, seq, player, 0);
}

static uint32_t reply_size(uint8_t type)
{
	switch (type) {
	case XG_MSG_CHALLENGE:
		return XG_CHALLENGE_SIZE;
	case XG_MSG_WELCOME:
		return XG_WELCOME_SIZE;
	case XG_MSG_MOVE | XG_MSG_ACK:
	case XG_MSG_ATTACK | XG_MSG_ACK:
	case XG_MSG_HEARTBEAT | XG_MSG_ACK:
	case XG_MSG_LEAVE | XG_MSG_ACK:
		return XG_ACK_SIZE;
	default:
		return 0;
	}
}

int xg_reply_parse(const void *buf, size_t len, struct xg_reply_view *r)
{
	union {
		struct {
			struct xg_hdr h;
			union {
				struct xg_ack ack;
				struct xg_challenge challenge;
				struct xg_welcome welcome;
			};
		};
		unsigned char b[XG_MAX_REPLY_SIZE];
	} m;
	uint32_t want;

	if (len < XG_ACK_SIZE || len > sizeof(m))
		return -EINVAL;
	memcpy(m.b, buf, len);
	want = reply_size(m.h.type);
	if (xg_le16(m.h.magic) != XG_MAGIC || m.h.version != XG_VERSION ||
	    !want || want != len || xg_le16(m.h.size) != len || m.h.reserved ||
	    m.h.status >= XG_ST_NSTATUS)
		return -EINVAL;
	*r = (struct xg_reply_view){
		.type = m.h.type, .status = m.h.status,
		.seq = xg_le32(m.h.seq), .player = xg_le32(m.h.player),
		.size = want, .token = xg_le64(m.h.token),
		.client_ts = xg_le64(m.ack.client_ts),
	};
	if (m.h.type == XG_MSG_CHALLENGE)
		r->cookie = m.challenge.cookie;
	if (m.h.type == XG_MSG_WELCOME) {
		r->session = xg_le64(m.welcome.token);
		r->timeout_ms = xg_le32(m.welcome.timeout_ms);
	}
	return 0;
}
