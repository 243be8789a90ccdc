/* SPDX-License-Identifier: MIT */
/*
 * The options of `xdpgame attach IFACE`: its usage text and the parsing
 * and checking of its arguments into struct attach_opts (cli/attach.h).
 * Serving with them is attach.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/attach.h"
#include "cli/cmds.h"
#include "core/log.h"

static void attach_usage(FILE *f)
{
	fprintf(f,
		"usage: xdpgame attach IFACE [--port P ...] [options]\n"
		"\n"
		"Serve the game's UDP ports on IFACE until SIGINT/SIGTERM.\n"
		"\n"
		"  -p, --port P        game UDP port (repeatable, up to %d;\n"
		"                      default %d)\n"
		"  -m, --mode M        auto (default): XDP in native mode if the driver\n"
		"                      has it, else generic, else kernel sockets alone;\n"
		"                      native, generic: that XDP mode or fail;\n"
		"                      sockets: kernel UDP sockets only, no XDP\n"
		"      --queues N|all  RX queues to serve with AF_XDP sockets (default all)\n"
		"      --zero-copy M   auto (default): try zero-copy, else copy mode;\n"
		"                      on: zero-copy or fail; off: copy mode\n"
		"      --kernel-replies  answer HEARTBEAT in the XDP program (XDP_TX)\n"
		"      --route-check M  replies from the XDP path follow the kernel's\n"
		"                      route (next hop by bpf_fib_lookup; another\n"
		"                      interface or an unknown neighbour: the kernel\n"
		"                      socket answers). auto (default): on where\n"
		"                      net.ipv4.conf.lo.forwarding=1, which the lookup\n"
		"                      needs; on: that or fail; off: back to the\n"
		"                      sender's MAC\n"
		"      --handshake-rate R[/B]  JOIN/ANSWER a second per source address,\n"
		"                      burst B (default %u/%u; 0: no limit)\n"
		"      --handshake-total R[/B]  JOIN/ANSWER a second from all sources\n"
		"                      together, burst B (default %u/%u; 0: no limit)\n"
		"      --session-rate R[/B]  game requests a second per session, burst\n"
		"                      B (default %u/%u; 0: no limit)\n"
		"      --session-timeout MS  silence that ends a session (default %u)\n"
		"      --backend-key-file FILE  the game backend's key (32 hex digits):\n"
		"                      players then need its signed connect token\n"
		"  -w, --workers N     kernel-socket workers (default: one per CPU), and\n"
		"                      as many TCP workers with --tcp-port\n"
		"  -c, --cpus LIST     CPUs to pin workers to, e.g. 0-3,6 (default: all\n"
		"                      online CPUs, round robin)\n"
		"      --tcp-port P    also serve the game over TCP on port P: messages\n"
		"                      framed by their header's size field, one ack per\n"
		"                      request in order (docs/PROTOCOL.md)\n"
		"      --tcp-max N     TCP connections open at most, all workers (default\n"
		"                      %d); more are reset and counted refused\n"
		"      --tcp-idle S    close a TCP connection that completes no message\n"
		"                      for S seconds (default %d)\n"
		"      --naive         one recvfrom/sendto per packet (baseline)\n"
		"      --busy-poll     spin instead of sleeping (AF_XDP sockets prefer\n"
		"                      busy polling; kernel sockets get SO_BUSY_POLL)\n"
		"  -d, --duration S    stop after S seconds (default: run until stopped)\n"
		"      --metrics ADDR:PORT  serve Prometheus metrics at\n"
		"                      http://ADDR:PORT/metrics (default: off), e.g.\n"
		"                      127.0.0.1:9100, 0.0.0.0:9100, [::1]:9100\n"
		"      --json          print the final summary as JSON\n"
		"  -q, --quiet         no live line\n"
		"  -v, --verbose       debug messages\n"
		"  -h, --help          this text\n",
		XG_MAX_PORTS, XG_DEFAULT_PORT, XG_DEFAULT_HS_RATE,
		XG_DEFAULT_HS_BURST, XG_DEFAULT_HS_TOTAL_RATE,
		XG_DEFAULT_HS_TOTAL_BURST, XG_DEFAULT_SESSION_RATE,
		XG_DEFAULT_SESSION_BURST, XG_SESSION_TIMEOUT_MS, XG_TCP_DEFAULT_MAX, XG_TCP_DEFAULT_IDLE_S);
}

static int bad_value(const char *opt, const char *val, const char *want)
{
	pr_warn("error: attach: invalid %s '%s': %s\n", opt, val, want);
	return XG_EXIT_USAGE;
}

int attach_parse(int argc, char **argv, struct attach_opts *o)
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
		{ "route-check", required_argument, NULL, 'R' },
		{ "handshake-rate", required_argument, NULL, 'H' },
		{ "handshake-total", required_argument, NULL, 'G' },
		{ "session-rate", required_argument, NULL, 'S' },
		{ "session-timeout", required_argument, NULL, 'T' },
		{ "backend-key-file", required_argument, NULL, 'F' },
		{ "busy-poll", no_argument, NULL, 'B' },
		{ "tcp-port", required_argument, NULL, 'P' },
		{ "tcp-max", required_argument, NULL, 'X' },
		{ "tcp-idle", required_argument, NULL, 'I' },
		{ "duration", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'J' },
		{ "metrics", required_argument, NULL, 'M' },
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
		case 'R':
			if (!strcmp(optarg, "auto"))
				o->route_check = ROUTE_AUTO;
			else if (!strcmp(optarg, "on"))
				o->route_check = ROUTE_ON;
			else if (!strcmp(optarg, "off"))
				o->route_check = ROUTE_OFF;
			else
				return bad_value("--route-check", optarg, "want auto, on or off");
			break;
		case 'H':
			if (xg_parse_rate(optarg, &o->limits.hs_rate,
					  &o->limits.hs_burst))
				return bad_value("--handshake-rate", optarg,
						 "want RATE or RATE/BURST, e.g. 20/40 (0: no limit)");
			break;
		case 'G':
			if (xg_parse_rate(optarg, &o->limits.hs_total_rate,
					  &o->limits.hs_total_burst))
				return bad_value("--handshake-total", optarg,
						 "want RATE or RATE/BURST, e.g. 20000/40000 (0: no limit)");
			break;
		case 'S':
			if (xg_parse_rate(optarg, &o->limits.session_rate,
					  &o->limits.session_burst))
				return bad_value("--session-rate", optarg,
						 "want RATE or RATE/BURST, e.g. 1000/2000 (0: no limit)");
			break;
		case 'T':
			if (xg_parse_u64(optarg, 100, 3600000, &v))
				return bad_value("--session-timeout", optarg,
						 "want 100..3600000 ms");
			o->limits.timeout_ms = (uint32_t)v;
			break;
		case 'F':
			o->backend_file = optarg;
			break;
		case 'B':
			c->busy_poll = true;
			break;
		case 'P':
			if (xg_parse_port(optarg, &o->tcp_port))
				return bad_value("--tcp-port", optarg, "want 1..65535");
			break;
		case 'X':
			if (xg_parse_u64(optarg, 1, 10000000, &v))
				return bad_value("--tcp-max", optarg, "want 1..10000000");
			o->tcp_max = (int)v;
			break;
		case 'I':
			if (xg_parse_u64(optarg, 1, 86400, &v))
				return bad_value("--tcp-idle", optarg, "want 1..86400 seconds");
			o->tcp_idle_s = (int)v;
			break;
		case 'd':
			if (xg_parse_u64(optarg, 1, 86400 * 365, &v))
				return bad_value("--duration", optarg, "want seconds >= 1");
			c->duration_s = (int)v;
			break;
		case 'J':
			c->json = true;
			break;
		case 'M':
			o->metrics = optarg;
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
	if (!c->nports)
		c->ports[c->nports++] = XG_DEFAULT_PORT;
	return XG_EXIT_OK;
}
