/* SPDX-License-Identifier: MIT */
/*
 * `xdpgame load ADDR:PORT`: the closed-loop game client and latency
 * analyser (the command itself, its options, is cli/load.c).
 *
 * It joins P players (the version 2 handshake, handshake.c), then plays
 * them: a mix of MOVE, ATTACK and HEARTBEAT (and deliberately out-of-bounds
 * MOVEs), keeping up to --window requests in flight (closed loop) over one
 * connected UDP socket, each with its player's session token. Every ack is
 * checked: its sequence must be in flight, its type the request's with the
 * ack bit, its player and token the request's, its echoed timestamp the one
 * sent, and its status one that the request allows (mix.c). A
 * request unanswered after --timeout is lost (its ack not among those the
 * socket holds: see expire()); an ack that comes after that is late (not
 * wrong: its content is not at fault). --rate paces the
 * sending, --duration bounds it in time. RTTs go into the shared latency
 * histogram; report.c prints them. The mix of requests is mix.c's.
 */
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <xdpgame/proto.h>

#include "core/log.h"
#include "core/util.h"
#include "load/loop.h"
#include "load/report.h"
#include "load/target.h"

enum { LOAD_BATCH = 64, LOAD_TABLE = 1 << 16 };
_Static_assert(XG_LOOP_MAX_WINDOW == LOAD_TABLE / 4,
	       "the window is a quarter of the table at most");

enum slot_state { S_FREE, S_BUSY, S_ACKED, S_LOST };

struct inflight {
	uint64_t sent_ns;
	uint32_t seq;
	uint8_t kind;   /* enum xg_kind */
	uint8_t state;  /* enum slot_state */
};

struct load_ctx {
	const struct xg_loop_opts *o;
	int fd;
	struct xg_mix mix;
	uint32_t first_seq, next_seq;
	uint64_t inflight;
	struct xg_loop_stats st;    /* what the report prints */
	struct inflight *table;     /* by seq % LOAD_TABLE */
	uint32_t *fifo;             /* seqs in send order, for timeouts */
	uint64_t fifo_head, fifo_tail;
	uint64_t *tokens;           /* session token of each player */
};

static volatile sig_atomic_t load_signalled;

static void load_on_signal(int sig)
{
	load_signalled = sig;
}

