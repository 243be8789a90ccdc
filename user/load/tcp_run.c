/* SPDX-License-Identifier: MIT */
/*
 * `xdpgame load --tcp ADDR:PORT --connections N`: the game client over N
 * TCP connections, one thread, edge-triggered epoll.
 *
 * A run has four phases:
 *   1. connect: N non-blocking connects, at most TL_CONNECTING at a time,
 *      each from the next --source-addrs address (bound with
 *      IP_BIND_ADDRESS_NO_PORT, so that each address has the whole
 *      ephemeral port range towards the server); the time from connect() to
 *      the connection's being writable goes into the connect histogram.
 *   2. join: once every connection is open (or failed), connection i runs
 *      protocol v2's handshake over its stream for player first_player + i
 *      (JOIN, CHALLENGE, ANSWER, WELCOME; load/handshake.c builds the
 *      ANSWER and its connect token): the session is bound to that
 *      connection, and the server ends it when the connection closes, so
 *      the run needs no LEAVE. Connections past --players (the world has
 *      65536 ids) only send JOIN and read its CHALLENGE, which holds
 *      nothing on the server. JOIN to WELCOME goes into the join histogram.
 *   3. opening round: each player sends one request; its RTT goes into the
 *      opening round's histogram. Every connection is then open at once
 *      and has been answered.
 *   4. play: the first --active connections keep --window requests in
 *      flight each (closed loop) until --count requests in all were sent or
 *      --duration is over; those RTTs are the run's RTT.
 * Requests are the mix's (load/mix.c), like the UDP client's, each for its
 * connection's player with its session token. Replies are cut from the
 * stream by game/stream.h and checked in order: each must answer the
 * oldest request in flight on its connection (seq, type, echoed
 * timestamp, player, token, status). A request unanswered after --timeout is lost
 * and its connection closed (a stream cannot skip it), once its socket was
 * read and held no reply to it (see expire()); a connection the server
 * closes loses what it had in flight.
 *
 * This file holds the run; tcp.c the setup before it (the target,
 * --source-addrs, room for the sockets), the report after it and
 * xg_tcp_load(); tcp_internal.h what the two share.
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <xdpgame/proto.h>

#include "core/log.h"
#include "core/util.h"
#include "game/msg.h"
#include "game/stream.h"
#include "load/handshake.h"
#include "load/tcp_internal.h"

enum {
	TL_EVENTS = 1024,       /* epoll events per wait */
	TL_CONNECTING = 512,    /* connects in progress at most */
	TL_RBUF = 16384,        /* bytes per read */
};

#define TL_SCAN_NS 100000000ull /* timeouts checked every 100 ms */

static volatile sig_atomic_t tl_signalled;

void tl_on_signal(int sig)
{
	tl_signalled = sig;
}

/* ---- connections ---- */

static void conn_kill(struct tl_ctx *c, struct tl_conn *t)
{
	c->st.lost += t->inflight;
	c->inflight -= t->inflight;
	if (c->ph == PH_OPENING && t->state == TL_OPEN && !t->answered &&
	    (uint32_t)(t - c->conns) < c->o->players && c->tokens[t - c->conns])
		c->opening_left--; /* it was counted when the round began */
	if (t->hs == HS_JOIN_SENT || t->hs == HS_ANSWER_SENT) {
		c->join_left--;
		t->hs = HS_DONE;
	}
	t->inflight = 0;
	t->state = TL_DEAD;
	close(t->fd);
	t->fd = -1;
}

static bool may_send(const struct tl_ctx *c, const struct tl_conn *t)
{
	if (t->state != TL_OPEN || (uint32_t)(t - c->conns) >= c->o->players ||
	    !c->tokens[t - c->conns])
		return false; /* only a player with a session plays */
	if (c->ph == PH_OPENING)
		return !t->opened;
	if (c->ph != PH_PLAY || (uint32_t)(t - c->conns) >= c->o->active ||
	    c->st.sent >= c->o->count)
		return false;
	return !c->o->duration_ns ||
	       c->now - c->st.connected < c->o->duration_ns;
}

