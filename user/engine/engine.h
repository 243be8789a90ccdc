/* SPDX-License-Identifier: MIT */
/*
 * The one interface every engine implements, so that the command layer
 * (cli/attach.c) drives the kernel sockets and AF_XDP alike and never calls
 * an engine's own functions. An engine only moves frames between the network
 * and xg_handle(): it knows workers, sockets and rings, never a message type.
 *
 * Life of an engine: xg_engine_open() creates its sockets and reserves its
 * worker slots in the server (nothing runs); xg_engine_start() starts the
 * worker threads; xg_engine_stop() joins them once srv->stop is set (the
 * sockets stay open so their statistics can still be read); the report adds
 * the engine's own part to the summary; xg_engine_destroy() closes and frees.
 * Every function is NULL-safe on the engine.
 */
#ifndef XDPGAME_ENGINE_ENGINE_H
#define XDPGAME_ENGINE_ENGINE_H

#include <linux/if_xdp.h> /* struct xdp_statistics */
#include <stdbool.h>
#include <stdio.h>

#include "core/json.h"
#include "engine/server.h"
#include <xdpgame/xdp.h>

enum xg_zc_mode { XG_ZC_AUTO, XG_ZC_ON, XG_ZC_OFF };

/* What any engine may be asked for; each reads the fields it needs. */
struct xg_engine_opts {
	int nworkers;              /* sockets: worker threads (>= 1) */
	int nqueues;               /* AF_XDP: queues 0..nqueues-1 */
	enum xg_zc_mode zero_copy; /* AF_XDP */
	int xsks_map_fd;           /* AF_XDP: the XDP program's `xsks` map */
	uint16_t tcp_port;         /* TCP: the port to listen on */
	int tcp_max;               /* TCP: open connections at most */
	int tcp_idle_ms;           /* TCP: close after this long without a frame */
};

struct xg_engine_ops {
	const char *name; /* "sockets", "xsk", "tcp" */
	/* Open sockets and reserve worker slots; 0 or negative errno, with a
	 * message saying what failed. On failure nothing is left behind and no
	 * worker slot refers to the engine's state. */
	int (*open)(struct xg_server *srv, const struct xg_engine_opts *o,
		    void **state);
	int (*start)(void *state);
	void (*stop)(void *state);
	/* How it moves frames, for people: "copy mode", "recvmmsg/sendmmsg". */
	const char *(*describe)(void *state);
	/* A worker's ring statistics (AF_XDP XDP_STATISTICS); zeros where the
	 * engine has none. Any thread, while the engine is open. */
	void (*worker_rings)(const struct xg_worker *w,
			     struct xdp_statistics *s);
	/* Its own part of the summary: text lines on f, or (json not NULL)
	 * members added to the summary object. */
	void (*report)(void *state, FILE *f, xg_json *json);
	void (*destroy)(void *state);
};

extern const struct xg_engine_ops xg_engine_sockets;
extern const struct xg_engine_ops xg_engine_xsk;
extern const struct xg_engine_ops xg_engine_tcp;

struct xg_engine {
	const struct xg_engine_ops *ops;
	void *state;
};

int xg_engine_open(const struct xg_engine_ops *ops, struct xg_server *srv,
		   const struct xg_engine_opts *o, struct xg_engine **out);
int xg_engine_start(struct xg_engine *e);
void xg_engine_stop(struct xg_engine *e);
const char *xg_engine_describe(const struct xg_engine *e);
void xg_engine_report(const struct xg_engine *e, FILE *f, xg_json *json);
void xg_engine_destroy(struct xg_engine *e);
/* A worker's ring statistics through its engine (zeros if it has none). */
void xg_worker_rings(const struct xg_worker *w, struct xdp_statistics *s);
/* A worker's counters and ring statistics as the holder publishes them
 * (struct xg_worker_pub of include/xdpgame/xdp.h): for the pinned `workers`
 * map and the metrics endpoint. Any thread, while the engine is open. */
void xg_worker_publish(const struct xg_worker *w, struct xg_worker_pub *p);

#endif
