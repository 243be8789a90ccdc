/* SPDX-License-Identifier: MIT */
/*
 * Differential test: the XDP program (BPF_PROG_RUN on the loaded object)
 * against the same decision made in C from the same shared code
 * (include/xdpgame/parsing.h and proto.h: the walk, xg_frame_check(),
 * xg_validate(), xg_frame_udp_csum()), with the program's destination and
 * session checks written out over a model of its maps. Frames: valid ones
 * of every request type (IPv4/IPv6, 0-2 VLAN tags, IPv4 options, an IPv6
 * hop-by-hop header, good and bad sources and destinations, with and
 * without a session), then 0-4 mutations each: bit flips, random bytes,
 * truncation, extra bytes, length fields (IP, UDP, the game header's
 * size) set near their right value or anywhere, a VLAN tag inserted,
 * IPv4 options inserted, an IPv6 extension header inserted, the IP
 * header checksum or the UDP checksum made right again (so that a
 * mutation reaches the checks after them).
 *
 * Every frame: the verdicts must be equal, and the program must leave the
 * frame as it was (no kernel replies here). The counters are compared in
 * bulk every 4096 frames (the sum of the model's counters against the
 * `stats` map), and a difference there is narrowed down to the frame by
 * running the batch again one frame at a time.
 *
 *   diff_xdp [--frames N] [--seconds S] [--seed X]
 *
 * runs until both N frames (default 1,000,000) and S seconds (default 0)
 * are done. Needs root. Exit 0: no difference; 1: a difference (the frame
 * is printed in hex); 2: could not run.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <xdpgame/parsing.h>

#include "game/msg.h"
#include "xdpgame.skel.h"
#include "../common/frame_build.h"

enum {
	GAME_PORT = 7777,
	PLAYER4 = 42,
	PLAYER6 = 43,
	CLIENT_PORT = 40000,
	BATCH = 4096,
	FMAX = 600,
};

static const uint64_t TOKEN = 0x5eed5eed0badcafeull;
static const uint8_t srv_mac[6] = { 2, 0, 0, 0, 0, 2 };
static const uint8_t cli4[4] = { 10, 0, 0, 1 }, srv4[4] = { 10, 0, 0, 2 };
static const uint8_t cli6[16] = { 0xfd, [15] = 1 },
		     srv6[16] = { 0xfd, [15] = 2 };

/* ---- the model ---------------------------------------------------------- */

static void map4(struct xg_addr *a, const uint8_t *v4)
{
	memset(a, 0, sizeof(*a));
	a->a[10] = a->a[11] = 0xff;
	memcpy(&a->a[12], v4, 4);
}

static void frame_addr(const struct xg_frame *f, int dst, struct xg_addr *a)
{
	if (f->iph)
		map4(a, (const uint8_t *)(dst ? &f->iph->daddr : &f->iph->saddr));
	else
		memcpy(a->a, dst ? &f->ip6h->daddr : &f->ip6h->saddr, 16);
}

static bool is_local(const struct xg_frame *f)
{
	const uint8_t *d = f->eth->h_dest;
	struct xg_addr a, s4, s6;

	if (memcmp(d, srv_mac, 6) || (d[0] & 1))
		return false;
	if (f->iph) {
		const uint8_t *b = (const uint8_t *)&f->iph->daddr;

		if ((b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255) ||
		    (b[0] >> 4) == 0xe)
			return false;
	} else if (((const uint8_t *)&f->ip6h->daddr)[0] == 0xff) {
		return false;
	}
	frame_addr(f, 1, &a);
	map4(&s4, srv4);
	memcpy(s6.a, srv6, 16);
	return !memcmp(&a, &s4, 16) || !memcmp(&a, &s6, 16);
}

/* The session check over the two sessions the map holds. */
static int session_check(const struct xg_hdr *h, const struct xg_frame *f)
{
	uint32_t player = xg_le32(h->player);
	struct xg_addr a, want;

	if (player == PLAYER4)
		map4(&want, cli4);
	else if (player == PLAYER6)
		memcpy(want.a, cli6, 16);
	else
		return XG_DENY_NO_SESSION;
	if (xg_le64(h->token) != TOKEN)
		return XG_DENY_BAD_TOKEN;
	frame_addr(f, 0, &a);
	if (memcmp(&a, &want, 16) || f->udph->source != htons(CLIENT_PORT))
		return XG_DENY_WRONG_SOURCE;
	return XG_DENY_NONE;
}

