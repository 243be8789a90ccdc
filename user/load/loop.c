/* SPDX-License-Identifier: MIT */
/*
 * `xdpgame load ADDR:PORT`: a game client and latency analyser.
 *
 * It plays P players that send a mix of MOVE, ATTACK and HEARTBEAT (and
 * deliberately out-of-bounds MOVEs), keeping up to --window requests in
 * flight (closed loop) over one connected UDP socket. Every ack is checked:
 * its sequence must be in flight, its type the request's with the ack bit,
 * its echoed timestamp the one sent, and its status one that the request
 * allows (an in-bounds MOVE must be OK, an out-of-bounds one OUT_OF_BOUNDS,
 * an ATTACK on a player the server has acked before OK or TARGET_DEAD). A
 * request unanswered after --timeout is lost; an ack that comes after that
 * is late (not wrong: its content is not at fault). --rate paces the
 * sending, --duration bounds it in time. RTTs go into the shared latency
 * histogram. Exit status 0 only if every request was acked right.
 */
#include <errno.h>
#include <getopt.h>
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

#include "load/blast.h"
#include "cli/cmds.h"
#include "core/log.h"
#include "game/msg.h"
#include "core/stats.h"
#include "core/util.h"

enum { LOAD_BATCH = 64, LOAD_TABLE = 1 << 16 };

/* What a client sends; OOB is a MOVE outside the world. */
enum load_kind { K_MOVE, K_ATTACK, K_HEARTBEAT, K_OOB, K_NKINDS };
static const char *const kind_names[K_NKINDS] = { "move", "attack",
						  "heartbeat", "oob" };

struct load_opts {
	const char *target;
	uint64_t count;
	uint64_t rate;          /* requests/s; 0 = as fast as the window allows */
	uint64_t duration_ns;   /* 0 = until count */
	bool quiet;
	uint32_t players;
	uint32_t window;
	uint32_t weights[K_NKINDS];
	const char *blast;      /* --blast IFACE: the open-loop path, blast.c */
	uint64_t timeout_ns;
	uint64_t seed;
	bool json;
	const char *cdf;        /* --cdf FILE: RTT CDF written here */
};

enum slot_state { S_FREE, S_BUSY, S_ACKED, S_LOST };

struct inflight {
	uint64_t sent_ns;
	uint32_t seq;
	uint8_t kind;
	uint8_t state;  /* enum slot_state */
};

struct load_ctx {
	struct load_opts o;
	int fd;
	uint64_t rng;
	uint32_t first_seq, next_seq;
	uint64_t sent, acked, lost, wrong, late, errors, inflight;
	uint64_t bytes_out, bytes_in;
	uint64_t per_kind_sent[K_NKINDS];
	struct inflight *table;     /* by seq % LOAD_TABLE */
	uint32_t *fifo;             /* seqs in send order, for timeouts */
	uint64_t fifo_head, fifo_tail;
	uint8_t *known;             /* players the server has acked */
	struct xg_hist rtt;
	uint64_t started, finished;
};

static volatile sig_atomic_t load_signalled;

static void load_on_signal(int sig)
{
	load_signalled = sig;
}

static void load_usage(FILE *f)
{
	fprintf(f,
		"usage: xdpgame load ADDR:PORT [options]\n"
		"\n"
		"Play a game against a server and check every ack.\n"
		"ADDR is an IPv4 address, [IPv6] or a host name.\n"
		"\n"
		"  -n, --count N       requests to send (default 10000, or no limit\n"
		"                      with --duration)\n"
		"  -d, --duration S    stop sending after S seconds\n"
		"  -r, --rate R        send at most R requests a second (default: as\n"
		"                      fast as the window allows: closed loop)\n"
		"  -P, --players P     simulated players (default 1000)\n"
		"  -W, --window W      requests in flight at most (default 32)\n"
		"      --mix SPEC      weights, e.g. move:60,attack:15,heartbeat:20,oob:5\n"
		"                      (oob = MOVE outside the world; that is the default)\n"
		"  -t, --timeout MS    a request unanswered this long is lost (default 500)\n"
		"      --blast IFACE   open loop instead: send --count frames (default\n"
		"                      1000000, at most 100000000) or for --duration, as\n"
		"                      fast as the kernel can, out of IFACE (BPF_PROG_RUN\n"
		"                      live frames: Linux 5.18+; IPv4 ADDR on IFACE's link);\n"
		"                      acks are counted, not matched. Uses --mix, --players,\n"
		"                      --seed, --json (not --rate, --window, --timeout);\n"
		"                      exit 0 unless it failed to run or saw a malformed ack\n"
		"      --seed N        random seed (default 1)\n"
		"      --json          report as JSON\n"
		"      --cdf FILE      after the run, write the RTT distribution to FILE\n"
		"                      as a CDF: one line per non-empty histogram bucket,\n"
		"                      \"UPPER_BOUND_US CUMULATIVE_FRACTION\"\n"
		"  -q, --quiet         no progress line each second (on stderr)\n"
		"  -v, --verbose       debug messages\n"
		"  -h, --help          this text\n"
		"\n"
		"Exit status: 0 if every request was acked correctly, 1 otherwise.\n");
}

