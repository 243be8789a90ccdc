/* SPDX-License-Identifier: MIT */
/*
 * Building requests and reading replies, for game clients: the load
 * generator and the tests. Each builder writes a whole, valid request at
 * 'buf' (XG_MAX_MSG_SIZE bytes are enough for any) and returns its size.
 * Game requests carry the session token WELCOME gave.
 */
#ifndef XDPGAME_MSG_H
#define XDPGAME_MSG_H

#include <stddef.h>
#include <stdint.h>

#include <xdpgame/proto.h>

uint32_t xg_msg_move(void *buf, uint32_t seq, uint32_t player, uint64_t token,
		     uint64_t ts, float x, float y, float z);
uint32_t xg_msg_attack(void *buf, uint32_t seq, uint32_t player,
		       uint64_t token, uint64_t ts, uint32_t target,
		       uint16_t skill);
uint32_t xg_msg_heartbeat(void *buf, uint32_t seq, uint32_t player,
			  uint64_t token, uint64_t ts);
uint32_t xg_msg_leave(void *buf, uint32_t seq, uint32_t player, uint64_t token,
		      uint64_t ts);
/* The handshake: JOIN, then ANSWER echoing the CHALLENGE's cookie, with
 * the backend's connect token (NULL: zeros, for a server without a key). */
uint32_t xg_msg_join(void *buf, uint32_t seq, uint32_t player, uint64_t ts);
uint32_t xg_msg_answer(void *buf, uint32_t seq, uint32_t player, uint64_t ts,
		       const struct xg_cookie *cookie,
		       const struct xg_connect_token *connect);

/* A reply as a client reads it: header fields in host order. */
struct xg_reply_view {
	uint8_t type, status;
	uint32_t seq, player, size;
	uint64_t token, client_ts;
	struct xg_cookie cookie; /* CHALLENGE */
	uint64_t session;        /* WELCOME: the session token */
	uint32_t timeout_ms;     /* WELCOME */
};

/* Parse a reply of 'len' bytes: 0, or -EINVAL if it is not a well-formed
 * reply of this protocol version (right magic, version, an ACK type whose
 * size is the one its type has, reserved zero). */
int xg_reply_parse(const void *buf, size_t len, struct xg_reply_view *r);

/* binary32 bit pattern of a float, as MOVE carries it */
uint32_t xg_f32_bits(float f);

#endif
