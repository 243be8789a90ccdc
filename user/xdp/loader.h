/* SPDX-License-Identifier: MIT */
/*
 * The XDP loader: load the program (build/xdpgame.skel.h), fill its maps,
 * pin them, attach to an interface; and, for the commands that run without
 * the holder, find a running instance through its pins (stats, status,
 * detach after a kill -9).
 *
 * Pins, one directory per interface, named by its network namespace (the
 * inode of /proc/self/ns/net) and its ifindex, so that one name in two
 * namespaces sharing a bpffs cannot collide and renaming the interface does
 * not orphan its pins:
 *   /sys/fs/bpf/xdpgame/NETNS-IFINDEX/{stats,ports,config,xsks,info,
 *                                      workers,prog,ifname}
 * every map of the program under its own name (see include/xdpgame/xdp.h),
 * the program as "prog", and "ifname", a symlink whose target is the
 * interface's name at attach (for people, and to find the pins of an
 * interface that is gone). The commands take an interface NAME and resolve
 * it in their own network namespace. The directory is created before the
 * program is attached, and the holder keeps it open with flock(LOCK_EX) for
 * as long as it lives: one instance per interface, and a directory nobody
 * holds is known to be stale (even across pid namespaces, even after a pid
 * is reused), so the next attach, or xg_xdp_cleanup(), removes it. The
 * `info` map says who the holder is. Creating, listing and removing
 * directories happens under a flock on XG_PIN_ROOT, so concurrent attaches,
 * `status` and cleanups do not race.
 *
 * Attaching goes through a bpf_link (bpf_link_create, BPF_XDP, with the
 * mode's XDP flag; Linux 5.9) that only the holder process has open and
 * that is not pinned: however the holder dies (SIGKILL, a crash, the OOM
 * killer), the kernel closes the link and takes the program off the
 * interface. Only the pins stay, until `xdpgame detach` or the next attach
 * removes them. A program already on the interface (another tool's, or a
 * libxdp dispatcher) is never replaced and never removed: the attach is
 * refused, naming it. xdpgame does not run beside other XDP programs
 * through libxdp's dispatcher.
 *
 * All functions return 0 or a negative errno, and say what failed, on which
 * interface, and what to do, through pr_warn. Root (CAP_SYS_ADMIN, CAP_BPF,
 * CAP_NET_ADMIN, CAP_PERFMON) is needed.
 *
 * The code, in user/xdp: prog.c (load, fill the maps, pin; the mode
 * names), attach.c (attach, detach, replace, destroy), pins.c (bpffs, pin paths, locks, info), iface.c (the programs on
 * an interface; xg_xdp_cleanup), read.c (the readers behind `stats` and
 * `status`); internal.h is what they share.
 */
#ifndef XDPGAME_XDP_LOADER_H
#define XDPGAME_XDP_LOADER_H

#include <stdbool.h>
#include <stddef.h>

#include <xdpgame/xdp.h> /* enum xg_xdp_mode, counters, struct xg_xdp_info */

#define XG_BPFFS_DIR "/sys/fs/bpf"
#define XG_PIN_ROOT XG_BPFFS_DIR "/xdpgame"

/* Pin names of what the commands open without the skeleton. They are the
 * map names of bpf/maps.h; tests/bpf/test_xdp_prog.c checks they agree. */
#define XG_PIN_STATS "stats"
#define XG_PIN_INFO "info"
#define XG_PIN_PROG "prog"
#define XG_PIN_WORKERS "workers"
#define XG_PIN_CONFIG "config"
#define XG_PIN_PORTS "ports"
/* A symlink, not a pin: its target is the interface's name at attach. */
#define XG_PIN_IFNAME "ifname"

/* "auto", "native", "generic", "sockets"; "?" for anything else. */
const char *xg_mode_name(enum xg_xdp_mode m);
/* Also accepts "drv" and "skb". 0 or -EINVAL. */
int xg_mode_parse(const char *s, enum xg_xdp_mode *m);

