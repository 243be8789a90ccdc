/* SPDX-License-Identifier: MIT */
/* The closed loop's report and --cdf file; see report.h. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/log.h"
#include "load/report.h"

double xg_per_sec(double v, double secs)
{
	return secs > 0 ? v / secs : 0.0;
}

xg_json *xg_load_hist_json(const struct xg_hist *h)
{
	static const char *const keys[] = { "min", "avg", "max", "p50",
					    "p90", "p99", "p999" };
	struct xg_hist_summary s;
	xg_json *o = xg_json_obj();
	int k;

	xg_hist_summarize(h, &s);
	const uint64_t vals[] = { s.min, s.avg, s.max, s.p50,
				  s.p90, s.p99, s.p999 };

	_Static_assert(sizeof(keys) / sizeof(keys[0]) ==
		       sizeof(vals) / sizeof(vals[0]), "one key a value");
	for (k = 0; k < (int)(sizeof(keys) / sizeof(keys[0])); k++)
		xg_json_u64(o, keys[k], vals[k]);
	return o;
}

void xg_load_hist_text(FILE *f, const char *label, const struct xg_hist *h)
{
	struct xg_hist_summary s;

	xg_hist_summarize(h, &s);
	fprintf(f, "  %s us: min %.1f avg %.1f max %.1f p50 %.1f p90 %.1f p99 %.1f p99.9 %.1f\n",
		label, (double)s.min / 1e3, (double)s.avg / 1e3,
		(double)s.max / 1e3, (double)s.p50 / 1e3, (double)s.p90 / 1e3,
		(double)s.p99 / 1e3, (double)s.p999 / 1e3);
}

static int loop_json(const struct xg_loop_opts *o,
		     const struct xg_loop_stats *c, double secs)
{
	xg_json *root = xg_json_obj(), *kinds;
	int k, err;
	double send_secs = (double)c->sending_ns / 1e9;

	xg_json_str(root, "target", o->target);
	xg_json_str(root, "path", o->xsk ? "xsk" : "socket");
	xg_json_dbl(root, "seconds", secs);
	xg_json_u64(root, "sent", c->sent);
	xg_json_u64(root, "acked", c->acked);
	xg_json_u64(root, "lost", c->lost);
	xg_json_u64(root, "wrong", c->wrong);
	xg_json_u64(root, "late", c->late);
	xg_json_u64(root, "errors", c->errors);
	/* acks a second, a whole number */
	xg_json_u64(root, "pps", (uint64_t)llround(xg_per_sec((double)c->acked, secs)));
	/* over the time spent sending: what was offered, what came back */
	xg_json_u64(root, "offered_pps",
		    (uint64_t)llround(xg_per_sec((double)c->sent, send_secs)));
	xg_json_u64(root, "served_pps",
		    (uint64_t)llround(xg_per_sec((double)c->acked, send_secs)));
	if (o->xsk)
		xg_json_u64(root, "client_drops", c->client_drops);
	xg_json_dbl(root, "mbps_out", xg_per_sec((double)c->bytes_out * 8, secs) / 1e6);
	xg_json_dbl(root, "mbps_in", xg_per_sec((double)c->bytes_in * 8, secs) / 1e6);
	xg_json_add(root, "rtt_ns", xg_load_hist_json(&c->rtt));
	kinds = xg_json_add(root, "sent_by_kind", xg_json_obj());
	for (k = 0; k < XG_NKINDS; k++)
		xg_json_u64(kinds, xg_kind_names[k], c->per_kind_sent[k]);
	xg_handshake_json(root, &c->hs);
	err = xg_json_print(stdout, root);
	if (err)
		pr_warn("error: load: cannot print the report: %s\n",
			strerror(-err));
	return err;
}

int xg_loop_report(const struct xg_loop_opts *o,
		   const struct xg_loop_stats *c)
{
	double secs = (double)(c->finished - c->started) / 1e9;

	if (o->json)
		return loop_json(o, c, secs);
	printf("load %s: %.2f s, sent %" PRIu64 ", acked %" PRIu64
	       ", lost %" PRIu64 ", wrong %" PRIu64 ", late %" PRIu64
	       ", errors %" PRIu64 " (%.0f acks/s, %.2f Mbps out, %.2f in)\n",
	       o->target, secs, c->sent, c->acked, c->lost, c->wrong,
	       c->late, c->errors, xg_per_sec((double)c->acked, secs),
	       xg_per_sec((double)c->bytes_out * 8, secs) / 1e6,
	       xg_per_sec((double)c->bytes_in * 8, secs) / 1e6);
	printf("  sent: move %" PRIu64 ", attack %" PRIu64 ", heartbeat %" PRIu64
	       ", out-of-bounds move %" PRIu64 "\n",
	       c->per_kind_sent[XG_KIND_MOVE], c->per_kind_sent[XG_KIND_ATTACK],
	       c->per_kind_sent[XG_KIND_HEARTBEAT],
	       c->per_kind_sent[XG_KIND_OOB]);
	printf("  while sending (%.2f s): offered %.0f requests/s, served %.0f acks/s",
	       (double)c->sending_ns / 1e9,
	       xg_per_sec((double)c->sent, (double)c->sending_ns / 1e9),
	       xg_per_sec((double)c->acked, (double)c->sending_ns / 1e9));
	if (o->xsk)
		printf("; over AF_XDP on %s, %" PRIu64 " acks dropped by the client's socket",
		       o->xsk, c->client_drops);
	printf("\n");
	xg_handshake_print(stdout, &c->hs);
	xg_load_hist_text(stdout, "rtt", &c->rtt);
	return 0;
}

int xg_loop_write_cdf(const struct xg_hist *rtt, const char *path)
{
	uint64_t cum = 0;
	unsigned int b;
	FILE *f = fopen(path, "w");

	if (!f) {
		pr_warn("error: load: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (b = 0; b < XG_HIST_BUCKETS && rtt->count; b++) {
		if (!rtt->buckets[b])
			continue;
		cum += rtt->buckets[b];
		fprintf(f, "%.3f %.6f\n", (double)xg_hist_bucket_high(b) / 1e3,
			(double)cum / (double)rtt->count);
	}
	if (fclose(f)) {
		pr_warn("error: load: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}
