/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the metric families (user/cli/metrics.c) of protocol
 * version 2: the XDP program's refusals are verdict="drop" with their
 * deny_* reason, pass_not_local is a pass, each worker's refusals are
 * xdpgame_worker_denied_total by reason, and the live sessions are a gauge
 * only where the server knows them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "cli/metrics.h"

static char *write_src(const struct xg_metrics_src *src)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	xg_metrics_write(f, src);
	fclose(f);
	return buf;
}

Test(metrics, xdp_refusals_are_drops_by_reason)
{
	struct xg_xdp_count c[XG_CNT_MAX] = {};
	struct xg_metrics_src src = { .ifname = "eth0", .xdp = c };
	char *t;

	c[XG_CNT_DENY_NO_SESSION].packets = 5;
	c[XG_CNT_DENY_HANDSHAKE_RATE].packets = 7;
	c[XG_CNT_PASS_NOT_LOCAL].packets = 3;
	t = write_src(&src);
	cr_assert_not_null(strstr(t, "xdpgame_xdp_packets_total{interface=\"eth0\",verdict=\"drop\",reason=\"deny_no_session\"} 5\n"), "%s", t);
	cr_assert_not_null(strstr(t, "xdpgame_xdp_packets_total{interface=\"eth0\",verdict=\"drop\",reason=\"deny_handshake_rate\"} 7\n"));
	cr_assert_not_null(strstr(t, "xdpgame_xdp_packets_total{interface=\"eth0\",verdict=\"pass\",reason=\"pass_not_local\"} 3\n"));
	cr_assert_null(strstr(t, "verdict=\"pass\",reason=\"deny_"));
	cr_assert_null(strstr(t, "xdpgame_sessions"), "no gauge without the server");
	free(t);
}

Test(metrics, worker_refusals_and_sessions)
{
	struct xg_worker_pub w = { .valid = 1, .path = XG_WPATH_SOCKET,
				   .queue = -1, .cpu = 0 };
	struct xg_metrics_src src = { .ifname = "eth0", .workers = &w,
				      .nworkers = 1, .have_sessions = true,
				      .sessions_live = 42 };
	char *t;

	w.denied[XG_DENY_REPLAY] = 4;
	t = write_src(&src);
	cr_assert_not_null(strstr(t, "# TYPE xdpgame_worker_denied_total counter\n"), "%s", t);
	cr_assert_not_null(strstr(t, "xdpgame_worker_denied_total{interface=\"eth0\",worker=\"0\",path=\"socket\",reason=\"replay\"} 4\n"));
	cr_assert_not_null(strstr(t, "xdpgame_worker_denied_total{interface=\"eth0\",worker=\"0\",path=\"socket\",reason=\"no_session\"} 0\n"));
	cr_assert_null(strstr(t, "reason=\"none\""), "[0] is not a reason");
	cr_assert_not_null(strstr(t, "# TYPE xdpgame_sessions gauge\n"));
	cr_assert_not_null(strstr(t, "xdpgame_sessions{interface=\"eth0\"} 42\n"));
	free(t);
}