static int parse_mix(const char *spec, uint32_t *w)
{
	char *dup = strdup(spec), *save = NULL, *tok;
	uint32_t total = 0;
	int err = 0, k;

	if (!dup)
		return -ENOMEM;
	memset(w, 0, sizeof(uint32_t) * K_NKINDS);
	for (tok = strtok_r(dup, ",", &save); tok && !err;
	     tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');
		uint64_t v;

		err = -EINVAL;
		if (!colon)
			break;
		*colon = '\0';
		for (k = 0; k < K_NKINDS; k++)
			if (!strcmp(tok, kind_names[k]))
				break;
		if (k == K_NKINDS || xg_parse_u64(colon + 1, 0, 1000000, &v))
			break;
		w[k] = (uint32_t)v;
		total += (uint32_t)v;
		err = 0;
	}
	free(dup);
	return err ? err : total ? 0 : -EINVAL;
}

static int load_bad(const char *opt, const char *val, const char *want)
{
	pr_warn("error: load: invalid %s '%s': %s\n", opt, val, want);
	return XG_EXIT_USAGE;
}

static int load_parse(int argc, char **argv, struct load_opts *o)
{
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "players", required_argument, NULL, 'P' },
		{ "window", required_argument, NULL, 'W' },
		{ "mix", required_argument, NULL, 'M' },
		{ "timeout", required_argument, NULL, 't' },
		{ "seed", required_argument, NULL, 'S' },
		{ "blast", required_argument, NULL, 'B' },
		{ "json", no_argument, NULL, 'J' },
		{ "cdf", required_argument, NULL, 'C' },
		{ "duration", required_argument, NULL, 'd' },
		{ "rate", required_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	bool count_set = false;
	uint64_t v;
	int opt;

	*o = (struct load_opts){ .count = 10000, .players = 1000, .window = 32,
				 .weights = { 60, 15, 20, 5 },
				 .timeout_ns = 500000000ull, .seed = 1 };
	while ((opt = getopt_long(argc, argv, "n:P:W:t:d:r:qvh", longopts, NULL)) !=
	       -1) {
		switch (opt) {
		case 'n':
			if (xg_parse_u64(optarg, 1, UINT64_MAX / 2, &o->count))
				return load_bad("--count", optarg, "want >= 1");
			count_set = true;
			break;
		case 'd':
			if (xg_parse_u64(optarg, 1, 86400, &v))
				return load_bad("--duration", optarg, "want 1..86400 s");
			o->duration_ns = v * 1000000000ull;
			break;
		case 'r':
			if (xg_parse_u64(optarg, 1, 100000000, &o->rate))
				return load_bad("--rate", optarg, "want 1..100000000 per second");
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'P':
			if (xg_parse_u64(optarg, 2, XG_MAX_PLAYERS, &v))
				return load_bad("--players", optarg, "want 2..65536");
			o->players = (uint32_t)v;
			break;
		case 'W':
			if (xg_parse_u64(optarg, 1, LOAD_TABLE / 4, &v))
				return load_bad("--window", optarg, "want 1..16384");
			o->window = (uint32_t)v;
			break;
		case 'M':
			if (parse_mix(optarg, o->weights))
				return load_bad("--mix", optarg,
						"want KIND:WEIGHT,... with KIND move, attack, heartbeat or oob, and a weight above 0");
			break;
		case 't':
			if (xg_parse_u64(optarg, 1, 60000, &v))
				return load_bad("--timeout", optarg, "want 1..60000 ms");
			o->timeout_ns = v * 1000000ull;
			break;
		case 'S':
			if (xg_parse_u64(optarg, 0, UINT64_MAX, &o->seed))
				return load_bad("--seed", optarg, "want a number");
			break;
		case 'B':
			o->blast = optarg;
			break;
		case 'J':
			o->json = true;
			break;
		case 'C':
			o->cdf = optarg;
			break;
		case 'v':
			xg_log_set_level(XG_LOG_DEBUG);
			break;
		case 'h':
			load_usage(stdout);
			exit(XG_EXIT_OK);
		default:
			load_usage(stderr);
			return XG_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		pr_warn("error: load: %s\n", optind >= argc ?
			"missing ADDR:PORT" : "one target only");
		load_usage(stderr);
		return XG_EXIT_USAGE;
	}
	o->target = argv[optind];
	if (o->blast && !count_set && !o->duration_ns)
		o->count = XG_BLAST_DEFAULT_COUNT;
	if (o->duration_ns && !count_set)
		o->count = UINT64_MAX / 2;
	return XG_EXIT_OK;
}

/* Split "host:port", "[v6]:port" and resolve; connected UDP socket or -1. */
static int load_connect(const char *target)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res, *ai;
	char host[256];
	const char *port, *colon = strrchr(target, ':');
	size_t hl;
	int fd = -1, err, rcvbuf = 4 << 20;

	if (!colon || colon == target || !colon[1]) {
		pr_warn("error: load: target '%s' is not ADDR:PORT\n", target);
		return -1;
	}
	hl = (size_t)(colon - target);
	if (target[0] == '[' && colon[-1] == ']') {
		target++;
		hl -= 2;
	}
	if (hl >= sizeof(host)) {
		pr_warn("error: load: host name too long\n");
		return -1;
	}
	memcpy(host, target, hl);
	host[hl] = '\0';
	port = colon + 1;
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

static uint64_t rnd(struct load_ctx *c)
{
	return xg_rand(&c->rng);
}

static enum load_kind pick_kind(struct load_ctx *c)
{
	return (enum load_kind)xg_pick_weighted(&c->rng, c->o.weights, K_NKINDS);
}

/* Build one request; returns its size. An ATTACK needs a target the server
 * has seen; until one exists the request becomes a HEARTBEAT. */
static uint32_t build_request(struct load_ctx *c, unsigned char *buf,
			      uint32_t seq, uint64_t now, enum load_kind *kind)
{
	uint32_t player = seq % c->o.players, target = 0, i;
	float x = (float)(rnd(c) % 20001) - 10000.0f;
	float z = (float)(seq % 2001) - 1000.0f;

	if (*kind == K_ATTACK) {
		for (i = 1; i < 8; i++) {
			target = (player + i) % c->o.players;
			if (c->known[target])
				break;
		}
		if (i == 8)
			*kind = K_HEARTBEAT;
	}
	switch (*kind) {
	case K_MOVE:
		return xg_msg_move(buf, seq, player, now, x, -x, z);
	case K_OOB:
		return xg_msg_move(buf, seq, player, now,
				   10000.5f + (float)(seq % 100), -x, z);
	case K_ATTACK:
		return xg_msg_attack(buf, seq, player, now, target,
				     (uint16_t)(seq & 7), 1);
	default:
		return xg_msg_heartbeat(buf, seq, player, now);
	}
}

static bool status_allowed(enum load_kind k, uint8_t st)
{
	switch (k) {
	case K_OOB:
		return st == XG_ST_OUT_OF_BOUNDS;
	case K_ATTACK:
		return st == XG_ST_OK || st == XG_ST_TARGET_DEAD;
	default:
		return st == XG_ST_OK;
	}
}

static uint8_t kind_type(enum load_kind k)
{
	return k == K_ATTACK ? XG_MSG_ATTACK :
	       k == K_HEARTBEAT ? XG_MSG_HEARTBEAT : XG_MSG_MOVE;
}

/* Fill the window: send what it allows, in one sendmmsg. */
static void send_some(struct load_ctx *c)
{
	unsigned char bufs[LOAD_BATCH][XG_MAX_MSG_SIZE];
	struct mmsghdr msgs[LOAD_BATCH];
	struct iovec iov[LOAD_BATCH];
	uint64_t now = xg_now_ns(), budget = LOAD_BATCH;
	int n = 0, r, i;

	if (c->o.duration_ns && now - c->started >= c->o.duration_ns)
		return;
	if (c->o.rate) {
		uint64_t due = (now - c->started) / 1000 * c->o.rate / 1000000 + 1;

		budget = due > c->sent ? due - c->sent : 0;
	}
	while ((uint64_t)n < budget && n < LOAD_BATCH &&
	       c->inflight + (uint64_t)n < c->o.window &&
	       c->sent + (uint64_t)n < c->o.count) {
		uint32_t seq = c->next_seq + (uint32_t)n;
		struct inflight *f = &c->table[seq % LOAD_TABLE];
		enum load_kind k = pick_kind(c);

		if (f->state == S_BUSY)
			break; /* an old request still waits in this slot */
		iov[n].iov_base = bufs[n];
		iov[n].iov_len = build_request(c, bufs[n], seq, now, &k);
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
			c->errors++;
		r = 0;
	}
	for (i = 0; i < r; i++) {
		uint32_t seq = c->next_seq + (uint32_t)i;

		c->table[seq % LOAD_TABLE].state = S_BUSY;
		c->bytes_out += iov[i].iov_len;
		c->per_kind_sent[c->table[seq % LOAD_TABLE].kind]++;
		c->fifo[c->fifo_tail++ % LOAD_TABLE] = seq;
	}
	c->next_seq += (uint32_t)r;
	c->sent += (uint64_t)r;
	c->inflight += (uint64_t)r;
}

static void check_ack(struct load_ctx *c, const unsigned char *buf, ssize_t len,
		      uint64_t now)
{
	const struct xg_hdr *h = (const void *)buf;
	const struct xg_ack *a = (const void *)(h + 1);
	struct inflight *f;
	uint32_t seq;

	if (len != XG_ACK_SIZE || xg_le16(h->magic) != XG_MAGIC ||
	    xg_le16(h->size) != XG_ACK_SIZE) {
		pr_debug("wrong: malformed ack of %zd bytes\n", len);
		c->wrong++;
		return;
	}
	seq = xg_le32(h->seq);
	f = &c->table[seq % LOAD_TABLE];
	if (f->state != S_BUSY || f->seq != seq) {
		if (f->seq == seq && f->state == S_ACKED) {
			pr_debug("wrong: a second ack for seq %u\n", seq);
			c->wrong++;
		} else if (seq - c->first_seq < c->next_seq - c->first_seq) {
			c->late++; /* after its timeout: counted lost already */
		} else {
			pr_debug("wrong: ack for seq %u never sent\n", seq);
			c->wrong++;
		}
		return;
	}
	f->state = S_ACKED;
	c->inflight--;
	if (h->type != (kind_type(f->kind) | XG_MSG_ACK) ||
	    xg_le64(a->client_ts) != f->sent_ns ||
	    xg_le32(h->player) != seq % c->o.players ||
	    !status_allowed(f->kind, h->status)) {
		pr_debug("wrong: seq %u type %#x status %u\n", seq, h->type,
			 h->status);
		c->wrong++;
		return;
	}
	c->acked++;
	/* a player the world has: MOVE and ATTACK always reach it, while a
	 * HEARTBEAT may be answered in the kernel (--kernel-replies) */
	if (f->kind != K_HEARTBEAT)
		c->known[seq % c->o.players] = 1;
	xg_hist_record(&c->rtt, now - f->sent_ns);
}

static void receive_some(struct load_ctx *c, int timeout_ms)
{
	unsigned char bufs[LOAD_BATCH][XG_MAX_MSG_SIZE + 1];
	struct mmsghdr msgs[LOAD_BATCH];
	struct iovec iov[LOAD_BATCH];
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	uint64_t now;
	int n, i;

	if (poll(&pfd, 1, timeout_ms) <= 0)
		return;
	for (i = 0; i < LOAD_BATCH; i++) {
		iov[i] = (struct iovec){ bufs[i], sizeof(bufs[i]) };
		msgs[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i],
						   .msg_iovlen = 1 };
	}
	n = recvmmsg(c->fd, msgs, LOAD_BATCH, MSG_DONTWAIT, NULL);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNREFUSED)
			c->errors++;
		return;
	}
	now = xg_now_ns();
	for (i = 0; i < n; i++) {
		c->bytes_in += msgs[i].msg_len;
		check_ack(c, bufs[i], msgs[i].msg_len, now);
	}
}

