/* SPDX-License-Identifier: MIT */
/*
 * Statistics: see stats.h for the single-writer model and the histogram's
 * bucket layout.
 *
 * Bucket index for v >= 2^SUB_BITS, with k = floor(log2 v) and
 * shift = k - SUB_BITS: the top SUB_BITS + 1 bits of v are 1sssss, where
 * sssss picks the sub-bucket, so index = (shift + 1) * 2^SUB_BITS + sssss.
 * For k = SUB_BITS (shift 0) this continues the one-value-per-bucket range
 * seamlessly (index = v), and the index grows monotonically with v.
 *
 * Writers go through xg_stat_add(); readers (merge, percentile) load every
 * field of a histogram or counter block they do not own with a relaxed
 * atomic load. A percentile taken on a live histogram counts the buckets
 * themselves rather than trusting 'count', which may be a sample ahead or
 * behind them.
 */
#include <stddef.h>
#include <string.h>

#include "core/stats.h"

unsigned int xg_hist_bucket(uint64_t v)
{
	unsigned int shift;

	if (v < XG_HIST_SUB)
		return (unsigned int)v;
	if (v >> XG_HIST_MAX_BITS)
		return XG_HIST_BUCKETS - 1;
	shift = 63 - (unsigned int)__builtin_clzll(v) - XG_HIST_SUB_BITS;
	return ((shift + 1) << XG_HIST_SUB_BITS) +
	       (unsigned int)((v >> shift) & (XG_HIST_SUB - 1));
}

uint64_t xg_hist_bucket_low(unsigned int b)
{
	unsigned int shift;

	if (b < XG_HIST_SUB)
		return b;
	if (b >= XG_HIST_BUCKETS - 1)
		return 1ull << XG_HIST_MAX_BITS;
	shift = (b >> XG_HIST_SUB_BITS) - 1;
	return (uint64_t)(XG_HIST_SUB | (b & (XG_HIST_SUB - 1))) << shift;
}

uint64_t xg_hist_bucket_high(unsigned int b)
{
	if (b < XG_HIST_SUB)
		return b;
	if (b >= XG_HIST_BUCKETS - 1)
		return UINT64_MAX;
	return xg_hist_bucket_low(b) +
	       (1ull << ((b >> XG_HIST_SUB_BITS) - 1)) - 1;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

void xg_hist_reset(struct xg_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

void xg_hist_record(struct xg_hist *h, uint64_t v)
{
	xg_hist_record_n(h, v, 1);
}

void xg_hist_record_n(struct xg_hist *h, uint64_t v, uint64_t n)
{
	if (!n)
		return;
	xg_stat_add(&h->buckets[xg_hist_bucket(v)], n);
	xg_stat_add(&h->count, n);
	__atomic_store_n(&h->sum,
			 sat_add(xg_stat_read(&h->sum),
				 v && n > UINT64_MAX / v ? UINT64_MAX : v * n),
			 __ATOMIC_RELAXED);
	if (v < xg_stat_read(&h->min))
		__atomic_store_n(&h->min, v, __ATOMIC_RELAXED);
	if (v > xg_stat_read(&h->max))
		__atomic_store_n(&h->max, v, __ATOMIC_RELAXED);
}

void xg_hist_merge(struct xg_hist *dst, const struct xg_hist *src)
{
	uint64_t v;
	unsigned int i;

	dst->count += xg_stat_read(&src->count);
	dst->sum = sat_add(dst->sum, xg_stat_read(&src->sum));
	v = xg_stat_read(&src->min);
	if (v < dst->min)
		dst->min = v;
	v = xg_stat_read(&src->max);
	if (v > dst->max)
		dst->max = v;
	for (i = 0; i < XG_HIST_BUCKETS; i++)
		dst->buckets[i] += xg_stat_read(&src->buckets[i]);
}

uint64_t xg_hist_percentile(const struct xg_hist *h, double p)
{
	uint64_t total = 0, rank, seen = 0, v, lo, hi;
	unsigned int i;
	double want;

	for (i = 0; i < XG_HIST_BUCKETS; i++)
		total += xg_stat_read(&h->buckets[i]);
	if (!total)
		return 0;

	if (!(p > 0)) /* also NaN */
		p = 0;
	if (p > 100)
		p = 100;
	/* The sample of rank ceil(p% of total), counting from 1. */
	want = p / 100.0 * (double)total;
	if (want >= (double)total) {
		rank = total;
	} else {
		rank = (uint64_t)want;
		if ((double)rank < want)
			rank++;
		if (!rank)
			rank = 1;
	}

	for (i = 0; i < XG_HIST_BUCKETS - 1; i++) {
		seen += xg_stat_read(&h->buckets[i]);
		if (seen >= rank)
			break;
	}
	v = xg_hist_bucket_high(i);
	lo = xg_stat_read(&h->min);
	hi = xg_stat_read(&h->max);
	if (lo <= hi) { /* else a writer is mid-update: skip the clamp */
		if (v < lo)
			v = lo;
		if (v > hi)
			v = hi;
	}
	return v;
}

void xg_hist_summarize(const struct xg_hist *h, struct xg_hist_summary *s)
{
	memset(s, 0, sizeof(*s));
	s->count = xg_stat_read(&h->count);
	if (!s->count)
		return;
	s->min = xg_stat_read(&h->min);
	s->max = xg_stat_read(&h->max);
	s->avg = xg_stat_read(&h->sum) / s->count;
	s->p50 = xg_hist_percentile(h, 50);
	s->p90 = xg_hist_percentile(h, 90);
	s->p99 = xg_hist_percentile(h, 99);
	s->p999 = xg_hist_percentile(h, 99.9);
}

void xg_stats_init(struct xg_stats *s)
{
	memset(s, 0, sizeof(*s));
	xg_hist_reset(&s->latency);
}

static void add_counters(uint64_t *dst, const uint64_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] += xg_stat_read(&src[i]);
}

void xg_stats_merge(struct xg_stats *dst, const struct xg_stats *src)
{
	add_counters(&dst->rx_packets, &src->rx_packets, 1);
	add_counters(&dst->rx_bytes, &src->rx_bytes, 1);
	add_counters(&dst->tx_packets, &src->tx_packets, 1);
	add_counters(&dst->tx_bytes, &src->tx_bytes, 1);
	add_counters(dst->handled, src->handled, XG_MSG_NTYPES);
	add_counters(dst->status, src->status, XG_ST_NSTATUS);
	add_counters(dst->malformed, src->malformed, XG_ERR_NREASONS);
	add_counters(dst->denied, src->denied, XG_DENY_NREASONS);
	add_counters(&dst->errors, &src->errors, 1);
	add_counters(&dst->drops, &src->drops, 1);
	add_counters(&dst->events_lost, &src->events_lost, 1);
	xg_hist_merge(&dst->latency, &src->latency);
}

uint64_t xg_stats_malformed_total(const struct xg_stats *s)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < XG_ERR_NREASONS; i++)
		n += xg_stat_read(&s->malformed[i]);
	return n;
}

