/* SPDX-License-Identifier: MIT */
/*
 * `xdpgame load ADDR:PORT --xsk IFACE`: the game client over AF_XDP.
 *
 * The kernel-socket client (loop.c) costs about as much per request as
 * the server it measures, so on a small machine it saturates first. This
 * one sends and receives raw frames through an AF_XDP socket on queue 0
 * of the client's own interface, and keeps everything else of the closed
 * loop: the request mix (mix.c), the per-ack checks, the timeout, the
 * report (report.c) and the --cdf file.
 *
 * Setup, in order:
 *  1. blast_setup.c's link: IFACE's address and MAC, a UDP socket bound to
 *     that address on an ephemeral port and connected to ADDR:PORT, and
 *     ADDR's MAC (resolved by a probe). The frames carry the socket's
 *     address and port as their source.
 *  2. bpf/xsk_redirect.bpf.c attached to IFACE through a bpf_link (gone
 *     with the process), disarmed: UDP from PORT to the socket's port is
 *     passed to the kernel, and an AF_XDP socket (copy or zero-copy mode,
 *     whichever the driver gives) on queue 0 in its `xsks` map.
 *  3. The players join over the UDP socket (handshake.c), whose replies
 *     the disarmed program lets through; then the program is armed and
 *     from then on the server's replies go to the AF_XDP socket.
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
 * UMEM: XC_FRAMES frames, the first half for RX (the fill ring), the
 * second for TX.
 */
#include <arpa/inet.h> /* before <linux/in.h> (parsing.h) */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/if_xdp.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/xsk.h>

#include <xdpgame/parsing.h>
#include <xdpgame/proto.h>

#include "core/log.h"
#include "core/util.h"
#include "load/blast_setup.h"
#include "load/report.h"
#include "load/xsk_client.h"
#include "xsk_redirect.skel.h"

#ifndef SO_PREFER_BUSY_POLL
#define SO_PREFER_BUSY_POLL 69
#endif
#ifndef SO_BUSY_POLL_BUDGET
#define SO_BUSY_POLL_BUDGET 70
#endif

enum {
	XC_FRAMES = 8192,
	XC_FRAME_SIZE = 2048,       /* bytes */
	XC_RING = 4096,             /* every ring */
	XC_BATCH = 64,              /* frames per pass, each way */
	XC_TABLE = 1 << 20,         /* requests tracked, by seq */
	XC_KICKS = XC_RING / 16,    /* sendto calls per batch at most */
	XC_BUSY_POLL_US = 20,
	XC_HDRS = ETH_HLEN + sizeof(struct iphdr) + sizeof(struct udphdr),
	XC_IP_TTL = 64,
};

enum slot_state { S_FREE, S_BUSY, S_ACKED, S_LOST };

struct xc_slot {
	uint64_t sent_ns;
	uint32_t seq;
	uint8_t kind;   /* enum xg_kind */
	uint8_t state;  /* enum slot_state */
};

struct xc_ctx {
	const struct xg_loop_opts *o;
	struct xg_blast_link link;
	struct xsk_redirect *skel;
	struct bpf_link *prog_link;
	void *buf;
	struct xsk_umem *umem;
	struct xsk_ring_prod fq, tx;
	struct xsk_ring_cons cq, rx;
	struct xsk_socket *xsk;
	bool zero_copy;
	bool busy;                  /* --busy-poll, and there is a NAPI */
	bool napi_known;            /* checked after the first acks */
	uint64_t *tx_free;          /* free TX frame addresses */
	uint32_t ntx_free;
	unsigned char hdr[XC_HDRS]; /* Ethernet/IPv4/UDP template */
	struct xg_mix mix;
	uint32_t first_seq, next_seq, expire_seq;
	uint64_t inflight;
	struct xc_slot *table;      /* by seq % XC_TABLE */
	uint64_t *tokens;
	struct xg_handshake_opts hs;
	struct xg_loop_stats st;
};

static volatile sig_atomic_t xc_signalled;

static void xc_on_signal(int sig)
{
	xc_signalled = sig;
}

/* ---- setup ---- */

