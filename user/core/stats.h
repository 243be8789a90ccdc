/* SPDX-License-Identifier: MIT */
/*
 * The project's one statistics module: per-worker counters and a log-linear
 * latency histogram.
 *
 * Concurrency model: every struct xg_stats (and the histogram inside it) has
 * exactly one writer, its worker thread, which updates it with xg_stat_add():
 * a relaxed atomic load and a relaxed atomic store. On x86-64 and arm64 that
 * is an ordinary load, add and store (no locked instruction, no fence), yet
 * it is a data-race-free access in the C11 model, so a reader in another
 * thread (the live line, the final summary) may sum the counters with
 * xg_stats_merge() at any time and ThreadSanitizer stays quiet. A reader's
 * snapshot is not atomic as a whole: counters may be a few packets apart.
 *
 * Histogram: values (nanoseconds) below 2^XG_HIST_SUB_BITS get one bucket
 * each; above that, every power-of-two range [2^k, 2^(k+1)) is split into
 * 2^XG_HIST_SUB_BITS equal sub-buckets, so a bucket is at most 1/32 of its
 * lower bound wide (relative error <= 1/32). Values up to 2^XG_HIST_MAX_BITS
 * ns (about 18 minutes) are bucketed; larger ones share the last bucket.
 * That is 1153 buckets, about 9 KiB per worker.
 */
#ifndef XDPGAME_STATS_H
#define XDPGAME_STATS_H

#include <stdint.h>

#include <xdpgame/proto.h>

#define XG_CACHELINE 64 /* bytes */

#define XG_HIST_SUB_BITS 5  /* 32 linear sub-buckets per power of two */
#define XG_HIST_MAX_BITS 40 /* values >= 2^40 ns go in the last bucket */
#define XG_HIST_SUB (1u << XG_HIST_SUB_BITS)
#define XG_HIST_BUCKETS \
	(((XG_HIST_MAX_BITS - XG_HIST_SUB_BITS + 1) << XG_HIST_SUB_BITS) + 1)

struct xg_hist {
	uint64_t count;
	uint64_t sum;  /* ns; saturates at UINT64_MAX */
	uint64_t min;  /* ns; UINT64_MAX while empty */
	uint64_t max;  /* ns */
	uint64_t buckets[XG_HIST_BUCKETS];
};

/* Single-writer counter update; see the top of this file. */
static inline void xg_stat_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + n,
			 __ATOMIC_RELAXED);
}

/* Read a counter that another thread may be updating with xg_stat_add(). */
static inline uint64_t xg_stat_read(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

void xg_hist_reset(struct xg_hist *h);
/* Single writer (the histogram's owner). */
void xg_hist_record(struct xg_hist *h, uint64_t v);
/* The same value n times (a batch's service time, once per reply). */
void xg_hist_record_n(struct xg_hist *h, uint64_t v, uint64_t n);
/* dst += src. dst is the caller's own; src may be recorded into meanwhile. */
void xg_hist_merge(struct xg_hist *dst, const struct xg_hist *src);
/* Value at or below which p percent (0..100) of the samples lie: the upper
 * bound of the bucket holding that sample, clamped to [min, max]. 0 if the
 * histogram is empty. */
uint64_t xg_hist_percentile(const struct xg_hist *h, double p);

/* Bucket index for a value, and the inclusive range [low, high] of values a
 * bucket holds (the last bucket: [2^XG_HIST_MAX_BITS, UINT64_MAX]). */
unsigned int xg_hist_bucket(uint64_t v);
uint64_t xg_hist_bucket_low(unsigned int b);
uint64_t xg_hist_bucket_high(unsigned int b);

struct xg_hist_summary {
	uint64_t count, min, avg, max; /* all 0 if empty */
	uint64_t p50, p90, p99, p999;
};

void xg_hist_summarize(const struct xg_hist *h, struct xg_hist_summary *s);

/* One worker's counters: cache-line aligned so that two workers' counters
 * never share a line, written only by their worker, summed by readers. */
struct xg_stats {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
	uint64_t handled[XG_MSG_NTYPES];    /* per request type; [0] unused */
	uint64_t status[XG_ST_NSTATUS];     /* acks sent, per enum xg_status */
	uint64_t malformed[XG_ERR_NREASONS]; /* per enum xg_err; [0] unused */
	uint64_t denied[XG_DENY_NREASONS];   /* per enum xg_deny; [0] unused */
	uint64_t errors; /* syscall / ring errors */
	uint64_t drops;  /* requests we could not answer (e.g. TX full) */
	uint64_t events_lost; /* game events dropped: event ring full */
	struct xg_hist latency; /* per-packet service time, ns */
} __attribute__((aligned(XG_CACHELINE)));

_Static_assert(sizeof(struct xg_stats) % XG_CACHELINE == 0,
	       "per-worker stats must fill whole cache lines");

/* All counters zero, histogram empty. */
void xg_stats_init(struct xg_stats *s);
/* dst += src, counter by counter; src may be written meanwhile. */
void xg_stats_merge(struct xg_stats *dst, const struct xg_stats *src);
/* Sum of malformed[] over all reasons. */
uint64_t xg_stats_malformed_total(const struct xg_stats *s);
/* Sum of denied[] over all reasons. */
uint64_t xg_stats_denied_total(const struct xg_stats *s);

/* Short snake_case names for reports; "unknown" when out of range. */
const char *xg_err_name(int err);     /* enum xg_err; XG_OK is "ok" */
const char *xg_msg_name(int type);    /* enum xg_msg_type requests */
const char *xg_status_name(int st);   /* enum xg_status */
const char *xg_deny_name(int why);    /* enum xg_deny */

#endif /* XDPGAME_STATS_H */
