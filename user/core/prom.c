/* SPDX-License-Identifier: MIT */
/* The Prometheus text writer; see prom.h. */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "core/prom.h"

int xg_prom_name_ok(const char *name, int label)
{
	const char *c;

	if (!name || !*name || isdigit((unsigned char)*name))
		return 0;
	for (c = name; *c; c++)
		if (!(isalnum((unsigned char)*c) || *c == '_' ||
		      (*c == ':' && !label)))
			return 0;
	return 1;
}

/* s with '\\' and '\n' escaped, and '"' too in a label value. */
static void put_escaped(FILE *f, const char *s, int quote)
{
	for (; s && *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '"' && quote)
			fputs("\\\"", f);
		else
			fputc(*s, f);
	}
}

static const char *const type_names[] = {
	[XG_PROM_COUNTER] = "counter",
	[XG_PROM_GAUGE] = "gauge",
	[XG_PROM_HISTOGRAM] = "histogram",
};

void xg_prom_family(const struct xg_prom *p, const char *name,
		    enum xg_prom_type type, const char *help)
{
	fprintf(p->f, "# HELP %s ", name);
	put_escaped(p->f, help, 0);
	fprintf(p->f, "\n# TYPE %s %s\n", name, type_names[type]);
}

static void put_labels(FILE *f, const struct xg_prom_label *l, size_t n,
		       int *first)
{
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s%s=\"", *first ? "{" : ",", l[i].name);
		put_escaped(f, l[i].value, 1);
		fputc('"', f);
		*first = 0;
	}
}

/* name{base,labels[,le]} and a space; the caller prints the value. */
static void put_series(const struct xg_prom *p, const char *name,
		       const char *suffix, const struct xg_prom_label *labels,
		       size_t n, const char *le)
{
	struct xg_prom_label lel = { "le", le };
	int first = 1;

	fprintf(p->f, "%s%s", name, suffix);
	put_labels(p->f, p->base, p->nbase, &first);
	put_labels(p->f, labels, n, &first);
	if (le)
		put_labels(p->f, &lel, 1, &first);
	fputs(first ? " " : "} ", p->f);
}

/* A float as the format wants it: +Inf, -Inf, NaN, or Go-parsable. */
static void put_dbl(FILE *f, double v)
{
	if (isnan(v))
		fputs("NaN", f);
	else if (isinf(v))
		fputs(v > 0 ? "+Inf" : "-Inf", f);
	else
		fprintf(f, "%.17g", v);
}

void xg_prom_u64(const struct xg_prom *p, const char *name,
		 const struct xg_prom_label *labels, size_t n, uint64_t v)
{
	put_series(p, name, "", labels, n, NULL);
	fprintf(p->f, "%" PRIu64 "\n", v);
}

void xg_prom_dbl(const struct xg_prom *p, const char *name,
		 const struct xg_prom_label *labels, size_t n, double v)
{
	put_series(p, name, "", labels, n, NULL);
	put_dbl(p->f, v);
	fputc('\n', p->f);
}

void xg_prom_hist(const struct xg_prom *p, const char *name,
		  const struct xg_prom_label *labels, size_t n,
		  const struct xg_hist *h)
{
	unsigned int b = 0;
	uint64_t cum = 0;
	char le[32];

	for (int k = XG_PROM_HIST_K_MIN; k <= XG_PROM_HIST_K_MAX; k++) {
		uint64_t bound = (1ull << k) - 1; /* ns: a bucket's upper end */

		for (; b < XG_HIST_BUCKETS && xg_hist_bucket_high(b) <= bound;
		     b++)
			cum += h->buckets[b];
		snprintf(le, sizeof(le), "%.10g", (double)bound / 1e9);
		put_series(p, name, "_bucket", labels, n, le);
		fprintf(p->f, "%" PRIu64 "\n", cum);
	}
	/* +Inf and _count from the buckets too: a histogram copied while its
	 * worker records may have a count a sample ahead of its buckets */
	for (; b < XG_HIST_BUCKETS; b++)
		cum += h->buckets[b];
	put_series(p, name, "_bucket", labels, n, "+Inf");
	fprintf(p->f, "%" PRIu64 "\n", cum);
	put_series(p, name, "_sum", labels, n, NULL);
	put_dbl(p->f, (double)h->sum / 1e9);
	fputc('\n', p->f);
	put_series(p, name, "_count", labels, n, NULL);
	fprintf(p->f, "%" PRIu64 "\n", cum);
}
