/* SPDX-License-Identifier: MIT */
/*
 * AF_XDP engine, a worker's loop (xsk.c has the overview and opens the
 * sockets; xsk_internal.h what the two share).
 *
 * A worker's loop: take up to a batch of RX descriptors, handle each frame
 * (walk to the UDP payload, xg_handle() in place, xg_frame_reply() to turn
 * the frame round), put the replies on TX in one go and kick the kernel only
 * when it asks (need_wakeup; always in copy mode, where TX happens in the
 * sendto), then take back completed TX frames and keep the fill ring
 * stocked. Frames that get no reply go straight back to the pool. With
 * --busy-poll the socket prefers busy polling and the loop spins; without
 * it an idle worker sleeps in poll().
 */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>

#include <xdp/xsk.h>

#include "core/log.h"
#include "engine/engine.h"
#include "engine/frames.h"
#include "engine/xsk_internal.h"

/* Take back the frames the kernel has sent. */
static void complete_tx(struct xsk_worker *x)
{
	uint32_t idx, n, i;

	n = xsk_ring_cons__peek(&x->cq, XSK_RING, &idx);
	for (i = 0; i < n; i++)
		xg_frames_put(&x->frames, *xsk_ring_cons__comp_addr(&x->cq, idx + i));
	if (n) {
		xsk_ring_cons__release(&x->cq, n);
		xg_stat_add(&x->frames.in_tx, (uint64_t)-(int64_t)n);
	}
}

/* Descriptors on TX the kernel has not taken yet. */
static bool tx_pending(struct xsk_worker *x)
{
	return xsk_prod_nb_free(&x->tx, XSK_RING) < XSK_RING;
}

/* In copy mode the kernel sends at most a budget of frames per sendto
 * and says EAGAIN while more are left: kick again, taking completed
 * frames back in between, until it took them all (bounded). */
static void kick_tx(struct xsk_worker *x)
{
	int k;

	for (k = 0; k < XSK_KICKS; k++) {
		if (x->zero_copy && !xsk_ring_prod__needs_wakeup(&x->tx))
			return;
		if (sendto(xsk_socket__fd(x->xsk), NULL, 0, MSG_DONTWAIT, NULL,
			   0) >= 0)
			return;
		if (errno != EAGAIN && errno != EBUSY && errno != ENOBUFS) {
			if (errno != ENETDOWN)
				xg_stat_add(&x->w->stats.errors, 1);
			return;
		}
		if (x->zero_copy)
			return;
		complete_tx(x);
	}
}

/* Put the batch's replies on TX, as many as fit (reserve is all or
 * nothing: ask for what is free), kicking the kernel to make room; only
 * the replies that still do not fit are dropped. */
static void send_replies(struct xsk_worker *x, uint32_t n)
{
	struct xg_stats *st = &x->w->stats;
	uint32_t idx, i = 0, j, got, tries = 0;

	while (i < n && tries < 2) {
		got = xsk_prod_nb_free(&x->tx, n - i);
		if (got > n - i)
			got = n - i;
		if (!got || xsk_ring_prod__reserve(&x->tx, got, &idx) != got) {
			complete_tx(x);
			kick_tx(x);
			tries++;
			continue;
		}
		for (j = 0; j < got; j++, i++) {
			struct xdp_desc *d = xsk_ring_prod__tx_desc(&x->tx, idx + j);

			d->addr = x->tx_addr[i];
			d->len = x->tx_len[i];
			xg_stat_add(&st->tx_bytes, x->tx_len[i]);
		}
		xsk_ring_prod__submit(&x->tx, got);
		xg_stat_add(&x->frames.in_tx, got);
		xg_stat_add(&st->tx_packets, got);
		kick_tx(x);
	}
	if (i < n)
		xg_stat_add(&st->drops, n - i);
	for (; i < n; i++)
		xg_frames_put(&x->frames, x->tx_addr[i]);
}

