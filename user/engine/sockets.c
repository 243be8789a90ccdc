/* SPDX-License-Identifier: MIT */
/*
 * Kernel-socket engine; see engine_sockets.h.
 *
 * A worker's loop: for each of its sockets, receive a batch without
 * blocking, run xg_handle() on each datagram in place (the receive buffer
 * becomes the reply), and send the replies back in one sendmmsg. When a pass
 * over all sockets found nothing, it sleeps in poll() (100 ms, to notice a
 * stop), or with --busy-poll keeps spinning (the sockets have SO_BUSY_POLL).
 */
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "engine/engine.h"

/* A datagram longer than XG_SOCK_BUFSZ is still classified by its real
 * length (MSG_TRUNC): the handler reads only the head it needs. */
enum { XG_SOCK_BATCH = 64, XG_SOCK_BUFSZ = 2048, XG_SOCK_CMSG = 64 };

enum {
	XG_BUSY_POLL_US = 50,
	XG_IDLE_POLL_MS = 100,
	XG_SOCK_RCVBUF = 4 << 20, /* bytes: room for bursts */
};

struct xg_sock_worker {
	struct xg_worker *w;
	int fds[XG_MAX_PORTS];
	uint16_t ports[XG_MAX_PORTS]; /* network order, per fd */
	int nfds;
	bool dual_stack;              /* AF_INET6 sockets (else AF_INET) */
	bool naive;
	bool busy_poll;
	struct mmsghdr rx[XG_SOCK_BATCH], tx[XG_SOCK_BATCH];
	struct iovec rx_iov[XG_SOCK_BATCH], tx_iov[XG_SOCK_BATCH];
	struct sockaddr_in6 addr[XG_SOCK_BATCH];
	struct xg_peer peer[XG_SOCK_BATCH];
	union {
		struct cmsghdr align;
		unsigned char b[XG_SOCK_CMSG];
	} rxc[XG_SOCK_BATCH], txc[XG_SOCK_BATCH];
	unsigned char buf[XG_SOCK_BATCH][XG_SOCK_BUFSZ];
};

struct xg_sock_engine {
	struct xg_server *srv;
	struct xg_sock_worker **workers;
	int nworkers;
	int family; /* AF_INET6 (dual-stack), or AF_INET on a host without IPv6 */
};

/* Create a UDP socket bound to [::]:port (or 0.0.0.0 without IPv6) on the
 * interface. reuseport=false makes it a probe that fails if anyone holds
 * the port. Returns the fd or negative errno. */
static int udp_socket(int *family, const char *ifname, uint16_t port,
		      bool reuseport, bool busy_poll)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port),
				   .sin6_addr = IN6ADDR_ANY_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	int one = 1, zero = 0, bp = XG_BUSY_POLL_US, rcv = XG_SOCK_RCVBUF, fd, err;

	fd = socket(*family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 && errno == EAFNOSUPPORT && *family == AF_INET6) {
		*family = AF_INET;
		fd = socket(*family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	}
	if (fd < 0)
		return -errno;
	if (*family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)))
		goto err;
	if (reuseport &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)))
		goto err;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
		       (socklen_t)strlen(ifname) + 1))
		goto err;
	/* the address each datagram was sent to: the session binds it, and
	 * the reply leaves from it (a dual-stack socket says it for IPv4 too,
	 * as an IPv4-mapped IPV6_PKTINFO) */
	if (*family == AF_INET6 ?
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) :
		    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)))
		goto err;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (busy_poll &&
	    setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL, &bp, sizeof(bp)))
		pr_warn("warning: SO_BUSY_POLL on port %u: %s (needs CAP_NET_ADMIN); continuing without it\n",
			port, strerror(errno));
	if (*family == AF_INET6 ? bind(fd, (void *)&a6, sizeof(a6)) :
				      bind(fd, (void *)&a4, sizeof(a4)))
		goto err;
	return fd;
err:
	err = -errno;
	close(fd);
	return err;
}

static void port_error(const char *ifname, uint16_t port, int err)
{
	if (err == -EADDRINUSE)
		pr_warn("error: UDP port %u is already in use on %s; stop the process that holds it (see `ss -ulpn 'sport = :%u'`) or choose another --port\n",
			port, ifname, port);
	else if (err == -EACCES || err == -EPERM)
		pr_warn("error: cannot bind UDP port %u on %s: %s; run as root (SO_BINDTODEVICE needs CAP_NET_RAW)\n",
			port, ifname, strerror(-err));
	else
		pr_warn("error: cannot open UDP port %u on %s: %s\n", port,
			ifname, strerror(-err));
}

static void *worker_batched(void *arg);
static void *worker_naive(void *arg);

