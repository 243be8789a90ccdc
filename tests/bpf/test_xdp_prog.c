/* SPDX-License-Identifier: MIT */
/*
 * The XDP program under bpf_prog_test_run_opts, on tables of crafted frames.
 *
 * Each row: a description, the frame (built by the small builders below from
 * the row's fields), the expected verdict and the one counter that must move
 * (by exactly one packet and the frame's length in bytes; all others stay).
 * The program leaves every frame as it found it, so the output bytes must be
 * the input bytes. Whenever the program gets as far as validating the game
 * datagram, the same bytes also go through the user-space xg_validate() and
 * both must agree: FALLTHROUGH means XG_OK, a drop counter means that very
 * reason.
 *
 * The skeleton is loaded directly (no interface, no pins), with the game
 * port in `ports` and config.redirect = 1: test_run has no XSK at queue 0, so
 * a valid game frame comes back XDP_PASS and counts as FALLTHROUGH. For a
 * game request to get that far it must be for us and have its session:
 * before every row the maps are reset to the frames' destination MAC in
 * `config`, their destination IPs in `addrs`, and a session (TOKEN, the
 * frames' source address and port) for player 42 over IPv4 and player 43
 * over IPv6; a row's setup() then changes what it tests (a session's
 * entry, the limits, kernel replies). Rows whose frame the program turns
 * into a reply (XDP_TX) are the only ones whose bytes may change.
 * Needs root; skipped otherwise.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <xdpgame/proto.h>
#include <xdpgame/xdp.h>

#include "game/msg.h"
#include "xdp/loader.h"
#include "xdpgame.skel.h"
#include "prog.h"

enum {
	GAME_PORT = XG_TEST_GAME_PORT,
	OTHER_PORT = 53,
	FRAME_MAX = 512,
	TPID_Q = 0x8100,  /* 802.1Q */
	TPID_AD = 0x88a8, /* 802.1ad */
	ETHERTYPE_IP = 0x0800,
	ETHERTYPE_IPV6 = 0x86dd,
	ETHERTYPE_ARP = 0x0806,
	PROTO_ICMP = 1,
	PROTO_TCP = 6,
	PROTO_UDP = 17,
	NH_HOP = 0,
	NH_ROUTING = 43,
	NH_FRAG = 44,
	NH_AH = 51,
	NH_DEST = 60,
	CLIENT_PORT = 40000,
	PLAYER4 = 42,        /* the player of the IPv4 frames */
	PLAYER6 = 43,        /* the player of the IPv6 frames */
	PLAYER_NONE = 44,    /* a player without a session */
};

static const __u64 TOKEN = 0x5eed5eed0badcafeull;

/* The frames' ends: client 10.0.0.1 / fd00::1, port 40000, MAC ..:01;
 * server 10.0.0.2 / fd00::2, MAC 02:00:00:00:00:02. */
static const __u8 cli4[4] = { 10, 0, 0, 1 };
static const __u8 srv4[4] = { 10, 0, 0, 2 };
static const __u8 cli6[16] = { 0xfd, [15] = 1 };
static const __u8 srv6[16] = { 0xfd, [15] = 2 };
static const __u8 srv_mac[6] = { 2, 0, 0, 0, 0, 2 };
static const __u8 cli_mac[6] = { 2, 0, 0, 0, 0, 1 };

/* Destinations that are not ours. */
static const __u8 bcast4[4] = { 255, 255, 255, 255 };
static const __u8 mcast4[4] = { 224, 0, 0, 1 };
static const __u8 other4[4] = { 10, 0, 0, 3 };
static const __u8 mcast6[16] = { 0xff, 0x02, [15] = 1 };
static const __u8 other6[16] = { 0xfd, [15] = 3 };
static const __u8 bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const __u8 mcast_mac[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
static const __u8 mcast6_mac[6] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 };
static const __u8 other_mac[6] = { 2, 0, 0, 0, 0, 9 };

/* ---- frames ----------------------------------------------------------- */

enum l3 { L3_IPV4, L3_IPV6, L3_ARP };

/* The UDP checksum a row's frame carries. */
enum csum_mode {
	CS_OK = 0, /* right */
	CS_NONE,   /* 0: none (allowed on IPv4 only) */
	CS_BAD,    /* wrong */
};

/* A game datagram being built: its bytes and its length. */
struct dgram {
	__u8 b[128];
	__u32 len;
};

struct xdpgame;

struct row {
	const char *desc;
	enum l3 l3;
	__u16 vlan[3];       /* TPIDs, outer first; 0 ends the list */
	__u8 l4;             /* IP protocol; 0 means UDP */
	__u16 dport;         /* 0 means GAME_PORT */
	__u8 ip4_opt;        /* IPv4 option bytes (NOPs), a multiple of 4 */
	__u16 ip4_frag;      /* IPv4 frag_off field, host order */
	__u8 ext[6];         /* IPv6 extension headers, in order */
	int next;            /* how many of them */
	__u8 msg;            /* XG_MSG_* to start the datagram from */
	void (*mutate)(struct dgram *d);
	int udp_len_adj;     /* added to the right UDP length */
	bool udp_len_set;    /* the UDP length field is udp_len instead */
	__u16 udp_len;
	int pad_to;          /* zero-pad the frame up to this length */
	int ext_max;         /* rodata xg_ipv6_ext_max; 0: the default */
	const __u8 *dst_mac; /* NULL: srv_mac */
	const __u8 *dst_ip;  /* 4 or 16 bytes by l3; NULL: srv4 / srv6 */
	__u32 player;        /* 0: PLAYER4 or PLAYER6 by l3 */
	void (*setup)(struct xdpgame *skel); /* after the reset */
	/* the IP and UDP headers, where the kernel's receive path looks */
	__u8 csum;           /* enum csum_mode: the UDP checksum */
	__u8 ip_ver;         /* the IP version nibble; 0: the EtherType's */
	bool bad_ip_csum;    /* a wrong IPv4 header checksum */
	bool ttl_zero;       /* IPv4 TTL 0 */
	int ip_len_adj;      /* added to the right total/payload length */
	const __u8 *src_ip;  /* 4 or 16 bytes by l3; NULL: cli4 / cli6 */
	int verdict;         /* XDP_PASS, XDP_DROP, XDP_TX */
	int counter;         /* enum xg_xdp_counter that moves */
};

/* A built frame and where its parts are. */
struct frame {
	__u8 b[FRAME_MAX];
	__u32 len;
	__u32 udp_off;       /* start of the UDP header (0: no UDP) */
	__u32 dgram_off;     /* start of the game datagram */
	__u32 dgram_len;     /* the datagram's length as UDP says it */
	__u32 ip_end;        /* where the IP packet ends by its length field */
};

static __u32 put8(__u8 *f, __u32 off, __u8 v)
{
	f[off] = v;
	return off + 1;
}

static __u32 put16(__u8 *f, __u32 off, __u16 v)
{
	f[off] = (__u8)(v >> 8);
	f[off + 1] = (__u8)v;
	return off + 2;
}

static __u32 put(__u8 *f, __u32 off, const void *p, __u32 n)
{
	memcpy(f + off, p, n);
	return off + n;
}

static void build_dgram(const struct row *r, struct dgram *d)
{
	static const struct xg_cookie cookie = { .slot = 7, .mac = 99 };
	__u32 p = r->player ? r->player :
		  r->l3 == L3_IPV6 ? PLAYER6 : PLAYER4;

	memset(d, 0, sizeof(*d));
	switch (r->msg) {
	case XG_MSG_MOVE:
		d->len = xg_msg_move(d->b, 1, p, TOKEN, 1000, 1.5f, -2.5f, 3.0f);
		break;
	case XG_MSG_ATTACK:
		d->len = xg_msg_attack(d->b, 2, p, TOKEN, 1000, 7, 1);
		break;
	case XG_MSG_HEARTBEAT:
		d->len = xg_msg_heartbeat(d->b, 3, p, TOKEN, 1000);
		break;
	case XG_MSG_LEAVE:
		d->len = xg_msg_leave(d->b, 4, p, TOKEN, 1000);
		break;
	case XG_MSG_JOIN:
		d->len = xg_msg_join(d->b, 5, p, 1000);
		break;
	case XG_MSG_ANSWER:
		d->len = xg_msg_answer(d->b, 6, p, 1000, &cookie, NULL);
		break;
	default:
		d->len = 0;
	}
	if (r->mutate)
		r->mutate(d);
}