/* Resolve the target; a connected UDP socket or -1. */
static int load_connect(const char *target)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res, *ai;
	char host[256];
	const char *port;
	int fd = -1, err, rcvbuf = 4 << 20;

	if (xg_load_split_target(target, host, sizeof(host), &port))
		return -1;
	err = getaddrinfo(host, port, &hints, &res);
	if (err) {
		pr_warn("error: load: cannot resolve '%s' port '%s': %s\n",
			host, port, gai_strerror(err));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		if (!connect(fd, ai->ai_addr, ai->ai_addrlen))
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		pr_warn("error: load: cannot reach %s: %s\n", target,
			strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	return fd;
}

/* Fill the window: send what it allows, in one sendmmsg. */
static void send_some(struct load_ctx *c)
{
	unsigned char bufs[LOAD_BATCH][XG_MAX_MSG_SIZE];
	struct mmsghdr msgs[LOAD_BATCH];
	struct iovec iov[LOAD_BATCH];
	uint64_t now = xg_now_ns(), budget = LOAD_BATCH;
	int n = 0, r, i;

	if (c->o->duration_ns && now - c->st.started >= c->o->duration_ns)
		return;
	if (c->o->rate) {
		uint64_t due = (now - c->st.started) / 1000 * c->o->rate / 1000000 + 1;

		budget = due > c->st.sent ? due - c->st.sent : 0;
	}
	while ((uint64_t)n < budget && n < LOAD_BATCH &&
	       c->inflight + (uint64_t)n < c->o->window &&
	       c->st.sent + (uint64_t)n < c->o->count) {
		uint32_t seq = c->next_seq + (uint32_t)n;
		struct inflight *f = &c->table[seq % LOAD_TABLE];
		enum xg_kind k = xg_mix_pick(&c->mix);

		if (f->state == S_BUSY)
			break; /* an old request still waits in this slot */
		iov[n].iov_base = bufs[n];
		iov[n].iov_len = xg_mix_request(&c->mix, bufs[n], k, seq, now,
						xg_mix_rand(&c->mix));
		msgs[n].msg_hdr = (struct msghdr){ .msg_iov = &iov[n],
						   .msg_iovlen = 1 };
		*f = (struct inflight){ .sent_ns = now, .seq = seq,
					.kind = (uint8_t)k };
		n++;
	}
	if (!n)
		return;
	r = sendmmsg(c->fd, msgs, (unsigned int)n, 0);
	if (r < 0) {
		if (errno != EAGAIN && errno != ENOBUFS && errno != EINTR &&
		    errno != ECONNREFUSED)
			c->st.errors++;
		r = 0;
	}
	for (i = 0; i < r; i++) {
		uint32_t seq = c->next_seq + (uint32_t)i;

		c->table[seq % LOAD_TABLE].state = S_BUSY;
		c->st.bytes_out += iov[i].iov_len;
		c->st.per_kind_sent[c->table[seq % LOAD_TABLE].kind]++;
		c->fifo[c->fifo_tail++ % LOAD_TABLE] = seq;
	}
	c->next_seq += (uint32_t)r;
	c->st.sent += (uint64_t)r;
	c->inflight += (uint64_t)r;
}

static void check_ack(struct load_ctx *c, const unsigned char *buf, size_t len,
		      uint64_t now)
{
	const struct xg_hdr *h = (const void *)buf;
	struct inflight *f;
	uint32_t seq;

	if (!xg_mix_ack_framed(buf, len)) {
		pr_debug("wrong: malformed ack of %zu bytes\n", len);
		c->st.wrong++;
		return;
	}
	seq = xg_le32(h->seq);
	f = &c->table[seq % LOAD_TABLE];
	if (f->state != S_BUSY || f->seq != seq) {
		if (f->seq == seq && f->state == S_ACKED) {
			pr_debug("wrong: a second ack for seq %u\n", seq);
			c->st.wrong++;
		} else if (seq - c->first_seq < c->next_seq - c->first_seq) {
			c->st.late++; /* after its timeout: counted lost already */
		} else {
			pr_debug("wrong: ack for seq %u never sent\n", seq);
			c->st.wrong++;
		}
		return;
	}
	f->state = S_ACKED;
	c->inflight--;
	if (!xg_mix_ack_matches(&c->mix, buf, f->kind,
				xg_mix_index(&c->mix, seq), f->sent_ns)) {
		pr_debug("wrong: seq %u type %#x status %u\n", seq, h->type,
			 h->status);
		c->st.wrong++;
		return;
	}
	c->st.acked++;
	xg_hist_record(&c->st.rtt, now - f->sent_ns);
}

/* Read what the socket holds, LOAD_BATCH acks at most; how many. */
static int receive_some(struct load_ctx *c, int timeout_ms)
{
	unsigned char bufs[LOAD_BATCH][XG_MAX_REPLY_SIZE + 1];
	struct mmsghdr msgs[LOAD_BATCH];
	struct iovec iov[LOAD_BATCH];
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	uint64_t now;
	int n, i;

	if (poll(&pfd, 1, timeout_ms) <= 0)
		return 0;
	for (i = 0; i < LOAD_BATCH; i++) {
		iov[i] = (struct iovec){ bufs[i], sizeof(bufs[i]) };
		msgs[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i],
						   .msg_iovlen = 1 };
	}
	n = recvmmsg(c->fd, msgs, LOAD_BATCH, MSG_DONTWAIT, NULL);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNREFUSED)
			c->st.errors++;
		return 0;
	}
	now = xg_now_ns();
	for (i = 0; i < n; i++) {
		c->st.bytes_in += msgs[i].msg_len;
		check_ack(c, bufs[i], msgs[i].msg_len, now);
	}
	return n;
}

/* Requests older than the timeout are lost; FIFO order is send order.
 * Only those whose ack is not in the socket by then: a loop's turn reads
 * LOAD_BATCH acks at most, and more can wait (a client that fell behind,
 * or was not scheduled, for longer than the timeout), so the socket is
 * read to the end before the first request is declared lost (bounded: a
 * table's worth). now was taken before that read: an ack it does not
 * find had not come by then either. */
static void expire(struct load_ctx *c, uint64_t now)
{
	bool drained = false;
	int i;

	while (c->fifo_head != c->fifo_tail) {
		uint32_t seq = c->fifo[c->fifo_head % LOAD_TABLE];
		struct inflight *f = &c->table[seq % LOAD_TABLE];

		if (f->state == S_BUSY && f->seq == seq) {
			if (now - f->sent_ns < c->o->timeout_ns)
				return;
			if (!drained) {
				for (i = 0; i < LOAD_TABLE / LOAD_BATCH &&
					    receive_some(c, 0) == LOAD_BATCH;
				     i++)
					;
				drained = true;
				continue; /* this one again: acked now? */
			}
			f->state = S_LOST;
			c->inflight--;
			c->st.lost++;
		}
		c->fifo_head++;
	}
}

