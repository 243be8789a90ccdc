/* SPDX-License-Identifier: MIT */
/* Stream framing by the header's size field; see stream.h. */
#include <errno.h>
#include <string.h>

#include "game/stream.h"

_Static_assert(XG_FRAME_SIZE_END <= XG_HDR_SIZE,
	       "the size field lies inside the header");
_Static_assert(XG_MAX_MSG_SIZE <= UINT16_MAX, "a partial frame fits 'have'");
_Static_assert(XG_MAX_REPLY_SIZE <= XG_MAX_MSG_SIZE,
	       "a client's struct xg_stream_in holds any reply");

int xg_frame_len(const void *p, size_t avail)
{
	const unsigned char *b = p;
	uint32_t size;

	if (avail < XG_FRAME_SIZE_END)
		return 0;
	size = (uint32_t)b[__builtin_offsetof(struct xg_hdr, size)] |
	       (uint32_t)b[__builtin_offsetof(struct xg_hdr, size) + 1] << 8;
	if (size < XG_HDR_SIZE || size > XG_MAX_MSG_SIZE)
		return -EMSGSIZE;
	return (int)size;
}

/* Complete the partial frame in s from data; *used says how much was
 * taken. 1 if a frame is whole in s->buf, 0 if more bytes are needed. */
static int stream_complete(struct xg_stream_in *s, const unsigned char *data,
			   size_t len, size_t *used, int *flen)
{
	size_t take;

	*used = 0;
	for (;;) {
		size_t want = XG_FRAME_SIZE_END;

		*flen = xg_frame_len(s->buf, s->have);
		if (*flen < 0)
			return *flen;
		if (*flen)
			want = (size_t)*flen;
		take = want - s->have;
		if (take > len - *used)
			take = len - *used;
		memcpy(s->buf + s->have, data + *used, take);
		s->have = (uint16_t)(s->have + take);
		*used += take;
		if (s->have < want)
			return 0;
		if (*flen)
			return 1;
	}
}

int xg_stream_feed(struct xg_stream_in *s, const void *data, size_t len,
		   xg_frame_fn fn, void *arg)
{
	const unsigned char *p = data;
	size_t used;
	int n, r;

	if (s->have) {
		r = stream_complete(s, p, len, &used, &n);
		if (r <= 0)
			return r;
		s->have = 0;
		r = fn(arg, s->buf, (uint32_t)n);
		if (r < 0)
			return r;
		p += used;
		len -= used;
	}
	while (len) {
		n = xg_frame_len(p, len);
		if (n < 0)
			return n;
		if (!n || (size_t)n > len)
			break;
		r = fn(arg, p, (uint32_t)n);
		if (r < 0)
			return r;
		p += n;
		len -= (size_t)n;
	}
	memcpy(s->buf, p, len); /* len < one frame <= XG_MAX_MSG_SIZE */
	s->have = (uint16_t)len;
	return 0;
}
