/* SPDX-License-Identifier: MIT */
/*
 * `xdpgame load ADDR:PORT --blast IFACE`: open-loop transmit at the rate the
 * kernel can send (or paced, --rate), for measuring servers that neither
 * the closed-loop kernel-socket client (loop.c) nor the AF_XDP client
 * (xsk_client.c) can saturate on a small machine; `make bench` sweeps its
 * capacity table with it.
 *
 * Setup, in order (1-3 in blast_setup.c):
 *  1. IFACE: its ifindex, first IPv4 address (getifaddrs) and MAC
 *     (SIOCGIFHWADDR). ADDR must be IPv4 and on IFACE's link (no gateway).
 *  2. A UDP socket bound to IFACE's address on an ephemeral port, tied to
 *     IFACE and connected to ADDR:PORT. The frames carry its port as their
 *     source, so the server's acks land in it (not as ICMP port
 *     unreachable).
 *  3. One probe HEARTBEAT through that socket: the kernel resolves ADDR's
 *     MAC, which is then read from /proc/net/arp (entry on IFACE, complete).
 *  4. A pool of BLAST_POOL frames, each Ethernet/IPv4/UDP with a valid game
 *     request (its kind from the --mix weights, mix.c), the IPv4 header
 *     checksum set, no UDP checksum (xdp_tx rewrites every repetition's
 *     sequence number, player and token).
 *  5. bpf/xdp_tx.bpf.c loaded through its skeleton: xdp_tx never
 *     attached; xdp_acks attached to IFACE through a bpf_link, counting
 *     (and dropping) the acks of the run's requests at any rate. If IFACE
 *     already carries an XDP program, the acks are counted on the socket
 *     instead (a lower bound at high rates), and the report says so.
 *
 * Sending: BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES, ctx ingress_ifindex
 * = IFACE, so every repetition is transmitted out of IFACE (on a veth: into
 * the peer's NAPI ring). One call sends one pool frame `repeat` times; the
 * calls go round the pool until --count frames or --duration (checked
 * between calls, so it may overshoot by one call). The kernel brackets
 * every call with repeat > 1 by two XDP dispatcher updates, tens of ms on
 * a VM: 64 calls of 16384 capped the rate near 0.55 Mpps where one call
 * of 1M sent 3-5 Mpps. So a call repeats its frame at least
 * BLAST_MIN_REPEAT times: a run of N frames uses about N / 131072 distinct
 * pool frames (at least one), up to all BLAST_POOL, and the mix holds
 * over calls, not within one. Except in the forged flood, every
 * repetition is a fresh request (xdp_tx rewrites its sequence number,
 * player and token: the server's replay window lets each in once), and
 * with --rate the program paces itself (see bpf/xdp_tx.bpf.c). A receiver
 * thread counts the acks that reach the socket with recvmmsg (those
 * xdp_acks passed, or all when it could not attach).
 * SIGINT/SIGTERM are blocked and polled between calls: a blast stops at
 * the end of the current call and still reports. The steps are
 * blast_run.c's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <xdpgame/parsing.h>
#include <xdpgame/proto.h>

#include "core/log.h"
#include "core/stats.h"
#include "core/util.h"
#include "game/msg.h"
#include "load/blast_internal.h"
#include "xdp_tx.skel.h"

/* ---- frames ---- */

