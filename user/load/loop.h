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

#include "core/stats.h"
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
	uint32_t players;        /* >= 2 */
	uint32_t window;         /* 1..XG_LOOP_MAX_WINDOW */
	uint32_t weights[XG_NKINDS];
	uint64_t seed;
	bool json;
	bool quiet;
	const char *cdf;         /* RTT CDF written here after the run, or NULL */
};

/* What a run counted, for the report. */
struct xg_loop_stats {
	uint64_t sent, acked, lost, wrong, late, errors;
	uint64_t bytes_out, bytes_in;
	uint64_t per_kind_sent[XG_NKINDS];
	struct xg_hist rtt;
	uint64_t started, finished;  /* CLOCK_MONOTONIC ns */
};

/* Run the client, print its report, write the CDF if asked. 0 if every
 * request was acked right; -EBADMSG if not, or another negative errno if
 * it could not run (the reason printed). */
int xg_loop(const struct xg_loop_opts *o);

#endif