/* Requests older than the timeout are lost; FIFO order is send order. */
static void expire(struct load_ctx *c, uint64_t now)
{
	while (c->fifo_head != c->fifo_tail) {
		uint32_t seq = c->fifo[c->fifo_head % LOAD_TABLE];
		struct inflight *f = &c->table[seq % LOAD_TABLE];

		if (f->state == S_BUSY && f->seq == seq) {
			if (now - f->sent_ns < c->o.timeout_ns)
				return;
			f->state = S_LOST;
			c->inflight--;
			c->lost++;
		}
		c->fifo_head++;
	}
}

static bool sending_done(const struct load_ctx *c, uint64_t now)
{
	return c->sent >= c->o.count ||
	       (c->o.duration_ns && now - c->started >= c->o.duration_ns);
}

static void progress(struct load_ctx *c, uint64_t now, uint64_t *next,
		     uint64_t *last_acked)
{
	if (c->o.quiet || now < *next)
		return;
	fprintf(stderr, "[%4" PRIu64 "s] sent %" PRIu64 ", acked %" PRIu64
		", lost %" PRIu64 ", wrong %" PRIu64 ", %" PRIu64 " acks/s\n",
		(uint64_t)((now - c->started) / 1000000000ull), c->sent, c->acked, c->lost,
		c->wrong, c->acked - *last_acked);
	*last_acked = c->acked;
	*next += 1000000000ull;
}

