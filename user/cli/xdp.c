/* SPDX-License-Identifier: MIT */
/*
 * The commands that work on an XDP instance without being its holder:
 *
 *   xdpgame detach IFACE   remove what a killed instance left behind
 *   xdpgame stats IFACE    the pinned counters of the instance on IFACE
 *   xdpgame status         every interface xdpgame holds
 *
 * They find an instance through its pins only (xdp_loader.h: the pin
 * directory /sys/fs/bpf/xdpgame/IFACE, its `info` and `stats` maps, and the
 * lock its holder keeps on the directory), so they work from any process,
 * and after the holder was killed. Each command parses its options into its
 * own struct; the one file-scope variable is the --watch signal flag.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <net/if.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cmds.h"
#include "core/log.h"
#include "core/stats.h"
#include "core/util.h"
#include "xdp/loader.h"

/* Set by SIGINT/SIGTERM while `stats --watch` runs. */
static volatile sig_atomic_t watch_stop;

enum {
	PATH_LEN = 128,
	TIME_LEN = 32,
};

/* ---- shared helpers ---------------------------------------------------- */

/* An interface name as the loader accepts it; else a usage error line. */
static int check_ifname_arg(const char *cmd, const char *ifname)
{
	if (!*ifname || strlen(ifname) >= IF_NAMESIZE || strchr(ifname, '/') ||
	    strchr(ifname, ':') || !strcmp(ifname, ".") ||
	    !strcmp(ifname, "..")) {
		pr_warn("error: %s: invalid interface name '%s'\n", cmd, ifname);
		return XG_EXIT_USAGE;
	}
	return XG_EXIT_OK;
}

/* The one positional argument, IFACE. */
static int take_ifname(const char *cmd, int argc, char **argv,
		       const char **ifname)
{
	if (optind != argc - 1) {
		pr_warn("error: %s: %s\n", cmd, optind >= argc ?
			"missing interface name" : "one interface only");
		return XG_EXIT_USAGE;
	}
	*ifname = argv[optind];
	return check_ifname_arg(cmd, *ifname);
}

struct found {
	const char *ifname;
	struct xg_xdp_info info;
	bool alive;
	bool found;
};

static int find_cb(const char *ifname, const struct xg_xdp_info *info,
		   bool alive, void *arg)
{
	struct found *f = arg;

	if (strcmp(ifname, f->ifname))
		return 0;
	f->info = *info;
	f->alive = alive;
	f->found = true;
	return 1;
}

/* The instance pinned for ifname, if any: f->found, f->alive, f->info. */
static void find_instance(const char *ifname, struct found *f)
{
	memset(f, 0, sizeof(*f));
	f->ifname = ifname;
	if (xg_xdp_list(find_cb, f) < 0)
		f->found = false;
}

/* "2025-11-21 16:49:02" (local time) or, utc, "2025-11-21T15:49:02Z". */
static const char *fmt_time(__u64 ns, bool utc, char buf[TIME_LEN])
{
	time_t t = (time_t)(ns / 1000000000ull);
	struct tm tm;

	if (utc ? !gmtime_r(&t, &tm) : !localtime_r(&t, &tm))
		snprintf(buf, TIME_LEN, "?");
	else
		strftime(buf, TIME_LEN, utc ? "%Y-%m-%dT%H:%M:%SZ" :
					      "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

/* ---- detach -------------------------------------------------------------- */

struct detach_opts {
	const char *ifname;
	bool help;
};

static void detach_usage(FILE *f)
{
	fprintf(f,
		"usage: xdpgame detach IFACE\n"
		"\n"
		"Remove what an xdpgame that was killed (kill -9, a crash) left on\n"
		"IFACE: its XDP program, if it is still the one attached, and its pins\n"
		"under %s/IFACE. Every step removed is reported. A program\n"
		"that is not xdpgame's is left alone. A running xdpgame is not\n"
		"touched: stop it with SIGTERM, it cleans up itself.\n"
		"\n"
		"Exit status: 0 something was removed; 1 nothing of xdpgame's was on\n"
		"IFACE, or it is held by a running xdpgame, or removing failed.\n"
		"\n"
		"  -v, --verbose       debug messages\n"
		"  -h, --help          this text\n",
		XG_PIN_ROOT);
}

static int detach_parse(int argc, char **argv, struct detach_opts *o)
{
	static const struct option longopts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'v':
			xg_log_set_level(XG_LOG_DEBUG);
			break;
		case 'h':
			o->help = true;
			return XG_EXIT_OK;
		default:
			detach_usage(stderr);
			return XG_EXIT_USAGE;
		}
	}
	if (take_ifname("detach", argc, argv, &o->ifname)) {
		detach_usage(stderr);
		return XG_EXIT_USAGE;
	}
	return XG_EXIT_OK;
}

