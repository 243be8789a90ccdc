/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * Counting a verdict: every exit of the program goes through xg_verdict(),
 * so each frame lands in exactly one counter (enum xg_xdp_counter).
 */
#ifndef XDPGAME_BPF_COUNTERS_H
#define XDPGAME_BPF_COUNTERS_H

#include "maps.h"

/* Add one packet of 'bytes' (whole frame) to counter 'idx'; return 'action'.
 * The slot is this CPU's own, and XDP does not nest on a CPU: plain adds. */
static __always_inline int xg_verdict(__u32 idx, __u64 bytes, int action)
{
	struct xg_xdp_count *c = bpf_map_lookup_elem(&stats, &idx);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
	return action;
}

#endif /* XDPGAME_BPF_COUNTERS_H */
