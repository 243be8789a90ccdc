/* SPDX-License-Identifier: MIT */
/*
 * The contract between the XDP program (bpf/xdpgame.bpf.c) and user space
 * (user/xdp/, the commands, the tests): counter ids, map value
 * layouts, map sizes, the knobs the loader sets. Both sides include this one
 * file; nothing here is repeated by hand on either side.
 *
 * Maps (declared in bpf/maps.h; the BPF variable name is the map name, which
 * is also the pin name under /sys/fs/bpf/xdpgame/IFACE/):
 *
 *   ports   ARRAY         key __u32 UDP port, host order; value __u8: 1 a
 *                         game port, 0 not (XG_XDP_PORT_SLOTS entries, one
 *                         per port; at most XG_XDP_MAX_PORTS of them 1)
 *   xsks    XSKMAP        key __u32 RX queue; value AF_XDP socket fd
 *                         (XG_XDP_MAX_QUEUES entries)
 *   config  ARRAY[1]      struct xg_xdp_config, live-changeable
 *   addrs   HASH          key struct xg_addr (one of the interface's own
 *                         addresses); value __u8 = 1 (XG_XDP_MAX_ADDRS)
 *   sessions ARRAY        struct xg_session_entry, indexed by player id
 *                         (XG_MAX_PLAYERS entries); written by user space
 *                         when a session opens or ends, last_seen and the
 *                         budget updated here
 *   hs_total ARRAY[1]     struct xg_bucket: the handshake budget of all
 *                         sources together, so that a flood from many
 *                         forged sources cannot crowd out the sessions
 *   hs_limits LRU_HASH    key struct xg_addr (a source); value struct
 *                         xg_bucket: the handshake budget of that source
 *                         (XG_XDP_HS_SOURCES entries; a flood of forged
 *                         sources evicts only other sources' buckets,
 *                         never a session)
 *   stats   PERCPU_ARRAY  struct xg_xdp_count, indexed by enum xg_xdp_counter
 *   info    ARRAY[1]      struct xg_xdp_info, written by the loader only, so
 *                         that `xdpgame status` can tell who holds the program
 *
 * The program itself is pinned as "prog" next to them, so that
 * `xdpgame detach` can tell xdpgame's program from somebody else's.
 *
 * Only fixed-width types, explicit padding, and constants as enums (enums
 * land in BTF, so `bpftool map dump` shows names).
 */
#ifndef XDPGAME_XDP_H
#define XDPGAME_XDP_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#include <xdpgame/bucket.h>
#include <xdpgame/proto.h>

enum xg_xdp_limits {
	XG_XDP_MAX_PORTS = 64,       /* game ports served at most */
	XG_XDP_PORT_SLOTS = 65536,   /* entries in `ports`: one per UDP port */
	XG_XDP_MAX_QUEUES = 64,      /* entries in `xsks`: RX queues 0..63 */
	XG_XDP_INFO_PORTS = 16,      /* ports listed in struct xg_xdp_info */
	XG_XDP_VLAN_MAX = 2,         /* VLAN tags parsed (802.1Q, 802.1ad) */
	XG_XDP_IPV6_EXT_LIMIT = 8,   /* upper bound of xg_ipv6_ext_max */
	XG_XDP_IPV6_EXT_DEFAULT = 4, /* default of xg_ipv6_ext_max */
	XG_XDP_MAX_ADDRS = 64,       /* entries in `addrs` */
	XG_XDP_HS_SOURCES = 65536,   /* entries in `hs_limits` */
};

/* The coarse clock's step at most, ns: 1/CONFIG_HZ, HZ 100 at least. */
#define XG_XDP_COARSE_TICK_NS 10000000ull

/*
 * Counters: one per-CPU slot each in `stats`. Every packet the program sees
 * is counted exactly once, in exactly one of them, packets and bytes (bytes:
 * the whole frame, from the Ethernet header to data_end).
 */
