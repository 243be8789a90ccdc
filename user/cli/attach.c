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
 * stop and the sockets close, then the pins go.
 */
#include <errno.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "cli/cmds.h"
#include "cli/report.h"
#include "core/log.h"
#include "core/ring.h"
#include "engine/engine.h"
#include "engine/server.h"
#include "xdp/loader.h"

static volatile sig_atomic_t attach_signalled;

static void on_signal(int sig)
{
	attach_signalled = sig;
}

static void attach_usage(FILE *f)
{
	fprintf(f,
		"usage: xdpgame attach IFACE --port P [--port P2 ...] [options]\n"
		"\n"
		"Serve the game's UDP ports on IFACE until SIGINT/SIGTERM.\n"
		"\n"
		"  -p, --port P        game UDP port (repeatable, up to %d)\n"
		"  -m, --mode M        auto (default): XDP in native mode if the driver\n"
		"                      has it, else generic, else kernel sockets alone;\n"
		"                      native, generic: that XDP mode or fail;\n"
		"                      sockets: kernel UDP sockets only, no XDP\n"
		"      --queues N|all  RX queues to serve with AF_XDP sockets (default all)\n"
		"      --zero-copy M   auto (default): try zero-copy, else copy mode;\n"
		"                      on: zero-copy or fail; off: copy mode\n"
		"      --kernel-replies  answer HEARTBEAT in the XDP program (XDP_TX)\n"
		"  -w, --workers N     kernel-socket workers (default: one per CPU)\n"
		"  -c, --cpus LIST     CPUs to pin workers to, e.g. 0-3,6\n"
		"      --naive         one recvfrom/sendto per packet (baseline)\n"
		"      --busy-poll     spin instead of sleeping (AF_XDP sockets prefer\n"
		"                      busy polling; kernel sockets get SO_BUSY_POLL)\n"
		"  -d, --duration S    stop after S seconds\n"
		"      --json          print the final summary as JSON\n"
		"  -q, --quiet         no live line\n"
		"  -v, --verbose       debug messages\n"
		"  -h, --help          this text\n",
		XG_MAX_PORTS);
}

struct attach_opts {
	struct xg_server_cfg cfg;
	enum xg_xdp_mode mode;
	int queues;            /* 0 = all */
	enum xg_zc_mode zero_copy;
	bool kernel_replies;
	bool quiet;
};

static int bad_value(const char *opt, const char *val, const char *want)
{
	pr_warn("error: attach: invalid %s '%s': %s\n", opt, val, want);
	return XG_EXIT_USAGE;
}