/* An attached instance: skeleton, interface, mode, pins. */
struct xg_xdp;

struct xg_xdp_opts {
	const char *ifname;
	enum xg_xdp_mode mode; /* AUTO, NATIVE or GENERIC (SOCKETS: -EINVAL) */
	const __u16 *ports;    /* game UDP ports, host order, 1..65535 */
	int nports;            /* 1..XG_XDP_MAX_PORTS */
	int nqueues;           /* 0..XG_XDP_MAX_QUEUES; recorded in `info` */
	bool redirect;         /* config.redirect: steer to the XSKs */
	bool kernel_replies;   /* config.kernel_replies */
	bool route_check;      /* config.route_check */
	int ipv6_ext_max;      /* IPv6 extension headers walked, at most
				* XG_XDP_IPV6_EXT_LIMIT; 0: the default */
	/* config: handshake budget per source, game budget per session
	 * (requests/s, burst; rate 0: none), session timeout */
	__u32 hs_rate, hs_burst, hs_total_rate, hs_total_burst;
	__u32 session_rate, session_burst;
	__u32 session_timeout_ms;
};

/*
 * Mount bpffs if needed; refuse (-EEXIST) if a live instance holds the
 * interface, clean up after a dead one; load the program and fill ports,
 * config and info; pin; attach (AUTO: native, else generic, saying why).
 * An interface that already carries an XDP program that is not ours: -EBUSY,
 * and that program is left alone.
 */
int xg_xdp_attach(const struct xg_xdp_opts *o, struct xg_xdp **out);

int xg_xdp_xsks_fd(const struct xg_xdp *x);
/* The `sessions` map: user space writes a session's entry when it opens
 * and ends (struct xg_session_entry, key player id). */
int xg_xdp_sessions_fd(const struct xg_xdp *x);
/* Make the `addrs` map hold exactly the interface's addresses now (the
 * loader calls it at attach; the server again each second, so an address
 * added or removed later counts). How many, or a negative errno. */
int xg_xdp_sync_addrs(struct xg_xdp *x);

/*
 * Replies that follow the kernel's route (config.route_check) need the
 * FIB helper, which looks up only from a device with forwarding on: the
 * program asks from loopback (as the kernel's output lookup does), so
 * net.ipv4.conf.lo.forwarding (and its IPv6 twin) must be 1. Forwarding on
 * loopback alone does not make the host a router: forwarding is decided by
 * the interface a packet comes in on. Which families are ready, as
 * XG_ROUTE_IPV4 | XG_ROUTE_IPV6.
 */
#define XG_LO_FORWARDING4 "/proc/sys/net/ipv4/conf/lo/forwarding"
#define XG_LO_FORWARDING6 "/proc/sys/net/ipv6/conf/lo/forwarding"
enum { XG_ROUTE_IPV4 = 1, XG_ROUTE_IPV6 = 2 };
int xg_route_families(void);
/* Write a session's entry (NULL: it ended); 0 or a negative errno. */
int xg_xdp_session_publish(struct xg_xdp *x, __u32 player,
			   const struct xg_session_entry *e);
/* The last time the program let a request of this session in (0: none). */
__u64 xg_xdp_session_last_seen(struct xg_xdp *x, __u32 player);
int xg_xdp_config_fd(const struct xg_xdp *x);
/* The program's `stats` map (per-CPU counters; xg_xdp_sum_stats reads it). */
int xg_xdp_stats_fd(const struct xg_xdp *x);
/* The `workers` map, where the holder publishes its workers' counters. */
int xg_xdp_workers_fd(const struct xg_xdp *x);
/* Read the published workers of the instance on ifname into out (up to max
 * entries, valid ones only); how many, or a negative errno. */
int xg_xdp_read_workers(const char *ifname, struct xg_worker_pub *out,
			int max);