static struct xg_sock_worker *sock_worker_new(struct xg_sock_engine *e,
					      int i, int *err)
{
	struct xg_server *srv = e->srv;
	struct xg_sock_worker *sw = calloc(1, sizeof(*sw));
	int p, fd;

	if (!sw) {
		*err = -ENOMEM;
		return NULL;
	}
	sw->naive = srv->cfg.naive;
	sw->dual_stack = e->family == AF_INET6;
	sw->busy_poll = srv->cfg.busy_poll;
	for (p = 0; p < srv->cfg.nports; p++) {
		fd = udp_socket(&e->family, srv->cfg.ifname, srv->cfg.ports[p],
				true, srv->cfg.busy_poll);
		if (fd < 0) {
			port_error(srv->cfg.ifname, srv->cfg.ports[p], fd);
			*err = fd;
			goto fail;
		}
		sw->ports[sw->nfds] = htons(srv->cfg.ports[p]);
		sw->fds[sw->nfds++] = fd;
	}
	sw->w = xg_server_add_worker(srv, XG_PATH_SOCKET,
				     xg_server_cpu(srv, i));
	if (!sw->w) {
		*err = -ENOSPC;
		goto fail;
	}
	sw->w->priv = sw;
	return sw;
fail:
	while (sw->nfds)
		close(sw->fds[--sw->nfds]);
	free(sw);
	return NULL;
}

static void sockets_destroy(void *state);

static int sockets_open(struct xg_server *srv, const struct xg_engine_opts *o,
			void **out)
{
	struct xg_sock_engine *e;
	int i, fd, nworkers, err = 0;

	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->srv = srv;
	e->family = AF_INET6;
	/* A probe without SO_REUSEPORT fails if anyone holds the port, even
	 * another SO_REUSEPORT group that we would otherwise silently join. */
	for (i = 0; i < srv->cfg.nports; i++) {
		fd = udp_socket(&e->family, srv->cfg.ifname, srv->cfg.ports[i],
				false, false);
		if (fd < 0) {
			port_error(srv->cfg.ifname, srv->cfg.ports[i], fd);
			free(e);
			return fd;
		}
		close(fd);
	}

	nworkers = o->nworkers;
	e->workers = calloc((size_t)nworkers, sizeof(*e->workers));
	if (!e->workers) {
		free(e);
		return -ENOMEM;
	}
	for (i = 0; i < nworkers; i++) {
		e->workers[i] = sock_worker_new(e, i, &err);
		if (!e->workers[i])
			break;
		e->nworkers++;
	}
	if (err) {
		sockets_destroy(e);
		return err;
	}
	*out = e;
	return 0;
}

static int sockets_start(void *state)
{
	struct xg_sock_engine *e = state;
	int i, err;

	for (i = 0; i < e->nworkers; i++) {
		struct xg_sock_worker *sw = e->workers[i];

		/* with AF_XDP serving every queue these are the fallback:
		 * spinning would only take the CPU from the AF_XDP workers
		 * and the NAPI thread they share it with */
		if (e->srv->xsk_serving)
			sw->busy_poll = false;
		err = xg_worker_start(sw->w, sw->naive ? worker_naive :
							 worker_batched);
		if (err) {
			pr_warn("error: cannot start socket worker %d: %s\n",
				i, strerror(-err));
			return err;
		}
	}
	return 0;
}

static void sockets_stop(void *state)
{
	struct xg_sock_engine *e = state;
	int i;

	for (i = 0; e && i < e->nworkers; i++) {
		struct xg_sock_worker *sw = e->workers[i];

		if (sw->w->started) {
			pthread_join(sw->w->thread, NULL);
			sw->w->started = false;
		}
	}
}

static const char *sockets_describe(void *state)
{
	struct xg_sock_engine *e = state;

	return e->srv->cfg.naive ? "recvfrom/sendto" : "recvmmsg/sendmmsg";
}

static void sockets_destroy(void *state)
{
	struct xg_sock_engine *e = state;
	int i;

	if (!e)
		return;
	sockets_stop(e);
	for (i = 0; i < e->nworkers; i++) {
		struct xg_sock_worker *sw = e->workers[i];

		while (sw->nfds)
			close(sw->fds[--sw->nfds]);
		free(sw);
	}
	free(e->workers);
	free(e);
}

/* Sleep until a socket is readable, a stop, or the idle timeout. */
static void wait_readable(struct xg_sock_worker *sw)
{
	struct pollfd pfd[XG_MAX_PORTS];
	int i;

	for (i = 0; i < sw->nfds; i++)
		pfd[i] = (struct pollfd){ .fd = sw->fds[i], .events = POLLIN };
	if (poll(pfd, (nfds_t)sw->nfds, XG_IDLE_POLL_MS) < 0 && errno != EINTR)
		xg_stat_add(&sw->w->stats.errors, 1);
}

