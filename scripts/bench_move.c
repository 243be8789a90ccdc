// SPDX-License-Identifier: MIT
/*
 * Instructions per MOVE in user space, for callgrind (scripts/bench.sh).
 *
 *   bench_move N
 *
 * Builds N MOVE requests up front (xg_msg_move), then, in serve_moves()
 * (a function of its own, so callgrind can isolate it), does per request what
 * the AF_XDP worker does per frame: copy the request into a synthetic
 * Ethernet/IPv4/UDP frame, xg_frame_walk() to the payload, xg_frame_check() (no UDP checksum, as the worker),
 * xg_handle() in place (parse + validate + world update + ack) and
 * xg_frame_reply() (address swap, lengths, checksums). The ring/UMEM handling
 * of the real worker is not included.
 *
 * bench.sh runs it under callgrind with --toggle-collect=serve_moves* (and
 * once more with --toggle-collect=xg_handle) for two values of N: the
 * difference of the totals over the difference of N is the cost of one MOVE,
 * with the setup and the building of the requests left out.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xdpgame/parsing.h>
#include <xdpgame/proto.h>

#include "game/handlers.h"
#include "game/msg.h"
#include "game/session.h"
#include "core/stats.h"
#include "game/world.h"

enum { HDRS = 14 + 20 + 8, FRAME = 256, PLAYERS = 500 };

struct req {
	uint32_t len;
	unsigned char b[XG_MAX_MSG_SIZE];
};

static void build_frame(unsigned char *fr)
{
	static const unsigned char hdr[HDRS] = {
		/* Ethernet: dst, src, IPv4 */
		0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00,
		/* IPv4: v4 ihl5, tos, tot_len (set later), id, frag, ttl 64, UDP,
		 * check (set later), 192.0.2.2 -> 192.0.2.1 */
		0x45, 0, 0, 0, 0x12, 0x34, 0x40, 0x00, 64, 17, 0, 0,
		192, 0, 2, 2, 192, 0, 2, 1,
		/* UDP: 40000 -> 4000, len (set later), check 0 */
		0x9c, 0x40, 0x0f, 0xa0, 0, 0, 0, 0,
	};
	memcpy(fr, hdr, HDRS);
}

static void set_lengths(unsigned char *fr, uint32_t plen)
{
	uint32_t tot = 20 + 8 + plen, sum = 0;
	int i;

	fr[14 + 2] = (unsigned char)(tot >> 8);
	fr[14 + 3] = (unsigned char)tot;
	fr[14 + 10] = fr[14 + 11] = 0;
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)fr[14 + i] << 8 | fr[14 + i + 1];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	fr[14 + 10] = (unsigned char)(sum >> 8);
	fr[14 + 11] = (unsigned char)sum;
	fr[34 + 4] = (unsigned char)((8 + plen) >> 8);
	fr[34 + 5] = (unsigned char)(8 + plen);
}

/* The measured loop: one request per iteration, as the AF_XDP worker. */
__attribute__((noinline)) static uint64_t
serve_moves(struct xg_handler_ctx *ctx, const struct req *reqs, uint32_t n,
	    unsigned char *fr)
{
	uint64_t bytes = 0;
	uint32_t i;

	for (i = 0; i < n; i++) {
		void *end = fr + HDRS + reqs[i].len;
		struct xg_frame f;
		int r;

		/* restore the request's headers (the previous reply swapped
		 * them) and payload, as a fresh RX frame would have them */
		memcpy(fr, fr + FRAME, HDRS);
		memcpy(fr + HDRS, reqs[i].b, reqs[i].len);
		if (xg_frame_walk(fr, end, XG_XDP_IPV6_EXT_DEFAULT, &f) !=
			    XG_FRAME_UDP ||
		    xg_frame_check(&f, end))
			return 0;
		/* as the AF_XDP worker: in place, the frame's room, validated
		 * by the XDP program */
		r = xg_handle(ctx, f.payload, f.len, f.payload,
			      FRAME - HDRS);
		if (r != XG_ACK_SIZE)
			return 0;
		bytes += xg_frame_reply(&f, fr, (uint32_t)r);
	}
	return bytes;
}

int main(int argc, char **argv)
{
	static struct xg_stats stats;
	static uint64_t tokens[PLAYERS];
	struct xg_handler_ctx ctx;
	struct xg_sessions *sessions;
	struct xg_peer peer = { .port = 0x409c /* 40000, network order */,
				.local_port = 0xa00f /* 4000 */ };
	struct xg_world *world;
	unsigned char *fr;
	struct req *reqs;
	uint32_t n, i;
	uint64_t bytes;

	if (argc != 2) {
		fprintf(stderr, "usage: bench_move N\n");
		return 2;
	}
	n = (uint32_t)strtoul(argv[1], NULL, 10);
	world = xg_world_create(XG_MAX_PLAYERS);
	sessions = world ? xg_sessions_create(world, NULL) : NULL;
	reqs = calloc(n ? n : 1, sizeof(*reqs));
	fr = aligned_alloc(64, 2 * FRAME);
	if (!world || !sessions || !reqs || !fr) {
		perror("bench_move");
		return 1;
	}
	memset(fr, 0, 2 * FRAME);
	xg_stats_init(&stats);
	/* the frame's client, 192.0.2.2:40000, holds the players' sessions;
	 * the server's budgets and expiry are the XDP program's (as on the
	 * AF_XDP path), the session and replay checks are measured here */
	xg_addr_from_v4(&peer.addr, htonl(0xc0000202));
	xg_addr_from_v4(&peer.local, htonl(0xc0000201));
	sessions->kernel_checks = true;
	for (i = 0; i < PLAYERS; i++)
		if (xg_session_open(sessions, i, &peer, 1000000000ull, &tokens[i]))
			return 1;
	ctx = (struct xg_handler_ctx){ .world = world, .sessions = sessions,
				       .stats = &stats, .events = NULL,
				       .now = 1000000000ull, .peer = &peer,
				       .validated = true };
	for (i = 0; i < n; i++) {
		float x = (float)(i % 1000);

		reqs[i].len = xg_msg_move(reqs[i].b, i + 1, i % PLAYERS,
					  tokens[i % PLAYERS],
					  1000000000ull + i, x, -x, 1.0f);
	}
	build_frame(fr + FRAME); /* the pristine request headers */
	set_lengths(fr + FRAME, n ? reqs[0].len : XG_MAX_MSG_SIZE);

	bytes = serve_moves(&ctx, reqs, n, fr);
	if (n && bytes != (uint64_t)n * (HDRS + XG_ACK_SIZE)) {
		fprintf(stderr, "bench_move: a MOVE was not acked (%llu bytes)\n",
			(unsigned long long)bytes);
		return 1;
	}
	printf("bench_move: %u MOVE handled, %llu reply bytes, ok %llu\n", n,
	       (unsigned long long)bytes,
	       (unsigned long long)xg_stat_read(&stats.status[XG_ST_OK]));
	xg_sessions_destroy(sessions);
	xg_world_destroy(world);
	free(reqs);
	free(fr);
	return 0;
}
