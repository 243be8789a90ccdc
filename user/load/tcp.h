/* SPDX-License-Identifier: MIT */
/*
 * `xdpgame load --tcp ADDR:PORT`: the game client over many TCP
 * connections (load/tcp.c), for the TCP engine (`attach --tcp-port`).
 */
#ifndef XDPGAME_LOAD_TCP_H
#define XDPGAME_LOAD_TCP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/siphash.h"
#include "load/mix.h"

enum xg_tcp_load_const {
	XG_TCPL_MAX_CONNS = 1000000,
	XG_TCPL_MAX_WINDOW = 64,     /* requests in flight per connection */
	XG_TCPL_MAX_SOURCES = 1024,  /* --source-addrs */
};

struct xg_tcp_load_opts {
	const char *target;      /* "HOST:PORT", "[IPV6]:PORT" */
	uint32_t connections;    /* opened, all open at once */
	uint32_t active;         /* of them, those that play after the opening
				    round (<= connections) */
	uint64_t count;          /* requests in all, the opening round's
				    included (at least one per connection) */
	uint64_t duration_ns;    /* 0 = until count */
	uint64_t timeout_ns;     /* unanswered this long: lost */
	uint32_t first_player;   /* connection i joins player first_player + i */
	uint32_t players;        /* connections that join one (<= connections);
				    the rest only JOIN and read the CHALLENGE */
	const struct xg_sipkey *backend; /* sign connect tokens; NULL: none */
	uint32_t window;         /* per connection, 1..XG_TCPL_MAX_WINDOW */
	uint32_t weights[XG_NKINDS];
	uint64_t seed;
	const char *sources;     /* --source-addrs LIST, or NULL */
	bool json;
	bool quiet;
};

/* Open the connections, join, play, print the report. 0 if every
 * connection opened, every player joined and every request was acked right
 * and in order; -EBADMSG if not;
 * another negative errno if it could not run (the reason printed). */
int xg_tcp_load(const struct xg_tcp_load_opts *o);

#endif
