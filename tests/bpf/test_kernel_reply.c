/* SPDX-License-Identifier: MIT */
/*
 * In-kernel HEARTBEAT replies (config.kernel_replies = 1, XDP_TX) are the
 * very bytes the AF_XDP worker would send for the same frame.
 *
 * For each row (IPv4 with and without a UDP checksum, with IP options, with
 * Ethernet padding; IPv6, with a hop-by-hop header; either under an 802.1Q
 * tag) the player's session is opened in user space (xg_session_open on a
 * fresh world and struct xg_sessions), whose sink writes it into the
 * program's `sessions` map as `xdpgame attach` does, and the request
 * carries its token. The frame goes through the program with
 * bpf_prog_test_run_opts, which must say XDP_TX and move the xdp_tx counter
 * by exactly this one frame. The same input frame then goes the user-space
 * way, as engine/xsk_loop.c takes it: xg_frame_walk(), xg_frame_check(), the
 * peer from the frame, xg_handle() in place at the payload (the same
 * session, its own stats), xg_frame_reply(). Both outputs must have the
 * same length and the same bytes. Then the reply is checked on its own,
 * with code that shares nothing with parsing.h: addresses, ports and MACs
 * swapped, lengths, TTL, the IPv4 header checksum, the UDP checksum over the
 * pseudo-header (or none, where the request had none), and the ack (type
 * 0x83, status, seq, player, token and client_ts echoed). Requests carry
 * TTL 17, not the reply's 64, so a checksum that misses the TTL change
 * shows.
 *
 * And the program answers nothing else: with kernel_replies = 0 a HEARTBEAT
 * is not XDP_TX; a MOVE or an ATTACK never is; a HEARTBEAT without its
 * session is dropped, as user space refuses it. Needs root; skipped
 * otherwise.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <xdpgame/parsing.h>
#include <xdpgame/proto.h>
#include <xdpgame/xdp.h>

#include "game/handlers.h"
#include "game/msg.h"
#include "game/session.h"
#include "core/stats.h"
#include "engine/frames.h"
#include "game/world.h"
#include "xdp/loader.h"
#include "xdpgame.skel.h"
#include "prog.h"

enum {
	GAME_PORT = XG_TEST_GAME_PORT,
	CLIENT_PORT = 40000,
	FRAME_MAX = 256,
	IP4_HLEN = 20,
	IP6_HLEN = 40,
	UDP_HLEN = 8,
	PROTO_UDP = 17,
	NH_HOP = 0,
	REQ_TTL = 17, /* anything but the reply's XG_REPLY_TTL */
};

