/* SPDX-License-Identifier: MIT */
/* The live line and the final summary of `attach`; see report.h. */
#include <inttypes.h>
#include <string.h>

#include "cli/report.h"
#include "core/json.h"
#include "core/log.h"
#include "game/session.h"

void xg_snapshot_take(struct xg_snapshot *s, struct xg_server *srv,
		      const char *ifname)
{
	int i;

	xg_server_totals(srv, &s->total);
	memset(s->rx_by_path, 0, sizeof(s->rx_by_path));
	for (i = 0; i < srv->nworkers; i++)
		s->rx_by_path[srv->workers[i].path] +=
			xg_stat_read(&srv->workers[i].stats.rx_packets);
	s->xdp = ifname && !xg_xdp_read_stats(ifname, s->xdp_cnt);
	if (!s->xdp)
		memset(s->xdp_cnt, 0, sizeof(s->xdp_cnt));
}

/* An XDP counter's packets, as uint64_t (a __u64 is another type). */
static uint64_t xcnt(const struct xg_snapshot *s, int i)
{
	return s->xdp_cnt[i].packets;
}

static uint64_t xdp_drops(const struct xg_snapshot *s)
{
	uint64_t n = xcnt(s, XG_CNT_DROP_UDP_LEN);
	int i;

	for (i = XG_ERR_TOO_SHORT; i < XG_ERR_NREASONS; i++)
		n += xcnt(s, XG_CNT_DROP_BASE + i);
	for (i = XG_DENY_NO_SESSION; i < XG_DENY_NREASONS; i++)
		n += xcnt(s, XG_CNT_DENY_BASE + i);
	return n;
}

void xg_report_live(FILE *f, int secs, const struct xg_snapshot *prev,
		    const struct xg_snapshot *cur)
{
	const struct xg_stats *p = &prev->total, *c = &cur->total;

	fprintf(f,
		"[%4ds] in %" PRIu64 " pps, out %" PRIu64
		" pps, malformed %" PRIu64 ", denied %" PRIu64 ", drops %" PRIu64
		", errors %" PRIu64,
		secs, c->rx_packets - p->rx_packets,
		c->tx_packets - p->tx_packets,
		xg_stats_malformed_total(c) - xg_stats_malformed_total(p),
		xg_stats_denied_total(c) - xg_stats_denied_total(p),
		c->drops - p->drops, c->errors - p->errors);
	if (cur->rx_by_path[XG_PATH_XSK] || prev->rx_by_path[XG_PATH_XSK])
		fprintf(f, " (xsk %" PRIu64 ", sockets %" PRIu64 ")",
			cur->rx_by_path[XG_PATH_XSK] - prev->rx_by_path[XG_PATH_XSK],
			cur->rx_by_path[XG_PATH_SOCKET] -
				prev->rx_by_path[XG_PATH_SOCKET]);
	if (cur->rx_by_path[XG_PATH_TCP] || prev->rx_by_path[XG_PATH_TCP])
		fprintf(f, " (tcp %" PRIu64 ")",
			cur->rx_by_path[XG_PATH_TCP] - prev->rx_by_path[XG_PATH_TCP]);
	if (cur->xdp)
		fprintf(f, " | xdp redirect %" PRIu64 ", to sockets %" PRIu64
			   ", tx %" PRIu64 ", dropped %" PRIu64 " pps",
			xcnt(cur, XG_CNT_REDIRECT) - xcnt(prev, XG_CNT_REDIRECT),
			xcnt(cur, XG_CNT_FALLTHROUGH) -
				xcnt(prev, XG_CNT_FALLTHROUGH),
			xcnt(cur, XG_CNT_XDP_TX) - xcnt(prev, XG_CNT_XDP_TX),
			xdp_drops(cur) - xdp_drops(prev));
	fputc('\n', f);
	fflush(f);
}

static const char *path_name(enum xg_path p)
{
	return p == XG_PATH_XSK ? "xsk" : p == XG_PATH_TCP ? "tcp" : "socket";
}

