/* SPDX-License-Identifier: MIT */
/*
 * The steps of `xdpgame load --blast` (blast.c has the setup and the
 * whole story): each step sends for its --count or --duration, at its
 * rate or unpaced, through BPF_PROG_RUN of xdp_tx (bpf/xdp_tx.bpf.c), then
 * waits for the acks to pause, counts what came back (xdp_acks' counters
 * and the receiver thread's), and is tried again if it lost a little
 * (--retries) before its report is printed.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/json.h"
#include "core/log.h"
#include "core/util.h"
#include "load/blast_internal.h"
#include "xdp_tx.skel.h"

bool blast_stop_requested(struct blast_ctx *c)
{
	struct timespec zero = {};

	return sigtimedwait(&c->stop_sigs, NULL, &zero) > 0;
}

static int run_err(int err)
{
	struct utsname u;

	if (err == -EINVAL || err == -EOPNOTSUPP) {
		uname(&u);
		pr_warn("error: load --blast: the kernel refused BPF_PROG_RUN with live frames (%s): it needs Linux 5.18 or later (this is %s)\n",
			strerror(-err), u.release);
	} else {
		pr_warn("error: load --blast: BPF_PROG_RUN: %s\n",
			strerror(-err));
	}
	return err;
}

/* Acks counted so far: xdp_acks' (all CPUs) and the socket's; *not_ok
 * gets those whose status is not OK. */
static uint64_t acks_now(const struct blast_ctx *c, uint64_t *not_ok)
{
	int ncpu = libbpf_num_possible_cpus(), fd, k, cpu;
	uint64_t sum[2] = {}, v[XG_MAX_CPUS];

	if (c->acks_link && ncpu > 0 && ncpu <= XG_MAX_CPUS) {
		fd = bpf_map__fd(c->skel->maps.acks);
		for (k = 0; k < 2; k++) {
			if (bpf_map_lookup_elem(fd, &k, v))
				continue;
			for (cpu = 0; cpu < ncpu; cpu++)
				sum[k] += v[cpu];
		}
	}
	if (not_ok)
		*not_ok = sum[1];
	return sum[0] + sum[1] + atomic_load(&c->acks);
}

/* Paced, every call's pause (the dispatcher updates) is a gap in the
 * traffic: after the first call, the next is sized from the last one's
 * cost per repetition to last the rest of the step (and a tenth more; the
 * program sends nothing past its stop time or its limit). */
static uint64_t paced_chunk(const struct blast_ctx *c, uint64_t repeat,
			    uint64_t took_ns, uint64_t now)
{
	/* the step ends after its duration, or once its count is sent */
	double by_count = (double)c->o->count * 1e9 / (double)c->rate;
	uint64_t end = c->started + (by_count < (double)c->o->duration_ns ||
						     !c->o->duration_ns ?
					     (uint64_t)by_count :
					     c->o->duration_ns),
		 n;

	if (!took_ns || now >= end)
		return BLAST_MIN_REPEAT;
	n = (uint64_t)((double)(end - now) * 1.1 * (double)repeat /
		       (double)took_ns);
	return n < BLAST_MIN_REPEAT ? BLAST_MIN_REPEAT :
	       n > INT32_MAX / 2    ? INT32_MAX / 2 :
				      n;
}

/* The call's frame, as xdp_tx's template. */
static int set_template(struct blast_ctx *c, const struct blast_frame *f)
{
	struct blast_tmpl t = { .len = f->len };
	int key = 0;

	memcpy(t.data, f->data, f->len);
	if (!bpf_map_update_elem(bpf_map__fd(c->skel->maps.frame), &key, &t,
				 BPF_ANY))
		return 0;
	pr_warn("error: load --blast: cannot set the frame: %s\n",
		strerror(errno));
	return -errno;
}

