// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * The benchmark's reference point (e): the least an XDP program can do to
 * answer a game request. It walks to the UDP payload and, for any datagram
 * to the benchmark port that is at least a HEARTBEAT long, turns it into an
 * ack in place and sends it back with XDP_TX. No validation, no maps, no
 * counters: the physical limit of a setup, against which `make bench`
 * measures xdpgame's in-kernel replies (d). Not for serving a game.
 *
 * Attached by scripts/bench.sh with `ip link set DEV xdpdrv obj ...`.
 */
#define config xg_vmlinux_zstd_config
#include "vmlinux.h"
#undef config
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include <xdpgame/parsing.h>
#include <xdpgame/proto.h>

/* The UDP port answered; set before load (bench uses the default). */
const volatile __u16 xg_swap_port = 4000;

SEC("xdp")
int xdp_swap(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct xg_frame f;
	struct xg_hdr *h;
	__u32 trim;

	if (xg_frame_walk(data, data_end, 0, &f) != XG_FRAME_UDP ||
	    f.udph->dest != bpf_htons(xg_swap_port))
		return XDP_PASS;
	h = f.payload;
	if ((void *)h + XG_HEARTBEAT_SIZE > data_end)
		return XDP_PASS;
	xg_make_reply(h, XG_ST_OK, XG_ACK_SIZE);
	xg_frame_reply(&f, data, XG_ACK_SIZE);
	trim = data_end - ((void *)h + XG_ACK_SIZE);
	if (trim && bpf_xdp_adjust_tail(ctx, -(int)trim))
		return XDP_PASS;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
