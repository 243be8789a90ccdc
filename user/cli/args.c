/* SPDX-License-Identifier: MIT */
/* Argument parsing the commands share; see args.h. */
#include <getopt.h>

#include "cli/args.h"
#include "cli/cmds.h"
#include "core/log.h"
#include "core/util.h"

int xg_arg_ifname(const char *cmd, int argc, char **argv, const char **ifname)
{
	if (optind != argc - 1) {
		pr_warn("error: %s: %s\n", cmd, optind >= argc ?
			"missing interface name" : "one interface only");
		return XG_EXIT_USAGE;
	}
	*ifname = argv[optind];
	if (xg_ifname_check(*ifname)) {
		pr_warn("error: %s: invalid interface name '%s'\n", cmd,
			*ifname);
		return XG_EXIT_USAGE;
	}
	return XG_EXIT_OK;
}
