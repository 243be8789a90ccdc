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
 *   UDP length field fits the frame    DROP                   drop_udp_len
 *   xg_validate() says XG_OK           DROP                   drop_<reason>
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

SEC("xdp")
int xdpgame_rx(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u64 bytes = data_end - data;
	struct xg_xdp_config *cfg;
	struct xg_frame f;
	enum xg_err err;
	int verdict;
	__u32 trim;
	long act;

	/* L2-L4, the walk user space shares (include/xdpgame/parsing.h) */
	verdict = xg_frame_walk(data, data_end, xg_ipv6_ext_max, &f);
	if (verdict != XG_FRAME_UDP)
		return xg_verdict(verdict, bytes, XDP_PASS);
	if (!xg_is_game_port(bpf_ntohs(f.udph->dest)))
		return xg_verdict(XG_CNT_PASS_NOT_GAME, bytes, XDP_PASS);
	if (xg_frame_udp_len(&f, data_end))
		return xg_verdict(XG_CNT_DROP_UDP_LEN, bytes, XDP_DROP);

	/* The game datagram: the same rules as user space. */
	err = xg_validate(f.payload, data_end, f.len);
	if (err != XG_OK)
		return xg_verdict(XG_CNT_DROP_BASE + err, bytes, XDP_DROP);

	cfg = xg_config();
	if (!cfg)
		return xg_verdict(XG_CNT_FALLTHROUGH, bytes, XDP_PASS);

	/* HEARTBEAT answered here, when switched on: same bytes as the
	 * user-space handler would send (same ack and reply builders). */
	if (cfg->kernel_replies) {
		struct xg_hdr *h = f.payload;

		if ((void *)h + XG_HEARTBEAT_SIZE <= data_end &&
		    h->type == XG_MSG_HEARTBEAT) {
			xg_make_ack(h, xg_heartbeat_status(h));
			xg_frame_reply(&f, data);
			/* trim what follows the ack (the request's tail and any
			 * Ethernet padding); pkt_end - pkt is a plain scalar */
			trim = data_end - ((void *)h + XG_ACK_SIZE);
			if (trim && bpf_xdp_adjust_tail(ctx, -(int)trim))
				return xg_verdict(XG_CNT_FALLTHROUGH, bytes,
						  XDP_PASS);
			return xg_verdict(XG_CNT_XDP_TX, bytes, XDP_TX);
		}
	}

	/* To the queue's AF_XDP socket; without one, to the kernel socket. */
	if (!cfg->redirect)
		return xg_verdict(XG_CNT_FALLTHROUGH, bytes, XDP_PASS);
	act = bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS);
	if (act == XDP_REDIRECT)
		return xg_verdict(XG_CNT_REDIRECT, bytes, XDP_REDIRECT);
	return xg_verdict(XG_CNT_FALLTHROUGH, bytes, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
