/* SPDX-License-Identifier: MIT */
/* What the commands share in parsing their arguments. */
#ifndef XDPGAME_CLI_ARGS_H
#define XDPGAME_CLI_ARGS_H

/*
 * After getopt_long: the command's one positional argument, an interface
 * name as xg_ifname_check accepts it, into *ifname. XG_EXIT_OK, or
 * XG_EXIT_USAGE after one line saying what is wrong (cmd names the command).
 */
int xg_arg_ifname(const char *cmd, int argc, char **argv, const char **ifname);

#endif
