/* SPDX-License-Identifier: MIT */
/*
 * TCP engine (`attach --tcp-port P`): the game's messages over a reliable
 * stream, beside the UDP fast path, served by the same handler table and
 * world through xg_handle().
 *
 * Each worker owns a listening socket on [::]:P (dual-stack, SO_REUSEPORT so
 * the kernel spreads connections over the workers, SO_BINDTODEVICE to the
 * interface like the UDP sockets) and an edge-triggered epoll set with its
 * connections. A worker never blocks on a connection and gives each one a
 * bounded turn, so no client can hold it:
 *   - accept: at most XG_TCP_ACCEPTS_PER_TURN per turn, the rest next turn;
 *     past --tcp-max open connections (all workers) a new one is reset and
 *     counted refused.
 *   - read: at most XG_TCP_READS_PER_TURN reads of XG_TCP_READ_CHUNK bytes
 *     into the worker's buffer; a connection with more waits on the
 *     worker's ready list for its next turn. Frames are cut by the header's
 *     size field (game/stream.h); a frame split across reads waits in the
 *     connection's own one-frame buffer; every whole frame goes to
 *     xg_handle() and its reply to the worker's output buffer, which is
 *     written to the socket once per read, so replies leave in request order.
 *   - write: what the kernel does not take waits in a per-connection output
 *     buffer of XG_TCP_OUTBUF bytes, taken from the worker's pool only while
 *     it holds bytes. A client that does not read its replies fills the
 *     kernel's send buffer (SO_SNDBUF XG_TCP_SNDBUF), then this one, and is
 *     disconnected (slow_reader).
 *   - time: a connection that completes no frame for --tcp-idle seconds is
 *     closed (idle); one byte a second never completes a frame in time.
 *     Connections are kept in order of their last frame, so expiry looks
 *     only at those past their time; each is read before it is closed, so
 *     that frames the kernel already holds (their event not yet taken)
 *     count.
 * A malformed frame (xg_validate() rejects it: counted by reason in the
 * worker's malformed[] as for UDP) or an impossible size field closes its
 * connection: a stream cannot resynchronise. A well-formed request the
 * sessions refuse (no session, bad cookie, over budget...) gets no reply,
 * as over UDP, and is counted denied; the connection stays.
 *
 * Sessions (protocol v2): a connection ends the sessions it joined when it
 * closes; see tcp_conn.c.
 *
 * Memory per connection: struct tcp_conn (about 250 bytes, its partial
 * frame and its players included) plus XG_TCP_OUTBUF while replies wait
 * for the kernel, plus the kernel's socket (see docs/OPERATIONS.md).
 *
 * This file: the listeners and workers (setup), accepting connections,
 * idle expiry, the worker loop and the engine's operations. One
 * connection's turn (reading, framing, handling, its replies and output
 * buffer, the players it joined, its closing) is tcp_conn.c; what the two
 * share is tcp_internal.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "engine/engine.h"
#include "engine/tcp.h"
#include "engine/tcp_internal.h"
#include "game/session.h"

const char *const xg_tcp_close_names[XG_TCP_NCLOSE] = {
	[XG_TCP_CLOSE_PEER] = "peer",
	[XG_TCP_CLOSE_MALFORMED] = "malformed",
	[XG_TCP_CLOSE_FRAME_SIZE] = "frame_size",
	[XG_TCP_CLOSE_SLOW_READER] = "slow_reader",
	[XG_TCP_CLOSE_IDLE] = "idle",
	[XG_TCP_CLOSE_PLAYERS] = "players",
	[XG_TCP_CLOSE_ERROR] = "error",
	[XG_TCP_CLOSE_STOP] = "stop",
};

static char listener_tag; /* epoll data of the listener */

/* ---- setup ---- */

/* A listening socket on [::]:port (0.0.0.0 without IPv6) on the interface;
 * reuseport=false makes it a probe that fails if anyone holds the port. */
static int tcp_listener(int *family, const char *ifname, uint16_t port,
			bool reuseport)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port),
				   .sin6_addr = IN6ADDR_ANY_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	int one = 1, zero = 0, fd, err;
	const int type = SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC;

	fd = socket(*family, type, 0);
	if (fd < 0 && errno == EAFNOSUPPORT && *family == AF_INET6) {
		*family = AF_INET;
		fd = socket(*family, type, 0);
	}
	if (fd < 0)
		return -errno;
	if ((*family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero))) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (reuseport &&
	     setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one))) ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
		       (socklen_t)strlen(ifname) + 1) ||
	    (*family == AF_INET6 ? bind(fd, (void *)&a6, sizeof(a6)) :
				   bind(fd, (void *)&a4, sizeof(a4))) ||
	    (reuseport && listen(fd, XG_TCP_BACKLOG)))
		goto err;
	return fd;
err:
	err = -errno;
	close(fd);
	return err;
}

