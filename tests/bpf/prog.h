/* SPDX-License-Identifier: MIT */
/*
 * What the BPF test files share: the XDP program loaded from its skeleton
 * with the game port in `ports` and a given config (no interface needed:
 * frames go through bpf_prog_test_run_opts), and its counters read the way
 * `xdpgame stats` reads them. Test files include this after Criterion.
 */
#ifndef XDPGAME_TESTS_BPF_PROG_H
#define XDPGAME_TESTS_BPF_PROG_H

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <xdpgame/xdp.h>

#include "xdp/loader.h"
#include "xdpgame.skel.h"

enum { XG_TEST_GAME_PORT = 7777 };

/* Skips the test when not root. ext_max 0: the program's default. */
static inline struct xdpgame *xg_test_prog(__u32 ext_max,
					   struct xg_xdp_config cfg)
{
	__u16 port = XG_TEST_GAME_PORT;
	struct xdpgame *skel;
	__u32 key = 0;
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
	cr_assert_eq(bpf_map_update_elem(bpf_map__fd(skel->maps.config), &key,
					 &cfg, BPF_ANY),
		     0);
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
