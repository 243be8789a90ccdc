/* SPDX-License-Identifier: MIT */
/*
 * What the files of user/xdp share and nobody else sees: the attached
 * instance, pin paths and locks (pins.c), loading, filling and pinning the
 * program (prog.c), and the XDP programs on an interface (iface.c). The
 * public API is xdp/loader.h.
 */
#ifndef XDPGAME_XDP_INTERNAL_H
#define XDPGAME_XDP_INTERNAL_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "core/util.h"
#include "xdp/loader.h"

enum {
	ERRBUF = 128,
	PIN_KEY_MAX = 32,   /* "NETNS-IFINDEX": 20 + 1 + 10 digits */
	PIN_PATH_MAX = 128, /* XG_PIN_ROOT/KEY/map name, with room */
};

struct xdpgame; /* the skeleton, build/xdpgame.skel.h */

struct xg_xdp {
	struct xdpgame *skel;
	int ifindex;
	char ifname[IF_NAMESIZE];
	char key[PIN_KEY_MAX];  /* the pin directory's name: NETNS-IFINDEX */
	char pin_dir[PIN_PATH_MAX];
	int dir_fd;             /* the pin directory, flock'ed while we live */
	enum xg_xdp_mode mode;  /* NATIVE or GENERIC once attached */
	__u32 mode_flag;        /* XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE */
	__u32 ipv6_ext_max;     /* rodata it was loaded with */
	int link_fd;            /* the bpf_link holding the program on the
				 * interface; -1 when detached. Not pinned:
				 * it dies with the process. */
	int prog_fd;            /* the program on the link (the skeleton's,
				 * or own_prog_fd after xg_xdp_replace_prog) */
	int own_prog_fd;        /* a dup of a replacement program, or -1 */
	bool attached;
};

static inline const char *errstr(int err, char buf[ERRBUF])
{
	libbpf_strerror(err, buf, ERRBUF);
	return buf;
}

/* ---- addrs.c ---- */

/* The interface's MAC address (zeros for one without); 0 or -errno. */
int xg_xdp_iface_mac(const char *ifname, __u8 mac[6]);

/* ---- pins.c ---- */

bool pins_bpffs_mounted(void);
/* xg_ifname_check, saying what is wrong through pr_warn. */
int pins_check_ifname(const char *ifname);
/* The network namespace we run in: the inode of /proc/self/ns/net (what
 * `ls -L -i /proc/self/ns/net` and `stat -c %i /run/netns/NAME` show).
 * 0 or negative errno. */
int pins_netns(__u64 *netns);
/* A pin directory's name: "NETNS-IFINDEX". */
void pins_key(char key[PIN_KEY_MAX], __u64 netns, int ifindex);
/* The reverse; 0, or -EINVAL if name is not a key. */
int pins_parse_key(const char *name, __u64 *netns, int *ifindex);
/* The key of the interface named ifname in our network namespace: by its
 * ifindex, or, if there is no such interface (any more), the pins of this
 * namespace whose recorded name is ifname. 0, -ENOENT (no interface and no
 * pins under that name), or a negative errno. Quiet. */
int pins_resolve(const char *ifname, char key[PIN_KEY_MAX]);
/* The interface name recorded in the pin directory (a symlink
 * XG_PIN_IFNAME -> name, for people and for pins_resolve). 0 or -errno. */
int pins_write_name(int dir_fd, const char *ifname);
int pins_read_name(const char *key, char name[IF_NAMESIZE]);
/* XG_PIN_ROOT/key/name into buf (PIN_PATH_MAX); name NULL: the
 * directory. */
void pins_path(char *buf, const char *key, const char *name);
/* The root lock (flock on XG_PIN_ROOT, created if missing): the locked fd
 * or a negative errno. Unlock removes the root if it is empty. */
int pins_root_lock(void);
void pins_root_unlock(int fd);
/* Is the pin directory held by a live instance? 1 yes, 0 no, -errno. */
int pins_dir_held(const char *dir);
/* The instance's `info` map (zeroed first). 0 or negative errno. */
int pins_read_info(const char *key, struct xg_xdp_info *info);
/* Remove every pin in dir, then dir; the names removed go to what (may be
 * NULL). How many pins, or a negative errno if dir stays. */
int pins_remove(const char *dir, char *what, size_t whatsz);

/* XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE for an attached mode. */
static inline __u32 mode_flag_of(enum xg_xdp_mode m)
{
	return m == XG_MODE_NATIVE ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
}

/* The program pinned as "prog" (a reload replaces it): fd or -errno. */
int pins_prog_fd(const char *key);

/* ---- prog.c ---- */

/* Each returns 0 or a negative errno. */
/* Open the skeleton, set its rodata from o, load it into x->skel (NULL
 * again if that fails). */
int prog_load(struct xg_xdp *x, const struct xg_xdp_opts *o);
/* The game ports, the config (with the interface's MAC) and the addresses. */
int prog_fill_maps(struct xg_xdp *x, const struct xg_xdp_opts *o);
/* The `info` map: pid, mode, ports, options, program id, attach time. */
int prog_write_info(struct xg_xdp *x, const struct xg_xdp_opts *o);
/* Pin every map of the program under its own name, and the program. */
int prog_pin_all(struct xg_xdp *x);
/* Record the program now on the link: re-pin it as "prog" and put its id
 * in `info`. */
int prog_record(struct xg_xdp *x);

/* ---- iface.c ---- */

/* The id of a loaded program, from its fd; 0 if unknown. */
__u32 iface_prog_id(int fd);
/* The interface must carry no XDP program: we never replace one. 0, -EBUSY
 * (said which and how to remove it), or a negative errno. */
int iface_check_free(int ifindex, const char *ifname);
/* Detach (if a program of an older xdpgame is still attached) and unpin a
 * dead instance; ifname names it in messages. The caller holds the root
 * lock. A positive count, or a negative errno. */
int iface_cleanup_locked(const char *key, const char *ifname);

#endif