/* A live holder is never touched. Its pid is 0 while it is still loading
 * (the loader locks the directory before it writes `info`). */
static void detach_refuse_live(const char *ifname,
			       const struct xg_xdp_info *info)
{
	if (info->pid)
		pr_warn("error: %s is held by a running xdpgame (pid %u); stop it with SIGTERM instead (kill -TERM %u)\n",
			ifname, info->pid, info->pid);
	else
		pr_warn("error: %s is held by an xdpgame that is starting (its pid is not recorded yet); see `xdpgame status`, and stop it with SIGTERM instead\n",
			ifname);
}

int cmd_detach(int argc, char **argv)
{
	struct detach_opts o = {};
	struct found f;
	int ret, err;

	ret = detach_parse(argc, argv, &o);
	if (ret || o.help) {
		if (o.help)
			detach_usage(stdout);
		return ret;
	}
	find_instance(o.ifname, &f);
	if (f.found && f.alive) {
		detach_refuse_live(o.ifname, &f.info);
		return XG_EXIT_FAIL;
	}
	/* The loader reports each step it takes (pr_info). */
	err = xg_xdp_cleanup(o.ifname);
	if (err == -ENOENT) {
		pr_warn("error: nothing of xdpgame's on %s: nothing removed; `xdpgame status` lists the interfaces xdpgame holds\n",
			o.ifname);
		return XG_EXIT_FAIL;
	}
	/* -EBUSY here: the holder came up since we looked; the loader said
	 * who it is. Other errors: the loader said what failed. */
	return err ? XG_EXIT_FAIL : XG_EXIT_OK;
}

/* ---- stats --------------------------------------------------------------- */

struct stats_opts {
	const char *ifname;
	bool json;
	bool watch;
	double interval_s;
	bool help;
};

static void stats_usage(FILE *f)
{
	fprintf(f,
		"usage: xdpgame stats IFACE [--json] [--watch] [--interval S]\n"
		"\n"
		"The XDP program's counters of the xdpgame running on IFACE, read\n"
		"from its pins (%s/IFACE/" XG_PIN_STATS "): packets and\n"
		"bytes per counter, summed over the CPUs, since the attach.\n"
		"\n"
		"  -j, --json          one JSON object: {\"interface\":...,\"counters\":\n"
		"                      {\"NAME\":{\"packets\":N,\"bytes\":N},...}}\n"
		"  -w, --watch         every interval, the per-second rates of the\n"
		"                      counters that changed, until SIGINT/SIGTERM\n"
		"                      (with --json: one JSON object per interval)\n"
		"  -i, --interval S    seconds between --watch lines, 0.1..3600\n"
		"                      (default 1); implies --watch\n"
		"  -h, --help          this text\n"
		"\n"
		"Exit status: 0 ok; 1 no xdpgame on IFACE, or its counters cannot\n"
		"be read; 2 usage.\n",
		XG_PIN_ROOT);
}

static int parse_interval(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0.1 || v > 3600)
		return -EINVAL;
	*out = v;
	return 0;
}

