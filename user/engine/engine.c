/* SPDX-License-Identifier: MIT */
/* Dispatch to an engine's operations; see engine.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"

int xg_engine_open(const struct xg_engine_ops *ops, struct xg_server *srv,
		   const struct xg_engine_opts *o, struct xg_engine **out)
{
	struct xg_engine *e = calloc(1, sizeof(*e));
	int first = srv->nworkers, err, i;

	*out = NULL;
	if (!e)
		return -ENOMEM;
	e->ops = ops;
	err = ops->open(srv, o, &e->state);
	if (err) {
		xg_server_drop_workers(srv, first);
		free(e);
		return err;
	}
	for (i = first; i < srv->nworkers; i++)
		srv->workers[i].ops = ops;
	*out = e;
	return 0;
}

int xg_engine_start(struct xg_engine *e)
{
	return e ? e->ops->start(e->state) : 0;
}

void xg_engine_stop(struct xg_engine *e)
{
	if (e)
		e->ops->stop(e->state);
}

const char *xg_engine_describe(const struct xg_engine *e)
{
	return e ? e->ops->describe(e->state) : "";
}

void xg_engine_report(const struct xg_engine *e, FILE *f, xg_json *json)
{
	if (e && e->ops->report)
		e->ops->report(e->state, f, json);
}

void xg_engine_destroy(struct xg_engine *e)
{
	if (!e)
		return;
	e->ops->destroy(e->state);
	free(e);
}

void xg_worker_rings(const struct xg_worker *w, struct xdp_statistics *s)
{
	memset(s, 0, sizeof(*s));
	if (w->ops && w->ops->worker_rings)
		w->ops->worker_rings(w, s);
}

void xg_worker_publish(const struct xg_worker *w, struct xg_worker_pub *p)
{
	struct xdp_statistics xs;
	struct xg_stats st;
	int t;

	xg_stats_init(&st);
	xg_stats_merge(&st, &w->stats);
	xg_worker_rings(w, &xs);
	*p = (struct xg_worker_pub){
		.valid = 1,
		.path = w->path == XG_PATH_XSK ? XG_WPATH_XSK :
			w->path == XG_PATH_TCP ? XG_WPATH_TCP : XG_WPATH_SOCKET,
		.queue = w->queue,
		.cpu = w->cpu,
		.rx_packets = st.rx_packets,
		.rx_bytes = st.rx_bytes,
		.tx_packets = st.tx_packets,
		.tx_bytes = st.tx_bytes,
		.malformed = xg_stats_malformed_total(&st),
		.drops = st.drops,
		.errors = st.errors,
		.rx_dropped = xs.rx_dropped,
		.rx_invalid_descs = xs.rx_invalid_descs,
		.tx_invalid_descs = xs.tx_invalid_descs,
		.rx_ring_full = xs.rx_ring_full,
		.rx_fill_ring_empty_descs = xs.rx_fill_ring_empty_descs,
		.tx_ring_empty_descs = xs.tx_ring_empty_descs,
	};
	for (t = 0; t < XG_MSG_NTYPES; t++)
		p->handled[t] = st.handled[t];
	for (t = 0; t < XG_ST_NSTATUS; t++)
		p->status[t] = st.status[t];
	for (t = 0; t < XG_DENY_NREASONS; t++)
		p->denied[t] = st.denied[t];
}