/* The i-th AF_XDP XDP_STATISTICS member of a published worker: its name
 * ("rx_dropped", ...) and value; -ENOENT past the last. Every output that
 * lists them (stats, metrics) walks this one list. */
int xg_worker_pub_xsk(const struct xg_worker_pub *p, int i, const char **name,
		      __u64 *v);
/* NATIVE or GENERIC while attached. */
enum xg_xdp_mode xg_xdp_attached_mode(const struct xg_xdp *x);

/* Detach the program from the interface (first, before closing the XSKs):
 * the link is detached and closed; the maps and pins stay. Idempotent. */
void xg_xdp_detach_prog(struct xg_xdp *x);
/* Detach if still attached, remove the pins, free. NULL-safe. */
void xg_xdp_destroy(struct xg_xdp *x);

/*
 * Put another XDP program on the interface in place of the attached one,
 * atomically (bpf_link_update with BPF_F_REPLACE: no packet sees no
 * program), and re-pin it as "prog" and record its id in `info`. The
 * caller made new_prog_fd (an XDP program; to keep the sockets, built to
 * reuse this instance's maps); it is dup'ed, so the caller may close it.
 * 0 or negative errno (said what failed); on failure the old program
 * stays.
 */
int xg_xdp_replace_prog(struct xg_xdp *x, int new_prog_fd);

/*
 * `xdpgame detach IFACE`, after a holder died: remove the pin directory
 * (the program went with the holder's bpf_link; one an older, netlink-
 * attaching xdpgame left is detached if it is the pinned one, and any other
 * is left alone); each step is reported with pr_info. Works when the
 * interface is gone too (the pins are found by the name recorded at
 * attach). 0 if something was removed, -ENOENT if there was nothing,
 * -EBUSY if the holder is alive (stop it instead).
 */
int xg_xdp_cleanup(const char *ifname);

/* The counters in a `stats` map (fd), summed over the possible CPUs.
 * 0 or negative errno; quiet (the caller says what failed). */
int xg_xdp_sum_stats(int fd, struct xg_xdp_count out[XG_CNT_MAX]);
/* Counters of the instance on ifname, summed over the possible CPUs.
 * -ENOENT if there is none, -EPROTO if its map has another layout. */
int xg_xdp_read_stats(const char *ifname, struct xg_xdp_count out[XG_CNT_MAX]);
/* "pass_not_game", "drop_bad_magic", ...; NULL outside 0..XG_CNT_MAX-1. */
const char *xg_xdp_counter_name(int idx);

/* An instance pinned under XG_PIN_ROOT, as xg_xdp_list sees it. */
struct xg_xdp_instance {
	const char *ifname;   /* its name now if here, else the recorded one */
	const char *recorded; /* the name at attach ("" if unknown) */
	const char *pin_dir;
	__u64 netns;          /* inode of its network namespace */
	int ifindex;          /* in that namespace */
	bool here;            /* in the caller's network namespace */
	bool gone;            /* here, but no interface has that index now */
	bool alive;           /* its holder runs */
	const struct xg_xdp_info *info; /* zeroed if unreadable */
};

/*
 * Call cb for each instance pinned under XG_PIN_ROOT, holding the root lock
 * (as attach and detach do, so no directory is seen half made). Stops at
 * the first nonzero return of cb and returns it; otherwise returns how many
 * there were (0 if none, or if bpffs is not mounted). Negative errno on
 * failure.
 */
int xg_xdp_list(int (*cb)(const struct xg_xdp_instance *in, void *arg),
		void *arg);

/* The pin directory of the interface named ifname in the caller's network
 * namespace, into buf: 0, or -ENOENT if there are no pins for it. */
int xg_xdp_pin_dir(const char *ifname, char *buf, size_t len);

/* The instance pinned for ifname: 1, with its info (zeroed if unreadable)
 * and whether its holder is alive; 0 if there is none, or the pins cannot
 * be listed. */
int xg_xdp_find(const char *ifname, struct xg_xdp_info *info, bool *alive);