static int blast_send(struct blast_ctx *c)
{
	struct xdp_md md = { .ingress_ifindex = (__u32)c->link.ifindex };
	uint64_t chunk = c->o->count / BLAST_POOL, now, before, n, t0;
	int prog_fd = bpf_program__fd(c->skel->progs.xdp_tx), err;
	struct xdp_tx__bss *bss = c->skel->bss;
	uint32_t i = 0;

	if (chunk < BLAST_MIN_REPEAT)
		chunk = BLAST_MIN_REPEAT;
	if (chunk > BLAST_MAX_REPEAT)
		chunk = BLAST_MAX_REPEAT;
	c->sent = c->bytes_sent = 0;
	c->acks0 = acks_now(c, &c->not_ok0);
	c->started = now = xg_now_ns();
	bss->stop_ns = c->o->duration_ns ? c->started + c->o->duration_ns : 0;
	bss->interval_ns = c->rate ? 1000000000ull / c->rate : 0;
	bss->next_ns = c->started;
	/* this step's count, within the run's sequence numbers */
	if (fresh(c))
		bss->limit = c->o->count < c->ack_range - bss->sent ?
				     bss->sent + c->o->count :
				     c->ack_range;
	while (c->sent < c->o->count && (!fresh(c) || bss->sent < bss->limit)) {
		struct blast_frame *f = &c->pool[i];
		uint64_t left = c->o->count - c->sent;
		LIBBPF_OPTS(bpf_test_run_opts, opts,
			    .data_in = f->data, .data_size_in = f->len,
			    .ctx_in = &md, .ctx_size_in = sizeof(md),
			    .repeat = (int)(left < chunk && !c->rate ?
						    left : chunk),
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES,
			    .batch_size = BLAST_BATCH);

		md.data_end = f->len;
		err = set_template(c, f);
		if (err)
			return err;
		before = bss->sent;
		t0 = now;
		err = bpf_prog_test_run_opts(prog_fd, &opts);
		if (err)
			return run_err(err < 0 ? err : -errno);
		now = xg_now_ns();
		if (c->rate)
			chunk = paced_chunk(c, (uint64_t)opts.repeat, now - t0, now);
		n = fresh(c) ? bss->sent - before : (uint64_t)opts.repeat;
		c->sent += n;
		c->total_sent += n;
		c->bytes_sent += n * f->len;
		i = (i + 1) % BLAST_POOL;
		if (c->o->duration_ns && now - c->started >= c->o->duration_ns)
			break;
		if (blast_stop_requested(c)) {
			c->interrupted = true;
			break;
		}
	}
	c->finished = now;
	return 0;
}

/* After sending: let the acks in flight arrive, until they pause. */
static void blast_drain(struct blast_ctx *c)
{
	uint64_t start = xg_now_ns(), now = start, last = start, n, seen = 0;

	while (now - start < BLAST_DRAIN_MAX_MS * 1000000ull) {
		usleep(20000);
		now = xg_now_ns();
		n = acks_now(c, NULL);
		if (n != seen) {
			seen = n;
			last = now;
		} else if (now - last >= BLAST_DRAIN_QUIET_MS * 1000000ull) {
			break;
		}
		if (blast_stop_requested(c))
			break;
	}
}

/* The try just run (after the drain): its counts, and whether it lost
 * more than --retries lets pass. */
static bool blast_measure(const struct blast_ctx *c, struct blast_try *t)
{
	uint64_t not_ok, acks = acks_now(c, &not_ok) - c->acks0;

	*t = (struct blast_try){ .sent = c->sent, .bytes = c->bytes_sent,
				 .ns = c->finished - c->started, .acks = acks,
				 .not_ok = not_ok - c->not_ok0,
				 .lost = c->sent > acks ? c->sent - acks : 0 };
	return t->lost * 1000000 > t->sent * XG_BLAST_NODROP_PPM;
}

/* The step's report on stdout: four lines, or one JSON line. 0, or a
 * negative errno with the reason printed. */
