/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for Criterion in the ThreadSanitizer build.
 *
 * Criterion's runner cannot start under TSan: BoxFort, its sandbox, maps a
 * shared arena at random addresses in a range that TSan's shadow memory has
 * reserved, and aborts with "Could not initialize inheritable arena" or
 * crashes (Criterion issue #274; every run fails here, even an empty test).
 * So the test files that `make test` also builds with -fsanitize=thread
 * (test_ring.c, test_world.c,
 * test_session_threads.c) include this header instead of Criterion's
 * when __SANITIZE_THREAD__ is defined: the same Test() bodies then run from
 * runner.c, in order, in one process, stopping at the first failed check
 * with exit status 1 (a TSan report exits 66). Only the assertion forms
 * those files use are provided; messages are ignored.
 */
#ifndef XDPGAME_TSAN_RUNNER_H
#define XDPGAME_TSAN_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct tsan_test {
	const char *name;
	void (*fn)(void);
	struct tsan_test *next;
};

void tsan_register(struct tsan_test *t);
void tsan_check(bool ok, const char *what, const char *file, int line);

#define Test(suite, name, ...)                                              \
	static void suite##_##name(void);                                   \
	static struct tsan_test tsan_t_##suite##_##name = {                 \
		#suite "::" #name, suite##_##name, NULL                     \
	};                                                                  \
	__attribute__((constructor)) static void tsan_reg_##suite##_##name( \
		void)                                                       \
	{                                                                   \
		tsan_register(&tsan_t_##suite##_##name);                    \
	}                                                                   \
	static void suite##_##name(void)

#define TSAN_CHECK(cond, text) tsan_check(!!(cond), text, __FILE__, __LINE__)
#define cr_assert(c, ...) TSAN_CHECK((c), #c)
#define cr_assert_eq(a, b, ...) TSAN_CHECK((a) == (b), #a " == " #b)
#define cr_assert_leq(a, b, ...) TSAN_CHECK((a) <= (b), #a " <= " #b)
#define cr_assert_gt(a, b, ...) TSAN_CHECK((a) > (b), #a " > " #b)
#define cr_assert_null(p, ...) TSAN_CHECK((p) == NULL, #p " == NULL")
#define cr_assert_not_null(p, ...) TSAN_CHECK((p) != NULL, #p " != NULL")
#define cr_assert_arr_eq(a, b, n, ...) \
	TSAN_CHECK(!memcmp((a), (b), (n)), #a " == " #b)
#define cr_expect(c, ...) cr_assert(c)
#define cr_expect_not(c, ...) TSAN_CHECK(!(c), "!" #c)
#define cr_expect_eq(a, b, ...) cr_assert_eq(a, b)
#define cr_expect_null(p, ...) cr_assert_null(p)
#define cr_expect_gt(a, b, ...) cr_assert_gt(a, b)
#define cr_expect_neq(a, b, ...) TSAN_CHECK((a) != (b), #a " != " #b)
#define cr_expect_leq(a, b, ...) cr_assert_leq(a, b)
#define cr_expect_float_eq(a, b, eps, ...)                   \
	TSAN_CHECK((a) - (b) <= (eps) && (b) - (a) <= (eps), \
		   #a " == " #b " within " #eps)

#endif