static void tcp_port_error(const char *ifname, uint16_t port, int err)
{
	if (err == -EADDRINUSE)
		pr_warn("error: TCP port %u is already in use on %s; stop the process that holds it (see `ss -tlpn 'sport = :%u'`) or choose another --tcp-port\n",
			port, ifname, port);
	else
		pr_warn("error: cannot listen on TCP port %u on %s: %s%s\n",
			port, ifname, strerror(-err),
			err == -EACCES || err == -EPERM ?
				"; run as root (SO_BINDTODEVICE needs CAP_NET_RAW)" :
				"");
}

static struct tcp_worker *tcp_worker_new(struct tcp_engine *e, int *family,
					 uint16_t port, int i, int *err)
{
	struct xg_server *srv = e->srv;
	struct tcp_worker *tw = calloc(1, sizeof(*tw));
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET,
				  .data.ptr = &listener_tag };

	if (!tw) {
		*err = -ENOMEM;
		return NULL;
	}
	tw->e = e;
	tw->ep = -1;
	link_init(&tw->idle);
	link_init(&tw->turn);
	tw->lfd = tcp_listener(family, srv->cfg.ifname, port, true);
	if (tw->lfd < 0) {
		tcp_port_error(srv->cfg.ifname, port, tw->lfd);
		*err = tw->lfd;
		free(tw);
		return NULL;
	}
	tw->ep = epoll_create1(EPOLL_CLOEXEC);
	if (tw->ep < 0 || epoll_ctl(tw->ep, EPOLL_CTL_ADD, tw->lfd, &ev)) {
		*err = -errno;
		pr_warn("error: TCP worker %d: epoll: %s\n", i, strerror(errno));
		goto fail;
	}
	tw->w = xg_server_add_worker(srv, XG_PATH_TCP, xg_server_cpu(srv, i));
	if (!tw->w) {
		*err = -ENOSPC;
		goto fail;
	}
	tw->w->priv = tw;
	return tw;
fail:
	if (tw->ep >= 0)
		close(tw->ep);
	close(tw->lfd);
	free(tw);
	return NULL;
}

/* Raise the soft limit on open files to the hard one, and fit --tcp-max
 * into it: a connection the limit refuses is better counted than an
 * accept() failing with EMFILE. */
static int fit_fd_limit(int want)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)want + XG_TCP_FD_SLACK;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return want;
	if (rl.rlim_cur < need && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max < need ? rl.rlim_max : need;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur >= need)
		return want;
	pr_warn("warning: open files limited to %llu (ulimit -n); serving at most %llu TCP connections, not %d (raise the hard limit, see docs/OPERATIONS.md)\n",
		(unsigned long long)rl.rlim_cur,
		(unsigned long long)(rl.rlim_cur > XG_TCP_FD_SLACK * 2 ?
			rl.rlim_cur - XG_TCP_FD_SLACK : XG_TCP_FD_SLACK),
		want);
	return rl.rlim_cur > XG_TCP_FD_SLACK * 2 ?
		       (int)(rl.rlim_cur - XG_TCP_FD_SLACK) : XG_TCP_FD_SLACK;
}

static void tcp_destroy(void *state);

static int tcp_open(struct xg_server *srv, const struct xg_engine_opts *o,
		    void **out)
{
	struct tcp_engine *e;
	int i, fd, family = AF_INET6, err = 0;

	fd = tcp_listener(&family, srv->cfg.ifname, o->tcp_port, false);
	if (fd < 0) {
		tcp_port_error(srv->cfg.ifname, o->tcp_port, fd);
		return fd;
	}
	close(fd);
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->srv = srv;
	e->max_conns = fit_fd_limit(o->tcp_max);
	e->idle_ns = (uint64_t)o->tcp_idle_ms * 1000000ull;
	snprintf(e->describe, sizeof(e->describe),
		 "epoll, at most %d connections", e->max_conns);
	e->workers = calloc((size_t)o->nworkers, sizeof(*e->workers));
	if (!e->workers) {
		free(e);
		return -ENOMEM;
	}
	for (i = 0; i < o->nworkers; i++) {
		e->workers[i] = tcp_worker_new(e, &family, o->tcp_port, i,
					       &err);
		if (!e->workers[i])
			break;
		e->nworkers++;
	}
	if (err) {
		tcp_destroy(e);
		return err;
	}
	*out = e;
	return 0;
}

/* ---- connections: accept, idle expiry, the worker loop ---- */

/* Reset a connection we will not serve (RST, no TIME_WAIT). */
static void refuse(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

/* A socket address (IPv6, or IPv4 from an IPv4-only listener) as the
 * sessions take it: IPv4-mapped address, port in network order. */
static void to_xg_addr(const struct sockaddr_storage *ss, struct xg_addr *a,
		       uint16_t *port)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)ss;

		xg_addr_from_v4(a, s4->sin_addr.s_addr);
		*port = s4->sin_port;
	} else {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		memcpy(a->a, &s6->sin6_addr, 16);
		*port = s6->sin6_port;
	}
}

