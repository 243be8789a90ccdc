/* SPDX-License-Identifier: MIT */
/*
 * `xdpgame load ADDR:PORT`: the command. Its usage, its options parsed
 * into a config, and the run handed to one of the load generators: the
 * closed-loop client that checks every ack (load/loop.c), with --blast
 * IFACE the open-loop transmit path (load/blast.c), or with --tcp the
 * client over many TCP connections (load/tcp.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xdpgame/proto.h>

#include "cli/cmds.h"
#include "core/log.h"
#include "core/util.h"
#include "load/blast.h"
#include "load/loop.h"
#include "load/mix.h"
#include "load/tcp.h"
#include "load/xsk_client.h"

struct load_opts {
	const char *target;
	uint64_t count;
	uint64_t rate;          /* requests/s; 0 = as fast as the window allows */
	uint64_t duration_ns;   /* 0 = until count */
	bool quiet;
	uint32_t first_player;
	uint32_t players;
	struct xg_sipkey backend;
	bool have_backend;
	uint32_t forge_sources;
	uint32_t forge_base;
	bool no_join;
	uint32_t window;
	uint32_t weights[XG_NKINDS];
	const char *blast;      /* --blast IFACE: the open-loop path, blast.c */
	uint64_t steps[XG_BLAST_MAX_STEPS]; /* --steps: rates, 0 = max */
	uint32_t nsteps;
	uint32_t retries;       /* --retries, with --blast */
	uint64_t timeout_ns;
	uint64_t seed;
	bool json;
	const char *cdf;        /* --cdf FILE: RTT CDF written here */
	bool tcp;               /* --tcp ADDR:PORT: load/tcp.c */
	uint32_t connections;   /* --tcp: connections opened */
	uint32_t active;        /* --tcp: of them, those that play on */
	const char *sources;    /* --tcp: --source-addrs LIST */
	bool window_set, timeout_set;
	const char *xsk;        /* --xsk IFACE: over AF_XDP, load/xsk_client.c */
	bool busy_poll;
};

