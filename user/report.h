/* SPDX-License-Identifier: MIT */
/* What `attach` prints: the live line each second and the final summary. */
#ifndef XDPGAME_REPORT_H
#define XDPGAME_REPORT_H

#include <stdio.h>

#include "server.h"
#include "stats.h"

/* One line: rates over the last second from two snapshots of the totals. */
void xg_report_live(FILE *f, int secs, const struct xg_stats *prev,
		    const struct xg_stats *cur);
/* Totals, per type, per status, per malformed reason, per path, latency. */
void xg_report_summary(FILE *f, struct xg_server *srv,
		       const struct xg_stats *total, uint64_t kills,
		       double seconds, bool json);

#endif
