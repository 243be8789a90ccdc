/* SPDX-License-Identifier: MIT */
/*
 * The run of `xdpgame load --xsk IFACE` (xsk_client.c has the setup, the
 * teardown and the whole story).
 *
 * The run: each pass completes sent frames, sends what the window
 * (--window; 0: none, an open loop), the rate (--rate) and the free
 * frames allow as one batch on the TX ring (a fresh seq for every frame:
 * the server's replay window drops a repeated one), kicks the kernel
 * until it took the whole batch (copy mode sends at most a budget per
 * sendto and returns EAGAIN for the rest), then takes acks from the RX
 * ring and matches each to its request: type, player, token, echoed
 * client_ts and status (mix.c), RTT from user-space timestamps at send
 * and at receive. A request unanswered after --timeout is lost; when the
 * in-flight table wraps (open loop at a high rate) the request that held
 * the slot is lost too. Idle, it sleeps in poll() on the socket, or with
 * --busy-poll spins on recvfrom(), which busy-polls the queue's NAPI
 * (where there is one: after the first acks it checks, as the server's
 * worker does, and sleeps if the socket got no NAPI id).
 */
#include <arpa/inet.h> /* before <linux/in.h> (parsing.h) */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/if_xdp.h>

#include <xdp/xsk.h>

#include <xdpgame/parsing.h>
#include <xdpgame/proto.h>

#include "core/log.h"
#include "core/util.h"
#include "load/xsk_client_internal.h"

static volatile sig_atomic_t xc_signalled;

void xc_on_signal(int sig)
{
	xc_signalled = sig;
}

/* ---- the run ---- */

/* Frame at pkt: the template, then request seq of kind k; its length. */
static uint32_t xc_build(struct xc_ctx *c, unsigned char *pkt, uint32_t seq,
			 enum xg_kind k, uint64_t now)
{
	struct iphdr *ip = (void *)(pkt + ETH_HLEN);
	struct udphdr *udp = (void *)(ip + 1);
	uint32_t n, sum;
	uint16_t ck;

	memcpy(pkt, c->hdr, XC_HDRS);
	n = xg_mix_request(&c->mix, pkt + XC_HDRS, k, seq, now,
			   xg_mix_rand(&c->mix));
	ip->tot_len = htons((uint16_t)(sizeof(*ip) + sizeof(*udp) + n));
	ip->id = htons((uint16_t)seq);
	ip->check = xg_csum_fold(xg_csum_add(0, (const __u16 *)ip,
					     sizeof(*ip) / 2));
	udp->len = htons((uint16_t)(sizeof(*udp) + n));
	/* pseudo-header, then header and request (every request size is
	 * even: whole 16-bit words) */
	sum = xg_csum_add(0, (const __u16 *)&ip->saddr, 4);
	sum += htons(IPPROTO_UDP) + udp->len;
	sum = xg_csum_add(sum, (const __u16 *)udp, (int)(sizeof(*udp) + n) / 2);
	ck = xg_csum_fold(sum);
	udp->check = ck ? ck : 0xffff;
	c->st.bytes_out += n;
	return XC_HDRS + n;
}

static void xc_complete(struct xc_ctx *c)
{
	uint32_t idx, n, i;

	n = xsk_ring_cons__peek(&c->cq, XC_RING, &idx);
	for (i = 0; i < n; i++)
		c->tx_free[c->ntx_free++] = *xsk_ring_cons__comp_addr(&c->cq, idx + i);
	if (n)
		xsk_ring_cons__release(&c->cq, n);
}

/* Have the kernel send what is on TX. In copy mode each sendto sends at
 * most a budget of frames and says EAGAIN when more are left: kick again
 * (taking back completed frames between kicks), a bounded number of
 * times. In zero-copy mode one wakeup, and only when the driver asks. */
