/* SPDX-License-Identifier: MIT */
/* The metric families xdpgame exposes; see metrics.h. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "cli/metrics.h"
#include "core/prom.h"
#include "xdp/loader.h"
#include "xg_version.h" /* generated: build/xg_version.h */


enum { NAME_LEN = 96, NUM_LEN = 16 };

static void build_info(const struct xg_prom *p)
{
	char libbpf[NUM_LEN * 2];
	struct xg_prom_label l[] = { { "version", XG_VERSION },
				     { "libbpf", libbpf } };

	snprintf(libbpf, sizeof(libbpf), "%u.%u", libbpf_major_version(),
		 libbpf_minor_version());
	xg_prom_family(p, "xdpgame_build_info", XG_PROM_GAUGE,
		       "xdpgame's version and the libbpf it runs with; always 1");
	xg_prom_u64(p, "xdpgame_build_info", l, 2, 1);
}

/* What the XDP program did with a packet counted in counter i. */
static const char *xdp_verdict(int i)
{
	switch (i) {
	case XG_CNT_REDIRECT:
		return "redirect";
	case XG_CNT_XDP_TX:
		return "tx";
	default:
		/* deny_* (XDP_DROP: refused) come before the malformed drops */
		return i >= XG_CNT_DENY_NO_SESSION ? "drop" : "pass";
	}
}

static void xdp_counters(const struct xg_prom *p,
			 const struct xg_xdp_count *c)
{
	struct xg_prom_label l[2] = { { "verdict", NULL }, { "reason", NULL } };
	int i;

	xg_prom_family(p, "xdpgame_xdp_packets_total", XG_PROM_COUNTER,
		       "packets the XDP program saw, by verdict and the reason "
		       "for it (the counter names of `xdpgame stats`)");
	for (i = 0; i < XG_CNT_MAX; i++) {
		l[0].value = xdp_verdict(i);
		l[1].value = xg_xdp_counter_name(i);
		xg_prom_u64(p, "xdpgame_xdp_packets_total", l, 2, c[i].packets);
	}
	xg_prom_family(p, "xdpgame_xdp_bytes_total", XG_PROM_COUNTER,
		       "bytes (whole frames) the XDP program saw, by verdict "
		       "and reason");
	for (i = 0; i < XG_CNT_MAX; i++) {
		l[0].value = xdp_verdict(i);
		l[1].value = xg_xdp_counter_name(i);
		xg_prom_u64(p, "xdpgame_xdp_bytes_total", l, 2, c[i].bytes);
	}
}

/* A worker's identity labels: worker, path, and queue for AF_XDP. */
struct wlabels {
	char id[NUM_LEN], queue[NUM_LEN];
	struct xg_prom_label l[4]; /* and one more of the family's own */
	size_t n;
};

static void wlabels_set(struct wlabels *w, int i, const struct xg_worker_pub *p)
{
	snprintf(w->id, sizeof(w->id), "%d", i);
	snprintf(w->queue, sizeof(w->queue), "%d", p->queue);
	w->l[0] = (struct xg_prom_label){ "worker", w->id };
	w->l[1] = (struct xg_prom_label){
		"path", p->path == XG_WPATH_XSK ? "xsk" : p->path == XG_WPATH_TCP ? "tcp" : "socket"
	};
	w->n = 2;
	if (p->path == XG_WPATH_XSK)
		w->l[w->n++] = (struct xg_prom_label){ "queue", w->queue };
}

/* The plain per-worker counters: a name and where it is in the struct. */
static const struct {
	const char *name, *help;
	size_t off;
} worker_counters[] = {
#define WC(f, h) { "xdpgame_worker_" #f "_total", h, offsetof(struct xg_worker_pub, f) }
	WC(rx_packets, "game datagrams a worker received"),
	WC(rx_bytes, "bytes of game datagrams a worker received (UDP payload "
		     "for kernel sockets, whole frames for AF_XDP)"),
	WC(tx_packets, "replies a worker sent"),
	WC(tx_bytes, "bytes of replies a worker sent"),
	WC(malformed, "datagrams a worker found malformed (all reasons)"),
	WC(drops, "requests a worker could not answer (e.g. TX ring full)"),
	WC(errors, "syscall and ring errors of a worker"),
#undef WC
};

static __u64 pub_u64(const struct xg_worker_pub *p, size_t off)
{
	return *(const __u64 *)((const char *)p + off);
}

