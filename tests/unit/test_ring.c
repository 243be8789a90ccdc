/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the SPSC ring (user/ring.c): argument checks, full/empty
 * edges, per-item lengths, oversize items both ways, index wraparound, and
 * two-thread stress runs that check the order, length and bytes of every
 * item. This file links against ring.c alone: `make test` also builds it
 * with -fsanitize=thread (build/tests/threads-tsan), where the stress runs are
 * the tests that matter.
 *
 * Under ThreadSanitizer Criterion cannot run: see tests/tsan/runner.h.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>

#include "core/ring.h"

#ifdef __SANITIZE_THREAD__
#include "../tsan/runner.h"
#else
#include <criterion/criterion.h>
#endif /* __SANITIZE_THREAD__ */

/* Item payload for sequence number seq: the seq itself in the first 8
 * bytes (as far as len allows), then bytes that depend on seq and position,
 * so a torn, stale or misplaced item shows up as a byte mismatch. */
static void fill(unsigned char *buf, uint64_t seq, uint32_t len)
{
	uint32_t i;

	memcpy(buf, &seq, len < sizeof(seq) ? len : sizeof(seq));
	for (i = sizeof(seq); i < len; i++)
		buf[i] = (unsigned char)(seq * 131 + i * 7 + (seq >> 9));
}

/* Lengths cycle through 0..slot_size, so both extremes occur. */
static uint32_t len_of(uint64_t seq, uint32_t slot_size)
{
	return (uint32_t)(seq * 7 % (slot_size + 1));
}

Test(ring, create_rejects_bad_capacity)
{
	static const uint32_t bad[] = { 0, 1, 3, 5, 6, 7, 12, 100, 1023,
					(1u << 31) + 1, UINT32_MAX };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		cr_assert_null(xg_ring_create(bad[i], 16), "capacity %u",
			       bad[i]);
		cr_assert_eq(errno, EINVAL, "capacity %u: errno %d", bad[i],
			     errno);
	}
}

Test(ring, create_rejects_zero_slot_size)
{
	errno = 0;
	cr_assert_null(xg_ring_create(8, 0));
	cr_assert_eq(errno, EINVAL);
}

Test(ring, create_accepts_powers_of_two)
{
	uint32_t cap;

	for (cap = 2; cap <= 4096; cap <<= 1) {
		struct xg_ring *r = xg_ring_create(cap, 1);

		cr_assert_not_null(r, "capacity %u", cap);
		cr_assert_eq(xg_ring_capacity(r), cap);
		cr_assert_eq(xg_ring_count(r), 0);
		xg_ring_destroy(r);
	}
}

Test(ring, destroy_null)
{
	xg_ring_destroy(NULL);
}

Test(ring, full_at_exactly_capacity)
{
	struct xg_ring *r = xg_ring_create(16, 8);
	uint64_t v;
	uint32_t i;

	cr_assert_not_null(r);
	for (i = 0; i < 16; i++) {
		v = i;
		cr_assert_eq(xg_ring_push(r, &v, sizeof(v)), 0, "push %u", i);
		cr_assert_eq(xg_ring_count(r), i + 1);
	}
	v = 16;
	cr_assert_eq(xg_ring_push(r, &v, sizeof(v)), -ENOSPC);
	cr_assert_eq(xg_ring_push(r, NULL, 0), -ENOSPC);
	cr_assert_eq(xg_ring_count(r), 16);

	/* One pop makes room for exactly one push. */
	cr_assert_eq(xg_ring_pop(r, &v, sizeof(v)), (int)sizeof(v));
	cr_assert_eq(v, 0);
	v = 16;
	cr_assert_eq(xg_ring_push(r, &v, sizeof(v)), 0);
	cr_assert_eq(xg_ring_push(r, &v, sizeof(v)), -ENOSPC);

	for (i = 1; i <= 16; i++) {
		cr_assert_eq(xg_ring_pop(r, &v, sizeof(v)), (int)sizeof(v));
		cr_assert_eq(v, i);
	}
	cr_assert_eq(xg_ring_pop(r, &v, sizeof(v)), -EAGAIN);
	xg_ring_destroy(r);
}

