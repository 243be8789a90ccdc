/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * A token bucket, shared by the XDP program (per source address for
 * handshakes, per session for game requests) and by user space (the same
 * limits when no XDP program runs). Integer only, no division, so that the
 * verifier and a 2010 kernel take it: credit is kept in request-nanoseconds;
 * a second refills 'rate' requests, a request costs XG_BUCKET_COST, and the
 * bucket holds at most 'burst' requests. A new bucket (ts 0) starts full.
 *
 * Not atomic: the XDP side updates it from whichever CPU the flow's queue
 * runs on (one flow, one queue), and user space takes the owner's lock.
 * Two CPUs racing on one bucket can at worst let one extra request by.
 */
#ifndef XDPGAME_BUCKET_H
#define XDPGAME_BUCKET_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

enum xg_bucket_const {
	XG_BUCKET_COST = 1000000000u, /* ns in a second: one request */
	XG_BUCKET_RATE_MAX = 100000000u, /* requests/s a knob may say */
};

/* 10 s of refill at most, so rate * elapsed stays far below 2^64 */
#define XG_BUCKET_MAX_IDLE_NS 10000000000ull

struct xg_bucket {
	__u64 credit; /* request-nanoseconds */
	__u64 ts;     /* last refill, ns (CLOCK_MONOTONIC) */
};

/* Take one request from the bucket at time 'now': 1 if allowed. rate 0
 * means no limit; burst 0 is taken as 1. */
static __always_inline int xg_bucket_take(struct xg_bucket *b, __u64 now,
					  __u32 rate, __u32 burst)
{
	__u64 cap, idle, credit;

	if (!rate)
		return 1;
	cap = (__u64)(burst ? burst : 1) * XG_BUCKET_COST;
	idle = now > b->ts ? now - b->ts : 0;
	if (idle > XG_BUCKET_MAX_IDLE_NS || !b->ts)
		idle = XG_BUCKET_MAX_IDLE_NS;
	credit = b->credit + idle * rate;
	if (credit > cap)
		credit = cap;
	b->ts = now;
	if (credit < XG_BUCKET_COST) {
		b->credit = credit;
		return 0;
	}
	b->credit = credit - XG_BUCKET_COST;
	return 1;
}

#endif /* XDPGAME_BUCKET_H */