/* Fill the connection's window in one write. */
static void conn_fill(struct tl_ctx *c, struct tl_conn *t)
{
	unsigned char buf[XG_TCPL_MAX_WINDOW * XG_MAX_MSG_SIZE];
	struct tl_req *ring = &c->q[(t - c->conns) * c->o->window];
	uint32_t n = 0, len = 0, slot;
	ssize_t r;

	while (may_send(c, t) && t->inflight + n < c->o->window &&
	       c->st.sent + n < c->o->count && !(c->ph == PH_OPENING && n)) {
		enum xg_kind k = xg_mix_pick(&c->mix);
		uint32_t seq = c->next_seq + n;

		len += xg_mix_request_as(&c->mix, buf + len, k,
					 (uint32_t)(t - c->conns), seq, c->now,
					 xg_mix_rand(&c->mix));
		slot = (t->head + t->inflight + n) % c->o->window;
		ring[slot] = (struct tl_req){ .sent_ns = c->now, .seq = seq,
					      .kind = (uint8_t)k,
					      .first = c->ph == PH_OPENING };
		n++;
	}
	if (!n)
		return;
	r = send(t->fd, buf, len, MSG_NOSIGNAL);
	if (r != (ssize_t)len) {
		/* a few hundred bytes on a connection with nothing unread:
		 * a short write means the connection is broken */
		c->st.errors++;
		conn_kill(c, t);
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		slot = (t->head + t->inflight + i) % c->o->window;
		c->st.per_kind_sent[ring[slot].kind]++;
	}
	if (c->ph == PH_OPENING)
		t->opened = 1;
	t->inflight = (uint8_t)(t->inflight + n);
	c->inflight += n;
	c->next_seq += n;
	c->st.sent += n;
	c->st.bytes_out += len;
}

/* Send one handshake step; false if the connection broke. */
static bool hs_send(struct tl_ctx *c, struct tl_conn *t, const void *buf,
		    uint32_t len)
{
	if (send(t->fd, buf, len, MSG_NOSIGNAL) != (ssize_t)len) {
		c->st.errors++;
		conn_kill(c, t);
		return false;
	}
	c->st.bytes_out += len;
	t->hs_sent = c->now;
	return true;
}

/* Start the connection's handshake: its JOIN. */
static void hs_start(struct tl_ctx *c, struct tl_conn *t)
{
	unsigned char buf[XG_MAX_MSG_SIZE];
	uint32_t i = (uint32_t)(t - c->conns);
	uint32_t player = c->o->first_player + i % c->o->players;

	if (t->state != TL_OPEN || t->hs != HS_NONE)
		return;
	t->hs_seq = c->next_seq++;
	t->hs = HS_JOIN_SENT;
	t->t0 = c->now;
	c->join_left++;
	hs_send(c, t, buf, xg_msg_join(buf, t->hs_seq, player, c->now));
}

/* A reply during the connection's handshake: CHALLENGE, then WELCOME. */
static void hs_reply(struct tl_ctx *c, struct tl_conn *t, const void *frame,
		     uint32_t len)
{
	const struct xg_tcp_load_opts *o = c->o;
	uint32_t i = (uint32_t)(t - c->conns);
	uint32_t player = o->first_player + i % o->players;
	unsigned char buf[XG_MAX_MSG_SIZE];
	struct xg_reply_view v;
	uint16_t srv_port = 0;
	uint8_t srv[16] = {};

	if (xg_reply_parse(frame, len, &v) || v.seq != t->hs_seq ||
	    v.player != player ||
	    v.type != (t->hs == HS_JOIN_SENT ? XG_MSG_CHALLENGE :
					       XG_MSG_WELCOME)) {
		pr_debug("wrong: connection %u: handshake reply type %#x seq %u player %u\n",
			 i, v.type, v.seq, v.player);
		c->st.wrong++;
		return;
	}
	if (t->hs == HS_JOIN_SENT && i >= o->players) {
		t->hs = HS_DONE; /* no player here: the CHALLENGE is all */
		c->st.challenged++;
		c->join_left--;
		return;
	}
	if (t->hs == HS_JOIN_SENT) {
		if (o->backend)
			xg_handshake_server_addr(t->fd, srv, &srv_port);
		t->hs = HS_ANSWER_SENT;
		hs_send(c, t, buf,
			xg_handshake_answer(buf, o->backend, player, t->hs_seq,
					    c->now, &v.cookie, srv, srv_port));
		return;
	}
	t->hs = HS_DONE;
	c->join_left--;
	xg_hist_record(&c->st.join, c->now - t->t0);
	if (v.status == XG_ST_OK && v.session) {
		c->tokens[i] = v.session;
		c->st.hs.joined++;
	} else if (!c->st.hs.refused++) {
		c->st.hs.first_refusal = v.status;
	}
}

/* One reply from the stream (game/stream.h callback): during the
 * handshake its next step; then it must answer the oldest request in
 * flight on the connection. */
