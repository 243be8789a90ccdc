#!/usr/bin/env bash
# shellcheck shell=bash
# One way to make the embedded network every script uses (the tests'
# lib.sh, the demo, the bench): two network namespaces joined by a veth
# pair, the server end 192.0.2.1 and 2001:db8::1, the client end .2 and ::2
# (documentation ranges: never real hosts), lo up, TX checksum offload off
# (crafted, XDP_TX'd and AF_XDP frames carry full checksums). Sourced.
#
#   xg_veth_pair SRV_NS CLI_NS SRV_IF CLI_IF QUEUES   0, or 1 if a step failed
#   xg_veth_peer_pass CLI_NS CLI_IF BUILD_DIR          XDP_PASS on the client
#                                                       end (bpf/xdp_pass.bpf.c)

XG_SRV_IP4=192.0.2.1
XG_CLI_IP4=192.0.2.2
XG_SRV_IP6=2001:db8::1
XG_CLI_IP6=2001:db8::2

xg_veth_pair() {
	local sns=$1 cns=$2 sif=$3 cif=$4 q=${5:-1}
	ip netns add "$sns" && ip netns add "$cns" || return 1
	ip link add "$sif" numrxqueues "$q" numtxqueues "$q" netns "$sns" \
		type veth peer name "$cif" numrxqueues "$q" numtxqueues "$q" \
		netns "$cns" || return 1
	ip -n "$sns" addr add "$XG_SRV_IP4/24" dev "$sif" &&
		ip -n "$cns" addr add "$XG_CLI_IP4/24" dev "$cif" &&
		ip -n "$sns" addr add "$XG_SRV_IP6/64" dev "$sif" nodad &&
		ip -n "$cns" addr add "$XG_CLI_IP6/64" dev "$cif" nodad &&
		ip -n "$sns" link set lo up && ip -n "$cns" link set lo up &&
		ip -n "$sns" link set "$sif" up &&
		ip -n "$cns" link set "$cif" up || return 1
	nsenter --net="/run/netns/$sns" ethtool -K "$sif" tx off >/dev/null 2>&1
	nsenter --net="/run/netns/$cns" ethtool -K "$cif" tx off >/dev/null 2>&1
	return 0
}

# A veth delivers XDP_TX'd frames only to a peer whose NAPI runs; an XDP
# program on the peer ensures it (GRO alone wedged the pair on 6.18).
xg_veth_peer_pass() {
	ip -n "$1" link set dev "$2" xdpdrv obj "$3/xdp_pass.bpf.o" sec xdp
}
