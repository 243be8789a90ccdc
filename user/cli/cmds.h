/* SPDX-License-Identifier: MIT */
/*
 * The xdpgame commands. main.c dispatches through a table of these; each
 * command parses its own options (getopt_long, argv[0] is the command name)
 * into its own config struct and returns the process exit status:
 * 0 success, 1 failure (one clear line already printed), 2 usage error.
 */
#ifndef XDPGAME_CMDS_H
#define XDPGAME_CMDS_H

enum xg_exit {
	XG_EXIT_OK = 0,
	XG_EXIT_FAIL = 1,
	XG_EXIT_USAGE = 2,
};

int cmd_attach(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_reload(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_load(int argc, char **argv);

#endif
