/* SPDX-License-Identifier: MIT */
/* Splitting the load target ADDR:PORT; see target.h. */
#include <errno.h>
#include <string.h>

#include "core/log.h"
#include "load/target.h"

int xg_load_split_target(const char *target, char *host, size_t hostsz,
			 const char **port)
{
	const char *colon = strrchr(target, ':');
	size_t hl;

	if (!colon || colon == target || !colon[1]) {
		pr_warn("error: load: target '%s' is not ADDR:PORT\n", target);
		return -EINVAL;
	}
	hl = (size_t)(colon - target);
	if (target[0] == '[' && colon[-1] == ']') {
		target++;
		hl -= 2;
	}
	if (hl >= hostsz) {
		pr_warn("error: load: host name too long\n");
		return -EINVAL;
	}
	memcpy(host, target, hl);
	host[hl] = '\0';
	*port = colon + 1;
	return 0;
}