enum xg_xdp_counter {
	/* XDP_PASS: not IPv4/IPv6 UDP to a port in `ports`, or a frame too
	 * short to tell (truncated before the end of the UDP header). */
	XG_CNT_PASS_NOT_GAME = 0,
	/* XDP_PASS: an IPv4 or IPv6 fragment, any protocol (a fragment's
	 * ports cannot be checked; the kernel reassembles it). */
	XG_CNT_PASS_FRAGMENT,
	/* XDP_PASS: more than XG_XDP_VLAN_MAX VLAN tags. */
	XG_CNT_PASS_VLAN,
	/* XDP_PASS: IPv6 extension headers beyond xg_ipv6_ext_max, one the
	 * program does not parse (AH, mobility, ...), or one cut short. */
	XG_CNT_PASS_IPV6_EXT,
	/* XDP_REDIRECT: a valid game packet sent to the XSK of its queue. */
	XG_CNT_REDIRECT,
	/* XDP_PASS: a valid game packet with no XSK at its queue, or with
	 * redirect off: the kernel UDP socket gets it. */
	XG_CNT_FALLTHROUGH,
	/* XDP_TX: a reply built in the kernel. */
	XG_CNT_XDP_TX,
	/* XDP_PASS: UDP to a game port, but not addressed to this host: the
	 * destination MAC is not the interface's, or the destination IP is
	 * not one of its addresses, or it is broadcast or multicast. Never
	 * answered; the kernel decides (forwarding, other sockets). */
	XG_CNT_PASS_NOT_LOCAL,
	/* XDP_PASS: game UDP to this host with IPv4 options or IPv6
	 * extension headers: a reply built from the frame would echo them
	 * (source routes included), so the kernel socket answers instead. */
	XG_CNT_PASS_IP_OPTIONS,
	/* XDP_PASS, with config.route_check: the kernel's route for the
	 * reply does not leave by this interface (another interface, no
	 * route, or forwarding off on loopback, where the FIB helper refuses
	 * to look up): the kernel socket answers. */
	XG_CNT_PASS_ROUTE,
	/* XDP_PASS, with config.route_check: the reply's next hop has no
	 * resolved neighbour entry yet; the kernel socket answers, and its
	 * reply resolves it. */
	XG_CNT_PASS_NO_NEIGH,
	/* XDP_DROP: a well-formed request refused, one counter per reason,
	 * in enum xg_deny order: XG_CNT_DENY_BASE + reason. */
	XG_CNT_DENY_NO_SESSION,
	XG_CNT_DENY_BAD_TOKEN,
	XG_CNT_DENY_WRONG_SOURCE,
	XG_CNT_DENY_EXPIRED,
	XG_CNT_DENY_SESSION_RATE,
	XG_CNT_DENY_HANDSHAKE_RATE,
	XG_CNT_DENY_REPLAY,     /* never in the kernel: user space keeps it */
	XG_CNT_DENY_BAD_COOKIE, /* never in the kernel: user space keeps it */
	/* XDP_DROP: the UDP length field is below 8 or claims more bytes than
	 * the IP packet holds (the kernel's "short packet"). */
	XG_CNT_DROP_UDP_LEN,
	/* XDP_DROP, as the kernel's receive path would: the IP header is not
	 * one the kernel accepts (version not the EtherType's, bad IPv4
	 * header checksum, TTL 0). */
	XG_CNT_DROP_IP_HEADER,
	/* XDP_DROP: the IPv4 total length or IPv6 payload length claims more
	 * than the frame holds, or less than the IP and UDP headers. */
	XG_CNT_DROP_IP_LEN,
	/* XDP_DROP: a source address no host sends from: IPv4 0/8, 127/8,
	 * 224/4, 240/4 (255.255.255.255 too); IPv6 ::, ::1, ff00::/8,
	 * ::ffff:0:0/96. */
	XG_CNT_DROP_BAD_SOURCE,
	/* XDP_DROP: the UDP checksum is wrong, or missing on IPv6. */
	XG_CNT_DROP_UDP_CHECKSUM,
	/* XDP_DROP: the game datagram is malformed, one counter per reason,
	 * in enum xg_err order: XG_CNT_DROP_BASE + err is the counter. */
	XG_CNT_DROP_TOO_SHORT,
	XG_CNT_DROP_BAD_MAGIC,
	XG_CNT_DROP_BAD_VERSION,
	XG_CNT_DROP_BAD_TYPE,
	XG_CNT_DROP_RESERVED,
	XG_CNT_DROP_SIZE_OVER,
	XG_CNT_DROP_SIZE_UNDER,
	XG_CNT_DROP_BODY_SIZE,
	XG_CNT_DROP_BAD_COORD,
	XG_CNT_MAX,

