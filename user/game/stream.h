/* SPDX-License-Identifier: MIT */
/*
 * Stream framing: game messages over a byte stream (TCP). Each message is
 * one protocol message, exactly as it would travel in a UDP datagram; its
 * length is the header's `size` field (include/xdpgame/proto.h), so frames
 * need no extra length prefix. Framing knows nothing of message types: it
 * reads the size field, bounds it by [XG_HDR_SIZE, XG_MAX_MSG_SIZE], and
 * hands whole frames to a callback, which validates them (xg_handle() does).
 *
 * A frame that spans reads is kept in struct xg_stream_in, a buffer of one
 * frame at most (XG_MAX_MSG_SIZE bytes) inside the caller's own struct: no
 * allocation, whatever the peer sends. A size field outside the bounds can
 * never be resynchronised on a stream: the caller closes the connection.
 *
 * Used by the TCP engine (engine/tcp.c) for requests and by the TCP load
 * generator (load/tcp_run.c) for acks.
 */
#ifndef XDPGAME_GAME_STREAM_H
#define XDPGAME_GAME_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include <xdpgame/proto.h>

/* Bytes of a frame needed to read its size field. */
#define XG_FRAME_SIZE_END \
	(__builtin_offsetof(struct xg_hdr, size) + sizeof(__u16))

/* The partial frame carried from one read to the next. */
struct xg_stream_in {
	uint16_t have;                    /* bytes in buf */
	unsigned char buf[XG_MAX_MSG_SIZE];
};

/* Length of the frame that starts at p, given avail bytes there: > 0, the
 * frame's length (it may be longer than avail); 0 if fewer than
 * XG_FRAME_SIZE_END bytes are there; -EMSGSIZE if its size field is below
 * the header's size or above XG_MAX_MSG_SIZE. */
int xg_frame_len(const void *p, size_t avail);

/* Called once per whole frame, in stream order; frame has any alignment.
 * A negative return stops the feed and is passed back. */
typedef int (*xg_frame_fn)(void *arg, const void *frame, uint32_t len);

/* Feed len bytes read from the stream: every frame they complete goes to
 * fn, the tail of an incomplete one stays in s. 0, fn's negative return,
 * or -EMSGSIZE on an impossible size field (s is then undefined). */
int xg_stream_feed(struct xg_stream_in *s, const void *data, size_t len,
		   xg_frame_fn fn, void *arg);

#endif
