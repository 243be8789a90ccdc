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
 * a valid game frame comes back XDP_PASS and counts as FALLTHROUGH.
 * Needs root; skipped otherwise.
 */
#include <criterion/criterion.h>
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
};

/* ---- frames ----------------------------------------------------------- */

enum l3 { L3_IPV4, L3_IPV6, L3_ARP };

/* A game datagram being built: its bytes and its length. */
struct dgram {
	__u8 b[64];
	__u32 len;
};

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
	int verdict;         /* XDP_PASS, XDP_DROP */
	int counter;         /* enum xg_xdp_counter that moves */
};

/* A built frame and where its parts are. */
struct frame {
	__u8 b[FRAME_MAX];
	__u32 len;
	__u32 udp_off;       /* start of the UDP header (0: no UDP) */
	__u32 dgram_off;     /* start of the game datagram */
	__u32 dgram_len;     /* the datagram's length as UDP says it */
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
	memset(d, 0, sizeof(*d));
	switch (r->msg) {
	case XG_MSG_MOVE:
		d->len = xg_msg_move(d->b, 1, 42, 1000, 1.5f, -2.5f, 3.0f);
		break;
	case XG_MSG_ATTACK:
		d->len = xg_msg_attack(d->b, 2, 42, 1000, 7, 3, 10);
		break;
	case XG_MSG_HEARTBEAT:
		d->len = xg_msg_heartbeat(d->b, 3, 42, 1000);
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
		off = put16(f, off, 40000);
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

static void build(const struct row *r, struct frame *fr)
{
	static const __u8 mac[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	static const __u8 ip6[32] = { 0xfd, [15] = 1, [16] = 0xfd, [31] = 2 };
	/* ARP request, Ethernet/IPv4: who has 10.0.0.2, tell 10.0.0.1 */
	static const __u8 arp[28] = { 0, 1, 8, 0, 6, 4, 0, 1,		/* hdr */
				      2, 0, 0, 0, 0, 1, 10, 0, 0, 1,	/* sender */
				      0, 0, 0, 0, 0, 0, 10, 0, 0, 2 };	/* target */
	__u8 *f = fr->b;
	__u32 off, l3, i;

	memset(fr, 0, sizeof(*fr));
	off = put(f, 0, mac, sizeof(mac));
	for (i = 0; i < 3 && r->vlan[i]; i++) {
		off = put16(f, off, r->vlan[i]);
		off = put16(f, off, (__u16)(100 + i)); /* TCI: VLAN id */
	}
	l3 = off + 2;
	switch (r->l3) {
	case L3_IPV4: {
		__u32 hl = 20 + r->ip4_opt;

		off = put16(f, off, ETHERTYPE_IP);
		off = put8(f, off, (__u8)(0x40 | hl / 4));
		off = put8(f, off, 0);
		off += 2; /* total length, below */
		off = put16(f, off, 1);
		off = put16(f, off, r->ip4_frag);
		off = put8(f, off, 64);
		off = put8(f, off, r->l4 ? r->l4 : PROTO_UDP);
		off += 2; /* checksum, below */
		off = put(f, off, (const __u8[]){ 10, 0, 0, 1, 10, 0, 0, 2 },
			  8);
		memset(f + off, 1, r->ip4_opt); /* NOP options */
		off = build_l4(r, fr, off + r->ip4_opt);
		put16(f, l3 + 2, (__u16)(off - l3));
		put16(f, l3 + 10, ip4_csum(f + l3, hl));
		break;
	}
	case L3_IPV6: {
		__u8 l4 = r->l4 ? r->l4 : PROTO_UDP;

		off = put16(f, off, ETHERTYPE_IPV6);
		off = put8(f, off, 0x60);
		off += 3;  /* flow label */
		off += 2;  /* payload length, below */
		off = put8(f, off, r->next ? r->ext[0] : l4);
		off = put8(f, off, 64);
		off = put(f, off, ip6, sizeof(ip6));
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
		put16(f, l3 + 4, (__u16)(off - l3 - 40));
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
static void m_nan_x(struct dgram *d) { set_u32(d, 24, 0x7fc00000); }
static void m_inf_z(struct dgram *d) { set_u32(d, 32, 0xff800000); }
static void m_move_reserved(struct dgram *d) { set_u32(d, 36, 1); }
/* clang-format on */

/* ---- running ---------------------------------------------------------- */

static struct xdpgame *load_prog(int ext_max)
{
	return xg_test_prog((__u32)ext_max,
			    (struct xg_xdp_config){ .redirect = 1 });
}

static void set_redirect(struct xdpgame *skel, __u32 on)
{
	struct xg_xdp_config cfg = { .redirect = on };
	__u32 key = 0;

	cr_assert_eq(bpf_map_update_elem(bpf_map__fd(skel->maps.config), &key,
					 &cfg, BPF_ANY),
		     0);
}

/* Run one frame; return the verdict and which counter moved (-1: none, or
 * more than one, or not by exactly one packet of len bytes). A negative
 * errno if test_run itself failed. */
static int run_frame(struct xdpgame *skel, const __u8 *data, __u32 len,
		     int *counter)
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
	cr_expect_eq(t.data_size_out, len, "output length %u, input %u",
		     t.data_size_out, len);
	cr_expect(t.data_size_out != len || !memcmp(out, data, len),
		  "the program changed the frame");
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
		build(r, &fr);
		cr_assert(!r->pad_to || fr.len == (__u32)r->pad_to,
			  "%s: the frame needs no padding", r->desc);
		v = run_frame(skel, fr.b, fr.len, &k);
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

static const __u8 msgs[] = { XG_MSG_MOVE, XG_MSG_ATTACK, XG_MSG_HEARTBEAT };
static const __u16 vlans[][3] = {
	{ 0 }, { TPID_Q }, { TPID_AD }, { TPID_AD, TPID_Q }, { TPID_Q, TPID_Q },
};

/* Valid game frames beyond the message × IP version × VLAN grid. */
static const struct row valid_extra[] = {
	{ "IPv4 with 4 bytes of options", L3_IPV4, .msg = XG_MSG_MOVE,
	  .ip4_opt = 4, PASS_GAME },
	{ "IPv4 with 40 bytes of options (IHL 15)", L3_IPV4,
	  .msg = XG_MSG_HEARTBEAT, .ip4_opt = 40, PASS_GAME },
	{ "IPv4 DF set (not a fragment)", L3_IPV4, .msg = XG_MSG_MOVE,
	  .ip4_frag = 0x4000, PASS_GAME },
	{ "IPv6 hop-by-hop", L3_IPV6, .msg = XG_MSG_MOVE, .ext = { NH_HOP },
	  .next = 1, PASS_GAME },
	{ "IPv6 hop-by-hop, dest-opts, routing, dest-opts (4, the limit)",
	  L3_IPV6, .msg = XG_MSG_ATTACK,
	  .ext = { NH_HOP, NH_DEST, NH_ROUTING, NH_DEST }, .next = 4,
	  PASS_GAME },
	{ "IPv6 hop-by-hop under QinQ", L3_IPV6, { TPID_AD, TPID_Q },
	  .msg = XG_MSG_HEARTBEAT, .ext = { NH_HOP }, .next = 1, PASS_GAME },
	{ "heartbeat (66 bytes) with 14 bytes of trailing padding", L3_IPV4,
	  .msg = XG_MSG_HEARTBEAT, .pad_to = 80, PASS_GAME },
	{ "attack (74 bytes) with 1 byte of trailing padding", L3_IPV4,
	  .msg = XG_MSG_ATTACK, .pad_to = 75, PASS_GAME },
	{ "IPv6 heartbeat padded to 100 bytes", L3_IPV6,
	  .msg = XG_MSG_HEARTBEAT, .pad_to = 100, PASS_GAME },
};

/* Every malformed class of enum xg_err, over several encapsulations. */
static const struct row malformed[] = {
	{ "datagram of 15 bytes", L3_IPV4, .msg = XG_MSG_HEARTBEAT,
	  .mutate = m_too_short, DROP(TOO_SHORT) },
	{ "empty datagram (UDP length 8)", L3_IPV4, .msg = XG_MSG_HEARTBEAT,
	  .mutate = m_empty, DROP(TOO_SHORT) },
	{ "15-byte datagram, frame padded to 60 bytes", L3_IPV4,
	  .msg = XG_MSG_HEARTBEAT, .mutate = m_too_short, .pad_to = 60,
	  DROP(TOO_SHORT) },
	{ "bad magic", L3_IPV4, .msg = XG_MSG_MOVE, .mutate = m_bad_magic,
	  DROP(BAD_MAGIC) },
	{ "bad magic, IPv6 in 802.1Q", L3_IPV6, { TPID_Q },
	  .msg = XG_MSG_MOVE, .mutate = m_bad_magic, DROP(BAD_MAGIC) },
	{ "bad version", L3_IPV4, .msg = XG_MSG_ATTACK,
	  .mutate = m_bad_version, DROP(BAD_VERSION) },
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
	{ "move with 4 bytes too many, IPv6 hop-by-hop", L3_IPV6,
	  .msg = XG_MSG_MOVE, .ext = { NH_HOP }, .next = 1,
	  .mutate = m_body_size, DROP(BODY_SIZE) },
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
	  PASS_GAME },
	{ "IPv6 6 extension headers, limit set to 8", L3_IPV6,
	  .msg = XG_MSG_MOVE,
	  .ext = { NH_HOP, NH_DEST, NH_ROUTING, NH_DEST, NH_DEST, NH_DEST },
	  .next = 6, .ext_max = XG_XDP_IPV6_EXT_LIMIT, PASS_GAME },
	{ "IPv6 AH (not walked)", L3_IPV6, .msg = XG_MSG_MOVE,
	  .ext = { NH_AH }, .next = 1, PASS(IPV6_EXT) },
};
/* clang-format on */

/* ---- tests ------------------------------------------------------------ */

static const char *msg_name(__u8 type)
{
	return type == XG_MSG_MOVE   ? "MOVE" :
	       type == XG_MSG_ATTACK ? "ATTACK" :
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
 * game, or as an IPv6 extension header cut short). Cut inside the datagram
 * (UDP length past the frame): DROP udp_len. Cut in the Ethernet padding
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
		__u32 udp_end, dgram_end;

		if (rows[i].ext_max)
			continue;
		build(&rows[i], &fr);
		udp_end = fr.udp_off + 8;
		dgram_end = fr.dgram_off + fr.dgram_len;
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
			} else if (cut < dgram_end) {
				cr_expect_eq(v, XDP_DROP, "%s cut at %u: %s",
					     rows[i].desc, cut,
					     verdict_name(v));
				cr_expect_eq(k, XG_CNT_DROP_UDP_LEN,
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