static void load_usage(FILE *f)
{
	fprintf(f,
		"usage: xdpgame load ADDR:PORT [options]\n"
		"       xdpgame load --tcp ADDR:PORT --connections N [options]\n"
		"\n"
		"Play a game against a server and check every ack.\n"
		"ADDR is an IPv4 address, [IPv6] or a host name.\n"
		"\n"
		"  -n, --count N       requests to send (default 10000, or no limit\n"
		"                      with --duration)\n"
		"  -d, --duration S    stop sending after S seconds\n"
		"  -r, --rate R        send at most R requests a second (default: as\n"
		"                      fast as the window allows: closed loop)\n"
		"  -P, --players P     simulated players (default 64); each joins first\n"
		"                      (the version 2 handshake) and leaves at the end\n"
		"      --first-player N  player ids N..N+P-1 (default 0); two clients\n"
		"                      on one server need ranges that do not overlap\n"
		"      --backend-key HEX  sign connect tokens with this key (32 hex\n"
		"                      digits), as the game's matchmaker would, for a\n"
		"                      server started with --backend-key\n"
		"  -W, --window W      requests in flight at most (default 32)\n"
		"      --mix SPEC      weights, e.g. move:60,attack:15,heartbeat:20,oob:5\n"
		"                      (oob = MOVE outside the world; that is the default)\n"
		"  -t, --timeout MS    a request unanswered this long is lost (default 500)\n"
		"      --blast IFACE   open loop instead: send --count frames (default\n"
		"                      1000000, at most 100000000) or for --duration, as\n"
		"                      fast as the kernel can or at --rate (paced in the\n"
		"                      kernel), out of IFACE (BPF_PROG_RUN live frames:\n"
		"                      Linux 5.18+; IPv4 ADDR on IFACE's link); each frame\n"
		"                      a fresh request. Acks are counted, not matched, by\n"
		"                      an XDP program on IFACE (on the socket if IFACE has\n"
		"                      one); lost = no ack 200 ms after the last send.\n"
		"                      Uses --mix, --players, --seed, --no-join, --json\n"
		"                      (not --window, --timeout); exit 0 unless it failed\n"
		"                      to run or saw a malformed ack\n"
		"      --steps LIST    with --blast: a sweep in one run (one handshake,\n"
		"                      one report per step): each rate of LIST (comma\n"
		"                      separated, per second; max = as fast as the\n"
		"                      kernel sends; at most %d) for --count frames\n"
		"                      or --duration, one after the other\n"
		"      --retries N     with --blast: a step (or the run) that lost more\n"
		"                      than 0.1%% (but no more than 5%%) is run again, up\n"
		"                      to N times (default 0); the try that lost the\n"
		"                      least is reported: a host stall (a VM's steal\n"
		"                      time) spoils one try, a server over its capacity\n"
		"                      every one\n"
		"      --xsk IFACE     play over an AF_XDP socket on IFACE's queue 0\n"
		"                      (IPv4 ADDR on IFACE's link; IFACE must carry no\n"
		"                      XDP program): the same checks and report, a\n"
		"                      client far cheaper than a kernel socket;\n"
		"                      --window 0 is an open loop (pace it with --rate)\n"
		"      --busy-poll     with --xsk: busy-poll the socket instead of sleeping\n"
		"                      (where the driver gives it a NAPI id; not veth)\n"
		"      --no-join       skip the handshake (token 0): only for a bare\n"
		"                      reflector such as the bench's XDP_TX swap\n"
		"      --forge-sources N  with --blast: a flood from N forged source\n"
		"                      addresses (and changing ports) from --forge-base\n"
		"                      (default 198.18.0.0, the benchmarking range):\n"
		"                      JOINs and MOVEs with made-up tokens, for testing\n"
		"                      a server's defences; no handshake, no acks expected\n"
		"      --forge-base A.B.C.D  first forged source address\n"
		"      --tcp ADDR:PORT over TCP instead (attach --tcp-port): open\n"
		"                      --connections at once; connection i joins player\n"
		"                      --first-player + i over its stream (the handshake;\n"
		"                      those past --players, or the world's 65536 ids,\n"
		"                      only JOIN and read the CHALLENGE), then each player\n"
		"                      sends one request (the opening round), then\n"
		"                      --active of them play with --window (default 1)\n"
		"                      requests in flight each until --count requests in\n"
		"                      all (at least one per player) or --duration; every\n"
		"                      reply is checked, in order; reports connect and\n"
		"                      join times and RTTs. --players defaults to one per\n"
		"                      connection; --timeout to 10000. Closing a\n"
		"                      connection ends its session: no LEAVE\n"
		"      --connections N TCP connections to open (default 1, at most %d)\n"
		"      --active A      TCP connections that play after the opening\n"
		"                      round (default: all); with --duration every\n"
		"                      connection stays open until it is over\n"
		"      --source-addrs LIST  bind TCP connections round robin to these\n"
		"                      local addresses (ADDR or IPv4 range A-B, comma\n"
		"                      separated): each address has its own ephemeral\n"
		"                      ports, so N may exceed one address's range\n"
		"      --seed N        random seed (default 1)\n"
		"      --json          report as JSON\n"
		"      --cdf FILE      after the run, write the RTT distribution to FILE\n"
		"                      as a CDF: one line per non-empty histogram bucket,\n"
		"                      \"UPPER_BOUND_US CUMULATIVE_FRACTION\"\n"
		"  -q, --quiet         no progress line each second (on stderr)\n"
		"  -v, --verbose       debug messages\n"
		"  -h, --help          this text\n"
		"\n"
		"Exit status: 0 if every request was acked correctly (and with --tcp\n"
		"every connection opened and every player joined), 1 otherwise.\n",
		XG_BLAST_MAX_STEPS, XG_TCPL_MAX_CONNS);
}

static int load_bad(const char *opt, const char *val, const char *want)
{
	pr_warn("error: load: invalid %s '%s': %s\n", opt, val, want);
	return XG_EXIT_USAGE;
}

/* --steps LIST: "R1,R2,...,max" into o->steps; 0 or -1 */
static int parse_steps(const char *list, struct load_opts *o)
{
	char buf[1024], *tok, *save = NULL;

	if (strlen(list) >= sizeof(buf))
		return -1;
	strcpy(buf, list);
	o->nsteps = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (o->nsteps == XG_BLAST_MAX_STEPS)
			return -1;
		if (!strcmp(tok, "max"))
			o->steps[o->nsteps] = 0;
		else if (xg_parse_u64(tok, 1, 100000000, &o->steps[o->nsteps]))
			return -1;
		o->nsteps++;
	}
	return o->nsteps ? 0 : -1;
}