static int xc_attach(struct xc_ctx *c)
{
	const char *ifname = c->o->xsk;
	int err;

	c->skel = xsk_redirect__open();
	if (!c->skel)
		return -errno;
	c->skel->rodata->match_sport = c->link.dst.sin_port;
	c->skel->rodata->match_dport = c->link.src.sin_port;
	err = xsk_redirect__load(c->skel);
	if (err) {
		pr_warn("error: load --xsk: cannot load the receive program: %s\n",
			strerror(-err));
		return err;
	}
	c->prog_link = bpf_program__attach_xdp(c->skel->progs.xsk_redirect,
					       c->link.ifindex);
	if (!c->prog_link) {
		err = -errno;
		pr_warn("error: load --xsk: cannot attach an XDP program to %s: %s%s\n",
			ifname, strerror(-err),
			err == -EBUSY || err == -EEXIST ?
				"; it has one already (`ip link set dev IFACE xdp off` if it is a leftover)" :
				"");
		return err;
	}
	return 0;
}

static int xc_socket(struct xc_ctx *c, bool zc)
{
	struct xsk_umem_config ucfg = {
		.fill_size = XC_RING, .comp_size = XC_RING,
		.frame_size = XC_FRAME_SIZE, .frame_headroom = 0,
	};
	struct xsk_socket_config cfg = {
		.rx_size = XC_RING, .tx_size = XC_RING,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = XDP_USE_NEED_WAKEUP | (zc ? XDP_ZEROCOPY : XDP_COPY),
	};
	int err;

	err = xsk_umem__create(&c->umem, c->buf,
			       (uint64_t)XC_FRAMES * XC_FRAME_SIZE, &c->fq,
			       &c->cq, &ucfg);
	if (err)
		return err;
	err = xsk_socket__create(&c->xsk, c->o->xsk, 0, c->umem, &c->rx,
				 &c->tx, &cfg);
	if (err) {
		xsk_umem__delete(c->umem);
		c->umem = NULL;
		c->xsk = NULL;
	}
	return err;
}

static void xc_busy_poll(struct xc_ctx *c)
{
	int fd = xsk_socket__fd(c->xsk), one = 1, us = XC_BUSY_POLL_US,
	    budget = XC_BATCH;

	if (setsockopt(fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL, &us, sizeof(us)) ||
	    setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &budget,
		       sizeof(budget)))
		pr_warn("warning: load --xsk: busy polling not available (%s); spinning without it\n",
			strerror(errno));
}

static int xc_open_xsk(struct xc_ctx *c)
{
	uint32_t i, idx, nrx = XC_FRAMES / 2;
	int err;

	c->buf = mmap(NULL, (size_t)XC_FRAMES * XC_FRAME_SIZE,
		      PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->buf == MAP_FAILED) {
		c->buf = NULL;
		return -ENOMEM;
	}
	c->zero_copy = true;
	err = xc_socket(c, true);
	if (err) {
		c->zero_copy = false;
		err = xc_socket(c, false);
	}
	if (err) {
		pr_warn("error: load --xsk: cannot create an AF_XDP socket on %s queue 0: %s\n",
			c->o->xsk, strerror(-err));
		return err;
	}
	err = xsk_socket__update_xskmap(c->xsk,
					bpf_map__fd(c->skel->maps.xsks));
	if (err) {
		pr_warn("error: load --xsk: cannot register the AF_XDP socket: %s\n",
			strerror(-err));
		return err;
	}
	c->busy = c->o->busy_poll;
	if (c->busy)
		xc_busy_poll(c);
	/* RX frames: the first half, all in the fill ring */
	if (xsk_ring_prod__reserve(&c->fq, nrx, &idx) != nrx)
		return -ENOSPC;
	for (i = 0; i < nrx; i++)
		*xsk_ring_prod__fill_addr(&c->fq, idx + i) =
			(uint64_t)i * XC_FRAME_SIZE;
	xsk_ring_prod__submit(&c->fq, nrx);
	c->tx_free = calloc(XC_FRAMES - nrx, sizeof(*c->tx_free));
	if (!c->tx_free)
		return -ENOMEM;
	for (i = nrx; i < XC_FRAMES; i++)
		c->tx_free[c->ntx_free++] = (uint64_t)i * XC_FRAME_SIZE;
	return 0;
}

/* The headers every frame starts with; lengths and checksums per frame. */
static void xc_template(struct xc_ctx *c)
{
	struct ethhdr *eth = (void *)c->hdr;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);

	memcpy(eth->h_dest, c->link.dst_mac, ETH_ALEN);
	memcpy(eth->h_source, c->link.src_mac, ETH_ALEN);
	eth->h_proto = htons(ETH_P_IP);
	*ip = (struct iphdr){ .version = 4, .ihl = 5, .ttl = XC_IP_TTL,
			      .protocol = IPPROTO_UDP,
			      .frag_off = htons(0x4000), /* DF */
			      .saddr = c->link.src.sin_addr.s_addr,
			      .daddr = c->link.dst.sin_addr.s_addr };
	*udp = (struct udphdr){ .source = c->link.src.sin_port,
				.dest = c->link.dst.sin_port };
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
		/* as the server's worker (engine/xsk.c): no NAPI to poll
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

static void xc_run(struct xc_ctx *c)
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

/* ---- the whole ---- */

