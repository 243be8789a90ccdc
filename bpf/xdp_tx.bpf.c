// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * XDP_TX for everything: the transmit half of `xdpgame load --blast`.
 * User space never attaches it; it runs it with BPF_PROG_RUN and
 * BPF_F_TEST_XDP_LIVE_FRAMES (Linux 5.18+), where the kernel turns XDP_TX
 * into a real transmit out of the ctx's ingress interface, once per
 * repetition. The frame (Ethernet/IPv4/UDP/game request) is built and
 * checksummed in user space (user/blast.c); this program does not touch it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_tx(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
