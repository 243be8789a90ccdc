/* SPDX-License-Identifier: MIT */
/*
 * The TCP engine's public part (engine/tcp.c and tcp_conn.c, which share
 * tcp_internal.h; its operations are xg_engine_tcp in engine.h): why it
 * closes a connection, and how many players one connection may hold.
 */
#ifndef XDPGAME_ENGINE_TCP_H
#define XDPGAME_ENGINE_TCP_H

/* Why a connection was closed; the summary counts each. */
enum xg_tcp_close {
	XG_TCP_CLOSE_PEER,        /* the client closed it */
	XG_TCP_CLOSE_MALFORMED,   /* xg_validate() rejected a frame */
	XG_TCP_CLOSE_FRAME_SIZE,  /* a size field no frame can have */
	XG_TCP_CLOSE_SLOW_READER, /* its replies filled the output buffer */
	XG_TCP_CLOSE_IDLE,        /* no whole frame for --tcp-idle */
	XG_TCP_CLOSE_PLAYERS,     /* an ANSWER for a player past
				     XG_TCP_CONN_PLAYERS on one connection */
	XG_TCP_CLOSE_ERROR,       /* a socket error, or out of memory */
	XG_TCP_CLOSE_STOP,        /* the server stopped */
	XG_TCP_NCLOSE,
};

/* "peer", "malformed", ...: the names in the summary */
extern const char *const xg_tcp_close_names[XG_TCP_NCLOSE];

/* Players one connection may join at most: their sessions end when it
 * closes, which costs one check each, and a client has no need of more
 * (one player, a few with split-screen). */
enum { XG_TCP_CONN_PLAYERS = 4 };

#endif
