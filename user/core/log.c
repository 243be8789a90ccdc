/* SPDX-License-Identifier: MIT */
/* Logging: see log.h. The level is the one process-wide setting that is not
 * passed in a context struct: it is set once from the command line. */
#include <stdarg.h>
#include <stdio.h>

#include <bpf/libbpf.h>

#include "core/log.h"

static enum xg_log_level log_level = XG_LOG_INFO;

void xg_log_set_level(enum xg_log_level level)
{
	log_level = level;
}

enum xg_log_level xg_log_get_level(void)
{
	return log_level;
}

void xg_log(enum xg_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	enum xg_log_level l = level == LIBBPF_WARN ? XG_LOG_WARN :
			      level == LIBBPF_INFO ? XG_LOG_INFO :
						     XG_LOG_DEBUG;

	/* libbpf's info lines are chatty; show them only with -v. */
	if (l != XG_LOG_WARN && log_level < XG_LOG_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void xg_log_init_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