static void msg_prepare(struct xg_sock_worker *sw, int i)
{
	sw->rx_iov[i] = (struct iovec){ sw->buf[i], XG_SOCK_BUFSZ };
	sw->rx[i].msg_hdr = (struct msghdr){
		.msg_name = &sw->addr[i],
		.msg_namelen = sizeof(sw->addr[i]),
		.msg_iov = &sw->rx_iov[i],
		.msg_iovlen = 1,
		.msg_control = sw->rxc[i].b,
		.msg_controllen = sizeof(sw->rxc[i].b),
	};
}

static void batch_prepare(struct xg_sock_worker *sw)
{
	int i;

	for (i = 0; i < XG_SOCK_BATCH; i++)
		msg_prepare(sw, i);
}

/* Both ends of received datagram i, from its source address and its
 * IP_PKTINFO / IPV6_PKTINFO. */
static void peer_of(struct xg_sock_worker *sw, int i, uint16_t port)
{
	const struct msghdr *m = &sw->rx[i].msg_hdr;
	const struct sockaddr_in6 *a6 = &sw->addr[i];
	struct xg_peer *p = &sw->peer[i];
	struct cmsghdr *cm;

	memset(p, 0, sizeof(*p));
	if (a6->sin6_family == AF_INET6) {
		memcpy(p->addr.a, &a6->sin6_addr, 16);
		p->port = a6->sin6_port;
	} else {
		const struct sockaddr_in *a4 = (const void *)a6;

		xg_addr_from_v4(&p->addr, a4->sin_addr.s_addr);
		p->port = a4->sin_port;
	}
	p->local_port = port;
	for (cm = CMSG_FIRSTHDR(m); cm; cm = CMSG_NXTHDR((struct msghdr *)m, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			xg_addr_from_v4(&p->local, pi.ipi_addr.s_addr);
		} else if (cm->cmsg_level == IPPROTO_IPV6 &&
			   cm->cmsg_type == IPV6_PKTINFO &&
			   cm->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			memcpy(p->local.a, &pi.ipi6_addr, 16);
		}
	}
}

/* Reply j leaves from the address its request was sent to. */
static void reply_from(struct xg_sock_worker *sw, int j, struct msghdr *m,
		       const struct xg_peer *p)
{
	struct cmsghdr *cm;

	m->msg_control = sw->txc[j].b;
	if (!sw->dual_stack) {
		struct in_pktinfo pi = {};

		memcpy(&pi.ipi_spec_dst.s_addr, &p->local.a[12], 4);
		m->msg_controllen = CMSG_SPACE(sizeof(pi));
		cm = CMSG_FIRSTHDR(m);
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	} else {
		struct in6_pktinfo pi = {};

		memcpy(&pi.ipi6_addr, p->local.a, 16);
		m->msg_controllen = CMSG_SPACE(sizeof(pi));
		cm = CMSG_FIRSTHDR(m);
		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	}
}

static void count_send_error(struct xg_stats *st, int err)
{
	pr_debug("sockets: a reply was not sent: %s\n", strerror(err));
	xg_stat_add(err == EAGAIN || err == ENOBUFS ? &st->drops : &st->errors,
		    1);
}

/* Send 'n' prepared replies. A datagram the kernel refuses (a prohibit
 * route, EPERM from a firewall, a full buffer) is counted and skipped; the
 * rest still go. */
static void send_batch(struct xg_sock_worker *sw, int fd, int n)
{
	struct xg_stats *st = &sw->w->stats;
	int done = 0, r;

	while (done < n) {
		r = sendmmsg(fd, sw->tx + done, (unsigned int)(n - done), 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			count_send_error(st, errno);
			done++; /* the one that failed */
			continue;
		}
		for (int i = done; i < done + r; i++)
			xg_stat_add(&st->tx_bytes, sw->tx[i].msg_hdr.msg_iov->iov_len);
		xg_stat_add(&st->tx_packets, (uint64_t)r);
		done += r;
	}
}

/* One recvmmsg batch on socket k: handle and reply. Returns datagrams
 * received (0 if none). */
