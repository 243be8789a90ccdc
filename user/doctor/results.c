/* SPDX-License-Identifier: MIT */
/*
 * The doctor's results: each check records exactly one (name, verdict,
 * detail, fix) through dr_record and dr_fix, and both outputs, text and
 * JSON, are printed from what was recorded (the JSON through the one
 * writer, core/json.h).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "doctor/doctor.h"

static const char *const verdict_tag[DR_NVERDICTS] = {
	"[ OK ]", "[WARN]", "[FAIL]", "[INFO]"
};
static const char *const verdict_json[DR_NVERDICTS] = {
	"ok", "warn", "fail", "info"
};

/* ---- recording ------------------------------------------------------ */

void dr_record(struct dr_ctx *c, enum dr_verdict v, const char *fmt, ...)
{
	struct dr_result *r;
	va_list ap;

	if (c->nres == DR_MAX_RESULTS)
		return;
	r = &c->res[c->nres++];
	r->name = c->current;
	r->verdict = v;
	r->fix[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

/* dr_append with a va_list (see doctor.h). */
static bool dr_vappend(char *buf, size_t len, const char *sep,
		       const char *fmt, va_list ap)
{
	size_t used = strlen(buf), slen = used ? strlen(sep) : 0;
	char item[DR_FIX_LEN];
	int n = vsnprintf(item, sizeof(item), fmt, ap);

	if (n < 0 || (size_t)n >= sizeof(item) || used + slen + (size_t)n >= len)
		return false;
	snprintf(buf + used, len - used, "%s%s", used ? sep : "", item);
	return true;
}

bool dr_append(char *buf, size_t len, const char *sep, const char *fmt, ...)
{
	va_list ap;
	bool ok;

	va_start(ap, fmt);
	ok = dr_vappend(buf, len, sep, fmt, ap);
	va_end(ap);
	return ok;
}

void dr_fix(struct dr_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->nres)
		return;
	va_start(ap, fmt);
	dr_vappend(c->res[c->nres - 1].fix, DR_FIX_LEN, " && ", fmt, ap);
	va_end(ap);
}

bool dr_need_sysfs(struct dr_ctx *c)
{
	if (c->sysfs)
		return true;
	dr_record(c, DR_INFO,
		  "%s is not under /sys/class/net: /sys was mounted in another network namespace, so the per-device settings cannot be read here (`ip netns exec NS xdpgame doctor %s` remounts /sys)",
		  c->ifname, c->ifname);
	return false;
}

/* ---- output --------------------------------------------------------- */

void dr_count(const struct dr_ctx *c, int count[DR_NVERDICTS])
{
	for (int v = 0; v < DR_NVERDICTS; v++)
		count[v] = 0;
	for (int i = 0; i < c->nres; i++)
		count[c->res[i].verdict]++;
}

void dr_print_text(const struct dr_ctx *c, FILE *f)
{
	int n[DR_NVERDICTS];

	fprintf(f, "xdpgame doctor: %s (ifindex %d), kernel %s, worker CPUs %s\n",
		c->ifname, c->ifindex, c->uts.release, c->cpulist);
	for (int i = 0; i < c->nres; i++) {
		const struct dr_result *r = &c->res[i];

		fprintf(f, "%s %s: %s\n", verdict_tag[r->verdict], r->name, r->detail);
		if (r->verdict != DR_OK && r->fix[0])
			fprintf(f, "       fix: %s\n", r->fix);
	}
	dr_count(c, n);
	fprintf(f, "summary: %d ok, %d warn, %d fail, %d info\n", n[DR_OK],
		n[DR_WARN], n[DR_FAIL], n[DR_INFO]);
}

/* {"interface":…,"checks":[{"name","verdict","detail","fix"}…],
 *  "summary":{"ok","warn","fail","info"}}; fix is null when there is none.
 * 0, or the negative errno of xg_json_print. */
int dr_print_json(const struct dr_ctx *c, FILE *f)
{
	xg_json *root = xg_json_obj(), *checks, *sum;
	int n[DR_NVERDICTS];

	xg_json_str(root, "interface", c->ifname);
	checks = xg_json_add(root, "checks", xg_json_arr());
	for (int i = 0; i < c->nres; i++) {
		const struct dr_result *r = &c->res[i];
		xg_json *o = xg_json_push(checks, xg_json_obj());

		xg_json_str(o, "name", r->name);
		xg_json_str(o, "verdict", verdict_json[r->verdict]);
		xg_json_str(o, "detail", r->detail);
		xg_json_str(o, "fix", r->fix[0] ? r->fix : NULL);
	}
	dr_count(c, n);
	sum = xg_json_add(root, "summary", xg_json_obj());
	for (int v = 0; v < DR_NVERDICTS; v++)
		xg_json_i64(sum, verdict_json[v], n[v]);
	return xg_json_print(f, root);
}
