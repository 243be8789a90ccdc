/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * Header parsing with a cursor, after xdp-tools' parsing_helpers.h: every
 * helper checks its own bounds against data_end before it reads, advances
 * the cursor past what it parsed, and hands back a pointer to the header.
 * A helper that runs out of frame returns XG_PARSE_SHORT and leaves the
 * cursor where it was.
 *
 * Shared by the XDP program (after vmlinux.h) and user space (the AF_XDP
 * worker, which reads its frames with the very same walk): xg_frame_walk()
 * below is the whole L2-L4 path, so the two cannot disagree on where a
 * game datagram starts. bpf_htons() comes from libbpf's bpf_endian.h, which
 * works on both sides.
 *
 * After the walk, xg_frame_check() accepts what the kernel's own UDP
 * receive path would accept, and nothing else (docs/PROTOCOL.md, "What
 * the server accepts"), so that the fast path never answers a frame the
 * kernel socket would never have seen.
 *
 * Alignment: in an AF_XDP frame the Ethernet header is 4-byte aligned, so
 * the IP header is only 2-byte aligned. User space reads it through
 * xg_iphdr / xg_ipv6hdr, the kernel's structs with their alignment
 * lowered to 2 (a typedef may lower it), so that no access is undefined
 * and the compiler picks loads that work at any address; the BPF side keeps
 * the structs as they are (its loads must not be split into bytes).
 */
#ifndef XDPGAME_PARSING_H
#define XDPGAME_PARSING_H

#ifndef __VMLINUX_H__
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
/* the kernel's own (not uapi) 802.1Q tag, as vmlinux.h has it */
struct vlan_hdr {
	__be16 h_vlan_TCI;
	__be16 h_vlan_encapsulated_proto;
};
#endif
#include <bpf/bpf_endian.h>

#include <xdpgame/proto.h>
#include <xdpgame/xdp.h>

#ifdef __VMLINUX_H__
/* macros, not typedefs: CO-RE relocates field accesses by the type name,
 * and the kernel's BTF has struct iphdr, not xg_iphdr */
#define xg_iphdr struct iphdr
#define xg_ipv6hdr struct ipv6hdr
typedef __u32 xg_u32_a2;
#else
typedef struct iphdr xg_iphdr __attribute__((aligned(2)));
typedef struct ipv6hdr xg_ipv6hdr __attribute__((aligned(2)));
typedef __u32 xg_u32_a2 __attribute__((aligned(2))); /* a 32-bit word of
							 * a frame */
#endif

/* Loops here have constant bounds; unroll them (the BPF side needs it for
 * kernels without bounded-loop support). */
#ifdef __clang__
#define XG_UNROLL _Pragma("unroll")
#else
#define XG_UNROLL _Pragma("GCC unroll 16")
#endif

/* vmlinux.h carries the structs but not the uapi #defines. */
enum xg_eth_proto {
	XG_ETH_ALEN = 6,          /* bytes in a MAC address */
	XG_ETH_P_IP = 0x0800,
	XG_ETH_P_IPV6 = 0x86DD,
	XG_ETH_P_8021Q = 0x8100,  /* customer VLAN tag */
	XG_ETH_P_8021AD = 0x88A8, /* service VLAN tag (QinQ outer) */
};

enum xg_ip_const {
	XG_IP_MF = 0x2000,          /* iphdr.frag_off: more fragments */
	XG_IP_OFFSET = 0x1fff,      /* iphdr.frag_off: fragment offset */
	XG_NEXTHDR_HOP = 0,         /* IPv6 hop-by-hop options */
	XG_NEXTHDR_ROUTING = 43,
	XG_NEXTHDR_FRAGMENT = 44,
	XG_NEXTHDR_AUTH = 51,
	XG_NEXTHDR_DEST = 60,
	XG_NEXTHDR_MOBILITY = 135,
	XG_NEXTHDR_HIP = 139,
	XG_NEXTHDR_SHIM6 = 140,
	XG_NEXTHDR_EXP1 = 253,      /* RFC 3692 experiments */
	XG_NEXTHDR_EXP2 = 254,
};

enum {
	XG_PARSE_SHORT = -1, /* the frame ends inside the header */
};

struct hdr_cursor {
	void *pos;
};

static __always_inline int xg_proto_is_vlan(__u16 h_proto)
{
	return h_proto == bpf_htons(XG_ETH_P_8021Q) ||
	       h_proto == bpf_htons(XG_ETH_P_8021AD);
}

/*
 * Ethernet header and up to XG_XDP_VLAN_MAX VLAN tags (802.1Q or 802.1ad, in
 * any order). Returns the EtherType after them, network order: still a VLAN
 * EtherType if there are more tags than that (the caller passes the frame).
 */
static __always_inline int parse_ethhdr(struct hdr_cursor *nh, void *data_end,
					struct ethhdr **ethhdr)
{
	struct ethhdr *eth = nh->pos;
	struct vlan_hdr *vlh;
	__u16 h_proto;
	int i;

	if ((void *)(eth + 1) > data_end)
		return XG_PARSE_SHORT;
	*ethhdr = eth;
	vlh = (void *)(eth + 1);
	h_proto = eth->h_proto;

XG_UNROLL
	for (i = 0; i < XG_XDP_VLAN_MAX; i++) {
		if (!xg_proto_is_vlan(h_proto))
			break;
		if ((void *)(vlh + 1) > data_end)
			return XG_PARSE_SHORT;
		h_proto = vlh->h_vlan_encapsulated_proto;
		vlh++;
	}
	nh->pos = vlh;
	return h_proto;
}

/* IPv4 header, options included (IHL). Returns the protocol. */
static __always_inline int parse_iphdr(struct hdr_cursor *nh, void *data_end,
				       xg_iphdr **iphdr)
{
	xg_iphdr *iph = nh->pos;
	__u32 hdrsize;

	if ((void *)(iph + 1) > data_end)
		return XG_PARSE_SHORT;
	hdrsize = iph->ihl * 4;
	if (hdrsize < sizeof(*iph))
		return XG_PARSE_SHORT; /* IHL < 5: not a header we can walk */
	if (nh->pos + hdrsize > data_end)
		return XG_PARSE_SHORT;
	nh->pos += hdrsize;
	*iphdr = iph;
	return iph->protocol;
}

/* An IPv4 first fragment (MF) or a later one (offset). */
static __always_inline int xg_ipv4_is_fragment(const xg_iphdr *iph)
{
	return (iph->frag_off & bpf_htons(XG_IP_MF | XG_IP_OFFSET)) != 0;
}

/* IPv6 fixed header. Returns its next header. */
static __always_inline int parse_ip6hdr(struct hdr_cursor *nh, void *data_end,
					xg_ipv6hdr **ip6hdr)
{
	xg_ipv6hdr *ip6h = nh->pos;

	if ((void *)(ip6h + 1) > data_end)
		return XG_PARSE_SHORT;
	nh->pos = ip6h + 1;
	*ip6hdr = ip6h;
	return ip6h->nexthdr;
}

/* An IPv6 extension header that this program steps over. */
static __always_inline int xg_ip6_ext_walkable(int nexthdr)
{
	return nexthdr == XG_NEXTHDR_HOP || nexthdr == XG_NEXTHDR_ROUTING ||
	       nexthdr == XG_NEXTHDR_DEST;
}

/* An IPv6 extension header that it does not step over (it passes them). */
static __always_inline int xg_ip6_ext_other(int nexthdr)
{
	return nexthdr == XG_NEXTHDR_AUTH || nexthdr == XG_NEXTHDR_MOBILITY ||
	       nexthdr == XG_NEXTHDR_HIP || nexthdr == XG_NEXTHDR_SHIM6 ||
	       nexthdr == XG_NEXTHDR_EXP1 || nexthdr == XG_NEXTHDR_EXP2;
}

/*
 * Step over up to 'max' hop-by-hop, routing and destination-options headers
 * (max <= XG_XDP_IPV6_EXT_LIMIT; each is (hdrlen + 1) * 8 bytes). Returns the
 * first next-header value that is not one of those, or one of those if the
 * chain is longer than 'max': the caller tells them apart. A fragment header
 * is returned as XG_NEXTHDR_FRAGMENT, not stepped over.
 */
static __always_inline int skip_ip6hdrext(struct hdr_cursor *nh,
					  void *data_end, int nexthdr,
					  __u32 max)
{
	struct ipv6_opt_hdr *hdr;
	int i;

XG_UNROLL
	for (i = 0; i < XG_XDP_IPV6_EXT_LIMIT; i++) {
		if (!xg_ip6_ext_walkable(nexthdr))
			break;
		if (i == (int)max)
			break;
		hdr = nh->pos;
		if ((void *)(hdr + 1) > data_end)
			return XG_PARSE_SHORT;
		if (nh->pos + (hdr->hdrlen + 1) * 8 > data_end)
			return XG_PARSE_SHORT;
		nexthdr = hdr->nexthdr;
		nh->pos += (hdr->hdrlen + 1) * 8;
	}
	return nexthdr;
}

/* UDP header (length field not checked here). */
static __always_inline int parse_udphdr(struct hdr_cursor *nh, void *data_end,
					struct udphdr **udphdr)
{
	struct udphdr *udph = nh->pos;

	if ((void *)(udph + 1) > data_end)
		return XG_PARSE_SHORT;
	nh->pos = udph + 1;
	*udphdr = udph;
	return 0;
}

/* A frame walked down to its UDP header. */
struct xg_frame {
	struct ethhdr *eth;
	xg_iphdr *iph;        /* IPv4, else NULL */
	xg_ipv6hdr *ip6h;     /* IPv6, else NULL */
	struct udphdr *udph;
	void *payload;        /* the UDP payload: maybe a game datagram */
	__u32 len;            /* its length, from the UDP length field */
};

enum {
	XG_FRAME_UDP = XG_CNT_MAX, /* xg_frame_walk(): UDP found */
};

/*
 * The L2-L4 walk: Ethernet with up to XG_XDP_VLAN_MAX VLAN tags, IPv4 with
 * options or IPv6 with up to ext_max walkable extension headers, not a
 * fragment, then UDP. Returns XG_FRAME_UDP with f filled down to f->payload,
 * or the pass counter (enum xg_xdp_counter) that says why the frame is not
 * UDP we can read.
 */
static __always_inline int xg_frame_walk(void *data, void *data_end,
					 __u32 ext_max, struct xg_frame *f)
{
	struct hdr_cursor nh = { .pos = data };
	int proto, l4;

	f->iph = NULL;
	f->ip6h = NULL;
	proto = parse_ethhdr(&nh, data_end, &f->eth);
	if (proto < 0)
		return XG_CNT_PASS_NOT_GAME;
	if (xg_proto_is_vlan(proto))
		return XG_CNT_PASS_VLAN;
	if (proto == bpf_htons(XG_ETH_P_IP)) {
		l4 = parse_iphdr(&nh, data_end, &f->iph);
		if (l4 < 0)
			return XG_CNT_PASS_NOT_GAME;
		if (xg_ipv4_is_fragment(f->iph))
			return XG_CNT_PASS_FRAGMENT;
	} else if (proto == bpf_htons(XG_ETH_P_IPV6)) {
		l4 = parse_ip6hdr(&nh, data_end, &f->ip6h);
		if (l4 < 0)
			return XG_CNT_PASS_NOT_GAME;
		l4 = skip_ip6hdrext(&nh, data_end, l4, ext_max);
		if (l4 == XG_NEXTHDR_FRAGMENT)
			return XG_CNT_PASS_FRAGMENT;
		if (l4 < 0 || xg_ip6_ext_walkable(l4) || xg_ip6_ext_other(l4))
			return XG_CNT_PASS_IPV6_EXT;
	} else {
		return XG_CNT_PASS_NOT_GAME;
	}
	if (l4 != IPPROTO_UDP || parse_udphdr(&nh, data_end, &f->udph) < 0)
		return XG_CNT_PASS_NOT_GAME;
	f->payload = nh.pos;
	return XG_FRAME_UDP;
}

/* Internet checksum: add 'n' 16-bit words (any byte order, as long as it is
 * the wire's), then fold. */
static __always_inline __u32 xg_csum_add(__u32 sum, const __u16 *p, int n)
{
	int i;

XG_UNROLL
	for (i = 0; i < n; i++)
		sum += p[i];
	return sum;
}

static __always_inline __u16 xg_csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

#ifndef __VMLINUX_H__
/* User space: the one's complement sum of 'sum' and the n bytes at p (n
 * even; p 2-byte aligned), in 32-bit words added into 64 bits, folded to
 * 32 bits for xg_csum_fold(). */
static inline __u32 xg_csum_bytes(__u32 sum, const void *p, __u32 n)
{
	const xg_u32_a2 *w = (const xg_u32_a2 *)p;
	__u64 s = sum;
	__u32 i;

	for (i = 0; i < n / 4; i++)
		s += w[i];
	if (n & 2)
		s += *(const __u16 *)(w + n / 4);
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	return (__u32)s;
}
#endif

/* RFC 1624: update checksum *check for a 16-bit word changed old -> new. */
static __always_inline void xg_csum_replace(__u16 *check, __u16 old, __u16 new)
{
	__u32 sum = (__u16)~*check;

	sum += (__u16)~old;
	sum += new;
	*check = xg_csum_fold(sum);
}

/* ---- what the kernel's UDP receive path accepts ---------------------- */

/* IPv4 sources that no host sends from, which the kernel refuses as
 * martians: 0/8, 127/8, 224/4 (multicast), 240/4 (255.255.255.255 too).
 * 's' in network order. */
static __always_inline int xg_ipv4_bad_source(__u32 s)
{
	__u32 top = bpf_ntohl(s) >> 24;

	return top == 0 || top == 127 || top >= 224;
}

/* IPv6 sources the kernel refuses: :: and ::1, ff00::/8 (multicast),
 * ::ffff:0:0/96 (IPv4-mapped). 'w': the address as 8 words, read as they
 * lie (2-byte aligned). */
static __always_inline int xg_ipv6_bad_source(const __u16 *w)
{
	if (*(const __u8 *)w == 0xff)
		return 1;
	if (w[0] | w[1] | w[2] | w[3] | w[4])
		return 0;
	if (w[5] == 0xffff)
		return 1;
	return !w[5] && !w[6] && (!w[7] || w[7] == bpf_htons(1));
}

/* The one's complement sum of n bytes at p (n a multiple of 4, a
 * constant: the loop unrolls into loads the verifier checks against the
 * one bound below), added to 'sum'; -1 if the frame is shorter. */
static __always_inline __s64 xg_csum_words(const void *p, void *data_end,
					    __u64 sum, __u32 n)
{
	__u32 i;

	if ((const char *)p + n > (const char *)data_end)
		return -1;
XG_UNROLL
	for (i = 0; i < n / 4; i++)
		sum += ((const xg_u32_a2 *)p)[i];
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	return (__s64)sum;
}

/*
 * The UDP checksum of a datagram that xg_validate() has found valid, so
 * that its length is its type's (a constant for each, a multiple of 4: no
 * loop over a length from the wire). Right, or absent on IPv4: 0. Wrong,
 * or absent on IPv6 (RFC 8200 8.1): XG_CNT_DROP_UDP_CHECKSUM.
 */
static __always_inline int xg_frame_udp_csum(const struct xg_frame *f,
					     void *data_end, __u8 type)
{
	const struct udphdr *u = f->udph;
	__u64 sum = (__u32)bpf_htons(IPPROTO_UDP) + u->len;
	__s64 r;

	if (f->iph) {
		if (!u->check)
			return 0; /* no checksum: allowed on IPv4 */
		sum = xg_csum_add((__u32)sum, (const __u16 *)&f->iph->saddr, 4);
	} else if (f->ip6h) { /* always, but the verifier cannot tell */
		if (!u->check)
			return XG_CNT_DROP_UDP_CHECKSUM;
		sum = xg_csum_add((__u32)sum, (const __u16 *)&f->ip6h->saddr, 16);
	}
	switch (type) {
	case XG_MSG_MOVE:
		r = xg_csum_words(u, data_end, sum, 8 + XG_MOVE_SIZE);
		break;
	case XG_MSG_ATTACK:
		r = xg_csum_words(u, data_end, sum, 8 + XG_ATTACK_SIZE);
		break;
	case XG_MSG_HEARTBEAT:
	case XG_MSG_LEAVE:
		r = xg_csum_words(u, data_end, sum, 8 + XG_HEARTBEAT_SIZE);
		break;
	case XG_MSG_JOIN:
		r = xg_csum_words(u, data_end, sum, 8 + XG_JOIN_SIZE);
		break;
	case XG_MSG_ANSWER:
		r = xg_csum_words(u, data_end, sum, 8 + XG_ANSWER_SIZE);
		break;
	default:
		r = -1;
	}
	return r < 0 || xg_csum_fold((__u32)r) ? XG_CNT_DROP_UDP_CHECKSUM : 0;
}
_Static_assert(XG_HEARTBEAT_SIZE == XG_LEAVE_SIZE && XG_MOVE_SIZE % 4 == 0 &&
		       XG_ATTACK_SIZE % 4 == 0 && XG_HEARTBEAT_SIZE % 4 == 0 &&
		       XG_JOIN_SIZE % 4 == 0 && XG_ANSWER_SIZE % 4 == 0,
	       "xg_frame_udp_csum() sums every request in 4-byte words");

/*
 * After xg_frame_walk(): what the kernel's receive path checks before a UDP
 * socket sees the datagram, in this order.
 *
 *  1. IPv4 options or IPv6 extension headers: a reply built from the frame
 *     would send them back (a source route too), so such frames are left
 *     to the kernel socket: XG_CNT_PASS_IP_OPTIONS.
 *  2. The IP header (ip_rcv(), ipv6_rcv()): the version the EtherType
 *     announced; IPv4: a right header checksum, a TTL above 0.
 *     XG_CNT_DROP_IP_HEADER.
 *  3. The lengths: the IP length (IPv4 total length, IPv6 payload length)
 *     covers the IP and UDP headers and ends within the frame (Ethernet
 *     padding may follow: the kernel trims it), XG_CNT_DROP_IP_LEN; the UDP
 *     length is at least a header and ends within the IP packet (bytes
 *     after it are trimmed too), XG_CNT_DROP_UDP_LEN. Sets f->len, the
 *     datagram's length by the UDP length field.
 *  4. The source address (xg_ipv4_bad_source(), xg_ipv6_bad_source()):
 *     XG_CNT_DROP_BAD_SOURCE.
 *
 * Returns 0, or the counter that says why not. The XDP program and the
 * AF_XDP worker both call it. The UDP checksum comes after the game
 * header's validation, in xg_frame_udp_csum(): a valid datagram's length
 * is a constant of its type, so the sum needs no loop over a length from
 * the wire (a malformed datagram is dropped for what is wrong with it).
 */
static __always_inline int xg_frame_check(struct xg_frame *f, void *data_end)
{
	xg_ipv6hdr *ip6 = f->ip6h;
	xg_iphdr *ip = f->iph;
	__u32 ulen = bpf_ntohs(f->udph->len), room, iplen;
	int bad_src;

	f->len = 0;
	if (ip) {
		if (ip->ihl != 5)
			return XG_CNT_PASS_IP_OPTIONS;
		if (ip->version != 4 || !ip->ttl ||
		    xg_csum_fold(xg_csum_add(0, (const __u16 *)ip, 10)))
			return XG_CNT_DROP_IP_HEADER;
		iplen = bpf_ntohs(ip->tot_len);
		if (iplen < sizeof(*ip) + sizeof(struct udphdr))
			return XG_CNT_DROP_IP_LEN;
		iplen -= sizeof(*ip) + sizeof(struct udphdr);
		bad_src = xg_ipv4_bad_source(ip->saddr);
	} else if (ip6) { /* always, but the verifier cannot tell */
		if ((void *)f->udph != (void *)(ip6 + 1))
			return XG_CNT_PASS_IP_OPTIONS;
		if (ip6->version != 6)
			return XG_CNT_DROP_IP_HEADER;
		iplen = bpf_ntohs(ip6->payload_len);
		if (iplen < sizeof(struct udphdr))
			return XG_CNT_DROP_IP_LEN;
		iplen -= sizeof(struct udphdr);
		bad_src = xg_ipv6_bad_source((const __u16 *)&ip6->saddr);
	} else {
		return XG_CNT_PASS_NOT_GAME;
	}
	/* iplen: the bytes after the UDP header by the IP length field */
	room = (__u32)((char *)data_end - (char *)f->payload);
	if (iplen > room)
		return XG_CNT_DROP_IP_LEN;
	if (ulen < sizeof(struct udphdr) ||
	    ulen - sizeof(struct udphdr) > iplen)
		return XG_CNT_DROP_UDP_LEN;
	f->len = ulen - sizeof(struct udphdr);
	return bad_src ? XG_CNT_DROP_BAD_SOURCE : 0;
}

enum {
	XG_REPLY_TTL = 64, /* TTL / hop limit of replies */
};

/*
 * Turn the frame of a request, whose reply ('len' bytes, even, at most
 * XG_MAX_REPLY_SIZE) the handler has written at f->payload, into the reply
 * frame (the XDP program: len is XG_ACK_SIZE): swap the Ethernet, IP and UDP addresses, set the lengths and a
 * fresh TTL, fix the IPv4 header checksum (incrementally: only length and
 * TTL change) and compute the UDP checksum (IPv4: kept 0 if the request had
 * none). The caller has checked that f->payload + len <= data_end (no reply
 * is longer than its request). Returns the reply frame's length from
 * 'data'. The XDP program's XDP_TX replies and the AF_XDP worker both use
 * it, so their bytes are the same.
 */
static __always_inline __u32 xg_frame_reply(struct xg_frame *f, void *data,
					    __u32 len)
{
	__u16 ulen = bpf_htons((__u16)(sizeof(struct udphdr) + len));
	__u32 words = len / 2, i;
	unsigned char mac[XG_ETH_ALEN];
	__u32 sum, a4;
	__u16 port, old;
	struct in6_addr a6;

	__builtin_memcpy(mac, f->eth->h_dest, XG_ETH_ALEN);
	__builtin_memcpy(f->eth->h_dest, f->eth->h_source, XG_ETH_ALEN);
	__builtin_memcpy(f->eth->h_source, mac, XG_ETH_ALEN);

	port = f->udph->source;
	f->udph->source = f->udph->dest;
	f->udph->dest = port;
	f->udph->len = ulen;
	sum = bpf_htons(IPPROTO_UDP) + ulen;

	if (f->iph) {
		xg_iphdr *ip = f->iph;

		a4 = ip->saddr;
		ip->saddr = ip->daddr;
		ip->daddr = a4;
		old = ip->tot_len;
		ip->tot_len = bpf_htons((__u16)((char *)f->payload -
						(char *)ip + len));
		xg_csum_replace(&ip->check, old, ip->tot_len);
		/* TTL is the high byte of the (ttl, protocol) word; built from
		 * values, not read through a __u16 pointer after a __u8 store,
		 * which strict aliasing lets the compiler reorder */
		xg_csum_replace(&ip->check, bpf_htons((__u16)(ip->ttl << 8)),
				bpf_htons((__u16)(XG_REPLY_TTL << 8)));
		ip->ttl = XG_REPLY_TTL;
		if (!f->udph->check)
			goto done; /* no UDP checksum on IPv4: none back */
		sum = xg_csum_add(sum, (const __u16 *)&ip->saddr, 4);
	} else if (f->ip6h) { /* always, but the verifier cannot tell */
		xg_ipv6hdr *ip6 = f->ip6h;

		a6 = ip6->saddr;
		ip6->saddr = ip6->daddr;
		ip6->daddr = a6;
		ip6->payload_len = bpf_htons((__u16)((char *)f->payload -
						     (char *)(ip6 + 1) + len));
		ip6->hop_limit = XG_REPLY_TTL;
		sum = xg_csum_add(sum, (const __u16 *)&ip6->saddr, 16);
	}
	f->udph->check = 0;
	sum = xg_csum_add(sum, (const __u16 *)f->udph, 4);
#ifdef __VMLINUX_H__
	/* the XDP program builds acks only: a constant length the verifier
	 * checks against the bounds it proved */
	(void)words;
	(void)i;
	sum = xg_csum_add(sum, (const __u16 *)f->payload, XG_ACK_SIZE / 2);
#else
	/* 32-bit words into a 64-bit sum (the same one's complement sum),
	 * unrolled for an ack's constant size */
	(void)words;
	(void)i;
	sum = len == XG_ACK_SIZE ? xg_csum_bytes(sum, f->payload, XG_ACK_SIZE) :
				   xg_csum_bytes(sum, f->payload, len);
#endif
	f->udph->check = xg_csum_fold(sum);
	if (!f->udph->check)
		f->udph->check = 0xffff; /* 0 would mean "no checksum" */
done:
	return (__u32)((char *)f->payload - (char *)data) + len;
}

#endif /* XDPGAME_PARSING_H */