Test(ring, pop_empty)
{
	struct xg_ring *r = xg_ring_create(4, 4);
	char buf[4];

	cr_assert_not_null(r);
	cr_assert_eq(xg_ring_pop(r, buf, sizeof(buf)), -EAGAIN);
	cr_assert_eq(xg_ring_pop(r, NULL, 0), -EAGAIN);
	cr_assert_eq(xg_ring_push(r, "abc", 3), 0);
	cr_assert_eq(xg_ring_pop(r, buf, sizeof(buf)), 3);
	cr_assert_eq(xg_ring_pop(r, buf, sizeof(buf)), -EAGAIN);
	cr_assert_eq(xg_ring_count(r), 0);
	xg_ring_destroy(r);
}

Test(ring, lengths_preserved)
{
	enum { SLOT = 37 };
	struct xg_ring *r = xg_ring_create(64, SLOT);
	unsigned char in[SLOT], out[SLOT + 8];
	uint32_t len;

	cr_assert_not_null(r);
	/* Every length from 0 to slot_size, slot_size first. */
	for (len = 0; len <= SLOT; len++) {
		fill(in, len, SLOT - len);
		cr_assert_eq(xg_ring_push(r, in, SLOT - len), 0);
	}
	for (len = 0; len <= SLOT; len++) {
		uint32_t want = SLOT - len;

		memset(out, 0xee, sizeof(out));
		cr_assert_eq(xg_ring_pop(r, out, sizeof(out)), (int)want,
			     "item %u", len);
		fill(in, len, want);
		cr_assert_arr_eq(out, in, want, "item %u bytes", len);
		/* Nothing beyond the item was written. */
		cr_assert_eq(out[want], 0xee, "item %u overran", len);
	}
	xg_ring_destroy(r);
}

Test(ring, zero_length_items)
{
	struct xg_ring *r = xg_ring_create(2, 1);

	cr_assert_not_null(r);
	cr_assert_eq(xg_ring_push(r, NULL, 0), 0);
	cr_assert_eq(xg_ring_push(r, "x", 1), 0);
	cr_assert_eq(xg_ring_push(r, NULL, 0), -ENOSPC);
	cr_assert_eq(xg_ring_pop(r, NULL, 0), 0);
	/* A 1-byte item does not fit in 0 bytes and stays put. */
	cr_assert_eq(xg_ring_pop(r, NULL, 0), -EMSGSIZE);
	xg_ring_destroy(r);
}

Test(ring, msgsize_push)
{
	struct xg_ring *r = xg_ring_create(4, 8);
	char buf[9] = "12345678";

	cr_assert_not_null(r);
	cr_assert_eq(xg_ring_push(r, buf, 9), -EMSGSIZE);
	cr_assert_eq(xg_ring_push(r, buf, UINT32_MAX), -EMSGSIZE);
	cr_assert_eq(xg_ring_count(r), 0);
	cr_assert_eq(xg_ring_push(r, buf, 8), 0);
	cr_assert_eq(xg_ring_count(r), 1);
	xg_ring_destroy(r);
}

Test(ring, msgsize_pop_keeps_item)
{
	struct xg_ring *r = xg_ring_create(4, 16);
	char out[16];

	cr_assert_not_null(r);
	cr_assert_eq(xg_ring_push(r, "hello world", 11), 0);
	cr_assert_eq(xg_ring_push(r, "second", 6), 0);
	memset(out, 0, sizeof(out));
	cr_assert_eq(xg_ring_pop(r, out, 10), -EMSGSIZE);
	cr_assert_eq(xg_ring_pop(r, out, 0), -EMSGSIZE);
	cr_assert_eq(xg_ring_count(r), 2);
	cr_assert_eq(out[0], 0, "a refused pop must not copy");
	cr_assert_eq(xg_ring_pop(r, out, 11), 11);
	cr_assert_arr_eq(out, "hello world", 11);
	cr_assert_eq(xg_ring_pop(r, out, sizeof(out)), 6);
	cr_assert_arr_eq(out, "second", 6);
	xg_ring_destroy(r);
}

/* Single-threaded: run the indices around the ring many times with varying
 * fill levels, checking every item. */
