/* SPDX-License-Identifier: MIT */
/*
 * What the files of the TCP engine share and nobody else sees (its public
 * part is engine/tcp.h; tcp.c has the overview): its limits, the state of a
 * connection, a worker and the engine, the lists that order a worker's
 * connections, and the functions that cross from the worker loop (tcp.c)
 * to one connection's turn (tcp_conn.c).
 */
#ifndef XDPGAME_ENGINE_TCP_INTERNAL_H
#define XDPGAME_ENGINE_TCP_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "engine/tcp.h"
#include "game/stream.h"

enum {
	XG_TCP_READ_CHUNK = 16384,     /* bytes per read() */
	XG_TCP_READS_PER_TURN = 4,     /* then the next connection's turn */
	XG_TCP_ACCEPTS_PER_TURN = 256, /* accept4() calls per turn */
	XG_TCP_OUTBUF = 4096,          /* bytes of replies waiting, per conn */
	XG_TCP_SNDBUF = 16384,         /* SO_SNDBUF asked (the kernel doubles) */
	XG_TCP_EVENTS = 256,           /* epoll events per wait */
	XG_TCP_WAIT_MS = 100,          /* longest sleep: notice a stop */
	XG_TCP_FD_SLACK = 64,          /* fds kept for everything else */
	XG_TCP_BACKLOG = 65535,        /* listen(); the kernel caps it at
					  net.core.somaxconn */
};

/* Out-of-line space for replies of one read: room for one reply per
 * smallest frame, so a full read never needs more than one flush. */
#define XG_TCP_SCRATCH (XG_TCP_READ_CHUNK / XG_HDR_SIZE * XG_MAX_MSG_SIZE)

struct link {
	struct link *prev, *next;
};

struct tcp_conn {
	int fd;
	bool ready;              /* on the worker's ready list */
	uint16_t out_off, out_len;
	unsigned char *out;      /* XG_TCP_OUTBUF from the pool, or NULL */
	uint64_t last_ns;        /* last whole frame, or the accept */
	struct link idle;        /* the worker's connections, oldest first */
	struct link turn;        /* the ready list: more to read */
	uint8_t nplayers;        /* players joined over it */
	uint32_t player[XG_TCP_CONN_PLAYERS];
	uint64_t token[XG_TCP_CONN_PLAYERS]; /* their sessions' tokens */
	struct xg_peer peer;     /* both ends, as the sessions see them */
	struct xg_stream_in in;  /* the partial frame */
};

/* Counters of one worker: single writer (xg_stat_add), read by the report. */
struct tcp_counts {
	uint64_t accepted, refused, closed[XG_TCP_NCLOSE];
	uint64_t unsent_bytes; /* replies lost with a closed connection */
	uint64_t outbufs;      /* output buffers ever allocated (pool size) */
	uint64_t sessions_ended; /* by their connection's closing */
};

struct tcp_engine;

struct tcp_worker {
	struct xg_worker *w;
	struct tcp_engine *e;
	int lfd, ep;
	bool accept_more;        /* the listener may hold more connections */
	struct link idle, turn;  /* list heads */
	void *pool;              /* free output buffers, linked through them */
	struct tcp_counts n;
	/* the turn in progress */
	struct tcp_conn *cur;
	struct xg_handler_ctx ctx;
	uint32_t scratch_len, scratch_replies;
	uint32_t frames;         /* whole frames in the current read */
	unsigned char rbuf[XG_TCP_READ_CHUNK];
	unsigned char scratch[XG_TCP_SCRATCH];
};

struct tcp_engine {
	struct xg_server *srv;
	struct tcp_worker **workers;
	int nworkers;
	int max_conns;
	uint64_t idle_ns;
	atomic_int open;         /* connections open, all workers */
	char describe[64];
};

static inline void link_init(struct link *l)
{
	l->prev = l->next = l;
}

static inline void link_del(struct link *l)
{
	l->prev->next = l->next;
	l->next->prev = l->prev;
	link_init(l);
}

static inline void link_tail(struct link *head, struct link *l)
{
	l->prev = head->prev;
	l->next = head;
	head->prev->next = l;
	head->prev = l;
}

#define conn_of(l, member) \
	((struct tcp_conn *)((char *)(l) - offsetof(struct tcp_conn, member)))

/* One connection (tcp_conn.c, where each is described): close it, send
 * the replies waiting in its output buffer, give it its turn. */
void tcp_conn_close(struct tcp_worker *tw, struct tcp_conn *c,
		    enum xg_tcp_close why);
int tcp_conn_drain(struct tcp_worker *tw, struct tcp_conn *c);
void tcp_conn_serve(struct tcp_worker *tw, struct tcp_conn *c);

#endif
