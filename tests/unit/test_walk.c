/* SPDX-License-Identifier: MIT */
/*
 * The user-space side of the shared frame walk (include/xdpgame/parsing.h)
 * on frames laid out as AF_XDP hands them over: the Ethernet header at a
 * 4-byte aligned address (a UMEM frame's start plus headroom), so that an
 * IPv4 or IPv6 header is only 2-byte aligned. Under the unit-asan build
 * (-fsanitize=address,undefined -fno-sanitize-recover) any misaligned
 * access through struct iphdr/ipv6hdr aborts the test: the walk, the
 * checks, the UDP checksum and the reply builder must read such headers
 * only through the 2-byte aligned types.
 */
#include <criterion/criterion.h>
#include <stdalign.h>

#include <xdpgame/parsing.h>

#include "game/msg.h"
#include "../common/frame_build.h"

static struct xg_fb opts(bool ipv6, int vlans)
{
	struct xg_fb o = { .ipv6 = ipv6, .vlans = vlans, .sport = 40000,
			   .dport = 7777,
			   .src_mac = { 2, 0, 0, 0, 0, 1 },
			   .dst_mac = { 2, 0, 0, 0, 0, 2 } };

	if (ipv6) {
		o.src[0] = o.dst[0] = 0xfd;
		o.src[15] = 1;
		o.dst[15] = 2;
	} else {
		memcpy(o.src, "\x0a\x00\x00\x01", 4);
		memcpy(o.dst, "\x0a\x00\x00\x02", 4);
	}
	return o;
}

/* Walk, check, validate, checksum and reply, as the worker and the XDP
 * program do, a MOVE in the frame built at buf + off. */
static void walk_one(const struct xg_fb *o, uint32_t off)
{
	alignas(64) static uint8_t buf[4096];
	uint8_t dg[XG_MAX_MSG_SIZE];
	union {
		struct xg_hdr h;
		uint8_t b[XG_MOVE_SIZE];
	} h;
	struct xg_frame f;
	uint32_t n, len, rlen;
	void *end;

	n = xg_msg_move(dg, 1, 42, 7, 1000, 1.0f, 2.0f, 3.0f);
	len = xg_fb_build(o, dg, n, buf + off);
	end = buf + off + len;
	cr_assert_eq(xg_frame_walk(buf + off, end, XG_XDP_IPV6_EXT_DEFAULT, &f),
		     XG_FRAME_UDP);
	cr_expect_eq(((uintptr_t)(f.iph ? (void *)f.iph : (void *)f.ip6h)) % 4,
		     (off + 14 + 4 * (uint32_t)o->vlans) % 4);
	cr_assert_eq(xg_frame_check(&f, end), 0);
	cr_assert_eq(f.len, n);
	/* the datagram itself is validated and answered in an aligned copy,
	 * as xg_handle() does */
	memcpy(&h, f.payload, sizeof(h));
	cr_assert_eq(xg_validate(&h, &h + 1, f.len), XG_OK);
	cr_assert_eq(xg_frame_udp_csum(&f, end, XG_MSG_MOVE), 0);
	xg_make_reply(&h.h, XG_ST_OK, XG_ACK_SIZE);
	memcpy(f.payload, &h, XG_ACK_SIZE);
	rlen = xg_frame_reply(&f, buf + off, XG_ACK_SIZE);
	cr_expect_eq(rlen, (uint32_t)((char *)f.payload - (char *)(buf + off)) +
				   XG_ACK_SIZE);
}

Test(walk, ipv4_header_2_byte_aligned_as_in_an_af_xdp_frame)
{
	struct xg_fb o = opts(false, 0);

	walk_one(&o, 0);   /* IP header at 14: 2 mod 4 */
	walk_one(&o, 256); /* headroom, still 4-byte aligned */
	o.no_csum = true;
	walk_one(&o, 0);
}

Test(walk, ipv6_and_vlans_at_every_alignment)
{
	for (int v6 = 0; v6 < 2; v6++)
		for (int vl = 0; vl <= 2; vl++)
			for (uint32_t off = 0; off < 4; off += 2) {
				struct xg_fb o = opts(v6, vl);

				walk_one(&o, off);
			}
}

/* IPv4 options and IPv6 extension headers: walked to the UDP header (the
 * port decides whether it is game traffic), then left to the kernel. */
Test(walk, options_left_to_the_kernel)
{
	alignas(64) static uint8_t buf[1024];
	uint8_t dg[XG_MAX_MSG_SIZE];
	struct xg_fb o = opts(false, 0);
	struct xg_frame f;
	uint32_t n, len;

	n = xg_msg_heartbeat(dg, 1, 42, 7, 1000);
	o.ip4_opt = 8;
	len = xg_fb_build(&o, dg, n, buf);
	cr_assert_eq(xg_frame_walk(buf, buf + len, XG_XDP_IPV6_EXT_DEFAULT, &f),
		     XG_FRAME_UDP);
	cr_expect_eq(xg_frame_check(&f, buf + len), XG_CNT_PASS_IP_OPTIONS);
	o = opts(true, 1);
	o.hop_by_hop = true;
	len = xg_fb_build(&o, dg, n, buf);
	cr_assert_eq(xg_frame_walk(buf, buf + len, XG_XDP_IPV6_EXT_DEFAULT, &f),
		     XG_FRAME_UDP);
	cr_expect_eq(xg_frame_check(&f, buf + len), XG_CNT_PASS_IP_OPTIONS);
}
