/* SPDX-License-Identifier: MIT */
/*
 * xdpgame detach IFACE: remove what a killed instance left behind (its XDP
 * program where it is still the attached one, and its pins), found through
 * its pins only (xdp/loader.h), so it works from any process after the
 * holder died. A live holder is never touched.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli/args.h"
#include "cli/cmds.h"
#include "core/log.h"
#include "xdp/loader.h"

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
		"IFACE: its pins under %s/NETNS-IFINDEX. Its XDP program\n"
		"is gone already: it was attached through a bpf_link that died with\n"
		"the process (one an older xdpgame attached through netlink is\n"
		"removed if it is the pinned one). Every step is reported. A program\n"
		"that is not xdpgame's is left alone. A running xdpgame is not\n"
		"touched: stop it with SIGTERM, it cleans up itself. IFACE is a name\n"
		"in this network namespace (or the name it had at attach, if gone).\n"
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
	if (xg_arg_ifname("detach", argc, argv, &o->ifname)) {
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
	struct xg_xdp_info info;
	int ret, err;
	bool alive;

	ret = detach_parse(argc, argv, &o);
	if (ret || o.help) {
		if (o.help)
			detach_usage(stdout);
		return ret;
	}
	if (xg_xdp_find(o.ifname, &info, &alive) && alive) {
		detach_refuse_live(o.ifname, &info);
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
