/* SPDX-License-Identifier: MIT */
/*
 * xdpgame: an AF_XDP/eBPF fast path for realtime UDP game servers.
 * Entry point: global options, then dispatch through the command table.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cmds.h"
#include "core/log.h"

struct xg_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct xg_cmd commands[] = {
	{ "attach", cmd_attach, "serve the game on an interface until stopped" },
	{ "set", cmd_set, "change ports and settings of a running xdpgame, live" },
	{ "reload", cmd_reload, "swap in a new XDP program, keeping sockets and state" },
	{ "detach", cmd_detach, "remove what a killed xdpgame left on an interface" },
	{ "stats", cmd_stats, "the XDP counters of the xdpgame on an interface" },
	{ "status", cmd_status, "every interface xdpgame holds, alive or stale" },
	{ "load", cmd_load, "play against a server: load generator and latency analyser" },
	{ "doctor", cmd_doctor, "check an interface and the host, with tuning advice" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: xdpgame COMMAND [options]   (xdpgame COMMAND --help)\n\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv)
{
	size_t i;

	xg_log_init_libbpf();
	if (argc < 2) {
		usage(stderr);
		return XG_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return XG_EXIT_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "error: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return XG_EXIT_USAGE;
}
