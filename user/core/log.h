/* SPDX-License-Identifier: MIT */
/*
 * One logging module for the whole program. Messages go to stderr with a
 * level; -v raises the level to debug. libbpf's own messages are routed here
 * through libbpf_set_print (see log.c), so they obey the same level.
 */
#ifndef XDPGAME_LOG_H
#define XDPGAME_LOG_H

enum xg_log_level {
	XG_LOG_WARN = 0,
	XG_LOG_INFO = 1,
	XG_LOG_DEBUG = 2,
};

void xg_log_set_level(enum xg_log_level level);
enum xg_log_level xg_log_get_level(void);
void xg_log_init_libbpf(void);

__attribute__((format(printf, 2, 3)))
void xg_log(enum xg_log_level level, const char *fmt, ...);

#define pr_warn(...) xg_log(XG_LOG_WARN, __VA_ARGS__)
#define pr_info(...) xg_log(XG_LOG_INFO, __VA_ARGS__)
#define pr_debug(...) xg_log(XG_LOG_DEBUG, __VA_ARGS__)

#endif
