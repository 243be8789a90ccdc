/* SPDX-License-Identifier: MIT */
/* The game world; see world.h for the concurrency design. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "game/world.h"

struct xg_world *xg_world_create(uint32_t capacity)
{
	struct xg_world *w;

	if (!capacity || capacity > XG_MAX_PLAYERS) {
		errno = EINVAL;
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->players = aligned_alloc(64, sizeof(*w->players) * capacity);
	if (!w->players) {
		free(w);
		errno = ENOMEM;
		return NULL;
	}
	memset(w->players, 0, sizeof(*w->players) * capacity);
	w->capacity = capacity;
	w->respawn_ns = XG_RESPAWN_MS * 1000000ull;
	return w;
}

void xg_world_destroy(struct xg_world *w)
{
	if (!w)
		return;
	free(w->players);
	free(w);
}

static struct xg_player *player(struct xg_world *w, uint32_t id)
{
	return id < w->capacity ? &w->players[id] : NULL;
}

static bool present(struct xg_player *p)
{
	return atomic_load_explicit(&p->last_seen, memory_order_acquire) != 0;
}

/* Store a position under the player's sequence lock. */
static void set_pos(struct xg_player *p, uint32_t x, uint32_t y, uint32_t z)
{
	uint32_t s = atomic_load_explicit(&p->seq, memory_order_relaxed);

	for (;;) {
		if (s & 1) {
			s = atomic_load_explicit(&p->seq, memory_order_relaxed);
			continue;
		}
		if (atomic_compare_exchange_weak_explicit(
			    &p->seq, &s, s + 1, memory_order_acquire,
			    memory_order_relaxed))
			break;
	}
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&p->x, x, memory_order_relaxed);
	atomic_store_explicit(&p->y, y, memory_order_relaxed);
	atomic_store_explicit(&p->z, z, memory_order_relaxed);
	atomic_store_explicit(&p->seq, s + 2, memory_order_release);
}

/* Alive now, respawning it if its delay has passed since its death. */
static bool alive(struct xg_world *w, struct xg_player *p, uint64_t now)
{
	uint64_t d;

	if (atomic_load_explicit(&p->health, memory_order_relaxed) > 0)
		return true;
	d = atomic_load_explicit(&p->died, memory_order_acquire);
	/* now < d: a batch stamped before the death (workers stamp their
	 * own batches); not a wrap-around to "long ago" */
	if (!d || now < d || now - d < w->respawn_ns)
		return false;
	/* one request elects the respawn: it clears 'died' */
	if (atomic_compare_exchange_strong_explicit(&p->died, &d, 0,
						    memory_order_acq_rel,
						    memory_order_relaxed)) {
		set_pos(p, 0, 0, 0);
		atomic_store_explicit(&p->health, XG_FULL_HEALTH,
				      memory_order_release);
		return true;
	}
	return atomic_load_explicit(&p->health, memory_order_acquire) > 0;
}

enum xg_status xg_world_spawn(struct xg_world *w, uint32_t id, uint64_t now)
{
	struct xg_player *p = player(w, id);

	if (!p)
		return XG_ST_UNKNOWN_PLAYER;
	if (!present(p)) {
		atomic_store_explicit(&p->died, 0, memory_order_relaxed);
		set_pos(p, 0, 0, 0);
		atomic_store_explicit(&p->health, XG_FULL_HEALTH,
				      memory_order_relaxed);
	}
	atomic_store_explicit(&p->last_seen, now ? now : 1,
			      memory_order_release);
	return XG_ST_OK;
}

void xg_world_leave(struct xg_world *w, uint32_t id)
{
	struct xg_player *p = player(w, id);

	if (!p)
		return;
	atomic_store_explicit(&p->last_seen, 0, memory_order_release);
	atomic_store_explicit(&p->health, 0, memory_order_relaxed);
	atomic_store_explicit(&p->died, 0, memory_order_relaxed);
}

enum xg_status xg_world_touch(struct xg_world *w, uint32_t id, uint64_t now)
{
	struct xg_player *p = player(w, id);

	if (!p || !present(p))
		return XG_ST_UNKNOWN_PLAYER;
	atomic_store_explicit(&p->last_seen, now ? now : 1,
			      memory_order_release);
	return XG_ST_OK;
}

enum xg_status xg_world_move(struct xg_world *w, uint32_t id, uint32_t x,
			     uint32_t y, uint32_t z, uint64_t now)
{
	struct xg_player *p = player(w, id);

	if (!p || !present(p))
		return XG_ST_UNKNOWN_PLAYER;
	atomic_store_explicit(&p->last_seen, now ? now : 1,
			      memory_order_release);
	if (!alive(w, p, now))
		return XG_ST_DEAD;
	if (!xg_coord_within(x, XG_F32_BITS_10000) ||
	    !xg_coord_within(y, XG_F32_BITS_10000) ||
	    !xg_coord_within(z, XG_F32_BITS_1000))
		return XG_ST_OUT_OF_BOUNDS;
	set_pos(p, x, y, z);
	return XG_ST_OK;
}

enum xg_status xg_world_attack(struct xg_world *w, uint32_t attacker,
			       uint32_t target, uint32_t damage, uint64_t now,
			       bool *killed)
{
	struct xg_player *a = player(w, attacker), *t = player(w, target);
	int32_t h, left;

	*killed = false;
	if (!a || !present(a))
		return XG_ST_UNKNOWN_PLAYER;
	atomic_store_explicit(&a->last_seen, now ? now : 1,
			      memory_order_release);
	if (!alive(w, a, now))
		return XG_ST_DEAD;
	if (!t || !present(t))
		return XG_ST_UNKNOWN_TARGET;
	if (!alive(w, t, now))
		return XG_ST_TARGET_DEAD;

	h = atomic_load_explicit(&t->health, memory_order_relaxed);
	do {
		if (h <= 0)
			return XG_ST_TARGET_DEAD;
		left = (uint32_t)h > damage ? h - (int32_t)damage : 0;
	} while (!atomic_compare_exchange_weak_explicit(
		&t->health, &h, left, memory_order_relaxed,
		memory_order_relaxed));
	if (left == 0) {
		*killed = true;
		atomic_store_explicit(&t->died, now ? now : 1,
				      memory_order_release);
	}
	return XG_ST_OK;
}

static float bits_to_float(uint32_t b)
{
	float f;

	memcpy(&f, &b, sizeof(f));
	return f;
}

int xg_world_get(const struct xg_world *w, uint32_t id,
		 struct xg_player_view *v)
{
	struct xg_player *p;
	uint32_t s1, s2, x, y, z;

	if (id >= w->capacity)
		return -ERANGE;
	p = &w->players[id];
	v->last_seen = atomic_load_explicit(&p->last_seen, memory_order_relaxed);
	if (!v->last_seen)
		return -ENOENT;
	do {
		s1 = atomic_load_explicit(&p->seq, memory_order_acquire);
		x = atomic_load_explicit(&p->x, memory_order_relaxed);
		y = atomic_load_explicit(&p->y, memory_order_relaxed);
		z = atomic_load_explicit(&p->z, memory_order_relaxed);
		atomic_thread_fence(memory_order_acquire);
		s2 = atomic_load_explicit(&p->seq, memory_order_relaxed);
	} while ((s1 & 1) || s1 != s2);
	v->x = bits_to_float(x);
	v->y = bits_to_float(y);
	v->z = bits_to_float(z);
	v->health = atomic_load_explicit(&p->health, memory_order_relaxed);
	return 0;
}