static void xc_kick(struct xc_ctx *c)
{
	int fd = xsk_socket__fd(c->xsk), k;

	if (c->zero_copy) {
		if (xsk_ring_prod__needs_wakeup(&c->tx) &&
		    sendto(fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 &&
		    errno != EAGAIN && errno != EBUSY && errno != ENOBUFS)
			c->st.errors++;
		return;
	}
	for (k = 0; k < XC_KICKS; k++) {
		if (sendto(fd, NULL, 0, MSG_DONTWAIT, NULL, 0) >= 0)
			return;
		if (errno != EAGAIN && errno != EBUSY && errno != ENOBUFS) {
			if (errno != ENETDOWN)
				c->st.errors++;
			return;
		}
		xc_complete(c);
	}
}

/* How many requests may go now: the rate, the window, the count. */
static uint64_t xc_budget(const struct xc_ctx *c, uint64_t now)
{
	const struct xg_loop_opts *o = c->o;
	uint64_t b = XC_BATCH;

	if (o->duration_ns && now - c->st.started >= o->duration_ns)
		return 0;
	if (o->rate) {
		uint64_t due = (now - c->st.started) / 1000 * o->rate / 1000000 + 1;

		b = due > c->st.sent ? due - c->st.sent : 0;
		if (b > XC_BATCH)
			b = XC_BATCH;
	}
	if (o->window)
		b = c->inflight < o->window ? (o->window - c->inflight < b ?
					       o->window - c->inflight : b) : 0;
	if (o->count - c->st.sent < b)
		b = o->count - c->st.sent;
	return b;
}

static void xc_lose(struct xc_ctx *c, struct xc_slot *f)
{
	f->state = S_LOST;
	c->inflight--;
	c->st.lost++;
}

static uint32_t xc_send(struct xc_ctx *c, uint64_t now)
{
	uint64_t b = xc_budget(c, now);
	uint32_t idx, n, i;

	if (b > c->ntx_free)
		b = c->ntx_free;
	if (!b)
		return 0;
	n = xsk_ring_prod__reserve(&c->tx, (uint32_t)b, &idx);
	for (i = 0; i < n; i++) {
		struct xdp_desc *d = xsk_ring_prod__tx_desc(&c->tx, idx + i);
		uint32_t seq = c->next_seq++;
		struct xc_slot *f = &c->table[seq % XC_TABLE];
		enum xg_kind k = xg_mix_pick(&c->mix);

		if (f->state == S_BUSY) /* the table wrapped: an old one */
			xc_lose(c, f);
		d->addr = c->tx_free[--c->ntx_free];
		d->len = xc_build(c, xsk_umem__get_data(c->buf, d->addr), seq,
				  k, now);
		*f = (struct xc_slot){ .sent_ns = now, .seq = seq,
				       .kind = (uint8_t)k, .state = S_BUSY };
		c->st.per_kind_sent[k]++;
	}
	if (!n)
		return 0;
	xsk_ring_prod__submit(&c->tx, n);
	c->st.sent += n;
	c->inflight += n;
	xc_kick(c);
	return n;
}

static void xc_check(struct xc_ctx *c, const unsigned char *buf, uint32_t len,
		     uint64_t now)
{
	const struct xg_hdr *h = (const void *)buf;
	struct xg_ack a;
	struct xc_slot *f;
	uint32_t seq, i;

	if (!xg_mix_ack_framed(buf, len)) {
		if (len >= XG_HDR_SIZE && (h->type == XG_MSG_CHALLENGE ||
					   h->type == XG_MSG_WELCOME))
			return; /* a late handshake reply */
		pr_debug("wrong: malformed ack of %u bytes\n", len);
		c->st.wrong++;
		return;
	}
	seq = xg_le32(h->seq);
	if (seq == c->first_seq - 1)
		return; /* the setup's probe, answered late (a bare reflector) */
	f = &c->table[seq % XC_TABLE];
	if (f->state != S_BUSY || f->seq != seq) {
		if (f->seq == seq && f->state == S_ACKED) {
			pr_debug("wrong: a second ack for seq %u\n", seq);
			c->st.wrong++;
		} else if (seq - c->first_seq < c->next_seq - c->first_seq) {
			c->st.late++;
		} else {
			pr_debug("wrong: ack for seq %u never sent\n", seq);
			c->st.wrong++;
		}
		return;
	}
	f->state = S_ACKED;
	c->inflight--;
	i = xg_mix_index(&c->mix, seq);
	memcpy(&a, h + 1, sizeof(a)); /* 2-byte aligned in the frame */
	if (h->type != xg_mix_ack_type(f->kind) ||
	    xg_le64(a.client_ts) != f->sent_ns ||
	    xg_le32(h->player) != c->o->first_player + i ||
	    xg_le64(h->token) != c->tokens[i] ||
	    !xg_mix_status_ok(f->kind, h->status)) {
		pr_debug("wrong: seq %u type %#x status %u\n", seq, h->type,
			 h->status);
		c->st.wrong++;
		return;
	}
	c->st.acked++;
	xg_hist_record(&c->st.rtt, now - f->sent_ns);
}

/* Take acks off RX and give their frames back to the fill ring. */
static uint32_t xc_receive(struct xc_ctx *c)
{
	uint32_t idx, fidx, n, i;
	uint64_t now;

	n = xsk_ring_cons__peek(&c->rx, XC_BATCH, &idx);
	if (!n)
		return 0;
	now = xg_now_ns();
	for (i = 0; i < n; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&c->rx, idx + i);
		unsigned char *pkt = xsk_umem__get_data(c->buf, d->addr);
		struct xg_frame fr;

		if (xg_frame_walk(pkt, pkt + d->len, 0, &fr) != XG_FRAME_UDP ||
		    xg_frame_check(&fr, pkt + d->len)) {
			c->st.wrong++;
			continue;
		}
		c->st.bytes_in += fr.len;
		xc_check(c, fr.payload, fr.len, now);
	}
	/* the fill ring has room for every RX frame: it never fails */
	if (xsk_ring_prod__reserve(&c->fq, n, &fidx) == n) {
		for (i = 0; i < n; i++)
			*xsk_ring_prod__fill_addr(&c->fq, fidx + i) =
				xsk_ring_cons__rx_desc(&c->rx, idx + i)->addr;
		xsk_ring_prod__submit(&c->fq, n);
	}
	xsk_ring_cons__release(&c->rx, n);
	if (c->busy && !c->napi_known) {
		/* as the server's worker (engine/xsk_loop.c): no NAPI to poll
		 * (veth), no spinning */
		c->napi_known = true;
		c->busy = xg_sock_has_napi(xsk_socket__fd(c->xsk));
		if (!c->busy)
			pr_warn("warning: load --xsk: --busy-poll has nothing to poll on %s: the driver gave the AF_XDP socket no NAPI id; sleeping in poll() instead\n",
				c->o->xsk);
	}
	return n;
}