static const __u8 mac_cli[6] = { 2, 0, 0, 0, 0, 2 };
static const __u8 mac_srv[6] = { 2, 0, 0, 0, 0, 1 };
static const __u8 ip4_cli[4] = { 10, 0, 0, 2 };
static const __u8 ip4_srv[4] = { 10, 0, 0, 1 };
static const __u8 ip6_cli[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
static const __u8 ip6_srv[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

/* One request frame to build. */
struct row {
	const char *desc;
	bool ipv6;
	bool vlan;        /* one 802.1Q tag */
	bool udp_csum;    /* the request carries a UDP checksum (IPv6: always) */
	__u8 ip4_opt;     /* IPv4 option bytes (NOPs), a multiple of 4 */
	bool hop_by_hop;  /* IPv6: one 8-byte hop-by-hop header */
	__u32 pad_to;     /* zero-pad the frame to this length (0: none) */
	__u8 msg;         /* XG_MSG_*; 0 means HEARTBEAT */
	__u32 player;
	__u8 status;      /* the ack's expected status */
};

/* A built frame and where its parts are. */
struct frame {
	__u8 b[FRAME_MAX];
	__u32 len;
	__u32 l3;         /* offset of the IP header */
	__u32 l3_len;     /* IPv4 header or IPv6 header + extension headers */
	__u32 udp;        /* offset of the UDP header */
};

/* The request's fields, to check the echo. */
enum {
	REQ_SEQ = 0x01020304,
};
static const __u64 REQ_TS = 0x1122334455667788ull;

/* ---- bytes ------------------------------------------------------------ */

static __u32 put16(__u8 *f, __u32 off, __u16 v)
{
	f[off] = (__u8)(v >> 8);
	f[off + 1] = (__u8)v;
	return off + 2;
}

static __u16 get16(const __u8 *f, __u32 off)
{
	return (__u16)(f[off] << 8 | f[off + 1]);
}

static __u32 put(__u8 *f, __u32 off, const void *p, __u32 n)
{
	memcpy(f + off, p, n);
	return off + n;
}

/* One's-complement sum of big-endian 16-bit words (odd tail zero-padded),
 * not folded. */
static __u32 sum16(__u32 s, const __u8 *p, __u32 n)
{
	__u32 i;

	for (i = 0; i + 1 < n; i += 2)
		s += (__u32)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (__u32)p[n - 1] << 8;
	return s;
}

static __u16 fold(__u32 s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (__u16)s;
}

/* The UDP pseudo-header sum of the frame's addresses and UDP length. */
static __u32 pseudo_sum(const struct frame *fr, bool ipv6, __u16 ulen)
{
	const __u8 *ip = fr->b + fr->l3;
	__u32 s = PROTO_UDP + ulen;

	if (ipv6)
		return sum16(s, ip + 8, 32);
	return sum16(s, ip + 12, 8);
}

/* ---- frames ----------------------------------------------------------- */

static void build(const struct row *r, __u64 token, struct frame *fr)
{
	__u8 *f = fr->b, dgram[XG_MAX_MSG_SIZE];
	__u32 off, dlen, ulen;
	__u8 msg = r->msg ? r->msg : XG_MSG_HEARTBEAT;

	memset(fr, 0, sizeof(*fr));
	switch (msg) {
	case XG_MSG_MOVE:
		dlen = xg_msg_move(dgram, REQ_SEQ, r->player, token, REQ_TS,
				   1.5f, -2.5f, 3.0f);
		break;
	case XG_MSG_ATTACK:
		dlen = xg_msg_attack(dgram, REQ_SEQ, r->player, token, REQ_TS,
				     7, 1);
		break;
	default:
		dlen = xg_msg_heartbeat(dgram, REQ_SEQ, r->player, token,
					REQ_TS);
	}
	ulen = UDP_HLEN + dlen;

	off = put(f, 0, mac_srv, 6); /* destination: the server */
	off = put(f, off, mac_cli, 6);
	if (r->vlan) {
		off = put16(f, off, XG_ETH_P_8021Q);
		off = put16(f, off, 100); /* TCI: VLAN id 100 */
	}
	off = put16(f, off, r->ipv6 ? XG_ETH_P_IPV6 : XG_ETH_P_IP);
	fr->l3 = off;
	if (!r->ipv6) {
		fr->l3_len = IP4_HLEN + r->ip4_opt;
		f[off] = (__u8)(0x40 | fr->l3_len / 4);
		put16(f, off + 2, (__u16)(fr->l3_len + ulen)); /* total length */
		put16(f, off + 4, 0x1234);                     /* id */
		put16(f, off + 6, 0x4000);                     /* DF */
		f[off + 8] = REQ_TTL;
		f[off + 9] = PROTO_UDP;
		put(f, off + 12, ip4_cli, 4);
		put(f, off + 16, ip4_srv, 4);
		memset(f + off + IP4_HLEN, 1, r->ip4_opt); /* NOP options */
		put16(f, off + 10, (__u16)~fold(sum16(0, f + off, fr->l3_len)));
	} else {
		__u32 ext = r->hop_by_hop ? 8 : 0;

		fr->l3_len = IP6_HLEN + ext;
		f[off] = 0x60;
		put16(f, off + 4, (__u16)(ext + ulen)); /* payload length */
		f[off + 6] = r->hop_by_hop ? NH_HOP : PROTO_UDP;
		f[off + 7] = REQ_TTL;
		put(f, off + 8, ip6_cli, 16);
		put(f, off + 24, ip6_srv, 16);
		if (ext) { /* next header UDP, length 0 (8 bytes), PadN 4 */
			f[off + IP6_HLEN] = PROTO_UDP;
			f[off + IP6_HLEN + 2] = 1;
			f[off + IP6_HLEN + 3] = 4;
		}
	}
	off = fr->udp = fr->l3 + fr->l3_len;
	off = put16(f, off, CLIENT_PORT);
	off = put16(f, off, GAME_PORT);
	off = put16(f, off, (__u16)ulen);
	off = put16(f, off, 0); /* checksum, below */
	off = put(f, off, dgram, dlen);
	if (r->ipv6 || r->udp_csum) {
		__u16 c = (__u16)~fold(pseudo_sum(fr, r->ipv6, (__u16)ulen) +
				       sum16(0, f + fr->udp, ulen));

		put16(f, fr->udp + 6, c ? c : 0xffff);
	}
	fr->len = off;
	if (r->pad_to > fr->len)
		fr->len = r->pad_to; /* zeros already */
}

/* ---- the program -------------------------------------------------------- */

/* The server's MAC and addresses are its own; sessions live 10 s. */
static struct xdpgame *load_prog(__u32 kernel_replies)
{
	struct xg_xdp_config cfg = { .kernel_replies = kernel_replies,
				     .redirect = 1,
				     .session_timeout_ms = XG_SESSION_TIMEOUT_MS };
	struct xdpgame *skel;

	memcpy(cfg.mac, mac_srv, 6);
	skel = xg_test_prog(0, cfg);
	xg_test_addr(skel, ip4_srv, 4);
	xg_test_addr(skel, ip6_srv, 16);
	return skel;
}

/* ---- the session, user space's and the program's ------------------------ */

/* The sink `xdpgame attach` gives the sessions: the program's map. */
static void sink_publish(void *arg, uint32_t player,
			 const struct xg_session_entry *e)
{
	struct xdpgame *skel = arg;
	struct xg_session_entry none = {};

	cr_assert_eq(bpf_map_update_elem(bpf_map__fd(skel->maps.sessions),
					 &player, e ? e : &none, BPF_ANY),
		     0);
}

/* A world and sessions for one row, the row's player's session open from
 * the row's client (mirrored into the program's map) unless 'open' is
 * false. */
struct side {
	struct xg_world *world;
	struct xg_sessions *sessions;
	uint64_t token;
	uint64_t now;
};

static struct xg_peer row_peer(const struct row *r)
{
	struct xg_peer p;
	__u32 a4;

	memset(&p, 0, sizeof(p));
	if (r->ipv6) {
		memcpy(p.addr.a, ip6_cli, 16);
		memcpy(p.local.a, ip6_srv, 16);
	} else {
		memcpy(&a4, ip4_cli, 4);
		xg_addr_from_v4(&p.addr, a4);
		memcpy(&a4, ip4_srv, 4);
		xg_addr_from_v4(&p.local, a4);
	}
	p.port = htons(CLIENT_PORT);
	p.local_port = htons(GAME_PORT);
	return p;
}

static void side_open(struct side *sd, struct xdpgame *skel,
		      const struct row *r, bool open)
{
	struct xg_peer p = row_peer(r);

	sd->world = xg_world_create(XG_MAX_PLAYERS);
	cr_assert_not_null(sd->world);
	sd->sessions = xg_sessions_create(sd->world, NULL);
	cr_assert_not_null(sd->sessions);
	sd->sessions->sink = (struct xg_session_sink){ .publish = sink_publish,
						       .arg = skel };
	sd->sessions->kernel_checks = true;
	sd->now = xg_test_mono_ns();
	sd->token = 0;
	if (open)
		cr_assert_eq(xg_session_open(sd->sessions, r->player, &p,
					     sd->now, &sd->token),
			     XG_ST_OK, "%s: no session", r->desc);
}

/* End the row's session (the map entry too) and free the side. */
static void side_close(struct side *sd, const struct row *r)
{
	if (sd->token)
		xg_session_close(sd->sessions, r->player);
	xg_sessions_destroy(sd->sessions);
	xg_world_destroy(sd->world);
}

/* Run a frame: the verdict, the output in out (*out_len bytes), and the one counter
 * that moved by exactly this frame (-1: none, several, or by another amount).
 */
static int run_frame(struct xdpgame *skel, const struct frame *fr, __u8 *out,
		     __u32 *out_len, int *counter)
{
	struct xg_xdp_count before[XG_CNT_MAX], after[XG_CNT_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = fr->b,
		    .data_size_in = fr->len, .data_out = out,
		    .data_size_out = FRAME_MAX, .repeat = 1);
	int err;

	xg_test_counters(skel, before);
	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xdpgame_rx),
				     &t);
	cr_assert_eq(err, 0, "test_run: %s", strerror(-err));
	xg_test_counters(skel, after);
	*out_len = t.data_size_out;
	*counter = -1;
	for (int k = 0; k < XG_CNT_MAX; k++) {
		__u64 dp = after[k].packets - before[k].packets;
		__u64 db = after[k].bytes - before[k].bytes;

		if (!dp && !db)
			continue;
		if (*counter != -1 || dp != 1 || db != fr->len) {
			*counter = -1;
			break;
		}
		*counter = k;
	}
	return (int)t.retval;
}

