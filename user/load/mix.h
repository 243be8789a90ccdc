/* SPDX-License-Identifier: MIT */
/*
 * The request mix of `xdpgame load`, one for both paths (the closed loop,
 * loop.c, and --blast, blast.c): the kinds of request a client sends and
 * their weights (--mix), the seeded draws, building a request of a kind
 * (through game/msg.h), and what an ack to each kind must look like.
 */
#ifndef XDPGAME_LOAD_MIX_H
#define XDPGAME_LOAD_MIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a client sends; OOB is a MOVE outside the world (acked
 * OUT_OF_BOUNDS). Indexes the weights. */
enum xg_kind {
	XG_KIND_MOVE,
	XG_KIND_ATTACK,
	XG_KIND_HEARTBEAT,
	XG_KIND_OOB,
	XG_NKINDS,
};

/* "move", "attack", "heartbeat", "oob": the names --mix takes */
extern const char *const xg_kind_names[XG_NKINDS];

struct xg_mix {
	uint32_t weights[XG_NKINDS]; /* their sum above 0 */
	uint32_t first_player;       /* player ids first..first+players-1 */
	uint32_t players;            /* >= 2 */
	const uint64_t *tokens;      /* session token of each, by index */
	uint64_t rng;
};

/* Parse a --mix SPEC, "move:60,attack:15,...", into weights (kinds not
 * named get 0); 0, or -EINVAL if a part is not KIND:WEIGHT or they sum to
 * 0, or -ENOMEM. */
int xg_mix_parse(const char *spec, uint32_t weights[XG_NKINDS]);

/* Seed the draws. Returns the first sequence number, which depends on the
 * seed so that two clients on one server are told apart in its logs. The
 * tokens are set once the players have joined (load/handshake.h). */
uint32_t xg_mix_init(struct xg_mix *m, const uint32_t weights[XG_NKINDS],
		     uint32_t first_player, uint32_t players, uint64_t seed);
/* The player (its index from first_player) that request 'seq' plays. */
static inline uint32_t xg_mix_index(const struct xg_mix *m, uint32_t seq)
{
	return seq % m->players;
}
/* A kind drawn with the weights. */
enum xg_kind xg_mix_pick(struct xg_mix *m);
/* A raw draw, for xg_mix_request's position. */
uint64_t xg_mix_rand(struct xg_mix *m);

/* Write the request 'seq' of kind k at buf (XG_MAX_MSG_SIZE bytes are
 * enough) with its player's session token, and return its size. Its player
 * is first_player + xg_mix_index(); r (a draw) places a MOVE; an ATTACK
 * targets the next player with a skill the server has. */
uint32_t xg_mix_request(const struct xg_mix *m, void *buf, enum xg_kind k,
			uint32_t seq, uint64_t now, uint64_t r);
/* The same for the player of index i, whatever seq is (a client that keeps
 * each player on its own connection: load/tcp_run.c). */
uint32_t xg_mix_request_as(const struct xg_mix *m, void *buf, enum xg_kind k,
			   uint32_t i, uint32_t seq, uint64_t now, uint64_t r);

/* An ack's header is whole: its size, magic and size field. */
bool xg_mix_ack_framed(const void *buf, size_t len);
/* The message type an ack to a request of kind k carries (ack bit set). */
uint8_t xg_mix_ack_type(enum xg_kind k);
/* Whether an ack to kind k may carry status st: a HEARTBEAT OK; an
 * in-bounds MOVE OK, an out-of-bounds one OUT_OF_BOUNDS, an ATTACK OK or
 * TARGET_DEAD, and these three DEAD while their player waits to respawn. */
bool xg_mix_status_ok(enum xg_kind k, uint8_t st);
/* A framed ack (xg_mix_ack_framed) answers a request of kind k sent at
 * sent_ns by the player of index i: its type, echoed timestamp, player,
 * token and status fit. */
bool xg_mix_ack_matches(const struct xg_mix *m, const void *ack,
			enum xg_kind k, uint32_t i, uint64_t sent_ns);

#endif
