/* SPDX-License-Identifier: MIT */
/*
 * Building requests, for game clients: the load generator and the tests.
 * Each writes a whole, valid request at 'buf' (XG_MAX_MSG_SIZE bytes are
 * enough for any) and returns its size.
 */
#ifndef XDPGAME_MSG_H
#define XDPGAME_MSG_H

#include <stdint.h>

#include <xdpgame/proto.h>

uint32_t xg_msg_move(void *buf, uint32_t seq, uint32_t player, uint64_t ts,
		     float x, float y, float z);
uint32_t xg_msg_attack(void *buf, uint32_t seq, uint32_t player, uint64_t ts,
		       uint32_t target, uint16_t skill, uint16_t damage);
uint32_t xg_msg_heartbeat(void *buf, uint32_t seq, uint32_t player,
			  uint64_t ts);
/* binary32 bit pattern of a float, as MOVE carries it */
uint32_t xg_f32_bits(float f);

#endif
