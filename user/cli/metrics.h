/* SPDX-License-Identifier: MIT */
/*
 * What xdpgame exposes to Prometheus, written once for both its readers:
 * `xdpgame attach --metrics ADDR:PORT` (an HTTP endpoint on libmicrohttpd's
 * own thread, reading the live server) and `xdpgame stats IFACE
 * --prometheus` (reading the pins). The text format is core/prom.h's.
 *
 * Families (every sample has interface="IFACE"):
 *   xdpgame_build_info{version,libbpf}                      gauge 1
 *   xdpgame_xdp_packets_total{verdict,reason}               XDP program
 *   xdpgame_xdp_bytes_total{verdict,reason}                 counters
 *   xdpgame_worker_{rx,tx}_{packets,bytes}_total{worker,path,queue}
 *   xdpgame_worker_handled_total{worker,path,queue,type}
 *   xdpgame_worker_acks_total{worker,path,queue,status}
 *   xdpgame_worker_denied_total{worker,path,queue,reason}   refused requests
 *   xdpgame_worker_{malformed,drops,errors}_total{worker,path,queue}
 *   xdpgame_xsk_<XDP_STATISTICS member>_total{worker,path,queue}   AF_XDP
 *   xdpgame_sessions              gauge (attach only)
 *   xdpgame_service_time_seconds  histogram (attach only)
 *   xdpgame_start_time_seconds    gauge (attach only)
 * docs/OPERATIONS.md lists them with their meaning.
 */
#ifndef XDPGAME_CLI_METRICS_H
#define XDPGAME_CLI_METRICS_H

#include <stdbool.h>
#include <stdio.h>

#include "core/stats.h"
#include "engine/server.h"
#include <xdpgame/xdp.h>

/* One scrape's worth of data; NULL / 0 members are left out. */
struct xg_metrics_src {
	const char *ifname;
	const struct xg_xdp_count *xdp; /* [XG_CNT_MAX], or NULL: no program */
	const struct xg_worker_pub *workers;
	int nworkers;
	const struct xg_hist *service; /* every worker's, merged */
	double start_time;             /* UNIX seconds; 0: unknown */
	bool have_sessions;            /* sessions_live is known */
	__u64 sessions_live;
};

/* The whole exposition for src on f. */
void xg_metrics_write(FILE *f, const struct xg_metrics_src *src);

/* ---- the endpoint (cli/metrics_http.c) ---- */

struct xg_metrics;

/* Bind and listen on "ADDR:PORT" ("127.0.0.1:9100", "[::1]:9100",
 * "0.0.0.0:9100"), before anything else is set up, so that a bad address or
 * a port in use fails the start with a clear line. The listening fd, or a
 * negative errno (-EINVAL: not ADDR:PORT) after that line. */
int xg_metrics_listen(const char *addr);
/* Serve /metrics on fd from libmicrohttpd's own thread, reading srv's
 * workers and, xdp_stats_fd >= 0, the program's `stats` map. The endpoint
 * owns fd from here on (also on failure). 0 or negative errno. */
int xg_metrics_start(int fd, struct xg_server *srv, int xdp_stats_fd,
		     struct xg_metrics **out);
/* Stop the thread (joined) and close the socket. NULL-safe. */
void xg_metrics_stop(struct xg_metrics *m);

#endif