static int attach_parse(int argc, char **argv, struct attach_opts *o)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "mode", required_argument, NULL, 'm' },
		{ "workers", required_argument, NULL, 'w' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "naive", no_argument, NULL, 'N' },
		{ "queues", required_argument, NULL, 'Q' },
		{ "zero-copy", required_argument, NULL, 'Z' },
		{ "kernel-replies", no_argument, NULL, 'K' },
		{ "busy-poll", no_argument, NULL, 'B' },
		{ "duration", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'J' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct xg_server_cfg *c = &o->cfg;
	uint64_t v;
	int opt, n;

	while ((opt = getopt_long(argc, argv, "p:m:w:c:d:qvh", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (c->nports == XG_MAX_PORTS)
				return bad_value("--port", optarg, "too many ports");
			if (xg_parse_port(optarg, &c->ports[c->nports]))
				return bad_value("--port", optarg, "want 1..65535");
			c->nports++;
			break;
		case 'm':
			if (xg_mode_parse(optarg, &o->mode))
				return bad_value("--mode", optarg,
						 "want auto, native, generic or sockets");
			break;
		case 'w':
			if (xg_parse_u64(optarg, 1, XG_MAX_CPUS, &v))
				return bad_value("--workers", optarg, "want 1..256");
			c->nworkers = (int)v;
			break;
		case 'c':
			n = xg_parse_cpulist(optarg, c->cpus, XG_MAX_CPUS);
			if (n < 0)
				return bad_value("--cpus", optarg,
						 "want a list of online CPUs such as 0-3,6");
			c->ncpus = n;
			break;
		case 'N':
			c->naive = true;
			break;
		case 'Q':
			if (!strcmp(optarg, "all"))
				o->queues = 0;
			else if (xg_parse_u64(optarg, 1, XG_MAX_QUEUES, &v))
				return bad_value("--queues", optarg, "want 1..64 or all");
			else
				o->queues = (int)v;
			break;
		case 'Z':
			if (!strcmp(optarg, "auto"))
				o->zero_copy = XG_ZC_AUTO;
			else if (!strcmp(optarg, "on"))
				o->zero_copy = XG_ZC_ON;
			else if (!strcmp(optarg, "off"))
				o->zero_copy = XG_ZC_OFF;
			else
				return bad_value("--zero-copy", optarg, "want auto, on or off");
			break;
		case 'K':
			o->kernel_replies = true;
			break;
		case 'B':
			c->busy_poll = true;
			break;
		case 'd':
			if (xg_parse_u64(optarg, 1, 86400 * 365, &v))
				return bad_value("--duration", optarg, "want seconds >= 1");
			c->duration_s = (int)v;
			break;
		case 'J':
			c->json = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'v':
			xg_log_set_level(XG_LOG_DEBUG);
			break;
		case 'h':
			attach_usage(stdout);
			exit(XG_EXIT_OK);
		default:
			attach_usage(stderr);
			return XG_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		pr_warn("error: attach: %s\n", optind >= argc ?
			"missing interface name" : "one interface only");
		attach_usage(stderr);
		return XG_EXIT_USAGE;
	}
	if (strlen(argv[optind]) >= sizeof(c->ifname))
		return bad_value("interface", argv[optind], "name too long");
	strcpy(c->ifname, argv[optind]);
	if (!c->nports) {
		pr_warn("error: attach: no game port given; add --port P\n");
		return XG_EXIT_USAGE;
	}
	return XG_EXIT_OK;
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

static void drain_events(struct xg_server *srv, uint64_t *kills)
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
static void run_loop(struct xg_server *srv, struct xg_xdp *xdp, bool quiet,
		     uint64_t *kills)
{
	const char *xdp_ifname = xdp ? srv->cfg.ifname : NULL;
	int pub_fd = xdp ? xg_xdp_workers_fd(xdp) : -1;

	struct xg_snapshot snaps[2]; /* about 20 KiB: fine on the main stack */
	struct xg_snapshot *prev = &snaps[0], *cur = &snaps[1], *t;
	uint64_t start = xg_now_ns(), now;
	int secs = 0;

	xg_snapshot_take(prev, srv, xdp_ifname);
	while (!attach_signalled) {
		usleep(100 * 1000);
		drain_events(srv, kills);
		now = xg_now_ns();
		if (now - start < (uint64_t)(secs + 1) * 1000000000ull)
			continue;
		secs++;
		xg_snapshot_take(cur, srv, xdp_ifname);
		publish_workers(srv, pub_fd);
		if (!quiet)
			xg_report_live(stdout, secs, prev, cur);
		t = prev;
		prev = cur;
		cur = t;
		if (srv->cfg.duration_s && secs >= srv->cfg.duration_s)
			break;
	}
}

static int server_init(struct xg_server *srv, const struct xg_server_cfg *cfg,
		       int max_workers)
{
	memset(srv, 0, sizeof(*srv));
	srv->cfg = *cfg;
	srv->world = xg_world_create(XG_MAX_PLAYERS);
	srv->workers = aligned_alloc(XG_CACHELINE,
				     sizeof(*srv->workers) * (size_t)max_workers);
	if (!srv->world || !srv->workers) {
		xg_world_destroy(srv->world);
		free(srv->workers);
		return -ENOMEM;
	}
	srv->max_workers = max_workers;
	return 0;
}

static void server_free(struct xg_server *srv)
{
	int i;

	for (i = 0; i < srv->nworkers; i++)
		xg_ring_destroy(srv->workers[i].events);
	free(srv->workers);
	xg_world_destroy(srv->world);
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
	struct attach_opts o = {};
	/* [0] kernel sockets (always: the fallback), [1] AF_XDP if any */
	struct xg_engine *eng[2] = { NULL, NULL };
	struct xg_engine_opts so = {};
	struct xg_xdp *xdp = NULL;
	struct xg_snapshot *snap = NULL;
	struct xg_server srv;
	uint64_t kills = 0, t0 = xg_now_ns();
	int ret, nworkers, err;

	ret = attach_parse(argc, argv, &o);
	if (ret)
		return ret;
	if (check_interface(o.cfg.ifname))
		return XG_EXIT_FAIL;

	nworkers = o.cfg.nworkers;
	if (!nworkers)
		nworkers = o.cfg.ncpus ? o.cfg.ncpus : xg_online_count();
	if (server_init(&srv, &o.cfg, nworkers + XG_MAX_QUEUES)) {
		pr_warn("error: out of memory setting up the server\n");
		return XG_EXIT_FAIL;
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);

	err = attach_xdp(&o, &xdp);
	if (err)
		goto out;
	so.nworkers = nworkers;
	err = xg_engine_open(&xg_engine_sockets, &srv, &so, &eng[0]);
	if (err)
		goto out;
	if (xdp) {
		err = attach_xsk(&o, &srv, xdp, &eng[1]);
		if (err)
			goto out;
	}
	err = xg_engine_start(eng[0]);
	if (!err)
		err = xg_engine_start(eng[1]);
	if (err)
		goto out;

	pr_info("xdpgame: serving %s ports", o.cfg.ifname);
	for (int i = 0; i < o.cfg.nports; i++)
		pr_info("%s%u", i ? "," : " ", o.cfg.ports[i]);
	pr_info(" with %d kernel-socket worker%s (%s%s); Ctrl-C to stop\n",
		nworkers, nworkers == 1 ? "" : "s", xg_engine_describe(eng[0]),
		o.cfg.busy_poll ? ", busy-poll" : "");
	t0 = xg_now_ns();
	run_loop(&srv, xdp, o.quiet, &kills);

out:
	/* The program goes first: no packet may be steered to a socket that
	 * is about to close. Its maps stay readable for the summary. */
	xg_xdp_detach_prog(xdp);
	atomic_store(&srv.stop, true);
	xg_engine_stop(eng[1]);
	xg_engine_stop(eng[0]);
	drain_events(&srv, &kills);
	snap = err ? NULL : malloc(sizeof(*snap));
	if (snap) {
		xg_snapshot_take(snap, &srv, xdp ? o.cfg.ifname : NULL);
		xg_report_summary(stdout, &srv, snap, kills,
				  (double)(xg_now_ns() - t0) / 1e9, o.cfg.json,
				  eng, 2);
		free(snap);
	}
	xg_engine_destroy(eng[1]);
	xg_engine_destroy(eng[0]);
	xg_xdp_destroy(xdp);
	server_free(&srv);
	return err ? XG_EXIT_FAIL : XG_EXIT_OK;
}
