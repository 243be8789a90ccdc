/* SPDX-License-Identifier: MIT */
/*
 * Single-producer/single-consumer ring: see ring.h for the contract.
 *
 * Indices are free-running uint32_t counters (head: next slot the producer
 * writes, tail: next slot the consumer reads); slot = index & mask, and
 * head - tail, computed modulo 2^32, is the fill level, which is why the
 * capacity must be a power of two no larger than 2^31.
 *
 * Memory ordering, C11 only (no volatile, no full fences):
 *  - the producer writes a slot (length and bytes) with plain stores, then
 *    publishes it with a release store of head; the consumer's acquire load
 *    of head makes those bytes visible before it reads them;
 *  - the consumer copies a slot out, then frees it with a release store of
 *    tail; the producer's acquire load of tail orders its later overwrite of
 *    that slot after the consumer's reads.
 * Each side loads its own index relaxed (only it writes it).
 *
 * Layout: one allocation, cache-line aligned. The producer's line holds head
 * and the producer's cached copy of tail; the consumer's line holds tail and
 * its cached copy of head; a third line holds the read-only geometry; the
 * slots follow. A side reloads the other's index only when its cached copy
 * says the ring is full (producer) or empty (consumer), so in a steady stream
 * the two lines do not bounce between cores on every item.
 *
 * A slot is an 8-byte header holding the item's length, then slot_size bytes
 * rounded up to 8, so every item starts 8-byte aligned.
 */
#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/ring.h"
#include "core/stats.h" /* XG_CACHELINE */

enum {
	RING_SLOT_HDR = 8, /* bytes before an item's data; holds its length */
};

struct xg_ring {
	struct {
		atomic_uint_least32_t head; /* written by the producer only */
		uint32_t tail_cache;        /* producer's last view of tail */
	} prod __attribute__((aligned(XG_CACHELINE)));
	struct {
		atomic_uint_least32_t tail; /* written by the consumer only */
		uint32_t head_cache;        /* consumer's last view of head */
	} cons __attribute__((aligned(XG_CACHELINE)));
	struct {
		uint32_t capacity; /* slots, a power of two */
		uint32_t mask;     /* capacity - 1 */
		uint32_t slot_size; /* largest item, bytes */
		size_t stride;     /* bytes from one slot to the next */
		unsigned char *slots;
	} geo __attribute__((aligned(XG_CACHELINE)));
};

_Static_assert(offsetof(struct xg_ring, cons) -
		       offsetof(struct xg_ring, prod) >= XG_CACHELINE,
	       "producer and consumer indices must not share a cache line");
_Static_assert(offsetof(struct xg_ring, geo) -
		       offsetof(struct xg_ring, cons) >= XG_CACHELINE,
	       "consumer index must not share a line with the geometry");
_Static_assert(sizeof(struct xg_ring) % XG_CACHELINE == 0,
	       "slots must start on a cache line");

struct xg_ring *xg_ring_create(uint32_t capacity, uint32_t slot_size)
{
	struct xg_ring *r;
	size_t stride, bytes;
	void *mem;
	int err;

	if (capacity < 2 || (capacity & (capacity - 1)) || !slot_size ||
	    slot_size > INT_MAX) {
		errno = EINVAL;
		return NULL;
	}
	stride = RING_SLOT_HDR + (((size_t)slot_size + 7) & ~(size_t)7);
	if (__builtin_mul_overflow(stride, (size_t)capacity, &bytes) ||
	    __builtin_add_overflow(bytes, sizeof(*r), &bytes)) {
		errno = ENOMEM;
		return NULL;
	}
	err = posix_memalign(&mem, XG_CACHELINE, bytes);
	if (err) {
		errno = err;
		return NULL;
	}
	r = mem;
	memset(r, 0, sizeof(*r));
	atomic_init(&r->prod.head, 0);
	atomic_init(&r->cons.tail, 0);
	r->geo.capacity = capacity;
	r->geo.mask = capacity - 1;
	r->geo.slot_size = slot_size;
	r->geo.stride = stride;
	r->geo.slots = (unsigned char *)(r + 1);
	return r;
}

void xg_ring_destroy(struct xg_ring *r)
{
	free(r);
}

static inline unsigned char *ring_slot(const struct xg_ring *r, uint32_t idx)
{
	return r->geo.slots + (size_t)(idx & r->geo.mask) * r->geo.stride;
}

int xg_ring_push(struct xg_ring *r, const void *item, uint32_t len)
{
	uint32_t head, l32 = len;
	unsigned char *slot;

	if (len > r->geo.slot_size)
		return -EMSGSIZE;
	head = atomic_load_explicit(&r->prod.head, memory_order_relaxed);
	if (head - r->prod.tail_cache >= r->geo.capacity) {
		r->prod.tail_cache = atomic_load_explicit(&r->cons.tail,
							  memory_order_acquire);
		if (head - r->prod.tail_cache >= r->geo.capacity)
			return -ENOSPC;
	}
	slot = ring_slot(r, head);
	memcpy(slot, &l32, sizeof(l32));
	if (len)
		memcpy(slot + RING_SLOT_HDR, item, len);
	atomic_store_explicit(&r->prod.head, head + 1, memory_order_release);
	return 0;
}

int xg_ring_pop(struct xg_ring *r, void *out, uint32_t cap)
{
	const unsigned char *slot;
	uint32_t tail, len;

	tail = atomic_load_explicit(&r->cons.tail, memory_order_relaxed);
	if (tail == r->cons.head_cache) {
		r->cons.head_cache = atomic_load_explicit(&r->prod.head,
							  memory_order_acquire);
		if (tail == r->cons.head_cache)
			return -EAGAIN;
	}
	slot = ring_slot(r, tail);
	memcpy(&len, slot, sizeof(len));
	if (len > cap)
		return -EMSGSIZE;
	if (len)
		memcpy(out, slot + RING_SLOT_HDR, len);
	atomic_store_explicit(&r->cons.tail, tail + 1, memory_order_release);
	return (int)len;
}

uint32_t xg_ring_count(const struct xg_ring *r)
{
	uint32_t head, tail, n;

	/* Read tail before head (the acquire orders the two loads): head was
	 * already >= that tail and only grows, so n cannot go negative; it
	 * can exceed capacity if both sides moved in between, hence the
	 * clamp. */
	tail = atomic_load_explicit(&r->cons.tail, memory_order_acquire);
	head = atomic_load_explicit(&r->prod.head, memory_order_acquire);
	n = head - tail;
	return n > r->geo.capacity ? r->geo.capacity : n;
}

uint32_t xg_ring_capacity(const struct xg_ring *r)
{
	return r->geo.capacity;
}
