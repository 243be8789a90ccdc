/* SPDX-License-Identifier: MIT */
/*
 * `xdpgame load --tcp ADDR:PORT --connections N`: the setup before the run
 * (the target, --source-addrs, room for every connection's socket), the
 * report after it, and xg_tcp_load(), which ties them to the run. The run
 * itself, its phases described at its top, is tcp_run.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/json.h"
#include "core/log.h"
#include "load/handshake.h"
#include "load/report.h"
#include "load/target.h"
#include "load/tcp.h"
#include "load/tcp_internal.h"

enum {
	TL_FD_SLACK = 64,
};

/* ---- setup ---- */

static int resolve(struct tl_ctx *c)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
	const char *port;
	char host[256];
	int err;

	if (xg_load_split_target(c->o->target, host, sizeof(host), &port))
		return -EINVAL;
	err = getaddrinfo(host, port, &hints, &res);
	if (err) {
		pr_warn("error: load: cannot resolve '%s' port '%s': %s\n",
			host, port, gai_strerror(err));
		return -EINVAL;
	}
	memcpy(&c->dst, res->ai_addr, res->ai_addrlen);
	c->dstlen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* One source address into c->src, of the target's family. */
static int add_source(struct tl_ctx *c, int family, const void *addr)
{
	struct sockaddr_storage *s = &c->src[c->nsrc];

	if (c->nsrc == XG_TCPL_MAX_SOURCES || family != c->dst.ss_family)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->ss_family = (sa_family_t)family;
	if (family == AF_INET)
		memcpy(&((struct sockaddr_in *)s)->sin_addr, addr, 4);
	else
		memcpy(&((struct sockaddr_in6 *)s)->sin6_addr, addr, 16);
	c->nsrc++;
	return 0;
}

/* --source-addrs: ADDR or IPv4 range A-B, comma separated. */
static int parse_sources(struct tl_ctx *c, const char *list)
{
	char *dup = strdup(list), *save = NULL, *tok, *dash;
	struct in6_addr a6;
	struct in_addr a, b;
	int err = 0;
	uint32_t i;

	c->src = calloc(XG_TCPL_MAX_SOURCES, sizeof(*c->src));
	if (!dup || !c->src) {
		free(dup);
		return -ENOMEM;
	}
	for (tok = strtok_r(dup, ",", &save); tok && !err;
	     tok = strtok_r(NULL, ",", &save)) {
		dash = strchr(tok, '-');
		if (dash)
			*dash = '\0';
		if (dash && inet_pton(AF_INET, tok, &a) == 1 &&
		    inet_pton(AF_INET, dash + 1, &b) == 1 &&
		    ntohl(a.s_addr) <= ntohl(b.s_addr)) {
			for (i = ntohl(a.s_addr); !err && i <= ntohl(b.s_addr);
			     i++) {
				struct in_addr x = { .s_addr = htonl(i) };

				err = add_source(c, AF_INET, &x);
			}
		} else if (!dash && inet_pton(AF_INET, tok, &a) == 1) {
			err = add_source(c, AF_INET, &a);
		} else if (!dash && inet_pton(AF_INET6, tok, &a6) == 1) {
			err = add_source(c, AF_INET6, &a6);
		} else {
			err = -EINVAL;
		}
	}
	free(dup);
	if (err || !c->nsrc)
		pr_warn("error: load: invalid --source-addrs '%s': want addresses of the target's family or IPv4 ranges A-B, %d at most, comma separated\n",
			list, XG_TCPL_MAX_SOURCES);
	return err ? err : c->nsrc ? 0 : -EINVAL;
}

/* Room for every connection's socket: the soft limit raised to the hard. */
static int fd_room(uint32_t n)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)n + TL_FD_SLACK;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 0;
	if (rl.rlim_cur >= need)
		return 0;
	rl.rlim_cur = rl.rlim_max < need ? rl.rlim_max : need;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur >= need)
		return 0;
	pr_warn("error: load: %u connections need %llu open files, the limit is %llu; raise it (as root: ulimit -n %llu)\n",
		n, (unsigned long long)need, (unsigned long long)rl.rlim_max,
		(unsigned long long)need);
	return -EMFILE;
}

/* ---- report ---- */

