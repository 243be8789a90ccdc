/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the commands: time, number and list parsing,
 * interface names. */
#ifndef XDPGAME_UTIL_H
#define XDPGAME_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <xdpgame/xdp.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

enum {
	XG_MAX_CPUS = 256,
	XG_MAX_PORTS = XG_XDP_INFO_PORTS,  /* game ports one server serves */
	XG_MAX_QUEUES = XG_XDP_MAX_QUEUES, /* RX queues with an AF_XDP socket */
	/* the game port `attach` serves when no --port is given; `--help`,
	 * docs/OPERATIONS.md and the man page name it */
	XG_DEFAULT_PORT = 7777,
};

static inline uint64_t xg_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Parse an unsigned decimal in [min, max]; 0 or -EINVAL / -ERANGE. */
int xg_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* Parse a CPU list such as "0-3,6"; returns the count or a negative errno. */
int xg_parse_cpulist(const char *s, int *cpus, int max);
/* Parse a rate limit "RATE" or "RATE/BURST" (per second, 0..100000000;
 * the burst defaults to twice the rate, at least 1). 0 or -EINVAL. */
int xg_parse_rate(const char *s, uint32_t *rate, uint32_t *burst);
/* Parse a port 1..65535. */
int xg_parse_port(const char *s, uint16_t *port);
/* Pin the calling thread to one CPU; 0 or negative errno. */
int xg_pin_thread(int cpu);
/* Whether busy polling has a NAPI to poll for socket fd: the NAPI id the
 * kernel marked it with when frames came (SO_INCOMING_NAPI_ID); false
 * for none (a driver without NAPI ids for it: veth's AF_XDP sockets in
 * copy mode) or if it cannot tell. Ask after frames came. */
bool xg_sock_has_napi(int fd);
/* Online CPUs as a list; count. */
int xg_online_cpus(int *cpus, int max);
/* Number of CPUs this process may run on (at least 1). */
int xg_online_count(void);
/* xorshift64*: a fast generator, deterministic for a seed (state != 0);
 * for load mixes and test data, not for anything secret. */
uint64_t xg_rand(uint64_t *state);
/* An index in 0..n-1 drawn with the given weights (their sum above 0). */
int xg_pick_weighted(uint64_t *state, const uint32_t *weights, int n);
/* RX queues of an interface in this network namespace, from ethtool's
 * channel counts (combined + rx); 1 when the driver does not say. Negative
 * errno if the interface does not exist. */
int xg_netdev_rx_queues(const char *ifname);
/* An interface name xdpgame accepts: 1 to IF_NAMESIZE - 1 characters, no
 * '/' or ':', not "." or "..". It names a pin directory under bpffs, so it
 * must be one path component. 0, or -EINVAL (NULL too); says nothing. */
int xg_ifname_check(const char *ifname);

#endif
