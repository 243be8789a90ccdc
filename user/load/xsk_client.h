/* SPDX-License-Identifier: MIT */
/*
 * `xdpgame load ADDR:PORT --xsk IFACE`: the game client over an AF_XDP
 * socket on the client's own interface, so that the client is not what
 * saturates first. The same options, ack checks and report as the
 * closed loop (loop.h, report.h); see xsk_client.c.
 */
#ifndef XDPGAME_LOAD_XSK_CLIENT_H
#define XDPGAME_LOAD_XSK_CLIENT_H

#include "load/loop.h"

/* Join every player over a kernel UDP socket on IFACE (o->xsk), then play
 * them over an AF_XDP socket bound to IFACE's queue 0 with frames from the
 * same address and port; o->window 0 is an open loop (o->rate paces it).
 * Returns as xg_loop() does. */
int xg_load_xsk(const struct xg_loop_opts *o);

#endif