static int tl_report(const struct tl_ctx *c)
{
	const struct xg_tcp_load_opts *o = c->o;
	const struct tl_stats *s = &c->st;
	double secs = (double)(s->finished - s->started) / 1e9;
	double play = (double)(s->finished - (s->connected ? s->connected :
							      s->finished)) / 1e9;
	xg_json *root, *kinds;
	int k, err;

	if (!o->json) {
		printf("load tcp %s: %.2f s, connections %u, opened %u, failed %u, closed by the server %u\n",
		       o->target, secs, o->connections, s->opened, s->failed,
		       s->closed);
		printf("  sent %" PRIu64 ", acked %" PRIu64 ", lost %" PRIu64
		       ", wrong %" PRIu64 ", errors %" PRIu64
		       "; %u active with window %u: %.0f acks/s after the opening round\n",
		       s->sent, s->acked, s->lost, s->wrong, s->errors,
		       o->active, o->window,
		       xg_per_sec((double)s->rtt.count, play));
		xg_handshake_print(stdout, &s->hs);
		if (s->challenged || o->connections > o->players)
			printf("  %u connections without a player (past --players): %u read their CHALLENGE\n",
			       o->connections - o->players, s->challenged);
		xg_load_hist_text(stdout, "connect", &s->connect);
		xg_load_hist_text(stdout, "join", &s->join);
		xg_load_hist_text(stdout, "opening round rtt", &s->first);
		xg_load_hist_text(stdout, "rtt", &s->rtt);
		return 0;
	}
	root = xg_json_obj();
	xg_json_str(root, "target", o->target);
	xg_json_dbl(root, "seconds", secs);
	xg_json_u64(root, "connections", o->connections);
	xg_json_u64(root, "opened", s->opened);
	xg_json_u64(root, "failed", s->failed);
	xg_json_u64(root, "closed", s->closed);
	xg_json_u64(root, "active", o->active);
	xg_json_u64(root, "window", o->window);
	xg_json_u64(root, "sent", s->sent);
	xg_json_u64(root, "acked", s->acked);
	xg_json_u64(root, "lost", s->lost);
	xg_json_u64(root, "wrong", s->wrong);
	xg_json_u64(root, "errors", s->errors);
	xg_json_u64(root, "bytes_out", s->bytes_out);
	xg_json_u64(root, "bytes_in", s->bytes_in);
	xg_json_u64(root, "pps", (uint64_t)xg_per_sec((double)s->rtt.count, play));
	xg_json_u64(root, "players", o->players);
	xg_json_u64(root, "challenged", s->challenged);
	xg_handshake_json(root, &s->hs);
	xg_json_add(root, "connect_ns", xg_load_hist_json(&s->connect));
	xg_json_add(root, "join_ns", xg_load_hist_json(&s->join));
	xg_json_add(root, "opening_rtt_ns", xg_load_hist_json(&s->first));
	xg_json_add(root, "rtt_ns", xg_load_hist_json(&s->rtt));
	kinds = xg_json_add(root, "sent_by_kind", xg_json_obj());
	for (k = 0; k < XG_NKINDS; k++)
		xg_json_u64(kinds, xg_kind_names[k], s->per_kind_sent[k]);
	err = xg_json_print(stdout, root);
	if (err)
		pr_warn("error: load: cannot print the report: %s\n",
			strerror(-err));
	return err;
}

int xg_tcp_load(const struct xg_tcp_load_opts *o)
{
	struct tl_ctx c = { .o = o, .ep = -1 };
	uint32_t i;
	int ret;

	ret = resolve(&c);
	if (!ret && o->sources)
		ret = parse_sources(&c, o->sources);
	if (!ret)
		ret = fd_room(o->connections);
	if (ret)
		goto out;
	c.next_seq = xg_mix_init(&c.mix, o->weights, o->first_player,
				 o->players, o->seed);
	c.conns = calloc(o->connections, sizeof(*c.conns));
	c.q = calloc((size_t)o->connections * o->window, sizeof(*c.q));
	c.tokens = calloc(o->players, sizeof(*c.tokens));
	c.mix.tokens = c.tokens;
	c.ep = epoll_create1(EPOLL_CLOEXEC);
	if (!c.conns || !c.q || !c.tokens || c.ep < 0) {
		pr_warn("error: load: out of memory or epoll: %s\n",
			strerror(errno));
		ret = -ENOMEM;
		goto out;
	}
	xg_hist_reset(&c.st.connect);
	xg_hist_reset(&c.st.first);
	xg_hist_reset(&c.st.join);
	xg_hist_reset(&c.st.rtt);
	signal(SIGINT, tl_on_signal);
	signal(SIGTERM, tl_on_signal);
	signal(SIGPIPE, SIG_IGN);
	tl_run(&c);
	c.st.hs.unanswered = o->players - c.st.hs.joined - c.st.hs.refused;
	if (c.ph == PH_JOIN) /* stopped before every handshake was over */
		c.st.hs.seconds_ns = c.st.finished - c.st.hs_started;
	ret = c.st.opened == o->connections && c.st.hs.joined == o->players &&
			      c.st.acked == c.st.sent && !c.st.wrong &&
			      !c.st.lost && !c.st.errors ?
		      0 : -EBADMSG;
	if (tl_report(&c))
		ret = -EIO;
out:
	for (i = 0; c.conns && i < o->connections; i++)
		if (c.conns[i].state != TL_NEW && c.conns[i].fd >= 0)
			close(c.conns[i].fd);
	if (c.ep >= 0)
		close(c.ep);
	free(c.conns);
	free(c.q);
	free(c.tokens);
	free(c.src);
	return ret;
}
