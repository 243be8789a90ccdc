/* SPDX-License-Identifier: MIT */
/*
 * `xdpgame attach IFACE`: serve the game on an interface until SIGINT or
 * SIGTERM (or --duration), printing one live line a second and a summary.
 *
 * Order of things: check the interface and ports; load and attach the XDP
 * program (unless --mode sockets); open the kernel sockets (always: they are
 * the fallback for any packet the fast path does not take); start the
 * workers. On the way out the XDP program is detached first, so that no
 * packet is steered to a socket that is about to close, then the workers
 * stop and the sockets close, then the pins go. The options and their
 * usage text are attach_opts.c.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "cli/attach.h"
#include "cli/cmds.h"
#include "cli/metrics.h"
#include "cli/report.h"
#include "cli/serve.h"
#include "core/log.h"
#include "core/ring.h"
#include "engine/engine.h"
#include "engine/server.h"
#include "xdp/loader.h"

static volatile sig_atomic_t attach_signalled;
static volatile sig_atomic_t attach_reload; /* SIGHUP: reload the program */

static void on_signal(int sig)
{
	attach_signalled = sig;
}

static void on_hup(int sig)
{
	attach_reload = sig;
}


/* The interface exists in this network namespace and has an IP address. */
static int check_interface(const char *ifname)
{
	struct ifaddrs *ifa, *i;
	bool addr = false;

	if (!if_nametoindex(ifname)) {
		pr_warn("error: no interface named '%s' in this network namespace; list them with `ip link`\n",
			ifname);
		return -ENODEV;
	}
	if (getifaddrs(&ifa)) {
		pr_warn("error: cannot list addresses: %s\n", strerror(errno));
		return -errno;
	}
	for (i = ifa; i; i = i->ifa_next) {
		const struct sockaddr_in6 *a6 = (const void *)i->ifa_addr;

		if (!i->ifa_addr || strcmp(i->ifa_name, ifname))
			continue;
		/* an IPv6 link-local address alone reaches no client */
		if (i->ifa_addr->sa_family == AF_INET ||
		    (i->ifa_addr->sa_family == AF_INET6 &&
		     !IN6_IS_ADDR_LINKLOCAL(&a6->sin6_addr)))
			addr = true;
	}
	freeifaddrs(ifa);
	if (!addr) {
		pr_warn("error: interface %s has no IP address, so no client can reach the game; add one, e.g. `ip addr add 192.0.2.1/24 dev %s`\n",
			ifname, ifname);
		return -EADDRNOTAVAIL;
	}
	return 0;
}

/* The backend's key, from a file (not the command line, where any user
 * would see it in ps): 32 hex digits, surrounding space ignored. */
static int load_backend_key(const char *path, struct xg_sipkey *key)
{
	char buf[128] = "", *s = buf, *e;
	FILE *f = fopen(path, "r");

	if (!f) {
		pr_warn("error: attach: cannot read the backend key file %s: %s\n",
			path, strerror(errno));
		return -errno;
	}
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' '))
		*--e = '\0';
	if (xg_sipkey_parse(s, key)) {
		pr_warn("error: attach: %s does not hold a backend key: want 32 hex digits (e.g. from `head -c16 /dev/urandom | xxd -p`)\n",
			path);
		return -EINVAL;
	}
	return 0;
}

/* How many RX queues get an AF_XDP socket: --queues, or all the interface
 * has (ethtool's channel count), at most XG_MAX_QUEUES (said, if say).
 * Negative errno. */
static int xsk_queue_count(const struct attach_opts *o, bool say)
{
	int nq = xg_netdev_rx_queues(o->cfg.ifname);

	if (nq < 0)
		return nq;
	if (o->queues > nq) {
		pr_warn("error: %s has %d RX queue%s, not %d; use --queues %d or fewer (see `ethtool -l %s`)\n",
			o->cfg.ifname, nq, nq == 1 ? "" : "s", o->queues, nq,
			o->cfg.ifname);
		return -EINVAL;
	}
	if (o->queues)
		nq = o->queues;
	if (nq > XG_MAX_QUEUES && say)
		pr_warn("warning: %s has %d RX queues; AF_XDP serves queues 0 to %d, and the game packets of queues %d to %d go to the kernel sockets\n",
			o->cfg.ifname, nq, XG_MAX_QUEUES - 1, XG_MAX_QUEUES,
			nq - 1);
	return nq < XG_MAX_QUEUES ? nq : XG_MAX_QUEUES;
}

/* Whether replies follow the kernel's route (config.route_check): what
 * --route-check asked, against what the FIB helper allows (forwarding on
 * loopback, xdp/loader.h). 1 on, 0 off, or -EPERM (said) when on was
 * asked and cannot be had. */
