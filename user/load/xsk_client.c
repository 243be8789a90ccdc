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
 * The run (xsk_client_run.c) follows; then the report, the players leave
 * and the program, the socket and the UMEM go.
 *
 * UMEM: XC_FRAMES frames, the first half for RX (the fill ring), the
 * second for TX.
 */
#include <arpa/inet.h> /* before <linux/in.h> (parsing.h) */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
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
#include "load/xsk_client_internal.h"
#include "xsk_redirect.skel.h"

#ifndef SO_PREFER_BUSY_POLL
#define SO_PREFER_BUSY_POLL 69
#endif
#ifndef SO_BUSY_POLL_BUDGET
#define SO_BUSY_POLL_BUDGET 70
#endif

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
