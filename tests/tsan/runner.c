/* SPDX-License-Identifier: MIT */
/* The TSan build's test runner; see runner.h for why it exists. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "runner.h"

static struct tsan_test *tests, **tail = &tests;

void tsan_register(struct tsan_test *t)
{
	*tail = t;
	tail = &t->next;
}

void tsan_check(bool ok, const char *what, const char *file, int line)
{
	if (ok)
		return;
	fprintf(stderr, "%s:%d: assertion failed: %s\n", file, line, what);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
	struct tsan_test *t;
	double t0;
	int n = 0;

	for (t = tests; t; t = t->next, n++) {
		t0 = now();
		t->fn();
		fprintf(stderr, "[PASS] %s (%.2fs)\n", t->name, now() - t0);
	}
	fprintf(stderr, "threads under TSan: %d tests passed, 0 failed\n", n);
	return 0;
}
