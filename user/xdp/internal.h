/* SPDX-License-Identifier: MIT */
/*
 * What the files of user/xdp share and nobody else sees: the attached
 * instance, pin paths and locks (pins.c), and the XDP programs on an
 * interface (iface.c). The public API is xdp/loader.h.
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
	PIN_PATH_MAX = 128, /* XG_PIN_ROOT/IFNAME/map name, with room */
};

struct xdpgame; /* the skeleton, build/xdpgame.skel.h */

struct xg_xdp {
	struct xdpgame *skel;
	int ifindex;
	char ifname[IF_NAMESIZE];
	char pin_dir[PIN_PATH_MAX];
	int dir_fd;             /* the pin directory, flock'ed while we live */
	enum xg_xdp_mode mode;  /* NATIVE or GENERIC once attached */
	__u32 mode_flag;        /* XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE */
	__u32 ipv6_ext_max;     /* rodata it was loaded with */
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
/* XG_PIN_ROOT/ifname/name into buf (PIN_PATH_MAX); name NULL: the
 * directory. */
void pins_path(char *buf, const char *ifname, const char *name);
/* The root lock (flock on XG_PIN_ROOT, created if missing): the locked fd
 * or a negative errno. Unlock removes the root if it is empty. */
int pins_root_lock(void);
void pins_root_unlock(int fd);
/* Is the pin directory held by a live instance? 1 yes, 0 no, -errno. */
int pins_dir_held(const char *dir);
/* The instance's `info` map (zeroed first). 0 or negative errno. */
int pins_read_info(const char *ifname, struct xg_xdp_info *info);
/* Remove every pin in dir, then dir; the names removed go to what (may be
 * NULL). How many pins, or a negative errno if dir stays. */
int pins_remove(const char *dir, char *what, size_t whatsz);

/* XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE for an attached mode. */
static inline __u32 mode_flag_of(enum xg_xdp_mode m)
{
	return m == XG_MODE_NATIVE ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
}

/* The program pinned as "prog" (a reload replaces it): fd or -errno. */
int pins_prog_fd(const char *ifname);

/* ---- iface.c ---- */

/* The id of a loaded program, from its fd; 0 if unknown. */
__u32 iface_prog_id(int fd);
/* The interface must carry no XDP program: we never replace one. 0, -EBUSY
 * (said which and how to remove it), or a negative errno. */
int iface_check_free(int ifindex, const char *ifname);
/* Detach and unpin a dead instance; the caller holds the root lock. A
 * positive count, or a negative errno. */
int iface_cleanup_locked(const char *ifname);

#endif
