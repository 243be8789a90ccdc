/* SPDX-License-Identifier: MIT */
/* Helpers shared by the commands; see util.h. */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/util.h"

int xg_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return errno == ERANGE ? -ERANGE : -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int xg_parse_port(const char *s, uint16_t *port)
{
	uint64_t v;
	int err = xg_parse_u64(s, 1, 65535, &v);

	if (!err)
		*port = (uint16_t)v;
	return err;
}

int xg_parse_cpulist(const char *s, int *cpus, int max)
{
	char *dup = strdup(s), *save = NULL, *tok;
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	int n = 0, err = 0;

	if (!dup)
		return -ENOMEM;
	for (tok = strtok_r(dup, ",", &save); tok && !err;
	     tok = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(tok, '-');
		uint64_t lo, hi;

		if (dash)
			*dash = '\0';
		err = xg_parse_u64(tok, 0, (uint64_t)ncpu - 1, &lo);
		hi = lo;
		if (!err && dash)
			err = xg_parse_u64(dash + 1, lo, (uint64_t)ncpu - 1, &hi);
		for (; !err && lo <= hi; lo++) {
			if (n == max)
				err = -E2BIG;
			else
				cpus[n++] = (int)lo;
		}
	}
	free(dup);
	if (!err && n == 0)
		err = -EINVAL;
	return err ? err : n;
}

int xg_pin_thread(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return -pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

bool xg_sock_has_napi(int fd)
{
	unsigned int id = 0;
	socklen_t len = sizeof(id);

	return !getsockopt(fd, SOL_SOCKET, SO_INCOMING_NAPI_ID, &id, &len) && id;
}

int xg_online_cpus(int *cpus, int max)
{
	cpu_set_t set;
	int i, n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -errno;
	for (i = 0; i < CPU_SETSIZE && n < max; i++)
		if (CPU_ISSET(i, &set))
			cpus[n++] = i;
	return n;
}

int xg_online_count(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 1;
	return CPU_COUNT(&set) > 0 ? CPU_COUNT(&set) : 1;
}

int xg_netdev_rx_queues(const char *ifname)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ifreq ifr = {};
	int fd, err = 0, n;

	if (strlen(ifname) >= sizeof(ifr.ifr_name))
		return -ENODEV;
	strcpy(ifr.ifr_name, ifname);
	ifr.ifr_data = (void *)&ch;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		err = errno == ENODEV ? -ENODEV : 0; /* EOPNOTSUPP: one queue */
	close(fd);
	if (err)
		return err;
	n = (int)(ch.combined_count + ch.rx_count);
	return n > 0 ? n : 1;
}

int xg_ifname_check(const char *ifname)
{
	if (!ifname || !*ifname || strlen(ifname) >= IF_NAMESIZE ||
	    strchr(ifname, '/') || strchr(ifname, ':') ||
	    !strcmp(ifname, ".") || !strcmp(ifname, ".."))
		return -EINVAL;
	return 0;
}

uint64_t xg_rand(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 2685821657736338717ull;
}

int xg_pick_weighted(uint64_t *state, const uint32_t *weights, int n)
{
	uint32_t total = 0, r;
	int k;

	for (k = 0; k < n; k++)
		total += weights[k];
	r = (uint32_t)(xg_rand(state) % total);
	for (k = 0; k < n - 1; k++) {
		if (r < weights[k])
			break;
		r -= weights[k];
	}
	return k;
}

int xg_parse_rate(const char *s, uint32_t *rate, uint32_t *burst)
{
	char buf[64], *slash;
	uint64_t r, b;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (xg_parse_u64(buf, 0, 100000000, &r))
		return -EINVAL;
	if (slash) {
		if (xg_parse_u64(slash + 1, 1, 200000000, &b))
			return -EINVAL;
	} else {
		b = r ? 2 * r : 1;
	}
	*rate = (uint32_t)r;
	*burst = (uint32_t)b;
	return 0;
}
