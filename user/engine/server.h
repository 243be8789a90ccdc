/* SPDX-License-Identifier: MIT */
/*
 * The game server that `xdpgame attach` runs: its configuration, the world,
 * and the workers of whichever engines serve it. An engine (engine.h: the
 * kernel sockets in sockets.c, AF_XDP in xsk.c) only moves datagrams between the network and xg_handle(); it
 * owns its worker threads but every worker's counters and event ring live in
 * the common struct xg_worker, so the live line, `stats` and the summary read
 * all engines the same way.
 */
#ifndef XDPGAME_SERVER_H
#define XDPGAME_SERVER_H

#include <net/if.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "game/handlers.h"
#include "core/stats.h"
#include "core/util.h"
#include "game/world.h"

struct xg_ring;
struct xg_engine_ops;

/* Which path served a worker's packets. */
enum xg_path {
	XG_PATH_SOCKET = 0, /* kernel UDP socket */
	XG_PATH_XSK = 1,    /* AF_XDP socket */
	XG_PATH_TCP = 2,    /* TCP connections (engine/tcp.c) */
	XG_NPATHS,
};

struct xg_server_cfg {
	char ifname[IF_NAMESIZE];
	uint16_t ports[XG_MAX_PORTS];
	int nports;
	int nworkers;          /* kernel-socket workers; 0 = one per CPU */
	int cpus[XG_MAX_CPUS]; /* --cpus; empty = all online CPUs */
	int ncpus;
	bool naive;            /* recvfrom/sendto, one syscall per packet */
	bool busy_poll;        /* every engine: spin instead of sleeping */
	int duration_s;        /* 0 = until SIGINT/SIGTERM */
	bool json;             /* summary as JSON */
};

struct xg_server;

struct xg_worker {
	struct xg_stats stats; /* first: cache-line aligned, written by us only */
	struct xg_server *srv;
	struct xg_ring *events;
	pthread_t thread;
	bool started;
	int id;
	int cpu;               /* -1: not pinned */
	enum xg_path path;
	int queue;             /* RX queue for XSK workers, -1 otherwise */
	const struct xg_engine_ops *ops; /* the engine that owns it */
	void *priv;            /* engine state */
};

struct xg_server {
	struct xg_server_cfg cfg;
	struct xg_world *world;
	struct xg_sessions *sessions;
	atomic_bool stop;
	bool xsk_serving;      /* AF_XDP serves every queue: the kernel-socket
				* workers are the fallback and never spin */
	struct xg_worker *workers;
	int nworkers;
	int max_workers;
};

/* Reserve a worker slot (an engine calls this while setting up); NULL if all
 * slots are taken. The slot's stats and event ring are ready. */
struct xg_worker *xg_server_add_worker(struct xg_server *srv, enum xg_path path,
				       int cpu);
/* Give back the slots from index 'first' on (an engine that failed to open
 * after reserving some): no slot may refer to freed engine state. */
void xg_server_drop_workers(struct xg_server *srv, int first);
/* CPU for the i-th worker: round robin over --cpus or the online CPUs. */
int xg_server_cpu(const struct xg_server *srv, int i);

static inline bool xg_server_stopping(struct xg_server *srv)
{
	return atomic_load_explicit(&srv->stop, memory_order_relaxed);
}

/* Start a worker thread running fn(worker). */
int xg_worker_start(struct xg_worker *w, void *(*fn)(void *));
/* Pin the calling worker thread to its CPU (warns once on failure). */
void xg_worker_pin(struct xg_worker *w);
/* A handler context for this worker at time 'now'. */
static inline struct xg_handler_ctx xg_worker_ctx(struct xg_worker *w,
						  uint64_t now)
{
	return (struct xg_handler_ctx){ .world = w->srv->world,
					.sessions = w->srv->sessions,
					.stats = &w->stats,
					.events = w->events,
					.now = now };
}



/* Sum every worker's counters into 'sum' (readers may run during serving). */
void xg_server_totals(struct xg_server *srv, struct xg_stats *sum);
#endif