/* Requests older than the timeout are lost; seqs go out in order. */
static void xc_expire(struct xc_ctx *c, uint64_t now)
{
	while (c->expire_seq != c->next_seq) {
		struct xc_slot *f = &c->table[c->expire_seq % XC_TABLE];

		if (f->state == S_BUSY && f->seq == c->expire_seq) {
			if (now - f->sent_ns < c->o->timeout_ns)
				return;
			xc_lose(c, f);
		}
		c->expire_seq++;
	}
}

static bool xc_sending_done(const struct xc_ctx *c, uint64_t now)
{
	return c->st.sent >= c->o->count ||
	       (c->o->duration_ns && now - c->st.started >= c->o->duration_ns);
}

/* Nothing moved this pass: wait for an ack or the next send, briefly. */
static void xc_idle(struct xc_ctx *c, uint64_t now, bool done)
{
	struct pollfd pfd = { .fd = xsk_socket__fd(c->xsk), .events = POLLIN };
	struct timespec ts = { 0, 1000000 }; /* 1 ms: notice timeouts */

	if (c->busy) {
		recvfrom(pfd.fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
		return;
	}
	if (!done && c->o->rate && (!c->o->window || c->inflight < c->o->window)) {
		/* the next request is due in 1 / rate */
		uint64_t next = (c->st.sent * 1000000000ull) / c->o->rate;
		uint64_t at = now - c->st.started;

		if (next <= at)
			return;
		if (next - at < (uint64_t)ts.tv_nsec)
			ts.tv_nsec = (long)(next - at);
	} else if (!done && (!c->o->window || c->inflight < c->o->window)) {
		return; /* free to send: no waiting */
	}
	ppoll(&pfd, 1, &ts, NULL);
}

static void xc_progress(struct xc_ctx *c, uint64_t now, uint64_t *next,
			uint64_t *last)
{
	if (c->o->quiet || c->o->json || now < *next)
		return;
	fprintf(stderr, "[%4" PRIu64 "s] sent %" PRIu64 ", acked %" PRIu64
		", lost %" PRIu64 ", wrong %" PRIu64 ", %" PRIu64 " acks/s\n",
		(uint64_t)((now - c->st.started) / 1000000000ull), c->st.sent,
		c->st.acked, c->st.lost, c->st.wrong, c->st.acked - *last);
	*last = c->st.acked;
	*next += 1000000000ull;
}

void xc_run(struct xc_ctx *c)
{
	uint64_t now, next, last = 0, send_end = 0;
	uint32_t moved;
	bool done = false;

	c->st.started = now = xg_now_ns();
	next = now + 1000000000ull;
	while (!xc_signalled && (!done || c->inflight)) {
		xc_complete(c);
		moved = done ? 0 : xc_send(c, now);
		moved += xc_receive(c);
		now = xg_now_ns();
		if (!done && xc_sending_done(c, now)) {
			done = true;
			send_end = now;
		}
		xc_expire(c, now);
		if (!moved)
			xc_idle(c, now, done);
		xc_progress(c, now, &next, &last);
	}
	c->st.finished = xg_now_ns();
	c->st.sending_ns = (send_end ? send_end : c->st.finished) - c->st.started;
}