uint64_t xg_stats_denied_total(const struct xg_stats *s)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < XG_DENY_NREASONS; i++)
		n += xg_stat_read(&s->denied[i]);
	return n;
}

static const char *const err_names[XG_ERR_NREASONS] = {
	[XG_OK] = "ok",
	[XG_ERR_TOO_SHORT] = "too_short",
	[XG_ERR_BAD_MAGIC] = "bad_magic",
	[XG_ERR_BAD_VERSION] = "bad_version",
	[XG_ERR_BAD_TYPE] = "bad_type",
	[XG_ERR_RESERVED] = "reserved",
	[XG_ERR_SIZE_OVER] = "size_over",
	[XG_ERR_SIZE_UNDER] = "size_under",
	[XG_ERR_BODY_SIZE] = "body_size",
	[XG_ERR_BAD_COORD] = "bad_coord",
};

static const char *const msg_names[XG_MSG_NTYPES] = {
	[XG_MSG_MOVE] = "move",
	[XG_MSG_ATTACK] = "attack",
	[XG_MSG_HEARTBEAT] = "heartbeat",
	[XG_MSG_LEAVE] = "leave",
	[XG_MSG_JOIN] = "join",
	[XG_MSG_ANSWER] = "answer",
};

static const char *const status_names[XG_ST_NSTATUS] = {
	[XG_ST_OK] = "ok",
	[XG_ST_OUT_OF_BOUNDS] = "out_of_bounds",
	[XG_ST_UNKNOWN_PLAYER] = "unknown_player",
	[XG_ST_UNKNOWN_TARGET] = "unknown_target",
	[XG_ST_TARGET_DEAD] = "target_dead",
	[XG_ST_DEAD] = "dead",
	[XG_ST_UNKNOWN_SKILL] = "unknown_skill",
	[XG_ST_PLAYER_TAKEN] = "player_taken",
	[XG_ST_DENIED] = "denied",
};

static const char *const deny_names[XG_DENY_NREASONS] = {
	[XG_DENY_NONE] = "none",
	[XG_DENY_NO_SESSION] = "no_session",
	[XG_DENY_BAD_TOKEN] = "bad_token",
	[XG_DENY_WRONG_SOURCE] = "wrong_source",
	[XG_DENY_EXPIRED] = "expired",
	[XG_DENY_SESSION_RATE] = "session_rate",
	[XG_DENY_HANDSHAKE_RATE] = "handshake_rate",
	[XG_DENY_REPLAY] = "replay",
	[XG_DENY_BAD_COOKIE] = "bad_cookie",
};

static const char *name_of(const char *const *names, int n, int i)
{
	return i >= 0 && i < n && names[i] ? names[i] : "unknown";
}

const char *xg_err_name(int err)
{
	return name_of(err_names, XG_ERR_NREASONS, err);
}

const char *xg_msg_name(int type)
{
	return name_of(msg_names, XG_MSG_NTYPES, type);
}

const char *xg_status_name(int st)
{
	return name_of(status_names, XG_ST_NSTATUS, st);
}

const char *xg_deny_name(int why)
{
	return name_of(deny_names, XG_DENY_NREASONS, why);
}
