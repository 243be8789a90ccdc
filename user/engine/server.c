/* SPDX-License-Identifier: MIT */
/* Server workers: slots, CPU placement, thread start (named) and pinning. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/ring.h"
#include "engine/server.h"

enum { XG_EVENT_RING = 1024 };

int xg_server_cpu(const struct xg_server *srv, int i)
{
	int cpus[XG_MAX_CPUS], n;

	if (srv->cfg.ncpus)
		return srv->cfg.cpus[i % srv->cfg.ncpus];
	n = xg_online_cpus(cpus, XG_MAX_CPUS);
	return n > 0 ? cpus[i % n] : -1;
}

struct xg_worker *xg_server_add_worker(struct xg_server *srv, enum xg_path path,
				       int cpu)
{
	struct xg_worker *w;

	if (srv->nworkers == srv->max_workers)
		return NULL;
	w = &srv->workers[srv->nworkers];
	memset(w, 0, sizeof(*w));
	xg_stats_init(&w->stats);
	w->events = xg_ring_create(XG_EVENT_RING, sizeof(struct xg_event));
	if (!w->events)
		return NULL;
	w->srv = srv;
	w->id = srv->nworkers++;
	w->cpu = cpu;
	w->path = path;
	w->queue = -1;
	return w;
}

void xg_server_drop_workers(struct xg_server *srv, int first)
{
	while (srv->nworkers > first) {
		struct xg_worker *w = &srv->workers[--srv->nworkers];

		xg_ring_destroy(w->events);
		memset(w, 0, sizeof(*w));
	}
}

/* A worker thread is named for top -H, ps -T and chrt: xg-xsk-N,
 * xg-sock-N or xg-tcp-N (N its worker id; 15 characters at most). */
int xg_worker_start(struct xg_worker *w, void *(*fn)(void *))
{
	static const char *const kind[XG_NPATHS] = {
		[XG_PATH_SOCKET] = "sock", [XG_PATH_XSK] = "xsk",
		[XG_PATH_TCP] = "tcp"
	};
	char name[16];
	int err = pthread_create(&w->thread, NULL, fn, w);

	if (err)
		return -err;
	w->started = true;
	snprintf(name, sizeof(name), "xg-%s-%d", kind[w->path], w->id);
	pthread_setname_np(w->thread, name); /* a name only: errors ignored */
	return 0;
}

void xg_worker_pin(struct xg_worker *w)
{
	int err;

	if (w->cpu < 0)
		return;
	err = xg_pin_thread(w->cpu);
	if (err)
		pr_warn("warning: worker %d: cannot pin to CPU %d: %s\n", w->id,
			w->cpu, strerror(-err));
}

void xg_server_totals(struct xg_server *srv, struct xg_stats *sum)
{
	int i;

	xg_stats_init(sum);
	for (i = 0; i < srv->nworkers; i++)
		xg_stats_merge(sum, &srv->workers[i].stats);
}
