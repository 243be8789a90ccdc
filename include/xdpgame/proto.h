/* SPDX-License-Identifier: MIT */
/*
 * xdpgame wire protocol: the one definition shared by the XDP program and
 * user space (engines, handlers, load generator, tests).
 *
 * Every datagram is a 24-byte header followed by a body whose size is fixed
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
	XG_VERSION = 2,     /* 2: sessions (handshake, token); 1 is refused */
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

/*
 * Message types. A reply's type is the request's type with XG_MSG_ACK set.
 * Game requests (MOVE..LEAVE) need a live session: the header's token and
 * the datagram's source address and port must be the session's. Handshake
 * requests (JOIN, ANSWER) carry token 0 and create no state until ANSWER
 * echoes a valid cookie (docs/PROTOCOL.md, docs/SECURITY.md).
 */
enum xg_msg_type {
	XG_MSG_MOVE = 1,
	XG_MSG_ATTACK = 2,
	XG_MSG_HEARTBEAT = 3,
	XG_MSG_LEAVE = 4,     /* end the session */
	XG_MSG_JOIN = 5,      /* handshake 1: ask for a challenge */
	XG_MSG_ANSWER = 6,    /* handshake 2: echo the cookie, get a session */
	XG_MSG_NTYPES = 7,    /* one past the last request type */
	XG_MSG_FIRST_HANDSHAKE = XG_MSG_JOIN,
	XG_MSG_ACK = 0x80,
	XG_MSG_CHALLENGE = XG_MSG_JOIN | XG_MSG_ACK, /* JOIN's reply */
	XG_MSG_WELCOME = XG_MSG_ANSWER | XG_MSG_ACK, /* ANSWER's reply */
};

/* Why a datagram is malformed. Zero means valid. Counters are indexed by it. */
enum xg_err {
	XG_OK = 0,
	XG_ERR_TOO_SHORT,   /* datagram shorter than the header */
	XG_ERR_BAD_MAGIC,
	XG_ERR_BAD_VERSION,
	XG_ERR_BAD_TYPE,    /* unknown type (replies are not requests) */
	XG_ERR_RESERVED,    /* a reserved field is not zero (handshake: token) */
	XG_ERR_SIZE_OVER,   /* size field larger than the datagram */
	XG_ERR_SIZE_UNDER,  /* size field smaller than the datagram */
	XG_ERR_BODY_SIZE,   /* body is not the size its type requires */
	XG_ERR_BAD_COORD,   /* a coordinate is NaN or infinite */
	XG_ERR_NREASONS,
};

/*
 * Why a well-formed datagram is refused without a reply (counted per reason,
 * in the XDP program and in user space alike). The session checks run in
 * this order; the first that fails names the reason.
 */
enum xg_deny {
	XG_DENY_NONE = 0,
	XG_DENY_NO_SESSION,     /* game request: its player has no session */
	XG_DENY_BAD_TOKEN,      /* the token is not the session's */
	XG_DENY_WRONG_SOURCE,   /* the source address or port is not the
				 * session's */
	XG_DENY_EXPIRED,        /* the session has been silent too long */
	XG_DENY_SESSION_RATE,   /* over the session's request budget */
	XG_DENY_HANDSHAKE_RATE, /* JOIN/ANSWER over its source's budget */
	XG_DENY_REPLAY,         /* a sequence number already seen, or too old
				 * (user space only) */
	XG_DENY_BAD_COOKIE,     /* ANSWER with a cookie that is not ours, not
				 * for this source and player, or too old
				 * (user space only) */
	XG_DENY_NREASONS,
};

/*
 * Reply status: the outcome of a well-formed request. When several apply,
 * the lowest-numbered check in docs/PROTOCOL.md wins.
 */
enum xg_status {
	XG_ST_OK = 0,
	XG_ST_OUT_OF_BOUNDS = 1,  /* MOVE outside the world; position unchanged */
	XG_ST_UNKNOWN_PLAYER = 2, /* player id outside the world's capacity */
	XG_ST_UNKNOWN_TARGET = 3, /* ATTACK target has no session */
	XG_ST_TARGET_DEAD = 4,    /* ATTACK target has no health left */
	XG_ST_DEAD = 5,           /* the actor is dead, waiting to respawn */
	XG_ST_UNKNOWN_SKILL = 6,  /* ATTACK names a skill the server lacks */
	XG_ST_PLAYER_TAKEN = 7,   /* ANSWER: the player is held by another
				   * address and port */
	XG_ST_DENIED = 8,         /* ANSWER: the connect token is missing,
				   * expired, forged or for another player or
				   * server (only with a backend key) */
	XG_ST_NSTATUS,
};

/* Header: 24 bytes at offset 0 of every datagram. */
struct xg_hdr {
	__u16 magic;     /* XG_MAGIC */
	__u8 version;    /* XG_VERSION */
	__u8 type;       /* enum xg_msg_type */
	__u16 size;      /* whole datagram in bytes, header included */
	__u8 status;     /* replies: enum xg_status; requests: 0 */
	__u8 reserved;   /* 0 */
	__u32 seq;       /* client's sequence number, echoed in the reply */
	__u32 player;    /* sender's player id, 0..XG_MAX_PLAYERS-1 */
	__u64 token;     /* session token (game requests); 0 in handshakes */
};

