/* SPDX-License-Identifier: MIT */
/*
 * Writes the committed seed corpora (run from the top of the tree):
 *   cc -Iinclude -Iuser tests/fuzz/gen_seeds.c user/game/msg.c -o /tmp/gs \
 *     && /tmp/gs tests/fuzz/seeds
 * frame/: a control byte (1: stamp the session token) and a valid frame of
 * every request type, IPv4 and IPv6, from the fuzz_frame sessions'
 * clients, plain, in 802.1Q, with IPv4 options / an IPv6 hop-by-hop
 * header, without a UDP checksum (IPv4). handshake/: record streams for
 * fuzz_handshake: a handshake then requests, a bare JOIN, time passing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/msg.h"
#include "../common/frame_build.h"

static void put(const char *dir, const char *name, const void *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f)) {
		perror(path);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "", "move", "attack", "heartbeat",
					     "leave", "join", "answer" };
	static const struct xg_cookie ck = { .slot = 1, .mac = 2 };
	char dir[400], name[64];
	uint8_t dg[XG_MAX_MSG_SIZE], fr[1 + XG_FB_MAX];

	if (argc != 2)
		return 2;
	snprintf(dir, sizeof(dir), "%s/frame", argv[1]);
	for (int v6 = 0; v6 < 2; v6++)
		for (int t = XG_MSG_MOVE; t <= XG_MSG_ANSWER; t++)
			for (int var = 0; var < 3; var++) {
				uint32_t p = v6 ? 43 : 42, n;
				struct xg_fb o = {
					.ipv6 = v6, .sport = 40000, .dport = 7777,
					.src_mac = { 2, 0, 0, 0, 0, 1 },
					.dst_mac = { 2, 0, 0, 0, 0, 2 } };

				if (v6) {
					o.src[0] = o.dst[0] = 0xfd;
					o.src[15] = 1;
					o.dst[15] = 2;
				} else {
					memcpy(o.src, "\x0a\x00\x00\x01", 4);
					memcpy(o.dst, "\x0a\x00\x00\x02", 4);
				}
				switch (t) {
				case XG_MSG_MOVE: n = xg_msg_move(dg, 1, p, 0, 5, 1, 2, 3); break;
				case XG_MSG_ATTACK: n = xg_msg_attack(dg, 2, p, 0, 5, 7, 1); break;
				case XG_MSG_HEARTBEAT: n = xg_msg_heartbeat(dg, 3, p, 0, 5); break;
				case XG_MSG_LEAVE: n = xg_msg_leave(dg, 4, p, 0, 5); break;
				case XG_MSG_JOIN: n = xg_msg_join(dg, 5, p, 5); break;
				default: n = xg_msg_answer(dg, 6, p, 5, &ck, NULL);
				}
				o.vlans = var == 1;
				if (var == 2) {
					o.ip4_opt = v6 ? 0 : 8;
					o.hop_by_hop = v6;
				}
				if (var == 1 && !v6)
					o.no_csum = true;
				fr[0] = 1;
				n = xg_fb_build(&o, dg, n, fr + 1);
				snprintf(name, sizeof(name), "%s-%s-%d",
					 v6 ? "ipv6" : "ipv4", names[t], var);
				put(dir, name, fr, 1 + n);
			}
	snprintf(dir, sizeof(dir), "%s/handshake", argv[1]);
	{
		/* handshake as player 5 from source 0, a MOVE, a HEARTBEAT,
		 * a LEAVE; the same with a connect token on the keyed
		 * server; a JOIN alone; time passing between */
		static const uint8_t hs[] = { 1, 4, 5, 0, 0, 0, 3, 1, 0,
					      3, 1, 2, 3, 1, 3 };
		static const uint8_t hs_key[] = { 1 | 16 | 32, 4, 9, 0, 0, 0,
						  3 | 16, 1, 1, 2, 20,
						  3 | 16, 1, 2 };
		uint8_t raw[2 + XG_JOIN_SIZE] = { 0 | 4, XG_JOIN_SIZE };

		put(dir, "handshake", hs, sizeof(hs));
		put(dir, "handshake-keyed", hs_key, sizeof(hs_key));
		xg_msg_join(raw + 2, 1, 77, 5);
		put(dir, "join-raw", raw, sizeof(raw));
	}
	return 0;
}
