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
 *
 * The worker's loop is in xsk_loop.c; what the two files share, in
 * xsk_internal.h.
 *
 * A queue whose socket cannot be opened (another AF_XDP socket bound there,
 * the driver refusing) is left to the kernel sockets: its `xsks` slot stays
 * empty, so the XDP program passes its game packets up. The engine serves
 * the queues that opened, says which fell back, and reserves a worker slot
 * only for a queue that opened, so no worker that never ran is listed. If
 * no queue opens (or --zero-copy on and one fails), open fails as a whole.
 *
 * Driven through struct xg_engine_ops (engine.h): xg_engine_xsk.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/if_xdp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <xdp/xsk.h>
#include <xdpgame/parsing.h>

#include "core/log.h"
#include "engine/engine.h"
#include "engine/frames.h"
#include "engine/xsk_internal.h"

#ifndef SO_PREFER_BUSY_POLL
#define SO_PREFER_BUSY_POLL 69
#endif
#ifndef SO_BUSY_POLL_BUDGET
#define SO_BUSY_POLL_BUDGET 70
#endif

static int umem_create(struct xsk_worker *x)
{
	struct xsk_umem_config ucfg = {
		.fill_size = XSK_RING,
		.comp_size = XSK_RING,
		.frame_size = XSK_FRAME_SIZE,
		.frame_headroom = XSK_HEADROOM,
	};

	return xsk_umem__create(&x->umem, x->buf,
				(uint64_t)XSK_FRAMES * XSK_FRAME_SIZE, &x->fq,
				&x->cq, &ucfg);
}

static int socket_create(struct xsk_worker *x, const char *ifname, bool zc)
{
	struct xsk_socket_config cfg = {
		.rx_size = XSK_RING,
		.tx_size = XSK_RING,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = XDP_USE_NEED_WAKEUP | (zc ? XDP_ZEROCOPY : XDP_COPY),
	};

	return xsk_socket__create(&x->xsk, ifname, (uint32_t)x->queue, x->umem,
				  &x->rx, &x->tx, &cfg);
}

/* Zero-copy first (unless off); where the driver refuses it, a new UMEM and
 * copy mode (unless on). */
static int bind_queue(struct xsk_worker *x, const char *ifname,
		      enum xg_zc_mode zc, bool *got_zc)
{
	int err;

	err = umem_create(x);
	if (err)
		return err;
	if (zc != XG_ZC_OFF) {
		err = socket_create(x, ifname, true);
		if (!err) {
			*got_zc = true;
			return 0;
		}
		if (zc == XG_ZC_ON) {
			pr_warn("error: %s queue %d: zero-copy refused: %s; the driver has no AF_XDP zero-copy (try --zero-copy auto)\n",
				ifname, x->queue, strerror(-err));
			return err;
		}
		if (x->queue == 0)
			pr_info("xdpgame: %s: zero-copy refused (%s); AF_XDP in copy mode\n",
				ifname, strerror(-err));
		xsk_umem__delete(x->umem);
		x->umem = NULL;
		err = umem_create(x);
		if (err)
			return err;
	}
	*got_zc = false;
	return socket_create(x, ifname, false);
}

static void set_busy_poll(struct xsk_worker *x)
{
	int fd = xsk_socket__fd(x->xsk), one = 1, us = XSK_BUSY_POLL_US,
	    budget = XSK_BATCH;

	if (setsockopt(fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL, &us, sizeof(us)) ||
	    setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &budget,
		       sizeof(budget)))
		pr_warn("warning: queue %d: busy polling not available (%s; needs Linux 5.11); spinning without it\n",
			x->queue, strerror(errno));
}

/* Close what worker_open made; the worker slot is not touched. */
static void worker_close(struct xsk_worker *x)
{
	xsk_socket__delete(x->xsk); /* also takes it out of the xsks map */
	xsk_umem__delete(x->umem);
	if (x->buf)
		munmap(x->buf, (size_t)XSK_FRAMES * XSK_FRAME_SIZE);
	xg_frames_free(&x->frames);
	memset(x, 0, sizeof(*x));
}

/* Open queue q's socket and register it; the worker slot is reserved last,
 * so a queue that fails leaves none behind. On failure the caller closes
 * x. */
