/* SPDX-License-Identifier: MIT */
/*
 * xdpgame wire protocol: the one definition shared by the XDP program and
 * user space (engines, handlers, load generator, tests).
 *
 * Every datagram is a 16-byte header followed by a body whose size is fixed
 * by the message type. All multi-byte fields are little-endian on the wire;
 * coordinates are IEEE-754 binary32 carried as their bit patterns so that the
 * BPF side (which has no floating point) can validate them with integer ops.
 *
 * Validation (xg_validate) is written once, here, against a pair of pointers
 * (start, end) so that the same code proves bounds to the BPF verifier
 * (end = data_end) and checks a user-space buffer (end = buf + len).
 *
 * docs/PROTOCOL.md documents this file for game-client authors.
 */
#ifndef XDPGAME_PROTO_H
#define XDPGAME_PROTO_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

enum xg_proto_const {
	XG_MAGIC = 0x4758,  /* bytes 'X' 'G' on the wire (little-endian) */
	XG_VERSION = 1,
	XG_MAX_PLAYERS = 65536, /* world capacity: player ids are 0..65535 */
};

/* World bounds, in world units, inclusive. Compared as float bit patterns. */
enum xg_world_bounds {
	XG_WORLD_XY_MAX = 10000, /* x and y span [-10000, 10000] */
	XG_WORLD_Z_MAX = 1000,   /* z spans [-1000, 1000] */
	XG_F32_BITS_10000 = 0x461c4000, /* 10000.0f */
	XG_F32_BITS_1000 = 0x447a0000,  /* 1000.0f */
	XG_F32_ABS_MASK = 0x7fffffff,
	XG_F32_EXP_MASK = 0x7f800000,   /* all ones: infinity or NaN */
};

/* Message types. An ack's type is the request's type with XG_MSG_ACK set. */
enum xg_msg_type {
	XG_MSG_MOVE = 1,
	XG_MSG_ATTACK = 2,
	XG_MSG_HEARTBEAT = 3,
	XG_MSG_NTYPES = 4,  /* one past the last request type */
	XG_MSG_ACK = 0x80,
};

/* Why a datagram is malformed. Zero means valid. Counters are indexed by it. */
enum xg_err {
	XG_OK = 0,
	XG_ERR_TOO_SHORT,   /* datagram shorter than the header */
	XG_ERR_BAD_MAGIC,
	XG_ERR_BAD_VERSION,
	XG_ERR_BAD_TYPE,    /* unknown type (acks are not requests) */
	XG_ERR_RESERVED,    /* a reserved header field is not zero */
	XG_ERR_SIZE_OVER,   /* size field larger than the datagram */
	XG_ERR_SIZE_UNDER,  /* size field smaller than the datagram */
	XG_ERR_BODY_SIZE,   /* body is not the size its type requires */
	XG_ERR_BAD_COORD,   /* a coordinate is NaN or infinite */
	XG_ERR_NREASONS,
};

/* Ack status: the outcome of a well-formed request. */
enum xg_status {
	XG_ST_OK = 0,
	XG_ST_OUT_OF_BOUNDS = 1, /* MOVE outside the world; position unchanged */
	XG_ST_UNKNOWN_PLAYER = 2, /* player id outside the world's capacity */
	XG_ST_UNKNOWN_TARGET = 3, /* ATTACK target never seen, or out of range */
	XG_ST_TARGET_DEAD = 4,    /* ATTACK target has no health left */
	XG_ST_NSTATUS,
};

/* Header: 16 bytes at offset 0 of every datagram. */
struct xg_hdr {
	__u16 magic;     /* XG_MAGIC */
	__u8 version;    /* XG_VERSION */
	__u8 type;       /* enum xg_msg_type */
	__u16 size;      /* whole datagram in bytes, header included */
	__u8 status;     /* acks: enum xg_status; requests: 0 */
	__u8 reserved;   /* 0 */
	__u32 seq;       /* client's sequence number, echoed in the ack */
	__u32 player;    /* sender's player id, 0..XG_MAX_PLAYERS-1 */
};

/* Every request body and every ack body starts with the client's send
 * timestamp (nanoseconds, client clock), which the ack echoes. */
struct xg_move {
	__u64 client_ts;
	__u32 x, y, z;   /* binary32 bit patterns; new position */
	__u32 reserved;  /* 0 */
};

struct xg_attack {
	__u64 client_ts;
	__u32 target;    /* player id of the target */
	__u16 skill;     /* skill id, informational */
	__u16 damage;    /* health points taken from the target */
};

struct xg_heartbeat {
	__u64 client_ts;
};

struct xg_ack {
	__u64 client_ts; /* echoed from the request */
};