static void summary_text(FILE *f, struct xg_server *srv,
			 const struct xg_snapshot *s, uint64_t kills,
			 double secs)
{
	const struct xg_stats *t = &s->total;
	struct xg_hist_summary h;
	int i;

	xg_hist_summarize(&t->latency, &h);
	fprintf(f, "summary: %.1f s, in %" PRIu64 " packets (%" PRIu64
		   " bytes), out %" PRIu64 " packets (%" PRIu64 " bytes)\n",
		secs, t->rx_packets, t->rx_bytes, t->tx_packets, t->tx_bytes);
	fprintf(f, "  handled:");
	for (i = 1; i < XG_MSG_NTYPES; i++)
		fprintf(f, " %s %" PRIu64, xg_msg_name(i), t->handled[i]);
	fprintf(f, "\n  acks:");
	for (i = 0; i < XG_ST_NSTATUS; i++)
		fprintf(f, " %s %" PRIu64, xg_status_name(i), t->status[i]);
	fprintf(f, "\n  malformed %" PRIu64 ":", xg_stats_malformed_total(t));
	for (i = 1; i < XG_ERR_NREASONS; i++)
		if (t->malformed[i])
			fprintf(f, " %s %" PRIu64, xg_err_name(i),
				t->malformed[i]);
	fprintf(f, "\n  denied %" PRIu64 ":", xg_stats_denied_total(t));
	for (i = 1; i < XG_DENY_NREASONS; i++)
		if (t->denied[i])
			fprintf(f, " %s %" PRIu64, xg_deny_name(i), t->denied[i]);
	fprintf(f, "\n  sessions live %u", xg_sessions_live(srv->sessions));
	fprintf(f, "\n  drops %" PRIu64 ", errors %" PRIu64 ", kills %" PRIu64
		   " (events lost %" PRIu64 ")\n",
		t->drops, t->errors, kills, t->events_lost);
	for (i = 0; i < srv->nworkers; i++) {
		const struct xg_worker *w = &srv->workers[i];

		fprintf(f, "  worker %d (%s", w->id, path_name(w->path));
		if (w->queue >= 0)
			fprintf(f, " queue %d", w->queue);
		fprintf(f, ", cpu %d): in %" PRIu64 " out %" PRIu64 "\n",
			w->cpu, w->stats.rx_packets, w->stats.tx_packets);
	}
	if (s->xdp) {
		fprintf(f, "  xdp program:");
		for (i = 0; i < XG_CNT_MAX; i++)
			if (xcnt(s, i))
				fprintf(f, " %s %" PRIu64, xg_xdp_counter_name(i),
					xcnt(s, i));
		fputc('\n', f);
	}
	fprintf(f, "  service time ns: min %" PRIu64 " avg %" PRIu64
		   " p50 %" PRIu64 " p90 %" PRIu64 " p99 %" PRIu64
		   " p99.9 %" PRIu64 " max %" PRIu64 "\n",
		h.min, h.avg, h.p50, h.p90, h.p99, h.p999, h.max);
}

static xg_json *summary_json(struct xg_server *srv,
			     const struct xg_snapshot *s, uint64_t kills,
			     double secs)
{
	const struct xg_stats *t = &s->total;
	struct xg_hist_summary h;
	xg_json *o = xg_json_obj(), *m, *a;
	int i;

	xg_hist_summarize(&t->latency, &h);
	xg_json_dbl(o, "seconds", secs);
	xg_json_u64(o, "rx_packets", t->rx_packets);
	xg_json_u64(o, "rx_bytes", t->rx_bytes);
	xg_json_u64(o, "tx_packets", t->tx_packets);
	xg_json_u64(o, "tx_bytes", t->tx_bytes);
	xg_json_u64(o, "drops", t->drops);
	xg_json_u64(o, "errors", t->errors);
	xg_json_u64(o, "kills", kills);
	m = xg_json_add(o, "handled", xg_json_obj());
	for (i = 1; i < XG_MSG_NTYPES; i++)
		xg_json_u64(m, xg_msg_name(i), t->handled[i]);
	m = xg_json_add(o, "acks", xg_json_obj());
	for (i = 0; i < XG_ST_NSTATUS; i++)
		xg_json_u64(m, xg_status_name(i), t->status[i]);
	m = xg_json_add(o, "malformed", xg_json_obj());
	for (i = 1; i < XG_ERR_NREASONS; i++)
		xg_json_u64(m, xg_err_name(i), t->malformed[i]);
	m = xg_json_add(o, "denied", xg_json_obj());
	for (i = 1; i < XG_DENY_NREASONS; i++)
		xg_json_u64(m, xg_deny_name(i), t->denied[i]);
	xg_json_u64(o, "sessions_live", xg_sessions_live(srv->sessions));
	a = xg_json_add(o, "workers", xg_json_arr());
	for (i = 0; i < srv->nworkers; i++) {
		const struct xg_worker *w = &srv->workers[i];

		m = xg_json_push(a, xg_json_obj());
		xg_json_i64(m, "id", w->id);
		xg_json_str(m, "path", path_name(w->path));
		xg_json_i64(m, "queue", w->queue);
		xg_json_i64(m, "cpu", w->cpu);
		xg_json_u64(m, "rx_packets", w->stats.rx_packets);
		xg_json_u64(m, "tx_packets", w->stats.tx_packets);
	}
	if (s->xdp) {
		m = xg_json_add(o, "xdp", xg_json_obj());
		for (i = 0; i < XG_CNT_MAX; i++)
			xg_json_u64(m, xg_xdp_counter_name(i), xcnt(s, i));
	}
	m = xg_json_add(o, "service_ns", xg_json_obj());
	xg_json_u64(m, "min", h.min);
	xg_json_u64(m, "avg", h.avg);
	xg_json_u64(m, "p50", h.p50);
	xg_json_u64(m, "p90", h.p90);
	xg_json_u64(m, "p99", h.p99);
	xg_json_u64(m, "p999", h.p999);
	xg_json_u64(m, "max", h.max);
	return o;
}

void xg_report_summary(FILE *f, struct xg_server *srv,
		       const struct xg_snapshot *s, uint64_t kills,
		       double seconds, bool json,
		       struct xg_engine *const *engines, int nengines)
{
	xg_json *o = NULL;
	int i;

	if (json)
		o = summary_json(srv, s, kills, seconds);
	else
		summary_text(f, srv, s, kills, seconds);
	for (i = 0; i < nengines; i++)
		xg_engine_report(engines[i], f, o);
	if (json && xg_json_print(f, o))
		pr_warn("error: cannot print the JSON summary\n");
	fflush(f);
}