/* "aa bb cc ...", for failure messages; out holds 3 * len + 1. */
static const char *hex(const __u8 *p, __u32 len, char *out)
{
	for (__u32 i = 0; i < len; i++)
		snprintf(out + 3 * i, 4, " %02x", p[i]);
	out[3 * len] = '\0';
	return out;
}

static const char *cname(int k)
{
	const char *n = xg_xdp_counter_name(k);

	return n ? n : "(none or several)";
}

/* ---- user space --------------------------------------------------------- */

/* The AF_XDP worker's way with the frame (engine/frames.c xg_serve_frame), in a
 * copy: the reply's length, the reply in out. */
static __u32 user_reply(const struct frame *fr, const struct side *sd,
			__u8 *out)
{
	struct xg_stats stats;
	struct xg_handler_ctx ctx;
	struct xg_peer peer;
	struct xg_frame f;
	void *end = out + fr->len;
	int r;

	xg_stats_init(&stats);
	memcpy(out, fr->b, fr->len);
	cr_assert_eq(xg_frame_walk(out, end, XG_XDP_IPV6_EXT_DEFAULT, &f),
		     XG_FRAME_UDP);
	cr_assert_eq(xg_frame_check(&f, end), 0);
	xg_frame_peer(&f, &peer);
	ctx = (struct xg_handler_ctx){ .world = sd->world,
				       .sessions = sd->sessions,
				       .stats = &stats, .events = NULL,
				       .now = sd->now + 1000, .peer = &peer };
	r = xg_handle(&ctx, f.payload, f.len, f.payload, f.len);
	cr_assert_eq(r, XG_ACK_SIZE, "xg_handle: %d (denied %lu)", r,
		     (unsigned long)xg_stats_denied_total(&stats));
	cr_expect_eq(stats.handled[XG_MSG_HEARTBEAT], 1);
	return xg_frame_reply(&f, out, (__u32)r);
}