enum xg_sizes {
	XG_HDR_SIZE = sizeof(struct xg_hdr),
	XG_MOVE_SIZE = sizeof(struct xg_hdr) + sizeof(struct xg_move),
	XG_ATTACK_SIZE = sizeof(struct xg_hdr) + sizeof(struct xg_attack),
	XG_HEARTBEAT_SIZE = sizeof(struct xg_hdr) + sizeof(struct xg_heartbeat),
	XG_ACK_SIZE = sizeof(struct xg_hdr) + sizeof(struct xg_ack),
	XG_MAX_MSG_SIZE = XG_MOVE_SIZE,
};

/* Byte order: the wire is little-endian. No-ops on little-endian hosts. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define xg_le16(v) ((__u16)__builtin_bswap16(v))
#define xg_le32(v) ((__u32)__builtin_bswap32(v))
#define xg_le64(v) ((__u64)__builtin_bswap64(v))
#else
#define xg_le16(v) ((__u16)(v))
#define xg_le32(v) ((__u32)(v))
#define xg_le64(v) ((__u64)(v))
#endif

/* Body size a request type requires, or 0 for an unknown type. */
static __always_inline __u32 xg_body_size(__u8 type)
{
	switch (type) {
	case XG_MSG_MOVE:
		return sizeof(struct xg_move);
	case XG_MSG_ATTACK:
		return sizeof(struct xg_attack);
	case XG_MSG_HEARTBEAT:
		return sizeof(struct xg_heartbeat);
	default:
		return 0;
	}
}

/* A coordinate (binary32 bits, host order) is finite. */
static __always_inline int xg_coord_finite(__u32 bits)
{
	return (bits & XG_F32_EXP_MASK) != XG_F32_EXP_MASK;
}

/* |coordinate| <= limit, for finite values; limit as binary32 bits. Works on
 * bit patterns because IEEE-754 magnitudes order like unsigned integers. */
static __always_inline int xg_coord_within(__u32 bits, __u32 limit_bits)
{
	return (bits & XG_F32_ABS_MASK) <= limit_bits;
}

/*
 * Validate one datagram: 'p' is its first byte, 'end' one past the last byte
 * that may be read (BPF: data_end), 'len' the datagram length (UDP payload
 * length; len <= end - p is the caller's to ensure). Returns XG_OK or the
 * reason it is malformed. The checks run in the order the enum lists them.
 */
static __always_inline enum xg_err xg_validate(const void *p, const void *end,
					       __u32 len)
{
	const struct xg_hdr *h = (const struct xg_hdr *)p;
	const struct xg_move *mv;
	__u32 body, size;

	if ((const char *)p + sizeof(*h) > (const char *)end ||
	    len < sizeof(*h))
		return XG_ERR_TOO_SHORT;
	if (xg_le16(h->magic) != XG_MAGIC)
		return XG_ERR_BAD_MAGIC;
	if (h->version != XG_VERSION)
		return XG_ERR_BAD_VERSION;
	body = xg_body_size(h->type);
	if (!body)
		return XG_ERR_BAD_TYPE;
	if (h->status || h->reserved)
		return XG_ERR_RESERVED;
	size = xg_le16(h->size);
	if (size > len)
		return XG_ERR_SIZE_OVER;
	if (size < len)
		return XG_ERR_SIZE_UNDER;
	if (size != sizeof(*h) + body)
		return XG_ERR_BODY_SIZE;

	if (h->type == XG_MSG_MOVE) {
		mv = (const struct xg_move *)(h + 1);
		if ((const char *)(mv + 1) > (const char *)end)
			return XG_ERR_BODY_SIZE;
		if (!xg_coord_finite(xg_le32(mv->x)) ||
		    !xg_coord_finite(xg_le32(mv->y)) ||
		    !xg_coord_finite(xg_le32(mv->z)))
			return XG_ERR_BAD_COORD;
		if (mv->reserved)
			return XG_ERR_RESERVED;
	}
	return XG_OK;
}

/* HEARTBEAT's outcome needs nothing but the header, so the XDP program can
 * answer it in the kernel; the user-space handler gives the same answer
 * (its world holds XG_MAX_PLAYERS players). */
static __always_inline __u8 xg_heartbeat_status(const struct xg_hdr *h)
{
	return xg_le32(h->player) < XG_MAX_PLAYERS ? XG_ST_OK :
						     XG_ST_UNKNOWN_PLAYER;
}

/*
 * Turn a validated request, in place, into its ack: the header keeps seq and
 * player, the type gains XG_MSG_ACK, the status is set, and the body's first
 * 8 bytes (client_ts) stay where they are. Returns the ack's size, which is
 * never larger than the request's. Shared by the user-space handlers and the
 * XDP program's in-kernel replies, so both send the same bytes.
 */
static __always_inline __u32 xg_make_ack(struct xg_hdr *h, __u8 status)
{
	h->type = h->type | XG_MSG_ACK;
	h->size = xg_le16(XG_ACK_SIZE);
	h->status = status;
	h->reserved = 0;
	return XG_ACK_SIZE;
}

#endif /* XDPGAME_PROTO_H */