static int on_ack(void *arg, const void *frame, uint32_t len)
{
	struct tl_ctx *c = arg;
	struct tl_conn *t = c->cur;
	struct tl_req *f = &c->q[(t - c->conns) * c->o->window + t->head];
	union {
		struct xg_hdr h;
		unsigned char b[XG_MAX_MSG_SIZE];
	} a;

	if (t->hs == HS_JOIN_SENT || t->hs == HS_ANSWER_SENT) {
		hs_reply(c, t, frame, len);
		return t->state == TL_OPEN ? 0 : -EPIPE;
	}
	memcpy(a.b, frame, len);
	if (!t->inflight) {
		pr_debug("wrong: an ack with nothing in flight\n");
		c->st.wrong++;
		return 0;
	}
	if (!xg_mix_ack_framed(a.b, len) || xg_le32(a.h.seq) != f->seq ||
	    !xg_mix_ack_matches(&c->mix, a.b, f->kind,
				(uint32_t)(t - c->conns), f->sent_ns)) {
		pr_debug("wrong: ack seq %u, %u expected (type %#x status %u)\n",
			 xg_le32(a.h.seq), f->seq, a.h.type, a.h.status);
		c->st.wrong++;
	} else {
		c->st.acked++;
		xg_hist_record(f->first ? &c->st.first : &c->st.rtt,
			       c->now - f->sent_ns);
	}
	if (f->first) {
		c->opening_left--;
		t->answered = 1;
	}
	t->head = (uint8_t)((t->head + 1) % c->o->window);
	t->inflight--;
	c->inflight--;
	return 0;
}

static void conn_read(struct tl_ctx *c, struct tl_conn *t)
{
	unsigned char buf[TL_RBUF];
	ssize_t n;

	c->cur = t;
	for (;;) {
		n = read(t->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			if (n == 0) {
				c->st.closed++;
				pr_debug("connection %td closed by the server\n",
					 t - c->conns);
			} else {
				c->st.errors++;
			}
			conn_kill(c, t);
			return;
		}
		c->st.bytes_in += (uint64_t)n;
		if (xg_stream_feed(&t->in, buf, (size_t)n, on_ack, c)) {
			if (t->state == TL_OPEN) { /* else a send failed */
				c->st.wrong++; /* an impossible size field */
				conn_kill(c, t);
			}
			return;
		}
		if ((size_t)n < sizeof(buf))
			return;
	}
}

static void conn_opened(struct tl_ctx *c, struct tl_conn *t)
{
	int err = 0;
	socklen_t el = sizeof(err);

	c->connecting--;
	if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &err, &el) || err) {
		pr_debug("connection %td: %s\n", t - c->conns, strerror(err));
		c->st.failed++;
		conn_kill(c, t);
		return;
	}
	t->state = TL_OPEN;
	c->st.opened++;
	xg_hist_record(&c->st.connect, c->now - t->t0);
}

/* Start connects while fewer than TL_CONNECTING are in progress. */
static void open_some(struct tl_ctx *c)
{
	const struct xg_tcp_load_opts *o = c->o;
	int one = 1, fd;

	while (c->connecting < TL_CONNECTING && c->next_conn < o->connections) {
		uint32_t i = c->next_conn++;
		struct tl_conn *t = &c->conns[i];
		struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT |
						    EPOLLRDHUP | EPOLLET,
					  .data.u32 = i };

		t->fd = -1;
		fd = socket(c->dst.ss_family,
			    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			pr_warn("error: load: connection %u: socket: %s\n", i,
				strerror(errno));
			c->st.failed += o->connections - i;
			c->next_conn = o->connections;
			return;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		t->fd = fd;
		t->t0 = xg_now_ns();
		if (c->nsrc) {
			const struct sockaddr_storage *s = &c->src[i % (uint32_t)c->nsrc];

			setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
				   sizeof(one));
			if (bind(fd, (const void *)s,
				 s->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
							   sizeof(struct sockaddr_in6))) {
				pr_warn("error: load: cannot bind a source address of --source-addrs: %s (is it on an interface?)\n",
					strerror(errno));
				c->st.failed++;
				conn_kill(c, t);
				continue;
			}
		}
		if (epoll_ctl(c->ep, EPOLL_CTL_ADD, fd, &ev) ||
		    (connect(fd, (void *)&c->dst, c->dstlen) &&
		     errno != EINPROGRESS)) {
			if (errno == EADDRNOTAVAIL && !c->said_ports) {
				pr_warn("error: load: out of local ports after %u connections; add source addresses (--source-addrs) or widen net.ipv4.ip_local_port_range\n",
					c->st.opened);
				c->said_ports = true;
			}
			c->st.failed++;
			conn_kill(c, t);
			continue;
		}
		t->state = TL_CONNECTING_;
		c->connecting++;
	}
}

