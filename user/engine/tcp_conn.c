/* SPDX-License-Identifier: MIT */
/*
 * One connection of the TCP engine (tcp.c has the overview; tcp_internal.h
 * the shared state): its turn (read, cut into frames, xg_handle() each),
 * its replies and their output buffer, the players it joined, and its
 * closing.
 *
 * Sessions (protocol v2): each frame is handled with the connection's own
 * two ends as its peer (struct xg_peer, marked stream), so JOIN and ANSWER
 * work over the stream and the session WELCOME opens is bound to this
 * connection's address and port, and to TCP: no datagram may use it, and
 * the XDP program never holds it. What came over TCP never passed the XDP
 * program, so the handshake and session budgets are checked here in user
 * space even when one is attached. A connection remembers the players it
 * joined (XG_TCP_CONN_PLAYERS at most: an ANSWER for one more closes it)
 * and ends their sessions when it closes, unless they have ended or been
 * taken over since (xg_session_close_token).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "engine/tcp_internal.h"
#include "game/session.h"
#include "game/stream.h"

void tcp_conn_close(struct tcp_worker *tw, struct tcp_conn *c,
		    enum xg_tcp_close why)
{
	int i;

	if (why != XG_TCP_CLOSE_PEER && why != XG_TCP_CLOSE_STOP)
		pr_debug("tcp worker %d: closing fd %d: %s\n", tw->w->id, c->fd,
			 xg_tcp_close_names[why]);
	xg_stat_add(&tw->n.closed[why], 1);
	for (i = 0; i < c->nplayers; i++)
		if (xg_session_close_token(tw->w->srv->sessions, c->player[i],
					   c->token[i]))
			xg_stat_add(&tw->n.sessions_ended, 1);
	if (c->out_len)
		xg_stat_add(&tw->n.unsent_bytes, c->out_len);
	if (c->out) {
		*(void **)c->out = tw->pool;
		tw->pool = c->out;
	}
	link_del(&c->idle);
	link_del(&c->turn);
	close(c->fd); /* leaves the epoll set with it */
	atomic_fetch_sub_explicit(&tw->e->open, 1, memory_order_relaxed);
	if (tw->cur == c)
		tw->cur = NULL;
	free(c);
}

/* Send what the connection's buffer holds; 0, or -EPIPE if it closed. */
int tcp_conn_drain(struct tcp_worker *tw, struct tcp_conn *c)
{
	ssize_t r;

	while (c->out_len) {
		r = send(c->fd, c->out + c->out_off, c->out_len, MSG_NOSIGNAL);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			tcp_conn_close(tw, c, XG_TCP_CLOSE_ERROR);
			return -EPIPE;
		}
		c->out_off = (uint16_t)(c->out_off + r);
		c->out_len = (uint16_t)(c->out_len - r);
	}
	c->out_off = 0;
	if (c->out) { /* empty: back to the pool */
		*(void **)c->out = tw->pool;
		tw->pool = c->out;
		c->out = NULL;
	}
	return 0;
}

/* Queue len bytes of replies on the connection, in order: straight to the
 * kernel when nothing waits, the rest into its buffer. 0, or -EPIPE if the
 * connection was closed (a slow reader, or an error). */
static int conn_send(struct tcp_worker *tw, struct tcp_conn *c,
		     const unsigned char *p, size_t len)
{
	ssize_t r;

	while (!c->out_len && len) {
		r = send(c->fd, p, len, MSG_NOSIGNAL);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			tcp_conn_close(tw, c, XG_TCP_CLOSE_ERROR);
			return -EPIPE;
		}
		p += r;
		len -= (size_t)r;
	}
	if (!len)
		return 0;
	if (c->out_len + len > XG_TCP_OUTBUF) {
		tcp_conn_close(tw, c, XG_TCP_CLOSE_SLOW_READER);
		return -EPIPE;
	}
	if (!c->out) {
		c->out = tw->pool;
		if (c->out) {
			tw->pool = *(void **)c->out;
		} else {
			c->out = malloc(XG_TCP_OUTBUF);
			if (!c->out) {
				tcp_conn_close(tw, c, XG_TCP_CLOSE_ERROR);
				return -EPIPE;
			}
			xg_stat_add(&tw->n.outbufs, 1);
		}
	}
	if (c->out_off + c->out_len + len > XG_TCP_OUTBUF) {
		memmove(c->out, c->out + c->out_off, c->out_len);
		c->out_off = 0;
	}
	memcpy(c->out + c->out_off + c->out_len, p, len);
	c->out_len = (uint16_t)(c->out_len + len);
	return 0;
}

/* The replies of this turn go out; their service time is recorded. */
static int flush_scratch(struct tcp_worker *tw, uint64_t t0)
{
	struct xg_stats *st = &tw->w->stats;
	uint64_t t1;
	uint32_t i;
	int r = 0;

	if (!tw->scratch_len)
		return 0;
	if (tw->cur)
		r = conn_send(tw, tw->cur, tw->scratch, tw->scratch_len);
	if (!r) {
		xg_stat_add(&st->tx_packets, tw->scratch_replies);
		xg_stat_add(&st->tx_bytes, tw->scratch_len);
		t1 = xg_now_ns();
		for (i = 0; i < tw->scratch_replies; i++)
			xg_hist_record(&st->latency, t1 - t0);
	}
	tw->scratch_len = tw->scratch_replies = 0;
	return r;
}