/* ---- the reply on its own ----------------------------------------------- */

static void check_reply(const char *who, const struct row *r,
			const struct frame *req, __u64 token, const __u8 *rep,
			__u32 len)
{
	const __u8 *ip = rep + req->l3, *rq_ip = req->b + req->l3;
	const __u8 *udp = rep + req->udp, *ack = udp + UDP_HLEN;
	const __u32 ulen = UDP_HLEN + XG_ACK_SIZE;
	struct frame fr = *req; /* for pseudo_sum: the reply's offsets */
	struct xg_hdr h;
	__u64 ts;

	cr_assert_eq(len, req->udp + ulen, "%s, %s: reply length %u, want %u",
		     who, r->desc, len, req->udp + ulen);
	memcpy(fr.b, rep, len);

	/* Ethernet and the VLAN tag */
	cr_expect_arr_eq(rep, mac_cli, 6, "%s, %s: destination MAC", who, r->desc);
	cr_expect_arr_eq(rep + 6, mac_srv, 6, "%s, %s: source MAC", who, r->desc);
	cr_expect_arr_eq(rep + 12, req->b + 12, req->l3 - 12,
			 "%s, %s: EtherType and VLAN tag kept", who, r->desc);

	if (!r->ipv6) {
		cr_expect_eq(ip[0], rq_ip[0], "%s, %s: version and IHL", who, r->desc);
		cr_expect_eq(get16(ip, 2), req->l3_len + ulen,
			     "%s, %s: IPv4 total length %u", who, r->desc, get16(ip, 2));
		cr_expect_arr_eq(ip + 4, rq_ip + 4, 4, "%s, %s: id, DF kept",
				 who, r->desc);
		cr_expect_eq(ip[8], XG_REPLY_TTL, "%s, %s: TTL %u", who, r->desc, ip[8]);
		cr_expect_eq(ip[9], PROTO_UDP);
		cr_expect_arr_eq(ip + 12, ip4_srv, 4, "%s, %s: source IP", who, r->desc);
		cr_expect_arr_eq(ip + 16, ip4_cli, 4, "%s, %s: dest IP", who, r->desc);
		cr_expect_arr_eq(ip + IP4_HLEN, rq_ip + IP4_HLEN, r->ip4_opt,
				 "%s, %s: options kept", who, r->desc);
		cr_expect_eq(fold(sum16(0, ip, req->l3_len)), 0xffff,
			     "%s, %s: IPv4 header checksum %04x wrong", who, r->desc,
			     get16(ip, 10));
	} else {
		cr_expect_arr_eq(ip, rq_ip, 4, "%s, %s: version, class, flow",
				 who, r->desc);
		cr_expect_eq(get16(ip, 4), req->l3_len - IP6_HLEN + ulen,
			     "%s, %s: IPv6 payload length %u", who, r->desc,
			     get16(ip, 4));
		cr_expect_eq(ip[6], rq_ip[6], "%s, %s: next header kept", who, r->desc);
		cr_expect_eq(ip[7], XG_REPLY_TTL, "%s, %s: hop limit %u", who, r->desc,
			     ip[7]);
		cr_expect_arr_eq(ip + 8, ip6_srv, 16, "%s, %s: source IP", who, r->desc);
		cr_expect_arr_eq(ip + 24, ip6_cli, 16, "%s, %s: dest IP", who, r->desc);
		cr_expect_arr_eq(ip + IP6_HLEN, rq_ip + IP6_HLEN,
				 req->l3_len - IP6_HLEN,
				 "%s, %s: extension headers kept", who, r->desc);
	}

	cr_expect_eq(get16(udp, 0), GAME_PORT, "%s, %s: source port", who, r->desc);
	cr_expect_eq(get16(udp, 2), CLIENT_PORT, "%s, %s: dest port", who, r->desc);
	cr_expect_eq(get16(udp, 4), ulen, "%s, %s: UDP length %u", who, r->desc,
		     get16(udp, 4));
	if (!r->ipv6 && !r->udp_csum) {
		cr_expect_eq(get16(udp, 6), 0,
			     "%s, %s: no UDP checksum asked, %04x sent", who, r->desc,
			     get16(udp, 6));
	} else {
		cr_expect_neq(get16(udp, 6), 0, "%s, %s: UDP checksum missing",
			      who, r->desc);
		cr_expect_eq(fold(pseudo_sum(&fr, r->ipv6, ulen) +
				  sum16(0, udp, ulen)),
			     0xffff, "%s, %s: UDP checksum %04x wrong", who, r->desc,
			     get16(udp, 6));
	}

	memcpy(&h, ack, sizeof(h));
	memcpy(&ts, ack + sizeof(h), sizeof(ts));
	cr_expect_eq(xg_le16(h.magic), XG_MAGIC, "%s, %s: magic", who, r->desc);
	cr_expect_eq(h.version, XG_VERSION, "%s, %s: version", who, r->desc);
	cr_expect_eq(h.type, XG_MSG_ACK | XG_MSG_HEARTBEAT, "%s, %s: type %#x",
		     who, r->desc, h.type);
	cr_expect_eq(h.type, 0x83); /* the wire value, as documented */
	cr_expect_eq(xg_le16(h.size), XG_ACK_SIZE, "%s, %s: size %u", who, r->desc,
		     xg_le16(h.size));
	cr_expect_eq(h.status, r->status, "%s, %s: status %u, want %u", who, r->desc,
		     h.status, r->status);
	cr_expect_eq(h.reserved, 0, "%s, %s: reserved", who, r->desc);
	cr_expect_eq(xg_le32(h.seq), REQ_SEQ, "%s, %s: seq", who, r->desc);
	cr_expect_eq(xg_le32(h.player), r->player, "%s, %s: player", who, r->desc);
	cr_expect_eq(xg_le64(h.token), token, "%s, %s: token", who, r->desc);
	cr_expect_eq(xg_le64(ts), REQ_TS, "%s, %s: client_ts", who, r->desc);
}