/* xdpgame_rx() in C: the action; *counter the counter it moves. */
static int model(uint8_t *data, uint32_t len, int *counter)
{
	void *end = data + len;
	union {
		struct xg_hdr h;
		uint8_t b[XG_MAX_MSG_SIZE];
	} c;
	struct xg_frame f;
	enum xg_err err;
	int v, deny;

	v = xg_frame_walk(data, end, XG_XDP_IPV6_EXT_DEFAULT, &f);
	if (v != XG_FRAME_UDP)
		return *counter = v, XDP_PASS;
	if (ntohs(f.udph->dest) != GAME_PORT)
		return *counter = XG_CNT_PASS_NOT_GAME, XDP_PASS;
	if (!is_local(&f))
		return *counter = XG_CNT_PASS_NOT_LOCAL, XDP_PASS;
	v = xg_frame_check(&f, end);
	if (v == XG_CNT_PASS_IP_OPTIONS)
		return *counter = v, XDP_PASS;
	if (v)
		return *counter = v, XDP_DROP;
	/* validated on an aligned copy, as user space does (same verdict:
	 * f.len bytes are in the frame) */
	memset(&c, 0, sizeof(c));
	memcpy(c.b, f.payload, f.len < sizeof(c) ? f.len : sizeof(c));
	err = xg_validate(c.b, c.b + (f.len < sizeof(c) ? f.len : sizeof(c)),
			  f.len);
	if (err != XG_OK)
		return *counter = XG_CNT_DROP_BASE + (int)err, XDP_DROP;
	v = xg_frame_udp_csum(&f, end, c.h.type);
	if (v)
		return *counter = v, XDP_DROP;
	if (!xg_is_handshake(c.h.type)) {
		deny = session_check(&c.h, &f);
		if (deny)
			return *counter = XG_CNT_DENY_BASE + deny, XDP_DROP;
	}
	return *counter = XG_CNT_FALLTHROUGH, XDP_PASS; /* no XSK: pass */
}

/* ---- frames ------------------------------------------------------------- */

static uint64_t rng_s;

static uint64_t rnd(void)
{
	rng_s ^= rng_s << 13;
	rng_s ^= rng_s >> 7;
	rng_s ^= rng_s << 17;
	return rng_s;
}