static int load_parse(int argc, char **argv, struct load_opts *o)
{
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "players", required_argument, NULL, 'P' },
		{ "first-player", required_argument, NULL, 'F' },
		{ "forge-sources", required_argument, NULL, 'X' },
		{ "no-join", no_argument, NULL, 'j' },
		{ "forge-base", required_argument, NULL, 'Y' },
		{ "backend-key", required_argument, NULL, 'K' },
		{ "window", required_argument, NULL, 'W' },
		{ "mix", required_argument, NULL, 'M' },
		{ "timeout", required_argument, NULL, 't' },
		{ "seed", required_argument, NULL, 'S' },
		{ "blast", required_argument, NULL, 'B' },
		{ "steps", required_argument, NULL, 'L' },
		{ "retries", required_argument, NULL, 'R' },
		{ "json", no_argument, NULL, 'J' },
		{ "cdf", required_argument, NULL, 'C' },
		{ "xsk", required_argument, NULL, 'x' },
		{ "busy-poll", no_argument, NULL, 'b' },
		{ "duration", required_argument, NULL, 'd' },
		{ "rate", required_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "tcp", required_argument, NULL, 'T' },
		{ "connections", required_argument, NULL, 'c' },
		{ "active", required_argument, NULL, 'A' },
		{ "source-addrs", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	bool count_set = false, active_set = false, players_set = false;
	uint64_t v;
	int opt;

	*o = (struct load_opts){ .count = 10000, .players = 64, .window = 32,
				 .weights = { [XG_KIND_MOVE] = 60,
					      [XG_KIND_ATTACK] = 15,
					      [XG_KIND_HEARTBEAT] = 20,
					      [XG_KIND_OOB] = 5 },
				 .timeout_ns = 500000000ull, .seed = 1,
				 .forge_base = 0xc6120000 /* 198.18.0.0 */ };
	while ((opt = getopt_long(argc, argv, "n:P:W:t:d:r:qvh", longopts, NULL)) !=
	       -1) {
		switch (opt) {
		case 'n':
			if (xg_parse_u64(optarg, 1, UINT64_MAX / 2, &o->count))
				return load_bad("--count", optarg, "want >= 1");
			count_set = true;
			break;
		case 'R':
			if (xg_parse_u64(optarg, 0, 10, &v))
				return load_bad("--retries", optarg, "want 0..10");
			o->retries = (uint32_t)v;
			break;
		case 'L':
			if (parse_steps(optarg, o))
				return load_bad("--steps", optarg, "want rates (1..100000000 or max), comma separated, at most 64");
			break;
		case 'd':
			if (xg_parse_u64(optarg, 1, 86400, &v))
				return load_bad("--duration", optarg, "want 1..86400 s");
			o->duration_ns = v * 1000000000ull;
			break;
		case 'r':
			if (xg_parse_u64(optarg, 1, 100000000, &o->rate))
				return load_bad("--rate", optarg, "want 1..100000000 per second");
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'P':
			if (xg_parse_u64(optarg, 2, XG_MAX_PLAYERS, &v))
				return load_bad("--players", optarg, "want 2..65536");
			o->players = (uint32_t)v;
			players_set = true;
			break;
		case 'F':
			if (xg_parse_u64(optarg, 0, XG_MAX_PLAYERS - 2, &v))
				return load_bad("--first-player", optarg, "want 0..65534");
			o->first_player = (uint32_t)v;
			break;
		case 'j':
			o->no_join = true;
			break;
		case 'X':
			if (xg_parse_u64(optarg, 1, 1u << 24, &v))
				return load_bad("--forge-sources", optarg, "want 1..16777216");
			o->forge_sources = (uint32_t)v;
			break;
		case 'Y': {
			struct in_addr a;

			if (inet_pton(AF_INET, optarg, &a) != 1)
				return load_bad("--forge-base", optarg, "want an IPv4 address");
			o->forge_base = ntohl(a.s_addr);
			break;
		}
		case 'K':
			if (xg_sipkey_parse(optarg, &o->backend))
				return load_bad("--backend-key", "(hidden)", "want 32 hex digits");
			o->have_backend = true;
			break;
		case 'W':
			if (xg_parse_u64(optarg, 0, XG_LOOP_MAX_WINDOW, &v))
				return load_bad("--window", optarg, "want 1..16384 (0: open loop, --xsk only)");
			o->window = (uint32_t)v;
			o->window_set = true;
			break;
		case 'M':
			if (xg_mix_parse(optarg, o->weights))
				return load_bad("--mix", optarg,
						"want KIND:WEIGHT,... with KIND move, attack, heartbeat or oob, and a weight above 0");
			break;
		case 't':
			if (xg_parse_u64(optarg, 1, 60000, &v))
				return load_bad("--timeout", optarg, "want 1..60000 ms");
			o->timeout_ns = v * 1000000ull;
			o->timeout_set = true;
			break;
		case 'T':
			o->tcp = true;
			o->target = optarg;
			break;
		case 'c':
			if (xg_parse_u64(optarg, 1, XG_TCPL_MAX_CONNS, &v))
				return load_bad("--connections", optarg, "want 1..1000000");
			o->connections = (uint32_t)v;
			break;
		case 'A':
			if (xg_parse_u64(optarg, 0, XG_TCPL_MAX_CONNS, &v))
				return load_bad("--active", optarg, "want 0..1000000");
			o->active = (uint32_t)v;
			active_set = true;
			break;
		case 's':
			o->sources = optarg;
			break;
		case 'S':
			if (xg_parse_u64(optarg, 0, UINT64_MAX, &o->seed))
				return load_bad("--seed", optarg, "want a number");
			break;
		case 'B':
			o->blast = optarg;
			break;
		case 'J':
			o->json = true;
			break;
		case 'x':
			o->xsk = optarg;
			break;
		case 'b':
			o->busy_poll = true;
			break;
		case 'C':
			o->cdf = optarg;
			break;
		case 'v':
			xg_log_set_level(XG_LOG_DEBUG);
			break;
		case 'h':
			load_usage(stdout);
			exit(XG_EXIT_OK);
		default:
			load_usage(stderr);
			return XG_EXIT_USAGE;
		}
	}
	if (optind != argc - (o->tcp ? 0 : 1)) {
		pr_warn("error: load: %s\n", optind >= argc ?
			"missing ADDR:PORT" : "one target only");
		load_usage(stderr);
		return XG_EXIT_USAGE;
	}
	if (!o->tcp)
		o->target = argv[optind];
	else if (o->blast)
		return load_bad("--tcp", o->target, "not with --blast");
	else if (o->no_join)
		return load_bad("--tcp", o->target, "not with --no-join: every connection joins");
	if ((!o->window && !o->xsk) || (o->busy_poll && !o->xsk) ||
	    (o->xsk && (o->blast || o->tcp))) {
		pr_warn("error: load: --window 0 and --busy-poll need --xsk IFACE, which goes with neither --blast nor --tcp\n");
		return XG_EXIT_USAGE;
	}
	if (o->forge_sources && !o->blast) {
		pr_warn("error: load: --forge-sources needs --blast IFACE\n");
		return XG_EXIT_USAGE;
	}
	if (o->retries && (!o->blast || o->forge_sources)) {
		pr_warn("error: load: --retries needs --blast IFACE (not --forge-sources)\n");
		return XG_EXIT_USAGE;
	}
	if (o->nsteps && (!o->blast || o->forge_sources || o->rate)) {
		pr_warn("error: load: --steps needs --blast IFACE, and goes with neither --rate nor --forge-sources\n");
		return XG_EXIT_USAGE;
	}
	if (o->forge_sources && (o->rate || o->no_join)) {
		pr_warn("error: load: --forge-sources is an unpaced flood with no sessions: not with --rate or --no-join\n");
		return XG_EXIT_USAGE;
	}
	if ((uint64_t)o->first_player + o->players > XG_MAX_PLAYERS) {
		pr_warn("error: load: players %u..%u: the world has ids 0..%u\n",
			o->first_player, o->first_player + o->players - 1,
			XG_MAX_PLAYERS - 1);
		return XG_EXIT_USAGE;
	}
	if ((o->connections || o->sources || active_set) && !o->tcp)
		return load_bad("--connections, --active or --source-addrs",
				"", "only with --tcp");
	if (!o->connections)
		o->connections = 1;
	if (o->tcp && !players_set)
		o->players = o->connections < XG_MAX_PLAYERS - o->first_player ?
				     o->connections :
				     XG_MAX_PLAYERS - o->first_player;
	if (o->tcp && o->players > o->connections)
		return load_bad("--players", "", "one player a connection at most with --tcp");
	if (!active_set || o->active > o->connections)
		o->active = o->connections;
	if (o->tcp && o->active > o->players)
		o->active = o->players; /* only connections with a player play */
	if (o->tcp && !o->window_set)
		o->window = 1;
	if (o->tcp && o->window > XG_TCPL_MAX_WINDOW)
		return load_bad("--window", "", "at most 64 with --tcp");
	if (o->tcp && (o->rate || o->cdf))
		pr_warn("warning: load: --rate and --cdf are not used with --tcp\n");
	if (o->tcp && !o->timeout_set)
		o->timeout_ns = 10000000000ull;
	if (o->blast && !count_set && !o->duration_ns)
		o->count = XG_BLAST_DEFAULT_COUNT;
	if (o->duration_ns && !count_set)
		o->count = UINT64_MAX / 2;
	return XG_EXIT_OK;
}

