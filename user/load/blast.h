/* SPDX-License-Identifier: MIT */
/*
 * `xdpgame load ADDR:PORT --blast IFACE`: an open-loop, high-rate transmit
 * path for the game client. Frames (Ethernet/IPv4/UDP carrying valid game
 * requests) are built and checksummed in user space and sent by the kernel
 * itself: BPF_PROG_RUN of an XDP_TX program (bpf/xdp_tx.bpf.c) with
 * BPF_F_TEST_XDP_LIVE_FRAMES (Linux 5.18+) transmits each repetition out of
 * IFACE, each repetition a fresh request (its own sequence number, player
 * and token). Acks are counted, not matched: by an XDP program on IFACE
 * (or, where IFACE has one already, on an ordinary UDP socket).
 */
#ifndef XDPGAME_BLAST_H
#define XDPGAME_BLAST_H

#include <stdbool.h>
#include <stdint.h>

#include "core/siphash.h"
#include "load/mix.h"

enum xg_blast_const {
	XG_BLAST_DEFAULT_COUNT = 1000000,  /* frames */
	XG_BLAST_MAX_COUNT = 100000000,    /* frames */
	XG_BLAST_MAX_STEPS = 64,
	XG_BLAST_NODROP_PPM = 1000,        /* a try losing more is retried */
	XG_BLAST_RETRY_PPM = 50000,        /* ... unless it lost more than this */
};

struct xg_blast_opts {
	const char *target;      /* "IPV4:PORT" (IPv4 only) */
	const char *ifname;      /* interface the frames leave by */
	uint64_t count;          /* frames to send, 1..XG_BLAST_MAX_COUNT */
	uint64_t duration_ns;    /* 0: until count; else stop sending then */
	uint64_t rate;           /* frames a second, paced in the kernel; 0:
				  * as fast as it sends */
	const uint64_t *steps;   /* nsteps > 0: one step per rate (0: as fast
				  * as it sends), each count or duration_ns,
				  * a report each; rate is not used */
	uint32_t nsteps;
	uint32_t retries;        /* a step (or the run) that lost more than
				  * XG_BLAST_NODROP_PPM is tried again, up
				  * to this many times; the best is reported */
	uint32_t first_player;   /* player ids first_player.. */
	uint32_t players;        /* >= 2 */
	const struct xg_sipkey *backend; /* sign connect tokens; NULL: none */
	uint32_t forge_sources;  /* >0: a flood from that many forged sources
				  * (no handshake; JOINs and MOVEs with
				  * made-up tokens), see bpf/xdp_tx.bpf.c */
	uint32_t forge_base;     /* the first forged IPv4 address, host order */
	bool no_join;            /* no handshake, tokens 0 (a bare reflector) */
	uint32_t weights[XG_NKINDS]; /* the request mix, mix.h */
	uint64_t seed;
	bool json;
	bool quiet;
};

/* Run the blast and print its report. 0 when it ran (whatever came back),
 * or a negative errno, the reason already printed. */
int xg_blast(const struct xg_blast_opts *o);

#endif
