/* SPDX-License-Identifier: MIT */
/* Client handshakes for the load generator; see handshake.h. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xdpgame/proto.h>

#include "core/log.h"
#include "core/stats.h"
#include "core/util.h"
#include "game/msg.h"
#include "game/session.h"
#include "load/handshake.h"

enum {
	HS_RESEND_MS = 250,  /* a step unanswered this long is sent again */
	HS_INFLIGHT = 128,   /* players mid-handshake at once */
	HS_SEQ = 0x40000000, /* handshake sequence numbers: seq = HS_SEQ + i */
};

enum hs_state { HS_IDLE, HS_JOINED, HS_ANSWERED, HS_DONE, HS_REFUSED };

struct hs_player {
	uint8_t state;
	uint64_t sent;
	struct xg_cookie cookie;
};

int xg_handshake_server_addr(int fd, uint8_t addr[16], uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct xg_addr a;

	if (getpeername(fd, (void *)&ss, &len))
		return -errno;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)&ss;

		xg_addr_from_v4(&a, s4->sin_addr.s_addr);
		memcpy(addr, a.a, 16);
		*port = s4->sin_port;
	} else {
		const struct sockaddr_in6 *s6 = (const void *)&ss;

		memcpy(addr, &s6->sin6_addr, 16);
		*port = s6->sin6_port;
	}
	return 0;
}

static uint64_t wall_s(void)
{
	return (uint64_t)time(NULL);
}

uint32_t xg_handshake_answer(void *buf, const struct xg_sipkey *backend,
			     uint32_t player, uint32_t seq, uint64_t now,
			     const struct xg_cookie *cookie,
			     const uint8_t srv[16], uint16_t srv_port)
{
	struct xg_connect_token ct = {};

	if (backend) {
		ct.expires = xg_le64(wall_s() + 60);
		ct.player = xg_le32(player);
		ct.server_port = srv_port;
		memcpy(ct.server_addr, srv, 16);
		xg_connect_sign(backend, &ct);
	}
	return xg_msg_answer(buf, seq, player, now, cookie,
			     backend ? &ct : NULL);
}

static int send_step(int fd, const struct xg_handshake_opts *o,
		     struct hs_player *p, uint32_t i, uint64_t now,
		     const uint8_t srv[16], uint16_t srv_port)
{
	unsigned char buf[XG_MAX_MSG_SIZE];
	uint32_t player = o->first_player + i, n;

	if (p->state == HS_JOINED || p->state == HS_IDLE) {
		n = xg_msg_join(buf, HS_SEQ + i, player, now);
		p->state = HS_JOINED;
	} else {
		n = xg_handshake_answer(buf, o->backend, player, HS_SEQ + i, now,
					&p->cookie, srv, srv_port);
	}
	p->sent = now;
	if (send(fd, buf, n, 0) < 0 && errno != ECONNREFUSED)
		return errno == EAGAIN || errno == ENOBUFS ? 0 : -errno;
	return 0;
}

int xg_handshake_run(int fd, const struct xg_handshake_opts *o,
		     uint64_t *tokens, struct xg_handshake_result *r)
{
	struct hs_player *ps = calloc(o->players, sizeof(*ps));
	uint64_t start = xg_now_ns(), now, resend = HS_RESEND_MS * 1000000ull;
	uint32_t next = 0, busy = 0, i, done = 0;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	unsigned char buf[XG_MAX_REPLY_SIZE + 1];
	struct xg_reply_view v;
	uint16_t srv_port = 0;
	uint8_t srv[16] = {};
	ssize_t len;
	int err = 0;

	memset(r, 0, sizeof(*r));
	if (!ps)
		return -ENOMEM;
	memset(tokens, 0, sizeof(*tokens) * o->players);
	if (o->backend)
		xg_handshake_server_addr(fd, srv, &srv_port);
	while (done < o->players && !err) {
		now = xg_now_ns();
		if (now - start > o->timeout_ns)
			break;
		/* start new players, resend stale steps */
		while (busy < HS_INFLIGHT && next < o->players && !err) {
			err = send_step(fd, o, &ps[next], next, now, srv, srv_port);
			next++;
			busy++;
		}
		for (i = 0; i < next && !err; i++)
			if ((ps[i].state == HS_JOINED || ps[i].state == HS_ANSWERED) &&
			    now - ps[i].sent > resend)
				err = send_step(fd, o, &ps[i], i, now, srv, srv_port);
		if (poll(&pfd, 1, 10) <= 0)
			continue;
		while ((len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
			if (xg_reply_parse(buf, (size_t)len, &v) ||
			    v.player < o->first_player ||
			    v.player - o->first_player >= o->players ||
			    v.seq != HS_SEQ + (v.player - o->first_player))
				continue;
			i = v.player - o->first_player;
			if (v.type == XG_MSG_CHALLENGE && ps[i].state == HS_JOINED) {
				ps[i].cookie = v.cookie;
				ps[i].state = HS_ANSWERED;
				err = send_step(fd, o, &ps[i], i, xg_now_ns(), srv,
						srv_port);
			} else if (v.type == XG_MSG_WELCOME &&
				   ps[i].state == HS_ANSWERED) {
				busy--;
				done++;
				if (v.status == XG_ST_OK && v.session) {
					ps[i].state = HS_DONE;
					tokens[i] = v.session;
					r->joined++;
				} else {
					ps[i].state = HS_REFUSED;
					if (!r->refused++)
						r->first_refusal = v.status;
				}
			}
		}
	}
	r->unanswered = o->players - r->joined - r->refused;
	r->seconds_ns = xg_now_ns() - start;
	free(ps);
	return err;
}

void xg_handshake_leave(int fd, const struct xg_handshake_opts *o,
			const uint64_t *tokens, uint32_t seq)
{
	unsigned char buf[XG_MAX_MSG_SIZE];
	uint32_t i, n;

	for (i = 0; i < o->players; i++) {
		if (!tokens[i])
			continue;
		n = xg_msg_leave(buf, seq + i, o->first_player + i, tokens[i],
				 xg_now_ns());
		if (send(fd, buf, n, 0) < 0 && errno == EAGAIN)
			usleep(100);
	}
}

void xg_handshake_print(FILE *f, const struct xg_handshake_result *r)
{
	fprintf(f, "  handshake: %u joined, %u refused%s%s, %u unanswered in %.3f s\n",
		r->joined, r->refused, r->refused ? " first " : "",
		r->refused ? xg_status_name(r->first_refusal) : "",
		r->unanswered, (double)r->seconds_ns / 1e9);
}

void xg_handshake_json(xg_json *report, const struct xg_handshake_result *r)
{
	xg_json *o = xg_json_add(report, "handshake", xg_json_obj());

	xg_json_u64(o, "joined", r->joined);
	xg_json_u64(o, "refused", r->refused);
	xg_json_u64(o, "unanswered", r->unanswered);
	xg_json_str(o, "first_refusal",
		    r->refused ? xg_status_name(r->first_refusal) : NULL);
	xg_json_dbl(o, "seconds", (double)r->seconds_ns / 1e9);
}
