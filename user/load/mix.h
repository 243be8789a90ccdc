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
	uint32_t players;            /* player ids 0..players-1, >= 2 */
	uint64_t rng;
};

/* Parse a --mix SPEC, "move:60,attack:15,...", into weights (kinds not
 * named get 0); 0, or -EINVAL if a part is not KIND:WEIGHT or they sum to
 * 0, or -ENOMEM. */
int xg_mix_parse(const char *spec, uint32_t weights[XG_NKINDS]);

/* Seed the draws. Returns the first sequence number, which depends on the
 * seed so that two clients on one server are told apart in its logs. */
uint32_t xg_mix_init(struct xg_mix *m, const uint32_t weights[XG_NKINDS],
		     uint32_t players, uint64_t seed);
/* A kind drawn with the weights. */
enum xg_kind xg_mix_pick(struct xg_mix *m);
/* A raw draw, for xg_mix_request's position. */
uint64_t xg_mix_rand(struct xg_mix *m);

/* Write the request 'seq' of *kind at buf (XG_MAX_MSG_SIZE bytes are
 * enough) and return its size. Its player is seq % players; r (a draw)
 * places a MOVE. An ATTACK's target: with 'known' (players the server has
 * acked), one of the next seven players it has, and if none the request
 * becomes a HEARTBEAT (*kind says so); without, the next player. */
uint32_t xg_mix_request(const struct xg_mix *m, void *buf, enum xg_kind *kind,
			uint32_t seq, uint64_t now, uint64_t r,
			const uint8_t *known);

/* An ack's header is whole: its size, magic and size field. */
bool xg_mix_ack_framed(const void *buf, size_t len);
/* The message type an ack to a request of kind k carries (ack bit set). */
uint8_t xg_mix_ack_type(enum xg_kind k);
/* Whether an ack to kind k may carry status st: an in-bounds MOVE and a
 * HEARTBEAT OK, an out-of-bounds MOVE OUT_OF_BOUNDS, an ATTACK OK or
 * TARGET_DEAD. */
bool xg_mix_status_ok(enum xg_kind k, uint8_t st);
/* A framed ack (xg_mix_ack_framed) answers the request 'seq' of kind k sent
 * at sent_ns: its type, echoed timestamp, player and status fit. */
bool xg_mix_ack_matches(const struct xg_mix *m, const void *ack,
			enum xg_kind k, uint32_t seq, uint64_t sent_ns);

#endif
