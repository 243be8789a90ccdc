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