static int conn_find_player(const struct tcp_conn *c, uint32_t player)
{
	int i;

	for (i = 0; i < c->nplayers; i++)
		if (c->player[i] == player)
			return i;
	return -1;
}

/* Before a frame is handled: an ANSWER that would make one player too many
 * on this connection is not (-EDQUOT closes it). */
static int conn_admit_frame(const struct tcp_conn *c, const void *frame)
{
	struct xg_hdr h;

	memcpy(&h, frame, sizeof(h)); /* whole: a frame has its header */
	if (h.type != XG_MSG_ANSWER || c->nplayers < XG_TCP_CONN_PLAYERS ||
	    conn_find_player(c, xg_le32(h.player)) >= 0)
		return 0;
	return -EDQUOT;
}

/* After it was handled: keep the sessions a WELCOME opened and forget
 * those a LEAVE ended, so that closing ends exactly what is left. */
static void conn_note_reply(struct tcp_conn *c, const void *reply)
{
	struct xg_hdr h;
	struct xg_welcome w;
	uint32_t player;
	int i;

	memcpy(&h, reply, sizeof(h));
	if (h.status != XG_ST_OK)
		return;
	player = xg_le32(h.player);
	i = conn_find_player(c, player);
	if (h.type == XG_MSG_WELCOME) {
		memcpy(&w, (const char *)reply + sizeof(h), sizeof(w));
		if (i < 0)
			i = c->nplayers++; /* room: conn_admit_frame */
		c->player[i] = player;
		c->token[i] = xg_le64(w.token);
	} else if (h.type == (XG_MSG_LEAVE | XG_MSG_ACK) && i >= 0) {
		c->nplayers--;
		c->player[i] = c->player[c->nplayers];
		c->token[i] = c->token[c->nplayers];
	}
}

/* One whole frame of the current connection (game/stream.h callback). */
static int on_frame(void *arg, const void *frame, uint32_t len)
{
	struct tcp_worker *tw = arg;
	struct xg_stats *st = &tw->w->stats;
	int r;

	if (XG_TCP_SCRATCH - tw->scratch_len < XG_MAX_MSG_SIZE &&
	    flush_scratch(tw, tw->ctx.now))
		return -EPIPE;
	xg_stat_add(&st->rx_packets, 1);
	tw->frames++;
	r = conn_admit_frame(tw->cur, frame);
	if (r)
		return r;
	r = xg_handle(&tw->ctx, frame, len, tw->scratch + tw->scratch_len,
		      XG_TCP_SCRATCH - tw->scratch_len);
	if (r == -ENOBUFS) {
		xg_stat_add(&st->errors, 1);
		return -ENOBUFS;
	}
	if (r < 0)
		return -EBADMSG; /* counted by reason in malformed[] */
	if (!r)
		return 0; /* refused, counted in denied[]: no reply, as by UDP */
	conn_note_reply(tw->cur, tw->scratch + tw->scratch_len);
	tw->scratch_len += (uint32_t)r;
	tw->scratch_replies++;
	return 0;
}

/* Off the ready list: the socket is drained (the next edge wakes it). */
static void conn_idle_turn(struct tcp_conn *c)
{
	link_del(&c->turn);
	c->ready = false;
}

/* The connection's turn: read, frame, handle, reply. */
void tcp_conn_serve(struct tcp_worker *tw, struct tcp_conn *c)
{
	struct xg_stats *st = &tw->w->stats;
	uint64_t now;
	ssize_t n;
	int i, r;

	tw->cur = c;
	for (i = 0; i < XG_TCP_READS_PER_TURN; i++) {
		n = read(c->fd, tw->rbuf, sizeof(tw->rbuf));
		if (n < 0 && errno == EINTR) {
			i--;
			continue;
		}
		if (n < 0 && errno == EAGAIN) {
			conn_idle_turn(c);
			return;
		}
		if (n <= 0) {
			tcp_conn_close(tw, c, n ? XG_TCP_CLOSE_ERROR :
						  XG_TCP_CLOSE_PEER);
			return;
		}
		now = xg_now_ns();
		tw->ctx = xg_worker_ctx(tw->w, now);
		tw->ctx.peer = &c->peer;
		tw->frames = 0;
		xg_stat_add(&st->rx_bytes, (uint64_t)n);
		r = xg_stream_feed(&c->in, tw->rbuf, (size_t)n, on_frame, tw);
		if (flush_scratch(tw, now) || !tw->cur)
			return; /* closed while replying */
		if (r) {
			tcp_conn_close(tw, c, r == -EMSGSIZE ?
						      XG_TCP_CLOSE_FRAME_SIZE :
					      r == -EBADMSG ?
						      XG_TCP_CLOSE_MALFORMED :
					      r == -EDQUOT ?
						      XG_TCP_CLOSE_PLAYERS :
						      XG_TCP_CLOSE_ERROR);
			return;
		}
		if (tw->frames) { /* the idle clock restarts */
			c->last_ns = now;
			link_del(&c->idle);
			link_tail(&tw->idle, &c->idle);
		}
		if ((size_t)n < sizeof(tw->rbuf)) {
			conn_idle_turn(c);
			return;
		}
	}
	/* its turn is over with more to read: next turn, after the others */
	if (!c->ready) {
		link_tail(&tw->turn, &c->turn);
		c->ready = true;
	}
}
