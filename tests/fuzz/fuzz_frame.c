/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: a whole frame the way the AF_XDP worker takes it
 * (user/engine/xsk_loop.c): into a 4-byte aligned UMEM-like buffer,
 * xg_frame_walk(), xg_frame_check() (and the UDP checksum, which the XDP
 * program runs), the peer from the frame, xg_handle() in place with a
 * world and two live sessions, and xg_frame_reply() on what it returns.
 *
 * Input: one control byte, then the frame. Control bit 0: write player
 * 42's (IPv4, 10.0.0.1:40000) or 43's (IPv6, fd00::1:40000) live session
 * token into the datagram's header, so that game requests get past the
 * session check (a token is random: the fuzzer could not guess it).
 * Sanitizers (ASan, UBSan, no recovery) are the oracle, with two checks of
 * our own: the reply fits the frame, and a reply frame walks again.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xdpgame/parsing.h>

#include "core/ring.h"
#include "core/stats.h"
#include "engine/frames.h"
#include "game/handlers.h"
#include "game/session.h"

enum { FRAME_SIZE = 2048, PLAYER4 = 42, PLAYER6 = 43, CLIENT_PORT = 40000 };

static struct xg_world *world;
static struct xg_sessions *sessions;
static struct xg_ring *events;
static struct xg_stats stats;
static struct xg_peer peer4, peer6;
static uint64_t now = 1000000000000ull;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	world = xg_world_create(XG_MAX_PLAYERS);
	sessions = xg_sessions_create(world, NULL);
	events = xg_ring_create(64, sizeof(struct xg_event));
	if (!world || !sessions || !events)
		abort();
	xg_stats_init(&stats);
	xg_addr_from_v4(&peer4.addr, htonl(0x0a000001));
	xg_addr_from_v4(&peer4.local, htonl(0x0a000002));
	peer4.port = peer6.port = htons(CLIENT_PORT);
	peer4.local_port = peer6.local_port = htons(7777);
	peer6.addr.a[0] = peer6.local.a[0] = 0xfd;
	peer6.addr.a[15] = 1;
	peer6.local.a[15] = 2;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static _Alignas(64) uint8_t umem[FRAME_SIZE];
	struct xg_handler_ctx ctx;
	uint64_t tok4 = 0, tok6 = 0;
	struct xg_peer peer;
	struct xg_frame f;
	uint8_t ctl;
	void *end;
	int r;

	if (size < 1 || size - 1 > FRAME_SIZE)
		return 0;
	ctl = data[0];
	memcpy(umem, data + 1, size - 1);
	end = umem + (size - 1); /* umem + size may point past the end + 1 */
	now += 1000000; /* 1 ms a frame */
	xg_session_open(sessions, PLAYER4, &peer4, now, &tok4);
	xg_session_open(sessions, PLAYER6, &peer6, now, &tok6);

	if (xg_frame_walk(umem, end, XG_XDP_IPV6_EXT_DEFAULT, &f) != XG_FRAME_UDP)
		return 0;
	if (xg_frame_check(&f, end))
		return 0;
	if ((ctl & 1) && f.len >= XG_HDR_SIZE) {
		uint64_t t = xg_le64(f.iph ? tok4 : tok6);

		memcpy((uint8_t *)f.payload + offsetof(struct xg_hdr, token),
		       &t, 8);
	}
	if (f.len >= XG_HDR_SIZE && f.len <= XG_MAX_MSG_SIZE) {
		/* as the XDP program: validate, then the checksum (here on an
		 * aligned copy, as user space validates) */
		union {
			struct xg_hdr h;
			uint8_t b[XG_MAX_MSG_SIZE];
		} c;

		memcpy(c.b, f.payload, f.len);
		if (xg_validate(c.b, c.b + f.len, f.len) == XG_OK)
			(void)xg_frame_udp_csum(&f, end, c.h.type);
	}
	xg_frame_peer(&f, &peer);
	ctx = (struct xg_handler_ctx){ .world = world, .sessions = sessions,
				       .stats = &stats, .events = events,
				       .now = now, .peer = &peer };
	r = xg_handle(&ctx, f.payload, f.len, f.payload, f.len);
	if (r > 0 && r <= XG_MAX_REPLY_SIZE) {
		uint32_t n = xg_frame_reply(&f, umem, (uint32_t)r);
		struct xg_frame g;

		if (n > size - 1)
			abort(); /* a reply longer than its request */
		if (xg_frame_walk(umem, umem + n, XG_XDP_IPV6_EXT_DEFAULT, &g) !=
		    XG_FRAME_UDP)
			abort(); /* the reply is not a frame we could read */
	}
	{ /* drain the kill events, as the main thread does */
		struct xg_event ev;

		while (xg_ring_pop(events, &ev, sizeof(ev)) >= 0)
			;
	}
	return 0;
}
