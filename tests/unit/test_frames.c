/* SPDX-License-Identifier: MIT */
/* UMEM frame accounting: conservation and double-use detection. */
#include <criterion/criterion.h>
#include <errno.h>

#include "engine/frames.h"

Test(frames, init_rejects_bad_sizes)
{
	struct xg_frames f;

	cr_expect_eq(xg_frames_init(&f, 0, 2048), -EINVAL);
	cr_expect_eq(xg_frames_init(&f, 8, 3000), -EINVAL);
}

Test(frames, every_frame_once_then_empty)
{
	struct xg_frames f;
	uint8_t seen[64] = {};
	uint64_t a;

	cr_assert_eq(xg_frames_init(&f, 64, 2048), 0);
	cr_expect(xg_frames_check(&f));
	for (int i = 0; i < 64; i++) {
		a = xg_frames_get(&f);
		cr_assert_neq(a, UINT64_MAX);
		cr_assert_eq(a % 2048, 0);
		cr_assert_eq(seen[a / 2048]++, 0, "frame %lu twice", (unsigned long)a);
	}
	cr_expect_eq(xg_frames_get(&f), UINT64_MAX);
	cr_expect_not(xg_frames_check(&f)); /* 64 frames in nobody's books */
	xg_frames_free(&f);
}

Test(frames, conservation_through_fill_rx_tx_completion)
{
	struct xg_frames f;
	uint64_t fill[16], a;
	int i;

	cr_assert_eq(xg_frames_init(&f, 32, 4096), 0);
	for (i = 0; i < 16; i++) /* stock the fill ring */
		fill[i] = xg_frames_get(&f);
	f.in_fill += 16;
	cr_expect(xg_frames_check(&f));
	/* 16 received: 10 answered on TX, 6 dropped back to the pool */
	f.in_fill -= 16;
	f.in_tx += 10;
	for (i = 10; i < 16; i++)
		cr_expect(xg_frames_put(&f, fill[i] + 256)); /* addr with offset */
	cr_expect(xg_frames_check(&f));
	/* completions return the TX frames */
	for (i = 0; i < 10; i++)
		cr_expect(xg_frames_put(&f, fill[i]));
	f.in_tx -= 10;
	cr_expect(xg_frames_check(&f));
	cr_expect_eq(f.nfree, 32);
	a = xg_frames_get(&f);
	cr_expect_eq(a % 4096, 0);
	xg_frames_free(&f);
}

Test(frames, double_put_is_caught)
{
	struct xg_frames f;
	uint64_t a;

	cr_assert_eq(xg_frames_init(&f, 4, 2048), 0);
	a = xg_frames_get(&f);
	cr_expect(xg_frames_put(&f, a));
	cr_expect_not(xg_frames_put(&f, a));
	cr_expect_not(xg_frames_put(&f, 4 * 2048)); /* outside the UMEM */
	cr_expect_eq(f.bad_puts, 2);
	cr_expect_not(xg_frames_check(&f));
	xg_frames_free(&f);
}

/* xg_serve_frame(), the AF_XDP worker's per-frame path: a MOVE frame at
 * the worker's offset in a UMEM frame (IPv4 then lies 8-byte aligned and
 * is handled in place) and at an offset 4 bytes off (copied), IPv4 and
 * IPv6: an OK ack, and a reply frame whose IP and UDP checksums hold. */
#include <arpa/inet.h>
#include <xdpgame/parsing.h>

#include "../common/frame_build.h"
#include "core/stats.h"
#include "game/handlers.h"
#include "game/msg.h"

Test(frames, serve_frame_in_place_and_copied)
{
	static _Alignas(64) uint8_t umem[2048];
	struct xg_world *w = xg_world_create(16);
	struct xg_sessions *s = xg_sessions_create(w, NULL);
	static struct xg_stats st;
	struct xg_fb o = { .sport = 40000, .dport = 7777,
			   .src_mac = { 2, 0, 0, 0, 0, 2 },
			   .dst_mac = { 2, 0, 0, 0, 0, 1 } };
	struct xg_peer p4 = { .port = htons(40000), .local_port = htons(7777) };
	struct xg_peer p6 = p4;
	uint8_t msg[XG_MAX_MSG_SIZE];
	uint64_t tok[2];
	uint32_t seq = 1;

	cr_assert(w && s);
	xg_stats_init(&st);
	s->kernel_checks = true;
	memcpy(o.src, (uint8_t[]){ 10, 0, 0, 1 }, 4);
	memcpy(o.dst, (uint8_t[]){ 10, 0, 0, 2 }, 4);
	xg_addr_from_v4(&p4.addr, htonl(0x0a000001));
	xg_addr_from_v4(&p4.local, htonl(0x0a000002));
	p6.addr.a[0] = p6.local.a[0] = 0xfd;
	p6.addr.a[15] = 1;
	p6.local.a[15] = 2;
	cr_assert_eq(xg_session_open(s, 1, &p4, 1000, &tok[0]), XG_ST_OK);
	cr_assert_eq(xg_session_open(s, 2, &p6, 1000, &tok[1]), XG_ST_OK);
	for (int v6 = 0; v6 < 2; v6++)
		for (int off = 262; off >= 258; off -= 4) {
			struct xg_handler_ctx c = { .world = w, .sessions = s,
						    .stats = &st, .now = 2000 };
			uint8_t *pkt = umem + off;
			uint32_t n, len, l3 = 14, l4;
			struct xg_hdr h;

			o.ipv6 = v6;
			if (v6) {
				memset(o.src, 0, 16);
				memset(o.dst, 0, 16);
				o.src[0] = o.dst[0] = 0xfd;
				o.src[15] = 1;
				o.dst[15] = 2;
			}
			n = xg_msg_move(msg, seq++, 1 + (uint32_t)v6, tok[v6], 5,
					1.0f, 2.0f, 3.0f);
			len = xg_fb_build(&o, msg, n, pkt);
			n = xg_serve_frame(&c, pkt, len, 2048 - (uint32_t)off);
			l4 = l3 + (v6 ? 40 : 20);
			cr_assert_eq(n, l4 + 8 + XG_ACK_SIZE, "v6 %d off %d", v6, off);
			memcpy(&h, pkt + l4 + 8, sizeof(h));
			cr_expect_eq(h.type, XG_MSG_MOVE | XG_MSG_ACK);
			cr_expect_eq(h.status, XG_ST_OK);
			cr_expect_eq(pkt[0], 2);
			cr_expect_eq(pkt[5], 2, "destination MAC: the client's");
			if (!v6) {
				uint32_t sum = 0;

				for (int i = 0; i < 20; i += 2)
					sum += (uint32_t)(pkt[l3 + i] << 8 |
							  pkt[l3 + i + 1]);
				while (sum >> 16)
					sum = (sum & 0xffff) + (sum >> 16);
				cr_expect_eq(sum, 0xffff, "IPv4 header checksum");
			}
			/* over the reply, its checksum included: 0 */
			cr_expect_eq(xg_fb_udp_csum(pkt + l3 + (v6 ? 8 : 12),
						    pkt + l3 + (v6 ? 24 : 16),
						    v6 ? 16 : 4, pkt + l4,
						    8 + XG_ACK_SIZE),
				     0, "UDP checksum, v6 %d off %d", v6, off);
		}
	cr_expect_eq(xg_stat_read(&st.status[XG_ST_OK]), 4);
	xg_sessions_destroy(s);
	xg_world_destroy(w);
}
