/* SPDX-License-Identifier: MIT */
/* The serving loop of `attach` and the server's setup; see serve.c. */
#ifndef XDPGAME_CLI_SERVE_H
#define XDPGAME_CLI_SERVE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/server.h"
#include "game/session.h"
#include "xdp/loader.h"

/* World, sessions (with these limits) and room for max_workers workers.
 * 0 or -ENOMEM. */
int xg_serve_init(struct xg_server *srv, const struct xg_server_cfg *cfg,
		  int max_workers, const struct xg_limits *limits);
void xg_serve_free(struct xg_server *srv);
/* Sessions opened and ended from now on are written to the program's
 * `sessions` map, and its last-seen times count for expiry. */
void xg_serve_sessions_to(struct xg_server *srv, struct xg_xdp *xdp);
/* Serve until *stop or the duration; the once-a-second work (serve.c).
 * *reload set (SIGHUP): swap in this binary's XDP program, then clear it. */
void xg_serve_loop(struct xg_server *srv, struct xg_xdp *xdp, bool quiet,
		   volatile sig_atomic_t *stop, volatile sig_atomic_t *reload,
		   uint64_t *kills);
/* Count kill events from the workers' rings. */
void xg_serve_drain_events(struct xg_server *srv, uint64_t *kills);

#endif