static void load_run(struct load_ctx *c)
{
	uint64_t now, next, last_acked = 0;

	c->started = xg_now_ns();
	next = c->started + 1000000000ull;
	now = c->started;
	while (!load_signalled && (!sending_done(c, now) || c->inflight)) {
		send_some(c);
		/* block only when waiting is all there is to do */
		receive_some(c, c->inflight >= c->o.window ||
					(sending_done(c, now) && c->inflight) ?
					10 : c->o.rate ? 1 : 0);
		now = xg_now_ns();
		expire(c, now);
		progress(c, now, &next, &last_acked);
	}
	c->finished = xg_now_ns();
}

static void load_report(struct load_ctx *c)
{
	struct xg_hist_summary s;
	double secs = (double)(c->finished - c->started) / 1e9;

	xg_hist_summarize(&c->rtt, &s);
	if (c->o.json) {
		printf("{\"target\":\"%s\",\"seconds\":%.3f,\"sent\":%" PRIu64
		       ",\"acked\":%" PRIu64 ",\"lost\":%" PRIu64
		       ",\"wrong\":%" PRIu64 ",\"late\":%" PRIu64
		       ",\"errors\":%" PRIu64 ",\"pps\":%.0f,\"mbps_out\":%.3f"
		       ",\"mbps_in\":%.3f,\"rtt_ns\":{\"min\":%" PRIu64
		       ",\"avg\":%" PRIu64 ",\"max\":%" PRIu64 ",\"p50\":%" PRIu64
		       ",\"p90\":%" PRIu64 ",\"p99\":%" PRIu64 ",\"p999\":%" PRIu64
		       "},\"sent_by_kind\":{\"move\":%" PRIu64
		       ",\"attack\":%" PRIu64 ",\"heartbeat\":%" PRIu64
		       ",\"oob\":%" PRIu64 "}}\n",
		       c->o.target, secs, c->sent, c->acked, c->lost, c->wrong,
		       c->late, c->errors,
		       secs > 0 ? (double)c->acked / secs : 0.0,
		       secs > 0 ? (double)c->bytes_out * 8 / secs / 1e6 : 0.0,
		       secs > 0 ? (double)c->bytes_in * 8 / secs / 1e6 : 0.0,
		       s.min, s.avg, s.max, s.p50, s.p90, s.p99, s.p999,
		       c->per_kind_sent[K_MOVE], c->per_kind_sent[K_ATTACK],
		       c->per_kind_sent[K_HEARTBEAT], c->per_kind_sent[K_OOB]);
		return;
	}
	printf("load %s: %.2f s, sent %" PRIu64 ", acked %" PRIu64
	       ", lost %" PRIu64 ", wrong %" PRIu64 ", late %" PRIu64
	       ", errors %" PRIu64 " (%.0f acks/s, %.2f Mbps out, %.2f in)\n",
	       c->o.target, secs, c->sent, c->acked, c->lost, c->wrong,
	       c->late, c->errors, secs > 0 ? (double)c->acked / secs : 0.0,
	       secs > 0 ? (double)c->bytes_out * 8 / secs / 1e6 : 0.0,
	       secs > 0 ? (double)c->bytes_in * 8 / secs / 1e6 : 0.0);
	printf("  sent: move %" PRIu64 ", attack %" PRIu64 ", heartbeat %" PRIu64
	       ", out-of-bounds move %" PRIu64 "\n",
	       c->per_kind_sent[K_MOVE], c->per_kind_sent[K_ATTACK],
	       c->per_kind_sent[K_HEARTBEAT], c->per_kind_sent[K_OOB]);
	printf("  rtt us: min %.1f avg %.1f max %.1f p50 %.1f p90 %.1f p99 %.1f p99.9 %.1f\n",
	       (double)s.min / 1e3, (double)s.avg / 1e3, (double)s.max / 1e3,
	       (double)s.p50 / 1e3, (double)s.p90 / 1e3, (double)s.p99 / 1e3,
	       (double)s.p999 / 1e3);
}