/* Take a new connection into the worker; false if it could not be. */
static bool conn_add(struct tcp_worker *tw, int fd,
		     const struct sockaddr_storage *peer, uint64_t now)
{
	struct sockaddr_storage local = {};
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP |
					    EPOLLET };
	int one = 1, sndbuf = XG_TCP_SNDBUF;
	socklen_t al = sizeof(local);
	struct tcp_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return false;
	c->fd = fd;
	c->last_ns = now;
	to_xg_addr(peer, &c->peer.addr, &c->peer.port);
	if (!getsockname(fd, (void *)&local, &al))
		to_xg_addr(&local, &c->peer.local, &c->peer.local_port);
	c->peer.stream = true;
	link_init(&c->turn);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	ev.data.ptr = c;
	if (epoll_ctl(tw->ep, EPOLL_CTL_ADD, fd, &ev)) {
		free(c);
		return false;
	}
	link_tail(&tw->idle, &c->idle);
	xg_stat_add(&tw->n.accepted, 1);
	return true;
}

/* Accept what the listener holds, a turn's worth at most. */
static void accept_some(struct tcp_worker *tw, uint64_t now)
{
	struct sockaddr_storage peer;
	socklen_t pl;
	int i, fd;

	tw->accept_more = true;
	for (i = 0; i < XG_TCP_ACCEPTS_PER_TURN; i++) {
		memset(&peer, 0, sizeof(peer));
		pl = sizeof(peer);
		fd = accept4(tw->lfd, (void *)&peer, &pl,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN) {
				/* EMFILE, ENOBUFS...: the connection stays
				 * queued; try again on the next turn */
				xg_stat_add(&tw->w->stats.errors, 1);
				return;
			}
			tw->accept_more = false;
			return;
		}
		if (atomic_fetch_add_explicit(&tw->e->open, 1,
					      memory_order_relaxed) >=
		    tw->e->max_conns) {
			atomic_fetch_sub_explicit(&tw->e->open, 1,
						  memory_order_relaxed);
			xg_stat_add(&tw->n.refused, 1);
			refuse(fd);
			continue;
		}
		if (!conn_add(tw, fd, &peer, now)) {
			atomic_fetch_sub_explicit(&tw->e->open, 1,
						  memory_order_relaxed);
			xg_stat_add(&tw->w->stats.errors, 1);
			refuse(fd);
		}
	}
}

/* Close the connections that completed no frame for the idle time. What
 * the kernel holds counts: with more connections ready than one
 * epoll_wait returns (XG_TCP_EVENTS), a connection's frames can wait
 * read-ready while the batches before its event are served. So one past
 * its time is served first (a turn, as conn_event would), and closed only
 * if that completed no frame. now is taken before that read: a frame it
 * does not find had not come by then either. */
static void expire_idle(struct tcp_worker *tw)
{
	uint64_t now = xg_now_ns(); /* after every last_ns of this turn */

	while (tw->idle.next != &tw->idle) {
		struct tcp_conn *c = conn_of(tw->idle.next, idle);
		uint64_t last = c->last_ns;

		if (last > now || now - last < tw->e->idle_ns)
			return; /* so are the ones after it: oldest first */
		tcp_conn_serve(tw, c);
		if (!tw->cur)
			continue; /* closed while served (peer, malformed...) */
		if (c->last_ns == last)
			tcp_conn_close(tw, c, XG_TCP_CLOSE_IDLE);
		/* else it completed a frame: at the tail, newer than now */
	}
}

/* One event of a connection. */
static void conn_event(struct tcp_worker *tw, struct tcp_conn *c, uint32_t ev)
{
	if ((ev & EPOLLOUT) && c->out_len && tcp_conn_drain(tw, c))
		return;
	if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		tcp_conn_serve(tw, c); /* a read tells EOF and errors apart */
}

static void *tcp_worker_run(void *arg)
{
	struct xg_worker *w = arg;
	struct tcp_worker *tw = w->priv;
	struct epoll_event evs[XG_TCP_EVENTS];
	struct link *l, *next;
	uint64_t now;
	int n, i;

	xg_worker_pin(w);
	while (!xg_server_stopping(w->srv)) {
		bool busy = tw->accept_more || tw->turn.next != &tw->turn;

		n = epoll_wait(tw->ep, evs, XG_TCP_EVENTS,
			       busy ? 0 : XG_TCP_WAIT_MS);
		if (n < 0 && errno != EINTR)
			xg_stat_add(&w->stats.errors, 1);
		now = xg_now_ns();
		for (i = 0; i < n; i++) {
			if (evs[i].data.ptr == &listener_tag)
				accept_some(tw, now);
			else
				conn_event(tw, evs[i].data.ptr, evs[i].events);
		}
		/* the connections left with more to read: one turn each
		 * (a turn changes no list entry but its own) */
		for (l = tw->turn.next; l != &tw->turn; l = next) {
			next = l->next;
			tcp_conn_serve(tw, conn_of(l, turn));
		}
		if (tw->accept_more)
			accept_some(tw, now);
		expire_idle(tw);
	}
	while (tw->idle.next != &tw->idle)
		tcp_conn_close(tw, conn_of(tw->idle.next, idle),
			       XG_TCP_CLOSE_STOP);
	return NULL;
}