static void workers(const struct xg_prom *p, const struct xg_worker_pub *w,
		    int n)
{
	char name[NAME_LEN];
	struct wlabels wl;
	const char *xname;
	size_t k;
	__u64 v;
	int i, t;

	for (k = 0; k < ARRAY_SIZE(worker_counters); k++) {
		xg_prom_family(p, worker_counters[k].name, XG_PROM_COUNTER,
			       worker_counters[k].help);
		for (i = 0; i < n; i++) {
			wlabels_set(&wl, i, &w[i]);
			xg_prom_u64(p, worker_counters[k].name, wl.l, wl.n,
				    pub_u64(&w[i], worker_counters[k].off));
		}
	}
	xg_prom_family(p, "xdpgame_worker_handled_total", XG_PROM_COUNTER,
		       "requests a worker handled, by message type");
	for (i = 0; i < n; i++) {
		wlabels_set(&wl, i, &w[i]);
		for (t = 1; t < XG_MSG_NTYPES; t++) {
			wl.l[wl.n] = (struct xg_prom_label){ "type",
							     xg_msg_name(t) };
			xg_prom_u64(p, "xdpgame_worker_handled_total", wl.l,
				    wl.n + 1, w[i].handled[t]);
		}
	}
	xg_prom_family(p, "xdpgame_worker_acks_total", XG_PROM_COUNTER,
		       "acks a worker sent, by status");
	for (i = 0; i < n; i++) {
		wlabels_set(&wl, i, &w[i]);
		for (t = 0; t < XG_ST_NSTATUS; t++) {
			wl.l[wl.n] = (struct xg_prom_label){ "status",
							     xg_status_name(t) };
			xg_prom_u64(p, "xdpgame_worker_acks_total", wl.l,
				    wl.n + 1, w[i].status[t]);
		}
	}
	xg_prom_family(p, "xdpgame_worker_denied_total", XG_PROM_COUNTER,
		       "well-formed requests a worker refused, by reason (no "
		       "session, bad token, budgets, replay, ...); the XDP "
		       "program's own are xdpgame_xdp_packets_total's deny_*");
	for (i = 0; i < n; i++) {
		wlabels_set(&wl, i, &w[i]);
		for (t = 1; t < XG_DENY_NREASONS; t++) {
			wl.l[wl.n] = (struct xg_prom_label){ "reason",
							     xg_deny_name(t) };
			xg_prom_u64(p, "xdpgame_worker_denied_total", wl.l,
				    wl.n + 1, w[i].denied[t]);
		}
	}
	/* the AF_XDP socket's XDP_STATISTICS, for AF_XDP workers only */
	for (k = 0; xg_worker_pub_xsk(&w[0], (int)k, &xname, &v) == 0; k++) {
		snprintf(name, sizeof(name), "xdpgame_xsk_%s_total", xname);
		xg_prom_family(p, name, XG_PROM_COUNTER,
			       "an AF_XDP socket's XDP_STATISTICS member of that "
			       "name (see getsockopt XDP_STATISTICS)");
		for (i = 0; i < n; i++) {
			if (w[i].path != XG_WPATH_XSK)
				continue;
			wlabels_set(&wl, i, &w[i]);
			xg_worker_pub_xsk(&w[i], (int)k, &xname, &v);
			xg_prom_u64(p, name, wl.l, wl.n, v);
		}
	}
}

/* The live sessions: players who joined and have not left or gone
 * silent. The server knows them (attach); the pins do not say. */
static void sessions(const struct xg_prom *p, const struct xg_metrics_src *s)
{
	if (!s->have_sessions)
		return;
	xg_prom_family(p, "xdpgame_sessions", XG_PROM_GAUGE,
		       "live player sessions (joined, not yet left or timed "
		       "out)");
	xg_prom_u64(p, "xdpgame_sessions", NULL, 0, s->sessions_live);
}

void xg_metrics_write(FILE *f, const struct xg_metrics_src *s)
{
	struct xg_prom_label base = { "interface", s->ifname };
	struct xg_prom p = { .f = f, .base = &base, .nbase = 1 };
	struct xg_prom nobase = { .f = f };

	build_info(&nobase);
	if (s->start_time > 0) {
		xg_prom_family(&p, "xdpgame_start_time_seconds", XG_PROM_GAUGE,
			       "when the server started, UNIX time");
		xg_prom_dbl(&p, "xdpgame_start_time_seconds", NULL, 0,
			    s->start_time);
	}
	if (s->xdp)
		xdp_counters(&p, s->xdp);
	if (s->nworkers > 0)
		workers(&p, s->workers, s->nworkers);
	sessions(&p, s);
	if (s->service) {
		xg_prom_family(&p, "xdpgame_service_time_seconds",
			       XG_PROM_HISTOGRAM,
			       "time from a request's arrival in a worker to "
			       "its reply, every worker");
		xg_prom_hist(&p, "xdpgame_service_time_seconds", NULL, 0,
			     s->service);
	}
}
