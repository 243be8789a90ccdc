/* SPDX-License-Identifier: MIT */
/*
 * A small generic netlink client, enough for one question: which XDP
 * features does the driver have (the netdev family, kernel 6.3+)? One
 * request and one reply at a time, on a socket opened for the question.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "doctor/doctor.h"

/* The netdev family's command and attributes (include/uapi/linux/netdev.h,
 * kernel 6.3+; Debian 12's linux-libc-dev 6.1 does not have the header). */
enum {
	DR_NETDEV_CMD_DEV_GET = 1,
	DR_NETDEV_A_DEV_IFINDEX = 1,
	DR_NETDEV_A_DEV_XDP_FEATURES = 3,	/* u64, enum dr_xdp_act bits */
	DR_NETDEV_A_DEV_XDP_ZC_MAX_SEGS = 4,	/* u32 */
};

enum {
	DR_NLBUF = 8192,		/* bytes: a CTRL_CMD_GETFAMILY reply fits */
};

struct dr_nlmsg {
	struct nlmsghdr nh;
	struct genlmsghdr gh;
	char attrs[DR_NLBUF];
};

static void dr_nl_init(struct dr_nlmsg *m, uint16_t family, uint8_t cmd)
{
	memset(&m->nh, 0, sizeof(m->nh));
	m->nh.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN;
	m->nh.nlmsg_type = family;
	m->nh.nlmsg_flags = NLM_F_REQUEST;
	m->gh.cmd = cmd;
	m->gh.version = 1;
	m->gh.reserved = 0;
}

static void dr_nl_put(struct dr_nlmsg *m, uint16_t type, const void *data,
		      uint16_t len)
{
	struct nlattr *a = (void *)((char *)m + NLMSG_ALIGN(m->nh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	m->nh.nlmsg_len = NLMSG_ALIGN(m->nh.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

/* Send the request in *m and read its one reply back into *m. */
static int dr_nl_call(int fd, struct dr_nlmsg *m)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	ssize_t n;

	if (sendto(fd, m, m->nh.nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0)
		return -errno;
	n = recv(fd, m, sizeof(*m), 0);
	if (n < 0)
		return -errno;
	if (!NLMSG_OK(&m->nh, (size_t)n))
		return -EPROTO;
	if (m->nh.nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(&m->nh);

		return e->error ? e->error : -ENODATA;
	}
	return 0;
}

/* The payload of attribute `type` in a reply, or NULL. */
static const void *dr_nl_find(const struct dr_nlmsg *m, uint16_t type,
			      uint16_t want_len)
{
	const char *p = m->attrs, *end = (const char *)m + m->nh.nlmsg_len;

	while (p + NLA_HDRLEN <= end) {
		const struct nlattr *a = (const void *)p;

		if (a->nla_len < NLA_HDRLEN || p + a->nla_len > end)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a->nla_len - NLA_HDRLEN >= want_len ?
				       p + NLA_HDRLEN : NULL;
		p += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}

static int dr_genl_family(int fd, struct dr_nlmsg *m, const char *name)
{
	const void *id;
	uint16_t v;
	int err;

	dr_nl_init(m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY);
	dr_nl_put(m, CTRL_ATTR_FAMILY_NAME, name, (uint16_t)(strlen(name) + 1));
	err = dr_nl_call(fd, m);
	if (err)
		return err;
	id = dr_nl_find(m, CTRL_ATTR_FAMILY_ID, sizeof(v));
	if (!id)
		return -EPROTO;
	memcpy(&v, id, sizeof(v));
	return v;
}

int dr_query_xdp_features(struct dr_ctx *c)
{
	struct timeval tv = { .tv_sec = 2 };
	struct dr_nlmsg *m = calloc(1, sizeof(*m));
	uint32_t ifindex = (uint32_t)c->ifindex;
	const void *feat, *segs;
	int fd, fam, err;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0 || !m) {
		err = fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	err = fam = dr_genl_family(fd, m, "netdev");
	if (fam < 0)
		goto out;
	dr_nl_init(m, (uint16_t)fam, DR_NETDEV_CMD_DEV_GET);
	dr_nl_put(m, DR_NETDEV_A_DEV_IFINDEX, &ifindex, sizeof(ifindex));
	err = dr_nl_call(fd, m);
	feat = err ? NULL : dr_nl_find(m, DR_NETDEV_A_DEV_XDP_FEATURES, 8);
	if (!err && !feat)
		err = -EPROTO;
	if (!err) {
		memcpy(&c->xdp_feat, feat, sizeof(c->xdp_feat));
		segs = dr_nl_find(m, DR_NETDEV_A_DEV_XDP_ZC_MAX_SEGS, 4);
		if (segs)
			memcpy(&c->zc_segs, segs, sizeof(c->zc_segs));
		c->feat_known = true;
	}
out:
	if (fd >= 0)
		close(fd);
	free(m);
	return err;
}

void dr_fmt_xdp_features(uint64_t f, char *buf, size_t len)
{
	static const struct { uint64_t bit; const char *name; } names[] = {
		{ DR_XDP_ACT_BASIC, "basic" },
		{ DR_XDP_ACT_REDIRECT, "redirect" },
		{ DR_XDP_ACT_NDO_XMIT, "ndo-xmit" },
		{ DR_XDP_ACT_XSK_ZEROCOPY, "xsk-zerocopy" },
		{ DR_XDP_ACT_HW_OFFLOAD, "hw-offload" },
		{ DR_XDP_ACT_RX_SG, "rx-sg" },
		{ DR_XDP_ACT_NDO_XMIT_SG, "ndo-xmit-sg" },
	};
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (f & names[i].bit)
			dr_append(buf, len, ",", "%s", names[i].name);
	if (!buf[0])
		snprintf(buf, len, "none");
}