/* Pool frame i: Ethernet, IPv4 (DF, id i), UDP, then the request. */
static void build_frame(struct blast_ctx *c, uint32_t i, uint64_t now)
{
	struct blast_frame *f = &c->pool[i];
	struct ethhdr *eth = (void *)f->data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	unsigned char *payload = (unsigned char *)(udp + 1);
	uint32_t seq = c->first_seq + i, n;
	/* the position is drawn before the kind (the closed loop draws them
	 * the other way round): each path keeps its frames for a seed */
	uint64_t r = xg_mix_rand(&c->mix);
	enum xg_kind kind = xg_mix_pick(&c->mix);

	if (c->o->forge_sources) /* the flood: half JOINs, half game requests
				  * with tokens no server gave */
		n = i & 1 ? xg_msg_join(payload, seq, (uint32_t)(r % XG_MAX_PLAYERS), now) :
			    xg_msg_move(payload, seq, (uint32_t)(r % XG_MAX_PLAYERS),
					r | 1, now, 1.0f, 2.0f, 3.0f);
	else
		n = xg_mix_request(&c->mix, payload, kind, seq, now, r);

	memcpy(eth->h_dest, c->link.dst_mac, ETH_ALEN);
	memcpy(eth->h_source, c->link.src_mac, ETH_ALEN);
	eth->h_proto = htons(ETH_P_IP);

	*ip = (struct iphdr){ .version = 4, .ihl = 5, .ttl = BLAST_IP_TTL,
			      .protocol = IPPROTO_UDP,
			      .tot_len = htons((uint16_t)(sizeof(*ip) +
							  sizeof(*udp) + n)),
			      .id = htons((uint16_t)i),
			      .frag_off = htons(0x4000), /* DF */
			      .saddr = c->link.src.sin_addr.s_addr,
			      .daddr = c->link.dst.sin_addr.s_addr };
	/* the checksum helpers the XDP program and the reply builder use */
	ip->check = xg_csum_fold(xg_csum_add(0, (const __u16 *)ip,
					     sizeof(*ip) / 2));

	*udp = (struct udphdr){ .source = c->link.src.sin_port,
				.dest = c->link.dst.sin_port,
				.len = htons((uint16_t)(sizeof(*udp) + n)) };
	/* no UDP checksum (0, allowed on IPv4): xdp_tx rewrites every
	 * repetition's header (bpf/xdp_tx.bpf.c) */
	udp->check = 0;
	f->len = (uint32_t)(BLAST_HDRS + n);
}

/* ---- acks ---- */

static void check_ack(struct blast_ctx *c, const unsigned char *buf,
		      unsigned int len)
{
	const struct xg_hdr *h = (const void *)buf;
	uint8_t req = (uint8_t)(h->type & ~XG_MSG_ACK);
	uint32_t seq;

	if (len >= XG_HDR_SIZE && (h->type == XG_MSG_CHALLENGE ||
				   h->type == XG_MSG_WELCOME))
		return; /* late handshake replies */
	if (!xg_mix_ack_framed(buf, len) || h->version != XG_VERSION ||
	    !(h->type & XG_MSG_ACK) || !req || req >= XG_MSG_NTYPES) {
		atomic_fetch_add_explicit(&c->malformed, 1, memory_order_relaxed);
		return;
	}
	seq = xg_le32(h->seq);
	if (seq == c->probe_seq || h->type == XG_MSG_CHALLENGE ||
	    h->type == XG_MSG_WELCOME)
		return; /* a late answer to the probe or a handshake */
	if (seq - c->first_seq >= c->ack_range) {
		pr_debug("blast: ack for seq %u, never sent\n", seq);
		atomic_fetch_add_explicit(&c->malformed, 1, memory_order_relaxed);
		return;
	}
	atomic_fetch_add_explicit(&c->acks, 1, memory_order_relaxed);
}

static void *blast_rx(void *arg)
{
	struct blast_ctx *c = arg;
	unsigned char bufs[BLAST_RX_BATCH][XG_MAX_REPLY_SIZE + 1];
	struct mmsghdr msgs[BLAST_RX_BATCH];
	struct iovec iov[BLAST_RX_BATCH];
	struct pollfd pfd = { .fd = c->link.fd, .events = POLLIN };
	int n, i;

	while (!atomic_load_explicit(&c->rx_stop, memory_order_acquire)) {
		if (poll(&pfd, 1, 20) <= 0)
			continue;
		for (i = 0; i < BLAST_RX_BATCH; i++) {
			iov[i] = (struct iovec){ bufs[i], sizeof(bufs[i]) };
			msgs[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i],
							   .msg_iovlen = 1 };
		}
		n = recvmmsg(c->link.fd, msgs, BLAST_RX_BATCH, MSG_DONTWAIT, NULL);
		for (i = 0; i < n; i++)
			check_ack(c, bufs[i], msgs[i].msg_len);
	}
	return NULL;
}