static __u16 ip4_csum(const __u8 *h, __u32 n)
{
	__u32 s = 0;

	for (__u32 i = 0; i < n; i += 2)
		s += (__u32)(h[i] << 8 | h[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

/* L4: UDP with the datagram, or a bare TCP/ICMP header. */
static __u32 build_l4(const struct row *r, struct frame *fr, __u32 off)
{
	__u8 *f = fr->b;
	struct dgram d;
	__u32 ulen;

	switch (r->l4 ? r->l4 : PROTO_UDP) {
	case PROTO_UDP:
		build_dgram(r, &d);
		ulen = r->udp_len_set ? r->udp_len :
					8 + d.len + (__u32)r->udp_len_adj;
		fr->udp_off = off;
		off = put16(f, off, CLIENT_PORT);
		off = put16(f, off, r->dport ? r->dport : GAME_PORT);
		off = put16(f, off, (__u16)ulen);
		off = put16(f, off, 0);
		fr->dgram_off = off;
		fr->dgram_len = ulen >= 8 ? ulen - 8 : 0;
		return put(f, off, d.b, d.len);
	case PROTO_TCP: /* ports, seq, ack, offset 5, SYN */
		off = put16(f, off, 40000);
		off = put16(f, off, r->dport ? r->dport : GAME_PORT);
		memset(f + off, 0, 16);
		f[off + 8] = 0x50;
		f[off + 9] = 0x02;
		return off + 16;
	default: /* ICMP echo request */
		memset(f + off, 0, 8);
		f[off] = 8;
		return off + 8;
	}
}

/* The UDP checksum field as the row wants it, over the pseudo-header
 * (the addresses at 'addrs', 4 or 16 bytes each) and the UDP header and
 * datagram as built (after build_l4()). */
static void udp_csum(const struct row *r, struct frame *fr, const __u8 *addrs,
		     __u32 alen)
{
	__u8 *u = fr->b + fr->udp_off;
	__u32 n = fr->dgram_off - fr->udp_off, s = PROTO_UDP;
	__u16 c;

	if (!fr->udp_off)
		return;
	for (__u32 i = 0; i < 2 * alen; i += 2)
		s += (__u32)(addrs[i] << 8 | addrs[i + 1]);
	s += (__u32)(u[4] << 8 | u[5]); /* the length field, as it is */
	n += fr->dgram_len < sizeof(((struct dgram *)0)->b) ?
		     fr->dgram_len : 0;
	if (fr->udp_off + n > FRAME_MAX)
		n = FRAME_MAX - fr->udp_off;
	for (__u32 i = 0; i < n; i += 2)
		s += (__u32)(u[i] << 8 | (i + 1 < n ? u[i + 1] : 0));
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	c = (__u16)~s;
	if (!c)
		c = 0xffff;
	if (r->csum == CS_NONE)
		c = 0;
	else if (r->csum == CS_BAD)
		c = c == 0x1234 ? 0x4321 : 0x1234;
	put16(u, 6, c);
}

static void build(const struct row *r, struct frame *fr)
{
	/* ARP request, Ethernet/IPv4: who has 10.0.0.2, tell 10.0.0.1 */
	static const __u8 arp[28] = { 0, 1, 8, 0, 6, 4, 0, 1,		/* hdr */
				      2, 0, 0, 0, 0, 1, 10, 0, 0, 1,	/* sender */
				      0, 0, 0, 0, 0, 0, 10, 0, 0, 2 };	/* target */
	__u8 *f = fr->b;
	__u32 off, l3, i;

	memset(fr, 0, sizeof(*fr));
	off = put(f, 0, r->dst_mac ? r->dst_mac : srv_mac, 6);
	off = put(f, off, cli_mac, 6);
	for (i = 0; i < 3 && r->vlan[i]; i++) {
		off = put16(f, off, r->vlan[i]);
		off = put16(f, off, (__u16)(100 + i)); /* TCI: VLAN id */
	}
	l3 = off + 2;
	switch (r->l3) {
	case L3_IPV4: {
		__u32 hl = 20 + r->ip4_opt;

		off = put16(f, off, ETHERTYPE_IP);
		off = put8(f, off, (__u8)((r->ip_ver ? r->ip_ver : 4) << 4 |
					 hl / 4));
		off = put8(f, off, 0);
		off += 2; /* total length, below */
		off = put16(f, off, 1);
		off = put16(f, off, r->ip4_frag);
		off = put8(f, off, r->ttl_zero ? 0 : 64);
		off = put8(f, off, r->l4 ? r->l4 : PROTO_UDP);
		off += 2; /* checksum, below */
		off = put(f, off, r->src_ip ? r->src_ip : cli4, 4);
		off = put(f, off, r->dst_ip ? r->dst_ip : srv4, 4);
		memset(f + off, 1, r->ip4_opt); /* NOP options */
		off = build_l4(r, fr, off + r->ip4_opt);
		put16(f, l3 + 2, (__u16)((int)(off - l3) + r->ip_len_adj));
		fr->ip_end = (__u32)((int)off + r->ip_len_adj);
		put16(f, l3 + 10, ip4_csum(f + l3, hl));
		if (r->bad_ip_csum)
			f[l3 + 11] ^= 0x40;
		udp_csum(r, fr, f + l3 + 12, 4);
		break;
	}
	case L3_IPV6: {
		__u8 l4 = r->l4 ? r->l4 : PROTO_UDP;

		off = put16(f, off, ETHERTYPE_IPV6);
		off = put8(f, off, (__u8)((r->ip_ver ? r->ip_ver : 6) << 4));
		off += 3;  /* flow label */
		off += 2;  /* payload length, below */
		off = put8(f, off, r->next ? r->ext[0] : l4);
		off = put8(f, off, 64);
		off = put(f, off, r->src_ip ? r->src_ip : cli6, 16);
		off = put(f, off, r->dst_ip ? r->dst_ip : srv6, 16);
		for (int e = 0; e < r->next; e++) {
			__u8 nh = e + 1 < r->next ? r->ext[e + 1] : l4;

			/* 8 bytes each: next header, length 0 (8 bytes; AH
			 * counts in 4-byte units, so 1), then PadN or
			 * fragment offset 0 with MF set */
			f[off] = nh;
			f[off + 1] = r->ext[e] == NH_AH ? 1 : 0;
			if (r->ext[e] == NH_FRAG) {
				put16(f, off + 2, 1); /* offset 0, MF */
			} else if (r->ext[e] != NH_AH) {
				f[off + 2] = 1; /* PadN, 4 bytes */
				f[off + 3] = 4;
			}
			off += 8;
		}
		off = build_l4(r, fr, off);
		put16(f, l3 + 4, (__u16)((int)(off - l3 - 40) + r->ip_len_adj));
		fr->ip_end = (__u32)((int)off + r->ip_len_adj);
		udp_csum(r, fr, f + l3 + 8, 16);
		break;
	}
	case L3_ARP:
		off = put16(f, off, ETHERTYPE_ARP);
		off = put(f, off, arp, sizeof(arp));
		break;
	}
	if (off < (__u32)r->pad_to) {
		memset(f + off, 0, (__u32)r->pad_to - off);
		off = (__u32)r->pad_to;
	}
	fr->len = off;
}

/* ---- datagram mutations, one per malformed class ----------------------- */

/* Offsets in the datagram. */
enum {
	HDR_TOKEN = offsetof(struct xg_hdr, token),
	MOVE_X = XG_HDR_SIZE + offsetof(struct xg_move, x),
	MOVE_Z = XG_HDR_SIZE + offsetof(struct xg_move, z),
	MOVE_RSVD = XG_HDR_SIZE + offsetof(struct xg_move, reserved),
};

static void set_size(struct dgram *d, __u32 size)
{
	d->b[4] = (__u8)size;
	d->b[5] = (__u8)(size >> 8);
}

static void set_u32(struct dgram *d, __u32 off, __u32 v)
{
	v = xg_le32(v);
	memcpy(d->b + off, &v, 4);
}

/* clang-format off */
static void m_too_short(struct dgram *d) { d->len = XG_HDR_SIZE - 1; }
static void m_empty(struct dgram *d) { d->len = 0; }
static void m_bad_magic(struct dgram *d) { d->b[0] ^= 0xff; }
static void m_bad_version(struct dgram *d) { d->b[2] = XG_VERSION + 1; }
static void m_version1(struct dgram *d) { d->b[2] = 1; }
static void m_token(struct dgram *d) { d->b[HDR_TOKEN] ^= 1; }
static void m_token_zero(struct dgram *d) { memset(d->b + HDR_TOKEN, 0, 8); }
static void m_bad_type(struct dgram *d) { d->b[3] = 9; }
static void m_ack_type(struct dgram *d) { d->b[3] |= XG_MSG_ACK; }
static void m_status(struct dgram *d) { d->b[6] = 1; }
static void m_reserved(struct dgram *d) { d->b[7] = 1; }
static void m_size_over(struct dgram *d) { set_size(d, d->len + 4); }
static void m_size_under(struct dgram *d) { set_size(d, d->len - 4); }
static void m_body_size(struct dgram *d)
{
	d->len += 4;
	set_size(d, d->len);
}
static void m_nan_x(struct dgram *d) { set_u32(d, MOVE_X, 0x7fc00000); }
static void m_inf_z(struct dgram *d) { set_u32(d, MOVE_Z, 0xff800000); }
static void m_move_reserved(struct dgram *d) { set_u32(d, MOVE_RSVD, 1); }
/* two bytes after the datagram, inside the IP packet (the row's lengths
 * say whether UDP counts them) */
static void m_grow2(struct dgram *d) { d->b[d->len] = 0xee; d->b[d->len + 1] = 0xee; d->len += 2; }
/* clang-format on */

/* ---- running ---------------------------------------------------------- */

/* Redirect on, no limits, no expiry, no kernel replies; our MAC. */
static struct xg_xdp_config default_config(void)
{
	struct xg_xdp_config cfg = { .redirect = 1 };

	memcpy(cfg.mac, srv_mac, 6);
	return cfg;
}

/* The maps as every row starts: config, both sessions fresh, no
 * handshake buckets. */
static void reset_maps(struct xdpgame *skel)
{
	struct xg_xdp_config cfg = default_config();
	int fd = bpf_map__fd(skel->maps.hs_limits);
	struct xg_addr key;
	__u32 none = PLAYER_NONE;
	struct xg_session_entry zero = {};

	xg_test_config(skel, &cfg);
	xg_test_session(skel, PLAYER4, TOKEN, cli4, 4, CLIENT_PORT);
	xg_test_session(skel, PLAYER6, TOKEN, cli6, 16, CLIENT_PORT);
	cr_assert_eq(bpf_map_update_elem(bpf_map__fd(skel->maps.sessions),
					 &none, &zero, BPF_ANY),
		     0);
	while (!bpf_map_get_next_key(fd, NULL, &key))
		cr_assert_eq(bpf_map_delete_elem(fd, &key), 0);
}

static struct xdpgame *load_prog(int ext_max)
{
	struct xdpgame *skel = xg_test_prog((__u32)ext_max, default_config());

	xg_test_addr(skel, srv4, 4);
	xg_test_addr(skel, srv6, 16);
	reset_maps(skel);
	return skel;
}

/* Change the config from what reset_maps() wrote. */
static struct xg_xdp_config get_config(struct xdpgame *skel)
{
	struct xg_xdp_config cfg;
	__u32 key = 0;

	cr_assert_eq(bpf_map_lookup_elem(bpf_map__fd(skel->maps.config), &key,
					 &cfg),
		     0);
	return cfg;
}

static void set_redirect(struct xdpgame *skel, __u32 on)
{
	struct xg_xdp_config cfg = get_config(skel);

	cfg.redirect = on;
	xg_test_config(skel, &cfg);
}

static struct xg_session_entry get_session(struct xdpgame *skel, __u32 p)
{
	struct xg_session_entry e;

	cr_assert_eq(bpf_map_lookup_elem(bpf_map__fd(skel->maps.sessions), &p,
					 &e),
		     0);
	return e;
}

static void put_session(struct xdpgame *skel, __u32 p,
			const struct xg_session_entry *e)
{
	cr_assert_eq(bpf_map_update_elem(bpf_map__fd(skel->maps.sessions), &p,
					 e, BPF_ANY),
		     0);
}

/* Run one frame; return the verdict and which counter moved (-1: none, or
 * more than one, or not by exactly one packet of len bytes). A negative
 * errno if test_run itself failed. */
static int run_frame_tx(struct xdpgame *skel, const __u8 *data, __u32 len,
			int *counter, bool may_change)
{
	struct xg_xdp_count before[XG_CNT_MAX], after[XG_CNT_MAX];
	__u8 out[FRAME_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = data,
		    .data_size_in = len, .data_out = out,
		    .data_size_out = sizeof(out), .repeat = 1);
	int err;

	xg_test_counters(skel, before);
	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xdpgame_rx),
				     &t);
	if (err)
		return err;
	xg_test_counters(skel, after);
	if (!may_change) {
		cr_expect_eq(t.data_size_out, len, "output length %u, input %u",
			     t.data_size_out, len);
		cr_expect(t.data_size_out != len || !memcmp(out, data, len),
			  "the program changed the frame");
	}
	*counter = -1;
	for (int k = 0; k < XG_CNT_MAX; k++) {
		__u64 dp = after[k].packets - before[k].packets;
		__u64 db = after[k].bytes - before[k].bytes;

		if (!dp && !db)
			continue;
		if (*counter != -1 || dp != 1 || db != len) {
			*counter = -1;
			break;
		}
		*counter = k;
	}
	return (int)t.retval;
}

static int run_frame(struct xdpgame *skel, const __u8 *data, __u32 len,
		     int *counter)
{
	return run_frame_tx(skel, data, len, counter, false);
}

static const char *verdict_name(int v)
{
	switch (v) {
	case XDP_ABORTED: return "ABORTED";
	case XDP_DROP: return "DROP";
	case XDP_PASS: return "PASS";
	case XDP_TX: return "TX";
	case XDP_REDIRECT: return "REDIRECT";
	default: return "?";
	}
}

static const char *cname(int k)
{
	const char *n = xg_xdp_counter_name(k);

	return n ? n : "(none or several)";
}

/* The user-space verdict on the datagram, where the program validates it. */
static void check_user_agrees(const struct row *r, const struct frame *fr)
{
	/* user space validates an aligned copy, as the handlers do: in a
	 * frame the datagram sits at offset 42 and the like */
	union {
		struct xg_hdr h;
		__u8 b[sizeof(((struct dgram *)0)->b)];
	} copy;
	enum xg_err want, got;

	if (r->counter == XG_CNT_FALLTHROUGH || r->counter == XG_CNT_REDIRECT)
		want = XG_OK;
	else if (r->counter >= XG_CNT_DROP_TOO_SHORT &&
		 r->counter < XG_CNT_MAX)
		want = (enum xg_err)(r->counter - XG_CNT_DROP_BASE);
	else
		return; /* the program never got to the datagram */
	cr_assert(fr->udp_off && fr->dgram_off + fr->dgram_len <= fr->len,
		  "%s: the row is not a whole UDP datagram", r->desc);
	cr_assert_leq(fr->dgram_len, sizeof(copy.b));
	memcpy(copy.b, fr->b + fr->dgram_off, fr->dgram_len);
	got = xg_validate(copy.b, copy.b + fr->dgram_len, fr->dgram_len);
	cr_expect_eq(got, want, "%s: user space says reason %d, the row %d",
		     r->desc, got, want);
	if (want != XG_OK)
		cr_expect_eq(XG_CNT_DROP_BASE + got, r->counter,
			     "%s: drop counter %s is not user space's reason %d",
			     r->desc, cname(r->counter), got);
}

static void run_rows(const struct row *rows, size_t n)
{
	struct xdpgame *skel = NULL;
	int loaded_ext = -1;

	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		struct frame fr;
		int v, k;

		if (r->ext_max != loaded_ext) {
			xdpgame__destroy(skel);
			skel = load_prog(r->ext_max);
			loaded_ext = r->ext_max;
		}
		reset_maps(skel);
		if (r->setup)
			r->setup(skel);
		build(r, &fr);
		cr_assert(!r->pad_to || fr.len == (__u32)r->pad_to,
			  "%s: the frame needs no padding", r->desc);
		v = run_frame_tx(skel, fr.b, fr.len, &k, r->verdict == XDP_TX);
		cr_assert_geq(v, 0, "%s: test_run: %s", r->desc, strerror(-v));
		cr_expect_eq(v, r->verdict, "%s: verdict %s, expected %s",
			     r->desc, verdict_name(v),
			     verdict_name(r->verdict));
		cr_expect_eq(k, r->counter, "%s: counter %s, expected %s",
			     r->desc, cname(k), cname(r->counter));
		check_user_agrees(r, &fr);
	}
	xdpgame__destroy(skel);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- tables ----------------------------------------------------------- */

/* clang-format off */
#define PASS_GAME .verdict = XDP_PASS, .counter = XG_CNT_FALLTHROUGH
#define DROP(c) .verdict = XDP_DROP, .counter = XG_CNT_DROP_##c
#define PASS(c) .verdict = XDP_PASS, .counter = XG_CNT_PASS_##c
#define UDP_LEN(n) .udp_len_set = true, .udp_len = (n)

static const __u8 msgs[] = { XG_MSG_MOVE, XG_MSG_ATTACK, XG_MSG_HEARTBEAT,
			     XG_MSG_LEAVE, XG_MSG_JOIN };
static const __u16 vlans[][3] = {
	{ 0 }, { TPID_Q }, { TPID_AD }, { TPID_AD, TPID_Q }, { TPID_Q, TPID_Q },
};

/* Valid game frames beyond the message × IP version × VLAN grid. */
static const struct row valid_extra[] = {
	{ "IPv4 DF set (not a fragment)", L3_IPV4, .msg = XG_MSG_MOVE,
	  .ip4_frag = 0x4000, PASS_GAME },
	{ "IPv4 without a UDP checksum (0)", L3_IPV4, .msg = XG_MSG_MOVE,
	  .csum = CS_NONE, PASS_GAME },
	{ "IPv4 in QinQ without a UDP checksum", L3_IPV4, { TPID_AD, TPID_Q },
	  .msg = XG_MSG_ANSWER, .csum = CS_NONE, PASS_GAME },
	{ "IPv4 total length 2 short of the frame (padding)", L3_IPV4,
	  .msg = XG_MSG_JOIN, .ip_len_adj = -2, .udp_len_adj = -2,
	  .mutate = m_grow2, PASS_GAME },
	{ "UDP length 2 short of the IP packet (trimmed)", L3_IPV6,
	  .msg = XG_MSG_LEAVE, .udp_len_adj = -2, .mutate = m_grow2,
	  PASS_GAME },
	{ "heartbeat (74 bytes) with 6 bytes of trailing padding", L3_IPV4,
	  .msg = XG_MSG_HEARTBEAT, .pad_to = 80, PASS_GAME },
	{ "attack (82 bytes) with 1 byte of trailing padding", L3_IPV4,
	  .msg = XG_MSG_ATTACK, .pad_to = 83, PASS_GAME },
	{ "IPv6 heartbeat padded to 100 bytes", L3_IPV6,
	  .msg = XG_MSG_HEARTBEAT, .pad_to = 100, PASS_GAME },
};

/* Every malformed class of enum xg_err, over several encapsulations. */
static const struct row malformed[] = {
	{ "datagram of 23 bytes", L3_IPV4, .msg = XG_MSG_HEARTBEAT,
	  .mutate = m_too_short, DROP(TOO_SHORT) },
	{ "empty datagram (UDP length 8)", L3_IPV4, .msg = XG_MSG_HEARTBEAT,
	  .mutate = m_empty, DROP(TOO_SHORT) },
	{ "23-byte datagram, frame padded to 70 bytes", L3_IPV4,
	  .msg = XG_MSG_HEARTBEAT, .mutate = m_too_short, .pad_to = 70,
	  DROP(TOO_SHORT) },
	{ "bad magic", L3_IPV4, .msg = XG_MSG_MOVE, .mutate = m_bad_magic,
	  DROP(BAD_MAGIC) },
	{ "bad magic, IPv6 in 802.1Q", L3_IPV6, { TPID_Q },
	  .msg = XG_MSG_MOVE, .mutate = m_bad_magic, DROP(BAD_MAGIC) },
	{ "bad version", L3_IPV4, .msg = XG_MSG_ATTACK,
	  .mutate = m_bad_version, DROP(BAD_VERSION) },
	{ "a version-1 datagram", L3_IPV4, .msg = XG_MSG_HEARTBEAT,
	  .mutate = m_version1, DROP(BAD_VERSION) },
	{ "a version-1 datagram, IPv6", L3_IPV6, .msg = XG_MSG_MOVE,
	  .mutate = m_version1, DROP(BAD_VERSION) },
	{ "JOIN with a token", L3_IPV4, .msg = XG_MSG_JOIN,
	  .mutate = m_token, DROP(RESERVED) },
	{ "unknown type", L3_IPV6, .msg = XG_MSG_HEARTBEAT,
	  .mutate = m_bad_type, DROP(BAD_TYPE) },
	{ "an ack sent as a request", L3_IPV4, .msg = XG_MSG_HEARTBEAT,
	  .mutate = m_ack_type, DROP(BAD_TYPE) },
	{ "status set in a request", L3_IPV4, .msg = XG_MSG_MOVE,
	  .mutate = m_status, DROP(RESERVED) },
	{ "reserved header byte set", L3_IPV4, { TPID_AD, TPID_Q },
	  .msg = XG_MSG_ATTACK, .mutate = m_reserved, DROP(RESERVED) },
	{ "MOVE reserved field set", L3_IPV6, .msg = XG_MSG_MOVE,
	  .mutate = m_move_reserved, DROP(RESERVED) },
	{ "size field over the datagram", L3_IPV4, .msg = XG_MSG_MOVE,
	  .mutate = m_size_over, DROP(SIZE_OVER) },
	{ "size field under the datagram", L3_IPV6, .msg = XG_MSG_ATTACK,
	  .mutate = m_size_under, DROP(SIZE_UNDER) },
	{ "heartbeat with 4 bytes too many", L3_IPV4,
	  .msg = XG_MSG_HEARTBEAT, .mutate = m_body_size, DROP(BODY_SIZE) },
	{ "move with 4 bytes too many, IPv6", L3_IPV6,
	  .msg = XG_MSG_MOVE, .mutate = m_body_size, DROP(BODY_SIZE) },
	{ "NaN x", L3_IPV4, .msg = XG_MSG_MOVE, .mutate = m_nan_x,
	  DROP(BAD_COORD) },
	{ "-Inf z, IPv6 in 802.1ad", L3_IPV6, { TPID_AD },
	  .msg = XG_MSG_MOVE, .mutate = m_inf_z, DROP(BAD_COORD) },
};

static const struct row udp_len[] = {
	{ "UDP length 0", L3_IPV4, .msg = XG_MSG_MOVE, UDP_LEN(0),
	  DROP(UDP_LEN) },
	{ "UDP length 7", L3_IPV6, .msg = XG_MSG_MOVE, UDP_LEN(7),
	  DROP(UDP_LEN) },
	{ "UDP length one past the frame", L3_IPV4, .msg = XG_MSG_ATTACK,
	  .udp_len_adj = 1, DROP(UDP_LEN) },
	{ "UDP length 65535", L3_IPV6, .msg = XG_MSG_HEARTBEAT,
	  UDP_LEN(65535), DROP(UDP_LEN) },
	{ "UDP length 4 short of the datagram", L3_IPV4,
	  .msg = XG_MSG_HEARTBEAT, .udp_len_adj = -4, DROP(SIZE_OVER) },
};

static const struct row not_game[] = {
	{ "UDP to another port", L3_IPV4, .msg = XG_MSG_MOVE,
	  .dport = OTHER_PORT, PASS(NOT_GAME) },
	{ "UDP/IPv6 to another port, malformed", L3_IPV6, .msg = XG_MSG_MOVE,
	  .dport = OTHER_PORT, .mutate = m_bad_magic, PASS(NOT_GAME) },
	{ "TCP to the game port", L3_IPV4, .l4 = PROTO_TCP, PASS(NOT_GAME) },
	{ "TCP/IPv6 to the game port", L3_IPV6, .l4 = PROTO_TCP,
	  PASS(NOT_GAME) },
	{ "ICMP echo", L3_IPV4, .l4 = PROTO_ICMP, PASS(NOT_GAME) },
	{ "ARP request", L3_ARP, PASS(NOT_GAME) },
	{ "ARP in 802.1Q", L3_ARP, { TPID_Q }, PASS(NOT_GAME) },
	{ "3 VLAN tags", L3_IPV4, { TPID_AD, TPID_Q, TPID_Q },
	  .msg = XG_MSG_MOVE, PASS(VLAN) },
	{ "3 VLAN tags, malformed inside", L3_IPV4, { TPID_Q, TPID_Q, TPID_Q },
	  .msg = XG_MSG_MOVE, .mutate = m_bad_magic, PASS(VLAN) },
	{ "IPv4 first fragment (MF)", L3_IPV4, .msg = XG_MSG_MOVE,
	  .ip4_frag = 0x2000, PASS(FRAGMENT) },
	{ "IPv4 last fragment (offset 185)", L3_IPV4, .msg = XG_MSG_MOVE,
	  .ip4_frag = 185, PASS(FRAGMENT) },
	{ "IPv4 fragment, malformed inside", L3_IPV4, .msg = XG_MSG_MOVE,
	  .ip4_frag = 0x2000 | 3, .mutate = m_bad_magic, PASS(FRAGMENT) },
	{ "IPv6 fragment header", L3_IPV6, .msg = XG_MSG_MOVE,
	  .ext = { NH_FRAG }, .next = 1, PASS(FRAGMENT) },
	{ "IPv6 hop-by-hop then fragment header", L3_IPV6,
	  .msg = XG_MSG_MOVE, .ext = { NH_HOP, NH_FRAG }, .next = 2,
	  PASS(FRAGMENT) },
	{ "IPv6 5 extension headers (over the limit of 4)", L3_IPV6,
	  .msg = XG_MSG_MOVE,
	  .ext = { NH_HOP, NH_DEST, NH_ROUTING, NH_DEST, NH_DEST }, .next = 5,
	  PASS(IPV6_EXT) },
	{ "IPv6 2 extension headers, limit set to 1", L3_IPV6,
	  .msg = XG_MSG_MOVE, .ext = { NH_HOP, NH_DEST }, .next = 2,
	  .ext_max = 1, PASS(IPV6_EXT) },
	{ "IPv6 1 extension header, limit set to 1", L3_IPV6,
	  .msg = XG_MSG_MOVE, .ext = { NH_HOP }, .next = 1, .ext_max = 1,
	  PASS(IP_OPTIONS) },
	{ "IPv6 6 extension headers, limit set to 8", L3_IPV6,
	  .msg = XG_MSG_MOVE,
	  .ext = { NH_HOP, NH_DEST, NH_ROUTING, NH_DEST, NH_DEST, NH_DEST },
	  .next = 6, .ext_max = XG_XDP_IPV6_EXT_LIMIT, PASS(IP_OPTIONS) },
	{ "IPv6 AH (not walked)", L3_IPV6, .msg = XG_MSG_MOVE,
	  .ext = { NH_AH }, .next = 1, PASS(IPV6_EXT) },
};
/* clang-format on */

/* What the kernel's UDP receive path refuses, refused here too (DROP, a
 * counter per reason); IP options and extension headers, left to the
 * kernel (PASS, untouched); and their near misses, accepted. */
static const __u8 src_zero4[4] = { 0, 1, 2, 3 };
static const __u8 src_lo4[4] = { 127, 0, 0, 1 };
static const __u8 src_mc4[4] = { 224, 0, 0, 5 };
static const __u8 src_mc4b[4] = { 239, 255, 255, 250 };
static const __u8 src_e4[4] = { 240, 0, 0, 1 };
static const __u8 src_bc4[4] = { 255, 255, 255, 255 };
static const __u8 src_ok4a[4] = { 126, 255, 255, 255 };
static const __u8 src_ok4b[4] = { 223, 255, 255, 255 };
static const __u8 src_any6[16] = { 0 };
static const __u8 src_lo6[16] = { [15] = 1 };
static const __u8 src_mc6[16] = { 0xff, 0x02, [15] = 1 };
static const __u8 src_mc6b[16] = { 0xff, 0x0e, [15] = 0x42 };
static const __u8 src_map6[16] = { [10] = 0xff, 0xff, 10, 0, 0, 1 };
static const __u8 src_ok6a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const __u8 src_ok6b[16] = { [15] = 2 };
static const __u8 src_ok6c[16] = { [10] = 0xff, 0xfe, 10, 0, 0, 1 };

/* clang-format off */
static const struct row strict_rows[] = {
	{ "IPv4 header checksum wrong", L3_IPV4, .msg = XG_MSG_MOVE,
	  .bad_ip_csum = true, DROP(IP_HEADER) },
	{ "IPv4 header checksum wrong, JOIN in 802.1Q", L3_IPV4, { TPID_Q },
	  .msg = XG_MSG_JOIN, .bad_ip_csum = true, DROP(IP_HEADER) },
	{ "IPv4 EtherType, version 6", L3_IPV4, .msg = XG_MSG_MOVE,
	  .ip_ver = 6, DROP(IP_HEADER) },
	{ "IPv4 EtherType, version 5", L3_IPV4, .msg = XG_MSG_JOIN,
	  .ip_ver = 5, DROP(IP_HEADER) },
	{ "IPv6 EtherType, version 4", L3_IPV6, .msg = XG_MSG_MOVE,
	  .ip_ver = 4, DROP(IP_HEADER) },
	{ "IPv4 TTL 0", L3_IPV4, .msg = XG_MSG_HEARTBEAT, .ttl_zero = true,
	  DROP(IP_HEADER) },
	{ "IPv4 total length 1 short of the UDP length", L3_IPV4,
	  .msg = XG_MSG_MOVE, .ip_len_adj = -1, DROP(UDP_LEN) },
	{ "IPv4 total length 27 (no room for UDP)", L3_IPV4,
	  .msg = XG_MSG_MOVE, .ip_len_adj = -(XG_MOVE_SIZE + 1),
	  DROP(IP_LEN) },
	{ "IPv4 total length 1 past the frame", L3_IPV4, .msg = XG_MSG_MOVE,
	  .ip_len_adj = 1, DROP(IP_LEN) },
	{ "IPv4 total length 1 into the padding (UDP trims)", L3_IPV4,
	  .msg = XG_MSG_HEARTBEAT, .ip_len_adj = 1, .pad_to = 80,
	  PASS_GAME },
	{ "IPv6 payload length 1 short of the UDP length", L3_IPV6,
	  .msg = XG_MSG_ATTACK, .ip_len_adj = -1, DROP(UDP_LEN) },
	{ "IPv6 payload length 0", L3_IPV6, .msg = XG_MSG_ATTACK,
	  .ip_len_adj = -(8 + XG_ATTACK_SIZE), DROP(IP_LEN) },
	{ "IPv6 payload length 1 past the frame", L3_IPV6,
	  .msg = XG_MSG_ATTACK, .ip_len_adj = 1, DROP(IP_LEN) },
	{ "UDP checksum wrong, IPv4", L3_IPV4, .msg = XG_MSG_MOVE,
	  .csum = CS_BAD, DROP(UDP_CHECKSUM) },
	{ "UDP checksum wrong, IPv4 JOIN", L3_IPV4, .msg = XG_MSG_JOIN,
	  .csum = CS_BAD, DROP(UDP_CHECKSUM) },
	{ "UDP checksum wrong, IPv6", L3_IPV6, .msg = XG_MSG_HEARTBEAT,
	  .csum = CS_BAD, DROP(UDP_CHECKSUM) },
	{ "UDP checksum wrong, IPv6 ANSWER in QinQ", L3_IPV6,
	  { TPID_AD, TPID_Q }, .msg = XG_MSG_ANSWER, .csum = CS_BAD,
	  DROP(UDP_CHECKSUM) },
	{ "UDP checksum 0 on IPv6", L3_IPV6, .msg = XG_MSG_MOVE,
	  .csum = CS_NONE, DROP(UDP_CHECKSUM) },
	{ "UDP checksum 0 on IPv4 (none: accepted)", L3_IPV4,
	  .msg = XG_MSG_LEAVE, .csum = CS_NONE, PASS_GAME },
	{ "UDP checksum wrong, and a bad magic: the magic first", L3_IPV4,
	  .msg = XG_MSG_MOVE, .csum = CS_BAD, .mutate = m_bad_magic,
	  DROP(BAD_MAGIC) },
	{ "source 0.1.2.3 (0/8)", L3_IPV4, .msg = XG_MSG_JOIN,
	  .src_ip = src_zero4, DROP(BAD_SOURCE) },
	{ "source 127.0.0.1", L3_IPV4, .msg = XG_MSG_JOIN,
	  .src_ip = src_lo4, DROP(BAD_SOURCE) },
	{ "source 224.0.0.5 (multicast)", L3_IPV4, .msg = XG_MSG_JOIN,
	  .src_ip = src_mc4, DROP(BAD_SOURCE) },
	{ "source 239.255.255.250 (multicast)", L3_IPV4, .msg = XG_MSG_MOVE,
	  .src_ip = src_mc4b, DROP(BAD_SOURCE) },
	{ "source 240.0.0.1 (class E)", L3_IPV4, .msg = XG_MSG_JOIN,
	  .src_ip = src_e4, DROP(BAD_SOURCE) },
	{ "source 255.255.255.255", L3_IPV4, .msg = XG_MSG_JOIN,
	  .src_ip = src_bc4, DROP(BAD_SOURCE) },
	{ "source ::", L3_IPV6, .msg = XG_MSG_JOIN, .src_ip = src_any6,
	  DROP(BAD_SOURCE) },
	{ "source ::1", L3_IPV6, .msg = XG_MSG_JOIN, .src_ip = src_lo6,
	  DROP(BAD_SOURCE) },
	{ "source ff02::1 (multicast)", L3_IPV6, .msg = XG_MSG_JOIN,
	  .src_ip = src_mc6, DROP(BAD_SOURCE) },
	{ "source ff0e::42 (multicast)", L3_IPV6, .msg = XG_MSG_MOVE,
	  .src_ip = src_mc6b, DROP(BAD_SOURCE) },
	{ "source ::ffff:10.0.0.1 (IPv4-mapped)", L3_IPV6,
	  .msg = XG_MSG_JOIN, .src_ip = src_map6, DROP(BAD_SOURCE) },
	{ "source 126.255.255.255 (accepted)", L3_IPV4, .msg = XG_MSG_JOIN,
	  .src_ip = src_ok4a, PASS_GAME },
	{ "source 223.255.255.255 (accepted)", L3_IPV4, .msg = XG_MSG_JOIN,
	  .src_ip = src_ok4b, PASS_GAME },
	{ "source 2001:db8::1 (accepted)", L3_IPV6, .msg = XG_MSG_JOIN,
	  .src_ip = src_ok6a, PASS_GAME },
	{ "source ::2 (accepted)", L3_IPV6, .msg = XG_MSG_JOIN,
	  .src_ip = src_ok6b, PASS_GAME },
	{ "source ::fffe:10.0.0.1 (accepted)", L3_IPV6, .msg = XG_MSG_JOIN,
	  .src_ip = src_ok6c, PASS_GAME },
	{ "IPv4 with 4 bytes of options", L3_IPV4, .msg = XG_MSG_MOVE,
	  .ip4_opt = 4, PASS(IP_OPTIONS) },
	{ "IPv4 with 40 bytes of options (IHL 15)", L3_IPV4,
	  .msg = XG_MSG_HEARTBEAT, .ip4_opt = 40, PASS(IP_OPTIONS) },
	{ "IPv4 options and a wrong UDP checksum: the kernel's", L3_IPV4,
	  .msg = XG_MSG_MOVE, .ip4_opt = 8, .csum = CS_BAD,
	  PASS(IP_OPTIONS) },
	{ "IPv6 hop-by-hop", L3_IPV6, .msg = XG_MSG_MOVE, .ext = { NH_HOP },
	  .next = 1, PASS(IP_OPTIONS) },
	{ "IPv6 routing header", L3_IPV6, .msg = XG_MSG_JOIN,
	  .ext = { NH_ROUTING }, .next = 1, PASS(IP_OPTIONS) },
	{ "IPv6 hop-by-hop, dest-opts, routing, dest-opts (4, the limit)",
	  L3_IPV6, .msg = XG_MSG_ATTACK,
	  .ext = { NH_HOP, NH_DEST, NH_ROUTING, NH_DEST }, .next = 4,
	  PASS(IP_OPTIONS) },
	{ "IPv6 hop-by-hop under QinQ", L3_IPV6, { TPID_AD, TPID_Q },
	  .msg = XG_MSG_HEARTBEAT, .ext = { NH_HOP }, .next = 1,
	  PASS(IP_OPTIONS) },
};
/* clang-format on */

/* ---- sessions, handshakes, destinations, kernel replies ---------------- */

static void s_no_session4(struct xdpgame *skel)
{
	struct xg_session_entry e = get_session(skel, PLAYER4);

	e.token = 0; /* ended: user space writes the entry all zero, but
		      * token 0 alone says so */
	put_session(skel, PLAYER4, &e);
}

static void s_other_port(struct xdpgame *skel)
{
	struct xg_session_entry e = get_session(skel, PLAYER4);

	e.port = htons(CLIENT_PORT + 1);
	put_session(skel, PLAYER4, &e);
}

static void s_other_addr(struct xdpgame *skel)
{
	struct xg_session_entry e = get_session(skel, PLAYER4);

	e.addr.a[15] = 9; /* 10.0.0.9 */
	put_session(skel, PLAYER4, &e);
}

static void s_other_addr6(struct xdpgame *skel)
{
	struct xg_session_entry e = get_session(skel, PLAYER6);

	e.addr.a[15] = 9; /* fd00::9 */
	put_session(skel, PLAYER6, &e);
}

static void set_last_seen(struct xdpgame *skel, __u64 t)
{
	struct xg_session_entry e;

	e = get_session(skel, PLAYER4);
	e.last_seen = t;
	put_session(skel, PLAYER4, &e);
	e = get_session(skel, PLAYER6);
	e.last_seen = t;
	put_session(skel, PLAYER6, &e);
}

/* Silent since boot, with a 10 ms timeout. */
static void s_expired(struct xdpgame *skel)
{
	struct xg_xdp_config cfg = get_config(skel);

	cfg.session_timeout_ms = 10;
	xg_test_config(skel, &cfg);
	set_last_seen(skel, 1);
}

/* Seen just now, with a 10 s timeout. */
static void s_alive(struct xdpgame *skel)
{
	struct xg_xdp_config cfg = get_config(skel);

	cfg.session_timeout_ms = 10000;
	xg_test_config(skel, &cfg);
	set_last_seen(skel, xg_test_mono_ns());
}

/* 1 request a second, and this second's spent. */
static void s_budget_spent(struct xdpgame *skel)
{
	struct xg_xdp_config cfg = get_config(skel);
	struct xg_session_entry e = get_session(skel, PLAYER4);

	cfg.session_rate = 1;
	cfg.session_burst = 1;
	xg_test_config(skel, &cfg);
	e.budget = (struct xg_bucket){ .credit = 0, .ts = xg_test_mono_ns() };
	put_session(skel, PLAYER4, &e);
}

static void s_hs_limited(struct xdpgame *skel)
{
	struct xg_xdp_config cfg = get_config(skel);

	cfg.hs_rate = 1;
	cfg.hs_burst = 1;
	xg_test_config(skel, &cfg);
}

/* 1 handshake a second per source, and 10.0.0.1's is spent. */
static void s_hs_spent(struct xdpgame *skel)
{
	struct xg_bucket b = { .credit = 0, .ts = xg_test_mono_ns() };
	struct xg_addr a = {};

	s_hs_limited(skel);
	a.a[10] = a.a[11] = 0xff;
	memcpy(&a.a[12], cli4, 4);
	cr_assert_eq(bpf_map_update_elem(bpf_map__fd(skel->maps.hs_limits), &a,
					 &b, BPF_ANY),
		     0);
}

static void s_kernel_replies(struct xdpgame *skel)
{
	struct xg_xdp_config cfg = get_config(skel);

	cfg.kernel_replies = 1;
	xg_test_config(skel, &cfg);
}

static void s_route_check(struct xdpgame *skel)
{
	struct xg_xdp_config cfg = get_config(skel);

	cfg.route_check = 1;
	cfg.kernel_replies = 1;
	xg_test_config(skel, &cfg);
}

/* The loader found no MAC: only the group bit is checked. */
static void s_no_mac(struct xdpgame *skel)
{
	struct xg_xdp_config cfg = get_config(skel);

	memset(cfg.mac, 0, sizeof(cfg.mac));
	xg_test_config(skel, &cfg);
}

/* clang-format off */
#define DENY(c) .verdict = XDP_DROP, .counter = XG_CNT_DENY_##c
#define NOT_LOCAL .verdict = XDP_PASS, .counter = XG_CNT_PASS_NOT_LOCAL

static const struct row session_rows[] = {
	{ "MOVE, the player has no session", L3_IPV4, .msg = XG_MSG_MOVE,
	  .player = PLAYER_NONE, DENY(NO_SESSION) },
	{ "IPv6 HEARTBEAT, the player has no session", L3_IPV6,
	  .msg = XG_MSG_HEARTBEAT, .player = PLAYER_NONE, DENY(NO_SESSION) },
	{ "ATTACK, player 65536 (beyond the map)", L3_IPV4,
	  .msg = XG_MSG_ATTACK, .player = XG_MAX_PLAYERS, DENY(NO_SESSION) },
	{ "LEAVE, the session's entry has token 0", L3_IPV4,
	  .msg = XG_MSG_LEAVE, .setup = s_no_session4, DENY(NO_SESSION) },
	{ "MOVE, wrong token", L3_IPV4, .msg = XG_MSG_MOVE,
	  .mutate = m_token, DENY(BAD_TOKEN) },
	{ "HEARTBEAT with token 0", L3_IPV4, .msg = XG_MSG_HEARTBEAT,
	  .mutate = m_token_zero, DENY(BAD_TOKEN) },
	{ "IPv6 ATTACK in 802.1Q, wrong token", L3_IPV6, { TPID_Q },
	  .msg = XG_MSG_ATTACK, .mutate = m_token, DENY(BAD_TOKEN) },
	{ "MOVE from another source port", L3_IPV4, .msg = XG_MSG_MOVE,
	  .setup = s_other_port, DENY(WRONG_SOURCE) },
	{ "MOVE from another source address", L3_IPV4, .msg = XG_MSG_MOVE,
	  .setup = s_other_addr, DENY(WRONG_SOURCE) },
	{ "IPv6 HEARTBEAT from another source address", L3_IPV6,
	  .msg = XG_MSG_HEARTBEAT, .setup = s_other_addr6,
	  DENY(WRONG_SOURCE) },
	{ "IPv4 frame for the IPv6 client's player", L3_IPV4,
	  .msg = XG_MSG_MOVE, .player = PLAYER6, DENY(WRONG_SOURCE) },
	{ "MOVE, silent longer than the timeout", L3_IPV4,
	  .msg = XG_MSG_MOVE, .setup = s_expired, DENY(EXPIRED) },
	{ "IPv6 HEARTBEAT, silent longer than the timeout", L3_IPV6,
	  .msg = XG_MSG_HEARTBEAT, .setup = s_expired, DENY(EXPIRED) },
	{ "MOVE, seen just now, within the timeout", L3_IPV4,
	  .msg = XG_MSG_MOVE, .setup = s_alive, PASS_GAME },
	{ "MOVE, session budget spent", L3_IPV4, .msg = XG_MSG_MOVE,
	  .setup = s_budget_spent, DENY(SESSION_RATE) },
	{ "IPv6 MOVE, its own budget untouched", L3_IPV6,
	  .msg = XG_MSG_MOVE, .setup = s_budget_spent, PASS_GAME },
	{ "LEAVE with its session", L3_IPV4, .msg = XG_MSG_LEAVE, PASS_GAME },
	{ "JOIN, no handshake limit", L3_IPV4, .msg = XG_MSG_JOIN, PASS_GAME },
	{ "JOIN needs no session", L3_IPV4, .msg = XG_MSG_JOIN,
	  .player = PLAYER_NONE, PASS_GAME },
	{ "JOIN within its source's budget", L3_IPV4, .msg = XG_MSG_JOIN,
	  .setup = s_hs_limited, PASS_GAME },
	{ "ANSWER within its source's budget", L3_IPV4,
	  .msg = XG_MSG_ANSWER, .setup = s_hs_limited, PASS_GAME },
	{ "IPv6 ANSWER in QinQ", L3_IPV6, { TPID_AD, TPID_Q },
	  .msg = XG_MSG_ANSWER, PASS_GAME },
	{ "JOIN over its source's budget", L3_IPV4, .msg = XG_MSG_JOIN,
	  .setup = s_hs_spent, DENY(HANDSHAKE_RATE) },
	{ "ANSWER over its source's budget", L3_IPV4,
	  .msg = XG_MSG_ANSWER, .setup = s_hs_spent, DENY(HANDSHAKE_RATE) },
	{ "IPv6 JOIN, another source's budget spent", L3_IPV6,
	  .msg = XG_MSG_JOIN, .setup = s_hs_spent, PASS_GAME },
};

/* Game UDP that is not for this host: passed to the kernel untouched,
 * never answered, whatever it holds. */
static const struct row not_local_rows[] = {
	{ "to 255.255.255.255, our MAC", L3_IPV4, .msg = XG_MSG_MOVE,
	  .dst_ip = bcast4, NOT_LOCAL },
	{ "to 255.255.255.255, broadcast MAC", L3_IPV4,
	  .msg = XG_MSG_HEARTBEAT, .dst_ip = bcast4, .dst_mac = bcast_mac,
	  NOT_LOCAL },
	{ "to 224.0.0.1, multicast MAC", L3_IPV4, .msg = XG_MSG_MOVE,
	  .dst_ip = mcast4, .dst_mac = mcast_mac, NOT_LOCAL },
	{ "to 224.0.0.1, our MAC", L3_IPV4, .msg = XG_MSG_JOIN,
	  .dst_ip = mcast4, NOT_LOCAL },
	{ "to ff02::1, multicast MAC", L3_IPV6, .msg = XG_MSG_HEARTBEAT,
	  .dst_ip = mcast6, .dst_mac = mcast6_mac, NOT_LOCAL },
	{ "to ff02::1, our MAC", L3_IPV6, .msg = XG_MSG_MOVE,
	  .dst_ip = mcast6, NOT_LOCAL },
	{ "to another host's MAC", L3_IPV4, .msg = XG_MSG_MOVE,
	  .dst_mac = other_mac, NOT_LOCAL },
	{ "IPv6 in 802.1Q, to another host's MAC", L3_IPV6, { TPID_Q },
	  .msg = XG_MSG_HEARTBEAT, .dst_mac = other_mac, NOT_LOCAL },
	{ "to 10.0.0.3, not one of our addresses", L3_IPV4,
	  .msg = XG_MSG_MOVE, .dst_ip = other4, NOT_LOCAL },
	{ "to fd00::3, not one of our addresses", L3_IPV6,
	  .msg = XG_MSG_ATTACK, .dst_ip = other6, NOT_LOCAL },
	{ "not ours and malformed: passed, not dropped", L3_IPV4,
	  .msg = XG_MSG_MOVE, .dst_ip = other4, .mutate = m_bad_magic,
	  NOT_LOCAL },
	{ "broadcast, no session: passed, not denied", L3_IPV4,
	  .msg = XG_MSG_MOVE, .dst_ip = bcast4, .player = PLAYER_NONE,
	  NOT_LOCAL },
	{ "no MAC configured, multicast MAC", L3_IPV4, .msg = XG_MSG_MOVE,
	  .dst_mac = mcast_mac, .setup = s_no_mac, NOT_LOCAL },
	{ "no MAC configured, any unicast MAC", L3_IPV4, .msg = XG_MSG_MOVE,
	  .dst_mac = other_mac, .setup = s_no_mac, PASS_GAME },
};

/* Kernel replies on: a HEARTBEAT with its session is answered (XDP_TX);
 * test_kernel_reply.c checks the bytes. */
static const struct row kernel_reply_rows[] = {
	{ "HEARTBEAT with its session", L3_IPV4, .msg = XG_MSG_HEARTBEAT,
	  .setup = s_kernel_replies, .verdict = XDP_TX,
	  .counter = XG_CNT_XDP_TX },
	{ "IPv6 HEARTBEAT with its session", L3_IPV6,
	  .msg = XG_MSG_HEARTBEAT, .setup = s_kernel_replies,
	  .verdict = XDP_TX, .counter = XG_CNT_XDP_TX },
	{ "HEARTBEAT without a session", L3_IPV4, .msg = XG_MSG_HEARTBEAT,
	  .player = PLAYER_NONE, .setup = s_kernel_replies,
	  DENY(NO_SESSION) },
	{ "HEARTBEAT with a wrong token", L3_IPV6, .msg = XG_MSG_HEARTBEAT,
	  .mutate = m_token, .setup = s_kernel_replies, DENY(BAD_TOKEN) },
	{ "HEARTBEAT with padding: to user space", L3_IPV4,
	  .msg = XG_MSG_HEARTBEAT, .pad_to = 100, .setup = s_kernel_replies,
	  PASS_GAME },
	{ "MOVE: to user space", L3_IPV4, .msg = XG_MSG_MOVE,
	  .setup = s_kernel_replies, PASS_GAME },
	{ "JOIN: to user space", L3_IPV4, .msg = XG_MSG_JOIN,
	  .setup = s_kernel_replies, PASS_GAME },
};

/* Route check on. BPF_PROG_RUN's frames come in on loopback, and the way
 * back to the client never leaves by loopback (or the lookup is refused:
 * forwarding off on loopback, or no route), whatever this host's routes:
 * every request let in goes to the kernel socket, before any reply is
 * built. Refusals still come first. The fast-path case (the reply leaves
 * by the interface it came in on) needs a real interface:
 * tests/integration/route.sh, over veth. */
static const struct row route_rows[] = {
	{ "MOVE with its session: to the kernel", L3_IPV4,
	  .msg = XG_MSG_MOVE, .setup = s_route_check, PASS(ROUTE) },
	{ "HEARTBEAT, kernel replies on: no XDP_TX", L3_IPV6,
	  .msg = XG_MSG_HEARTBEAT, .setup = s_route_check, PASS(ROUTE) },
	{ "JOIN: to the kernel", L3_IPV4, .msg = XG_MSG_JOIN,
	  .setup = s_route_check, PASS(ROUTE) },
	{ "wrong token: still denied", L3_IPV4, .msg = XG_MSG_MOVE,
	  .mutate = m_token, .setup = s_route_check, DENY(BAD_TOKEN) },
	{ "malformed: still dropped", L3_IPV6, .msg = XG_MSG_MOVE,
	  .mutate = m_bad_magic, .setup = s_route_check, DROP(BAD_MAGIC) },
};
/* clang-format on */

/* ---- tests ------------------------------------------------------------ */

static const char *msg_name(__u8 type)
{
	return type == XG_MSG_MOVE   ? "MOVE" :
	       type == XG_MSG_ATTACK ? "ATTACK" :
	       type == XG_MSG_LEAVE  ? "LEAVE" :
	       type == XG_MSG_JOIN   ? "JOIN" :
				       "HEARTBEAT";
}

/* Message × IP version × VLAN encapsulation, plus valid_extra. */
static size_t valid_rows(struct row *out, size_t cap)
{
	static char descs[64][64];
	size_t n = 0;

	for (size_t m = 0; m < N(msgs); m++)
		for (int l3 = L3_IPV4; l3 <= L3_IPV6; l3++)
			for (size_t v = 0; v < N(vlans); v++, n++) {
				cr_assert_lt(n, cap);
				snprintf(descs[n], sizeof(descs[n]),
					 "%s over %s, VLAN tags %04x %04x",
					 msg_name(msgs[m]),
					 l3 == L3_IPV4 ? "IPv4" : "IPv6",
					 vlans[v][0], vlans[v][1]);
				out[n] = (struct row){ descs[n], (enum l3)l3,
						       .msg = msgs[m],
						       PASS_GAME };
				memcpy(out[n].vlan, vlans[v],
				       sizeof(out[n].vlan));
			}
	for (size_t i = 0; i < N(valid_extra); i++) {
		cr_assert_lt(n, cap);
		out[n++] = valid_extra[i];
	}
	return n;
}

Test(xdp_prog, valid_game_frames_fall_through_without_xsk)
{
	struct row rows[64];

	run_rows(rows, valid_rows(rows, N(rows)));
}

Test(xdp_prog, malformed_datagrams_dropped_with_their_reason)
{
	run_rows(malformed, N(malformed));
}

Test(xdp_prog, bad_udp_length_dropped)
{
	run_rows(udp_len, N(udp_len));
}

Test(xdp_prog, non_game_traffic_passes_untouched)
{
	run_rows(not_game, N(not_game));
}

Test(xdp_prog, what_the_kernel_refuses_is_refused)
{
	run_rows(strict_rows, N(strict_rows));
}

/* Every new drop and pass reason has a row. */
Test(xdp_prog, every_strict_reason_has_a_row)
{
	static const int reasons[] = {
		XG_CNT_PASS_IP_OPTIONS, XG_CNT_DROP_IP_HEADER,
		XG_CNT_DROP_IP_LEN,     XG_CNT_DROP_UDP_LEN,
		XG_CNT_DROP_BAD_SOURCE, XG_CNT_DROP_UDP_CHECKSUM,
	};

	for (size_t k = 0; k < N(reasons); k++) {
		bool found = false;

		for (size_t i = 0; i < N(strict_rows); i++)
			found |= strict_rows[i].counter == reasons[k];
		cr_expect(found, "no row for %s", cname(reasons[k]));
	}
}

Test(xdp_prog, sessions_and_handshakes)
{
	run_rows(session_rows, N(session_rows));
}

Test(xdp_prog, not_for_this_host_passes_untouched)
{
	run_rows(not_local_rows, N(not_local_rows));
}

Test(xdp_prog, kernel_replies_only_with_a_session)
{
	run_rows(kernel_reply_rows, N(kernel_reply_rows));
}

Test(xdp_prog, route_check_leaves_other_ways_back_to_the_kernel)
{
	run_rows(route_rows, N(route_rows));
}

/* Every refusal the program makes has a row of the session table (replay
 * and bad cookie are user space's only). */
Test(xdp_prog, every_kernel_deny_reason_has_a_row)
{
	for (int d = XG_DENY_NO_SESSION; d <= XG_DENY_HANDSHAKE_RATE; d++) {
		bool found = false;

		for (size_t i = 0; i < N(session_rows); i++)
			found |= session_rows[i].counter == XG_CNT_DENY_BASE + d;
		cr_expect(found, "no row for deny reason %d (%s)", d,
			  cname(XG_CNT_DENY_BASE + d));
	}
}

/* Run one row's frame n times: how many came back with the row's verdict
 * and counter, the index of the first that did not (or n). */
static int repeat_row(struct xdpgame *skel, const struct row *r, int n,
		      int *ok)
{
	struct frame fr;
	int first = n;

	build(r, &fr);
	*ok = 0;
	for (int i = 0; i < n; i++) {
		int k, v = run_frame(skel, fr.b, fr.len, &k);

		if (v == r->verdict && k == r->counter)
			(*ok)++;
		else if (first == n)
			first = i;
	}
	return first;
}

/* A session's budget, burst 10: ten requests in a row pass, the next is
 * refused for its rate. (At 10 a second, the next refill is 100 ms away,
 * far more than the eleven runs take.) */
Test(xdp_prog, session_budget_runs_out)
{
	struct row move = { "MOVE", L3_IPV4, .msg = XG_MSG_MOVE, PASS_GAME };
	struct xdpgame *skel = load_prog(0);
	struct xg_xdp_config cfg = get_config(skel);
	struct frame fr;
	int ok, k, v;

	cfg.session_rate = 10;
	cfg.session_burst = 10;
	xg_test_config(skel, &cfg);
	cr_expect_eq(repeat_row(skel, &move, 10, &ok), 10);
	cr_expect_eq(ok, 10);
	build(&move, &fr);
	v = run_frame(skel, fr.b, fr.len, &k);
	cr_expect_eq(v, XDP_DROP, "verdict %s", verdict_name(v));
	cr_expect_eq(k, XG_CNT_DENY_SESSION_RATE, "counter %s", cname(k));
	/* the budget is the session's: player 43 still has all of its own */
	move.l3 = L3_IPV6;
	cr_expect_eq(repeat_row(skel, &move, 10, &ok), 10);
	xdpgame__destroy(skel);
}

/* A source's handshakes, burst 2: JOIN, ANSWER pass, the next JOIN is
 * refused for its rate; a session's game requests are not counted. */
Test(xdp_prog, handshake_budget_runs_out)
{
	struct row join = { "JOIN", L3_IPV4, .msg = XG_MSG_JOIN, PASS_GAME };
	struct row answer = { "ANSWER", L3_IPV4, .msg = XG_MSG_ANSWER,
			      PASS_GAME };
	struct row move = { "MOVE", L3_IPV4, .msg = XG_MSG_MOVE, PASS_GAME };
	struct xdpgame *skel = load_prog(0);
	struct xg_xdp_config cfg = get_config(skel);
	struct frame fr;
	int ok, k, v;

	cfg.hs_rate = 2;
	cfg.hs_burst = 2;
	xg_test_config(skel, &cfg);
	cr_expect_eq(repeat_row(skel, &join, 1, &ok), 1);
	cr_expect_eq(repeat_row(skel, &answer, 1, &ok), 1);
	cr_expect_eq(repeat_row(skel, &move, 5, &ok), 5);
	build(&join, &fr);
	v = run_frame(skel, fr.b, fr.len, &k);
	cr_expect_eq(v, XDP_DROP, "verdict %s", verdict_name(v));
	cr_expect_eq(k, XG_CNT_DENY_HANDSHAKE_RATE, "counter %s", cname(k));
	xdpgame__destroy(skel);
}

/* With a timeout (a server always has one), a request let in moves its
 * session's last_seen (the expiry sweep in user space reads it); a refused
 * one does not. The program reads the coarse clock where the kernel has
 * it, CLOCK_MONOTONIC_COARSE here, at most the precise one. */
Test(xdp_prog, last_seen_moves_on_admission)
{
	struct row move = { "MOVE", L3_IPV4, .msg = XG_MSG_MOVE, PASS_GAME };
	struct row bad = { "MOVE, wrong token", L3_IPV4, .msg = XG_MSG_MOVE,
			   .mutate = m_token, DENY(BAD_TOKEN) };
	struct xdpgame *skel = load_prog(0);
	struct xg_xdp_config cfg = get_config(skel);
	struct timespec ts;
	__u64 before, seen;
	int ok;

	cfg.session_timeout_ms = 10000;
	xg_test_config(skel, &cfg);
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	before = (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
	set_last_seen(skel, before - 1);

	cr_expect_eq(repeat_row(skel, &bad, 1, &ok), 1);
	cr_expect_eq(get_session(skel, PLAYER4).last_seen, before - 1);
	cr_expect_eq(repeat_row(skel, &move, 1, &ok), 1);
	seen = get_session(skel, PLAYER4).last_seen;
	cr_expect_geq(seen, before);
	cr_expect_leq(seen, xg_test_mono_ns());
	xdpgame__destroy(skel);
}

/* Without a timeout or a budget the program reads no clock and leaves
 * last_seen alone. */
Test(xdp_prog, no_clock_without_timeout_or_budget)
{
	struct row move = { "MOVE", L3_IPV4, .msg = XG_MSG_MOVE, PASS_GAME };
	struct xdpgame *skel = load_prog(0);
	int ok;

	cr_expect_eq(get_config(skel).session_timeout_ms, 0);
	cr_expect_eq(get_config(skel).session_rate, 0);
	cr_expect_eq(repeat_row(skel, &move, 1, &ok), 1);
	cr_expect_eq(get_session(skel, PLAYER4).last_seen, 0);
	xdpgame__destroy(skel);
}

/* Every drop counter is reachable from a row of the malformed table. */
Test(xdp_prog, every_drop_reason_has_a_row)
{
	for (int e = XG_ERR_TOO_SHORT; e < XG_ERR_NREASONS; e++) {
		bool found = false;

		for (size_t i = 0; i < N(malformed); i++)
			found |= malformed[i].counter == XG_CNT_DROP_BASE + e;
		cr_expect(found, "no row for drop reason %d (%s)", e,
			  cname(XG_CNT_DROP_BASE + e));
	}
}

/* Redirect switched off in `config`: still FALLTHROUGH, never REDIRECT. */
Test(xdp_prog, redirect_off_falls_through)
{
	struct row r = { "MOVE, redirect off", L3_IPV4, .msg = XG_MSG_MOVE,
			 PASS_GAME };
	struct xdpgame *skel = load_prog(0);
	struct frame fr;
	int v, k;

	set_redirect(skel, 0);
	build(&r, &fr);
	v = run_frame(skel, fr.b, fr.len, &k);
	cr_expect_eq(v, XDP_PASS);
	cr_expect_eq(k, XG_CNT_FALLTHROUGH, "counter %s", cname(k));
	xdpgame__destroy(skel);
}

/*
 * Every valid frame cut at every length: never a crash, and the verdict the
 * cut calls for. Cut before the end of the UDP header: PASS (counted as not
 * game, or as an IPv6 extension header cut short). Cut inside the IP
 * packet (its length field past the frame): DROP ip_len. Cut in the Ethernet padding
 * only: still a valid game frame. test_run refuses frames shorter than an
 * Ethernet header (-EINVAL), as no driver delivers one: those cuts are not
 * run.
 */
Test(xdp_prog, truncated_frames_pass_or_drop_never_crash)
{
	struct row rows[64];
	size_t n = valid_rows(rows, N(rows));
	struct xdpgame *skel = load_prog(0);
	int tested = 0;

	for (size_t i = 0; i < n; i++) {
		struct frame fr;
		__u32 udp_end, ip_end;

		if (rows[i].ext_max)
			continue;
		build(&rows[i], &fr);
		udp_end = fr.udp_off + 8;
		ip_end = fr.ip_end;
		for (__u32 cut = 0; cut < fr.len; cut++) {
			int v, k;

			v = run_frame(skel, fr.b, cut, &k);
			if (v == -EINVAL && cut < 14)
				continue; /* shorter than Ethernet */
			cr_assert_geq(v, 0, "%s cut at %u: test_run: %s",
				      rows[i].desc, cut, strerror(-v));
			tested++;
			if (cut < udp_end) {
				cr_expect_eq(v, XDP_PASS, "%s cut at %u: %s",
					     rows[i].desc, cut,
					     verdict_name(v));
				cr_expect(k == XG_CNT_PASS_NOT_GAME ||
						  k == XG_CNT_PASS_IPV6_EXT,
					  "%s cut at %u: counter %s",
					  rows[i].desc, cut, cname(k));
			} else if (cut < ip_end) {
				cr_expect_eq(v, XDP_DROP, "%s cut at %u: %s",
					     rows[i].desc, cut,
					     verdict_name(v));
				cr_expect_eq(k, XG_CNT_DROP_IP_LEN,
					     "%s cut at %u: counter %s",
					     rows[i].desc, cut, cname(k));
			} else {
				cr_expect_eq(v, XDP_PASS, "%s cut at %u: %s",
					     rows[i].desc, cut,
					     verdict_name(v));
				cr_expect_eq(k, XG_CNT_FALLTHROUGH,
					     "%s cut at %u: counter %s",
					     rows[i].desc, cut, cname(k));
			}
		}
	}
	cr_expect_gt(tested, 1000);
	xdpgame__destroy(skel);
}

/* The pin names the commands use are the program's map names, and every
 * counter has a distinct name. No root needed. */
Test(xdp_prog, names_agree_with_the_program)
{
	struct xdpgame *skel = xdpgame__open();

	cr_assert_not_null(skel);
	cr_expect_str_eq(bpf_map__name(skel->maps.stats), XG_PIN_STATS);
	cr_expect_str_eq(bpf_map__name(skel->maps.info), XG_PIN_INFO);
	cr_expect_str_eq(bpf_map__name(skel->maps.config), XG_PIN_CONFIG);
	cr_expect_str_eq(bpf_map__name(skel->maps.ports), XG_PIN_PORTS);
	xdpgame__destroy(skel);

	for (int i = 0; i < XG_CNT_MAX; i++) {
		cr_assert_not_null(xg_xdp_counter_name(i), "counter %d", i);
		for (int j = 0; j < i; j++)
			cr_expect_str_neq(xg_xdp_counter_name(i),
					  xg_xdp_counter_name(j));
	}
	cr_expect_null(xg_xdp_counter_name(XG_CNT_MAX));
	cr_expect_null(xg_xdp_counter_name(-1));
}

Test(xdp_prog, mode_names_round_trip)
{
	enum xg_xdp_mode m;

	for (int i = XG_MODE_AUTO; i <= XG_MODE_SOCKETS; i++) {
		cr_assert_eq(xg_mode_parse(xg_mode_name(i), &m), 0);
		cr_expect_eq(m, i);
	}
	cr_expect_eq(xg_mode_parse("skb", &m), 0);
	cr_expect_eq(m, XG_MODE_GENERIC);
	cr_expect_eq(xg_mode_parse("drv", &m), 0);
	cr_expect_eq(m, XG_MODE_NATIVE);
	cr_expect_eq(xg_mode_parse("fast", &m), -EINVAL);
}