static int serve_batch(struct xg_sock_worker *sw, int k)
{
	struct xg_stats *st = &sw->w->stats;
	struct xg_handler_ctx ctx;
	int fd = sw->fds[k];
	uint64_t t0, t1;
	int n, i, r, out = 0;

	for (i = 0; i < XG_SOCK_BATCH; i++) {
		sw->rx[i].msg_hdr.msg_namelen = sizeof(sw->addr[i]);
		sw->rx[i].msg_hdr.msg_controllen = sizeof(sw->rxc[i].b);
	}
	n = recvmmsg(fd, sw->rx, XG_SOCK_BATCH, MSG_DONTWAIT | MSG_TRUNC, NULL);
	if (n <= 0) {
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			xg_stat_add(&st->errors, 1);
		return 0;
	}
	t0 = xg_now_ns();
	ctx = xg_worker_ctx(sw->w, t0);
	xg_stat_add(&st->rx_packets, (uint64_t)n);
	for (i = 0; i < n; i++) {
		xg_stat_add(&st->rx_bytes, sw->rx[i].msg_len);
		peer_of(sw, i, sw->ports[k]);
		ctx.peer = &sw->peer[i];
		r = xg_handle(&ctx, sw->buf[i], sw->rx[i].msg_len, sw->buf[i],
			      XG_SOCK_BUFSZ);
		if (r <= 0)
			continue;
		sw->tx_iov[out] = (struct iovec){ sw->buf[i], (size_t)r };
		sw->tx[out].msg_hdr = (struct msghdr){
			.msg_name = &sw->addr[i],
			.msg_namelen = sw->rx[i].msg_hdr.msg_namelen,
			.msg_iov = &sw->tx_iov[out],
			.msg_iovlen = 1,
		};
		reply_from(sw, out, &sw->tx[out].msg_hdr, &sw->peer[i]);
		out++;
	}
	if (out)
		send_batch(sw, fd, out);
	t1 = xg_now_ns();
	for (i = 0; i < out; i++)
		xg_hist_record(&st->latency, t1 - t0);
	return n;
}

static void *worker_batched(void *arg)
{
	struct xg_worker *w = arg;
	struct xg_sock_worker *sw = w->priv;
	int i, got;

	xg_worker_pin(w);
	batch_prepare(sw);
	while (!xg_server_stopping(w->srv)) {
		got = 0;
		for (i = 0; i < sw->nfds; i++)
			got += serve_batch(sw, i);
		if (!got && !sw->busy_poll)
			wait_readable(sw);
	}
	return NULL;
}

/* The naive baseline: one recvmsg and one sendmsg per datagram. */
static int serve_one(struct xg_sock_worker *sw, int k)
{
	struct xg_stats *st = &sw->w->stats;
	struct msghdr *m = &sw->rx[0].msg_hdr;
	struct xg_handler_ctx ctx;
	struct msghdr out;
	struct iovec iov;
	uint64_t t0;
	ssize_t n;
	int r;

	msg_prepare(sw, 0);
	n = recvmsg(sw->fds[k], m, MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			xg_stat_add(&st->errors, 1);
		return 0;
	}
	t0 = xg_now_ns();
	ctx = xg_worker_ctx(sw->w, t0);
	xg_stat_add(&st->rx_packets, 1);
	xg_stat_add(&st->rx_bytes, (uint64_t)n);
	peer_of(sw, 0, sw->ports[k]);
	ctx.peer = &sw->peer[0];
	r = xg_handle(&ctx, sw->buf[0], (uint32_t)n, sw->buf[0], XG_SOCK_BUFSZ);
	if (r <= 0)
		return 1;
	iov = (struct iovec){ sw->buf[0], (size_t)r };
	out = (struct msghdr){ .msg_name = &sw->addr[0],
			       .msg_namelen = m->msg_namelen,
			       .msg_iov = &iov, .msg_iovlen = 1 };
	reply_from(sw, 0, &out, &sw->peer[0]);
	if (sendmsg(sw->fds[k], &out, 0) < 0) {
		count_send_error(st, errno);
		return 1;
	}
	xg_stat_add(&st->tx_packets, 1);
	xg_stat_add(&st->tx_bytes, (uint64_t)r);
	xg_hist_record(&st->latency, xg_now_ns() - t0);
	return 1;
}

static void *worker_naive(void *arg)
{
	struct xg_worker *w = arg;
	struct xg_sock_worker *sw = w->priv;
	int i, got;

	xg_worker_pin(w);
	while (!xg_server_stopping(w->srv)) {
		got = 0;
		for (i = 0; i < sw->nfds; i++)
			got += serve_one(sw, i);
		if (!got && !sw->busy_poll)
			wait_readable(sw);
	}
	return NULL;
}

const struct xg_engine_ops xg_engine_sockets = {
	.name = "sockets",
	.open = sockets_open,
	.start = sockets_start,
	.stop = sockets_stop,
	.describe = sockets_describe,
	.destroy = sockets_destroy,
};
