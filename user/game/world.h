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
 * while it is odd or changed. Memory: 64 bytes a player, 4 MiB for 65,536.
 *
 * A player is in the world while it has a session (game/session.c): it
 * spawns at the origin with XG_FULL_HEALTH when the session opens
 * (xg_world_spawn) and leaves when it ends (xg_world_leave); last_seen != 0
 * means present. A player whose health reaches 0 is dead: it cannot move or
 * attack (XG_ST_DEAD) nor be attacked (XG_ST_TARGET_DEAD) until, the
 * respawn delay after its death, the first request that touches it brings
 * it back at the origin with full health (one CAS on 'died' elects who).
 */
#ifndef XDPGAME_WORLD_H
#define XDPGAME_WORLD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <xdpgame/proto.h>

enum {
	XG_FULL_HEALTH = 1000,
	XG_RESPAWN_MS = 5000, /* default delay from death to respawn */
};

struct xg_player {
	_Atomic uint32_t seq;       /* position sequence lock: odd = writing */
	_Atomic uint32_t x, y, z;   /* binary32 bit patterns */
	_Atomic int32_t health;     /* 0 = dead */
	_Atomic uint64_t last_seen; /* ns, CLOCK_MONOTONIC; 0 = not present */
	_Atomic uint64_t died;      /* ns of the death; 0 = alive or respawned */
	uint64_t pad;
} __attribute__((aligned(64)));

struct xg_world {
	uint32_t capacity;
	uint64_t respawn_ns;   /* XG_RESPAWN_MS unless set after create */
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

/* Bring a player into the world at the origin with full health (its
 * session opened); a player already present stays as it is. */
enum xg_status xg_world_spawn(struct xg_world *w, uint32_t id, uint64_t now);
/* Take a player out of the world (its session ended). */
void xg_world_leave(struct xg_world *w, uint32_t id);
/* Mark a present player seen at 'now'. UNKNOWN_PLAYER if it is not in the
 * world. */
enum xg_status xg_world_touch(struct xg_world *w, uint32_t id, uint64_t now);
/* Move a player; coordinates as binary32 bits, already known to be finite.
 * DEAD, or OUT_OF_BOUNDS, leave the position unchanged. */
enum xg_status xg_world_move(struct xg_world *w, uint32_t id, uint32_t x,
			     uint32_t y, uint32_t z, uint64_t now);
/* Take 'damage' health from 'target': DEAD if the attacker is dead,
 * UNKNOWN_TARGET if the target is not in the world, TARGET_DEAD if it is
 * dead. *killed is set when this attack took the target's last health. */
enum xg_status xg_world_attack(struct xg_world *w, uint32_t attacker,
			       uint32_t target, uint32_t damage, uint64_t now,
			       bool *killed);
/* Copy a player out; -ENOENT if not present, -ERANGE if beyond capacity. */
int xg_world_get(const struct xg_world *w, uint32_t id,
		 struct xg_player_view *v);

#endif