static int worker_open(struct xg_xsk_engine *e, struct xsk_worker *x,
		       const struct xg_engine_opts *o, int q)
{
	const char *ifname = e->srv->cfg.ifname;
	bool zc = false;
	int err;

	x->queue = q;
	x->busy_poll = e->srv->cfg.busy_poll;
	x->buf = mmap(NULL, (size_t)XSK_FRAMES * XSK_FRAME_SIZE,
		      PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (x->buf == MAP_FAILED) {
		x->buf = NULL;
		return -ENOMEM;
	}
	err = xg_frames_init(&x->frames, XSK_FRAMES, XSK_FRAME_SIZE);
	if (err)
		return err;
	err = bind_queue(x, ifname, o->zero_copy, &zc);
	if (err) {
		if (o->zero_copy != XG_ZC_ON)
			pr_warn("error: %s queue %d: cannot create an AF_XDP socket: %s%s\n",
				ifname, q, strerror(-err),
				err == -EBUSY ? " (another AF_XDP socket is bound to this queue)" : "");
		return err;
	}
	x->zero_copy = zc;
	if (x->busy_poll)
		set_busy_poll(x);
	refill(x);
	err = xsk_socket__update_xskmap(x->xsk, o->xsks_map_fd);
	if (err) {
		pr_warn("error: %s queue %d: cannot register the AF_XDP socket in the xsks map: %s\n",
			ifname, q, strerror(-err));
		return err;
	}
	x->w = xg_server_add_worker(e->srv, XG_PATH_XSK,
				    xg_server_cpu(e->srv, q));
	if (!x->w) {
		pr_warn("error: %s queue %d: no worker slot left\n", ifname, q);
		return -ENOSPC;
	}
	x->w->queue = q;
	x->w->priv = x;
	if (zc)
		e->zero_copy = true;
	return 0;
}

/* "2 queues, copy mode", and the queues that fell back. */
static void describe_build(struct xg_xsk_engine *e)
{
	size_t n;
	int i;

	n = (size_t)snprintf(e->desc, sizeof(e->desc), "%d queue%s, %s",
			     e->nworkers, e->nworkers == 1 ? "" : "s",
			     e->zero_copy ? "zero-copy mode" : "copy mode");
	for (i = 0; i < e->nfallback && n < sizeof(e->desc); i++)
		n += (size_t)snprintf(e->desc + n, sizeof(e->desc) - n, "%s%d",
				      i ? "," : "; on the kernel sockets: queue ",
				      e->fallback[i]);
}

static void xsk_destroy(void *state);

static int xsk_open(struct xg_server *srv, const struct xg_engine_opts *o,
		    void **out)
{
	struct xg_xsk_engine *e = calloc(1, sizeof(*e));
	int q, err = 0, first_err = 0;

	if (!e)
		return -ENOMEM;
	e->srv = srv;
	if (o->nqueues < 1 || o->nqueues > XG_MAX_QUEUES) {
		free(e);
		return -EINVAL;
	}
	e->workers = calloc((size_t)o->nqueues, sizeof(*e->workers));
	if (!e->workers) {
		free(e);
		return -ENOMEM;
	}
	for (q = 0; q < o->nqueues; q++) {
		struct xsk_worker *x = &e->workers[e->nworkers];

		err = worker_open(e, x, o, q);
		if (!err) {
			e->nworkers++;
			continue;
		}
		worker_close(x);
		if (!first_err)
			first_err = err;
		if (o->zero_copy == XG_ZC_ON)
			break; /* zero-copy on every queue, or fail */
		e->fallback[e->nfallback++] = q;
	}
	if (!e->nworkers || (first_err && o->zero_copy == XG_ZC_ON)) {
		xsk_destroy(e);
		return first_err ? first_err : -ENODEV;
	}
	describe_build(e);
	if (e->nfallback)
		pr_warn("warning: %s: AF_XDP on %d of %d queues; %s (see above); their game packets go to the kernel sockets\n",
			srv->cfg.ifname, e->nworkers, o->nqueues,
			strchr(e->desc, ';') + 2);
	*out = e;
	return 0;
}

static int xsk_start(void *state)
{
	struct xg_xsk_engine *e = state;
	int i, err;

	for (i = 0; i < e->nworkers; i++) {
		err = xg_worker_start(e->workers[i].w, xsk_worker_run);
		if (err)
			return err;
	}
	return 0;
}

static const char *xsk_describe(void *state)
{
	struct xg_xsk_engine *e = state;

	return e->desc;
}

static void xsk_stats(struct xsk_worker *x, struct xdp_statistics *s)
{
	socklen_t len = sizeof(*s);

	memset(s, 0, sizeof(*s));
	if (x->xsk)
		getsockopt(xsk_socket__fd(x->xsk), SOL_XDP, XDP_STATISTICS, s,
			   &len);
}

static void xsk_worker_rings(const struct xg_worker *w,
			     struct xdp_statistics *s)
{
	if (w->priv)
		xsk_stats(w->priv, s);
}

static bool frames_ok(struct xg_xsk_engine *e)
{
	int i;

	for (i = 0; e && i < e->nworkers; i++)
		if (!xg_frames_check(&e->workers[i].frames))
			return false;
	return true;
}

/* Per queue: XDP_STATISTICS and where the frames are; every frame must be
 * accounted for once the workers stopped. */
static void xsk_report(void *state, FILE *f, xg_json *json)
{
	struct xg_xsk_engine *e = state;
	xg_json *arr = json ? xg_json_add(json, "xsk", xg_json_arr()) : NULL;
	struct xdp_statistics s;
	bool ok = frames_ok(e);
	int i;

	for (i = 0; i < e->nworkers; i++) {
		struct xsk_worker *x = &e->workers[i];
		const struct xg_frames *fr = &x->frames;
		xg_json *q;

		xsk_stats(x, &s);
		if (!json) {
			fprintf(f, "  xsk queue %d: rx_dropped %llu rx_invalid_descs %llu "
				   "tx_invalid_descs %llu rx_ring_full %llu "
				   "rx_fill_ring_empty_descs %llu tx_ring_empty_descs %llu; "
				   "frames free %" PRIu64 " fill %" PRIu64 " tx %" PRIu64
				   " of %u\n",
				x->queue, s.rx_dropped, s.rx_invalid_descs,
				s.tx_invalid_descs, s.rx_ring_full,
				s.rx_fill_ring_empty_descs, s.tx_ring_empty_descs,
				xg_stat_read(&fr->nfree), xg_stat_read(&fr->in_fill),
				xg_stat_read(&fr->in_tx), fr->total);
			continue;
		}
		q = xg_json_push(arr, xg_json_obj());
		xg_json_i64(q, "queue", x->queue);
		xg_json_u64(q, "rx_dropped", s.rx_dropped);
		xg_json_u64(q, "rx_invalid_descs", s.rx_invalid_descs);
		xg_json_u64(q, "tx_invalid_descs", s.tx_invalid_descs);
		xg_json_u64(q, "rx_ring_full", s.rx_ring_full);
		xg_json_u64(q, "rx_fill_ring_empty_descs", s.rx_fill_ring_empty_descs);
		xg_json_u64(q, "tx_ring_empty_descs", s.tx_ring_empty_descs);
		xg_json_u64(q, "frames_free", xg_stat_read(&fr->nfree));
		xg_json_u64(q, "frames_fill", xg_stat_read(&fr->in_fill));
		xg_json_u64(q, "frames_tx", xg_stat_read(&fr->in_tx));
		xg_json_u64(q, "frames_total", fr->total);
	}
	if (json) {
		arr = xg_json_add(json, "xsk_fallback_queues", xg_json_arr());
		for (i = 0; i < e->nfallback; i++)
			xg_json_push_u64(arr, (uint64_t)e->fallback[i]);
		xg_json_bool(json, "frames_ok", ok);
	} else {
		for (i = 0; i < e->nfallback; i++)
			fprintf(f, "  xsk queue %d: no AF_XDP socket; served by the kernel sockets\n",
				e->fallback[i]);
		fprintf(f, "  umem frames: %s\n",
			ok ? "every frame accounted for" : "ACCOUNTING ERROR (a bug)");
	}
}

static void xsk_stop(void *state)
{
	struct xg_xsk_engine *e = state;
	int i;

	for (i = 0; e && i < e->nworkers; i++) {
		struct xsk_worker *x = &e->workers[i];

		if (x->w && x->w->started) {
			pthread_join(x->w->thread, NULL);
			x->w->started = false;
		}
	}
}

static void xsk_destroy(void *state)
{
	struct xg_xsk_engine *e = state;
	int i;

	if (!e)
		return;
	xsk_stop(e);
	for (i = 0; i < e->nworkers; i++) {
		if (e->workers[i].w)
			e->workers[i].w->priv = NULL;
		worker_close(&e->workers[i]);
	}
	pr_debug("%s: AF_XDP sockets closed (%d)\n", e->srv->cfg.ifname,
		 e->nworkers);
	free(e->workers);
	free(e);
}

const struct xg_engine_ops xg_engine_xsk = {
	.name = "xsk",
	.open = xsk_open,
	.start = xsk_start,
	.stop = xsk_stop,
	.describe = xsk_describe,
	.worker_rings = xsk_worker_rings,
	.report = xsk_report,
	.destroy = xsk_destroy,
};
