/* SPDX-License-Identifier: MIT */
/*
 * What the doctor asks the driver through ethtool ioctls (SIOCETHTOOL on
 * the context's datagram socket): driver and bus, channels (RX queues),
 * the RSS indirection table and hash fields, and named features such as
 * rx-ntuple-filter.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/sockios.h>

#include "doctor/doctor.h"

int dr_ethtool(struct dr_ctx *c, void *cmd)
{
	struct ifreq ifr = {};

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", c->ifname);
	ifr.ifr_data = cmd;
	return ioctl(c->sock, SIOCETHTOOL, &ifr) ? -errno : 0;
}

void dr_probe_device(struct dr_ctx *c)
{
	struct ethtool_drvinfo di = { .cmd = ETHTOOL_GDRVINFO };
	char path[PATH_MAX], link[PATH_MAX];
	struct ifreq ifr = {};
	long idx;
	ssize_t n;

	if (!dr_ethtool(c, &di)) {
		dr_copy(c->driver, sizeof(c->driver), di.driver);
		dr_copy(c->bus, sizeof(c->bus), di.bus_info);
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", c->ifname);
	if (!ioctl(c->sock, SIOCGIFMTU, &ifr))
		c->mtu = ifr.ifr_mtu;
	c->sysfs = !dr_sys_long(c, "ifindex", &idx) && idx == c->ifindex;
	c->virt = !c->bus[0] || !strcmp(c->bus, "N/A");
	if (!c->sysfs)
		return;
	snprintf(path, sizeof(path), "/sys/class/net/%s/device", c->ifname);
	n = readlink(path, link, sizeof(link) - 1);
	c->virt = n <= 0;
	if (n > 0) {
		link[n] = '\0';
		dr_copy(c->devname, sizeof(c->devname),
			strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
	}
}

void dr_probe_channels(struct dr_ctx *c)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };

	if (dr_ethtool(c, &ch))
		return;
	c->chan_known = true;
	c->queues = (int)(ch.combined_count + ch.rx_count);
	c->chan_kind = ch.max_combined ? "combined" : "rx";
	c->max_queues = (int)(ch.max_combined ? ch.max_combined : ch.max_rx);
	if (ch.max_combined && ch.max_rx)
		c->max_queues += (int)ch.max_rx;
}

int dr_rss_table(struct dr_ctx *c, int *size, int *distinct)
{
	struct ethtool_rxfh hdr = { .cmd = ETHTOOL_GRSSH }, *t;
	bool seen[XG_MAX_QUEUES * 16] = {};
	int err = dr_ethtool(c, &hdr);

	if (err)
		return err;
	*size = (int)hdr.indir_size;
	*distinct = 0;
	if (!hdr.indir_size)
		return 0;
	t = calloc(1, sizeof(*t) + hdr.indir_size * 4 + hdr.key_size);
	if (!t)
		return -ENOMEM;
	*t = hdr;
	err = dr_ethtool(c, t);
	for (__u32 i = 0; !err && i < t->indir_size; i++) {
		__u32 q = t->rss_config[i];

		if (q < sizeof(seen) && !seen[q]) {
			seen[q] = true;
			(*distinct)++;
		}
	}
	free(t);
	return err;
}

int dr_udp4_hash_ports(struct dr_ctx *c, bool *ports)
{
	struct ethtool_rxnfc nfc = { .cmd = ETHTOOL_GRXFH, .flow_type = UDP_V4_FLOW };
	const __u64 both = RXH_L4_B_0_1 | RXH_L4_B_2_3;
	int err = dr_ethtool(c, &nfc);

	if (!err)
		*ports = (nfc.data & both) == both;
	return err;
}

/* Index of a feature name in the ETH_SS_FEATURES string set, or -errno. */
static int dr_feature_bit(struct dr_ctx *c, const char *name, int *count)
{
	union {
		struct ethtool_sset_info h;
		char room[sizeof(struct ethtool_sset_info) + sizeof(__u32)];
	} si = { .h = { .cmd = ETHTOOL_GSSET_INFO,
			.sset_mask = 1ull << ETH_SS_FEATURES } };
	struct ethtool_gstrings *gs;
	int err = dr_ethtool(c, &si), bit = -ENOENT;
	__u32 n;

	if (err)
		return err;
	n = si.h.sset_mask ? si.h.data[0] : 0;
	if (!n)
		return -EOPNOTSUPP;
	gs = calloc(1, sizeof(*gs) + (size_t)n * ETH_GSTRING_LEN);
	if (!gs)
		return -ENOMEM;
	gs->cmd = ETHTOOL_GSTRINGS;
	gs->string_set = ETH_SS_FEATURES;
	gs->len = n;
	err = dr_ethtool(c, gs);
	for (__u32 i = 0; !err && bit < 0 && i < gs->len; i++)
		if (!strncmp((char *)gs->data + i * ETH_GSTRING_LEN, name,
			     ETH_GSTRING_LEN))
			bit = (int)i;
	free(gs);
	*count = (int)n;
	return err ? err : bit;
}

int dr_feature(struct dr_ctx *c, const char *name, bool *avail, bool *active)
{
	struct ethtool_gfeatures *gf;
	int count = 0, bit = dr_feature_bit(c, name, &count), blocks, err;

	if (bit < 0)
		return bit;
	blocks = (count + 31) / 32;
	gf = calloc(1, sizeof(*gf) + (size_t)blocks * sizeof(gf->features[0]));
	if (!gf)
		return -ENOMEM;
	gf->cmd = ETHTOOL_GFEATURES;
	gf->size = (__u32)blocks;
	err = dr_ethtool(c, gf);
	if (!err) {
		*avail = gf->features[bit / 32].available & (1u << (bit % 32));
		*active = gf->features[bit / 32].active & (1u << (bit % 32));
	}
	free(gf);
	return err;
}
