/* SPDX-License-Identifier: MIT */
/*
 * xdpgame reload IFACE: swap in the XDP program built into this binary for
 * the one the running instance on IFACE has, atomically, keeping its AF_XDP
 * sockets, maps and state (xdp/reload.c). Installing a new build and
 * running its `reload` upgrades the data path without a restart; SIGHUP to
 * the server does the same with the server's own binary.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli/args.h"
#include "cli/cmds.h"
#include "core/log.h"
#include "xdp/loader.h"

static void reload_usage(FILE *f)
{
	fprintf(f,
		"usage: xdpgame reload IFACE\n"
		"\n"
		"Load the XDP program built into this xdpgame and swap it in for\n"
		"the one of the xdpgame running on IFACE, atomically (no packet\n"
		"meets no program), keeping its AF_XDP sockets, pinned maps\n"
		"(counters, ports, settings) and game state. A new program whose\n"
		"maps changed layout is refused: restart the server for that.\n"
		"The program is attached through a bpf_link only the server holds:\n"
		"the new one is pinned as prog_next beside the instance's pins and\n"
		"the server, sent SIGHUP, swaps it in. SIGHUP alone (systemctl\n"
		"reload xdpgame@IFACE) does the same with the server's own binary.\n"
		"\n"
		"  -v, --verbose       debug messages (the verifier's log on failure)\n"
		"  -h, --help          this text\n"
		"\n"
		"Exit status: 0 swapped; 1 no running xdpgame with an XDP program on\n"
		"IFACE, or the new program failed to load or swap (the old one\n"
		"keeps serving); 2 usage.\n");
}

int cmd_reload(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *ifname;
	__u32 old_id, new_id;
	int opt;

	while ((opt = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'v':
			xg_log_set_level(XG_LOG_DEBUG);
			break;
		case 'h':
			reload_usage(stdout);
			return XG_EXIT_OK;
		default:
			reload_usage(stderr);
			return XG_EXIT_USAGE;
		}
	}
	if (xg_arg_ifname("reload", argc, argv, &ifname)) {
		reload_usage(stderr);
		return XG_EXIT_USAGE;
	}
	if (xg_xdp_reload(ifname, &old_id, &new_id))
		return XG_EXIT_FAIL;
	pr_info("%s: XDP program id %u replaced by id %u; sockets, maps and state kept\n",
		ifname, old_id, new_id);
	return XG_EXIT_OK;
}
