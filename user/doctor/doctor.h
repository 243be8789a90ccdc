/* SPDX-License-Identifier: MIT */
/*
 * What the doctor's files share: the context (struct dr_ctx) that setup
 * fills and every check reads, the verdicts, and the functions one file
 * offers the others. Nothing outside user/doctor/ includes this; the
 * program sees only cmd_doctor() (cli/cmds.h).
 *
 * The files, by role:
 *   doctor.c         options, setup, the check table, cmd_doctor()
 *   results.c        recording one result per check; text and JSON output
 *   probe_netlink.c  generic netlink: the driver's XDP features
 *   probe_ethtool.c  ethtool ioctls: driver, channels, RSS, features
 *   probe_sysfs.c    files under /sys and /proc: numbers, IRQs, processes
 *   checks_xdp.c     privileges, interface, driver, XDP attached/native/zc
 *   checks_nic.c     queues, RSS, ntuple, NUMA, IRQ affinity, irqbalance
 *   checks_host.c    busy poll, NAPI, CPU governor, bpffs, memlock, kernel
 */
#ifndef XDPGAME_DOCTOR_H
#define XDPGAME_DOCTOR_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include <linux/bpf.h>

#include "core/util.h"

/* The driver's XDP features, as the netdev generic netlink family reports
 * them (NETDEV_XDP_ACT_* in include/uapi/linux/netdev.h, kernel 6.3+). */
enum dr_xdp_act {
	DR_XDP_ACT_BASIC = 1,		/* XDP_ABORTED/DROP/PASS/TX */
	DR_XDP_ACT_REDIRECT = 2,
	DR_XDP_ACT_NDO_XMIT = 4,	/* a redirect target */
	DR_XDP_ACT_XSK_ZEROCOPY = 8,
	DR_XDP_ACT_HW_OFFLOAD = 16,
	DR_XDP_ACT_RX_SG = 32,		/* multi-buffer (large MTU) */
	DR_XDP_ACT_NDO_XMIT_SG = 64,
};

enum {
	DR_DETAIL_LEN = 1024,
	DR_FIX_LEN = 2048,
	DR_MAX_RESULTS = 32,
};

/* Kernel version as one comparable number. */
static inline int dr_kv(int major, int minor)
{
	return major * 1000 + minor;
}

enum dr_verdict { DR_OK, DR_WARN, DR_FAIL, DR_INFO, DR_NVERDICTS };

struct dr_result {
	const char *name;
	enum dr_verdict verdict;
	char detail[DR_DETAIL_LEN];
	char fix[DR_FIX_LEN];	/* empty: nothing to run */
};

struct dr_ctx {
	/* options */
	const char *ifarg;	/* the interface as given */
	char ifname[IF_NAMESIZE];
	bool json;
	uint16_t ports[XG_MAX_PORTS];
	int nports;
	int cpus[XG_MAX_CPUS];	/* worker CPUs, sorted, no duplicates */
	int ncpus;
	char cpulist[256];	/* the same, as "0-3,6" */

	/* what setup found */
	int ifindex;
	int sock;		/* AF_INET datagram socket for SIOCETHTOOL */
	struct utsname uts;
	int kver;		/* dr_kv(major, minor) */
	uint64_t caps;		/* effective capabilities */
	bool sysfs;		/* /sys/class/net/IFACE is this IFACE */
	bool virt;		/* no parent device: veth, lo, bridge ... */
	char driver[32];	/* empty: no ethtool driver info */
	char bus[32];		/* e.g. 0000:03:00.0; empty for virtual */
	char devname[64];	/* parent device's kernel name, e.g. virtio2 */
	int mtu;
	bool chan_known;
	int queues;		/* RX queues (combined + rx) */
	int max_queues;
	const char *chan_kind;	/* "combined" or "rx", for ethtool -L */
	bool feat_known;	/* the netdev netlink family answered */
	uint64_t xdp_feat;	/* enum dr_xdp_act bits */
	uint32_t zc_segs;
	uint32_t prog_id;	/* XDP program attached now, 0 none */
	uint8_t attach_mode;	/* XDP_ATTACHED_* */
	char prog_name[BPF_OBJ_NAME_LEN];

	/* results */
	const char *current;	/* name of the check running */
	struct dr_result res[DR_MAX_RESULTS];
	int nres;
};

static inline bool dr_has_cap(const struct dr_ctx *c, int cap)
{
	return c->caps & (1ull << cap);
}

