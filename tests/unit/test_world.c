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
	/* a request does not create a player: only a session's spawn does */
	cr_expect_eq(xg_world_touch(w, 3, 1), XG_ST_UNKNOWN_PLAYER);
	cr_expect_eq(xg_world_move(w, 3, 0, 0, 0, 1), XG_ST_UNKNOWN_PLAYER);
	cr_expect_eq(xg_world_get(w, 3, &v), -ENOENT);
	cr_expect_eq(xg_world_spawn(w, 4, 1), XG_ST_UNKNOWN_PLAYER);
	cr_expect_eq(xg_world_spawn(w, 3, 0), XG_ST_OK); /* now 0 still counts */
	cr_expect_eq(xg_world_get(w, 3, &v), 0);
	cr_expect_eq(v.health, XG_FULL_HEALTH);
	cr_expect_eq(xg_world_touch(w, 3, 0), XG_ST_OK);
	xg_world_destroy(w);
}

Test(world, spawn_at_origin_leave_and_spawn_again)
{
	struct xg_world *w = xg_world_create(4);
	struct xg_player_view v;
	bool killed;

	cr_expect_eq(xg_world_spawn(w, 1, 10), XG_ST_OK);
	cr_expect_eq(xg_world_spawn(w, 2, 10), XG_ST_OK);
	cr_expect_eq(xg_world_move(w, 1, xg_f32_bits(5), xg_f32_bits(6),
				   xg_f32_bits(7), 11), XG_ST_OK);
	cr_expect_eq(xg_world_attack(w, 2, 1, 100, 12, &killed), XG_ST_OK);
	/* a second spawn (a session renewed) keeps the player as it is */
	cr_expect_eq(xg_world_spawn(w, 1, 13), XG_ST_OK);
	cr_assert_eq(xg_world_get(w, 1, &v), 0);
	cr_expect_float_eq(v.x, 5, 0);
	cr_expect_eq(v.health, XG_FULL_HEALTH - 100);
	cr_expect_eq(v.last_seen, 13);
	/* leave: gone; not a target any more */
	xg_world_leave(w, 1);
	xg_world_leave(w, 9); /* beyond capacity: nothing */
	cr_expect_eq(xg_world_get(w, 1, &v), -ENOENT);
	cr_expect_eq(xg_world_attack(w, 2, 1, 1, 14, &killed),
		     XG_ST_UNKNOWN_TARGET);
	cr_expect_eq(xg_world_attack(w, 1, 2, 1, 14, &killed),
		     XG_ST_UNKNOWN_PLAYER);
	/* back: at the origin, full health */
	cr_expect_eq(xg_world_spawn(w, 1, 15), XG_ST_OK);
	cr_assert_eq(xg_world_get(w, 1, &v), 0);
	cr_expect_float_eq(v.x, 0, 0);
	cr_expect_float_eq(v.y, 0, 0);
	cr_expect_float_eq(v.z, 0, 0);
	cr_expect_eq(v.health, XG_FULL_HEALTH);
	xg_world_destroy(w);
}