Test(ring, wraparound)
{
	enum { CAP = 8, SLOT = 24, ROUNDS = 20000 };
	struct xg_ring *r = xg_ring_create(CAP, SLOT);
	unsigned char in[SLOT], out[SLOT];
	uint64_t pushed = 0, popped = 0;
	uint32_t round, k, n, len;

	cr_assert_not_null(r);
	for (round = 0; round < ROUNDS; round++) {
		n = round % (CAP + 1); /* 0..CAP items this round */
		for (k = 0; k < n; k++) {
			len = len_of(pushed, SLOT);
			fill(in, pushed, len);
			if (xg_ring_push(r, in, len) == -ENOSPC)
				break;
			pushed++;
		}
		cr_assert_leq(pushed - popped, CAP);
		cr_assert_eq(xg_ring_count(r), pushed - popped);
		n = (round * 5 + 3) % (CAP + 1);
		for (k = 0; k < n && popped < pushed; k++) {
			len = len_of(popped, SLOT);
			cr_assert_eq(xg_ring_pop(r, out, sizeof(out)), (int)len,
				     "item %lu", (unsigned long)popped);
			fill(in, popped, len);
			cr_assert_arr_eq(out, in, len, "item %lu",
					 (unsigned long)popped);
			popped++;
		}
	}
	/* The indices went around the ring thousands of times. (Their own
	 * wrap at 2^32 would take minutes to reach; it is plain modular
	 * arithmetic, see ring.c.) */
	cr_assert_gt(pushed, (uint64_t)CAP * 1000);
	xg_ring_destroy(r);
}

/* ---- two threads ---- */

struct stress {
	struct xg_ring *r;
	uint64_t n;
	uint32_t slot;
	/* consumer results, read by the test after join */
	uint64_t received;
	uint64_t bad_seq; /* first item that failed a check, if any */
	int bad_ret;
	const char *bad_what; /* also polled by the producer, atomically */
};

static void *consumer(void *arg)
{
	struct stress *s = arg;
	unsigned char want[256], got[256];
	const char *what;
	uint64_t seq;
	uint32_t len;
	int ret;

	for (seq = 0; seq < s->n;) {
		ret = xg_ring_pop(s->r, got, sizeof(got));
		if (ret == -EAGAIN) {
			sched_yield();
			continue;
		}
		len = len_of(seq, s->slot);
		if (ret != (int)len) {
			what = "length";
			goto bad;
		}
		fill(want, seq, len);
		if (memcmp(got, want, len)) {
			what = "payload";
			goto bad;
		}
		seq++;
		s->received = seq;
	}
	/* Nothing extra. */
	ret = xg_ring_pop(s->r, got, sizeof(got));
	if (ret != -EAGAIN) {
		what = "extra item";
		goto bad;
	}
	return NULL;
bad:
	s->bad_seq = seq;
	s->bad_ret = ret;
	__atomic_store_n(&s->bad_what, what, __ATOMIC_RELEASE);
	return NULL;
}

static void run_stress(uint32_t capacity, uint32_t slot, uint64_t n)
{
	struct stress s = { .n = n, .slot = slot };
	unsigned char buf[256];
	pthread_t t;
	uint64_t seq;
	uint32_t len;
	int ret;

	cr_assert_leq(slot, sizeof(buf));
	s.r = xg_ring_create(capacity, slot);
	cr_assert_not_null(s.r);
	cr_assert_eq(pthread_create(&t, NULL, consumer, &s), 0);

	for (seq = 0; seq < n; seq++) {
		len = len_of(seq, slot);
		fill(buf, seq, len);
		while ((ret = xg_ring_push(s.r, buf, len)) == -ENOSPC) {
			if (__atomic_load_n(&s.bad_what, __ATOMIC_RELAXED))
				break;
			sched_yield();
		}
		if (ret == -ENOSPC)
			break; /* consumer gave up */
		cr_assert_eq(ret, 0, "push %lu: %d", (unsigned long)seq, ret);
	}
	cr_assert_eq(pthread_join(t, NULL), 0);
	cr_assert_null(s.bad_what, "item %lu: bad %s (pop returned %d)",
		       (unsigned long)s.bad_seq, s.bad_what, s.bad_ret);
	cr_assert_eq(s.received, n, "received %lu of %lu",
		     (unsigned long)s.received, (unsigned long)n);
	cr_assert_eq(xg_ring_count(s.r), 0);
	xg_ring_destroy(s.r);
}

Test(ring, stress_two_threads, .timeout = 60)
{
	run_stress(1024, 64, 1000000);
}

/* The smallest ring: producer and consumer meet at full and empty on
 * nearly every item. */
Test(ring, stress_tiny_ring, .timeout = 60)
{
	run_stress(2, 17, 100000);
}
