/* SPDX-License-Identifier: MIT */
/* The request mix shared by the closed loop and --blast; see mix.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xdpgame/proto.h>

#include "core/util.h"
#include "game/handlers.h" /* XG_NSKILLS */
#include "game/msg.h"
#include "load/mix.h"

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
		     uint32_t first_player, uint32_t players, uint64_t seed)
{
	memcpy(m->weights, weights, sizeof(m->weights));
	m->first_player = first_player;
	m->players = players;
	m->tokens = NULL;
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

uint32_t xg_mix_request(const struct xg_mix *m, void *buf, enum xg_kind k,
			uint32_t seq, uint64_t now, uint64_t r)
{
	return xg_mix_request_as(m, buf, k, xg_mix_index(m, seq), seq, now, r);
}

uint32_t xg_mix_request_as(const struct xg_mix *m, void *buf, enum xg_kind k,
			   uint32_t i, uint32_t seq, uint64_t now, uint64_t r)
{
	uint32_t player = m->first_player + i;
	uint32_t target = m->first_player + (i + 1) % m->players;
	uint64_t token = m->tokens ? m->tokens[i] : 0;
	float x = (float)(r % 20001) - 10000.0f;
	float z = (float)(seq % 2001) - 1000.0f;

	switch (k) {
	case XG_KIND_MOVE:
		return xg_msg_move(buf, seq, player, token, now, x, -x, z);
	case XG_KIND_OOB:
		return xg_msg_move(buf, seq, player, token, now,
				   10000.5f + (float)(seq % 100), -x, z);
	case XG_KIND_ATTACK:
		return xg_msg_attack(buf, seq, player, token, now, target,
				     (uint16_t)(seq % XG_NSKILLS));
	default:
		return xg_msg_heartbeat(buf, seq, player, token, now);
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
			enum xg_kind k, uint32_t i, uint64_t sent_ns)
{
	const struct xg_hdr *h = ack;
	const struct xg_ack *a = (const void *)(h + 1);

	return h->type == xg_mix_ack_type(k) &&
	       xg_le64(a->client_ts) == sent_ns &&
	       xg_le32(h->player) == m->first_player + i &&
	       xg_le64(h->token) == (m->tokens ? m->tokens[i] : 0) &&
	       xg_mix_status_ok(k, h->status);
}

bool xg_mix_status_ok(enum xg_kind k, uint8_t st)
{
	switch (k) {
	case XG_KIND_OOB:
		return st == XG_ST_OUT_OF_BOUNDS || st == XG_ST_DEAD;
	case XG_KIND_ATTACK:
		return st == XG_ST_OK || st == XG_ST_TARGET_DEAD ||
		       st == XG_ST_DEAD;
	case XG_KIND_MOVE:
		return st == XG_ST_OK || st == XG_ST_DEAD;
	default:
		return st == XG_ST_OK;
	}
}