Test(world, damage_saturates_at_zero)
{
	struct xg_world *w = xg_world_create(4);
	struct xg_player_view v;
	bool killed;

	xg_world_spawn(w, 0, 5);
	xg_world_spawn(w, 1, 5);
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

/* A dead player can neither move nor attack until the respawn delay has
 * passed since its death; then the first request brings it back at the
 * origin with full health. */
Test(world, dead_actor_then_respawn_after_the_delay)
{
	struct xg_world *w = xg_world_create(4);
	struct xg_player_view v;
	const uint64_t t = 1000000;
	bool killed;

	w->respawn_ns = 1000;
	xg_world_spawn(w, 0, 5);
	xg_world_spawn(w, 1, 5);
	cr_expect_eq(xg_world_move(w, 1, xg_f32_bits(9), 0, 0, 6), XG_ST_OK);
	cr_expect_eq(xg_world_attack(w, 0, 1, XG_FULL_HEALTH, t, &killed),
		     XG_ST_OK);
	cr_expect(killed);
	cr_expect_eq(xg_world_move(w, 1, 0, 0, 0, t + 1), XG_ST_DEAD);
	cr_expect_eq(xg_world_attack(w, 1, 0, 1, t + 2, &killed), XG_ST_DEAD);
	cr_expect_eq(xg_world_attack(w, 0, 1, 1, t + 999, &killed),
		     XG_ST_TARGET_DEAD);
	/* a request timed before the death (another worker's batch) does not
	 * respawn it early */
	cr_expect_eq(xg_world_move(w, 1, 0, 0, 0, t - 1), XG_ST_DEAD);
	cr_expect_eq(xg_world_attack(w, 0, 1, 1, t - 1, &killed),
		     XG_ST_TARGET_DEAD);
	xg_world_get(w, 1, &v);
	cr_expect_eq(v.health, 0);
	/* the delay has passed: the attack respawns its target first */
	cr_expect_eq(xg_world_attack(w, 0, 1, 10, t + 1000, &killed), XG_ST_OK);
	cr_expect_not(killed);
	cr_assert_eq(xg_world_get(w, 1, &v), 0);
	cr_expect_eq(v.health, XG_FULL_HEALTH - 10);
	cr_expect_float_eq(v.x, 0, 0);
	cr_expect_eq(xg_world_move(w, 1, xg_f32_bits(3), 0, 0, t + 1001),
		     XG_ST_OK);
	xg_world_destroy(w);
}

/* A dead player that leaves and comes back is alive at once. */
Test(world, leave_clears_death)
{
	struct xg_world *w = xg_world_create(4);
	struct xg_player_view v;
	bool killed;

	xg_world_spawn(w, 0, 5);
	xg_world_spawn(w, 1, 5);
	xg_world_attack(w, 0, 1, XG_FULL_HEALTH, 6, &killed);
	cr_expect(killed);
	xg_world_leave(w, 1);
	xg_world_spawn(w, 1, 7);
	cr_assert_eq(xg_world_get(w, 1, &v), 0);
	cr_expect_eq(v.health, XG_FULL_HEALTH);
	cr_expect_eq(xg_world_move(w, 1, 0, 0, 0, 8), XG_ST_OK);
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

	xg_world_spawn(w, 7, 1);
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

	xg_world_spawn(w, 0, 1);
	xg_world_spawn(w, 1, 1);
	pthread_create(&t[0], NULL, attack_thread, w);
	pthread_create(&t[1], NULL, attack_thread, w);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	xg_world_get(w, 1, &v);
	cr_expect_eq(v.health, XG_FULL_HEALTH - 800);
	xg_world_destroy(w);
}

/* Sessions open and end while other workers' requests touch the player:
 * a reader sees the player absent, or a consistent copy of it (position
 * not torn, health within bounds); no request crashes or races. */
struct churn {
	struct xg_world *w;
	_Atomic int stop;
	int bad;
};

static void *spawn_leave_thread(void *arg)
{
	struct churn *c = arg;

	for (int i = 0; i < ITER / 4; i++) {
		xg_world_spawn(c->w, 5, (uint64_t)i + 1);
		xg_world_leave(c->w, 5);
	}
	xg_world_spawn(c->w, 5, 1);
	atomic_store(&c->stop, 1);
	return NULL;
}

static void *request_thread(void *arg)
{
	struct churn *c = arg;
	struct xg_player_view v;
	enum xg_status st;
	bool killed;
	uint64_t i = 1;

	while (!atomic_load(&c->stop)) {
		float k = (float)(i % 1000);

		st = xg_world_move(c->w, 5, xg_f32_bits(k), xg_f32_bits(k),
				   xg_f32_bits(-k / 10), i);
		if (st != XG_ST_OK && st != XG_ST_UNKNOWN_PLAYER &&
		    st != XG_ST_DEAD)
			c->bad++;
		st = xg_world_attack(c->w, 6, 5, 1, i, &killed);
		if (st != XG_ST_OK && st != XG_ST_UNKNOWN_TARGET &&
		    st != XG_ST_TARGET_DEAD)
			c->bad++;
		if (!xg_world_get(c->w, 5, &v) &&
		    (v.x != v.y || v.z != -v.x / 10 || v.health < 0 ||
		     v.health > XG_FULL_HEALTH))
			c->bad++;
		i++;
	}
	return NULL;
}

Test(world, concurrent_spawn_leave_and_requests)
{
	struct xg_world *w = xg_world_create(16);
	struct churn c = { .w = w };
	pthread_t ts, tr;
	struct xg_player_view v;

	xg_world_spawn(w, 6, 1);
	pthread_create(&tr, NULL, request_thread, &c);
	pthread_create(&ts, NULL, spawn_leave_thread, &c);
	pthread_join(ts, NULL);
	pthread_join(tr, NULL);
	cr_expect_eq(c.bad, 0, "%d bad statuses or torn reads", c.bad);
	cr_assert_eq(xg_world_get(w, 5, &v), 0);
	xg_world_destroy(w);
}

/* A dead player's respawn is elected once: two workers attacking it, both
 * past the delay, respawn it once between them, and every attack that
 * says OK took its damage from the respawned health. */
enum { RESPAWN_ROUNDS = 200, RESPAWN_HITS = 50 };

struct respawner {
	struct xg_world *w;
	pthread_barrier_t *bar;
	int ok[RESPAWN_ROUNDS];
};

static uint64_t round_time(int r)
{
	return (uint64_t)(r + 1) * 1000000;
}

static void *respawn_attack_thread(void *arg)
{
	struct respawner *a = arg;
	bool killed;

	for (int r = 0; r < RESPAWN_ROUNDS; r++) {
		pthread_barrier_wait(a->bar);
		a->ok[r] = 0;
		for (int i = 0; i < RESPAWN_HITS; i++)
			if (xg_world_attack(a->w, 0, 1, 1,
					    round_time(r) + a->w->respawn_ns,
					    &killed) == XG_ST_OK)
				a->ok[r]++;
		pthread_barrier_wait(a->bar);
	}
	return NULL;
}

Test(world, concurrent_respawn_is_elected_once)
{
	struct xg_world *w = xg_world_create(4);
	pthread_barrier_t bar;
	struct respawner a = { .w = w, .bar = &bar },
			 b = { .w = w, .bar = &bar };
	struct xg_player_view v;
	pthread_t ta, tb;
	bool killed;
	int bad = 0;

	w->respawn_ns = 1000;
	xg_world_spawn(w, 0, 1);
	xg_world_spawn(w, 1, 1);
	pthread_barrier_init(&bar, NULL, 3);
	pthread_create(&ta, NULL, respawn_attack_thread, &a);
	pthread_create(&tb, NULL, respawn_attack_thread, &b);
	for (int r = 0; r < RESPAWN_ROUNDS; r++) {
		xg_world_attack(w, 0, 1, XG_FULL_HEALTH, round_time(r), &killed);
		if (!killed)
			bad++;
		pthread_barrier_wait(&bar);
		pthread_barrier_wait(&bar);
		xg_world_get(w, 1, &v);
		if (v.health != XG_FULL_HEALTH - a.ok[r] - b.ok[r] ||
		    a.ok[r] + b.ok[r] == 0)
			bad++;
	}
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	pthread_barrier_destroy(&bar);
	cr_expect_eq(bad, 0, "%d rounds respawned wrong", bad);
	xg_world_destroy(w);
}
