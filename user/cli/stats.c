/* SPDX-License-Identifier: MIT */
/*
 * xdpgame stats IFACE [--json] [--watch]: the XDP program's counters of the
 * instance on IFACE, and the workers its holder publishes, read from the
 * pins only (xdp/loader.h), so it works from any process, and after the
 * holder was killed. --json prints one document; --watch --json one per
 * interval. The one file-scope variable is the --watch signal flag.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/cmds.h"
#include "cli/metrics.h"
#include "core/json.h"
#include "core/log.h"
#include "core/stats.h"
#include "core/util.h"
#include "xdp/loader.h"

/* Set by SIGINT/SIGTERM while `stats --watch` runs. */
static volatile sig_atomic_t watch_stop;

enum { PATH_LEN = 128 };

struct stats_opts {
	const char *ifname;
	bool json;
	bool prometheus;
	bool watch;
	double interval_s;
	bool help;
};

static void stats_usage(FILE *f)
{
	fprintf(f,
		"usage: xdpgame stats IFACE [--json|--prometheus] [--watch] [--interval S]\n"
		"\n"
		"The XDP program's counters of the xdpgame running on IFACE, read\n"
		"from its pins (%s/NETNS-IFINDEX/" XG_PIN_STATS "): packets and\n"
		"bytes per counter, summed over the CPUs, since the attach.\n"
		"\n"
		"  -j, --json          one JSON object: {\"interface\":...,\"counters\":\n"
		"                      {\"NAME\":{\"packets\":N,\"bytes\":N},...},\n"
		"                      \"workers\":[...]}\n"
		"  -p, --prometheus    the same counters in the Prometheus text format,\n"
		"                      as `attach --metrics` serves them (without the\n"
		"                      service-time histogram, which is not pinned)\n"
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
		{ "prometheus", no_argument, NULL, 'p' },
		{ "watch", no_argument, NULL, 'w' },
		{ "interval", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int opt;

	o->interval_s = 1.0;
	while ((opt = getopt_long(argc, argv, "jpwi:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			o->json = true;
			break;
		case 'p':
			o->prometheus = true;
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
	if (o->prometheus && (o->json || o->watch)) {
		pr_warn("error: stats: --prometheus is a format of its own, without --json or --watch (Prometheus computes rates itself)\n");
		return XG_EXIT_USAGE;
	}
	if (xg_arg_ifname("stats", argc, argv, &o->ifname)) {
		stats_usage(stderr);
		return XG_EXIT_USAGE;
	}
	return XG_EXIT_OK;
}

/*
 * The holder's workers, as it publishes them once a second in the pinned
 * `workers` map: per worker (kernel socket or AF_XDP queue) packets and
 * bytes in and out, requests handled per type, and for AF_XDP the socket's
 * XDP_STATISTICS. Into *out (free it); how many, 0 if none or unreadable.
 */
static int read_workers(const char *ifname, struct xg_worker_pub **out)
{
	*out = calloc(XG_XDP_MAX_WORKERS, sizeof(**out));
	if (!*out)
		return 0;
	return xg_xdp_read_workers(ifname, *out, XG_XDP_MAX_WORKERS);
}

static const char *worker_path(const struct xg_worker_pub *p)
{
	return p->path == XG_WPATH_XSK ? "xsk" :
	       p->path == XG_WPATH_TCP ? "tcp" : "socket";
}

static void workers_text(FILE *f, const char *ifname)
{
	struct xg_worker_pub *w;
	int n = read_workers(ifname, &w);

	const char *name;
	__u64 v, denied;

	for (int i = 0; i < n; i++) {
		const struct xg_worker_pub *p = &w[i];

		denied = 0;
		for (int d = 1; d < XG_DENY_NREASONS; d++)
			denied += p->denied[d];

		if (!i)
			fprintf(f, "workers (published by the server once a second):\n");
		fprintf(f, "  %-6s queue %2d cpu %2d: in %llu (%llu bytes), out %llu (%llu bytes), malformed %llu, denied %llu, drops %llu, errors %llu",
			worker_path(p), p->queue, p->cpu, p->rx_packets,
			p->rx_bytes, p->tx_packets, p->tx_bytes, p->malformed,
			denied, p->drops, p->errors);
		for (int k = 0; p->path == XG_WPATH_XSK &&
				xg_worker_pub_xsk(p, k, &name, &v) == 0; k++)
			fprintf(f, "%s %s %llu", k ? "" : "; xsk", name, v);
		fputc('\n', f);
	}
	free(w);
}

/* One element of "workers"; the XDP_STATISTICS members are there for every
 * path (0 for kernel sockets). */
static xg_json *worker_json(const struct xg_worker_pub *p)
{
	xg_json *o = xg_json_obj(), *m;
	const char *name;
	__u64 v;

	xg_json_str(o, "path", worker_path(p));
	xg_json_i64(o, "queue", p->queue);
	xg_json_i64(o, "cpu", p->cpu);
	xg_json_u64(o, "rx_packets", p->rx_packets);
	xg_json_u64(o, "rx_bytes", p->rx_bytes);
	xg_json_u64(o, "tx_packets", p->tx_packets);
	xg_json_u64(o, "tx_bytes", p->tx_bytes);
	xg_json_u64(o, "malformed", p->malformed);
	xg_json_u64(o, "drops", p->drops);
	xg_json_u64(o, "errors", p->errors);
	m = xg_json_add(o, "handled", xg_json_obj());
	for (int t = 1; t < XG_MSG_NTYPES; t++)
		xg_json_u64(m, xg_msg_name(t), p->handled[t]);
	m = xg_json_add(o, "acks", xg_json_obj());
	for (int st = 0; st < XG_ST_NSTATUS; st++)
		xg_json_u64(m, xg_status_name(st), p->status[st]);
	m = xg_json_add(o, "denied", xg_json_obj());
	for (int d = 1; d < XG_DENY_NREASONS; d++)
		xg_json_u64(m, xg_deny_name(d), p->denied[d]);
	for (int k = 0; xg_worker_pub_xsk(p, k, &name, &v) == 0; k++)
		xg_json_u64(o, name, v);
	return o;
}

/* The live settings: what `xdpgame set` changes, and the ports the kernel
 * sockets are bound to. false if they cannot be read (said). */
struct settings {
	struct xg_xdp_config cfg;
	__u16 ports[XG_XDP_MAX_PORTS];
	int nports;
	struct xg_xdp_info info;
};

static bool read_settings(const char *ifname, struct settings *st)
{
	bool alive;

	xg_xdp_find(ifname, &st->info, &alive);
	if (st->info.nports > XG_XDP_INFO_PORTS)
		st->info.nports = XG_XDP_INFO_PORTS;
	st->nports = xg_xdp_ports_read(ifname, st->ports, XG_XDP_MAX_PORTS);
	return st->nports >= 0 && !xg_xdp_config_read(ifname, &st->cfg);
}

static void settings_text(FILE *f, const char *ifname)
{
	struct settings st;

	if (!read_settings(ifname, &st))
		return;
	fprintf(f, "settings (`xdpgame set`):");
	for (int i = 0; i < xg_nsettings; i++) {
		const struct xg_setting *s = &xg_settings[i];
		char v[32];

		xg_setting_format(s, xg_setting_get(s, &st.cfg), v, sizeof(v));
		fprintf(f, "%s %s %s", i && i % 3 == 0 ? "\n " : "", s->opt, v);
	}
	fprintf(f, "\n  ports steered by XDP:");
	for (int i = 0; i < st.nports; i++)
		fprintf(f, "%s%u", i ? "," : " ", st.ports[i]);
	fprintf(f, "%s; kernel sockets on:", st.nports ? "" : " none");
	for (__u32 i = 0; i < st.info.nports; i++)
		fprintf(f, "%s%u", i ? "," : " ", st.info.ports[i]);
	fputc('\n', f);
}

/* "settings":{NAME:bool|N,...,"ports":[...],"socket_ports":[...]}; a rate
 * row gives two keys, its rate and its burst member */
static void settings_json(xg_json *root, const char *ifname)
{
	struct settings st;
	xg_json *o, *a;

	if (!read_settings(ifname, &st))
		return;
	o = xg_json_add(root, "settings", xg_json_obj());
	for (int i = 0; i < xg_nsettings; i++) {
		const struct xg_setting *s = &xg_settings[i];
		struct xg_setting_val v = xg_setting_get(s, &st.cfg);

		if (s->kind == XG_SET_BOOL)
			xg_json_bool(o, s->name, v.v);
		else
			xg_json_u64(o, s->name, v.v);
		if (s->kind == XG_SET_RATE)
			xg_json_u64(o, s->burst, v.burst);
	}
	a = xg_json_add(o, "ports", xg_json_arr());
	for (int i = 0; i < st.nports; i++)
		xg_json_push_u64(a, st.ports[i]);
	a = xg_json_add(o, "socket_ports", xg_json_arr());
	for (__u32 i = 0; i < st.info.nports; i++)
		xg_json_push_u64(a, st.info.ports[i]);
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
	workers_text(f, o->ifname);
	settings_text(f, o->ifname);
}

/* {"interface":...,"counters":{NAME:{"packets":N,"bytes":N},...},
 *  "workers":[...]} */
static int stats_print_json(FILE *f, const struct stats_opts *o,
			    const struct xg_xdp_count c[XG_CNT_MAX])
{
	xg_json *root = xg_json_obj(), *counters, *workers, *one;
	struct xg_worker_pub *w;
	int i, n;

	xg_json_str(root, "interface", o->ifname);
	counters = xg_json_add(root, "counters", xg_json_obj());
	for (i = 0; i < XG_CNT_MAX; i++) {
		one = xg_json_add(counters, xg_xdp_counter_name(i),
				  xg_json_obj());
		xg_json_u64(one, "packets", c[i].packets);
		xg_json_u64(one, "bytes", c[i].bytes);
	}
	workers = xg_json_add(root, "workers", xg_json_arr());
	n = read_workers(o->ifname, &w);
	for (i = 0; i < n; i++)
		xg_json_push(workers, worker_json(&w[i]));
	free(w);
	settings_json(root, o->ifname);
	return xg_json_print(f, root);
}

/* The exposition `attach --metrics` serves, from the pins. */
static int stats_print_prometheus(FILE *f, const struct stats_opts *o,
				  const struct xg_xdp_count c[XG_CNT_MAX])
{
	struct xg_metrics_src src = { .ifname = o->ifname, .xdp = c };
	struct xg_worker_pub *w;

	src.nworkers = read_workers(o->ifname, &w);
	src.workers = w;
	xg_metrics_write(f, &src);
	free(w);
	return fflush(f) ? -EIO : 0;
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

/* One line (or JSON document) of the rates of the counters that changed:
 * {"interface":...,"seconds":S,"rates":{NAME:{"packets_per_s":R,
 * "bytes_per_s":R},...}}, seconds to the millisecond, rates to 0.1. */
static void watch_print(FILE *f, const struct stats_opts *o, double t,
			double dt, const struct xg_xdp_count prev[XG_CNT_MAX],
			const struct xg_xdp_count cur[XG_CNT_MAX])
{
	xg_json *root = NULL, *rates = NULL, *one;
	int i, n = 0;

	if (o->json) {
		root = xg_json_obj();
		xg_json_str(root, "interface", o->ifname);
		xg_json_dbl(root, "seconds", round(t * 1000) / 1000);
		rates = xg_json_add(root, "rates", xg_json_obj());
	} else {
		fprintf(f, "[%6.1fs]", t);
	}
	for (i = 0; i < XG_CNT_MAX; i++) {
		uint64_t dp = grown(prev[i].packets, cur[i].packets);
		uint64_t db = grown(prev[i].bytes, cur[i].bytes);

		if (!dp && !db)
			continue;
		if (o->json) {
			one = xg_json_add(rates, xg_xdp_counter_name(i),
					  xg_json_obj());
			xg_json_dbl(one, "packets_per_s", round(dp / dt * 10) / 10);
			xg_json_dbl(one, "bytes_per_s", round(db / dt * 10) / 10);
		} else {
			fprintf(f, "%s %s %.0f pps %.0f B/s", n ? "," : "",
				xg_xdp_counter_name(i), dp / dt, db / dt);
		}
		n++;
	}
	if (o->json)
		xg_json_print(f, root); /* flushes */
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
	struct xg_xdp_info info;
	char path[PATH_LEN];
	bool alive;
	int ret;

	ret = stats_parse(argc, argv, &o);
	if (ret || o.help) {
		if (o.help)
			stats_usage(stdout);
		return ret;
	}
	if (xg_xdp_pin_dir(o.ifname, path, sizeof(path))) {
		pr_warn("error: no xdpgame on %s (nothing pinned for it under %s); start one with `xdpgame attach %s --port P`\n",
			o.ifname, XG_PIN_ROOT, o.ifname);
		return XG_EXIT_FAIL;
	}
	if (xg_xdp_find(o.ifname, &info, &alive) && !alive)
		pr_warn("warning: the xdpgame that pinned these counters (pid %u) is gone; `xdpgame detach %s` removes what it left\n",
			info.pid, o.ifname);
	if (xg_xdp_read_stats(o.ifname, c))
		return XG_EXIT_FAIL; /* the loader said why */
	if (o.watch)
		return stats_watch(&o, c);
	if (o.prometheus)
		return stats_print_prometheus(stdout, &o, c) ? XG_EXIT_FAIL :
							       XG_EXIT_OK;
	if (o.json) {
		if (stats_print_json(stdout, &o, c)) {
			pr_warn("error: stats: cannot write the JSON document\n");
			return XG_EXIT_FAIL;
		}
		return XG_EXIT_OK;
	}
	stats_print_text(stdout, &o, c);
	return XG_EXIT_OK;
}
