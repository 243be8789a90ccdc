/* SPDX-License-Identifier: MIT */
/*
 * The game world: a fixed array of XG_MAX_PLAYERS players (position, health,
 * last-seen time), shared by every worker of every engine.
 *
 * Concurrency: any number of workers may update the world at once without a
 * lock. Health and last-seen are single atomics (health changes by CAS, so
 * two attacks never lose damage). A position is three coordinates that must
 * change together, so each player has a sequence lock: a writer makes the
 * sequence odd with a CAS, stores, and makes it even again; readers retry
 * while it is odd or changed. Memory: 32 bytes a player, 2 MiB for 65,536.
 *
 * A player comes into being the first time any request names it (health
 * XG_FULL_HEALTH at the origin): the one CAS of health from 0 to full while
 * last_seen is still 0 elects the initialiser, and last_seen is published
 * with release after it, so an attacker that sees the player also sees its
 * health. A later issue adds an explicit JOIN.
 */
#ifndef XDPGAME_WORLD_H
#define XDPGAME_WORLD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <xdpgame/proto.h>

enum { XG_FULL_HEALTH = 1000 };

struct xg_player {
	_Atomic uint32_t seq;       /* position sequence lock: odd = writing */
	_Atomic uint32_t x, y, z;   /* binary32 bit patterns */
	_Atomic int32_t health;     /* 0 = dead */
	_Atomic uint64_t last_seen; /* ns, CLOCK_MONOTONIC; 0 = never seen */
} __attribute__((aligned(32)));

struct xg_world {
	uint32_t capacity;
	struct xg_player *players;
};

/* A consistent copy of one player, for readers. */
struct xg_player_view {
	float x, y, z;
	int32_t health;
	uint64_t last_seen;
};

struct xg_world *xg_world_create(uint32_t capacity); /* NULL + errno */
void xg_world_destroy(struct xg_world *w);            /* NULL-safe */

/* Mark a player seen at 'now' (creating it if new). UNKNOWN_PLAYER if the
 * id is beyond the world's capacity. */
enum xg_status xg_world_touch(struct xg_world *w, uint32_t id, uint64_t now);
/* Move a player; coordinates as binary32 bits, already known to be finite.
 * OUT_OF_BOUNDS leaves the position unchanged. */
enum xg_status xg_world_move(struct xg_world *w, uint32_t id, uint32_t x,
			     uint32_t y, uint32_t z, uint64_t now);
/* Take 'damage' health from 'target'. *killed is set when this attack took
 * the target's last health point. */
enum xg_status xg_world_attack(struct xg_world *w, uint32_t attacker,
			       uint32_t target, uint32_t damage, uint64_t now,
			       bool *killed);
/* Copy a player out; -ENOENT if never seen, -ERANGE if beyond capacity. */
int xg_world_get(const struct xg_world *w, uint32_t id,
		 struct xg_player_view *v);

#endif
