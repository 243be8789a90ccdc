/* SPDX-License-Identifier: MIT */
/*
 * Building whole Ethernet frames around a game datagram, for the unit
 * tests and the fuzzers (the BPF tables have their own, row-driven
 * builder): Ethernet, up to two VLAN tags, IPv4 (optionally with NOP
 * options) or IPv6 (optionally with one hop-by-hop header), UDP with a
 * right checksum (or none, IPv4), the datagram. Everything is written
 * byte by byte, so the buffer may lie at any alignment.
 */
#ifndef XDPGAME_TESTS_FRAME_BUILD_H
#define XDPGAME_TESTS_FRAME_BUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct xg_fb {
	bool ipv6;
	int vlans;              /* 0..2 802.1Q tags */
	int ip4_opt;            /* IPv4 option bytes, a multiple of 4 */
	bool hop_by_hop;        /* IPv6: one 8-byte hop-by-hop header */
	bool no_csum;           /* IPv4: UDP checksum 0 */
	uint8_t src[16], dst[16]; /* IPv4: the first 4 bytes */
	uint8_t src_mac[6], dst_mac[6];
	uint16_t sport, dport;  /* host order */
};

enum { XG_FB_MAX = 14 + 8 + 60 + 8 + 8 + 512 };

static inline void xg_fb_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The internet checksum of the pseudo-header and n bytes of UDP at u. */
static inline uint16_t xg_fb_udp_csum(const uint8_t *src, const uint8_t *dst,
				      int alen, const uint8_t *u, uint32_t n)
{
	uint32_t s = 17 + n;

	for (int i = 0; i < alen; i += 2)
		s += (uint32_t)(src[i] << 8 | src[i + 1]) +
		     (uint32_t)(dst[i] << 8 | dst[i + 1]);
	for (uint32_t i = 0; i < n; i += 2)
		s += (uint32_t)(u[i] << 8 | (i + 1 < n ? u[i + 1] : 0));
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* The frame around 'len' bytes of datagram at 'dg', into 'out' (at least
 * XG_FB_MAX bytes, len <= 512). Returns the frame's length. */
static inline uint32_t xg_fb_build(const struct xg_fb *o, const void *dg,
				   uint32_t len, uint8_t *out)
{
	uint32_t off = 0, l3, l4, hl;
	uint16_t c;

	memcpy(out, o->dst_mac, 6);
	memcpy(out + 6, o->src_mac, 6);
	off = 12;
	for (int i = 0; i < o->vlans && i < 2; i++) {
		xg_fb_put16(out + off, 0x8100);
		xg_fb_put16(out + off + 2, (uint16_t)(100 + i));
		off += 4;
	}
	xg_fb_put16(out + off, o->ipv6 ? 0x86dd : 0x0800);
	l3 = off += 2;
	if (!o->ipv6) {
		hl = 20 + (uint32_t)o->ip4_opt;
		memset(out + l3, 0, hl);
		out[l3] = (uint8_t)(0x40 | hl / 4);
		xg_fb_put16(out + l3 + 2, (uint16_t)(hl + 8 + len));
		xg_fb_put16(out + l3 + 4, 1);
		xg_fb_put16(out + l3 + 6, 0x4000); /* DF */
		out[l3 + 8] = 64;
		out[l3 + 9] = 17;
		memcpy(out + l3 + 12, o->src, 4);
		memcpy(out + l3 + 16, o->dst, 4);
		memset(out + l3 + 20, 1, (size_t)o->ip4_opt); /* NOPs */
		{
			uint32_t s = 0;

			for (uint32_t i = 0; i < hl; i += 2)
				s += (uint32_t)(out[l3 + i] << 8 |
						out[l3 + i + 1]);
			while (s >> 16)
				s = (s & 0xffff) + (s >> 16);
			xg_fb_put16(out + l3 + 10, (uint16_t)~s);
		}
		l4 = l3 + hl;
	} else {
		uint32_t ext = o->hop_by_hop ? 8 : 0;

		memset(out + l3, 0, 40 + ext);
		out[l3] = 0x60;
		xg_fb_put16(out + l3 + 4, (uint16_t)(ext + 8 + len));
		out[l3 + 6] = o->hop_by_hop ? 0 : 17;
		out[l3 + 7] = 64;
		memcpy(out + l3 + 8, o->src, 16);
		memcpy(out + l3 + 24, o->dst, 16);
		if (ext) { /* next UDP, 8 bytes, PadN of 4 */
			out[l3 + 40] = 17;
			out[l3 + 42] = 1;
			out[l3 + 43] = 4;
		}
		l4 = l3 + 40 + ext;
	}
	xg_fb_put16(out + l4, o->sport);
	xg_fb_put16(out + l4 + 2, o->dport);
	xg_fb_put16(out + l4 + 4, (uint16_t)(8 + len));
	xg_fb_put16(out + l4 + 6, 0);
	memcpy(out + l4 + 8, dg, len);
	if (o->ipv6 || !o->no_csum) {
		c = xg_fb_udp_csum(o->src, o->dst, o->ipv6 ? 16 : 4, out + l4,
				   8 + len);
		xg_fb_put16(out + l4 + 6, c ? c : 0xffff);
	}
	return l4 + 8 + len;
}

#endif
