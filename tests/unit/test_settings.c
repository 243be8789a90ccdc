/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the settings table of `xdpgame set` (user/xdp/settings.c):
 * every __u32 member of struct xg_xdp_config is in exactly one row and the
 * MAC in none; options are attach's; a row's put changes its own members
 * and nothing else (read-modify-write keeps the MAC); rates parse as
 * attach's --handshake-rate does; bounds and formats.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <criterion/criterion.h>

#include "xdp/loader.h"

enum { NWORDS = sizeof(struct xg_xdp_config) / sizeof(__u32) };

static const struct xg_setting *row(const char *opt)
{
	for (int i = 0; i < xg_nsettings; i++)
		if (!strcmp(xg_settings[i].opt, opt))
			return &xg_settings[i];
	cr_assert_fail("no row for --%s", opt);
	return NULL;
}

Test(settings, every_member_once_and_never_the_mac)
{
	int seen[NWORDS] = { 0 };
	size_t mac = offsetof(struct xg_xdp_config, mac);

	for (int i = 0; i < xg_nsettings; i++) {
		const struct xg_setting *s = &xg_settings[i];

		cr_assert_lt(s->off, mac, "%s", s->name);
		seen[s->off / sizeof(__u32)]++;
		if (s->kind == XG_SET_RATE) {
			cr_assert_not_null(s->burst);
			cr_assert_lt(s->burst_off, mac, "%s", s->burst);
			seen[s->burst_off / sizeof(__u32)]++;
		}
	}
	for (size_t w = 0; w < mac / sizeof(__u32); w++)
		cr_assert_eq(seen[w], 1, "config word %zu is in %d rows", w,
			     seen[w]);
}

Test(settings, options_are_attachs)
{
	cr_assert_eq(row("handshake-rate")->off,
		     offsetof(struct xg_xdp_config, hs_rate));
	cr_assert_eq(row("handshake-rate")->burst_off,
		     offsetof(struct xg_xdp_config, hs_burst));
	cr_assert_eq(row("handshake-total")->off,
		     offsetof(struct xg_xdp_config, hs_total_rate));
	cr_assert_eq(row("session-rate")->burst_off,
		     offsetof(struct xg_xdp_config, session_burst));
	cr_assert_eq(row("session-timeout")->off,
		     offsetof(struct xg_xdp_config, session_timeout_ms));
	cr_assert_eq(row("kernel-replies")->kind, XG_SET_BOOL);
	cr_assert_str_eq(row("redirect")->name, "redirect");
}

Test(settings, put_touches_its_members_only)
{
	static const __u8 mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	struct xg_xdp_config c, before;

	memset(&c, 0xa5, sizeof(c));
	memcpy(c.mac, mac, sizeof(mac));
	for (int i = 0; i < xg_nsettings; i++) {
		const struct xg_setting *s = &xg_settings[i];
		struct xg_setting_val v = { .v = 7, .burst = 9 }, got;

		before = c;
		xg_setting_put(s, &c, v);
		got = xg_setting_get(s, &c);
		cr_assert_eq(got.v, 7, "%s", s->name);
		for (size_t b = 0; b < sizeof(c); b++) {
			size_t w = b / sizeof(__u32) * sizeof(__u32);
			bool mine = w == s->off ||
				    (s->kind == XG_SET_RATE && w == s->burst_off);

			if (!mine)
				cr_assert_eq(((__u8 *)&c)[b], ((__u8 *)&before)[b],
					     "--%s changed byte %zu", s->opt, b);
		}
		if (s->kind == XG_SET_RATE)
			cr_assert_eq(got.burst, 9, "%s", s->burst);
	}
	cr_assert_arr_eq(c.mac, mac, sizeof(mac));
}

Test(settings, parse_and_format)
{
	const struct xg_setting *hs = row("handshake-rate");
	const struct xg_setting *to = row("session-timeout");
	const struct xg_setting *kr = row("kernel-replies");
	struct xg_setting_val v;
	char buf[32];

	cr_assert_eq(xg_setting_parse(hs, "100/300", &v), 0);
	cr_assert(v.v == 100 && v.burst == 300);
	xg_setting_format(hs, v, buf, sizeof(buf));
	cr_assert_str_eq(buf, "100/300");
	/* attach's rule: no /B, a burst of twice the rate; 0 is no limit */
	cr_assert_eq(xg_setting_parse(hs, "50", &v), 0);
	cr_assert(v.v == 50 && v.burst == 100);
	cr_assert_eq(xg_setting_parse(hs, "0", &v), 0);
	cr_assert_eq(v.v, 0);
	cr_assert_neq(xg_setting_parse(hs, "x", &v), 0);
	cr_assert_neq(xg_setting_parse(hs, "10/0", &v), 0);
	cr_assert_neq(xg_setting_parse(hs, "-1", &v), 0);

	cr_assert_eq(xg_setting_parse(to, "1000", &v), 0);
	cr_assert_eq(v.v, 1000);
	xg_setting_format(to, v, buf, sizeof(buf));
	cr_assert_str_eq(buf, "1000");
	cr_assert_neq(xg_setting_parse(to, "99", &v), 0);
	cr_assert_neq(xg_setting_parse(to, "3600001", &v), 0);

	cr_assert_eq(xg_setting_parse(kr, "on", &v), 0);
	cr_assert_eq(v.v, 1);
	xg_setting_format(kr, v, buf, sizeof(buf));
	cr_assert_str_eq(buf, "on");
	cr_assert_neq(xg_setting_parse(kr, "maybe", &v), 0);
	cr_assert_str_eq(hs->arg, "R[/B]");
	cr_assert_str_eq(to->arg, "MS");
}