static bool sending_done(const struct load_ctx *c, uint64_t now)
{
	return c->st.sent >= c->o->count ||
	       (c->o->duration_ns && now - c->st.started >= c->o->duration_ns);
}

static void progress(struct load_ctx *c, uint64_t now, uint64_t *next,
		     uint64_t *last_acked)
{
	if (c->o->quiet || now < *next)
		return;
	fprintf(stderr, "[%4" PRIu64 "s] sent %" PRIu64 ", acked %" PRIu64
		", lost %" PRIu64 ", wrong %" PRIu64 ", %" PRIu64 " acks/s\n",
		(uint64_t)((now - c->st.started) / 1000000000ull), c->st.sent,
		c->st.acked, c->st.lost, c->st.wrong, c->st.acked - *last_acked);
	*last_acked = c->st.acked;
	*next += 1000000000ull;
}

static void load_run(struct load_ctx *c)
{
	uint64_t now, next, last_acked = 0;

	c->st.started = xg_now_ns();
	next = c->st.started + 1000000000ull;
	now = c->st.started;
	while (!load_signalled && (!sending_done(c, now) || c->inflight)) {
		if (!c->st.sending_ns && sending_done(c, now))
			c->st.sending_ns = now - c->st.started;
		send_some(c);
		/* block only when waiting is all there is to do */
		receive_some(c, c->inflight >= c->o->window ||
					(sending_done(c, now) && c->inflight) ?
					10 : c->o->rate ? 1 : 0);
		now = xg_now_ns();
		expire(c, now);
		progress(c, now, &next, &last_acked);
	}
	c->st.finished = xg_now_ns();
	if (!c->st.sending_ns)
		c->st.sending_ns = c->st.finished - c->st.started;
}

/* Every player joins before the run; a player that cannot is reported. */
static int join_all(struct load_ctx *c, const struct xg_handshake_opts *ho)
{
	struct xg_handshake_result *r = &c->st.hs;
	int err = xg_handshake_run(c->fd, ho, c->tokens, r);

	if (err) {
		pr_warn("error: load: handshake: %s\n", strerror(-err));
		return err;
	}
	c->mix.tokens = c->tokens;
	if (r->joined == c->o->players)
		return 0;
	pr_warn("error: load: %u of %u players could not join %s: %u refused (first: %s), %u unanswered; the server's handshake budget per source (attach --handshake-rate) or a player held from another address (--first-player) are the usual reasons\n",
		c->o->players - r->joined, c->o->players, c->o->target,
		r->refused, r->refused ? xg_status_name(r->first_refusal) : "-",
		r->unanswered);
	return -ECONNREFUSED;
}

int xg_loop(const struct xg_loop_opts *o)
{
	struct load_ctx c = { .o = o };
	struct xg_handshake_opts ho = {
		.first_player = o->first_player, .players = o->players,
		.backend = o->backend, .timeout_ns = 10000000000ull,
	};
	int ret;

	c.fd = load_connect(o->target);
	if (c.fd < 0)
		return -EHOSTUNREACH;
	c.first_seq = c.next_seq = xg_mix_init(&c.mix, o->weights,
					       o->first_player, o->players,
					       o->seed);
	c.table = calloc(LOAD_TABLE, sizeof(*c.table));
	c.fifo = calloc(LOAD_TABLE, sizeof(*c.fifo));
	c.tokens = calloc(o->players, sizeof(*c.tokens));
	if (!c.table || !c.fifo || !c.tokens) {
		pr_warn("error: load: out of memory\n");
		ret = -ENOMEM;
		goto out;
	}
	xg_hist_reset(&c.st.rtt);
	signal(SIGINT, load_on_signal);
	signal(SIGTERM, load_on_signal);
	ret = o->no_join ? 0 : join_all(&c, &ho);
	c.mix.tokens = c.tokens;
	if (!ret) {
		load_run(&c);
		ret = c.st.acked == c.st.sent && !c.st.wrong && !c.st.errors ?
			      0 : -EBADMSG;
	} else {
		c.st.started = c.st.finished = xg_now_ns();
	}
	if (!o->no_join)
		xg_handshake_leave(c.fd, &ho, c.tokens, c.next_seq);
	if (xg_loop_report(o, &c.st))
		ret = -EIO;
	if (o->cdf && xg_loop_write_cdf(&c.st.rtt, o->cdf))
		ret = -EIO;
out:
	free(c.table);
	free(c.fifo);
	free(c.tokens);
	close(c.fd);
	return ret;
}
