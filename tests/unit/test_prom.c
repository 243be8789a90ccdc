/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for user/core/prom.c, the Prometheus text writer: HELP/TYPE
 * lines, base and own labels in order, escaping of label values and HELP
 * texts, float specials, the name rules, and the histogram: exact
 * cumulative counts at every bound, +Inf and _count equal to the samples,
 * _sum in seconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "core/prom.h"

/* Run fn on a writer with base label interface="eth0"; the text it wrote
 * (free it). */
static char *render(void (*fn)(const struct xg_prom *p, void *arg), void *arg)
{
	static const struct xg_prom_label base[] = { { "interface", "eth0" } };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct xg_prom p = { .f = f, .base = base, .nbase = 1 };

	cr_assert_not_null(f);
	fn(&p, arg);
	fclose(f);
	return buf;
}

static void counter(const struct xg_prom *p, void *arg)
{
	struct xg_prom_label l[] = { { "reason", arg } };

	xg_prom_family(p, "xdpgame_x_total", XG_PROM_COUNTER,
		       "a help\\text\nover two lines");
	xg_prom_u64(p, "xdpgame_x_total", l, 1, 42);
}

Test(prom, family_and_sample)
{
	char *s = render(counter, "bad_magic");

	cr_assert_str_eq(s,
			 "# HELP xdpgame_x_total a help\\\\text\\nover two lines\n"
			 "# TYPE xdpgame_x_total counter\n"
			 "xdpgame_x_total{interface=\"eth0\",reason=\"bad_magic\"} 42\n");
	free(s);
}

Test(prom, label_values_escaped)
{
	char *s = render(counter, "a\"b\\c\nd");

	cr_assert_not_null(strstr(s, "reason=\"a\\\"b\\\\c\\nd\"} 42\n"), "%s", s);
	free(s);
}

static void no_labels(const struct xg_prom *p, void *arg)
{
	struct xg_prom q = { .f = p->f };

	(void)arg;
	xg_prom_dbl(&q, "xdpgame_a", NULL, 0, 0.5);
	xg_prom_dbl(&q, "xdpgame_b", NULL, 0, 1.0 / 0.0);
	xg_prom_dbl(&q, "xdpgame_c", NULL, 0, -1.0 / 0.0);
	xg_prom_dbl(&q, "xdpgame_d", NULL, 0, 0.0 / 0.0);
}

Test(prom, no_labels_no_braces_and_float_specials)
{
	char *s = render(no_labels, NULL);

	cr_assert_str_eq(s, "xdpgame_a 0.5\nxdpgame_b +Inf\nxdpgame_c -Inf\n"
			    "xdpgame_d NaN\n");
	free(s);
}

Test(prom, name_rules)
{
	cr_assert(xg_prom_name_ok("xdpgame_rx_packets_total", 0));
	cr_assert(xg_prom_name_ok("a:b", 0));
	cr_assert_not(xg_prom_name_ok("a:b", 1));
	cr_assert_not(xg_prom_name_ok("9a", 0));
	cr_assert_not(xg_prom_name_ok("a-b", 0));
	cr_assert_not(xg_prom_name_ok("", 1));
	cr_assert_not(xg_prom_name_ok(NULL, 1));
}

/* The value after 'series' in s (a whole line's start), or -1. */
static long long value_of(const char *s, const char *series)
{
	size_t n = strlen(series);

	for (const char *l = s; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, series, n) && l[n] == ' ')
			return atoll(l + n + 1);
	return -1;
}

static void hist(const struct xg_prom *p, void *arg)
{
	xg_prom_hist(p, "xdpgame_t_seconds", NULL, 0, arg);
}

Test(prom, histogram_counts_are_exact)
{
	static struct xg_hist h;
	char series[128];
	uint64_t vals[] = { 10, 255, 256, 1000, 1023, 1024, 5000000, 1ull << 35 };
	char *s;

	xg_hist_reset(&h);
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		xg_hist_record(&h, vals[i]);
	s = render(hist, &h);
	/* le = 2^k - 1 ns: 255 ns holds 10 and 255, not 256 */
	cr_assert_eq(value_of(s, "xdpgame_t_seconds_bucket{interface=\"eth0\",le=\"2.55e-07\"}"), 2, "%s", s);
	cr_assert_eq(value_of(s, "xdpgame_t_seconds_bucket{interface=\"eth0\",le=\"1.023e-06\"}"), 5, "%s", s);
	cr_assert_eq(value_of(s, "xdpgame_t_seconds_bucket{interface=\"eth0\",le=\"2.047e-06\"}"), 6, "%s", s);
	cr_assert_eq(value_of(s, "xdpgame_t_seconds_bucket{interface=\"eth0\",le=\"0.008388607\"}"), 7, "%s", s);
	cr_assert_eq(value_of(s, "xdpgame_t_seconds_bucket{interface=\"eth0\",le=\"1.073741823\"}"), 7, "%s", s);
	cr_assert_eq(value_of(s, "xdpgame_t_seconds_bucket{interface=\"eth0\",le=\"+Inf\"}"), 8, "%s", s);
	cr_assert_eq(value_of(s, "xdpgame_t_seconds_count{interface=\"eth0\"}"), 8, "%s", s);
	snprintf(series, sizeof(series), "xdpgame_t_seconds_sum{interface=\"eth0\"} ");
	cr_assert_not_null(strstr(s, series), "%s", s);
	free(s);
}

Test(prom, histogram_bounds_are_bucket_ends)
{
	for (int k = XG_PROM_HIST_K_MIN; k <= XG_PROM_HIST_K_MAX; k++) {
		uint64_t bound = (1ull << k) - 1;

		cr_assert_eq(xg_hist_bucket_high(xg_hist_bucket(bound)), bound,
			     "k=%d", k);
	}
}