static int stats_parse(int argc, char **argv, struct stats_opts *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "watch", no_argument, NULL, 'w' },
		{ "interval", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int opt;

	o->interval_s = 1.0;
	while ((opt = getopt_long(argc, argv, "jwi:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			o->json = true;
			break;
		case 'w':
			o->watch = true;
			break;
		case 'i':
			if (parse_interval(optarg, &o->interval_s)) {
				pr_warn("error: stats: invalid --interval '%s': want seconds, 0.1 to 3600\n",
					optarg);
				return XG_EXIT_USAGE;
			}
			o->watch = true;
			break;
		case 'h':
			o->help = true;
			return XG_EXIT_OK;
		default:
			stats_usage(stderr);
			return XG_EXIT_USAGE;
		}
	}
	if (take_ifname("stats", argc, argv, &o->ifname)) {
		stats_usage(stderr);
		return XG_EXIT_USAGE;
	}
	return XG_EXIT_OK;
}

/*
 * The holder's workers, as it publishes them once a second in the pinned
 * `workers` map: per worker (kernel socket or AF_XDP queue) packets and
 * bytes in and out, requests handled per type, and for AF_XDP the socket's
 * XDP_STATISTICS. In JSON a "workers" member of the same object.
 */
static void stats_print_workers(FILE *f, const struct stats_opts *o, bool json)
{
	struct xg_worker_pub *w = calloc(XG_XDP_MAX_WORKERS, sizeof(*w));
	int n = w ? xg_xdp_read_workers(o->ifname, w, XG_XDP_MAX_WORKERS) : 0;
	int i, t;

	if (json)
		fprintf(f, ",\"workers\":[");
	for (i = 0; i < n; i++) {
		const struct xg_worker_pub *p = &w[i];
		const char *path = p->path == XG_WPATH_XSK ? "xsk" :
				   p->path == XG_WPATH_TCP ? "tcp" : "socket";

		if (json) {
			fprintf(f, "%s{\"path\":\"%s\",\"queue\":%d,\"cpu\":%d,"
				   "\"rx_packets\":%llu,\"rx_bytes\":%llu,"
				   "\"tx_packets\":%llu,\"tx_bytes\":%llu,"
				   "\"malformed\":%llu,\"drops\":%llu,\"errors\":%llu,"
				   "\"handled\":{",
				i ? "," : "", path, p->queue, p->cpu, p->rx_packets,
				p->rx_bytes, p->tx_packets, p->tx_bytes,
				p->malformed, p->drops, p->errors);
			for (t = 1; t < XG_MSG_NTYPES; t++)
				fprintf(f, "%s\"%s\":%llu", t > 1 ? "," : "",
					xg_msg_name(t), p->handled[t]);
			fprintf(f, "},\"rx_dropped\":%llu,\"rx_invalid_descs\":%llu,"
				   "\"tx_invalid_descs\":%llu,\"rx_ring_full\":%llu,"
				   "\"rx_fill_ring_empty_descs\":%llu,"
				   "\"tx_ring_empty_descs\":%llu}",
				p->rx_dropped, p->rx_invalid_descs,
				p->tx_invalid_descs, p->rx_ring_full,
				p->rx_fill_ring_empty_descs, p->tx_ring_empty_descs);
			continue;
		}
		if (!i)
			fprintf(f, "workers (published by the server once a second):\n");
		fprintf(f, "  %-6s queue %2d cpu %2d: in %llu (%llu bytes), out %llu (%llu bytes), malformed %llu, drops %llu, errors %llu",
			path, p->queue, p->cpu, p->rx_packets, p->rx_bytes,
			p->tx_packets, p->tx_bytes, p->malformed, p->drops,
			p->errors);
		if (p->path == XG_WPATH_XSK)
			fprintf(f, "; xsk rx_dropped %llu rx_invalid_descs %llu tx_invalid_descs %llu rx_ring_full %llu rx_fill_ring_empty_descs %llu tx_ring_empty_descs %llu",
				p->rx_dropped, p->rx_invalid_descs,
				p->tx_invalid_descs, p->rx_ring_full,
				p->rx_fill_ring_empty_descs, p->tx_ring_empty_descs);
		fputc('\n', f);
	}
	if (json)
		fputc(']', f);
	free(w);
}

static void stats_print_text(FILE *f, const struct stats_opts *o,
			     const struct xg_xdp_count c[XG_CNT_MAX])
{
	int i;

	fprintf(f, "xdpgame on %s: XDP program counters since attach\n",
		o->ifname);
	for (i = 0; i < XG_CNT_MAX; i++)
		fprintf(f, "  %-18s %14" PRIu64 " packets %16" PRIu64 " bytes\n",
			xg_xdp_counter_name(i), (uint64_t)c[i].packets,
			(uint64_t)c[i].bytes);
	stats_print_workers(f, o, false);
}

static void stats_print_json(FILE *f, const struct stats_opts *o,
			     const struct xg_xdp_count c[XG_CNT_MAX])
{
	int i;

	/* interface names hold no '"' or '\\' worth escaping: the kernel
	 * allows them, but check_ifname_arg() is all xdpgame accepts */
	fprintf(f, "{\"interface\":\"%s\",\"counters\":{", o->ifname);
	for (i = 0; i < XG_CNT_MAX; i++)
		fprintf(f, "%s\"%s\":{\"packets\":%" PRIu64 ",\"bytes\":%" PRIu64
			   "}",
			i ? "," : "", xg_xdp_counter_name(i),
			(uint64_t)c[i].packets, (uint64_t)c[i].bytes);
	fprintf(f, "}");
	stats_print_workers(f, o, true);
	fprintf(f, "}\n");
}

static void on_watch_signal(int sig)
{
	watch_stop = sig;
}

/* SIGINT/SIGTERM end the watch; without SA_RESTART, so sleeps return. */
static void watch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_watch_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Sleep until 'deadline' (CLOCK_MONOTONIC ns) or a signal. */
static void watch_sleep_until(uint64_t deadline)
{
	struct timespec ts = {
		.tv_sec = (time_t)(deadline / 1000000000ull),
		.tv_nsec = (long)(deadline % 1000000000ull),
	};

	while (!watch_stop &&
	       clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
		       EINTR)
		;
}

/* A counter's growth; a counter that went down was reset (a new holder). */
static uint64_t grown(__u64 prev, __u64 cur)
{
	return cur >= prev ? cur - prev : cur;
}

/* One line (or JSON object) of the rates of the counters that changed. */
static void watch_print(FILE *f, const struct stats_opts *o, double t,
			double dt, const struct xg_xdp_count prev[XG_CNT_MAX],
			const struct xg_xdp_count cur[XG_CNT_MAX])
{
	int i, n = 0;

	if (o->json)
		fprintf(f, "{\"interface\":\"%s\",\"seconds\":%.3f,\"rates\":{",
			o->ifname, t);
	else
		fprintf(f, "[%6.1fs]", t);
	for (i = 0; i < XG_CNT_MAX; i++) {
		uint64_t dp = grown(prev[i].packets, cur[i].packets);
		uint64_t db = grown(prev[i].bytes, cur[i].bytes);

		if (!dp && !db)
			continue;
		if (o->json)
			fprintf(f, "%s\"%s\":{\"packets_per_s\":%.1f,\"bytes_per_s\":%.1f}",
				n ? "," : "", xg_xdp_counter_name(i), dp / dt,
				db / dt);
		else
			fprintf(f, "%s %s %.0f pps %.0f B/s", n ? "," : "",
				xg_xdp_counter_name(i), dp / dt, db / dt);
		n++;
	}
	if (o->json)
		fprintf(f, "}}\n");
	else
		fprintf(f, "%s\n", n ? "" : " no packets");
	fflush(f);
}

/* Every interval until a signal; 1 if the counters cannot be read. */
static int stats_watch(const struct stats_opts *o, struct xg_xdp_count *first)
{
	struct xg_xdp_count buf[2][XG_CNT_MAX];
	struct xg_xdp_count *prev = buf[0], *cur = buf[1], *tmp;
	uint64_t step = (uint64_t)(o->interval_s * 1e9);
	uint64_t start = xg_now_ns(), last = start, next = start, now;

	memcpy(prev, first, sizeof(buf[0]));
	watch_signals();
	pr_info("watching the XDP counters of %s every %.1f s; Ctrl-C to stop\n",
		o->ifname, o->interval_s);
	while (!watch_stop) {
		next += step;
		watch_sleep_until(next);
		if (watch_stop)
			break;
		if (xg_xdp_read_stats(o->ifname, cur))
			return XG_EXIT_FAIL; /* the loader said why */
		now = xg_now_ns();
		watch_print(stdout, o, (double)(now - start) / 1e9,
			    (double)(now - last) / 1e9, prev, cur);
		last = now;
		tmp = prev;
		prev = cur;
		cur = tmp;
	}
	return XG_EXIT_OK;
}

int cmd_stats(int argc, char **argv)
{
	struct xg_xdp_count c[XG_CNT_MAX];
	struct stats_opts o = {};
	char path[PATH_LEN];
	struct found f;
	int ret;

	ret = stats_parse(argc, argv, &o);
	if (ret || o.help) {
		if (o.help)
			stats_usage(stdout);
		return ret;
	}
	snprintf(path, sizeof(path), "%s/%s/%s", XG_PIN_ROOT, o.ifname,
		 XG_PIN_STATS);
	if (access(path, F_OK)) {
		pr_warn("error: no xdpgame on %s (nothing pinned under %s/%s); start one with `xdpgame attach %s --port P`\n",
			o.ifname, XG_PIN_ROOT, o.ifname, o.ifname);
		return XG_EXIT_FAIL;
	}
	find_instance(o.ifname, &f);
	if (f.found && !f.alive)
		pr_warn("warning: the xdpgame that pinned these counters (pid %u) is gone; `xdpgame detach %s` removes what it left\n",
			f.info.pid, o.ifname);
	if (xg_xdp_read_stats(o.ifname, c))
		return XG_EXIT_FAIL; /* the loader said why */
	if (o.watch)
		return stats_watch(&o, c);
	if (o.json)
		stats_print_json(stdout, &o, c);
	else
		stats_print_text(stdout, &o, c);
	return XG_EXIT_OK;
}

/* ---- status -------------------------------------------------------------- */

struct status_opts {
	bool json;
	bool help;
	int n; /* instances printed so far */
};

static void status_usage(FILE *f)
{
	fprintf(f,
		"usage: xdpgame status [--json]\n"
		"\n"
		"Every interface xdpgame holds (pins under %s): whether its\n"
		"xdpgame is alive or gone (stale: remove the leftovers with\n"
		"`xdpgame detach IFACE`), its pid, XDP mode, AF_XDP queues, game\n"
		"ports, XDP program id and attach time.\n"
		"\n"
		"  -j, --json          one JSON object: {\"interfaces\":[...]}\n"
		"  -h, --help          this text\n"
		"\n"
		"Exit status: 0 (also when there is none); 1 the pins cannot be read.\n",
		XG_PIN_ROOT);
}

static int status_parse(int argc, char **argv, struct status_opts *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			o->json = true;
			break;
		case 'h':
			o->help = true;
			return XG_EXIT_OK;
		default:
			status_usage(stderr);
			return XG_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		pr_warn("error: status: unexpected argument '%s'\n",
			argv[optind]);
		status_usage(stderr);
		return XG_EXIT_USAGE;
	}
	return XG_EXIT_OK;
}