/* ---- tables ------------------------------------------------------------ */

#define OK .status = XG_ST_OK

/* clang-format off */
static const struct row heartbeats[] = {
	{ "IPv4, UDP checksum", .udp_csum = true, .player = 42, OK },
	{ "IPv4, no UDP checksum", .player = 42, OK },
	{ "IPv4 in 802.1Q, UDP checksum", .vlan = true, .udp_csum = true,
	  .player = 65535, OK },
	{ "IPv4 in 802.1Q, no UDP checksum", .vlan = true, .player = 0, OK },
	{ "IPv6", .ipv6 = true, .player = 42, OK },
	{ "IPv6 in 802.1Q", .ipv6 = true, .vlan = true, .player = 300, OK },
};

/* IPv4 options and IPv6 extension headers: a reply would echo them (a
 * source route too), so the program leaves these to the kernel socket. */
static const struct row with_options[] = {
	{ "IPv4 with 8 bytes of options, UDP checksum", .udp_csum = true,
	  .ip4_opt = 8, .player = 7, OK },
	{ "IPv4 with 40 bytes of options (IHL 15), no UDP checksum",
	  .ip4_opt = 40, .player = 7, OK },
	{ "IPv6 with a hop-by-hop header", .ipv6 = true, .hop_by_hop = true,
	  .player = 42, OK },
};

