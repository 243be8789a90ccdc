/* SPDX-License-Identifier: MIT */
/* What `attach` prints: the live line each second and the final summary. */
#ifndef XDPGAME_REPORT_H
#define XDPGAME_REPORT_H

#include <stdio.h>

#include "core/stats.h"
#include "engine/engine.h"
#include "engine/server.h"
#include "xdp/loader.h"

/* What the server has done so far: its workers' counters summed, and the
 * XDP program's counters when one is attached. */
struct xg_snapshot {
	struct xg_stats total;
	uint64_t rx_by_path[XG_NPATHS]; /* packets in, by enum xg_path */
	bool xdp;
	struct xg_xdp_count xdp_cnt[XG_CNT_MAX];
};

/* Take a snapshot; ifname NULL: no XDP program to read. */
void xg_snapshot_take(struct xg_snapshot *s, struct xg_server *srv,
		      const char *ifname);
/* One line: rates over the last second from two snapshots. */
void xg_report_live(FILE *f, int secs, const struct xg_snapshot *prev,
		    const struct xg_snapshot *cur);
/* Totals, per type, per status, per malformed reason, per path, latency,
 * the XDP program's verdicts, then each engine's own part; as text, or as
 * one JSON object. */
void xg_report_summary(FILE *f, struct xg_server *srv,
		       const struct xg_snapshot *s, uint64_t kills,
		       double seconds, bool json,
		       struct xg_engine *const *engines, int nengines);

#endif
