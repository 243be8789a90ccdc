/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for user/stats.c: histogram bucket geometry (every small value
 * lands in a bucket whose bounds hold it, buckets tile the value range, each
 * is at most 1/32 of its lower bound wide), percentile accuracy on a known
 * distribution, exact min/max/avg, empty and huge inputs, merging, the
 * per-worker counter merge (every field, found by layout rather than by a
 * list that could fall out of date), and the report names of every
 * protocol enum value.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "core/stats.h"

Test(hist, bucket_bounds_hold_small_values)
{
	unsigned int b, prev = 0;
	uint64_t v;

	for (v = 0; v <= 10000; v++) {
		b = xg_hist_bucket(v);
		cr_assert_lt(b, XG_HIST_BUCKETS);
		cr_assert_leq(xg_hist_bucket_low(b), v, "v=%lu b=%u",
			      (unsigned long)v, b);
		cr_assert_geq(xg_hist_bucket_high(b), v, "v=%lu b=%u",
			      (unsigned long)v, b);
		/* Monotonic, and never skips a bucket. */
		if (v) {
			cr_assert(b == prev || b == prev + 1,
				  "v=%lu: bucket %u after %u",
				  (unsigned long)v, b, prev);
		}
		prev = b;
	}
	for (v = 0; v < XG_HIST_SUB; v++)
		cr_assert_eq(xg_hist_bucket(v), v, "one bucket per small value");
}

Test(hist, buckets_tile_the_range)
{
	unsigned int b;
	uint64_t lo, hi;

	cr_assert_eq(xg_hist_bucket_low(0), 0);
	for (b = 0; b < XG_HIST_BUCKETS; b++) {
		lo = xg_hist_bucket_low(b);
		hi = xg_hist_bucket_high(b);
		cr_assert_leq(lo, hi, "bucket %u", b);
		cr_assert_eq(xg_hist_bucket(lo), b, "low of %u", b);
		cr_assert_eq(xg_hist_bucket(hi), b, "high of %u", b);
		if (b + 1 < XG_HIST_BUCKETS)
			cr_assert_eq(hi + 1, xg_hist_bucket_low(b + 1),
				     "gap after bucket %u", b);
		/* Relative width <= 1/32 for all but the overflow bucket. */
		if (b >= XG_HIST_SUB && b + 1 < XG_HIST_BUCKETS)
			cr_assert_leq((hi - lo + 1) << XG_HIST_SUB_BITS, lo,
				      "bucket %u too wide", b);
	}
	cr_assert_eq(xg_hist_bucket_high(XG_HIST_BUCKETS - 1), UINT64_MAX);
}

Test(hist, covers_up_to_2_pow_40)
{
	unsigned int k;
	uint64_t v, d;

	for (k = 0; k < XG_HIST_MAX_BITS; k++) {
		for (d = 0; d < 3; d++) {
			v = (1ull << k) + d - 1;
			cr_assert_lt(xg_hist_bucket(v), XG_HIST_BUCKETS - 1,
				     "2^%u%+d overflows", k, (int)d - 1);
			cr_assert_leq(xg_hist_bucket_low(xg_hist_bucket(v)),
				      v);
			cr_assert_geq(xg_hist_bucket_high(xg_hist_bucket(v)),
				      v);
		}
	}
	cr_assert_eq(xg_hist_bucket((1ull << 40) - 1), XG_HIST_BUCKETS - 2);
	/* Everything from 2^40 up shares the last bucket. */
	for (k = XG_HIST_MAX_BITS; k < 64; k++) {
		v = 1ull << k;
		cr_assert_eq(xg_hist_bucket(v), XG_HIST_BUCKETS - 1, "2^%u", k);
		cr_assert_eq(xg_hist_bucket(v | (v >> 1) | 1),
			     XG_HIST_BUCKETS - 1, "1.5 * 2^%u", k);
		cr_assert_eq(xg_hist_bucket(v | (v - 1)), XG_HIST_BUCKETS - 1,
			     "2^%u - 1", k + 1);
	}
}

static void record_uniform(struct xg_hist *h, uint64_t n)
{
	uint64_t v;

	for (v = 1; v <= n; v++)
		xg_hist_record(h, v);
}

