/* SPDX-License-Identifier: MIT */
/*
 * What the two files of `xdpgame load --tcp` share and nobody else sees:
 * the run's context, its connections and its counters. tcp.c sets the
 * context up and reports on it; tcp_run.c runs it. The public API is
 * load/tcp.h.
 */
#ifndef XDPGAME_LOAD_TCP_INTERNAL_H
#define XDPGAME_LOAD_TCP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/stats.h"
#include "game/stream.h"
#include "load/handshake.h"
#include "load/mix.h"
#include "load/tcp.h"

enum tl_state { TL_NEW, TL_CONNECTING_, TL_OPEN, TL_DEAD };
enum tl_phase { PH_CONNECT, PH_JOIN, PH_OPENING, PH_PLAY };
/* A connection's handshake. */
enum tl_hs { HS_NONE, HS_JOIN_SENT, HS_ANSWER_SENT, HS_DONE };

/* A request in flight; a connection's are a ring of --window. */
struct tl_req {
	uint64_t sent_ns;
	uint32_t seq;
	uint8_t kind;   /* enum xg_kind */
	uint8_t first;  /* of the opening round */
};

struct tl_conn {
	int fd;
	uint8_t state;     /* enum tl_state */
	uint8_t inflight;  /* requests in its ring, oldest at head */
	uint8_t head;
	uint8_t opened;    /* sent its opening request */
	uint8_t answered;  /* its opening request was answered */
	uint8_t hs;        /* enum tl_hs */
	uint32_t hs_seq;   /* its JOIN's and ANSWER's sequence number */
	uint64_t t0;       /* connect(), then its JOIN */
	uint64_t hs_sent;  /* its last handshake step */
	struct xg_stream_in in;
};

struct tl_stats {
	uint32_t opened, failed, closed; /* closed: by the server */
	uint64_t sent, acked, lost, wrong, errors, bytes_out, bytes_in;
	uint64_t per_kind_sent[XG_NKINDS];
	struct xg_hist connect, join, first, rtt;
	struct xg_handshake_result hs;
	uint32_t challenged;             /* connections without a player that
					    read their CHALLENGE */
	uint64_t started, connected, finished; /* CLOCK_MONOTONIC ns */
	uint64_t hs_started;
};

struct tl_ctx {
	const struct xg_tcp_load_opts *o;
	int ep;
	struct tl_conn *conns;
	struct tl_req *q;        /* o->window per connection */
	struct xg_mix mix;
	uint64_t *tokens;        /* the players' session tokens, by index */
	uint32_t next_seq;
	struct sockaddr_storage dst;
	socklen_t dstlen;
	struct sockaddr_storage *src;
	int nsrc;
	uint32_t next_conn, connecting;
	enum tl_phase ph;
	uint64_t inflight, opening_left, join_left;
	struct tl_conn *cur;     /* the connection whose acks are read */
	uint64_t now;
	bool said_ports;
	struct tl_stats st;
};

/* The run (tcp_run.c): connect, join, the opening round, play, until
 * finished() or a signal; what it measured is left in c->st. */
void tl_run(struct tl_ctx *c);
/* SIGINT and SIGTERM: end the run. */
void tl_on_signal(int sig);

#endif
