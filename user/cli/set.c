/* SPDX-License-Identifier: MIT */
/*
 * xdpgame set IFACE [--port P]... [--kernel-replies on|off] [--redirect on|off]
 *     [--handshake-rate R[/B]] [--handshake-total R[/B]] [--session-rate R[/B]]
 *     [--session-timeout MS]
 *
 * Changes the running instance's settings through its pins: the game ports
 * the XDP program steers (`ports`) and the members of its `config` map, one
 * option per row of xg_settings (xdp/loader.h), so a new config member is a
 * new option here without a line of this file changing. Nothing restarts
 * and no packet is lost: each change is one map update the program sees at
 * its next packet. The config is read, changed and written whole, so the
 * members not named (the interface's MAC among them) keep their values.
 * The limits also reach the holder's user-space sessions within a second.
 *
 * Ports: the kernel sockets, the fallback of every game packet that does
 * not reach an AF_XDP socket, are bound at attach to the ports given then
 * (recorded in `info`). `--port` may therefore choose among those ports
 * only; a port the server has no socket for is refused, naming the restart
 * that adds it. A port taken off the XDP set goes to its kernel socket: it
 * is still served, on the slow path, without the program's validation.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/cmds.h"
#include "core/log.h"
#include "core/util.h"
#include "xdp/loader.h"

enum {
	OPT_PORT = 'p',
	OPT_HELP = 'h',
	OPT_SETTING = 0x100, /* + index in xg_settings */
};

struct set_opts {
	const char *ifname;
	__u16 ports[XG_XDP_MAX_PORTS];
	int nports;
	struct xg_setting_val values[XG_SETTINGS_MAX]; /* per row, if given */
	bool given[XG_SETTINGS_MAX];
	int ngiven;
	bool help;
};

static void set_usage(FILE *f)
{
	fprintf(f,
		"usage: xdpgame set IFACE [--port P]... [SETTING VALUE]...\n"
		"\n"
		"Change the settings of the xdpgame running on IFACE through its\n"
		"pinned maps, without a restart and without losing a packet.\n"
		"`xdpgame stats IFACE` shows the current ones.\n"
		"\n"
		"  -p, --port P        the game ports the XDP program steers (repeat\n"
		"                      for each; the whole new set). Only ports the\n"
		"                      server was started with: they have kernel\n"
		"                      sockets; a port left out is served by them\n");
	for (int i = 0; i < xg_nsettings; i++) {
		const struct xg_setting *s = &xg_settings[i];

		fprintf(f, "      --%s %s\n", s->opt, s->arg);
		fprintf(f, "                      %s\n", s->help);
	}
	fprintf(f,
		"  -h, --help          this text\n"
		"\n"
		"Exit status: 0 changed; 1 no running xdpgame on IFACE, a port it\n"
		"cannot serve, or a map update failed; 2 usage.\n");
}

static int set_parse(int argc, char **argv, struct set_opts *o)
{
	struct option longopts[XG_SETTINGS_MAX + 3] = {
		{ "port", required_argument, NULL, OPT_PORT },
		{ "help", no_argument, NULL, OPT_HELP },
	};
	int opt, n = 2;

	for (int i = 0; i < xg_nsettings; i++, n++)
		longopts[n] = (struct option){ xg_settings[i].opt,
					       required_argument, NULL,
					       OPT_SETTING + i };
	while ((opt = getopt_long(argc, argv, "p:h", longopts, NULL)) != -1) {
		if (opt >= OPT_SETTING && opt < OPT_SETTING + xg_nsettings) {
			int i = opt - OPT_SETTING;

			if (xg_setting_parse(&xg_settings[i], optarg,
					     &o->values[i])) {
				pr_warn("error: set: invalid --%s '%s': want %s (%s)\n",
					xg_settings[i].opt, optarg,
					xg_settings[i].arg,
					xg_settings[i].help);
				return XG_EXIT_USAGE;
			}
			o->ngiven += !o->given[i];
			o->given[i] = true;
			continue;
		}
		switch (opt) {
		case OPT_PORT:
			if (o->nports == XG_MAX_PORTS ||
			    xg_parse_port(optarg, &o->ports[o->nports])) {
				pr_warn("error: set: invalid --port '%s': want 1..65535, at most %d\n",
					optarg, XG_MAX_PORTS);
				return XG_EXIT_USAGE;
			}
			o->nports++;
			break;
		case OPT_HELP:
			o->help = true;
			return XG_EXIT_OK;
		default:
			set_usage(stderr);
			return XG_EXIT_USAGE;
		}
	}
	if (xg_arg_ifname("set", argc, argv, &o->ifname)) {
		set_usage(stderr);
		return XG_EXIT_USAGE;
	}
	return XG_EXIT_OK;
}

