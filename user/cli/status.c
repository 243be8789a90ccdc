/* SPDX-License-Identifier: MIT */
/*
 * xdpgame status [--json]: every interface xdpgame holds, found through the
 * pins (xdp/loader.h: a directory per interface under XG_PIN_ROOT, named by
 * network namespace and ifindex, its `info` map, and the lock its holder
 * keeps on it): alive or stale, pid, mode, queues, ports, program id,
 * attach time; an interface of another network namespace is named as it
 * was at attach, with that namespace. --json prints one document:
 * {"interfaces":[{"interface":...,"alive":...,...},...]}.
 */
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cmds.h"
#include "core/json.h"
#include "core/log.h"
#include "xdp/loader.h"

enum { TIME_LEN = 32 };

struct status_opts {
	bool json;
	bool help;
	int n;              /* instances seen so far */
	xg_json *instances; /* with --json: the "interfaces" array */
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

/* How many ports `info` lists: nports, or XG_XDP_INFO_PORTS if more. */
static __u32 listed_ports(const struct xg_xdp_info *info)
{
	return info->nports < XG_XDP_INFO_PORTS ? info->nports :
						  XG_XDP_INFO_PORTS;
}

static void status_ports(FILE *f, const struct xg_xdp_info *info)
{
	__u32 i, listed = listed_ports(info);

	for (i = 0; i < listed; i++)
		fprintf(f, "%s%u", i ? "," : "", info->ports[i]);
	if (info->nports > listed)
		fprintf(f, " (+%u more)", info->nports - listed);
	if (!listed)
		fprintf(f, "none");
}

static void status_text(FILE *f, const struct xg_xdp_instance *in)
{
	const struct xg_xdp_info *info = in->info;
	const char *ifname = in->ifname;
	bool alive = in->alive;
	char tb[TIME_LEN];

	fprintf(f, "%s: %s, pid %u%s, mode %s, %u AF_XDP queue%s, ports ",
		ifname, alive ? "alive" : "stale", info->pid,
		alive ? "" : " (gone)", status_mode(info, alive), info->nqueues,
		info->nqueues == 1 ? "" : "s");
	status_ports(f, info);
	fprintf(f, ", program id %u", info->prog_id);
	if (info->attach_time)
		fprintf(f, ", attached %s",
			fmt_time(info->attach_time, false, tb));
	if (!in->here)
		fprintf(f, " (network namespace %llu, ifindex %d)",
			(unsigned long long)in->netns, in->ifindex);
	else if (in->gone)
		fprintf(f, " (no such interface in this network namespace)");
	else if (in->recorded[0] && strcmp(in->recorded, ifname))
		fprintf(f, " (attached as %s)", in->recorded);
	fputc('\n', f);
	if (!alive)
		fprintf(f, "  stale: remove what it left with `xdpgame detach %s`\n",
			ifname);
}

/* One element of "interfaces". Ports: the ones `info` lists (at most
 * XG_XDP_INFO_PORTS); nports: how many the holder serves. */
static xg_json *status_json(const struct xg_xdp_instance *in)
{
	const struct xg_xdp_info *info = in->info;
	const char *ifname = in->ifname;
	bool alive = in->alive;
	xg_json *o = xg_json_obj(), *ports;
	__u32 i, listed = listed_ports(info);
	char tb[TIME_LEN];

	xg_json_str(o, "interface", ifname);
	xg_json_str(o, "attached_as", in->recorded);
	xg_json_u64(o, "netns", in->netns);
	xg_json_i64(o, "ifindex", in->ifindex);
	xg_json_bool(o, "this_netns", in->here);
	xg_json_str(o, "pin_dir", in->pin_dir);
	xg_json_bool(o, "alive", alive);
	xg_json_u64(o, "pid", info->pid);
	xg_json_str(o, "mode", status_mode(info, alive));
	xg_json_u64(o, "queues", info->nqueues);
	ports = xg_json_add(o, "ports", xg_json_arr());
	for (i = 0; i < listed; i++)
		xg_json_push_u64(ports, info->ports[i]);
	xg_json_u64(o, "nports", info->nports);
	xg_json_u64(o, "prog_id", info->prog_id);
	xg_json_bool(o, "redirect", info->flags & XG_INFO_REDIRECT);
	xg_json_bool(o, "kernel_replies", info->flags & XG_INFO_KERNEL_REPLIES);
	xg_json_bool(o, "route_check", info->flags & XG_INFO_ROUTE_CHECK);
	if (info->attach_time) {
		xg_json_str(o, "attach_time",
			    fmt_time(info->attach_time, true, tb));
		xg_json_u64(o, "attach_time_ns", info->attach_time);
	}
	return o;
}

static int status_cb(const struct xg_xdp_instance *in, void *arg)
{
	struct status_opts *o = arg;

	if (o->json)
		xg_json_push(o->instances, status_json(in));
	else
		status_text(stdout, in);
	o->n++;
	return 0;
}

int cmd_status(int argc, char **argv)
{
	struct status_opts o = {};
	xg_json *root = NULL;
	int ret;

	ret = status_parse(argc, argv, &o);
	if (ret || o.help) {
		if (o.help)
			status_usage(stdout);
		return ret;
	}
	if (o.json) {
		root = xg_json_obj();
		o.instances = xg_json_add(root, "interfaces", xg_json_arr());
	}
	ret = xg_xdp_list(status_cb, &o);
	if (o.json && xg_json_print(stdout, root)) {
		pr_warn("error: status: cannot write the JSON document\n");
		return XG_EXIT_FAIL;
	}
	if (ret < 0) {
		pr_warn("error: cannot list %s: %s\n", XG_PIN_ROOT,
			strerror(-ret));
		return XG_EXIT_FAIL;
	}
	if (!o.json && !o.n)
		printf("no interface is held by xdpgame\n");
	return XG_EXIT_OK;
}