/* ---- setup and teardown ---- */

static void blast_cleanup(struct blast_ctx *c)
{
	if (c->rx_running) {
		atomic_store_explicit(&c->rx_stop, true, memory_order_release);
		pthread_join(c->rx_thread, NULL);
		c->rx_running = false;
	}
	bpf_link__destroy(c->acks_link);
	c->acks_link = NULL;
	xdp_tx__destroy(c->skel);
	c->skel = NULL;
	free(c->pool);
	c->pool = NULL;
	/* after every sequence number the run used */
	if (c->link.fd >= 0 && c->tokens && !c->o->no_join)
		xg_handshake_leave(c->link.fd, &c->hs, c->tokens,
				   c->first_seq + (uint32_t)c->total_sent + BLAST_POOL);
	free(c->tokens);
	c->tokens = NULL;
	if (c->link.fd >= 0)
		close(c->link.fd);
	c->link.fd = -1;
}

/* Every player joins over the link's socket, whose address and port the
 * blast's frames carry, so the sessions are theirs. */
static int blast_join(struct blast_ctx *c)
{
	const struct xg_blast_opts *o = c->o;
	struct xg_handshake_result *r = &c->hs_result;
	int err;

	c->hs = (struct xg_handshake_opts){
		.first_player = o->first_player, .players = o->players,
		.backend = o->backend, .timeout_ns = 10000000000ull,
	};
	c->tokens = calloc(o->players, sizeof(*c->tokens));
	if (!c->tokens)
		return -ENOMEM;
	err = xg_handshake_run(c->link.fd, &c->hs, c->tokens, r);
	if (err) {
		pr_warn("error: load --blast: handshake: %s\n", strerror(-err));
		return err;
	}
	c->mix.tokens = c->tokens;
	if (r->joined == o->players)
		return 0;
	pr_warn("error: load --blast: %u of %u players could not join: %u refused (first: %s), %u unanswered; see the server's --handshake-rate\n",
		o->players - r->joined, o->players, r->refused,
		r->refused ? xg_status_name(r->first_refusal) : "-",
		r->unanswered);
	return -ECONNREFUSED;
}

/* The skeleton, set for this run (see bpf/xdp_tx.bpf.c), loaded, the
 * tokens filled in, and xdp_acks attached to IFACE if it can be. */
static int blast_load(struct blast_ctx *c)
{
	const struct xg_blast_opts *o = c->o;
	/* sequence numbers never wrap: the replay window compares them as
	 * they are */
	uint64_t room = UINT32_MAX - (uint64_t)c->first_seq - 2 * BLAST_POOL;
	uint64_t steps = o->nsteps ? o->nsteps : 1;
	uint32_t i;
	int err, fd;

	c->skel = xdp_tx__open();
	if (!c->skel) {
		err = -errno;
		goto fail;
	}
	c->skel->rodata->forge_sources = o->forge_sources;
	c->skel->rodata->forge_base = o->forge_base;
	if (fresh(c)) {
		/* every step's count, at most the room there is */
		c->ack_range = (uint32_t)(o->count < room / steps ?
						  o->count * steps : room);
		c->skel->rodata->fresh_players = o->players;
		c->skel->rodata->first_player = o->first_player;
		c->skel->rodata->first_seq = c->first_seq;
		c->skel->rodata->ack_port = c->link.src.sin_port;
		c->skel->rodata->ack_range = c->ack_range;
		err = bpf_map__set_max_entries(c->skel->maps.tokens, o->players);
		if (err)
			goto fail;
	}
	if (xdp_tx__load(c->skel)) {
		err = -errno;
		goto fail;
	}
	fd = bpf_map__fd(c->skel->maps.tokens);
	for (i = 0; fresh(c) && i < o->players; i++) {
		if (bpf_map_update_elem(fd, &i, &c->tokens[i], BPF_ANY)) {
			err = -errno;
			goto fail;
		}
	}
	if (!fresh(c))
		return 0; /* the flood expects no acks */
	c->acks_link = bpf_program__attach_xdp(c->skel->progs.xdp_acks,
					       c->link.ifindex);
	if (!c->acks_link) {
		err = -errno;
		c->acks_link = NULL;
		pr_warn("warning: load --blast: cannot attach the ack counter to %s (%s%s): counting acks on the socket, which may undercount at high rates\n",
			o->ifname, strerror(-err),
			err == -EBUSY || err == -EEXIST ?
				": it carries an XDP program already" : "");
	}
	return 0;
fail:
	pr_warn("error: load --blast: cannot load bpf/xdp_tx.bpf.c: %s\n",
		strerror(-err));
	return err;
}

