/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the handshake (JOIN, CHALLENGE, ANSWER, WELCOME) and
 * the session's first requests, through xg_handle(), cookies and connect
 * tokens included.
 *
 * Input: records of [op][n][n bytes]. op & 3 says what the record does:
 *   0  the n bytes are a datagram, sent as they are
 *   1  JOIN for the player in the first 4 bytes, then the ANSWER built
 *      from the CHALLENGE's cookie, the bytes XORed over it from offset
 *      byte 4 on (a valid handshake when they are zero, a cookie or a
 *      field damaged when not); op & 32: with a connect token signed by
 *      the backend's key
 *   2  time goes on by n * 100 ms and the sessions tick (cookie key
 *      rotation, expiry)
 *   3  a game request (its type from the first byte) with the last
 *      WELCOME's token and player, its other bytes from the record
 * (op >> 2) & 3: which of four sources sends it; op & 16: to the server
 * whose sessions want a connect token (a backend key), else to the one
 * that does not. The sanitizers are the oracle; a reply is never longer
 * than its request, and always parses.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xdpgame/proto.h>

#include "core/ring.h"
#include "core/stats.h"
#include "game/handlers.h"
#include "game/msg.h"
#include "game/session.h"

static const struct xg_sipkey backend = { 0x0706050403020100ull,
					  0x0f0e0d0c0b0a0908ull };

struct server {
	struct xg_world *world;
	struct xg_sessions *sessions;
	struct xg_ring *events;
	struct xg_stats stats;
};

static struct server srv[2];
static struct xg_peer peers[4];
static uint64_t now = 1000000000000ull;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	for (int i = 0; i < 2; i++) {
		srv[i].world = xg_world_create(XG_MAX_PLAYERS);
		srv[i].sessions = xg_sessions_create(srv[i].world, NULL);
		srv[i].events = xg_ring_create(64, sizeof(struct xg_event));
		if (!srv[i].world || !srv[i].sessions || !srv[i].events)
			abort();
		xg_stats_init(&srv[i].stats);
	}
	xg_sessions_set_backend(srv[1].sessions, &backend);
	for (int i = 0; i < 4; i++) {
		xg_addr_from_v4(&peers[i].addr, htonl(0x0a000001 + (uint32_t)i));
		xg_addr_from_v4(&peers[i].local, htonl(0x0a0000fe));
		peers[i].port = htons((uint16_t)(40000 + i));
		peers[i].local_port = htons(7777);
	}
	if (getenv("XG_FUZZ_IPV6")) /* one source over IPv6 */
		memset(peers[3].addr.a, 0xfd, 1);
	return 0;
}

/* Send 'len' bytes (buf has room for XG_MAX_MSG_SIZE); the reply is left
 * in buf. Returns xg_handle()'s result. */
static int hs_send(struct server *s, const struct xg_peer *p, uint8_t *buf,
		uint32_t len)
{
	struct xg_handler_ctx c = { .world = s->world, .sessions = s->sessions,
				    .stats = &s->stats, .events = s->events,
				    .now = now, .peer = p };
	struct xg_reply_view rv;
	struct xg_event ev;
	int r = xg_handle(&c, buf, len, buf, len);

	if (r > 0) {
		if ((uint32_t)r > len || r > XG_MAX_REPLY_SIZE)
			abort(); /* a reply longer than its request */
		if (xg_reply_parse(buf, (size_t)r, &rv))
			abort(); /* a reply a client cannot read */
	}
	while (xg_ring_pop(s->events, &ev, sizeof(ev)) >= 0)
		;
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t token = 0;
	uint32_t player = 0, seq = 1;

	while (size >= 2) {
		uint8_t op = data[0], n = data[1];
		struct server *s = &srv[(op >> 4) & 1];
		const struct xg_peer *p = &peers[(op >> 2) & 3];
		uint8_t buf[256] = { 0 };
		const uint8_t *b = data + 2;
		struct xg_reply_view rv;
		int r;

		if ((size_t)n > size - 2)
			n = (uint8_t)(size - 2);
		data += 2 + n;
		size -= 2 + (size_t)n;
		switch (op & 3) {
		case 0:
			memcpy(buf, b, n);
			hs_send(s, p, buf, n);
			break;
		case 1: {
			struct xg_connect_token ct = { 0 };
			struct xg_cookie ck;
			uint32_t len;

			player = 0;
			if (n >= 4)
				memcpy(&player, b, 4);
			player %= XG_MAX_PLAYERS + 2; /* now and then beyond */
			len = xg_msg_join(buf, seq++, player, now);
			r = hs_send(s, p, buf, len);
			if (r <= 0 || xg_reply_parse(buf, (size_t)r, &rv) ||
			    rv.type != XG_MSG_CHALLENGE)
				break;
			ck = rv.cookie;
			ct.expires = now / 1000000000ull + 60;
			ct.player = player;
			memcpy(ct.server_addr, p->local.a, 16);
			ct.server_port = p->local_port;
			xg_connect_sign(&backend, &ct);
			memset(buf, 0, sizeof(buf));
			len = xg_msg_answer(buf, seq++, player, now, &ck,
					    (op & 32) ? &ct : NULL);
			for (uint32_t i = 4; i < n && i - 4 < len; i++)
				buf[i - 4] ^= b[i];
			r = hs_send(s, p, buf, len);
			if (r > 0 && !xg_reply_parse(buf, (size_t)r, &rv) &&
			    rv.type == XG_MSG_WELCOME && rv.status == XG_ST_OK)
				token = rv.session;
			break;
		}
		case 2:
			now += (uint64_t)n * 100000000ull;
			xg_sessions_tick(s->sessions, now);
			break;
		default: {
			static const uint8_t types[] = {
				XG_MSG_MOVE, XG_MSG_ATTACK, XG_MSG_HEARTBEAT,
				XG_MSG_LEAVE
			};
			uint8_t t = n ? types[b[0] & 3] : XG_MSG_HEARTBEAT;
			uint32_t len;

			if (t == XG_MSG_MOVE)
				len = xg_msg_move(buf, seq++, player, token, now,
						  1.0f, 2.0f, 3.0f);
			else if (t == XG_MSG_ATTACK)
				len = xg_msg_attack(buf, seq++, player, token,
						    now, player ^ 1, b[0] >> 4);
			else if (t == XG_MSG_HEARTBEAT)
				len = xg_msg_heartbeat(buf, seq++, player,
						       token, now);
			else
				len = xg_msg_leave(buf, seq++, player, token,
						   now);
			for (uint32_t i = 1; i < n && XG_HDR_SIZE + i - 1 < len;
			     i++)
				buf[XG_HDR_SIZE + i - 1] ^= b[i];
			hs_send(s, p, buf, len);
		}
		}
	}
	return 0;
}