static void xc_rings(struct xc_ctx *c)
{
	struct xdp_statistics s = {};
	socklen_t len = sizeof(s);

	if (!getsockopt(xsk_socket__fd(c->xsk), SOL_XDP, XDP_STATISTICS, &s,
			&len))
		c->st.client_drops = s.rx_dropped + s.rx_ring_full +
				     s.rx_fill_ring_empty_descs;
}

static void xc_cleanup(struct xc_ctx *c)
{
	if (c->skel && c->skel->bss)
		c->skel->bss->armed = 0;
	if (c->link.fd >= 0 && c->tokens && !c->o->no_join)
		xg_handshake_leave(c->link.fd, &c->hs, c->tokens, c->next_seq);
	bpf_link__destroy(c->prog_link);
	xsk_socket__delete(c->xsk);
	xsk_umem__delete(c->umem);
	xsk_redirect__destroy(c->skel);
	if (c->buf)
		munmap(c->buf, (size_t)XC_FRAMES * XC_FRAME_SIZE);
	free(c->tx_free);
	free(c->table);
	free(c->tokens);
	if (c->link.fd >= 0)
		close(c->link.fd);
}

static int xc_join(struct xc_ctx *c)
{
	struct xg_handshake_result *r = &c->st.hs;
	int err = xg_handshake_run(c->link.fd, &c->hs, c->tokens, r);

	if (err) {
		pr_warn("error: load --xsk: handshake: %s\n", strerror(-err));
		return err;
	}
	if (r->joined == c->o->players)
		return 0;
	pr_warn("error: load --xsk: %u of %u players could not join %s: %u refused (first: %s), %u unanswered; see the server's --handshake-rate\n",
		c->o->players - r->joined, c->o->players, c->o->target,
		r->refused, r->refused ? xg_status_name(r->first_refusal) : "-",
		r->unanswered);
	return -ECONNREFUSED;
}

int xg_load_xsk(const struct xg_loop_opts *o)
{
	struct xc_ctx c = { .o = o, .link.fd = -1 };
	struct xg_blast_opts bo = { .target = o->target, .ifname = o->xsk,
				    .first_player = o->first_player,
				    .players = o->players };
	int ret;

	c.first_seq = c.next_seq = c.expire_seq =
		xg_mix_init(&c.mix, o->weights, o->first_player, o->players,
			    o->seed);
	c.hs = (struct xg_handshake_opts){
		.first_player = o->first_player, .players = o->players,
		.backend = o->backend, .timeout_ns = 10000000000ull,
	};
	c.table = calloc(XC_TABLE, sizeof(*c.table));
	c.tokens = calloc(o->players, sizeof(*c.tokens));
	xg_hist_reset(&c.st.rtt);
	if (!c.table || !c.tokens) {
		pr_warn("error: load --xsk: out of memory\n");
		ret = -ENOMEM;
		goto out;
	}
	ret = xg_blast_setup(&c.link, &bo, c.first_seq - 1);
	if (!ret)
		ret = xc_attach(&c);
	if (!ret)
		ret = xc_open_xsk(&c);
	if (ret)
		goto out;
	xc_template(&c);
	signal(SIGINT, xc_on_signal);
	signal(SIGTERM, xc_on_signal);
	if (!o->no_join)
		ret = xc_join(&c);
	c.mix.tokens = c.tokens;
	if (!ret) {
		pr_debug("load --xsk: %s queue 0, %s mode\n", o->xsk,
			 c.zero_copy ? "zero-copy" : "copy");
		c.skel->bss->armed = 1;
		xc_run(&c);
		c.skel->bss->armed = 0;
		xc_rings(&c);
		ret = c.st.acked == c.st.sent && !c.st.wrong && !c.st.errors ?
			      0 : -EBADMSG;
	} else {
		c.st.started = c.st.finished = xg_now_ns();
	}
	if (xg_loop_report(o, &c.st))
		ret = -EIO;
	if (o->cdf && xg_loop_write_cdf(&c.st.rtt, o->cdf))
		ret = -EIO;
out:
	xc_cleanup(&c);
	return ret;
}
