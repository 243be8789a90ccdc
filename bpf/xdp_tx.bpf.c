// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * The two halves of `xdpgame load --blast` (user/load/blast.c).
 *
 * xdp_tx, the transmit half. User space never attaches it; it runs it with
 * BPF_PROG_RUN and BPF_F_TEST_XDP_LIVE_FRAMES (Linux 5.18+), where the
 * kernel turns XDP_TX into a real transmit out of the ctx's ingress
 * interface, once per repetition. The frame (Ethernet/IPv4/UDP/game
 * request) is built and checksummed in user space, which also puts it in
 * `frame`: the kernel recycles a run's pages without copying the data in
 * again, and a receiver on a veth peer that answers in place (XDP_TX)
 * hands back pages holding its reply, so every repetition that is sent
 * is first written whole from `frame`. Then, one of:
 *  - fresh_players set (the measuring blast): the repetition becomes the
 *    next request of the run: sequence number first_seq + k, player
 *    first_player + k mod fresh_players and that player's session token
 *    (`tokens`), where k counts the frames sent (`sent`); the UDP checksum
 *    is left out (0, allowed on IPv4). Each player's sequence numbers only
 *    grow, so the server's replay window lets every one in. With
 *    interval_ns set, the program paces itself: a repetition before the
 *    next send time is dropped (not sent), so the frames leave evenly
 *    spaced at 1e9 / interval_ns a second; behind by a few frames it
 *    catches up, after a longer pause (between two BPF_PROG_RUN calls)
 *    it starts again instead of sending a burst. Nothing is sent
 *    once `limit` frames were, or from stop_ns (CLOCK_MONOTONIC) on.
 *    User space sets interval_ns, limit and stop_ns for each step of a
 *    run; `sent` goes on counting over the steps;
 *  - forge_sources set (the flood that tests a server's defences), each
 *    repetition leaves from another source: IPv4 address forge_base + k
 *    mod N and a port from k; the IPv4 header checksum is computed again
 *    and the UDP checksum left out;
 *  - neither (not used by blast.c): the frame as user space built it.
 *
 * xdp_acks, the receive half, attached to the same interface for the run
 * (a bpf_link: gone with the process): a UDP datagram to ack_port (network
 * order) that is the ack of a game request of the run (sequence number
 * first_seq .. first_seq + ack_range - 1, not a handshake's) is counted in
 * `acks` by its status (OK or not) and dropped; everything else is passed
 * to the kernel, where the run's socket gets the handshake's replies. So
 * acks are counted at the rate they arrive, however high, which a socket
 * cannot do.
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include <xdpgame/parsing.h>
#include <xdpgame/proto.h>

/* frames a paced run may send back to back to catch up: far below a
 * veth's 256-frame ring */
#define PACE_SLACK 32

const volatile __u32 forge_sources = 0; /* 0: no forging */
const volatile __u32 forge_base = 0;    /* first forged address, host order */
const volatile __u32 fresh_players = 0; /* players: 0 in the flood */
const volatile __u32 first_player = 0;
const volatile __u32 first_seq = 0;
const volatile __u16 ack_port = 0;      /* the run's socket, network order */
const volatile __u32 ack_range = 0;

/* the transmit half's state: one caller (blast.c's thread), so no races */
__u64 sent = 0;        /* frames sent (fresh mode) */
__u64 limit = 0;       /* send no more than this many in all */
__u64 next_ns = 0;     /* paced: the next send time */
__u64 stop_ns = 0;     /* 0: no stop time */
__u64 interval_ns = 0; /* 0: as fast as the kernel sends */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} forge_count SEC(".maps");

/* the frame every repetition starts from (blast.c keeps it the same as
 * the call's data_in) */
#define FRAME_MAX 256
struct frame {
	__u32 len;
	__u8 data[FRAME_MAX];
};
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct frame);
} frame SEC(".maps");

/* the players' session tokens, player first_player + i at i; sized by
 * user space before load */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} tokens SEC(".maps");

enum { ACKS_OK, ACKS_NOT_OK, ACKS_N };
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ACKS_N);
	__type(key, __u32);
	__type(value, __u64);
} acks SEC(".maps");

/* Ethernet, a 20-byte IPv4 header, UDP: where blast.c puts the request */
#define HDR_OFF (sizeof(struct ethhdr) + sizeof(struct iphdr) + \
		 sizeof(struct udphdr))
