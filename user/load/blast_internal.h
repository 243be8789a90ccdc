/* SPDX-License-Identifier: MIT */
/*
 * What the two halves of `load --blast` share: blast.c (the frames, the
 * receiver thread, setup and teardown, xg_blast()) and blast_run.c (the
 * steps: sending, pacing, the acks counted, the report). Not an API.
 */
#ifndef XDPGAME_LOAD_BLAST_INTERNAL_H
#define XDPGAME_LOAD_BLAST_INTERNAL_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>

#include <xdpgame/proto.h>

#include "load/blast.h"
#include "load/blast_setup.h"
#include "load/handshake.h"
#include "load/mix.h"

struct bpf_link;
struct xdp_tx;

enum {
	BLAST_POOL = 64,          /* distinct frames */
	BLAST_BATCH = 64,         /* frames per kernel batch (max 256) */
	/* repetitions per BPF_PROG_RUN call: each call with repeat > 1 costs
	 * two XDP dispatcher updates (~30 ms together on the 6.18 VM of
	 * docs/BENCHMARKS.md), so calls must be few and long */
	BLAST_MIN_REPEAT = 1 << 17,
	BLAST_MAX_REPEAT = 1 << 20,
	BLAST_HDRS = ETH_HLEN + sizeof(struct iphdr) + sizeof(struct udphdr),
	BLAST_FRAME_MAX = BLAST_HDRS + XG_MAX_MSG_SIZE, /* bytes */
	BLAST_RX_BATCH = 64,
	BLAST_DRAIN_QUIET_MS = 200, /* after sending: stop when acks pause:
				     * the bench's "lost" is "no ack 200 ms
				     * after the last send" */
	BLAST_DRAIN_MAX_MS = 2000,  /* ... or after this long at most */
	BLAST_IP_TTL = 64,
};

struct blast_frame {
	unsigned char data[BLAST_FRAME_MAX] __attribute__((aligned(8)));
	uint32_t len;
};

/* xdp_tx's `frame` map value (bpf/xdp_tx.bpf.c): every repetition starts
 * from it */
struct blast_tmpl {
	uint32_t len;
	unsigned char data[256];
};
_Static_assert(BLAST_FRAME_MAX < sizeof(((struct blast_tmpl *)0)->data),
	       "a frame fits xdp_tx's template");

/* One try of a step, as reported. */
struct blast_try {
	uint64_t sent, bytes, ns, acks, not_ok, lost;
	uint32_t tries;
};

struct blast_ctx {
	const struct xg_blast_opts *o;
	struct xg_blast_link link;    /* blast_setup.c's */
	struct xdp_tx *skel;
	struct blast_frame *pool;     /* BLAST_POOL frames */
	uint32_t first_seq, probe_seq;
	struct xg_mix mix;
	uint64_t *tokens;             /* the players' sessions */
	struct xg_handshake_opts hs;
	struct xg_handshake_result hs_result;
	sigset_t stop_sigs;

	uint32_t ack_range;           /* acks of seq first_seq.. + this */
	struct bpf_link *acks_link;   /* xdp_acks on IFACE, or NULL */

	/* the step being run: its rate (0: unpaced), what it sent, when,
	 * and the ack counts when it started */
	uint32_t step;
	uint64_t rate;
	uint64_t sent, bytes_sent;
	uint64_t started, finished;   /* sending, CLOCK_MONOTONIC ns */
	uint64_t acks0, not_ok0;
	uint64_t total_sent;          /* over all steps */
	bool interrupted;

	/* the receiver thread writes these; the main thread reads them */
	pthread_t rx_thread;
	bool rx_running;
	atomic_bool rx_stop;
	_Atomic uint64_t acks, malformed;
};

/* Fresh requests (every mode but the forged flood): xdp_tx counts what it
 * sent, and stops at its limit or its stop time. */
static inline bool fresh(const struct blast_ctx *c)
{
	return !c->o->forge_sources;
}

/* A stop signal (SIGINT, SIGTERM) came: consumed. */
bool blast_stop_requested(struct blast_ctx *c);
/* Run the step c->step at c->rate, tried as --retries says, and print
 * its report. 0, or a negative errno with the reason printed. */
int blast_step(struct blast_ctx *c);

#endif
