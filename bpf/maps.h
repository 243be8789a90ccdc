/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * The XDP program's maps. Their names are the contract documented in
 * include/xdpgame/xdp.h (they are also the pin names); sizes and value types
 * come from there. Include after vmlinux.h and <bpf/bpf_helpers.h>.
 */
#ifndef XDPGAME_BPF_MAPS_H
#define XDPGAME_BPF_MAPS_H

#include <xdpgame/xdp.h>

/* Game UDP ports: indexed by port, host order; 1 = a game port. Filled by
 * the loader before attach. An array, not a hash: its lookup is inlined by
 * the verifier, a few instructions and no hashing per packet. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XG_XDP_PORT_SLOTS);
	__type(key, __u32);
	__type(value, __u8);
} ports SEC(".maps");

/* One AF_XDP socket per RX queue; an empty slot means "kernel socket". */
struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, XG_XDP_MAX_QUEUES);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} xsks SEC(".maps");

/* Live knobs, key 0. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xg_xdp_config);
} config SEC(".maps");

/* This host's own addresses on the interface (IPv4 mapped); filled by the
 * loader. Game traffic to any other address is not ours to answer. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XG_XDP_MAX_ADDRS);
	__type(key, struct xg_addr);
	__type(value, __u8);
} addrs SEC(".maps");

/* Sessions by player id: written by user space (open, end), read here;
 * last_seen and the budget are updated here. Its own map, not an LRU, so a
 * flood can never evict an admitted player. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XG_MAX_PLAYERS);
	__type(key, __u32);
	__type(value, struct xg_session_entry);
} sessions SEC(".maps");

/* Handshake budget of all sources together, key 0. Updated from every
 * CPU without atomics: two CPUs racing can let a request or two more by. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xg_bucket);
} hs_total SEC(".maps");

/* Handshake budget per source address. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XG_XDP_HS_SOURCES);
	__type(key, struct xg_addr);
	__type(value, struct xg_bucket);
} hs_limits SEC(".maps");

/* Counters, indexed by enum xg_xdp_counter; per CPU, so no atomics. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XG_CNT_MAX);
	__type(key, __u32);
	__type(value, struct xg_xdp_count);
} stats SEC(".maps");

/* What the holder's workers did; written by the holder, never read here. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XG_XDP_MAX_WORKERS);
	__type(key, __u32);
	__type(value, struct xg_worker_pub);
} workers SEC(".maps");

/* Who holds the program; written by the loader, never read here. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xg_xdp_info);
} info SEC(".maps");

static __always_inline int xg_is_game_port(__u16 port)
{
	__u32 key = port;
	__u8 *v = bpf_map_lookup_elem(&ports, &key);

	return v && *v;
}

static __always_inline struct xg_xdp_config *xg_config(void)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&config, &key);
}

#endif /* XDPGAME_BPF_MAPS_H */
