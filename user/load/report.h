/* SPDX-License-Identifier: MIT */
/* The closed loop's report (text or --json) and its --cdf file. */
#ifndef XDPGAME_LOAD_REPORT_H
#define XDPGAME_LOAD_REPORT_H

#include <stdio.h>

#include "core/json.h"
#include "load/loop.h"

/* Print what the run counted on stdout: three lines, or one JSON line
 * (core/json.h). 0, or a negative errno with the reason printed. */
int xg_loop_report(const struct xg_loop_opts *o,
		   const struct xg_loop_stats *s);
/* Write the RTT distribution to path as a CDF, one line per non-empty
 * histogram bucket in increasing order: "UPPER_BOUND_US CUMULATIVE_FRACTION".
 * 0, or -1 with the reason printed. */
int xg_loop_write_cdf(const struct xg_hist *rtt, const char *path);

/* A histogram (ns) summarised: a JSON object {min, avg, max, p50, p90,
 * p99, p999} in ns, or one text line "  LABEL us: min ... p99.9 ..." */
xg_json *xg_load_hist_json(const struct xg_hist *h);
void xg_load_hist_text(FILE *f, const char *label, const struct xg_hist *h);
/* v per second over secs; 0 for a run of no time */
double xg_per_sec(double v, double secs);

#endif