/* The loader writes `info` before it attaches (mode still AUTO), and again
 * once attached: AUTO means the holder had not attached (yet). */
static const char *status_mode(const struct xg_xdp_info *info, bool alive)
{
	if (info->mode == XG_MODE_AUTO)
		return alive ? "attaching" : "none";
	return xg_mode_name(info->mode);
}

static void status_ports(FILE *f, const struct xg_xdp_info *info, bool json)
{
	__u32 i, listed = info->nports < XG_XDP_INFO_PORTS ? info->nports :
							     XG_XDP_INFO_PORTS;

	for (i = 0; i < listed; i++)
		fprintf(f, "%s%u", i ? "," : "", info->ports[i]);
	if (!json && info->nports > listed)
		fprintf(f, " (+%u more)", info->nports - listed);
	if (!json && !listed)
		fprintf(f, "none");
}

static void status_text(FILE *f, const char *ifname,
			const struct xg_xdp_info *info, bool alive)
{
	char tb[TIME_LEN];

	fprintf(f, "%s: %s, pid %u%s, mode %s, %u AF_XDP queue%s, ports ",
		ifname, alive ? "alive" : "stale", info->pid,
		alive ? "" : " (gone)", status_mode(info, alive), info->nqueues,
		info->nqueues == 1 ? "" : "s");
	status_ports(f, info, false);
	fprintf(f, ", program id %u", info->prog_id);
	if (info->attach_time)
		fprintf(f, ", attached %s",
			fmt_time(info->attach_time, false, tb));
	if (!if_nametoindex(ifname))
		fprintf(f, " (no such interface in this network namespace)");
	fputc('\n', f);
	if (!alive)
		fprintf(f, "  stale: remove what it left with `xdpgame detach %s`\n",
			ifname);
}