/* --blast IFACE: the options blast.c uses, and its result as exit status */
static int load_blast(const struct load_opts *o)
{
	struct xg_blast_opts b = {
		.target = o->target, .ifname = o->blast, .count = o->count,
		.duration_ns = o->duration_ns, .rate = o->rate,
		.steps = o->steps, .nsteps = o->nsteps, .retries = o->retries,
		.players = o->players, .first_player = o->first_player,
		.no_join = o->no_join,
		.backend = o->have_backend ? &o->backend : NULL,
		.forge_sources = o->forge_sources, .forge_base = o->forge_base,
		.seed = o->seed, .json = o->json, .quiet = o->quiet,
	};

	memcpy(b.weights, o->weights, sizeof(b.weights));
	return xg_blast(&b) ? XG_EXIT_FAIL : XG_EXIT_OK;
}

/* the closed loop: the options loop.c uses, and its result as exit status */
static int load_loop(const struct load_opts *o)
{
	struct xg_loop_opts l = {
		.target = o->target, .count = o->count, .rate = o->rate,
		.duration_ns = o->duration_ns, .timeout_ns = o->timeout_ns,
		.players = o->players, .window = o->window, .seed = o->seed,
		.first_player = o->first_player,
		.backend = o->have_backend ? &o->backend : NULL,
		.no_join = o->no_join,
		.json = o->json, .quiet = o->quiet, .cdf = o->cdf,
		.xsk = o->xsk, .busy_poll = o->busy_poll,
	};

	memcpy(l.weights, o->weights, sizeof(l.weights));
	if (l.xsk)
		return xg_load_xsk(&l) ? XG_EXIT_FAIL : XG_EXIT_OK;
	return xg_loop(&l) ? XG_EXIT_FAIL : XG_EXIT_OK;
}

/* --tcp: the options tcp.c uses, and its result as exit status */
static int load_tcp(const struct load_opts *o)
{
	struct xg_tcp_load_opts t = {
		.target = o->target, .connections = o->connections,
		.active = o->active,
		.count = o->count < o->players ? o->players : o->count,
		.duration_ns = o->duration_ns, .timeout_ns = o->timeout_ns,
		.players = o->players, .window = o->window, .seed = o->seed,
		.first_player = o->first_player,
		.backend = o->have_backend ? &o->backend : NULL,
		.sources = o->sources, .json = o->json, .quiet = o->quiet,
	};

	memcpy(t.weights, o->weights, sizeof(t.weights));
	return xg_tcp_load(&t) ? XG_EXIT_FAIL : XG_EXIT_OK;
}

int cmd_load(int argc, char **argv)
{
	struct load_opts o;
	int ret;

	ret = load_parse(argc, argv, &o);
	if (ret)
		return ret;
	return o.tcp ? load_tcp(&o) : o.blast ? load_blast(&o) : load_loop(&o);
}