static uint32_t rn(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

/* A valid frame, one of the many kinds; its length. */
static uint32_t base_frame(uint8_t *out)
{
	static const uint8_t bad4[][4] = { { 127, 0, 0, 1 }, { 0, 0, 0, 7 },
					   { 224, 0, 0, 1 }, { 255, 255, 255, 255 },
					   { 240, 1, 2, 3 } };
	static const uint8_t bad6[][16] = { { 0 }, { [15] = 1 },
					    { 0xff, 2, [15] = 1 },
					    { [10] = 0xff, 0xff, 1, 2, 3, 4 } };
	static const struct xg_cookie ck = { .slot = 1, .mac = 2 };
	uint8_t dg[XG_MAX_MSG_SIZE];
	struct xg_fb o = { .sport = CLIENT_PORT, .dport = GAME_PORT };
	uint32_t player, n, t = 1 + rn(6);
	uint64_t tok = rn(8) ? TOKEN : rnd();

	o.ipv6 = rn(2);
	o.vlans = rn(4) ? 0 : 1 + (int)rn(2);
	memcpy(o.dst_mac, srv_mac, 6);
	memcpy(o.src_mac, "\x02\x00\x00\x00\x00\x01", 6);
	if (o.ipv6) {
		memcpy(o.src, cli6, 16);
		memcpy(o.dst, srv6, 16);
		o.hop_by_hop = !rn(10);
		if (!rn(8))
			memcpy(o.src, bad6[rn(4)], 16);
	} else {
		memcpy(o.src, cli4, 4);
		memcpy(o.dst, srv4, 4);
		o.ip4_opt = rn(10) ? 0 : 4 * (int)(1 + rn(10));
		o.no_csum = !rn(3);
		if (!rn(8))
			memcpy(o.src, bad4[rn(5)], 4);
		if (!rn(30))
			memcpy(o.dst, "\x0a\x00\x00\x03", 4);
	}
	if (!rn(30))
		o.dst_mac[0] = 0x01;
	if (!rn(30))
		o.dport = 53;
	if (!rn(30))
		o.sport = 40001;
	player = rn(8) ? (o.ipv6 ? PLAYER6 : PLAYER4) : rn(100);
	switch (t) {
	case XG_MSG_MOVE:
		n = xg_msg_move(dg, 1, player, tok, 5, 1, 2, 3);
		break;
	case XG_MSG_ATTACK:
		n = xg_msg_attack(dg, 2, player, tok, 5, 7, 1);
		break;
	case XG_MSG_HEARTBEAT:
		n = xg_msg_heartbeat(dg, 3, player, tok, 5);
		break;
	case XG_MSG_LEAVE:
		n = xg_msg_leave(dg, 4, player, tok, 5);
		break;
	case XG_MSG_JOIN:
		n = xg_msg_join(dg, 5, player, 5);
		break;
	default:
		n = xg_msg_answer(dg, 6, player, 5, &ck, NULL);
	}
	n = xg_fb_build(&o, dg, n, out);
	if (!rn(10)) { /* Ethernet padding */
		uint32_t pad = rn(40);

		memset(out + n, rn(2) ? 0 : 0xee, pad);
		n += pad;
	}
	return n;
}

/* Where the L3 header starts (after the tags), or 0. */
static uint32_t l3_off(const uint8_t *f, uint32_t len)
{
	uint32_t off = 12;

	while (off + 2 <= len && (f[off] == 0x81 || f[off] == 0x88) &&
	       (f[off + 1] == 0x00 || f[off + 1] == 0xa8) && off < 24)
		off += 4;
	return off + 2 <= len ? off + 2 : 0;
}

static void insert(uint8_t *f, uint32_t *len, uint32_t at, const uint8_t *p,
		   uint32_t n)
{
	if (*len + n > FMAX || at > *len)
		return;
	memmove(f + at + n, f + at, *len - at);
	memcpy(f + at, p, n);
	*len += n;
}

static void fix_ip_csum(uint8_t *f, uint32_t len)
{
	uint32_t l3 = l3_off(f, len), hl, s = 0;

	if (!l3 || l3 + 20 > len || (f[l3] >> 4) != 4)
		return;
	hl = (f[l3] & 15) * 4u;
	if (hl < 20 || l3 + hl > len)
		return;
	f[l3 + 10] = f[l3 + 11] = 0;
	for (uint32_t i = 0; i < hl; i += 2)
		s += (uint32_t)(f[l3 + i] << 8 | f[l3 + i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	xg_fb_put16(f + l3 + 10, (uint16_t)~s);
}

/* The UDP checksum made right again, by the shared walk's idea of where
 * UDP is and how long it is. */
static void fix_udp_csum(uint8_t *f, uint32_t len)
{
	struct xg_frame fr;
	uint32_t ulen;
	uint8_t *u;
	uint16_t c;

	if (xg_frame_walk(f, f + len, XG_XDP_IPV6_EXT_DEFAULT, &fr) !=
	    XG_FRAME_UDP)
		return;
	u = (uint8_t *)fr.udph;
	ulen = (uint32_t)(u[4] << 8 | u[5]);
	if (ulen < 8 || u + ulen > f + len)
		return;
	u[6] = u[7] = 0;
	if (fr.iph)
		c = xg_fb_udp_csum((uint8_t *)&fr.iph->saddr,
				   (uint8_t *)&fr.iph->daddr, 4, u, ulen);
	else
		c = xg_fb_udp_csum((uint8_t *)&fr.ip6h->saddr,
				   (uint8_t *)&fr.ip6h->daddr, 16, u, ulen);
	xg_fb_put16(u + 6, c ? c : 0xffff);
}

static void mutate(uint8_t *f, uint32_t *len)
{
	uint32_t l3 = l3_off(f, *len), v6 = l3 && l3 < *len && (f[l3] >> 4) == 6;
	uint32_t udp = l3 ? l3 + (v6 ? 40 : (f[l3] & 15) * 4u) : 0;
	uint8_t b[40];

	switch (rn(14)) {
	case 0: /* bit flip */
		if (*len)
			f[rn(*len)] ^= (uint8_t)(1u << rn(8));
		break;
	case 1: /* a random byte, near the headers more often */
		if (*len)
			f[rn(rn(2) && *len > 80 ? 80 : *len)] = (uint8_t)rnd();
		break;
	case 2: /* truncate */
		if (*len > 14)
			*len = 14 + rn(*len - 14);
		break;
	case 3: /* extra bytes */
		for (uint32_t i = rn(16); i && *len < FMAX; i--)
			f[(*len)++] = (uint8_t)rnd();
		break;
	case 4: /* the IP length field */
		if (l3 && l3 + 6 <= *len) {
			uint32_t o = l3 + (v6 ? 4 : 2);
			uint16_t x = (uint16_t)(f[o] << 8 | f[o + 1]);

			x = rn(3) ? (uint16_t)(x + (int)rn(9) - 4) : (uint16_t)rnd();
			xg_fb_put16(f + o, x);
		}
		break;
	case 5: /* the UDP length field */
		if (udp && udp + 6 <= *len) {
			uint16_t x = (uint16_t)(f[udp + 4] << 8 | f[udp + 5]);

			x = rn(3) ? (uint16_t)(x + (int)rn(9) - 4) : (uint16_t)rnd();
			xg_fb_put16(f + udp + 4, x);
		}
		break;
	case 6: /* the game header's size field */
		if (udp && udp + 14 <= *len) {
			f[udp + 8 + 4] = (uint8_t)(f[udp + 8 + 4] + rn(9) - 4);
		}
		break;
	case 7: /* a VLAN tag */
		b[0] = rn(2) ? 0x81 : 0x88;
		b[1] = b[0] == 0x81 ? 0x00 : 0xa8;
		b[2] = 0;
		b[3] = (uint8_t)rn(200);
		insert(f, len, 12, b, 4);
		break;
	case 8: /* IPv4 options */
		if (l3 && !v6 && l3 + 20 <= *len) {
			uint32_t n = 4 * (1 + rn(4));

			memset(b, rn(2) ? 1 : 0x83, n); /* NOP or a source route */
			insert(f, len, l3 + 20, b, n);
			f[l3] = (uint8_t)(0x40 | (((f[l3] & 15) + n / 4) & 15));
			xg_fb_put16(f + l3 + 2,
				    (uint16_t)((f[l3 + 2] << 8 | f[l3 + 3]) + n));
		}
		break;
	case 9: /* an IPv6 extension header */
		if (l3 && v6 && l3 + 40 <= *len) {
			static const uint8_t nh[] = { 0, 43, 60, 44, 51, 135 };

			memset(b, 0, 8);
			b[0] = f[l3 + 6];
			b[2] = 1;
			b[3] = 4;
			insert(f, len, l3 + 40, b, 8);
			f[l3 + 6] = nh[rn(6)];
			xg_fb_put16(f + l3 + 4,
				    (uint16_t)((f[l3 + 4] << 8 | f[l3 + 5]) + 8));
		}
		break;
	case 10: /* the IP version nibble */
		if (l3 && l3 < *len)
			f[l3] = (uint8_t)((rn(16) << 4) | (f[l3] & 15));
		break;
	case 11: /* a TTL of 0 */
		if (l3 && !v6 && l3 + 9 <= *len)
			f[l3 + 8] = 0;
		break;
	case 12:
		fix_ip_csum(f, *len);
		break;
	default:
		fix_udp_csum(f, *len);
	}
}

/* ---- running ------------------------------------------------------------ */

struct item {
	uint8_t b[FMAX];
	uint32_t len;
	int action, counter;
};

static void sum_stats(int fd, uint64_t *out)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xg_xdp_count v[ncpu];

	for (uint32_t k = 0; k < XG_CNT_MAX; k++) {
		out[k] = 0;
		if (bpf_map_lookup_elem(fd, &k, v))
			continue;
		for (int c = 0; c < ncpu; c++)
			out[k] += v[c].packets;
	}
}

static int run1(int prog, struct item *it, int *retval)
{
	uint8_t out[FMAX];
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = it->b,
		    .data_size_in = it->len, .data_out = out,
		    .data_size_out = sizeof(out), .repeat = 1);

	if (bpf_prog_test_run_opts(prog, &t))
		return -errno;
	*retval = (int)t.retval;
	if (t.data_size_out != it->len || memcmp(out, it->b, it->len))
		return 1; /* the frame was changed */
	return 0;
}

static void dump(const char *why, const struct item *it, int got)
{
	fprintf(stderr, "DIFFERENCE: %s: model %d (counter %d), program %d\n  ",
		why, it->action, it->counter, got);
	for (uint32_t i = 0; i < it->len; i++)
		fprintf(stderr, "%02x%s", it->b[i], i % 32 == 31 ? "\n  " : " ");
	fprintf(stderr, "\n");
}

static int setup(struct xdpgame *skel)
{
	struct xg_xdp_config cfg = { .redirect = 1 };
	struct xg_session_entry e = { .token = TOKEN,
				      .port = htons(CLIENT_PORT) };
	uint32_t key = 0, p, port = GAME_PORT;
	struct xg_addr a;
	uint8_t one = 1;
	int err = 0;

	memcpy(cfg.mac, srv_mac, 6);
	err |= bpf_map_update_elem(bpf_map__fd(skel->maps.config), &key, &cfg, 0);
	err |= bpf_map_update_elem(bpf_map__fd(skel->maps.ports), &port, &one, 0);
	map4(&a, srv4);
	err |= bpf_map_update_elem(bpf_map__fd(skel->maps.addrs), &a, &one, 0);
	memcpy(a.a, srv6, 16);
	err |= bpf_map_update_elem(bpf_map__fd(skel->maps.addrs), &a, &one, 0);
	map4(&e.addr, cli4);
	p = PLAYER4;
	err |= bpf_map_update_elem(bpf_map__fd(skel->maps.sessions), &p, &e, 0);
	memcpy(e.addr.a, cli6, 16);
	p = PLAYER6;
	err |= bpf_map_update_elem(bpf_map__fd(skel->maps.sessions), &p, &e, 0);
	return err ? -1 : 0;
}

int main(int argc, char **argv)
{
	static struct item batch[BATCH];
	uint64_t frames = 1000000, done = 0, seconds = 0, diffs = 0;
	uint64_t before[XG_CNT_MAX], after[XG_CNT_MAX], want[XG_CNT_MAX];
	uint64_t verdicts[5] = { 0 }, reached[XG_CNT_MAX] = { 0 };
	int nreached = 0;
	struct xdpgame *skel;
	time_t t0 = time(NULL);
	int prog, stats;

	rng_s = (uint64_t)time(NULL) * 2654435761u | 1;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--frames"))
			frames = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--seconds"))
			seconds = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--seed"))
			rng_s = strtoull(argv[i + 1], NULL, 0) | 1;
	}
	printf("diff_xdp: seed %#llx\n", (unsigned long long)rng_s);
	skel = xdpgame__open_and_load();
	if (!skel || setup(skel)) {
		fprintf(stderr, "diff_xdp: cannot load the program (root?)\n");
		return 2;
	}
	prog = bpf_program__fd(skel->progs.xdpgame_rx);
	stats = bpf_map__fd(skel->maps.stats);

	while (done < frames || (uint64_t)(time(NULL) - t0) < seconds) {
		memset(want, 0, sizeof(want));
		sum_stats(stats, before);
		for (int i = 0; i < BATCH; i++) {
			struct item *it = &batch[i];
			uint8_t copy[FMAX];
			int got, r;

			do {
				it->len = base_frame(it->b);
				for (uint32_t m = rn(5); m; m--)
					mutate(it->b, &it->len);
			} while (it->len < 14); /* test_run: -EINVAL */
			memcpy(copy, it->b, it->len);
			it->action = model(copy, it->len, &it->counter);
			want[it->counter]++;
			reached[it->counter]++;
			verdicts[it->action < 5 ? it->action : 0]++;
			r = run1(prog, it, &got);
			if (r < 0) {
				fprintf(stderr, "test_run: %s\n", strerror(-r));
				return 2;
			}
			if (r > 0 || got != it->action) {
				dump(r > 0 ? "frame changed" : "verdict", it, got);
				if (++diffs > 10)
					return 1;
			}
		}
		sum_stats(stats, after);
		for (int k = 0; k < XG_CNT_MAX; k++) {
			if (after[k] - before[k] == want[k])
				continue;
			/* narrow it down: one frame at a time */
			for (int i = 0; i < BATCH; i++) {
				int got;

				sum_stats(stats, before);
				run1(prog, &batch[i], &got);
				sum_stats(stats, after);
				if (after[batch[i].counter] - before[batch[i].counter] != 1) {
					dump("counter", &batch[i], got);
					for (int j = 0; j < XG_CNT_MAX; j++)
						if (after[j] != before[j])
							fprintf(stderr, "  program counted %d\n", j);
					if (++diffs > 10)
						return 1;
				}
			}
			break;
		}
		done += BATCH;
	}
	for (int k = 0; k < XG_CNT_MAX; k++)
		nreached += reached[k] != 0;
	printf("diff_xdp: %llu frames in %lds, %llu differences (model: %llu "
	       "PASS, %llu DROP; %d of %d counters reached)\n",
	       (unsigned long long)done, (long)(time(NULL) - t0),
	       (unsigned long long)diffs, (unsigned long long)verdicts[XDP_PASS],
	       (unsigned long long)verdicts[XDP_DROP], nreached, XG_CNT_MAX);
	/* redirect, xdp_tx, expired, the rates, replay and bad cookie cannot
	 * happen here: no XSK, no kernel replies, no limits or expiry, and
	 * the last two are user space's */
	printf("  not reached:");
	for (int k = 0; k < XG_CNT_MAX; k++)
		if (!reached[k])
			printf(" %d", k);
	printf("\n");
	xdpgame__destroy(skel);
	return diffs ? 1 : 0;
}