/*
 * Live settings of a running instance (xdp/settings.c), changed through its
 * pins by `xdpgame set` and shown by `xdpgame stats`.
 *
 * Every member of struct xg_xdp_config but the MAC (the holder's, written
 * at attach) is in one row of xg_settings: its name (the JSON key), the
 * option of `set` (attach's option of the same meaning), its kind, where
 * it is in the struct. A rate row holds two members, the rate and the
 * burst after it (`--handshake-rate R[/B]`, JSON keys hs_rate, hs_burst).
 * Adding a field to the config is adding one row.
 */
enum xg_setting_kind {
	XG_SET_BOOL, /* on|off, 1|0 */
	XG_SET_U32,  /* a number in [min, max] */
	XG_SET_RATE, /* R or R/B (xg_parse_rate): rate and burst members */
};

struct xg_setting {
	const char *name;  /* the member, JSON key: "hs_rate" */
	const char *opt;   /* the option, without "--": "handshake-rate" */
	const char *arg;   /* its value, for --help: "on|off", "R[/B]", "MS" */
	enum xg_setting_kind kind;
	size_t off;        /* offsetof(struct xg_xdp_config, member), a __u32 */
	const char *burst; /* XG_SET_RATE: the burst member, JSON key */
	size_t burst_off;  /* XG_SET_RATE: its offset */
	__u32 min, max;    /* XG_SET_U32 */
	const char *help;
};

/* A row's value: v, and for a rate its burst. */
struct xg_setting_val {
	__u32 v, burst;
};

enum { XG_SETTINGS_MAX = 16 }; /* rows xg_settings may grow to */
extern const struct xg_setting xg_settings[];
extern const int xg_nsettings;

/* A setting's value in a config, and setting it (its members only). */
struct xg_setting_val xg_setting_get(const struct xg_setting *s,
				     const struct xg_xdp_config *c);
void xg_setting_put(const struct xg_setting *s, struct xg_xdp_config *c,
		    struct xg_setting_val v);
/* Parse a value of that kind: 0 or -EINVAL. */
int xg_setting_parse(const struct xg_setting *s, const char *text,
		     struct xg_setting_val *v);
/* As `set` takes it and `stats` shows it: "on", "10000", "100/200". */
void xg_setting_format(const struct xg_setting *s, struct xg_setting_val v,
		       char *buf, size_t size);

/* The pinned `config` of the instance on ifname; -EPROTO (said) if its
 * layout is not this build's. */
int xg_xdp_config_read(const char *ifname, struct xg_xdp_config *c);
/* Write it whole: one map update, which the program sees at its next
 * packet. */
int xg_xdp_config_write(const char *ifname, const struct xg_xdp_config *c);
/* The ports in the pinned `ports` map, sorted; how many, or -errno. */
int xg_xdp_ports_read(const char *ifname, __u16 *ports, int max);
/* Make the `ports` map hold exactly ports[0..n): the new ones are added
 * before the old ones are removed, each one map update. 0 or -errno. */
int xg_xdp_ports_write(const char *ifname, const __u16 *ports, int n);

/*
 * Load this binary's XDP program and swap it in for the one running on
 * ifname, atomically, reusing every pinned map (AF_XDP sockets, counters,
 * settings stay). From another process: the program is staged in the pins
 * and the holder, signalled, swaps it on its bpf_link; see xdp/reload.c. 0 and the program ids, or a negative errno (said).
 */
int xg_xdp_reload(const char *ifname, __u32 *old_id, __u32 *new_id);
/* The same in the holder (SIGHUP): the program `xdpgame reload` staged, or
 * else this binary's, swapped in on x's link (xg_xdp_replace_prog). */
int xg_xdp_reload_held(struct xg_xdp *x, __u32 *old_id, __u32 *new_id);

/* Mount bpffs at /sys/fs/bpf unless it is mounted. 0 or negative errno. */
int xg_bpffs_ensure(void);

#endif