static int blast_report(const struct blast_ctx *c, const struct blast_try *t)
{
	double secs = (double)t->ns / 1e9;
	double pps = secs > 0 ? (double)t->sent / secs : 0.0;
	double mbps = secs > 0 ? (double)t->bytes * 8 / secs / 1e6 : 0.0;
	double served = secs > 0 ? (double)t->acks / secs : 0.0;
	uint64_t bad = atomic_load(&c->malformed);
	const char *by = c->acks_link ? "xdp" : "socket";
	xg_json *root;
	int err;

	if (!c->o->json) {
		if (c->o->nsteps)
			printf("step %u of %u (try %u): ", c->step + 1,
			       c->o->nsteps, t->tries);
		printf("blast %s via %s (BPF_PROG_RUN, live frames, XDP_TX)%s:\n"
		       "  sent %" PRIu64 " frames in %.3f s: %.0f pps%s, %.2f Mbps (Ethernet frames, no preamble or FCS)\n"
		       "  acks %" PRIu64 " (%.0f a second; %" PRIu64 " not OK), counted %s%s, malformed %" PRIu64 "\n"
		       "  lost %" PRIu64 " (%.3f%%): no ack %d ms after the last send\n",
		       c->o->target, c->o->ifname,
		       c->interrupted ? ", interrupted" : "", t->sent, secs,
		       pps, c->rate ? " (paced)" : "", mbps, t->acks, served,
		       t->not_ok, c->acks_link ? "by XDP on " : "on the socket",
		       c->acks_link ? c->o->ifname :
				      " (may undercount at high rates)",
		       bad, t->lost,
		       t->sent ? 100.0 * (double)t->lost / (double)t->sent : 0.0,
		       BLAST_DRAIN_QUIET_MS);
		return 0;
	}
	root = xg_json_obj();
	xg_json_str(root, "mode", "blast");
	xg_json_str(root, "target", c->o->target);
	xg_json_str(root, "interface", c->o->ifname);
	if (c->o->nsteps)
		xg_json_u64(root, "step", c->step + 1);
	xg_json_u64(root, "tries", t->tries);
	xg_json_u64(root, "rate", c->rate);
	xg_json_u64(root, "sent", t->sent);
	xg_json_dbl(root, "seconds", secs);
	xg_json_u64(root, "pps", (uint64_t)llround(pps)); /* a whole number */
	xg_json_dbl(root, "mbps", mbps);
	xg_json_u64(root, "acks", t->acks);
	xg_json_u64(root, "acks_not_ok", t->not_ok);
	xg_json_str(root, "acks_counted_by", by);
	xg_json_u64(root, "served_pps", (uint64_t)llround(served));
	xg_json_u64(root, "lost", t->lost);
	xg_json_u64(root, "malformed_acks", bad);
	err = xg_json_print(stdout, root);
	if (err)
		pr_warn("error: load --blast: cannot print the report: %s\n",
			strerror(-err));
	return err;
}

/* One step: tried until it loses no more than XG_BLAST_NODROP_PPM, at
 * most 1 + retries times, but not again after a try that lost more than
 * XG_BLAST_RETRY_PPM (a stall of the host costs a few ms of frames; that
 * many lost is a server over its capacity, and each try would say so);
 * the try with the fewest lost is reported. */
int blast_step(struct blast_ctx *c)
{
	struct blast_try t, best = {};
	uint32_t k;
	bool over;
	int err;

	for (k = 0; k <= c->o->retries && !c->interrupted; k++) {
		err = blast_send(c);
		if (err)
			return err;
		if (!c->o->quiet && !c->o->json)
			fprintf(stderr, "blast: sent %" PRIu64 " frames; waiting for the last acks\n",
				c->sent);
		blast_drain(c);
		over = blast_measure(c, &t);
		/* fewest lost per frame sent */
		if (!k || t.lost * best.sent < best.lost * t.sent)
			best = t;
		best.tries = k + 1;
		if (!over || t.lost * 1000000 > t.sent * XG_BLAST_RETRY_PPM)
			break;
	}
	return blast_report(c, &best);
}
