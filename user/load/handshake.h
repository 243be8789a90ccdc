/* SPDX-License-Identifier: MIT */
/*
 * The client side of protocol version 2's handshake, for the load
 * generator's paths: every simulated player sends JOIN, answers the
 * CHALLENGE with its cookie (and, with a backend key, a connect token the
 * generator signs as the game's matchmaker would), and keeps the session
 * token WELCOME gives. LEAVE ends the sessions after the run.
 */
#ifndef XDPGAME_LOAD_HANDSHAKE_H
#define XDPGAME_LOAD_HANDSHAKE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <stdio.h>

#include <xdpgame/proto.h>

#include "core/json.h"
#include "core/siphash.h"

struct xg_handshake_opts {
	uint32_t first_player;       /* players first..first+n-1 */
	uint32_t players;
	const struct xg_sipkey *backend; /* NULL: no connect tokens */
	uint64_t timeout_ns;         /* the whole handshake at most this */
};

struct xg_handshake_result {
	uint32_t joined;             /* players with a session */
	uint32_t refused;            /* WELCOME with a status other than OK */
	uint32_t unanswered;         /* no WELCOME before the timeout */
	uint8_t first_refusal;       /* enum xg_status of the first refusal */
	uint64_t seconds_ns;         /* how long it took */
};

/* Run the handshake for every player over a connected UDP socket; tokens
 * (indexed by player - first_player) get the session tokens, 0 for a
 * player without one. Replies that are not handshake replies are ignored.
 * 0, or a negative errno if the socket failed. */
int xg_handshake_run(int fd, const struct xg_handshake_opts *o,
		     uint64_t *tokens, struct xg_handshake_result *r);
/* Send LEAVE for every player with a token (not waiting for the acks). */
void xg_handshake_leave(int fd, const struct xg_handshake_opts *o,
			const uint64_t *tokens, uint32_t seq);
/* The handshake's part of a report: text line, or a "handshake" member. */
void xg_handshake_print(FILE *f, const struct xg_handshake_result *r);
void xg_handshake_json(xg_json *report, const struct xg_handshake_result *r);
/* One player's ANSWER to its CHALLENGE's cookie at buf (XG_MAX_MSG_SIZE
 * bytes), with a connect token signed with backend (NULL: none) naming
 * the server srv:srv_port (xg_handshake_server_addr); its size. For
 * clients that run the handshake themselves (load/tcp_run.c, over a stream). */
uint32_t xg_handshake_answer(void *buf, const struct xg_sipkey *backend,
			     uint32_t player, uint32_t seq, uint64_t now,
			     const struct xg_cookie *cookie,
			     const uint8_t srv[16], uint16_t srv_port);
/* The server's address as a connect token names it: the socket's peer. */
int xg_handshake_server_addr(int fd, uint8_t addr[16], uint16_t *port);

#endif