/* Ethernet padding after the datagram: the program leaves these to user
 * space, which trims the reply to the datagram. */
static const struct row padded[] = {
	{ "IPv4, padded to 90 bytes", .udp_csum = true, .pad_to = 90,
	  .player = 1, OK },
	{ "IPv4 in 802.1Q, no UDP checksum, padded to 100 bytes",
	  .vlan = true, .pad_to = 100, .player = 2, OK },
	{ "IPv6, padded to 120 bytes", .ipv6 = true, .pad_to = 120,
	  .player = 300, OK },
};

/* Players that have no session, and could have none (beyond the world). */
static const struct row sessionless[] = {
	{ "IPv4, player 42 without a session", .udp_csum = true,
	  .player = 42 },
	{ "IPv6, player 7 without a session", .ipv6 = true, .player = 7 },
	{ "IPv4, player 65536", .udp_csum = true, .player = 65536 },
	{ "IPv6, player 0xffffffff", .ipv6 = true, .player = 0xffffffff },
	{ "IPv4 in 802.1Q, player 1000000", .vlan = true, .player = 1000000 },
};
/* clang-format on */

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- tests ------------------------------------------------------------ */

TestSuite(kernel_reply);

Test(kernel_reply, heartbeat_reply_is_the_user_space_reply)
{
	struct xdpgame *skel = load_prog(1);

	for (size_t i = 0; i < N(heartbeats); i++) {
		const struct row *r = &heartbeats[i];
		__u8 kern[FRAME_MAX], user[FRAME_MAX];
		__u32 klen, ulen;
		struct frame fr;
		struct side sd;
		int v, k;

		side_open(&sd, skel, r, true);
		build(r, sd.token, &fr);
		v = run_frame(skel, &fr, kern, &klen, &k);
		cr_expect_eq(v, XDP_TX, "%s: verdict %d, want XDP_TX", r->desc,
			     v);
		cr_expect_eq(k, XG_CNT_XDP_TX, "%s: counter %s, want xdp_tx",
			     r->desc, cname(k));
		if (v != XDP_TX) {
			side_close(&sd, r);
			continue;
		}
		ulen = user_reply(&fr, &sd, user);
		side_close(&sd, r);
		cr_expect_eq(klen, ulen, "%s: kernel reply %u bytes, user %u",
			     r->desc, klen, ulen);
		if (klen == ulen && memcmp(kern, user, klen)) {
			char hk[3 * FRAME_MAX + 1], hu[3 * FRAME_MAX + 1];

			cr_expect_arr_eq(kern, user, klen,
					 "%s: kernel and user replies differ\n"
					 "kernel:%s\nuser:  %s",
					 r->desc, hex(kern, klen, hk),
					 hex(user, ulen, hu));
		}
		check_reply("kernel", r, &fr, sd.token, kern, klen);
		check_reply("user", r, &fr, sd.token, user, ulen);
	}
	xdpgame__destroy(skel);
}

