/* SPDX-License-Identifier: MIT */
/*
 * The project's one lock-free single-producer/single-consumer ring.
 *
 * Items are copied in and out by value (at most slot_size bytes each; every
 * slot remembers its item's length, so items may vary in size, 0 included).
 * Exactly one thread may push and exactly one thread may pop; they may be
 * different threads and need no other synchronisation. Neither call blocks:
 * push fails with -ENOSPC when the ring is full, pop with -EAGAIN when it is
 * empty, and the caller decides whether to retry, yield or drop.
 *
 * The implementation (ring.c) uses C11 acquire/release atomics only, keeps
 * the producer's and the consumer's indices on separate cache lines and has
 * each side cache the other side's index, so a steady stream touches the
 * shared lines about once per ring-full of items rather than once per item.
 */
#ifndef XDPGAME_RING_H
#define XDPGAME_RING_H

#include <stdint.h>

struct xg_ring;

/* capacity: number of slots, a power of two >= 2 (at most 2^31);
 * slot_size: largest item in bytes, 1..INT_MAX.
 * Returns NULL with errno = EINVAL for bad arguments, ENOMEM if the slots
 * cannot be allocated. */
struct xg_ring *xg_ring_create(uint32_t capacity, uint32_t slot_size);

/* NULL-safe. Neither side may be using the ring any more. */
void xg_ring_destroy(struct xg_ring *r);

/* Producer only. Copies len bytes of item (item may be NULL if len is 0).
 * 0, -ENOSPC if the ring is full, -EMSGSIZE if len > slot_size. */
int xg_ring_push(struct xg_ring *r, const void *item, uint32_t len);

/* Consumer only. Copies the oldest item into out (cap bytes available) and
 * returns its length (>= 0). -EAGAIN if the ring is empty, -EMSGSIZE if the
 * item is longer than cap (the item then stays in the ring). */
int xg_ring_pop(struct xg_ring *r, void *out, uint32_t cap);

/* Items in the ring, 0..capacity; any thread, exact only when both sides
 * are quiescent. */
uint32_t xg_ring_count(const struct xg_ring *r);

uint32_t xg_ring_capacity(const struct xg_ring *r);

#endif /* XDPGAME_RING_H */
