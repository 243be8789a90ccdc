/* SPDX-License-Identifier: MIT */
/* Request builders; see msg.h. Each request is built in a local aligned
 * copy and then copied out, so 'buf' may have any alignment (a frame's UDP
 * payload, say). */
#include <string.h>

#include "game/msg.h"

union msg {
	struct {
		struct xg_hdr h;
		union {
			struct xg_move move;
			struct xg_attack attack;
			struct xg_heartbeat heartbeat;
		};
	};
	unsigned char b[XG_MAX_MSG_SIZE];
};

static uint32_t finish(void *buf, union msg *m, uint8_t type, uint32_t seq,
		       uint32_t player)
{
	uint32_t size = XG_HDR_SIZE + xg_body_size(type);

	m->h.magic = xg_le16(XG_MAGIC);
	m->h.version = XG_VERSION;
	m->h.type = type;
	m->h.size = xg_le16((uint16_t)size);
	m->h.seq = xg_le32(seq);
	m->h.player = xg_le32(player);
	memcpy(buf, m->b, size);
	return size;
}

uint32_t xg_f32_bits(float f)
{
	uint32_t b;

	memcpy(&b, &f, sizeof(b));
	return b;
}

uint32_t xg_msg_move(void *buf, uint32_t seq, uint32_t player, uint64_t ts,
		     float x, float y, float z)
{
	union msg m = {};

	m.move.client_ts = xg_le64(ts);
	m.move.x = xg_le32(xg_f32_bits(x));
	m.move.y = xg_le32(xg_f32_bits(y));
	m.move.z = xg_le32(xg_f32_bits(z));
	return finish(buf, &m, XG_MSG_MOVE, seq, player);
}

uint32_t xg_msg_attack(void *buf, uint32_t seq, uint32_t player, uint64_t ts,
		       uint32_t target, uint16_t skill, uint16_t damage)
{
	union msg m = {};

	m.attack.client_ts = xg_le64(ts);
	m.attack.target = xg_le32(target);
	m.attack.skill = xg_le16(skill);
	m.attack.damage = xg_le16(damage);
	return finish(buf, &m, XG_MSG_ATTACK, seq, player);
}

uint32_t xg_msg_heartbeat(void *buf, uint32_t seq, uint32_t player,
			  uint64_t ts)
{
	union msg m = {};

	m.heartbeat.client_ts = xg_le64(ts);
	return finish(buf, &m, XG_MSG_HEARTBEAT, seq, player);
}