/* --cdf FILE: "upper_bound_us cumulative_fraction", one line per non-empty
 * bucket of the RTT histogram, in increasing order. */
static int write_cdf(const struct load_ctx *c, const char *path)
{
	uint64_t cum = 0;
	unsigned int b;
	FILE *f = fopen(path, "w");

	if (!f) {
		pr_warn("error: load: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (b = 0; b < XG_HIST_BUCKETS && c->rtt.count; b++) {
		if (!c->rtt.buckets[b])
			continue;
		cum += c->rtt.buckets[b];
		fprintf(f, "%.3f %.6f\n", (double)xg_hist_bucket_high(b) / 1e3,
			(double)cum / (double)c->rtt.count);
	}
	if (fclose(f)) {
		pr_warn("error: load: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* --blast IFACE: the options blast.c uses, and its result as exit status */
static int load_blast(const struct load_opts *o)
{
	struct xg_blast_opts b = {
		.target = o->target, .ifname = o->blast, .count = o->count,
		.duration_ns = o->duration_ns, .players = o->players,
		.seed = o->seed, .json = o->json, .quiet = o->quiet,
		.weights = { [XG_BLAST_MOVE] = o->weights[K_MOVE],
			     [XG_BLAST_ATTACK] = o->weights[K_ATTACK],
			     [XG_BLAST_HEARTBEAT] = o->weights[K_HEARTBEAT],
			     [XG_BLAST_OOB] = o->weights[K_OOB] },
	};

	return xg_blast(&b) ? XG_EXIT_FAIL : XG_EXIT_OK;
}

int cmd_load(int argc, char **argv)
{
	struct load_ctx c = {};
	int ret;

	ret = load_parse(argc, argv, &c.o);
	if (ret)
		return ret;
	if (c.o.blast)
		return load_blast(&c.o);
	c.fd = load_connect(c.o.target);
	if (c.fd < 0)
		return XG_EXIT_FAIL;
	c.rng = c.o.seed * 0x9e3779b97f4a7c15ull + 1;
	/* sequence numbers start at a seed-dependent point, so two clients
	 * on one server are told apart in its logs */
	c.first_seq = c.next_seq = (uint32_t)(rnd(&c) & 0x7fffffff);
	c.table = calloc(LOAD_TABLE, sizeof(*c.table));
	c.fifo = calloc(LOAD_TABLE, sizeof(*c.fifo));
	c.known = calloc(XG_MAX_PLAYERS, 1);
	if (!c.table || !c.fifo || !c.known) {
		pr_warn("error: load: out of memory\n");
		ret = XG_EXIT_FAIL;
		goto out;
	}
	xg_hist_reset(&c.rtt);
	signal(SIGINT, load_on_signal);
	signal(SIGTERM, load_on_signal);
	load_run(&c);
	load_report(&c);
	ret = c.acked == c.sent && !c.wrong && !c.errors ? XG_EXIT_OK :
							    XG_EXIT_FAIL;
	if (c.o.cdf && write_cdf(&c, c.o.cdf))
		ret = XG_EXIT_FAIL;
out:
	free(c.table);
	free(c.fifo);
	free(c.known);
	close(c.fd);
	return ret;
}
