/* SPDX-License-Identifier: MIT */
/*
 * AF_XDP engine: one XSK socket per selected RX queue, registered in the XDP
 * program's `xsks` map at its queue index, each drained by its own worker
 * thread pinned to a CPU. A worker runs the same handlers as the kernel
 * sockets on the frames in place and sends each reply from the frame it
 * came in (addresses swapped, checksums fixed: include/xdpgame/parsing.h).
 *
 * UMEM: one per socket, not shared. A worker then owns all of its frames
 * (no frame ever crosses threads, no lock), and a queue whose socket goes
 * away takes only its own frames with it. A shared UMEM saves memory only
 * when many queues share one zero-copy device; at 4096 frames of 2 KiB
 * (8 MiB a queue) that is not worth cross-thread frame traffic.
 */
#ifndef XDPGAME_ENGINE_XSK_H
#define XDPGAME_ENGINE_XSK_H

#include <linux/if_xdp.h>
#include <stdio.h>

#include "engine/server.h"

enum xg_zc_mode { XG_ZC_AUTO, XG_ZC_ON, XG_ZC_OFF };

struct xg_xsk_opts {
	int nqueues;          /* queues 0..nqueues-1 */
	enum xg_zc_mode zero_copy;
	bool busy_poll;       /* SO_PREFER_BUSY_POLL + spin on the rings */
	int xsks_map_fd;
};

struct xg_xsk_engine;

/* Create and register every queue's socket (nothing runs yet). 0 or a
 * negative errno with a message saying what failed. */
int xg_xsk_open(struct xg_server *srv, const struct xg_xsk_opts *o,
		struct xg_xsk_engine **out);
int xg_xsk_start(struct xg_xsk_engine *e);
/* "zero-copy" or "copy" for what the sockets got. */
const char *xg_xsk_bind_mode(const struct xg_xsk_engine *e);
/* Per-queue XDP_STATISTICS and frame accounting, text or JSON array. */
void xg_xsk_report(FILE *f, struct xg_xsk_engine *e, bool json);
/* An AF_XDP worker's socket statistics (XDP_STATISTICS); zeros for a
 * worker of another engine. Any thread. */
void xg_xsk_worker_stats(const struct xg_worker *w, struct xdp_statistics *s);
/* Every frame accounted for (call after the workers stopped). */
bool xg_xsk_frames_ok(struct xg_xsk_engine *e);
/* Join the workers (srv->stop must be set); sockets stay open, so their
 * statistics can still be read. NULL-safe. */
void xg_xsk_stop(struct xg_xsk_engine *e);
/* Stop if needed, close the sockets, free. NULL-safe. */
void xg_xsk_destroy(struct xg_xsk_engine *e);

#endif