Test(hist, percentiles_within_one_32nd)
{
	static const double ps[] = { 50, 90, 99, 99.9 };
	enum { N = 100000 };
	struct xg_hist h;
	uint64_t exact, got;
	size_t i;

	xg_hist_reset(&h);
	record_uniform(&h, N);
	for (i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
		exact = (uint64_t)(ps[i] * N / 100 + 0.5);
		got = xg_hist_percentile(&h, ps[i]);
		cr_assert_geq(got * 32, exact * 31, "p%g: %lu vs %lu", ps[i],
			      (unsigned long)got, (unsigned long)exact);
		cr_assert_leq(got * 32, exact * 33, "p%g: %lu vs %lu", ps[i],
			      (unsigned long)got, (unsigned long)exact);
	}
	cr_assert_eq(xg_hist_percentile(&h, 100), N);
	cr_assert_eq(xg_hist_percentile(&h, 0), 1);
	/* Out-of-range p is clamped, not trusted. */
	cr_assert_eq(xg_hist_percentile(&h, 250), N);
	cr_assert_eq(xg_hist_percentile(&h, -5), 1);
}

Test(hist, summary_exact_min_max_avg)
{
	struct xg_hist_summary s;
	struct xg_hist h;

	xg_hist_reset(&h);
	xg_hist_record(&h, 700);
	xg_hist_record(&h, 3);
	xg_hist_record(&h, 123456789);
	xg_hist_record(&h, 40);
	xg_hist_summarize(&h, &s);
	cr_assert_eq(s.count, 4);
	cr_assert_eq(s.min, 3);
	cr_assert_eq(s.max, 123456789);
	cr_assert_eq(s.avg, (700 + 3 + 123456789 + 40) / 4);
	cr_assert_eq(h.sum, 700 + 3 + 123456789 + 40);
	/* Percentiles stay within [min, max] and in order. */
	cr_assert_geq(s.p50, s.min);
	cr_assert_leq(s.p50, s.p90);
	cr_assert_leq(s.p90, s.p99);
	cr_assert_leq(s.p99, s.p999);
	cr_assert_eq(s.p999, s.max);

	/* A single sample: every statistic is that sample. */
	xg_hist_reset(&h);
	xg_hist_record(&h, 1000003);
	xg_hist_summarize(&h, &s);
	cr_assert_eq(s.min, 1000003);
	cr_assert_eq(s.p50, 1000003);
	cr_assert_eq(s.p999, 1000003);
	cr_assert_eq(s.avg, 1000003);
}

Test(hist, empty)
{
	struct xg_hist_summary s;
	struct xg_hist h;

	memset(&s, 0xff, sizeof(s));
	xg_hist_reset(&h);
	cr_assert_eq(h.count, 0);
	cr_assert_eq(h.min, UINT64_MAX);
	cr_assert_eq(h.max, 0);
	cr_assert_eq(xg_hist_percentile(&h, 50), 0);
	cr_assert_eq(xg_hist_percentile(&h, 100), 0);
	xg_hist_summarize(&h, &s);
	cr_assert_eq(s.count, 0);
	cr_assert_eq(s.min, 0);
	cr_assert_eq(s.avg, 0);
	cr_assert_eq(s.max, 0);
	cr_assert_eq(s.p50, 0);
	cr_assert_eq(s.p999, 0);
}

Test(hist, huge_values)
{
	struct xg_hist_summary s;
	struct xg_hist h;

	xg_hist_reset(&h);
	xg_hist_record(&h, UINT64_MAX);
	xg_hist_record(&h, UINT64_MAX - 1);
	xg_hist_record(&h, 1ull << 40);
	xg_hist_record(&h, 0);
	cr_assert_eq(h.count, 4);
	cr_assert_eq(h.min, 0);
	cr_assert_eq(h.max, UINT64_MAX);
	cr_assert_eq(h.sum, UINT64_MAX, "sum saturates");
	cr_assert_eq(h.buckets[XG_HIST_BUCKETS - 1], 3);
	cr_assert_eq(h.buckets[0], 1);
	cr_assert_eq(xg_hist_percentile(&h, 100), UINT64_MAX);
	cr_assert_eq(xg_hist_percentile(&h, 25), 0);
	xg_hist_summarize(&h, &s);
	cr_assert_eq(s.max, UINT64_MAX);
	cr_assert_eq(s.p50, UINT64_MAX, "overflow bucket reports max");
}

