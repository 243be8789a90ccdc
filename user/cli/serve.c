/* SPDX-License-Identifier: MIT */
/*
 * What `attach` does while it serves, on the main thread: set the server
 * up (world, sessions, worker slots), mirror the sessions into the XDP
 * program's map, and once a second publish the workers' counters, take up
 * the limits `xdpgame set` wrote, end silent sessions, rotate the cookie
 * key, refresh the interface's addresses and print the live line; on
 * SIGHUP reload the XDP program. The workers never wait on any of it.
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
	__u32 i;

	for (i = 0; fd >= 0 && i < (__u32)srv->nworkers &&
		    i < XG_XDP_MAX_WORKERS; i++) {
		xg_worker_publish(&srv->workers[i], &p);
		bpf_map_update_elem(fd, &i, &p, BPF_ANY);
	}
}

/* SIGHUP: this binary's XDP program in place of the running one, keeping
 * the sockets and maps (xdp/reload.c, as `xdpgame reload` does). */
static void reload_prog(const char *ifname, struct xg_xdp *xdp)
{
	__u32 old_id, new_id;

	if (!xdp) {
		pr_warn("xdpgame: SIGHUP: no XDP program to reload on %s\n",
			ifname);
		return;
	}
	if (!xg_xdp_reload_held(xdp, &old_id, &new_id))
		pr_info("xdpgame: SIGHUP: XDP program id %u replaced by id %u\n",
			old_id, new_id);
}

/* `xdpgame set` changes the limits in the pinned `config` map, where the
 * XDP program reads them; the sessions in user space (the timeout of the
 * tick, and the checks of whatever the program did not check) follow
 * here, once a second. */
static void sync_limits(struct xg_sessions *s, const struct xg_xdp *xdp)
{
	struct xg_xdp_config c;
	struct xg_limits l;
	__u32 key = 0;

	if (!xdp || bpf_map_lookup_elem(xg_xdp_config_fd(xdp), &key, &c))
		return;
	l = (struct xg_limits){
		.hs_rate = c.hs_rate, .hs_burst = c.hs_burst,
		.hs_total_rate = c.hs_total_rate,
		.hs_total_burst = c.hs_total_burst,
		.session_rate = c.session_rate,
		.session_burst = c.session_burst,
		.timeout_ms = c.session_timeout_ms,
	};
	if (memcmp(&l, &s->limits, sizeof(l))) {
		xg_sessions_set_limits(s, &l);
		pr_debug("limits from the config map: handshake %u/%u, total %u/%u, session %u/%u, timeout %u ms\n",
			 l.hs_rate, l.hs_burst, l.hs_total_rate,
			 l.hs_total_burst, l.session_rate, l.session_burst,
			 l.timeout_ms);
	}
}

/* Serve until a signal or the duration; one live line a second. */
void xg_serve_loop(struct xg_server *srv, struct xg_xdp *xdp, bool quiet,
		   volatile sig_atomic_t *stop, volatile sig_atomic_t *reload,
		   uint64_t *kills)
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
		if (*reload) {
			*reload = 0;
			reload_prog(srv->cfg.ifname, xdp);
		}
		xg_serve_drain_events(srv, kills);
		now = xg_now_ns();
		if (now - start < (uint64_t)(secs + 1) * 1000000000ull)
			continue;
		secs++;
		xg_snapshot_take(cur, srv, xdp_ifname);
		publish_workers(srv, pub_fd);
		sync_limits(srv->sessions, xdp);
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
