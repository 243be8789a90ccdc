/* SPDX-License-Identifier: MIT */
/* The request mix shared by the closed loop and --blast; see mix.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xdpgame/proto.h>

#include "core/util.h"
#include "game/msg.h"
#include "load/mix.h"

/* an ATTACK looks this many players ahead for a target the server has */
enum { MIX_TARGET_LOOKAHEAD = 8 };

const char *const xg_kind_names[XG_NKINDS] = { "move", "attack", "heartbeat",
					       "oob" };

int xg_mix_parse(const char *spec, uint32_t weights[XG_NKINDS])
{
	char *dup = strdup(spec), *save = NULL, *tok;
	uint32_t total = 0;
	int err = 0, k;

	if (!dup)
		return -ENOMEM;
	memset(weights, 0, sizeof(uint32_t) * XG_NKINDS);
	for (tok = strtok_r(dup, ",", &save); tok && !err;
	     tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');
		uint64_t v;

		err = -EINVAL;
		if (!colon)
			break;
		*colon = '\0';
		for (k = 0; k < XG_NKINDS; k++)
			if (!strcmp(tok, xg_kind_names[k]))
				break;
		if (k == XG_NKINDS || xg_parse_u64(colon + 1, 0, 1000000, &v))
			break;
		weights[k] = (uint32_t)v;
		total += (uint32_t)v;
		err = 0;
	}
	free(dup);
	return err ? err : total ? 0 : -EINVAL;
}

uint32_t xg_mix_init(struct xg_mix *m, const uint32_t weights[XG_NKINDS],
		     uint32_t players, uint64_t seed)
{
	memcpy(m->weights, weights, sizeof(m->weights));
	m->players = players;
	m->rng = seed * 0x9e3779b97f4a7c15ull + 1;
	return (uint32_t)(xg_mix_rand(m) & 0x7fffffff);
}

enum xg_kind xg_mix_pick(struct xg_mix *m)
{
	return (enum xg_kind)xg_pick_weighted(&m->rng, m->weights, XG_NKINDS);
}

uint64_t xg_mix_rand(struct xg_mix *m)
{
	return xg_rand(&m->rng);
}

uint32_t xg_mix_request(const struct xg_mix *m, void *buf, enum xg_kind *kind,
			uint32_t seq, uint64_t now, uint64_t r,
			const uint8_t *known)
{
	uint32_t player = seq % m->players, target = (player + 1) % m->players;
	float x = (float)(r % 20001) - 10000.0f;
	float z = (float)(seq % 2001) - 1000.0f;
	uint32_t i;

	if (*kind == XG_KIND_ATTACK && known) {
		for (i = 1; i < MIX_TARGET_LOOKAHEAD; i++) {
			target = (player + i) % m->players;
			if (known[target])
				break;
		}
		if (i == MIX_TARGET_LOOKAHEAD)
			*kind = XG_KIND_HEARTBEAT;
	}
	switch (*kind) {
	case XG_KIND_MOVE:
		return xg_msg_move(buf, seq, player, now, x, -x, z);
	case XG_KIND_OOB:
		return xg_msg_move(buf, seq, player, now,
				   10000.5f + (float)(seq % 100), -x, z);
	case XG_KIND_ATTACK:
		return xg_msg_attack(buf, seq, player, now, target,
				     (uint16_t)(seq & 7), 1);
	default:
		return xg_msg_heartbeat(buf, seq, player, now);
	}
}

bool xg_mix_ack_framed(const void *buf, size_t len)
{
	const struct xg_hdr *h = buf;

	return len == XG_ACK_SIZE && xg_le16(h->magic) == XG_MAGIC &&
	       xg_le16(h->size) == XG_ACK_SIZE;
}

uint8_t xg_mix_ack_type(enum xg_kind k)
{
	return (uint8_t)((k == XG_KIND_ATTACK ? XG_MSG_ATTACK :
			  k == XG_KIND_HEARTBEAT ? XG_MSG_HEARTBEAT :
			  XG_MSG_MOVE) | XG_MSG_ACK);
}

bool xg_mix_ack_matches(const struct xg_mix *m, const void *ack,
			enum xg_kind k, uint32_t seq, uint64_t sent_ns)
{
	const struct xg_hdr *h = ack;
	const struct xg_ack *a = (const void *)(h + 1);

	return h->type == xg_mix_ack_type(k) &&
	       xg_le64(a->client_ts) == sent_ns &&
	       xg_le32(h->player) == seq % m->players &&
	       xg_mix_status_ok(k, h->status);
}

bool xg_mix_status_ok(enum xg_kind k, uint8_t st)
{
	switch (k) {
	case XG_KIND_OOB:
		return st == XG_ST_OUT_OF_BOUNDS;
	case XG_KIND_ATTACK:
		return st == XG_ST_OK || st == XG_ST_TARGET_DEAD;
	default:
		return st == XG_ST_OK;
	}
}
