/* SPDX-License-Identifier: MIT */
/* The world: capacity, moves, attacks, and concurrent updates. `make test`
 * also builds this file with -fsanitize=thread, so the threaded tests check
 * both the invariants (no torn position, no lost damage) and the races. */
#ifdef __SANITIZE_THREAD__
#include "../tsan/runner.h"
#else
#include <criterion/criterion.h>
#endif
#include <errno.h>
#include <pthread.h>

#include "game/msg.h"
#include "game/world.h"

Test(world, create_rejects_bad_capacity)
{
	cr_expect_null(xg_world_create(0));
	cr_expect_eq(errno, EINVAL);
	cr_expect_null(xg_world_create(XG_MAX_PLAYERS + 1));
	xg_world_destroy(NULL);
}

Test(world, unseen_player)
{
	struct xg_world *w = xg_world_create(4);
	struct xg_player_view v;

	cr_expect_eq(xg_world_get(w, 1, &v), -ENOENT);
	cr_expect_eq(xg_world_get(w, 4, &v), -ERANGE);
	cr_expect_eq(xg_world_touch(w, 4, 1), XG_ST_UNKNOWN_PLAYER);
	cr_expect_eq(xg_world_touch(w, 3, 0), XG_ST_OK); /* now 0 still counts */
	cr_expect_eq(xg_world_get(w, 3, &v), 0);
	cr_expect_eq(v.health, XG_FULL_HEALTH);
	xg_world_destroy(w);
}

Test(world, damage_saturates_at_zero)
{
	struct xg_world *w = xg_world_create(4);
	struct xg_player_view v;
	bool killed;

	xg_world_touch(w, 1, 5);
	cr_expect_eq(xg_world_attack(w, 0, 1, 400, 6, &killed), XG_ST_OK);
	cr_expect_not(killed);
	cr_expect_eq(xg_world_attack(w, 0, 1, 65535, 7, &killed), XG_ST_OK);
	cr_expect(killed);
	xg_world_get(w, 1, &v);
	cr_expect_eq(v.health, 0);
	cr_expect_eq(xg_world_attack(w, 0, 1, 1, 8, &killed), XG_ST_TARGET_DEAD);
	cr_expect_not(killed);
	/* seeing a dead player again does not revive it */
	xg_world_touch(w, 1, 9);
	xg_world_get(w, 1, &v);
	cr_expect_eq(v.health, 0);
	xg_world_destroy(w);
}

struct mover {
	struct xg_world *w;
	float base;
	int bad;
};

enum { ITER = 200000 };

/* Writers move one player to (k, k, -k); a reader must never see a torn
 * position such as (k1, k2, ...) with k1 != k2. */
static void *move_thread(void *arg)
{
	struct mover *m = arg;

	for (int i = 0; i < ITER; i++) {
		float k = m->base + (float)(i % 1000);

		xg_world_move(m->w, 7, xg_f32_bits(k), xg_f32_bits(k),
			      xg_f32_bits(-k / 10), (uint64_t)i + 1);
	}
	return NULL;
}

static void *read_thread(void *arg)
{
	struct mover *m = arg;
	struct xg_player_view v;

	for (int i = 0; i < ITER; i++)
		if (!xg_world_get(m->w, 7, &v) &&
		    (v.x != v.y || v.z != -v.x / 10))
			m->bad++;
	return NULL;
}

Test(world, concurrent_moves_are_never_torn)
{
	struct xg_world *w = xg_world_create(16);
	struct mover a = { w, 0, 0 }, b = { w, 5000, 0 }, r = { w, 0, 0 };
	pthread_t ta, tb, tr;

	xg_world_touch(w, 7, 1);
	pthread_create(&ta, NULL, move_thread, &a);
	pthread_create(&tb, NULL, move_thread, &b);
	pthread_create(&tr, NULL, read_thread, &r);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	pthread_join(tr, NULL);
	cr_expect_eq(r.bad, 0, "%d torn reads", r.bad);
	xg_world_destroy(w);
}

static void *attack_thread(void *arg)
{
	struct xg_world *w = arg;
	bool killed;

	for (int i = 0; i < 400; i++)
		xg_world_attack(w, 0, 1, 1, 1, &killed);
	return NULL;
}

Test(world, concurrent_attacks_lose_no_damage)
{
	struct xg_world *w = xg_world_create(4);
	struct xg_player_view v;
	pthread_t t[2];

	xg_world_touch(w, 0, 1);
	xg_world_touch(w, 1, 1);
	pthread_create(&t[0], NULL, attack_thread, w);
	pthread_create(&t[1], NULL, attack_thread, w);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	xg_world_get(w, 1, &v);
	cr_expect_eq(v.health, XG_FULL_HEALTH - 800);
	xg_world_destroy(w);
}
