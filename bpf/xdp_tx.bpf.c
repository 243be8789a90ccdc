// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * XDP_TX for everything: the transmit half of `xdpgame load --blast`.
 * User space never attaches it; it runs it with BPF_PROG_RUN and
 * BPF_F_TEST_XDP_LIVE_FRAMES (Linux 5.18+), where the kernel turns XDP_TX
 * into a real transmit out of the ctx's ingress interface, once per
 * repetition. The frame (Ethernet/IPv4/UDP/game request) is built and
 * checksummed in user space (user/load/blast.c).
 *
 * With forge_sources set (`load --blast --forge-sources N`, the flood that
 * tests a server's defences), each repetition leaves from another source:
 * IPv4 address forge_base + k mod N and a port from k, where k counts the
 * frames this CPU sent; the IPv4 header checksum is computed again and the
 * UDP checksum left out (0, allowed on IPv4). Otherwise the frame is sent
 * as it is.
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 forge_sources = 0; /* 0: send frames unchanged */
const volatile __u32 forge_base = 0;    /* first forged address, host order */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} forge_count SEC(".maps");

SEC("xdp")
int xdp_tx(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	__u32 key = 0, sum = 0;
	__u16 *w = (__u16 *)ip;
	__u64 *n, k;
	int i;

	if (!forge_sources)
		return XDP_TX;
	/* blast.c builds Ethernet + a 20-byte IPv4 header + UDP */
	if ((void *)(udp + 1) > data_end ||
	    eth->h_proto != bpf_htons(0x0800) || ip->ihl != 5)
		return XDP_TX;
	n = bpf_map_lookup_elem(&forge_count, &key);
	if (!n)
		return XDP_TX;
	k = (*n)++;
	ip->saddr = bpf_htonl(forge_base + (__u32)(k % forge_sources));
	udp->source = bpf_htons((__u16)(1024 + (k / forge_sources) % 60000));
	udp->check = 0;
	ip->check = 0;
#pragma unroll
	for (i = 0; i < 10; i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip->check = (__u16)~sum;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