/* Busy polling polls the NAPI the socket was marked with when frames
 * came (its NAPI id). A driver that gives AF_XDP sockets none (veth in
 * copy mode, measured on 6.18: docs/BENCHMARKS.md) leaves recvfrom()
 * nothing to poll: spinning then only takes the CPU from whoever runs
 * the queue's NAPI, so the worker says so and sleeps in poll() instead.
 * Checked once, after the first batch. */
static void napi_check(struct xsk_worker *x)
{
	x->napi_known = true;
	if (xg_sock_has_napi(xsk_socket__fd(x->xsk)))
		return;
	pr_warn("warning: %s queue %d: --busy-poll has nothing to poll: the driver gave the AF_XDP socket no NAPI id (%s mode); the worker sleeps in poll() instead of spinning\n",
		x->w->srv->cfg.ifname, x->queue,
		x->zero_copy ? "zero-copy" : "copy");
	x->busy_poll = false;
}

static uint32_t serve_batch(struct xsk_worker *x)
{
	struct xg_stats *st = &x->w->stats;
	struct xg_handler_ctx ctx;
	uint32_t idx, n, i, out = 0, rlen;
	uint64_t t0, rx_bytes = 0;

	n = xsk_ring_cons__peek(&x->rx, XSK_BATCH, &idx);
	if (!n)
		return 0;
	t0 = xg_now_ns();
	x->last_rx_ns = t0;
	ctx = xg_worker_ctx(x->w, t0);
	xg_stat_add(&st->rx_packets, n);
	for (i = 0; i < n; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&x->rx, idx + i);
		void *pkt = xsk_umem__get_data(x->buf, d->addr);

		rx_bytes += d->len;
		rlen = xg_serve_frame(&ctx, pkt, d->len,
				      XSK_FRAME_SIZE - (uint32_t)(d->addr % XSK_FRAME_SIZE));
		if (rlen) {
			x->tx_addr[out] = d->addr;
			x->tx_len[out++] = rlen;
		} else {
			xg_frames_put(&x->frames, d->addr);
		}
	}
	xsk_ring_cons__release(&x->rx, n);
	if (x->busy_poll && !x->napi_known)
		napi_check(x);
	xg_stat_add(&st->rx_bytes, rx_bytes);
	xg_stat_add(&x->frames.in_fill, (uint64_t)-(int64_t)n);
	if (out)
		send_replies(x, out);
	/* the batch's service time, once for each of its replies */
	xg_hist_record_n(&st->latency, xg_now_ns() - t0, out);
	return n;
}

static void idle(struct xsk_worker *x)
{
	struct pollfd pfd = { .fd = xsk_socket__fd(x->xsk), .events = POLLIN };

	if (x->busy_poll && xg_now_ns() - x->last_rx_ns < XSK_BUSY_IDLE_NS) {
		/* drives NAPI busy polling on this queue */
		recvfrom(pfd.fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
		return;
	}
	/* poll() also gives the kernel the wakeup need_wakeup asks for */
	if (poll(&pfd, 1, XSK_IDLE_MS) < 0 && errno != EINTR)
		xg_stat_add(&x->w->stats.errors, 1);
}

void *xsk_worker_run(void *arg)
{
	struct xg_worker *w = arg;
	struct xsk_worker *x = w->priv;

	xg_worker_pin(w);
	while (!xg_server_stopping(w->srv)) {
		refill(x);
		if (!serve_batch(x)) {
			complete_tx(x);
			/* Kick only for descriptors the kernel has not taken
			 * yet. Frames it took but has not completed (in copy
			 * mode on veth, until the peer frees the skb) come
			 * back on a later round: spinning for them would
			 * take the CPU from the NAPI thread that feeds us. */
			if (tx_pending(x))
				kick_tx(x);
			else
				idle(x);
		} else {
			complete_tx(x);
		}
	}
	return NULL;
}
