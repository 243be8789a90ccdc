// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * The receive half of `xdpgame load --xsk IFACE` and of the bench's bare
 * AF_XDP echo (scripts/bench_echo.c): IPv4 UDP frames that match the ports
 * set below go to the AF_XDP socket of their RX queue; everything else
 * (ARP, the handshake's replies before the run, other traffic) passes to
 * the kernel. No validation: the client checks every ack itself.
 *
 * Attached through a bpf_link its process owns, so it goes away with the
 * process, even a killed one.
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* Set before load: 0 matches any port. Network order. */
const volatile __u16 match_sport = 0; /* UDP source port */
const volatile __u16 match_dport = 0; /* UDP destination port */

/* Set at run time (skel->bss): 0 passes everything, so a handshake over a
 * kernel socket on the same port still gets its replies. */
__u32 armed = 0;

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} xsks SEC(".maps");

SEC("xdp")
int xsk_redirect(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp;

	if (!armed || (void *)(ip + 1) > data_end ||
	    eth->h_proto != bpf_htons(0x0800) || ip->protocol != 17)
		return XDP_PASS;
	udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > data_end)
		return XDP_PASS;
	if ((match_sport && udp->source != match_sport) ||
	    (match_dport && udp->dest != match_dport))
		return XDP_PASS;
	return bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
