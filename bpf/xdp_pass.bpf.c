// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * XDP_PASS for everything: for the far end of a veth pair in tests, the
 * demo and the benchmark. A veth delivers XDP_TX'd and redirected frames
 * only to a peer whose NAPI runs, which an XDP program on the peer ensures.
 * (GRO on the peer is said to do the same, but on Linux 6.18 a peer with
 * only GRO stopped taking frames after a few hundred XDP_TX replies and the
 * pair went dead both ways; with this program it does not.)
 *
 * Attach: ip link set dev PEER xdpdrv obj build/xdp_pass.bpf.o sec xdp
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
