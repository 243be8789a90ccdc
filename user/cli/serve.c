/* SPDX-License-Identifier: MIT */
/*
 * What `attach` does while it serves, on the main thread: set the server
 * up (world, sessions, worker slots), mirror the sessions into the XDP
 * program's map, and once a second publish the workers' counters, end
 * silent sessions, rotate the cookie key, refresh the interface's
 * addresses and print the live line. The workers never wait on any of it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "cli/report.h"
#include "cli/serve.h"
#include "core/log.h"
#include "core/ring.h"
#include "engine/engine.h"

void xg_serve_drain_events(struct xg_server *srv, uint64_t *kills)
{
	struct xg_event ev;
	int i;

	for (i = 0; i < srv->nworkers; i++)
		while (xg_ring_pop(srv->workers[i].events, &ev, sizeof(ev)) ==
		       (int)sizeof(ev)) {
			if (ev.type == XG_EV_KILL) {
				(*kills)++;
				pr_debug("player %u killed player %u\n",
					 ev.player, ev.other);
			}
		}
}

/* Publish every worker's counters in the program's `workers` map, for
 * `xdpgame stats`. Once a second: one map update per worker. */
static void publish_workers(struct xg_server *srv, int fd)
{
	struct xg_worker_pub p;
	struct xdp_statistics xs;
	struct xg_stats st;
	__u32 i;
	int t;

	for (i = 0; fd >= 0 && i < (__u32)srv->nworkers &&
		    i < XG_XDP_MAX_WORKERS; i++) {
		const struct xg_worker *w = &srv->workers[i];

		xg_stats_init(&st);
		xg_stats_merge(&st, &w->stats);
		xg_worker_rings(w, &xs);
		p = (struct xg_worker_pub){
			.valid = 1,
			.path = w->path == XG_PATH_XSK ? XG_WPATH_XSK :
				w->path == XG_PATH_TCP ? XG_WPATH_TCP :
							 XG_WPATH_SOCKET,
			.queue = w->queue, .cpu = w->cpu,
			.rx_packets = st.rx_packets, .rx_bytes = st.rx_bytes,
			.tx_packets = st.tx_packets, .tx_bytes = st.tx_bytes,
			.malformed = xg_stats_malformed_total(&st),
			.drops = st.drops, .errors = st.errors,
			.rx_dropped = xs.rx_dropped,
			.rx_invalid_descs = xs.rx_invalid_descs,
			.tx_invalid_descs = xs.tx_invalid_descs,
			.rx_ring_full = xs.rx_ring_full,
			.rx_fill_ring_empty_descs = xs.rx_fill_ring_empty_descs,
			.tx_ring_empty_descs = xs.tx_ring_empty_descs,
		};
		for (t = 0; t < XG_MSG_NTYPES; t++)
			p.handled[t] = st.handled[t];
		bpf_map_update_elem(fd, &i, &p, BPF_ANY);
	}
}

/* Serve until a signal or the duration; one live line a second. */
void xg_serve_loop(struct xg_server *srv, struct xg_xdp *xdp, bool quiet,
		   volatile sig_atomic_t *stop, uint64_t *kills)
{
	const char *xdp_ifname = xdp ? srv->cfg.ifname : NULL;
	int pub_fd = xdp ? xg_xdp_workers_fd(xdp) : -1;

	struct xg_snapshot snaps[2]; /* about 20 KiB: fine on the main stack */
	struct xg_snapshot *prev = &snaps[0], *cur = &snaps[1], *t;
	uint64_t start = xg_now_ns(), now;
	int secs = 0;

	xg_snapshot_take(prev, srv, xdp_ifname);
	while (!*stop) {
		usleep(100 * 1000);
		xg_serve_drain_events(srv, kills);
		now = xg_now_ns();
		if (now - start < (uint64_t)(secs + 1) * 1000000000ull)
			continue;
		secs++;
		xg_snapshot_take(cur, srv, xdp_ifname);
		publish_workers(srv, pub_fd);
		xg_sessions_tick(srv->sessions, now);
		if (xdp)
			xg_xdp_sync_addrs(xdp);
		if (!quiet)
			xg_report_live(stdout, secs, prev, cur);
		t = prev;
		prev = cur;
		cur = t;
		if (srv->cfg.duration_s && secs >= srv->cfg.duration_s)
			break;
	}
}

int xg_serve_init(struct xg_server *srv, const struct xg_server_cfg *cfg,
		  int max_workers, const struct xg_limits *limits)
{
	memset(srv, 0, sizeof(*srv));
	srv->cfg = *cfg;
	srv->world = xg_world_create(XG_MAX_PLAYERS);
	srv->sessions = srv->world ? xg_sessions_create(srv->world, limits) :
				     NULL;
	srv->workers = aligned_alloc(XG_CACHELINE,
				     sizeof(*srv->workers) * (size_t)max_workers);
	if (!srv->world || !srv->sessions || !srv->workers) {
		xg_sessions_destroy(srv->sessions);
		xg_world_destroy(srv->world);
		free(srv->workers);
		return -ENOMEM;
	}
	srv->max_workers = max_workers;
	return 0;
}

void xg_serve_free(struct xg_server *srv)
{
	int i;

	for (i = 0; i < srv->nworkers; i++)
		xg_ring_destroy(srv->workers[i].events);
	free(srv->workers);
	xg_sessions_destroy(srv->sessions);
	xg_world_destroy(srv->world);
}


static void sink_publish(void *arg, uint32_t player,
			 const struct xg_session_entry *e)
{
	int err = xg_xdp_session_publish(arg, player, e);

	if (err)
		pr_warn("warning: cannot write player %u's session to the XDP program: %s; its requests are dropped in the kernel\n",
			player, strerror(-err));
}

static uint64_t sink_last_seen(void *arg, uint32_t player)
{
	return xg_xdp_session_last_seen(arg, player);
}

void xg_serve_sessions_to(struct xg_server *srv, struct xg_xdp *xdp)
{
	struct xg_sessions *s = srv->sessions;

	s->sink = (struct xg_session_sink){ .publish = sink_publish,
					    .kernel_last_seen = sink_last_seen,
					    .arg = xdp };
	/* every datagram that reaches user space went through the program,
	 * which checked expiry and budgets already */
	s->kernel_checks = true;
}