/* Each row's frame passes untouched to the kernel socket (XDP_PASS,
 * counted in 'counter'): not answered in the kernel. */
static void expect_passed(struct xdpgame *skel, const struct row *rows,
			  size_t n, int counter)
{
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		__u8 out[FRAME_MAX];
		struct frame fr;
		struct side sd;
		__u32 olen;
		int v, k;

		side_open(&sd, skel, r, true);
		build(r, sd.token, &fr);
		v = run_frame(skel, &fr, out, &olen, &k);
		side_close(&sd, r);
		cr_expect_eq(v, XDP_PASS, "%s: verdict %d, want XDP_PASS",
			     r->desc, v);
		cr_expect_eq(k, counter, "%s: counter %s", r->desc, cname(k));
		cr_expect(olen == fr.len && !memcmp(out, fr.b, fr.len),
			  "%s: the frame was changed", r->desc);
	}
}

/* ... as a valid game frame, with no XSK under test_run (fallthrough). */
static void expect_untouched(struct xdpgame *skel, const struct row *rows,
			     size_t n)
{
	expect_passed(skel, rows, n, XG_CNT_FALLTHROUGH);
}

/* IPv4 options and IPv6 extension headers are never answered here, nor
 * sent to the AF_XDP socket: the kernel socket answers them without. */
Test(kernel_reply, options_are_left_to_the_kernel)
{
	struct xdpgame *skel = load_prog(1);

	expect_passed(skel, with_options, N(with_options),
		      XG_CNT_PASS_IP_OPTIONS);
	xdpgame__destroy(skel);
}

/* kernel_replies = 0: a HEARTBEAT goes the way of any game packet (no XSK
 * under test_run: XDP_PASS, fallthrough), untouched. */
Test(kernel_reply, off_means_no_xdp_tx)
{
	struct xdpgame *skel = load_prog(0);

	expect_untouched(skel, heartbeats, N(heartbeats));
	xdpgame__destroy(skel);
}

/* Only HEARTBEAT is answered in the kernel: MOVE and ATTACK, valid, pass
 * untouched with kernel_replies = 1. */
Test(kernel_reply, only_heartbeats_are_answered)
{
	static const struct row rows[] = {
		{ "MOVE over IPv4", .msg = XG_MSG_MOVE, .udp_csum = true,
		  .player = 42 },
		{ "MOVE over IPv6 in 802.1Q", .msg = XG_MSG_MOVE, .ipv6 = true,
		  .vlan = true, .player = 42 },
		{ "ATTACK over IPv4", .msg = XG_MSG_ATTACK, .player = 42 },
		{ "ATTACK over IPv6", .msg = XG_MSG_ATTACK, .ipv6 = true,
		  .player = 42 },
	};
	struct xdpgame *skel = load_prog(1);

	expect_untouched(skel, rows, N(rows));
	xdpgame__destroy(skel);
}

