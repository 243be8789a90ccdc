/* SPDX-License-Identifier: MIT */
/* The ADDR:PORT target that both load paths take, split into its parts. */
#ifndef XDPGAME_LOAD_TARGET_H
#define XDPGAME_LOAD_TARGET_H

#include <stddef.h>

/* Split "HOST:PORT" or "[HOST]:PORT" into host (a buffer of hostsz bytes)
 * and the port's text, which points into target. 0, or -EINVAL with the
 * reason printed. */
int xg_load_split_target(const char *target, char *host, size_t hostsz,
			 const char **port);

#endif