/* Whether the connection's oldest request, or its handshake step, has
 * waited the timeout out by c->now. */
static bool overdue(const struct tl_ctx *c, const struct tl_conn *t)
{
	uint32_t i = (uint32_t)(t - c->conns);

	if (t->state != TL_OPEN)
		return false;
	if (t->inflight)
		return c->now - c->q[i * c->o->window + t->head].sent_ns >=
		       c->o->timeout_ns;
	return (t->hs == HS_JOIN_SENT || t->hs == HS_ANSWER_SENT) &&
	       c->now - t->hs_sent >= c->o->timeout_ns;
}

/* Requests older than the timeout: lost, and their connection closed
 * (an unanswered handshake step too: counted at the end). Only what is
 * not in the socket by then: with more connections ready than one
 * epoll_wait returns (TL_EVENTS), a reply can wait read-ready while the
 * batches before its event are served, so an overdue connection is read
 * first, and closed only if it still waits on one older than the timeout.
 * c->now was taken before that read: a reply it does not find had not
 * come by c->now either. */
static void expire(struct tl_ctx *c)
{
	uint32_t i;

	for (i = 0; i < c->o->connections; i++) {
		struct tl_conn *t = &c->conns[i];

		if (!overdue(c, t))
			continue;
		conn_read(c, t);
		if (overdue(c, t))
			conn_kill(c, t);
		else if (t->state == TL_OPEN)
			conn_fill(c, t); /* its window has room again */
	}
}

/* Move to the next phase when this one is done. */
static void advance(struct tl_ctx *c)
{
	uint32_t i;

	if (c->ph == PH_CONNECT && c->next_conn == c->o->connections &&
	    !c->connecting) {
		c->st.connected = c->now;
		c->st.hs_started = c->now;
		c->ph = PH_JOIN;
		for (i = 0; i < c->o->connections; i++)
			hs_start(c, &c->conns[i]);
	}
	if (c->ph == PH_JOIN && !c->join_left) {
		c->st.hs.seconds_ns = c->now - c->st.hs_started;
		c->ph = PH_OPENING;
		for (i = 0; i < c->o->players; i++)
			c->opening_left += c->conns[i].state == TL_OPEN &&
					   c->tokens[i];
		for (i = 0; i < c->o->players; i++)
			conn_fill(c, &c->conns[i]);
	}
	if (c->ph == PH_OPENING && !c->opening_left) {
		c->ph = PH_PLAY;
		for (i = 0; i < c->o->active; i++)
			conn_fill(c, &c->conns[i]);
	}
}

/* Done when nothing is in flight after the opening round; with
 * --duration the connections stay open until it is over, played on or not
 * (--active 0 holds them open, idle). */
static bool finished(const struct tl_ctx *c)
{
	return c->ph == PH_PLAY && !c->inflight &&
	       (!c->o->duration_ns ||
		c->now - c->st.connected >= c->o->duration_ns);
}

static void progress(struct tl_ctx *c, uint64_t *next)
{
	if (c->o->quiet || c->now < *next)
		return;
	fprintf(stderr, "[%4" PRIu64 "s] open %u of %u (failed %u), sent %" PRIu64
		", acked %" PRIu64 ", lost %" PRIu64 ", wrong %" PRIu64 "\n",
		(uint64_t)((c->now - c->st.started) / 1000000000ull), c->st.opened,
		c->o->connections, c->st.failed, c->st.sent, c->st.acked,
		c->st.lost, c->st.wrong);
	*next += 1000000000ull;
}

void tl_run(struct tl_ctx *c)
{
	struct epoll_event evs[TL_EVENTS];
	uint64_t next_progress, next_scan;
	int n, i;

	c->now = c->st.started = xg_now_ns();
	next_progress = c->now + 1000000000ull;
	next_scan = c->now + TL_SCAN_NS;
	while (!tl_signalled && !finished(c)) {
		open_some(c);
		n = epoll_wait(c->ep, evs, TL_EVENTS, 10);
		if (n < 0 && errno != EINTR)
			c->st.errors++;
		c->now = xg_now_ns();
		for (i = 0; i < n; i++) {
			struct tl_conn *t = &c->conns[evs[i].data.u32];

			if (t->state == TL_CONNECTING_)
				conn_opened(c, t);
			if (t->state == TL_OPEN &&
			    (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
				conn_read(c, t);
			if (t->state == TL_OPEN)
				conn_fill(c, t);
		}
		if (c->now >= next_scan) {
			expire(c);
			next_scan = c->now + TL_SCAN_NS;
		}
		advance(c);
		progress(c, &next_progress);
	}
	c->st.finished = xg_now_ns();
}
