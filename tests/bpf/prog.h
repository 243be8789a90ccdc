/* SPDX-License-Identifier: MIT */
/*
 * What the BPF test files share: the XDP program loaded from its skeleton
 * with the game port in `ports` and a given config (no interface needed:
 * frames go through bpf_prog_test_run_opts), the maps a game request needs
 * to get past the destination and session checks (our MAC in `config`,
 * our addresses in `addrs`, the player's entry in `sessions`), and its
 * counters read the way `xdpgame stats` reads them. Test files include
 * this after Criterion.
 */
#ifndef XDPGAME_TESTS_BPF_PROG_H
#define XDPGAME_TESTS_BPF_PROG_H

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <xdpgame/xdp.h>

#include "xdp/loader.h"
#include "xdpgame.skel.h"

enum { XG_TEST_GAME_PORT = 7777 };

/* CLOCK_MONOTONIC in ns: the program's bpf_ktime_get_ns() clock. */
static inline __u64 xg_test_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

static inline void xg_test_config(struct xdpgame *skel,
				  const struct xg_xdp_config *cfg)
{
	__u32 key = 0;

	cr_assert_eq(bpf_map_update_elem(bpf_map__fd(skel->maps.config), &key,
					 cfg, BPF_ANY),
		     0);
}

/* One of "the interface's" addresses, for the destination check: 4 bytes
 * (IPv4, stored mapped) or 16 (IPv6). */
static inline void xg_test_addr(struct xdpgame *skel, const void *ip,
				size_t len)
{
	struct xg_addr a = {};
	__u8 one = 1;

	if (len == 4) {
		a.a[10] = a.a[11] = 0xff;
		memcpy(&a.a[12], ip, 4);
	} else {
		memcpy(a.a, ip, 16);
	}
	cr_assert_eq(bpf_map_update_elem(bpf_map__fd(skel->maps.addrs), &a,
					 &one, BPF_ANY),
		     0);
}

/* The `sessions` entry of a player: token, the client's address (4 or 16
 * bytes, as xg_test_addr) and UDP port (host order); the rest zero (never
 * seen, a full budget). */
static inline void xg_test_session(struct xdpgame *skel, __u32 player,
				   __u64 token, const void *ip, size_t len,
				   __u16 port)
{
	struct xg_session_entry e = { .token = token,
				      .port = (__u16)(port >> 8 | port << 8) };

	if (len == 4) {
		e.addr.a[10] = e.addr.a[11] = 0xff;
		memcpy(&e.addr.a[12], ip, 4);
	} else {
		memcpy(e.addr.a, ip, 16);
	}
	cr_assert_eq(bpf_map_update_elem(bpf_map__fd(skel->maps.sessions),
					 &player, &e, BPF_ANY),
		     0);
}

/* Skips the test when not root. ext_max 0: the program's default. The
 * config says which MAC is ours; the addresses and sessions are the
 * caller's to add. */
static inline struct xdpgame *xg_test_prog(__u32 ext_max,
					   struct xg_xdp_config cfg)
{
	__u32 port = XG_TEST_GAME_PORT;
	struct xdpgame *skel;
	__u8 one = 1;

	if (geteuid() != 0)
		cr_skip_test("needs root (BPF_PROG_LOAD, BPF_PROG_TEST_RUN)");
	skel = xdpgame__open();
	cr_assert_not_null(skel, "xdpgame__open: %s", strerror(errno));
	if (ext_max)
		skel->rodata->xg_ipv6_ext_max = ext_max;
	cr_assert_eq(xdpgame__load(skel), 0, "xdpgame__load failed");
	cr_assert_eq(bpf_map_update_elem(bpf_map__fd(skel->maps.ports), &port,
					 &one, BPF_ANY),
		     0);
	xg_test_config(skel, &cfg);
	return skel;
}

/* All counters, summed over the possible CPUs, as `xdpgame stats` reads
 * them. */
static inline void xg_test_counters(struct xdpgame *skel,
				    struct xg_xdp_count *out)
{
	cr_assert_eq(xg_xdp_sum_stats(bpf_map__fd(skel->maps.stats), out), 0);
}

#endif