Test(hist, merge_sums)
{
	struct xg_hist a, b, dst;
	unsigned int i;

	xg_hist_reset(&a);
	xg_hist_reset(&b);
	xg_hist_reset(&dst);
	record_uniform(&a, 5000);
	xg_hist_record(&b, 7);
	xg_hist_record(&b, 9000000);
	xg_hist_record(&b, 9000001);

	xg_hist_merge(&dst, &a);
	xg_hist_merge(&dst, &b);
	cr_assert_eq(dst.count, a.count + b.count);
	cr_assert_eq(dst.sum, a.sum + b.sum);
	cr_assert_eq(dst.min, 1);
	cr_assert_eq(dst.max, 9000001);
	for (i = 0; i < XG_HIST_BUCKETS; i++)
		cr_assert_eq(dst.buckets[i], a.buckets[i] + b.buckets[i],
			     "bucket %u", i);
	cr_assert_eq(xg_hist_percentile(&dst, 100), 9000001);

	/* Merging an empty histogram changes nothing, min included. */
	xg_hist_reset(&a);
	xg_hist_reset(&b);
	xg_hist_merge(&a, &b);
	cr_assert_eq(a.count, 0);
	cr_assert_eq(a.min, UINT64_MAX);
	cr_assert_eq(xg_hist_percentile(&a, 50), 0);
}

/* A reader merges while the writer records: the end result is exact and,
 * under ThreadSanitizer, race-free. */
struct hist_writer {
	struct xg_hist *h;
	uint64_t n;
	int done;
};

