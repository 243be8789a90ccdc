/* SPDX-License-Identifier: MIT */
/* UMEM frame accounting; see frames.h. */
#include <errno.h>
#include <stdlib.h>

#include "engine/frames.h"
#include "core/stats.h"

int xg_frames_init(struct xg_frames *f, uint32_t total, uint32_t frame_size)
{
	uint32_t i;

	*f = (struct xg_frames){ .frame_size = frame_size, .total = total };
	if (!total || !frame_size || (frame_size & (frame_size - 1)))
		return -EINVAL;
	f->stack = calloc(total, sizeof(*f->stack));
	f->is_free = calloc(total, 1);
	if (!f->stack || !f->is_free) {
		xg_frames_free(f);
		return -ENOMEM;
	}
	for (i = 0; i < total; i++) {
		f->stack[i] = (uint64_t)(total - 1 - i) * frame_size;
		f->is_free[i] = 1;
	}
	f->nfree = total;
	return 0;
}

void xg_frames_free(struct xg_frames *f)
{
	free(f->stack);
	free(f->is_free);
	f->stack = NULL;
	f->is_free = NULL;
}

uint64_t xg_frames_get(struct xg_frames *f)
{
	uint64_t addr;

	if (!f->nfree)
		return UINT64_MAX;
	addr = f->stack[f->nfree - 1];
	xg_stat_add(&f->nfree, (uint64_t)-1);
	f->is_free[addr / f->frame_size] = 0;
	return addr;
}

bool xg_frames_put(struct xg_frames *f, uint64_t addr)
{
	uint64_t idx = addr / f->frame_size;

	if (idx >= f->total || f->is_free[idx]) {
		xg_stat_add(&f->bad_puts, 1);
		return false;
	}
	f->is_free[idx] = 1;
	f->stack[f->nfree] = idx * f->frame_size;
	xg_stat_add(&f->nfree, 1);
	return true;
}

bool xg_frames_check(const struct xg_frames *f)
{
	return !xg_stat_read(&f->bad_puts) &&
	       xg_stat_read(&f->nfree) + xg_stat_read(&f->in_fill) +
			       xg_stat_read(&f->in_tx) ==
		       f->total;
}
