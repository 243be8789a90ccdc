// SPDX-License-Identifier: MIT
/*
 * Instructions per MOVE in user space, for callgrind (scripts/bench.sh).
 *
 *   bench_move N
 *
 * Builds N MOVE request frames up front (xg_msg_move in an
 * Ethernet/IPv4/UDP frame with its UDP checksum, as a Linux client sends
 * it), each in a UMEM-like frame at the offset the AF_XDP worker's
 * frames have (XDP_PACKET_HEADROOM + the worker's headroom), then, in
 * serve_moves() (a function of its own, so callgrind can isolate it),
 * serves them in batches of 64 with the AF_XDP worker's own per-frame
 * code, xg_serve_frame() (user/engine/frames.c: the frame walk and checks,
 * the peer, xg_handle() in place, xg_frame_reply()). The rings, the clock
 * and the per-batch counters of the real worker are not included.
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

#include "engine/frames.h"
#include "game/handlers.h"
#include "game/msg.h"
#include "game/session.h"
#include "core/stats.h"
#include "game/world.h"

enum {
	HDRS = 14 + 20 + 8,
	SLOT = 512,              /* a UMEM frame, smaller: N of them */
	OFF = 256 + 6,           /* XDP_PACKET_HEADROOM + xsk_internal.h's headroom */
	BATCH = 64,              /* xsk_internal.h's XSK_BATCH */
	PLAYERS = 500,
};

/* One request frame: 192.0.2.2:40000 -> 192.0.2.1:4000, IPv4 header and
 * UDP checksums set. */
static void build_frame(unsigned char *fr, const unsigned char *msg,
			uint32_t plen)
{
	static const unsigned char hdr[HDRS] = {
		/* Ethernet: dst, src, IPv4 */
		0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00,
		/* IPv4: v4 ihl5, tos, tot_len (set below), id, frag, ttl 64, UDP,
		 * check (set below), 192.0.2.2 -> 192.0.2.1 */
		0x45, 0, 0, 0, 0x12, 0x34, 0x40, 0x00, 64, 17, 0, 0,
		192, 0, 2, 2, 192, 0, 2, 1,
		/* UDP: 40000 -> 4000, len, check (set below) */
		0x9c, 0x40, 0x0f, 0xa0, 0, 0, 0, 0,
	};
	uint32_t tot = 20 + 8 + plen, sum = 0, i;

	memcpy(fr, hdr, HDRS);
	memcpy(fr + HDRS, msg, plen);
	fr[14 + 2] = (unsigned char)(tot >> 8);
	fr[14 + 3] = (unsigned char)tot;
	fr[34 + 4] = (unsigned char)((8 + plen) >> 8);
	fr[34 + 5] = (unsigned char)(8 + plen);
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)fr[14 + i] << 8 | fr[14 + i + 1];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	fr[14 + 10] = (unsigned char)(sum >> 8);
	fr[14 + 11] = (unsigned char)sum;
	/* UDP: pseudo header (addresses, protocol, length), header, data */
	sum = 17 + 8 + plen;
	for (i = 26; i < 34; i += 2)
		sum += (uint32_t)fr[i] << 8 | fr[i + 1];
	for (i = 34; i < HDRS + plen; i += 2)
		sum += (uint32_t)fr[i] << 8 |
		       (i + 1 < HDRS + plen ? fr[i + 1] : 0);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	if (!sum)
		sum = 0xffff;
	fr[34 + 6] = (unsigned char)(sum >> 8);
	fr[34 + 7] = (unsigned char)sum;
}

/* The measured loop: batches of frames, as the AF_XDP worker. */
__attribute__((noinline)) static uint64_t
serve_moves(struct xg_handler_ctx *ctx, unsigned char *umem,
	    const uint32_t *lens, uint32_t n)
{
	uint64_t bytes = 0;
	uint32_t i, j, r;

	for (i = 0; i < n; i += BATCH)
		for (j = i; j < n && j < i + BATCH; j++) {
			r = xg_serve_frame(ctx, umem + (size_t)j * SLOT + OFF,
					   lens[j], SLOT - OFF);
			if (r != HDRS + XG_ACK_SIZE)
				return 0;
			bytes += r;
		}
	return bytes;
}

int main(int argc, char **argv)
{
	static struct xg_stats stats;
	static uint64_t tokens[PLAYERS];
	unsigned char msg[XG_MAX_MSG_SIZE];
	struct xg_handler_ctx ctx;
	struct xg_sessions *sessions;
	struct xg_peer peer = { .port = 0x409c /* 40000, network order */,
				.local_port = 0xa00f /* 4000 */ };
	struct xg_world *world;
	unsigned char *umem;
	uint32_t n, i, *lens;
	uint64_t bytes;

	if (argc != 2) {
		fprintf(stderr, "usage: bench_move N\n");
		return 2;
	}
	n = (uint32_t)strtoul(argv[1], NULL, 10);
	world = xg_world_create(XG_MAX_PLAYERS);
	sessions = world ? xg_sessions_create(world, NULL) : NULL;
	lens = calloc(n ? n : 1, sizeof(*lens));
	umem = aligned_alloc(4096, (size_t)(n ? n : 1) * SLOT);
	if (!world || !sessions || !lens || !umem) {
		perror("bench_move");
		return 1;
	}
	memset(umem, 0, (size_t)(n ? n : 1) * SLOT);
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
				       .now = 1000000000ull };
	for (i = 0; i < n; i++) {
		float x = (float)(i % 1000);
		uint32_t plen = xg_msg_move(msg, i + 1, i % PLAYERS,
					    tokens[i % PLAYERS],
					    1000000000ull + i, x, -x, 1.0f);

		build_frame(umem + (size_t)i * SLOT + OFF, msg, plen);
		lens[i] = HDRS + plen;
	}

	bytes = serve_moves(&ctx, umem, lens, n);
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
	free(lens);
	free(umem);
	return 0;
}
