/* SPDX-License-Identifier: MIT */
/* The closed loop's report (text or --json) and its --cdf file. */
#ifndef XDPGAME_LOAD_REPORT_H
#define XDPGAME_LOAD_REPORT_H

#include "load/loop.h"

/* Print what the run counted on stdout: three lines, or one JSON line
 * (core/json.h). 0, or a negative errno with the reason printed. */
int xg_loop_report(const struct xg_loop_opts *o,
		   const struct xg_loop_stats *s);
/* Write the RTT distribution to path as a CDF, one line per non-empty
 * histogram bucket in increasing order: "UPPER_BOUND_US CUMULATIVE_FRACTION".
 * 0, or -1 with the reason printed. */
int xg_loop_write_cdf(const struct xg_hist *rtt, const char *path);

#endif