	/* Not a counter of its own: XG_CNT_DROP_BASE + err for err != XG_OK.
	 * (XG_CNT_DROP_BASE + XG_OK lands on XG_CNT_DROP_UDP_CHECKSUM.) */
	XG_CNT_DROP_BASE = XG_CNT_DROP_TOO_SHORT - XG_ERR_TOO_SHORT,
	/* Likewise XG_CNT_DENY_BASE + reason for reason != XG_DENY_NONE. */
	XG_CNT_DENY_BASE = XG_CNT_DENY_NO_SESSION - XG_DENY_NO_SESSION,
};

_Static_assert(XG_CNT_DENY_BASE + XG_DENY_BAD_COOKIE == XG_CNT_DENY_BAD_COOKIE &&
		       XG_CNT_DENY_BASE + XG_DENY_NREASONS == XG_CNT_DROP_UDP_LEN,
	       "deny counters follow enum xg_deny one to one");

/* The drop counters follow enum xg_err one to one, and close the list. */
_Static_assert(XG_CNT_DROP_BASE + XG_ERR_TOO_SHORT == XG_CNT_DROP_TOO_SHORT,
	       "drop counters start at XG_ERR_TOO_SHORT");
_Static_assert(XG_CNT_DROP_BASE + XG_ERR_BAD_MAGIC == XG_CNT_DROP_BAD_MAGIC,
	       "drop counter order follows enum xg_err");
_Static_assert(XG_CNT_DROP_BASE + XG_ERR_BAD_VERSION == XG_CNT_DROP_BAD_VERSION,
	       "drop counter order follows enum xg_err");
_Static_assert(XG_CNT_DROP_BASE + XG_ERR_BAD_TYPE == XG_CNT_DROP_BAD_TYPE,
	       "drop counter order follows enum xg_err");
_Static_assert(XG_CNT_DROP_BASE + XG_ERR_RESERVED == XG_CNT_DROP_RESERVED,
	       "drop counter order follows enum xg_err");
_Static_assert(XG_CNT_DROP_BASE + XG_ERR_SIZE_OVER == XG_CNT_DROP_SIZE_OVER,
	       "drop counter order follows enum xg_err");
_Static_assert(XG_CNT_DROP_BASE + XG_ERR_SIZE_UNDER == XG_CNT_DROP_SIZE_UNDER,
	       "drop counter order follows enum xg_err");
_Static_assert(XG_CNT_DROP_BASE + XG_ERR_BODY_SIZE == XG_CNT_DROP_BODY_SIZE,
	       "drop counter order follows enum xg_err");
_Static_assert(XG_CNT_DROP_BASE + XG_ERR_BAD_COORD == XG_CNT_DROP_BAD_COORD,
	       "drop counter order follows enum xg_err");
_Static_assert(XG_CNT_DROP_BASE + XG_ERR_NREASONS == XG_CNT_MAX,
	       "one drop counter per enum xg_err reason, closing the list");

/* Value of one `stats` slot, per CPU. Readers sum over the possible CPUs. */
struct xg_xdp_count {
	__u64 packets;
	__u64 bytes;
};

/* `config`, key 0: runtime knobs, changeable while attached. Rates are
 * requests per second (0: no limit), bursts in requests. */
struct xg_xdp_config {
	__u32 kernel_replies; /* 1: answer HEARTBEAT in the kernel (XDP_TX) */
	__u32 redirect;       /* 1: valid game packets go to the queue's XSK */
	__u32 hs_rate;        /* JOIN/ANSWER per source address */
	__u32 hs_burst;
	__u32 hs_total_rate;  /* JOIN/ANSWER from all sources together */
	__u32 hs_total_burst;
	__u32 session_rate;   /* game requests per session */
	__u32 session_burst;
	__u32 session_timeout_ms; /* silence that ends a session */
	__u32 route_check;    /* 1: replies follow the kernel's route (FIB
			       * lookup); 0: they go back to the sender's MAC */
	__u8 mac[6];          /* the interface's own MAC address */
	__u16 pad;
};

/* An IP address: IPv6, or IPv4 mapped (::ffff:a.b.c.d), network order. */
struct xg_addr {
	__u8 a[16];
};