static int route_check_decide(const struct attach_opts *o)
{
	int fam;

	if (o->route_check == ROUTE_OFF)
		return 0;
	fam = xg_route_families();
	if (fam & XG_ROUTE_IPV4) {
		if (!(fam & XG_ROUTE_IPV6))
			pr_info("xdpgame: route check on for IPv4; IPv6 requests go to the kernel socket (pass_route) until net.ipv6.conf.lo.forwarding=1\n");
		return 1;
	}
	if (o->route_check == ROUTE_ON) {
		pr_warn("error: --route-check on: the route lookup needs net.ipv4.conf.lo.forwarding=1 (the kernel refuses it otherwise; forwarding on loopback does not make the host a router): run sysctl -w net.ipv4.conf.lo.forwarding=1 net.ipv6.conf.lo.forwarding=1, or use --route-check off\n");
		return -EPERM;
	}
	pr_info("xdpgame: route check off: replies go back to the sender's MAC address; with several gateways or policy routing, set net.ipv4.conf.lo.forwarding=1 (and net.ipv6.conf.lo.forwarding=1) so that they follow the kernel's route (docs/OPERATIONS.md)\n");
	return 0;
}

/* Load and attach the XDP program. In auto mode a host where XDP cannot be
 * had is served by the kernel sockets alone; another xdpgame on the
 * interface is always an error. *xdp stays NULL when there is no program. */
static int attach_xdp(const struct attach_opts *o, struct xg_xdp **xdp)
{
	struct xg_xdp_opts xo = {
		.ifname = o->cfg.ifname,
		.mode = o->mode,
		.ports = o->cfg.ports,
		.nports = o->cfg.nports,
		.nqueues = 0, /* set below */
		.redirect = true, /* an empty xsks slot falls through anyway */
		.kernel_replies = o->kernel_replies,
		.hs_rate = o->limits.hs_rate,
		.hs_burst = o->limits.hs_burst,
		.hs_total_rate = o->limits.hs_total_rate,
		.hs_total_burst = o->limits.hs_total_burst,
		.session_rate = o->limits.session_rate,
		.session_burst = o->limits.session_burst,
		.session_timeout_ms = o->limits.timeout_ms,
	};
	int err, nq = xsk_queue_count(o, false);

	*xdp = NULL;
	if (nq < 0)
		return nq;
	xo.nqueues = nq;
	if (o->mode == XG_MODE_SOCKETS) {
		if (o->kernel_replies)
			pr_warn("warning: --kernel-replies needs the XDP program; ignored with --mode sockets\n");
		return 0;
	}
	err = route_check_decide(o);
	if (err < 0)
		return err;
	xo.route_check = err;
	err = xg_xdp_attach(&xo, xdp);
	if (!err) {
		pr_info("xdpgame: XDP program attached to %s in %s mode; game packets are validated in the kernel\n",
			o->cfg.ifname, xg_mode_name(xg_xdp_attached_mode(*xdp)));
		return 0;
	}
	if (o->mode == XG_MODE_AUTO && err != -EEXIST) {
		pr_warn("warning: no XDP on %s (see above); serving with kernel sockets alone\n",
			o->cfg.ifname);
		return 0;
	}
	return err;
}

/* One AF_XDP socket per queue. Where AF_XDP cannot be had, the XDP program
 * and the kernel sockets serve on (unless zero-copy was demanded). */
static int attach_xsk(struct attach_opts *o, struct xg_server *srv,
		      struct xg_xdp *xdp, struct xg_engine **xsk)
{
	struct xg_engine_opts eo = { .zero_copy = o->zero_copy,
				     .xsks_map_fd = xg_xdp_xsks_fd(xdp) };
	int err;

	eo.nqueues = xsk_queue_count(o, true);
	if (eo.nqueues < 0)
		return eo.nqueues;
	err = xg_engine_open(&xg_engine_xsk, srv, &eo, xsk);
	if (!err) {
		pr_info("xdpgame: AF_XDP on %s: %s%s\n", o->cfg.ifname,
			xg_engine_describe(*xsk),
			o->cfg.busy_poll ? ", busy polling" : "");
		return 0;
	}
	if (o->zero_copy == XG_ZC_ON)
		return err;
	pr_warn("warning: no AF_XDP on %s (see above); serving with the XDP program and kernel sockets\n",
		o->cfg.ifname);
	return 0;
}

