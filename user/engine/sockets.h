/* SPDX-License-Identifier: MIT */
/*
 * Kernel-socket engine: the path that always works and the baseline every
 * speed-up is measured against. Each worker owns one UDP socket per game
 * port, bound with SO_REUSEPORT (so the kernel spreads flows over workers)
 * and SO_BINDTODEVICE to the served interface, dual-stack where IPv6 exists.
 * Batched mode moves up to XG_SOCK_BATCH datagrams per recvmmsg/sendmmsg;
 * naive mode does one recvfrom/sendto per datagram, kept as the baseline.
 */
#ifndef XDPGAME_ENGINE_SOCKETS_H
#define XDPGAME_ENGINE_SOCKETS_H

#include "engine/server.h"

enum { XG_SOCK_BATCH = 64, XG_SOCK_BUFSZ = 2048 };

struct xg_sock_engine;

/* Check that every port is free on the interface, then open and bind each
 * worker's sockets. Nothing runs yet. 0 or negative errno (message printed). */
int xg_sockets_open(struct xg_server *srv, int nworkers,
		    struct xg_sock_engine **out);
int xg_sockets_start(struct xg_sock_engine *e);
/* Join the workers (srv->stop must be set) and close the sockets. NULL-safe. */
void xg_sockets_destroy(struct xg_sock_engine *e);

#endif
