/* SPDX-License-Identifier: MIT */
/*
 * The /metrics endpoint of `xdpgame attach --metrics ADDR:PORT`: our own
 * listening socket (bound before anything else starts, so a bad address or
 * a port in use fails the attach at once with errno's word for it), handed
 * to libmicrohttpd, whose internal thread answers every scrape. Workers
 * never serve HTTP: a scrape reads their counters like the live line does
 * (core/stats.h: single writer, relaxed atomic reads) and the XDP program's
 * `stats` map through its own fd.
 */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "cli/metrics.h"
#include "core/log.h"
#include "core/prom.h"
#include "core/util.h"
#include "engine/engine.h"
#include "game/session.h"
#include "xdp/loader.h"

enum {
	METRICS_CONN_LIMIT = 16,  /* scrapers at once */
	METRICS_CONN_TIMEOUT = 10, /* seconds an idle connection is kept */
	ADDR_LEN = 64,
};

struct xg_metrics {
	struct MHD_Daemon *d;
	struct xg_server *srv;
	int xdp_stats_fd;
	double start_time;
};

/* "HOST:PORT" or "[HOST6]:PORT" into host and port; -EINVAL if not. */
static int split_addr(const char *s, char host[ADDR_LEN], const char **port)
{
	const char *colon;
	size_t hl;

	if (*s == '[') {
		colon = strstr(s, "]:");
		if (!colon)
			return -EINVAL;
		hl = (size_t)(colon - s - 1);
		s++;
		*port = colon + 2;
	} else {
		colon = strrchr(s, ':');
		if (!colon || strchr(s, ':') != colon)
			return -EINVAL;
		hl = (size_t)(colon - s);
		*port = colon + 1;
	}
	if (!hl || hl >= ADDR_LEN)
		return -EINVAL;
	memcpy(host, s, hl);
	host[hl] = '\0';
	return 0;
}

int xg_metrics_listen(const char *addr)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
				  .ai_socktype = SOCK_STREAM },
			*ai = NULL;
	char host[ADDR_LEN];
	const char *port;
	uint16_t pnum;
	int fd, one = 1, err;

	if (split_addr(addr, host, &port) || xg_parse_port(port, &pnum) ||
	    getaddrinfo(host, port, &hints, &ai)) {
		pr_warn("error: attach: invalid --metrics '%s': want ADDR:PORT "
			"with a numeric address, e.g. 127.0.0.1:9100, "
			"0.0.0.0:9100 or [::1]:9100\n",
			addr);
		return -EINVAL;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 64)) {
		err = -errno;
		pr_warn("error: cannot serve metrics on %s: %s%s\n", addr,
			strerror(-err),
			err == -EADDRINUSE ?
				" (find the holder with `ss -ltnp`; choose "
				"another --metrics port)" :
			err == -EADDRNOTAVAIL ?
				" (no interface has that address here)" :
				"");
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return err;
	}
	freeaddrinfo(ai);
	return fd;
}

/* The exposition of the live server, into a malloc'ed buffer. */
static char *scrape(struct xg_metrics *m, size_t *len)
{
	struct xg_xdp_count xdp[XG_CNT_MAX];
	struct xg_metrics_src src = { .ifname = m->srv->cfg.ifname,
				      .start_time = m->start_time };
	struct xg_worker_pub *pubs;
	struct xg_stats *sum;
	char *buf = NULL;
	FILE *f;
	int i, n = m->srv->nworkers;

	pubs = calloc((size_t)(n > 0 ? n : 1), sizeof(*pubs));
	sum = aligned_alloc(XG_CACHELINE, sizeof(*sum));
	f = open_memstream(&buf, len);
	if (!pubs || !sum || !f)
		goto out;
	xg_stats_init(sum);
	for (i = 0; i < n; i++) {
		xg_worker_publish(&m->srv->workers[i], &pubs[i]);
		xg_stats_merge(sum, &m->srv->workers[i].stats);
	}
	src.workers = pubs;
	src.nworkers = n;
	src.service = &sum->latency;
	src.have_sessions = m->srv->sessions != NULL;
	if (src.have_sessions)
		src.sessions_live = xg_sessions_live(m->srv->sessions);
	if (m->xdp_stats_fd >= 0 && !xg_xdp_sum_stats(m->xdp_stats_fd, xdp))
		src.xdp = xdp;
	xg_metrics_write(f, &src);
out:
	if (f && fclose(f)) {
		free(buf);
		buf = NULL;
	}
	free(pubs);
	free(sum);
	return buf;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int code,
			     char *body, size_t len, const char *type)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned int code,
				  const char *text)
{
	char *body = strdup(text);

	return body ? reply(c, code, body, strlen(body), "text/plain") :
		      MHD_NO;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **req)
{
	struct xg_metrics *m = cls;
	size_t len = 0;
	char *body;

	(void)version;
	(void)upload;
	(void)upload_size;
	(void)req;
	if (strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "GET /metrics\n");
	if (strcmp(url, "/metrics"))
		return reply_text(c, MHD_HTTP_NOT_FOUND,
				  "not found; metrics are at /metrics\n");
	body = scrape(m, &len);
	if (!body)
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "out of memory\n");
	return reply(c, MHD_HTTP_OK, body, len, XG_PROM_CONTENT_TYPE);
}

int xg_metrics_start(int fd, struct xg_server *srv, int xdp_stats_fd,
		     struct xg_metrics **out)
{
	struct xg_metrics *m = calloc(1, sizeof(*m));
	sigset_t block, old;
	struct timespec now;

	*out = NULL;
	if (!m) {
		close(fd);
		return -ENOMEM;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	m->srv = srv;
	m->xdp_stats_fd = xdp_stats_fd;
	m->start_time = (double)now.tv_sec + (double)now.tv_nsec / 1e9;
	/* the thread inherits our mask: signals stay with the main thread */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	m->d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL,
				on_request, m, MHD_OPTION_LISTEN_SOCKET, fd,
				MHD_OPTION_CONNECTION_LIMIT,
				(unsigned int)METRICS_CONN_LIMIT,
				MHD_OPTION_CONNECTION_TIMEOUT,
				(unsigned int)METRICS_CONN_TIMEOUT,
				MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!m->d) {
		pr_warn("error: cannot start the metrics endpoint "
			"(libmicrohttpd)\n");
		close(fd);
		free(m);
		return -EIO;
	}
	*out = m;
	return 0;
}

void xg_metrics_stop(struct xg_metrics *m)
{
	if (!m)
		return;
	MHD_stop_daemon(m->d); /* joins its thread, closes the socket */
	free(m);
}