/* Bounded string copy that always terminates (names may be cut). */
static inline void dr_copy(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* ---- results.c: recording and printing ------------------------------ */

/* Record the running check's result (one per check). */
__attribute__((format(printf, 3, 4)))
void dr_record(struct dr_ctx *c, enum dr_verdict v, const char *fmt, ...);
/* Add a command to the last result's fix; several are joined by " && ". */
__attribute__((format(printf, 2, 3)))
void dr_fix(struct dr_ctx *c, const char *fmt, ...);
/* Append one formatted item to buf, after `sep` unless buf is empty. An
 * item that does not fit is left out whole, never cut; false then. */
__attribute__((format(printf, 4, 5)))
bool dr_append(char *buf, size_t len, const char *sep, const char *fmt, ...);
/* Checks that read /sys/class/net/IFACE first make sure it is ours; false
 * with an INFO result recorded when it is not. */
bool dr_need_sysfs(struct dr_ctx *c);
/* How many results have each verdict. */
void dr_count(const struct dr_ctx *c, int count[DR_NVERDICTS]);
void dr_print_text(const struct dr_ctx *c, FILE *f);
int dr_print_json(const struct dr_ctx *c, FILE *f);

/* ---- probe_netlink.c ------------------------------------------------ */

/* Ask the netdev family for the driver's XDP features (kernel 6.3+) into
 * c->xdp_feat, c->zc_segs and c->feat_known; 0 or -errno. */
int dr_query_xdp_features(struct dr_ctx *c);
/* XDP feature bits as "basic,redirect,..." ("none" for none). */
void dr_fmt_xdp_features(uint64_t f, char *buf, size_t len);

/* ---- probe_ethtool.c ------------------------------------------------ */

/* One SIOCETHTOOL ioctl on the interface; 0 or -errno. */
int dr_ethtool(struct dr_ctx *c, void *cmd);
/* Driver, bus, MTU, and whether /sys/class/net shows our interface. */
void dr_probe_device(struct dr_ctx *c);
/* RX queues now and at most (ethtool -l). */
void dr_probe_channels(struct dr_ctx *c);
/* RSS indirection table: its size and how many distinct queues it uses. */
int dr_rss_table(struct dr_ctx *c, int *size, int *distinct);
/* Does the NIC hash UDP/IPv4 on ports too (not just addresses)? */
int dr_udp4_hash_ports(struct dr_ctx *c, bool *ports);
/* Can this feature be switched (available), and is it on (active)? */
int dr_feature(struct dr_ctx *c, const char *name, bool *avail, bool *active);

/* ---- probe_sysfs.c -------------------------------------------------- */

/* First line of a file, without its newline; 0 or -errno. */
int dr_read_line(const char *path, char *buf, size_t len);
/* A file's first line as a number; 0 or -errno. */
int dr_read_long(const char *path, long *v);
/* /sys/class/net/IFACE/<file> as a number. */
int dr_sys_long(struct dr_ctx *c, const char *file, long *v);
/* The NIC's NUMA node: the device's own, else its bus parent's (virtio). */
int dr_numa_node(struct dr_ctx *c, long *node);
/* IRQs whose /proc/interrupts line names the interface, its parent device
 * (virtio2-input.0) or its bus address (mlx5_comp0@pci:0000:03:00.0). */
int dr_find_irqs(struct dr_ctx *c, int *irqs, int max);
/* The pid of a process named `name` (its /proc/PID/comm), or 0. */
long dr_find_process(const char *name);

/* ---- the checks, in table order (doctor.c) -------------------------- */

/* checks_xdp.c */
void dr_check_privileges(struct dr_ctx *c);
void dr_check_interface(struct dr_ctx *c);
void dr_check_driver(struct dr_ctx *c);
void dr_check_xdp_attached(struct dr_ctx *c);
void dr_check_xdp_native(struct dr_ctx *c);
void dr_check_xdp_zerocopy(struct dr_ctx *c);
/* checks_nic.c */
void dr_check_queues(struct dr_ctx *c);
void dr_check_rss(struct dr_ctx *c);
void dr_check_ntuple(struct dr_ctx *c);
/* checks_host.c */
void dr_check_busy_poll(struct dr_ctx *c);
void dr_check_napi_defer(struct dr_ctx *c);
void dr_check_threaded_napi(struct dr_ctx *c);
void dr_check_cpu_governor(struct dr_ctx *c);
/* checks_nic.c */
void dr_check_numa(struct dr_ctx *c);
void dr_check_irq_affinity(struct dr_ctx *c);
void dr_check_irqbalance(struct dr_ctx *c);
/* checks_host.c */
void dr_check_route(struct dr_ctx *c);
void dr_check_bpffs(struct dr_ctx *c);
void dr_check_memlock(struct dr_ctx *c);
void dr_check_kernel(struct dr_ctx *c);
void dr_check_btf(struct dr_ctx *c);

#endif