static int blast_check_opts(const struct xg_blast_opts *o)
{
	uint32_t total = 0;
	int k;

	for (k = 0; k < XG_NKINDS; k++)
		total += o->weights[k];
	if (!o->target || !o->ifname || o->players < 2 || !total) {
		pr_warn("error: load --blast: missing target, interface, players or mix\n");
		return -EINVAL;
	}
	if (!o->count || (o->count > XG_BLAST_MAX_COUNT && !o->duration_ns)) {
		pr_warn("error: load --blast: --count %" PRIu64 " is out of range 1..%d (or give --duration)\n",
			o->count, XG_BLAST_MAX_COUNT);
		return -ERANGE;
	}
	return 0;
}

int xg_blast(const struct xg_blast_opts *o)
{
	struct blast_ctx c = { .o = o, .link.fd = -1 };
	sigset_t old;
	uint32_t i;
	int err;

	err = blast_check_opts(o);
	if (err)
		return err;
	c.first_seq = xg_mix_init(&c.mix, o->weights, o->first_player,
				  o->players, o->seed);
	c.probe_seq = c.first_seq - 1;
	sigemptyset(&c.stop_sigs);
	sigaddset(&c.stop_sigs, SIGINT);
	sigaddset(&c.stop_sigs, SIGTERM);
	/* blocked here and in the receiver thread; polled between calls */
	pthread_sigmask(SIG_BLOCK, &c.stop_sigs, &old);

	err = xg_blast_setup(&c.link, o, c.probe_seq);
	if (err)
		goto out;

	c.ack_range = BLAST_POOL;
	if (o->no_join && !o->forge_sources) {
		/* a bare reflector: no sessions, every token 0 */
		c.tokens = calloc(o->players, sizeof(*c.tokens));
		err = c.tokens ? 0 : -ENOMEM;
	} else if (!o->forge_sources) {
		err = blast_join(&c);
	}
	if (err)
		goto out;
	c.pool = calloc(BLAST_POOL, sizeof(*c.pool));
	if (!c.pool) {
		err = -ENOMEM;
		pr_warn("error: load --blast: out of memory\n");
		goto out;
	}
	for (i = 0; i < BLAST_POOL; i++)
		build_frame(&c, i, xg_now_ns());

	err = blast_load(&c);
	if (err)
		goto out;

	err = -pthread_create(&c.rx_thread, NULL, blast_rx, &c);
	if (err) {
		pr_warn("error: load --blast: cannot start the receiver: %s\n",
			strerror(-err));
		goto out;
	}
	c.rx_running = true;

	for (c.step = 0; !err && !c.interrupted &&
			 c.step < (o->nsteps ? o->nsteps : 1); c.step++) {
		c.rate = o->nsteps ? o->steps[c.step] : o->rate;
		err = blast_step(&c);
		fflush(stdout);
	}
	if (err)
		goto out;
	atomic_store_explicit(&c.rx_stop, true, memory_order_release);
	pthread_join(c.rx_thread, NULL);
	c.rx_running = false;
	if (!err && atomic_load(&c.malformed)) {
		pr_warn("error: load --blast: %" PRIu64 " malformed acks\n",
			(uint64_t)atomic_load(&c.malformed));
		err = -EBADMSG;
	}
out:
	blast_cleanup(&c);
	/* a stop signal that came during the run is consumed: it did its job */
	while (blast_stop_requested(&c))
		;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}
