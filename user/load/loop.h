/* SPDX-License-Identifier: MIT */
/*
 * `xdpgame load ADDR:PORT` without --blast: the closed-loop game client
 * over one connected kernel UDP socket, which checks every ack. See loop.c;
 * its report is report.c's.
 */
#ifndef XDPGAME_LOAD_LOOP_H
#define XDPGAME_LOAD_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/siphash.h"
#include "core/stats.h"
#include "load/handshake.h"
#include "load/mix.h"

enum xg_loop_const {
	XG_LOOP_MAX_WINDOW = 16384, /* requests in flight */
};

struct xg_loop_opts {
	const char *target;      /* "HOST:PORT", "[IPV6]:PORT" */
	uint64_t count;          /* requests to send */
	uint64_t rate;           /* requests/s; 0 = as fast as the window allows */
	uint64_t duration_ns;    /* 0 = until count */
	uint64_t timeout_ns;     /* unanswered this long: lost */
	uint32_t first_player;   /* players first_player.. */
	uint32_t players;        /* >= 2 */
	const struct xg_sipkey *backend; /* sign connect tokens; NULL: none */
	bool no_join;            /* no handshake, token 0: for a bare reflector */
	uint32_t window;         /* 1..XG_LOOP_MAX_WINDOW */
	uint32_t weights[XG_NKINDS];
	uint64_t seed;
	bool json;
	bool quiet;
	const char *cdf;         /* RTT CDF written here after the run, or NULL */
	const char *xsk;         /* --xsk IFACE: over AF_XDP (xsk_client.c) */
	bool busy_poll;          /* --xsk: busy-poll the AF_XDP socket */
};

/* What a run counted, for the report. */
struct xg_loop_stats {
	uint64_t sent, acked, lost, wrong, late, errors;
	uint64_t bytes_out, bytes_in;
	uint64_t per_kind_sent[XG_NKINDS];
	struct xg_hist rtt;
	uint64_t started, finished;  /* CLOCK_MONOTONIC ns */
	uint64_t sending_ns;         /* from the first send to the last */
	uint64_t client_drops;       /* --xsk: acks the client's XSK dropped */
	struct xg_handshake_result hs; /* the players' handshakes */
};

/* Join every player (the handshake), run the client, end the sessions
 * (LEAVE), print the report, write the CDF if asked. 0 if every player
 * joined and every request was acked right; -ECONNREFUSED if a player
 * could not join, -EBADMSG if a request went wrong, or another negative
 * errno if it could not run (the reason printed). */
int xg_loop(const struct xg_loop_opts *o);

#endif