/* `sessions`, key = player id. token 0: no session. */
struct xg_session_entry {
	__u64 token;
	struct xg_addr addr; /* the client's address */
	__u16 port;          /* the client's UDP port, network order */
	__u16 pad0;
	__u32 pad1;
	__u64 last_seen;     /* ns, CLOCK_MONOTONIC (in the program, the
			      * coarse clock where there is one: up to a
			      * tick behind): the last request let in;
			      * written by the program only while
			      * config.session_timeout_ms is set */
	struct xg_bucket budget;
	__u64 pad2;
};

/* How the program is attached (also struct xg_xdp_info.mode). AUTO and
 * SOCKETS are requests only: an attached program is NATIVE or GENERIC. */
enum xg_xdp_mode {
	XG_MODE_AUTO = 0,    /* native if the driver can, else generic */
	XG_MODE_NATIVE = 1,  /* driver XDP (XDP_FLAGS_DRV_MODE) */
	XG_MODE_GENERIC = 2, /* skb XDP (XDP_FLAGS_SKB_MODE) */
	XG_MODE_SOCKETS = 3, /* no XDP at all: kernel UDP sockets only */
};

/* struct xg_xdp_info.flags */
enum xg_xdp_info_flags {
	XG_INFO_REDIRECT = 1 << 0,       /* config.redirect at attach time */
	XG_INFO_KERNEL_REPLIES = 1 << 1, /* config.kernel_replies at attach */
	XG_INFO_ROUTE_CHECK = 1 << 2,    /* config.route_check at attach */
};

/* `info`, key 0: who holds the program. Written by the loader at attach.
 * Whether the holder still runs is not recorded here: the loader keeps a
 * lock on the pin directory for as long as it lives (see user/xdp/loader.h). */
struct xg_xdp_info {
	__u32 pid;        /* holder's pid, in its pid namespace */
	__u32 mode;       /* enum xg_xdp_mode: NATIVE or GENERIC */
	__u32 nqueues;    /* RX queues the holder serves */
	__u32 flags;      /* enum xg_xdp_info_flags */
	__u16 ports[XG_XDP_INFO_PORTS]; /* game ports, host order; 0 = unused */
	__u32 nports;     /* ports served; the first XG_XDP_INFO_PORTS listed */
	__u32 ifindex;
	__u32 prog_id;    /* the attached program's id (a reload changes it) */
	__u32 ipv6_ext_max; /* the program's xg_ipv6_ext_max, for a reload */
	__u64 attach_time; /* CLOCK_REALTIME of the attach, nanoseconds */
};

/* `workers`, key = worker index: what each worker of the holder has done,
 * published by the holder once a second for `xdpgame stats`. The XDP
 * program never touches it; it is here so that it is pinned with the rest
 * and dumps with named fields. */
enum { XG_XDP_MAX_WORKERS = 320 }; /* kernel-socket workers + AF_XDP queues */

enum xg_worker_path {
	XG_WPATH_SOCKET = 0, /* kernel UDP socket */
	XG_WPATH_XSK = 1,    /* AF_XDP socket */
	XG_WPATH_TCP = 2,    /* TCP connections */
};

struct xg_worker_pub {
	__u32 valid;      /* 1: a worker of the holder */
	__u32 path;       /* enum xg_worker_path */
	__s32 queue;      /* RX queue of an AF_XDP worker, else -1 */
	__s32 cpu;        /* pinned to, or -1 */
	__u64 rx_packets, rx_bytes, tx_packets, tx_bytes;
	__u64 handled[XG_MSG_NTYPES]; /* per request type; [0] unused */
	__u64 malformed, drops, errors;
	/* an AF_XDP socket's XDP_STATISTICS (0 for kernel sockets) */
	__u64 rx_dropped, rx_invalid_descs, tx_invalid_descs, rx_ring_full,
		rx_fill_ring_empty_descs, tx_ring_empty_descs;
	__u64 status[XG_ST_NSTATUS]; /* acks sent, per enum xg_status */
	__u64 denied[XG_DENY_NREASONS]; /* refused, per enum xg_deny; [0] unused */
};

_Static_assert(sizeof(struct xg_xdp_count) == 16, "xg_xdp_count layout");
_Static_assert(sizeof(struct xg_xdp_config) == 48, "xg_xdp_config layout");
_Static_assert(sizeof(struct xg_session_entry) == 64, "session entry layout");
_Static_assert(sizeof(struct xg_xdp_info) == 72, "xg_xdp_info layout");

#endif /* XDPGAME_XDP_H */