static void status_json(FILE *f, const char *ifname,
			const struct xg_xdp_info *info, bool alive, bool first)
{
	char tb[TIME_LEN];

	fprintf(f, "%s{\"interface\":\"%s\",\"alive\":%s,\"pid\":%u,"
		   "\"mode\":\"%s\",\"queues\":%u,\"ports\":[",
		first ? "" : ",", ifname, alive ? "true" : "false", info->pid,
		status_mode(info, alive), info->nqueues);
	status_ports(f, info, true);
	fprintf(f, "],\"nports\":%u,\"prog_id\":%u,\"redirect\":%s,"
		   "\"kernel_replies\":%s",
		info->nports, info->prog_id,
		info->flags & XG_INFO_REDIRECT ? "true" : "false",
		info->flags & XG_INFO_KERNEL_REPLIES ? "true" : "false");
	if (info->attach_time)
		fprintf(f, ",\"attach_time\":\"%s\",\"attach_time_ns\":%" PRIu64,
			fmt_time(info->attach_time, true, tb),
			(uint64_t)info->attach_time);
	fprintf(f, "}");
}

static int status_cb(const char *ifname, const struct xg_xdp_info *info,
		     bool alive, void *arg)
{
	struct status_opts *o = arg;

	if (o->json)
		status_json(stdout, ifname, info, alive, o->n == 0);
	else
		status_text(stdout, ifname, info, alive);
	o->n++;
	return 0;
}

int cmd_status(int argc, char **argv)
{
	struct status_opts o = {};
	int ret;

	ret = status_parse(argc, argv, &o);
	if (ret || o.help) {
		if (o.help)
			status_usage(stdout);
		return ret;
	}
	if (o.json)
		printf("{\"interfaces\":[");
	ret = xg_xdp_list(status_cb, &o);
	if (o.json)
		printf("]}\n");
	if (ret < 0) {
		pr_warn("error: cannot list %s: %s\n", XG_PIN_ROOT,
			strerror(-ret));
		return XG_EXIT_FAIL;
	}
	if (!o.json && !o.n)
		printf("no interface is held by xdpgame\n");
	return XG_EXIT_OK;
}