/* Every port asked for has a kernel socket in the running server. */
static int check_ports(const struct set_opts *o, const struct xg_xdp_info *info)
{
	__u32 listed = info->nports < XG_XDP_INFO_PORTS ? info->nports :
							  XG_XDP_INFO_PORTS;

	for (int i = 0; i < o->nports; i++) {
		bool ok = false;

		for (__u32 k = 0; k < listed; k++)
			ok |= info->ports[k] == o->ports[i];
		if (ok)
			continue;
		pr_warn("error: set: the xdpgame on %s has no kernel socket on port %u (it was started with port%s",
			o->ifname, o->ports[i], listed == 1 ? "" : "s");
		for (__u32 k = 0; k < listed; k++)
			pr_warn("%s%u", k ? "," : " ", info->ports[k]);
		pr_warn("), so packets to it that miss an AF_XDP socket could not be served; add it with a restart: xdpgame attach %s --port %u ...\n",
			o->ifname, o->ports[i]);
		return -EINVAL;
	}
	return 0;
}

int cmd_set(int argc, char **argv)
{
	struct set_opts o = {};
	struct xg_xdp_config cfg;
	struct xg_xdp_info info;
	bool alive;
	int ret;

	ret = set_parse(argc, argv, &o);
	if (ret || o.help) {
		if (o.help)
			set_usage(stdout);
		return ret;
	}
	if (!xg_xdp_find(o.ifname, &info, &alive) || !alive) {
		pr_warn("error: set: no running xdpgame on %s; `xdpgame status` lists them\n",
			o.ifname);
		return XG_EXIT_FAIL;
	}
	if (!o.nports && !o.ngiven) {
		pr_warn("error: set: nothing to change; see `xdpgame set --help`\n");
		return XG_EXIT_USAGE;
	}
	if (o.nports) {
		if (check_ports(&o, &info) ||
		    xg_xdp_ports_write(o.ifname, o.ports, o.nports))
			return XG_EXIT_FAIL;
		pr_info("%s: the XDP program steers port%s", o.ifname,
			o.nports == 1 ? "" : "s");
		for (int i = 0; i < o.nports; i++)
			pr_info("%s%u", i ? "," : " ", o.ports[i]);
		pr_info("\n");
	}
	if (!o.ngiven)
		return XG_EXIT_OK;
	/* the whole config in one update: the program never sees half */
	if (xg_xdp_config_read(o.ifname, &cfg))
		return XG_EXIT_FAIL;
	for (int i = 0; i < xg_nsettings; i++)
		if (o.given[i])
			xg_setting_put(&xg_settings[i], &cfg, o.values[i]);
	if (xg_xdp_config_write(o.ifname, &cfg))
		return XG_EXIT_FAIL;
	if (cfg.route_check && !(xg_route_families() & XG_ROUTE_IPV4))
		pr_warn("warning: %s: route check on, but net.ipv4.conf.lo.forwarding is 0 here: the route lookup is refused, so every game request goes to the kernel socket (pass_route); run sysctl -w net.ipv4.conf.lo.forwarding=1\n",
			o.ifname);
	for (int i = 0; i < xg_nsettings; i++)
		if (o.given[i]) {
			char v[32];

			xg_setting_format(&xg_settings[i], o.values[i], v,
					  sizeof(v));
			pr_info("%s: %s %s\n", o.ifname, xg_settings[i].opt, v);
		}
	return XG_EXIT_OK;
}