/* A malformed HEARTBEAT is dropped for its reason, never answered, with
 * kernel replies on; the frame builder's requests are well formed (the
 * UDP checksum of each is right, checked here once, so that the replies'
 * checks above start from good requests). */
Test(kernel_reply, malformed_heartbeat_is_dropped_not_answered)
{
	struct row r = { "heartbeat, bad magic", .udp_csum = true,
			 .player = 42 };
	struct xdpgame *skel = load_prog(1);
	__u8 out[FRAME_MAX];
	struct frame fr;
	struct side sd;
	__u32 olen;
	int v, k;

	side_open(&sd, skel, &r, true);
	build(&r, sd.token, &fr);
	cr_assert_eq(fold(pseudo_sum(&fr, false, UDP_HLEN + XG_HEARTBEAT_SIZE) +
			  sum16(0, fr.b + fr.udp, UDP_HLEN + XG_HEARTBEAT_SIZE)),
		     0xffff, "the builder's UDP checksum is wrong");
	cr_assert_eq(fold(sum16(0, fr.b + fr.l3, fr.l3_len)), 0xffff,
		     "the builder's IPv4 checksum is wrong");
	fr.b[fr.udp + UDP_HLEN] ^= 0xff; /* magic; the checksum is stale now,
					  * which XDP does not look at */
	v = run_frame(skel, &fr, out, &olen, &k);
	cr_expect_eq(v, XDP_DROP, "verdict %d", v);
	cr_expect_eq(k, XG_CNT_DROP_BAD_MAGIC, "counter %s", cname(k));
	side_close(&sd, &r);
	xdpgame__destroy(skel);
}

/* A padded HEARTBEAT, kernel replies on: passed untouched to user space,
 * whose reply is the datagram's alone (the padding trimmed), with the same
 * checks as the kernel's replies. */
Test(kernel_reply, padded_heartbeat_is_answered_in_user_space)
{
	struct xdpgame *skel = load_prog(1);

	expect_untouched(skel, padded, N(padded));
	for (size_t i = 0; i < N(padded); i++) {
		const struct row *r = &padded[i];
		__u8 user[FRAME_MAX];
		struct frame fr;
		struct side sd;
		__u32 ulen;

		side_open(&sd, skel, r, true);
		build(r, sd.token, &fr);
		ulen = user_reply(&fr, &sd, user);
		check_reply("user", r, &fr, sd.token, user, ulen);
		side_close(&sd, r);
	}
	xdpgame__destroy(skel);
}

/* A HEARTBEAT without its session is dropped in the kernel and not
 * answered, with kernel replies on; user space, given the same frame,
 * refuses it too. A session that has ended (LEAVE: the sink zeroes its
 * entry) is refused the same way. */
Test(kernel_reply, no_session_no_reply)
{
	struct xdpgame *skel = load_prog(1);

	for (size_t i = 0; i < N(sessionless); i++) {
		const struct row *r = &sessionless[i];
		__u8 out[FRAME_MAX];
		struct frame fr;
		struct side sd;
		__u32 olen;
		int v, k;

		side_open(&sd, skel, r, false);
		build(r, 0x1234, &fr);
		v = run_frame(skel, &fr, out, &olen, &k);
		cr_expect_eq(v, XDP_DROP, "%s: verdict %d", r->desc, v);
		cr_expect_eq(k, XG_CNT_DENY_NO_SESSION, "%s: counter %s",
			     r->desc, cname(k));
		side_close(&sd, r);
	}
	{
		const struct row *r = &heartbeats[0];
		__u8 out[FRAME_MAX];
		struct frame fr;
		struct side sd;
		__u32 olen;
		int v, k;

		side_open(&sd, skel, r, true);
		build(r, sd.token, &fr);
		xg_session_close(sd.sessions, r->player);
		v = run_frame(skel, &fr, out, &olen, &k);
		cr_expect_eq(v, XDP_DROP, "after LEAVE: verdict %d", v);
		cr_expect_eq(k, XG_CNT_DENY_NO_SESSION, "after LEAVE: %s",
			     cname(k));
		sd.token = 0;
		side_close(&sd, r);
	}
	xdpgame__destroy(skel);
}
