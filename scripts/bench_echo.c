/* SPDX-License-Identifier: MIT */
/*
 * The bench's bare AF_XDP echo (`make bench`, docs/BENCHMARKS.md): the
 * least an AF_XDP server can do per request, as xdpsock's l2fwd does. One
 * socket on queue 0 of IFACE, bpf/xsk_redirect.bpf.c sending it the UDP
 * frames to PORT; each frame at least a HEARTBEAT long is turned into an
 * ack in place (xg_make_reply, xg_frame_reply: addresses swapped, lengths
 * and checksums fixed, the same code the XDP_TX swap uses) and sent back.
 * No validation, no sessions, no world: the limit the AF_XDP server is
 * measured against. The loop is the server's (user/engine/xsk_loop.c): a batch
 * from RX, the replies on TX (as many as fit), kicks until the kernel took
 * them, completions back to the fill ring.
 *
 *   bench_echo IFACE PORT CPU [busy]     runs until SIGINT/SIGTERM
 *
 * Built by scripts/bench.sh: gcc -O2 -Iinclude -Iuser -Ibuild ... -lxdp -lbpf
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <bpf/libbpf.h>
#include <xdp/xsk.h>

#include <xdpgame/parsing.h>
#include <xdpgame/proto.h>

#include "xsk_redirect.skel.h"

#ifndef SO_PREFER_BUSY_POLL
#define SO_PREFER_BUSY_POLL 69
#endif

enum {
	FRAMES = 4096, FRAME_SIZE = 2048, RING = 2048, BATCH = 64,
	KICKS = RING / 16,
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct echo {
	void *buf;
	struct xsk_umem *umem;
	struct xsk_ring_prod fq, tx;
	struct xsk_ring_cons cq, rx;
	struct xsk_socket *xsk;
	uint64_t free_addr[FRAMES];
	uint32_t nfree;
	unsigned long long rx_n, tx_n, dropped;
};

static void refill(struct echo *e)
{
	uint32_t idx, n = e->nfree, i;

	n = xsk_prod_nb_free(&e->fq, n) < n ? xsk_prod_nb_free(&e->fq, n) : n;
	if (!n || xsk_ring_prod__reserve(&e->fq, n, &idx) != n)
		return;
	for (i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&e->fq, idx + i) = e->free_addr[--e->nfree];
	xsk_ring_prod__submit(&e->fq, n);
}

static void complete(struct echo *e)
{
	uint32_t idx, n = xsk_ring_cons__peek(&e->cq, RING, &idx), i;

	for (i = 0; i < n; i++)
		e->free_addr[e->nfree++] = *xsk_ring_cons__comp_addr(&e->cq, idx + i);
	if (n)
		xsk_ring_cons__release(&e->cq, n);
}

static void kick(struct echo *e)
{
	int k;

	for (k = 0; k < KICKS; k++) {
		if (sendto(xsk_socket__fd(e->xsk), NULL, 0, MSG_DONTWAIT, NULL, 0) >= 0 ||
		    (errno != EAGAIN && errno != EBUSY && errno != ENOBUFS))
			return;
		complete(e);
	}
}

static uint32_t serve(struct echo *e)
{
	uint64_t addr[BATCH];
	uint32_t len[BATCH], idx, tidx, n, i, out = 0, got;

	n = xsk_ring_cons__peek(&e->rx, BATCH, &idx);
	for (i = 0; i < n; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&e->rx, idx + i);
		unsigned char *pkt = xsk_umem__get_data(e->buf, d->addr);
		struct xg_frame f;

		if (xg_frame_walk(pkt, pkt + d->len, 0, &f) != XG_FRAME_UDP ||
		    (unsigned char *)f.payload + XG_HEARTBEAT_SIZE > pkt + d->len) {
			e->free_addr[e->nfree++] = d->addr;
			continue;
		}
		xg_make_reply(f.payload, XG_ST_OK, XG_ACK_SIZE);
		addr[out] = d->addr;
		len[out++] = xg_frame_reply(&f, pkt, XG_ACK_SIZE);
	}
	if (n)
		xsk_ring_cons__release(&e->rx, n);
	e->rx_n += n;
	for (i = 0; i < out;) {
		got = xsk_ring_prod__reserve(&e->tx, out - i, &tidx);
		if (!got) {
			complete(e);
			kick(e);
			got = xsk_ring_prod__reserve(&e->tx, out - i, &tidx);
			if (!got)
				break;
		}
		for (uint32_t k = 0; k < got; k++) {
			struct xdp_desc *d = xsk_ring_prod__tx_desc(&e->tx, tidx + k);

			d->addr = addr[i + k];
			d->len = len[i + k];
		}
		xsk_ring_prod__submit(&e->tx, got);
		i += got;
	}
	e->tx_n += i;
	for (; i < out; i++, e->dropped++)
		e->free_addr[e->nfree++] = addr[i];
	if (out)
		kick(e);
	return n;
}

int main(int argc, char **argv)
{
	struct xsk_umem_config ucfg = { .fill_size = RING, .comp_size = RING,
					.frame_size = FRAME_SIZE };
	struct xsk_socket_config cfg = {
		.rx_size = RING, .tx_size = RING,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = XDP_USE_NEED_WAKEUP | XDP_COPY,
	};
	static struct echo e;
	struct xsk_redirect *skel;
	struct bpf_link *link;
	cpu_set_t set;
	int ifindex, err, busy, one = 1;
	uint32_t i;

	if (argc < 4) {
		fprintf(stderr, "usage: bench_echo IFACE PORT CPU [busy]\n");
		return 2;
	}
	busy = argc > 4 && !strcmp(argv[4], "busy");
	ifindex = (int)if_nametoindex(argv[1]);
	CPU_ZERO(&set);
	CPU_SET(atoi(argv[3]), &set);
	if (!ifindex || sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "bench_echo: no interface %s or CPU %s\n", argv[1], argv[3]);
		return 1;
	}
	skel = xsk_redirect__open();
	if (!skel)
		return 1;
	skel->rodata->match_dport = htons((uint16_t)atoi(argv[2]));
	if (xsk_redirect__load(skel))
		return 1;
	link = bpf_program__attach_xdp(skel->progs.xsk_redirect, ifindex);
	e.buf = mmap(NULL, (size_t)FRAMES * FRAME_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!link || e.buf == MAP_FAILED) {
		fprintf(stderr, "bench_echo: cannot attach to %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	err = xsk_umem__create(&e.umem, e.buf, (uint64_t)FRAMES * FRAME_SIZE,
			       &e.fq, &e.cq, &ucfg);
	if (!err)
		err = xsk_socket__create(&e.xsk, argv[1], 0, e.umem, &e.rx, &e.tx, &cfg);
	if (!err)
		err = xsk_socket__update_xskmap(e.xsk, bpf_map__fd(skel->maps.xsks));
	if (err) {
		fprintf(stderr, "bench_echo: AF_XDP socket on %s: %s\n", argv[1], strerror(-err));
		return 1;
	}
	if (busy) {
		int us = 20, budget = BATCH;

		setsockopt(xsk_socket__fd(e.xsk), SOL_SOCKET, SO_PREFER_BUSY_POLL, &one, sizeof(one));
		setsockopt(xsk_socket__fd(e.xsk), SOL_SOCKET, SO_BUSY_POLL, &us, sizeof(us));
		setsockopt(xsk_socket__fd(e.xsk), SOL_SOCKET, SO_BUSY_POLL_BUDGET, &budget, sizeof(budget));
	}
	for (i = 0; i < FRAMES; i++)
		e.free_addr[e.nfree++] = (uint64_t)i * FRAME_SIZE;
	refill(&e);
	skel->bss->armed = 1;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("serving (bare AF_XDP echo on %s, %s)\n", argv[1], busy ? "busy polling" : "poll()");
	fflush(stdout);
	while (!stop) {
		complete(&e);
		refill(&e);
		if (serve(&e))
			continue;
		if (busy) {
			recvfrom(xsk_socket__fd(e.xsk), NULL, 0, MSG_DONTWAIT, NULL, NULL);
		} else {
			struct pollfd p = { .fd = xsk_socket__fd(e.xsk), .events = POLLIN };

			poll(&p, 1, 100);
		}
	}
	printf("echo: rx %llu tx %llu dropped %llu\n", e.rx_n, e.tx_n, e.dropped);
	bpf_link__destroy(link);
	xsk_socket__delete(e.xsk);
	xsk_umem__delete(e.umem);
	xsk_redirect__destroy(skel);
	return 0;
}