/* ---- the engine's operations ---- */

static int tcp_start(void *state)
{
	struct tcp_engine *e = state;
	int i, err;

	for (i = 0; i < e->nworkers; i++) {
		err = xg_worker_start(e->workers[i]->w, tcp_worker_run);
		if (err) {
			pr_warn("error: cannot start TCP worker %d: %s\n", i,
				strerror(-err));
			return err;
		}
	}
	return 0;
}

static void tcp_stop(void *state)
{
	struct tcp_engine *e = state;
	int i;

	for (i = 0; e && i < e->nworkers; i++) {
		struct xg_worker *w = e->workers[i]->w;

		if (w->started) {
			pthread_join(w->thread, NULL);
			w->started = false;
		}
	}
}

static const char *tcp_describe(void *state)
{
	return ((struct tcp_engine *)state)->describe;
}

/* Every worker's connection counters summed. */
static void tcp_totals(const struct tcp_engine *e, struct tcp_counts *t)
{
	int i, k;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < e->nworkers; i++) {
		const struct tcp_counts *n = &e->workers[i]->n;

		t->accepted += xg_stat_read(&n->accepted);
		t->refused += xg_stat_read(&n->refused);
		t->unsent_bytes += xg_stat_read(&n->unsent_bytes);
		t->outbufs += xg_stat_read(&n->outbufs);
		t->sessions_ended += xg_stat_read(&n->sessions_ended);
		for (k = 0; k < XG_TCP_NCLOSE; k++)
			t->closed[k] += xg_stat_read(&n->closed[k]);
	}
}

static void tcp_report(void *state, FILE *f, xg_json *json)
{
	struct tcp_engine *e = state;
	struct tcp_counts t;
	xg_json *o, *m;
	int k;

	tcp_totals(e, &t);
	if (json) {
		o = xg_json_add(json, "tcp", xg_json_obj());
		xg_json_u64(o, "accepted", t.accepted);
		xg_json_u64(o, "refused", t.refused);
		xg_json_i64(o, "open", atomic_load(&e->open));
		xg_json_i64(o, "max", e->max_conns);
		xg_json_u64(o, "unsent_bytes", t.unsent_bytes);
		xg_json_u64(o, "output_buffers", t.outbufs);
		xg_json_u64(o, "sessions_ended", t.sessions_ended);
		m = xg_json_add(o, "closed", xg_json_obj());
		for (k = 0; k < XG_TCP_NCLOSE; k++)
			xg_json_u64(m, xg_tcp_close_names[k], t.closed[k]);
		return;
	}
	fprintf(f, "  tcp: accepted %" PRIu64 ", refused %" PRIu64
		   " (at most %d open), closed:",
		t.accepted, t.refused, e->max_conns);
	for (k = 0; k < XG_TCP_NCLOSE; k++)
		fprintf(f, " %s %" PRIu64, xg_tcp_close_names[k], t.closed[k]);
	fprintf(f, "; unsent %" PRIu64 " bytes, %" PRIu64
		   " output buffers of %d bytes; %" PRIu64
		   " sessions ended with their connection\n",
		t.unsent_bytes, t.outbufs, XG_TCP_OUTBUF, t.sessions_ended);
}

static void tcp_destroy(void *state)
{
	struct tcp_engine *e = state;
	int i;

	if (!e)
		return;
	tcp_stop(e);
	for (i = 0; i < e->nworkers; i++) {
		struct tcp_worker *tw = e->workers[i];

		while (tw->idle.next != &tw->idle) /* never started */
			tcp_conn_close(tw, conn_of(tw->idle.next, idle),
				       XG_TCP_CLOSE_STOP);
		while (tw->pool) {
			void *b = tw->pool;

			tw->pool = *(void **)b;
			free(b);
		}
		close(tw->ep);
		close(tw->lfd);
		free(tw);
	}
	free(e->workers);
	free(e);
}

const struct xg_engine_ops xg_engine_tcp = {
	.name = "tcp",
	.open = tcp_open,
	.start = tcp_start,
	.stop = tcp_stop,
	.describe = tcp_describe,
	.report = tcp_report,
	.destroy = tcp_destroy,
};
