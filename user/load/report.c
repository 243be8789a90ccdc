/* SPDX-License-Identifier: MIT */
/* The closed loop's report and --cdf file; see report.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "load/report.h"

void xg_loop_report(const struct xg_loop_opts *o,
		    const struct xg_loop_stats *c)
{
	struct xg_hist_summary s;
	double secs = (double)(c->finished - c->started) / 1e9;

	xg_hist_summarize(&c->rtt, &s);
	if (o->json) {
		printf("{\"target\":\"%s\",\"seconds\":%.3f,\"sent\":%" PRIu64
		       ",\"acked\":%" PRIu64 ",\"lost\":%" PRIu64
		       ",\"wrong\":%" PRIu64 ",\"late\":%" PRIu64
		       ",\"errors\":%" PRIu64 ",\"pps\":%.0f,\"mbps_out\":%.3f"
		       ",\"mbps_in\":%.3f,\"rtt_ns\":{\"min\":%" PRIu64
		       ",\"avg\":%" PRIu64 ",\"max\":%" PRIu64 ",\"p50\":%" PRIu64
		       ",\"p90\":%" PRIu64 ",\"p99\":%" PRIu64 ",\"p999\":%" PRIu64
		       "},\"sent_by_kind\":{\"move\":%" PRIu64
		       ",\"attack\":%" PRIu64 ",\"heartbeat\":%" PRIu64
		       ",\"oob\":%" PRIu64 "}}\n",
		       o->target, secs, c->sent, c->acked, c->lost, c->wrong,
		       c->late, c->errors,
		       secs > 0 ? (double)c->acked / secs : 0.0,
		       secs > 0 ? (double)c->bytes_out * 8 / secs / 1e6 : 0.0,
		       secs > 0 ? (double)c->bytes_in * 8 / secs / 1e6 : 0.0,
		       s.min, s.avg, s.max, s.p50, s.p90, s.p99, s.p999,
		       c->per_kind_sent[XG_KIND_MOVE],
		       c->per_kind_sent[XG_KIND_ATTACK],
		       c->per_kind_sent[XG_KIND_HEARTBEAT],
		       c->per_kind_sent[XG_KIND_OOB]);
		return;
	}
	printf("load %s: %.2f s, sent %" PRIu64 ", acked %" PRIu64
	       ", lost %" PRIu64 ", wrong %" PRIu64 ", late %" PRIu64
	       ", errors %" PRIu64 " (%.0f acks/s, %.2f Mbps out, %.2f in)\n",
	       o->target, secs, c->sent, c->acked, c->lost, c->wrong,
	       c->late, c->errors, secs > 0 ? (double)c->acked / secs : 0.0,
	       secs > 0 ? (double)c->bytes_out * 8 / secs / 1e6 : 0.0,
	       secs > 0 ? (double)c->bytes_in * 8 / secs / 1e6 : 0.0);
	printf("  sent: move %" PRIu64 ", attack %" PRIu64 ", heartbeat %" PRIu64
	       ", out-of-bounds move %" PRIu64 "\n",
	       c->per_kind_sent[XG_KIND_MOVE], c->per_kind_sent[XG_KIND_ATTACK],
	       c->per_kind_sent[XG_KIND_HEARTBEAT],
	       c->per_kind_sent[XG_KIND_OOB]);
	printf("  rtt us: min %.1f avg %.1f max %.1f p50 %.1f p90 %.1f p99 %.1f p99.9 %.1f\n",
	       (double)s.min / 1e3, (double)s.avg / 1e3, (double)s.max / 1e3,
	       (double)s.p50 / 1e3, (double)s.p90 / 1e3, (double)s.p99 / 1e3,
	       (double)s.p999 / 1e3);
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
