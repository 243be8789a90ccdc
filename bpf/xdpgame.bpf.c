// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * xdpgame's XDP program: steer the game's UDP traffic to one AF_XDP socket
 * per RX queue, drop malformed game datagrams early, leave the rest alone.
 *
 *   step                               otherwise              counter
 *   Ethernet, at most 2 VLAN tags      PASS                   pass_vlan
 *   IPv4 (+options) or IPv6 (+ext)     PASS                   pass_not_game
 *     not a fragment                   PASS                   pass_fragment
 *     IPv6 ext chain walkable          PASS                   pass_ipv6_ext
 *   UDP to a port in `ports`           PASS                   pass_not_game
 *   to our MAC and one of our IPs,     PASS                   pass_not_local
 *     not broadcast or multicast
 *   what the kernel's UDP receive path would accept (xg_frame_check()):
 *     no IPv4 options, no IPv6 ext     PASS (kernel answers)  pass_ip_options
 *     IP version, IPv4 header          DROP                   drop_ip_header
 *       checksum, TTL above 0
 *     IP length within the frame       DROP                   drop_ip_len
 *     UDP length within the IP packet  DROP                   drop_udp_len
 *     a source address a host can      DROP                   drop_bad_source
 *       send from
 *   xg_validate() says XG_OK           DROP                   drop_<reason>
 *   UDP checksum right (IPv6: there)   DROP                   drop_udp_checksum
 *   JOIN/ANSWER: source's budget       DROP                   deny_handshake_rate
 *   game request: live session, its    DROP                   deny_<reason>
 *     token, address and port, budget
 *   route check on (config.route_check): the kernel's route for the reply
 *     leaves by this interface         PASS (kernel answers)  pass_route
 *     to a neighbour already known     PASS (kernel resolves) pass_no_neigh
 *   HEARTBEAT, kernel replies on       TX                     xdp_tx
 *   config.redirect, XSK at the queue  PASS (kernel socket)   fallthrough
 *   → REDIRECT                                                redirect
 *
 * Every exit goes through xg_verdict(), so every frame is counted once.
 *
 * Minimum kernel: 5.5 for this object as libbpf 1.1 loads it (it creates
 * the .rodata map BPF_F_MMAPABLE, 5.5); the program itself needs 5.3
 * (bpf_redirect_map() taking its fallback action in the flags; XSKMAP is
 * 4.18, rx_queue_index 4.16). The loader adds 5.9 (it attaches through a
 * bpf_link, so the program leaves with the server however it dies, and
 * never replaces somebody else's). Loops are unrolled by the
 * compiler, not left to the verifier's bounded-loop support (5.3). 5.10,
 * the oldest LTS with all of it, is the supported floor. Loading needs
 * CAP_BPF + CAP_NET_ADMIN + CAP_PERFMON (or root): the frame length is
 * data_end - data, a pointer subtraction the verifier allows only then.
 */
/* vmlinux.h has a `typedef struct config_s config;` (zstd) that would take
 * the name of the `config` map; rename it out of the way. */
#define config xg_vmlinux_zstd_config
#include "vmlinux.h"
#undef config
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include <xdpgame/proto.h>
#include <xdpgame/xdp.h>

#include "counters.h"
#include "maps.h"
#include <xdpgame/parsing.h>

/* Knobs set by the loader between open and load (skel->rodata). */
/* IPv6 extension headers walked before passing the frame; at most
 * XG_XDP_IPV6_EXT_LIMIT. */
const volatile __u32 xg_ipv6_ext_max = XG_XDP_IPV6_EXT_DEFAULT;

/* The frame's source or destination IP as a struct xg_addr. */
static __always_inline void frame_addr(const struct xg_frame *f, int dst,
				       struct xg_addr *a)
{
	__u32 *w = (__u32 *)a->a;

	if (f->iph) {
		w[0] = 0;
		w[1] = 0;
		w[2] = bpf_htonl(0xffff);
		w[3] = dst ? f->iph->daddr : f->iph->saddr;
	} else if (f->ip6h) {
		__builtin_memcpy(a->a, dst ? &f->ip6h->daddr : &f->ip6h->saddr,
				 16);
	}
}

/* Addressed to this host: our MAC (unless the loader left it zero), not
 * broadcast or multicast, and one of the interface's addresses. */
static __always_inline int is_local(const struct xg_frame *f,
				    const struct xg_xdp_config *cfg)
{
	const __u8 *d = f->eth->h_dest;
	struct xg_addr a;
	__u32 d4;

	if (cfg->mac[0] | cfg->mac[1] | cfg->mac[2] | cfg->mac[3] |
	    cfg->mac[4] | cfg->mac[5]) {
		if (d[0] != cfg->mac[0] || d[1] != cfg->mac[1] ||
		    d[2] != cfg->mac[2] || d[3] != cfg->mac[3] ||
		    d[4] != cfg->mac[4] || d[5] != cfg->mac[5])
			return 0;
	}
	if (d[0] & 1) /* group bit: broadcast or multicast MAC */
		return 0;
	if (f->iph) {
		d4 = bpf_ntohl(f->iph->daddr);
		if (d4 == 0xffffffff || (d4 >> 28) == 0xe)
			return 0;
	} else if (f->ip6h) {
		if (f->ip6h->daddr.in6_u.u6_addr8[0] == 0xff)
			return 0;
	}
	frame_addr(f, 1, &a);
	return bpf_map_lookup_elem(&addrs, &a) != NULL;
}

/* The time of a game request, for its session's timeout and budget: the
 * coarse clock (bpf_ktime_get_coarse_ns(), Linux 5.11; CLOCK_MONOTONIC as
 * of the last tick) where the kernel has it, a few times cheaper than
 * bpf_ktime_get_ns() (a clock source read, slow in a VM). Whether it has it
 * is asked of the kernel's BTF when the program loads (a CO-RE relocation:
 * the program already needs that BTF); on an older kernel the branch is
 * dead and the verifier never sees the helper. A bucket whose burst a
 * tick's refill could overflow takes the precise clock: the coarse one
 * moves in steps of 1/HZ, at most XG_XDP_COARSE_TICK_NS, and refilling a
 * step at once must not spill over the burst. */
static __always_inline __u64 request_time(const struct xg_xdp_config *cfg)
{
	__u64 burst = cfg->session_burst ? cfg->session_burst : 1;

	if (bpf_core_enum_value_exists(enum bpf_func_id,
				       BPF_FUNC_ktime_get_coarse_ns) &&
	    (__u64)cfg->session_rate * XG_XDP_COARSE_TICK_NS <=
		    burst * XG_BUCKET_COST)
		return bpf_ktime_get_coarse_ns();
	return bpf_ktime_get_ns();
}

/* JOIN and ANSWER: within their source address's budget, then within
 * the budget of all sources together. The clock is read only if there is
 * a budget. */
static __always_inline int handshake_allowed(const struct xg_frame *f,
					     const struct xg_xdp_config *cfg)
{
	struct xg_bucket *b, nb = {};
	struct xg_addr a;
	__u32 key = 0;
	__u64 now;
	int ok = 1;

	if (!cfg->hs_rate && !cfg->hs_total_rate)
		return 1;
	now = bpf_ktime_get_ns();
	if (cfg->hs_rate) {
		frame_addr(f, 0, &a);
		b = bpf_map_lookup_elem(&hs_limits, &a);
		if (b) {
			ok = xg_bucket_take(b, now, cfg->hs_rate, cfg->hs_burst);
		} else {
			ok = xg_bucket_take(&nb, now, cfg->hs_rate,
					    cfg->hs_burst);
			bpf_map_update_elem(&hs_limits, &a, &nb, BPF_ANY);
		}
	}
	if (!ok || !cfg->hs_total_rate)
		return ok;
	b = bpf_map_lookup_elem(&hs_total, &key);
	return b ? xg_bucket_take(b, now, cfg->hs_total_rate,
				  cfg->hs_total_burst) : 1;
}

/* A game request: its session by player id, then the same checks in the
 * same order as user space (game/session.c). XG_DENY_NONE lets it in. The
 * clock is read only for a timeout or a budget; last_seen is written only
 * with a timeout (its only reader: here, and user space's sweep with the
 * same timeout; a server always has one). */
static __always_inline int session_check(const struct xg_hdr *h,
					 const struct xg_frame *f,
					 const struct xg_xdp_config *cfg)
{
	__u32 player = xg_le32(h->player);
	struct xg_session_entry *e;
	struct xg_addr a;
	__u64 now = 0;
	__u32 *x, *y;

	e = bpf_map_lookup_elem(&sessions, &player);
	if (!e || !e->token)
		return XG_DENY_NO_SESSION;
	if (e->token != xg_le64(h->token))
		return XG_DENY_BAD_TOKEN;
	frame_addr(f, 0, &a);
	x = (__u32 *)a.a;
	y = (__u32 *)e->addr.a;
	if (x[0] != y[0] || x[1] != y[1] || x[2] != y[2] || x[3] != y[3] ||
	    f->udph->source != e->port)
		return XG_DENY_WRONG_SOURCE;
	if (!cfg->session_timeout_ms && !cfg->session_rate)
		return XG_DENY_NONE;
	now = request_time(cfg);
	/* last_seen may be a little ahead: written on another CPU, or by
	 * user space (the precise clock) */
	if (cfg->session_timeout_ms && now > e->last_seen &&
	    now - e->last_seen > (__u64)cfg->session_timeout_ms * 1000000)
		return XG_DENY_EXPIRED;
	if (!xg_bucket_take(&e->budget, now, cfg->session_rate,
			    cfg->session_burst))
		return XG_DENY_SESSION_RATE;
	if (cfg->session_timeout_ms && now > e->last_seen)
		e->last_seen = now;
	return XG_DENY_NONE;
}

/* Replies follow the kernel's route (config.route_check; Knot DNS's XDP
 * mode does the same): ask the FIB which way a reply from this host to
 * the client would leave, as the kernel's own output lookup would (from
 * loopback, rules included, so policy routing applies). Out of this very
 * interface to a neighbour already resolved: the request's Ethernet
 * addresses become the next hop (source) and the egress MAC (destination),
 * so that the address swap of xg_frame_reply(), here for XDP_TX or in the
 * AF_XDP worker, sends the reply to the next hop; the frame itself hands
 * the worker the MAC, on every driver (no metadata support needed). Any
 * other answer leaves the request to the kernel's socket: the reply leaves
 * by another interface, there is no route, forwarding is off on loopback
 * (the helper refuses then), or the neighbour is unknown (the kernel's
 * reply resolves it, and the next request takes the fast path). 0: go on,
 * else the counter of the PASS. */
static __always_inline int route_check(struct xdp_md *ctx,
				       const struct xg_frame *f)
{
	struct bpf_fib_lookup fib = { .ifindex = 1 /* loopback */ };
	long rc;

	fib.l4_protocol = IPPROTO_UDP;
	fib.sport = f->udph->dest;
	fib.dport = f->udph->source;
	if (f->iph) {
		fib.family = 2; /* AF_INET */
		fib.ipv4_src = f->iph->daddr;
		fib.ipv4_dst = f->iph->saddr;
	} else if (f->ip6h) {
		fib.family = 10; /* AF_INET6 */
		__builtin_memcpy(fib.ipv6_src, &f->ip6h->daddr, 16);
		__builtin_memcpy(fib.ipv6_dst, &f->ip6h->saddr, 16);
	} else {
		return XG_CNT_PASS_ROUTE;
	}
	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	if (fib.ifindex != ctx->ingress_ifindex)
		return XG_CNT_PASS_ROUTE;
	if (rc == BPF_FIB_LKUP_RET_NO_NEIGH)
		return XG_CNT_PASS_NO_NEIGH;
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return XG_CNT_PASS_ROUTE;
	__builtin_memcpy(f->eth->h_source, fib.dmac, 6);
	__builtin_memcpy(f->eth->h_dest, fib.smac, 6);
	return 0;
}

SEC("xdp")
int xdpgame_rx(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u64 bytes = data_end - data;
	struct xg_xdp_config *cfg;
	struct xg_frame f;
	struct xg_hdr *h;
	enum xg_err err;
	int verdict, deny;
	long act;

	/* L2-L4, the walk user space shares (include/xdpgame/parsing.h) */
	verdict = xg_frame_walk(data, data_end, xg_ipv6_ext_max, &f);
	if (verdict != XG_FRAME_UDP)
		return xg_verdict(verdict, bytes, XDP_PASS);
	if (!xg_is_game_port(bpf_ntohs(f.udph->dest)))
		return xg_verdict(XG_CNT_PASS_NOT_GAME, bytes, XDP_PASS);
	cfg = xg_config();
	if (!cfg)
		return xg_verdict(XG_CNT_FALLTHROUGH, bytes, XDP_PASS);
	if (!is_local(&f, cfg))
		return xg_verdict(XG_CNT_PASS_NOT_LOCAL, bytes, XDP_PASS);
	verdict = xg_frame_check(&f, data_end);
	if (verdict == XG_CNT_PASS_IP_OPTIONS)
		return xg_verdict(verdict, bytes, XDP_PASS);
	if (verdict)
		return xg_verdict(verdict, bytes, XDP_DROP);

	/* The game datagram: the same rules as user space. */
	err = xg_validate(f.payload, data_end, f.len);
	if (err != XG_OK)
		return xg_verdict(XG_CNT_DROP_BASE + err, bytes, XDP_DROP);
	h = f.payload;
	if ((void *)(h + 1) > data_end) /* validated; for the verifier */
		return xg_verdict(XG_CNT_DROP_TOO_SHORT, bytes, XDP_DROP);
	verdict = xg_frame_udp_csum(&f, data_end, h->type);
	if (verdict)
		return xg_verdict(verdict, bytes, XDP_DROP);

	/* Sessions: a handshake within its source's budget goes on to user
	 * space; a game request needs its live session. */
	if (xg_is_handshake(h->type)) {
		if (!handshake_allowed(&f, cfg))
			return xg_verdict(XG_CNT_DENY_BASE +
						  XG_DENY_HANDSHAKE_RATE,
					  bytes, XDP_DROP);
	} else {
		deny = session_check(h, &f, cfg);
		if (deny)
			return xg_verdict(XG_CNT_DENY_BASE + deny, bytes,
					  XDP_DROP);
	}

	/* Every request let in gets a reply: the way back, if asked. */
	if (cfg->route_check) {
		verdict = route_check(ctx, &f);
		if (verdict)
			return xg_verdict(verdict, bytes, XDP_PASS);
	}

	/* HEARTBEAT answered here, when switched on: same bytes as the
	 * user-space handler would send (same reply builders). A frame with
	 * bytes after the datagram goes to user space, which trims. */
	if (cfg->kernel_replies && h->type == XG_MSG_HEARTBEAT) {
		void *end = data_end;

		if ((void *)h + XG_HEARTBEAT_SIZE > data_end)
			goto redirect; /* validated; for the verifier */
		/* a separate value, so that the compiler cannot fold the two
		 * tests into one equality, which proves no bounds */
		asm volatile("" : "+r"(end));
		if ((void *)h + XG_HEARTBEAT_SIZE < end)
			goto redirect;
		xg_make_reply(h, XG_ST_OK, XG_ACK_SIZE);
		xg_frame_reply(&f, data, XG_ACK_SIZE);
		return xg_verdict(XG_CNT_XDP_TX, bytes, XDP_TX);
	}

redirect:
	/* To the queue's AF_XDP socket; without one, to the kernel socket. */
	if (!cfg->redirect)
		return xg_verdict(XG_CNT_FALLTHROUGH, bytes, XDP_PASS);
	act = bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS);
	if (act == XDP_REDIRECT)
		return xg_verdict(XG_CNT_REDIRECT, bytes, XDP_REDIRECT);
	return xg_verdict(XG_CNT_FALLTHROUGH, bytes, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
