/* SPDX-License-Identifier: MIT */
/*
 * The TCP engine's public part (engine/tcp.c; its operations are
 * xg_engine_tcp in engine.h): why it closes a connection, and what it knows
 * of each connection's addresses.
 */
#ifndef XDPGAME_ENGINE_TCP_H
#define XDPGAME_ENGINE_TCP_H

#include <netinet/in.h>

/* Why a connection was closed; the summary counts each. */
enum xg_tcp_close {
	XG_TCP_CLOSE_PEER,        /* the client closed it */
	XG_TCP_CLOSE_MALFORMED,   /* xg_validate() rejected a frame */
	XG_TCP_CLOSE_FRAME_SIZE,  /* a size field no frame can have */
	XG_TCP_CLOSE_SLOW_READER, /* its replies filled the output buffer */
	XG_TCP_CLOSE_IDLE,        /* no whole frame for --tcp-idle */
	XG_TCP_CLOSE_ERROR,       /* a socket error, or out of memory */
	XG_TCP_CLOSE_STOP,        /* the server stopped */
	XG_TCP_NCLOSE,
};

/* "peer", "malformed", ...: the names in the summary */
extern const char *const xg_tcp_close_names[XG_TCP_NCLOSE];

/* A connection's addresses (IPv4 clients as v4-mapped IPv6), kept from its
 * accept: where a handler context would take the peer for sessions
 * (protocol v2) when TCP frames are served. */
struct xg_tcp_addrs {
	struct sockaddr_in6 peer;  /* the client's address and port */
	struct sockaddr_in6 local; /* ours, as the client reached it */
};

#endif
