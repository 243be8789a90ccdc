/* SPDX-License-Identifier: MIT */
/*
 * The one Prometheus text writer (exposition format 0.0.4): every metric
 * `xdpgame attach --metrics` serves and `xdpgame stats --prometheus` prints
 * goes through here, so names, label escaping and histogram layout are
 * written once. What the metrics are is user/cli/metrics.c's business.
 *
 * A family is announced once (# HELP, # TYPE), then its samples follow, each
 * with the writer's base labels (e.g. interface="eth0") and its own. Label
 * values and HELP texts are escaped as the format says (\\, \", \n); names
 * are the caller's constants, which the unit tests hold to the format's
 * rules with xg_prom_name_ok().
 */
#ifndef XDPGAME_CORE_PROM_H
#define XDPGAME_CORE_PROM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/stats.h"

enum xg_prom_type {
	XG_PROM_COUNTER,
	XG_PROM_GAUGE,
	XG_PROM_HISTOGRAM,
};

struct xg_prom_label {
	const char *name;
	const char *value;
};

/* Where the text goes, and the labels every sample carries (may be 0). */
struct xg_prom {
	FILE *f;
	const struct xg_prom_label *base;
	size_t nbase;
};

/* Content-Type of the text format, for the HTTP endpoint. */
#define XG_PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* 1 if name is a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), else 0;
 * label names: the same without ':'. */
int xg_prom_name_ok(const char *name, int label);

/* # HELP and # TYPE lines of a family. */
void xg_prom_family(const struct xg_prom *p, const char *name,
		    enum xg_prom_type type, const char *help);
/* One sample: name{base labels, labels} value. */
void xg_prom_u64(const struct xg_prom *p, const char *name,
		 const struct xg_prom_label *labels, size_t n, uint64_t v);
void xg_prom_dbl(const struct xg_prom *p, const char *name,
		 const struct xg_prom_label *labels, size_t n, double v);

/*
 * The samples of a histogram family in seconds from an xg_hist in
 * nanoseconds: name_bucket{le=...} cumulative counts, +Inf, name_sum (in
 * seconds) and name_count. The bounds are 2^k - 1 ns for k in
 * [XG_PROM_HIST_K_MIN, XG_PROM_HIST_K_MAX]: each is the upper end of an
 * xg_hist bucket, so every count is exact, not interpolated.
 */
enum {
	XG_PROM_HIST_K_MIN = 8,  /* first bound 255 ns */
	XG_PROM_HIST_K_MAX = 30, /* last bound about 1.07 s */
};
void xg_prom_hist(const struct xg_prom *p, const char *name,
		  const struct xg_prom_label *labels, size_t n,
		  const struct xg_hist *h);

#endif