_Static_assert(__builtin_offsetof(struct xg_hdr, token) ==
		       __builtin_offsetof(struct xg_hdr, seq) + 8,
	       "seq, player and token are one 16-byte run");

/* The repetition written whole from `frame`. 0, or -1 if it cannot be. */
static __always_inline int restore(struct xdp_md *ctx)
{
	__u32 key = 0, n;
	struct frame *t = bpf_map_lookup_elem(&frame, &key);

	if (!t)
		return -1;
	n = t->len & (FRAME_MAX - 1); /* a bound the verifier can see */
	if (n != t->len || n != ctx->data_end - ctx->data)
		return -1;
	if (n < HDR_OFF + sizeof(struct xg_hdr))
		return -1;
	return bpf_xdp_store_bytes(ctx, 0, t->data, n) ? -1 : 0;
}

static __always_inline int forge(struct xdp_md *ctx)
{
	void *data_end, *data;
	struct iphdr *ip;
	struct udphdr *udp;
	__u32 key = 0;
	__u64 *n, k;

	n = bpf_map_lookup_elem(&forge_count, &key);
	if (!n || restore(ctx))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	ip = data + sizeof(struct ethhdr);
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > data_end)
		return XDP_DROP;
	k = (*n)++;
	ip->saddr = bpf_htonl(forge_base + (__u32)(k % forge_sources));
	udp->source = bpf_htons((__u16)(1024 + (k / forge_sources) % 60000));
	udp->check = 0;
	ip->check = 0;
	ip->check = xg_csum_fold(xg_csum_add(0, (const __u16 *)ip,
					     sizeof(*ip) / 2));
	return XDP_TX;
}

/* The next request of the run (see above): its header's sequence number,
 * player and token, at their place in the frame. */
static __always_inline int fresh(struct xdp_md *ctx)
{
	struct {
		__u32 seq, player;
		__u64 token;
	} f;
	__u32 i;
	__u64 now, *tok, k;

	if (interval_ns) {
		now = bpf_ktime_get_ns();
		if ((stop_ns && now >= stop_ns) || now < next_ns)
			return XDP_DROP;
		/* behind by up to PACE_SLACK frames (the program was
		 * preempted, or the batch's transmit took long): catch up;
		 * by more, a pause (between two calls): start again */
		next_ns = next_ns + PACE_SLACK * interval_ns < now ?
				  now + interval_ns :
				  next_ns + interval_ns;
	}
	if (sent >= limit)
		return XDP_DROP;
	k = sent;
	i = (__u32)(k % fresh_players);
	tok = bpf_map_lookup_elem(&tokens, &i);
	if (!tok || restore(ctx))
		return XDP_DROP;
	f.seq = xg_le32(first_seq + (__u32)k);
	f.player = xg_le32(first_player + i);
	f.token = xg_le64(*tok);
	if (bpf_xdp_store_bytes(ctx, HDR_OFF + __builtin_offsetof(struct xg_hdr, seq),
				&f, sizeof(f)))
		return XDP_DROP;
	sent = k + 1;
	return XDP_TX;
}

SEC("xdp")
int xdp_tx(struct xdp_md *ctx)
{
	if (fresh_players)
		return fresh(ctx);
	if (forge_sources)
		return forge(ctx);
	return restore(ctx) ? XDP_DROP : XDP_TX;
}

SEC("xdp")
int xdp_acks(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct xg_frame f;
	struct xg_hdr *h;
	__u32 key, req;
	__u64 *n;

	/* the walk the server's program uses (include/xdpgame/parsing.h) */
	if (xg_frame_walk(data, data_end, 0, &f) != XG_FRAME_UDP)
		return XDP_PASS;
	h = f.payload;
	if ((void *)(h + 1) > data_end || f.udph->dest != ack_port ||
	    xg_le16(h->magic) != XG_MAGIC || !(h->type & XG_MSG_ACK))
		return XDP_PASS;
	req = h->type & ~XG_MSG_ACK;
	if (req != XG_MSG_MOVE && req != XG_MSG_ATTACK &&
	    req != XG_MSG_HEARTBEAT)
		return XDP_PASS; /* the handshake's, and LEAVE's */
	if ((__u32)(xg_le32(h->seq) - first_seq) >= ack_range)
		return XDP_PASS; /* not the run's: the socket sees it */
	key = h->status == XG_ST_OK ? ACKS_OK : ACKS_NOT_OK;
	n = bpf_map_lookup_elem(&acks, &key);
	if (n)
		*n += 1;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