static void *hist_writer_fn(void *arg)
{
	struct hist_writer *w = arg;
	uint64_t i;

	for (i = 1; i <= w->n; i++)
		xg_hist_record(w->h, i * 37 % 100003);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

Test(hist, merge_while_recording)
{
	static struct xg_hist live;
	struct hist_writer w = { .h = &live, .n = 200000 };
	struct xg_hist snap;
	pthread_t t;
	uint64_t last = 0;

	xg_hist_reset(&live);
	cr_assert_eq(pthread_create(&t, NULL, hist_writer_fn, &w), 0);
	while (!__atomic_load_n(&w.done, __ATOMIC_ACQUIRE)) {
		xg_hist_reset(&snap);
		xg_hist_merge(&snap, &live);
		cr_assert_geq(snap.count, last, "counts never go back");
		last = snap.count;
		(void)xg_hist_percentile(&live, 99);
	}
	cr_assert_eq(pthread_join(t, NULL), 0);
	xg_hist_reset(&snap);
	xg_hist_merge(&snap, &live);
	cr_assert_eq(snap.count, w.n);
}

/* The counters of struct xg_stats are the uint64_t fields before
 * 'latency'; the test finds them by layout so a new field is covered. */
#define NCOUNTERS (offsetof(struct xg_stats, latency) / sizeof(uint64_t))

static void counters_get(const struct xg_stats *s, uint64_t *c)
{
	memcpy(c, s, NCOUNTERS * sizeof(uint64_t));
}

static void counters_set(struct xg_stats *s, const uint64_t *c)
{
	memcpy(s, c, NCOUNTERS * sizeof(uint64_t));
}

Test(stats, init_zeroes)
{
	uint64_t c[NCOUNTERS];
	struct xg_stats s;
	size_t i;

	memset(&s, 0xa5, sizeof(s));
	xg_stats_init(&s);
	counters_get(&s, c);
	for (i = 0; i < NCOUNTERS; i++)
		cr_assert_eq(c[i], 0, "counter %zu", i);
	cr_assert_eq(s.latency.count, 0);
	cr_assert_eq(s.latency.min, UINT64_MAX);
	cr_assert_eq(xg_stats_malformed_total(&s), 0);
	cr_assert_eq((uintptr_t)&s % XG_CACHELINE, 0);
}

Test(stats, merge_sums_every_field)
{
	uint64_t in[NCOUNTERS], out[NCOUNTERS];
	struct xg_stats src, dst;
	size_t i;

	cr_assert_eq(offsetof(struct xg_stats, latency) % sizeof(uint64_t), 0);
	xg_stats_init(&src);
	for (i = 0; i < NCOUNTERS; i++)
		in[i] = 1000 * (i + 1) + i;
	counters_set(&src, in);
	xg_hist_record(&src.latency, 500);
	xg_hist_record(&src.latency, 70000);

	xg_stats_init(&dst);
	xg_stats_merge(&dst, &src);
	xg_stats_merge(&dst, &src);
	counters_get(&dst, out);
	for (i = 0; i < NCOUNTERS; i++)
		cr_assert_eq(out[i], 2 * in[i], "counter %zu: %lu", i,
			     (unsigned long)out[i]);
	cr_assert_eq(dst.latency.count, 4);
	cr_assert_eq(dst.latency.sum, 2 * (500 + 70000));
	cr_assert_eq(dst.latency.min, 500);
	cr_assert_eq(dst.latency.max, 70000);

	/* Spot-check the named fields the layout walk relies on. */
	cr_assert_eq(dst.rx_packets, 2 * in[0]);
	cr_assert_eq(dst.events_lost, 2 * in[NCOUNTERS - 1]);
	cr_assert_eq(dst.drops, 2 * in[NCOUNTERS - 2]);
	cr_assert_eq(dst.errors, 2 * in[NCOUNTERS - 3]);
}

Test(stats, add_and_malformed_total)
{
	struct xg_stats s;
	int i;

	xg_stats_init(&s);
	for (i = 1; i < XG_ERR_NREASONS; i++)
		xg_stat_add(&s.malformed[i], (uint64_t)i);
	xg_stat_add(&s.rx_packets, 5);
	xg_stat_add(&s.rx_packets, 6);
	cr_assert_eq(xg_stat_read(&s.rx_packets), 11);
	cr_assert_eq(xg_stats_malformed_total(&s),
		     (uint64_t)(XG_ERR_NREASONS - 1) * XG_ERR_NREASONS / 2);
}

static void assert_names(const char *(*fn)(int), int first, int n,
			 const char *what)
{
	int i, j;

	for (i = first; i < n; i++) {
		cr_assert_not_null(fn(i));
		cr_assert_str_neq(fn(i), "unknown", "%s %d has no name", what,
				  i);
		cr_assert_neq(fn(i)[0], '\0', "%s %d", what, i);
		for (j = first; j < i; j++)
			cr_assert_str_neq(fn(i), fn(j), "%s %d and %d", what,
					  i, j);
	}
	cr_assert_str_eq(fn(-1), "unknown", "%s -1", what);
	cr_assert_str_eq(fn(n), "unknown", "%s %d", what, n);
	cr_assert_str_eq(fn(1000), "unknown", "%s 1000", what);
}

Test(stats, names_cover_every_enum_value)
{
	assert_names(xg_err_name, XG_ERR_TOO_SHORT, XG_ERR_NREASONS, "err");
	assert_names(xg_msg_name, XG_MSG_MOVE, XG_MSG_NTYPES, "msg");
	assert_names(xg_status_name, XG_ST_OK, XG_ST_NSTATUS, "status");
	cr_assert_str_eq(xg_msg_name(0), "unknown");
	cr_assert_str_eq(xg_msg_name(XG_MSG_ACK), "unknown");

	cr_assert_str_eq(xg_err_name(XG_ERR_TOO_SHORT), "too_short");
	cr_assert_str_eq(xg_err_name(XG_ERR_BAD_MAGIC), "bad_magic");
	cr_assert_str_eq(xg_err_name(XG_ERR_BAD_COORD), "bad_coord");
	cr_assert_str_eq(xg_msg_name(XG_MSG_MOVE), "move");
	cr_assert_str_eq(xg_msg_name(XG_MSG_ATTACK), "attack");
	cr_assert_str_eq(xg_msg_name(XG_MSG_HEARTBEAT), "heartbeat");
	cr_assert_str_eq(xg_status_name(XG_ST_OK), "ok");
	cr_assert_str_eq(xg_status_name(XG_ST_OUT_OF_BOUNDS), "out_of_bounds");
	cr_assert_str_eq(xg_status_name(XG_ST_UNKNOWN_PLAYER),
			 "unknown_player");
	cr_assert_str_eq(xg_status_name(XG_ST_UNKNOWN_TARGET),
			 "unknown_target");
	cr_assert_str_eq(xg_status_name(XG_ST_TARGET_DEAD), "target_dead");
}
