/* SPDX-License-Identifier: MIT */
/*
 * Sessions under concurrency: `make test` also builds this file with
 * -fsanitize=thread (tests/tsan/runner.h), so these check both the
 * invariants and the races. A session and its player's presence in the
 * world go together: whatever order workers open, renew and end the
 * session in, and the main thread's expiry sweep with them, a player has
 * a session exactly when it is in the world, and `live` counts sessions.
 */
#ifdef __SANITIZE_THREAD__
#include "../tsan/runner.h"
#else
#include <criterion/criterion.h>
#endif
#include <arpa/inet.h>
#include <pthread.h>
#include <string.h>

#include "game/msg.h"
#include "game/session.h"
#include "game/world.h"

enum { ROUNDS = 5000, PLAYER = 5 };

static struct xg_peer peer(uint8_t host)
{
	struct xg_peer p;

	memset(&p, 0, sizeof(p));
	xg_addr_from_v4(&p.addr, htonl(0x0a000000u | host));
	p.port = htons(40000);
	return p;
}

struct racer {
	struct xg_sessions *s;
	pthread_barrier_t *bar;
	int role; /* 0: open (renew), 1: close, 2: admit */
	uint64_t *token; /* the opener's latest, shared */
	int admitted;
};

static void *race_thread(void *arg)
{
	struct racer *r = arg;
	struct xg_peer p = peer(2);
	union {
		struct xg_hdr h;
		unsigned char b[XG_MAX_MSG_SIZE];
	} m;
	uint64_t tok;

	for (int i = 0; i < ROUNDS; i++) {
		pthread_barrier_wait(r->bar);
		switch (r->role) {
		case 0:
			if (xg_session_open(r->s, PLAYER, &p, 1000 + (uint64_t)i,
					    &tok) == XG_ST_OK)
				__atomic_store_n(r->token, tok,
						 __ATOMIC_RELAXED);
			break;
		case 1:
			xg_session_close(r->s, PLAYER);
			break;
		default:
			xg_msg_heartbeat(m.b, (uint32_t)i + 1, PLAYER,
					 __atomic_load_n(r->token,
							 __ATOMIC_RELAXED),
					 1);
			if (xg_session_admit(r->s, &m.h, &p,
					     1000 + (uint64_t)i) ==
			    XG_DENY_NONE)
				r->admitted++;
		}
		pthread_barrier_wait(r->bar);
	}
	return NULL;
}

Test(session_threads, open_close_and_admit_race)
{
	struct xg_world *w = xg_world_create(16);
	struct xg_sessions *s = xg_sessions_create(w, NULL);
	struct xg_player_view v;
	pthread_barrier_t bar;
	struct racer r[2];
	pthread_t t[2];
	uint64_t token = 0;
	int bad = 0;

	cr_assert(w && s);
	pthread_barrier_init(&bar, NULL, 3);
	for (int i = 0; i < 2; i++) {
		r[i] = (struct racer){ .s = s, .bar = &bar, .role = i,
				       .token = &token };
		pthread_create(&t[i], NULL, race_thread, &r[i]);
	}
	for (int i = 0; i < ROUNDS; i++) {
		pthread_barrier_wait(&bar);
		pthread_barrier_wait(&bar);
		/* both done: the session and the world agree */
		bool has = __atomic_load_n(&s->slots[PLAYER].token,
					   __ATOMIC_RELAXED) != 0;
		bool in = xg_world_get(w, PLAYER, &v) == 0;

		if (has != in || xg_sessions_live(s) != (uint32_t)has)
			bad++;
	}
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&bar);
	cr_expect_eq(bad, 0, "%d rounds where session and world disagree",
		     bad);
	xg_sessions_destroy(s);
	xg_world_destroy(w);
}

/* A worker admits requests while another renews the session and the main
 * thread sweeps: no race, and every admitted request carried a token the
 * session had. */
Test(session_threads, admit_renew_and_tick)
{
	struct xg_limits l;
	struct xg_world *w = xg_world_create(16);
	struct xg_sessions *s;
	pthread_barrier_t bar;
	struct racer opener, admitter;
	uint64_t token = 0;
	pthread_t to, ta;

	xg_limits_default(&l);
	l.session_rate = 0; /* no budget: every request counts */
	s = xg_sessions_create(w, &l);
	cr_assert(w && s);
	pthread_barrier_init(&bar, NULL, 3);
	opener = (struct racer){ .s = s, .bar = &bar, .role = 0,
				 .token = &token };
	admitter = (struct racer){ .s = s, .bar = &bar, .role = 2,
				   .token = &token };
	pthread_create(&to, NULL, race_thread, &opener);
	pthread_create(&ta, NULL, race_thread, &admitter);
	for (int i = 0; i < ROUNDS; i++) {
		pthread_barrier_wait(&bar);
		if (i % 64 == 0) /* a sweep reads all 65,536 slots */
			xg_sessions_tick(s, 1000 + (uint64_t)i);
		pthread_barrier_wait(&bar);
	}
	pthread_join(to, NULL);
	pthread_join(ta, NULL);
	pthread_barrier_destroy(&bar);
	cr_expect_eq(xg_sessions_live(s), 1);
	cr_expect_gt(admitter.admitted, 0);
	xg_sessions_destroy(s);
	xg_world_destroy(w);
}
