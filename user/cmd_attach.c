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

#include "cmds.h"
#include "engine_sockets.h"
#include "log.h"
#include "report.h"
#include "ring.h"
#include "server.h"

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
		"  -m, --mode M        sockets (kernel UDP sockets only)\n"
		"  -w, --workers N     kernel-socket workers (default: one per CPU)\n"
		"  -c, --cpus LIST     CPUs to pin workers to, e.g. 0-3,6\n"
		"      --naive         one recvfrom/sendto per packet (baseline)\n"
		"      --busy-poll     spin on the sockets instead of sleeping\n"
		"  -d, --duration S    stop after S seconds\n"
		"      --json          print the final summary as JSON\n"
		"  -q, --quiet         no live line\n"
		"  -v, --verbose       debug messages\n"
		"  -h, --help          this text\n",
		XG_MAX_PORTS);
}

struct attach_opts {
	struct xg_server_cfg cfg;
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
			if (strcmp(optarg, "sockets"))
				return bad_value("--mode", optarg,
						 "want sockets");
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

/* Serve until a signal or the duration; one live line a second. */
static void run_loop(struct xg_server *srv, bool quiet, uint64_t *kills)
{
	struct xg_stats prev, cur;
	uint64_t start = xg_now_ns(), now;
	int secs = 0;

	xg_stats_init(&prev);
	while (!attach_signalled) {
		usleep(100 * 1000);
		drain_events(srv, kills);
		now = xg_now_ns();
		if (now - start < (uint64_t)(secs + 1) * 1000000000ull)
			continue;
		secs++;
		xg_server_totals(srv, &cur);
		if (!quiet)
			xg_report_live(stdout, secs, &prev, &cur);
		prev = cur;
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

int cmd_attach(int argc, char **argv)
{
	struct attach_opts o = {};
	struct xg_sock_engine *socks = NULL;
	struct xg_server srv;
	struct xg_stats total;
	uint64_t kills = 0, t0;
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

	err = xg_sockets_open(&srv, nworkers, &socks);
	if (err)
		goto out;
	err = xg_sockets_start(socks);
	if (err)
		goto out;

	pr_info("xdpgame: serving %s ports", o.cfg.ifname);
	for (int i = 0; i < o.cfg.nports; i++)
		pr_info("%s%u", i ? "," : " ", o.cfg.ports[i]);
	pr_info(" with %d kernel-socket worker%s (%s%s); Ctrl-C to stop\n",
		nworkers, nworkers == 1 ? "" : "s",
		o.cfg.naive ? "recvfrom/sendto" : "recvmmsg/sendmmsg",
		o.cfg.busy_poll ? ", busy-poll" : "");
	t0 = xg_now_ns();
	run_loop(&srv, o.quiet, &kills);

out:
	atomic_store(&srv.stop, true);
	xg_sockets_destroy(socks);
	drain_events(&srv, &kills);
	if (!err) {
		xg_server_totals(&srv, &total);
		xg_report_summary(stdout, &srv, &total, kills,
				  (double)(xg_now_ns() - t0) / 1e9, o.cfg.json);
	}
	server_free(&srv);
	return err ? XG_EXIT_FAIL : XG_EXIT_OK;
}