int cmd_attach(int argc, char **argv)
{
	struct attach_opts o = { .tcp_max = XG_TCP_DEFAULT_MAX,
				 .tcp_idle_s = XG_TCP_DEFAULT_IDLE_S };
	struct xg_sipkey backend;
	/* [0] kernel sockets (always: the fallback), [1] AF_XDP if any,
	 * [2] TCP with --tcp-port */
	struct xg_engine *eng[3] = { NULL, NULL, NULL };
	struct xg_engine_opts so = {};
	struct xg_xdp *xdp = NULL;
	struct xg_metrics *metrics = NULL;
	struct xg_snapshot *snap = NULL;
	struct xg_server srv;
	uint64_t kills = 0, t0 = xg_now_ns();
	int ret, nworkers, err, metrics_fd = -1;

	xg_limits_default(&o.limits);
	ret = attach_parse(argc, argv, &o);
	if (ret)
		return ret;
	if (check_interface(o.cfg.ifname))
		return XG_EXIT_FAIL;
	if (o.backend_file && load_backend_key(o.backend_file, &backend))
		return XG_EXIT_FAIL;
	/* before anything is attached: a bad address or a port in use fails
	 * the start, not the first scrape */
	if (o.metrics) {
		metrics_fd = xg_metrics_listen(o.metrics);
		if (metrics_fd < 0)
			return metrics_fd == -EINVAL ? XG_EXIT_USAGE :
						       XG_EXIT_FAIL;
	}

	nworkers = o.cfg.nworkers;
	if (!nworkers)
		nworkers = o.cfg.ncpus ? o.cfg.ncpus : xg_online_count();
	if (xg_serve_init(&srv, &o.cfg, 2 * nworkers + XG_MAX_QUEUES, &o.limits)) {
		pr_warn("error: out of memory setting up the server\n");
		if (metrics_fd >= 0)
			close(metrics_fd);
		return XG_EXIT_FAIL;
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_hup);
	signal(SIGPIPE, SIG_IGN);

	if (o.backend_file)
		xg_sessions_set_backend(srv.sessions, &backend);
	err = attach_xdp(&o, &xdp);
	if (err)
		goto out;
	if (xdp)
		xg_serve_sessions_to(&srv, xdp);
	so.nworkers = nworkers;
	err = xg_engine_open(&xg_engine_sockets, &srv, &so, &eng[0]);
	if (err)
		goto out;
	if (xdp) {
		err = attach_xsk(&o, &srv, xdp, &eng[1]);
		if (err)
			goto out;
		srv.xsk_serving = eng[1] && xsk_queue_count(&o, false) ==
						    xg_netdev_rx_queues(o.cfg.ifname);
	}
	if (o.tcp_port) {
		so.tcp_port = o.tcp_port;
		so.tcp_max = o.tcp_max;
		so.tcp_idle_ms = o.tcp_idle_s * 1000;
		err = xg_engine_open(&xg_engine_tcp, &srv, &so, &eng[2]);
		if (err)
			goto out;
	}
	for (int i = 0; i < 3 && !err; i++)
		err = xg_engine_start(eng[i]);
	if (!err && metrics_fd >= 0) {
		err = xg_metrics_start(metrics_fd, &srv,
				       xdp ? xg_xdp_stats_fd(xdp) : -1,
				       &metrics);
		metrics_fd = -1; /* the endpoint's now */
		if (!err)
			pr_info("xdpgame: metrics at http://%s/metrics\n",
				o.metrics);
	}
	if (err)
		goto out;
	if (eng[2])
		pr_info("xdpgame: TCP port %u on %s: %d worker%s (%s)\n",
			o.tcp_port, o.cfg.ifname, nworkers,
			nworkers == 1 ? "" : "s", xg_engine_describe(eng[2]));

	pr_info("xdpgame: serving %s ports", o.cfg.ifname);
	for (int i = 0; i < o.cfg.nports; i++)
		pr_info("%s%u", i ? "," : " ", o.cfg.ports[i]);
	pr_info(" with %d kernel-socket worker%s (%s%s); Ctrl-C to stop\n",
		nworkers, nworkers == 1 ? "" : "s", xg_engine_describe(eng[0]),
		o.cfg.busy_poll ? ", busy-poll" : "");
	t0 = xg_now_ns();
	xg_serve_loop(&srv, xdp, o.quiet, &attach_signalled, &attach_reload,
		      &kills);

out:
	/* the endpoint reads the workers: it stops before they do */
	xg_metrics_stop(metrics);
	if (metrics_fd >= 0)
		close(metrics_fd);
	/* The program goes first: no packet may be steered to a socket that
	 * is about to close. Its maps stay readable for the summary. */
	xg_xdp_detach_prog(xdp);
	atomic_store(&srv.stop, true);
	xg_engine_stop(eng[2]);
	xg_engine_stop(eng[1]);
	xg_engine_stop(eng[0]);
	xg_serve_drain_events(&srv, &kills);
	snap = err ? NULL : malloc(sizeof(*snap));
	if (snap) {
		xg_snapshot_take(snap, &srv, xdp ? o.cfg.ifname : NULL);
		xg_report_summary(stdout, &srv, snap, kills,
				  (double)(xg_now_ns() - t0) / 1e9, o.cfg.json,
				  eng, 3);
		free(snap);
	}
	xg_engine_destroy(eng[2]);
	xg_engine_destroy(eng[1]);
	xg_engine_destroy(eng[0]);
	xg_xdp_destroy(xdp);
	xg_serve_free(&srv);
	return err ? XG_EXIT_FAIL : XG_EXIT_OK;
}
