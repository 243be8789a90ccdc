/* SPDX-License-Identifier: MIT */
/*
 * What the two files of `xdpgame attach` share: its options, as
 * attach_opts.c parses them and attach.c serves with them.
 */
#ifndef XDPGAME_CLI_ATTACH_H
#define XDPGAME_CLI_ATTACH_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"
#include "engine/server.h"
#include "game/session.h"
#include "xdp/loader.h"

enum {
	XG_TCP_DEFAULT_MAX = 100000,  /* --tcp-max */
	XG_TCP_DEFAULT_IDLE_S = 30,   /* --tcp-idle, seconds */
};

struct attach_opts {
	struct xg_server_cfg cfg;
	uint16_t tcp_port;     /* 0: no TCP engine */
	int tcp_max;
	int tcp_idle_s;
	enum xg_xdp_mode mode;
	int queues;            /* 0 = all */
	enum xg_zc_mode zero_copy;
	bool kernel_replies;
	enum { ROUTE_AUTO, ROUTE_ON, ROUTE_OFF } route_check;
	bool quiet;
	struct xg_limits limits;
	const char *backend_file;
	const char *metrics; /* --metrics ADDR:PORT, or NULL */
};

/* attach's arguments into *o, over the defaults the caller set: XG_EXIT_OK,
 * or XG_EXIT_USAGE after saying what is wrong; --help prints the usage and
 * exits. */
int attach_parse(int argc, char **argv, struct attach_opts *o);

#endif