/* Every request body and every reply body starts with the client's send
 * timestamp (any unit, client clock), which the reply echoes. */
struct xg_move {
	__u64 client_ts;
	__u32 x, y, z;   /* binary32 bit patterns; new position */
	__u32 reserved;  /* 0 */
};

struct xg_attack {
	__u64 client_ts;
	__u32 target;    /* player id of the target */
	__u16 skill;     /* skill id: the server's table sets the damage */
	__u16 reserved;  /* 0 */
};

struct xg_heartbeat {
	__u64 client_ts;
};

struct xg_leave {
	__u64 client_ts;
};

/* JOIN: padded so that it is never smaller than its reply (a forged
 * source gets back no more bytes than it sent). */
struct xg_join {
	__u64 client_ts;
	__u8 pad[24];    /* 0 */
};

/* The stateless cookie a CHALLENGE carries and ANSWER echoes: a keyed hash
 * over the source address and port, the player and the time slot. */
struct xg_cookie {
	__u32 slot;      /* coarse time slot the cookie was made in */
	__u32 reserved;  /* 0 */
	__u64 mac;       /* SipHash-2-4 under the server's current key */
};

/*
 * What the game's backend (matchmaker) gives an admitted player, signed
 * with the key it shares with the server (attach --backend-key). Without a
 * key the server ignores it. Server address: IPv6, or IPv4 mapped
 * (::ffff:a.b.c.d); address and port in network order.
 */
struct xg_connect_token {
	__u64 expires;        /* Unix time, seconds */
	__u32 player;         /* the only player id it admits */
	__u16 server_port;    /* network order */
	__u16 reserved;       /* 0 */
	__u8 server_addr[16];
	__u64 nonce;          /* the backend's, any value */
	__u64 mac;            /* SipHash-2-4 of the 40 bytes above */
};

struct xg_answer {
	__u64 client_ts;
	struct xg_cookie cookie;
	struct xg_connect_token connect;
};

/* Reply bodies. */
struct xg_ack {
	__u64 client_ts; /* echoed from the request */
};

struct xg_challenge {
	__u64 client_ts;
	struct xg_cookie cookie;
};

struct xg_welcome {
	__u64 client_ts;
	__u64 token;       /* the session token; 0 unless status is OK */
	__u32 timeout_ms;  /* the session ends after this much silence */
	__u32 reserved;
};

enum xg_sizes {
	XG_HDR_SIZE = sizeof(struct xg_hdr),
	XG_MOVE_SIZE = sizeof(struct xg_hdr) + sizeof(struct xg_move),
	XG_ATTACK_SIZE = sizeof(struct xg_hdr) + sizeof(struct xg_attack),
	XG_HEARTBEAT_SIZE = sizeof(struct xg_hdr) + sizeof(struct xg_heartbeat),
	XG_LEAVE_SIZE = sizeof(struct xg_hdr) + sizeof(struct xg_leave),
	XG_JOIN_SIZE = sizeof(struct xg_hdr) + sizeof(struct xg_join),
	XG_ANSWER_SIZE = sizeof(struct xg_hdr) + sizeof(struct xg_answer),
	XG_ACK_SIZE = sizeof(struct xg_hdr) + sizeof(struct xg_ack),
	XG_CHALLENGE_SIZE = sizeof(struct xg_hdr) + sizeof(struct xg_challenge),
	XG_WELCOME_SIZE = sizeof(struct xg_hdr) + sizeof(struct xg_welcome),
	XG_MAX_MSG_SIZE = XG_ANSWER_SIZE,    /* the largest request */
	XG_MAX_REPLY_SIZE = XG_WELCOME_SIZE, /* the largest reply */
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

/* A handshake request: JOIN or ANSWER (no session needed, token 0). */
static __always_inline int xg_is_handshake(__u8 type)
{
	return type == XG_MSG_JOIN || type == XG_MSG_ANSWER;
}

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
	case XG_MSG_LEAVE:
		return sizeof(struct xg_leave);
	case XG_MSG_JOIN:
		return sizeof(struct xg_join);
	case XG_MSG_ANSWER:
		return sizeof(struct xg_answer);
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
	if (h->status || h->reserved ||
	    (xg_is_handshake(h->type) && h->token))
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
	} else if (h->type == XG_MSG_ATTACK) {
		const struct xg_attack *at = (const struct xg_attack *)(h + 1);

		if ((const char *)(at + 1) > (const char *)end)
			return XG_ERR_BODY_SIZE;
		if (at->reserved)
			return XG_ERR_RESERVED;
	}
	return XG_OK;
}

/*
 * Turn a validated request, in place, into its reply header: seq, player
 * and token stay, the type gains XG_MSG_ACK, the status is set, and 'size'
 * becomes the reply's (XG_ACK_SIZE for game requests; the handshake
 * replies' bodies are written by their handler). The body's first 8 bytes
 * (client_ts) stay where they are. Shared by the user-space handlers and
 * the XDP program's in-kernel replies, so both send the same bytes.
 */
static __always_inline void xg_make_reply(struct xg_hdr *h, __u8 status,
					  __u16 size)
{
	h->type = h->type | XG_MSG_ACK;
	h->size = xg_le16(size);
	h->status = status;
	h->reserved = 0;
}

#endif /* XDPGAME_PROTO_H */
