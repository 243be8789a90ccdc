/* SPDX-License-Identifier: MIT */
/*
 * `xdpgame doctor IFACE`: what this host and interface offer xdpgame, and
 * how they are tuned, as one verdict line per check with the command that
 * fixes it.
 *
 * Design: setup (dr_setup) asks the kernel once for what several checks
 * share (ifindex, driver, channels, XDP features, the attached program);
 * then the check table runs in order, each check recording exactly one
 * result (name, verdict, detail, fix) in the context; the text and the JSON
 * output are both printed from those recorded results.
 *
 * This file holds the command: options, setup, the check table, and
 * cmd_doctor(). doctor.h lists the other files, by role.
 *
 * The doctor only reads: it loads and attaches nothing (on kernels without
 * the netdev netlink family, < 6.3, native XDP support is reported as
 * unknown rather than probed by attaching to a live NIC).
 *
 * Network namespaces: ioctls and netlink follow the process's namespace,
 * but /sys/class/net shows the namespace that mounted /sys; the sysfs-based
 * checks say so (INFO) when the interface is not there.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/capability.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli/cmds.h"
#include "core/log.h"
#include "core/util.h"
#include "doctor/doctor.h"

struct dr_check {
	const char *name;
	void (*run)(struct dr_ctx *c);
};

/* ---- worker CPUs ---------------------------------------------------- */

static int dr_cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Sort and deduplicate a CPU list; returns the new count. */
static int dr_cpus_normalize(int *cpus, int n)
{
	int out = 0;

	qsort(cpus, (size_t)n, sizeof(*cpus), dr_cmp_int);
	for (int i = 0; i < n; i++)
		if (!out || cpus[out - 1] != cpus[i])
			cpus[out++] = cpus[i];
	return out;
}

/* A sorted CPU list as "0-3,6". */
static void dr_fmt_cpulist(const int *cpus, int n, char *buf, size_t len)
{
	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		int j = i;

		while (j + 1 < n && cpus[j + 1] == cpus[j] + 1)
			j++;
		if (j > i)
			dr_append(buf, len, ",", "%d-%d", cpus[i], cpus[j]);
		else
			dr_append(buf, len, ",", "%d", cpus[i]);
		i = j;
	}
}

/* ---- setup: what several checks share ------------------------------- */

static void dr_probe_caps(struct dr_ctx *c)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = {};

	if (syscall(SYS_capget, &h, d))
		return;
	c->caps = (uint64_t)d[1].effective << 32 | d[0].effective;
}

static void dr_probe_xdp_prog(struct dr_ctx *c)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd;

	if (bpf_xdp_query(c->ifindex, 0, &q))
		return;
	/* in "several" mode prog_id is 0 and each mode has its own id */
	c->prog_id = q.prog_id ? q.prog_id : q.drv_prog_id ? q.drv_prog_id :
		     q.skb_prog_id ? q.skb_prog_id : q.hw_prog_id;
	c->attach_mode = q.attach_mode;
	if (!c->prog_id)
		return;
	snprintf(c->prog_name, sizeof(c->prog_name), "?");
	fd = bpf_prog_get_fd_by_id(c->prog_id);
	if (fd < 0)
		return;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		dr_copy(c->prog_name, sizeof(c->prog_name), info.name);
	close(fd);
}

/* 0, or 1 with one line printed when the interface does not exist. */
static int dr_setup(struct dr_ctx *c)
{
	int major = 0, minor = 0;

	if (strlen(c->ifarg) < sizeof(c->ifname))
		strcpy(c->ifname, c->ifarg);
	c->ifindex = c->ifname[0] ? (int)if_nametoindex(c->ifname) : 0;
	if (!c->ifindex) {
		pr_warn("error: no interface named '%s' in this network namespace; list them with `ip link`\n",
			c->ifarg);
		return XG_EXIT_FAIL;
	}
	c->sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (c->sock < 0) {
		pr_warn("error: doctor: cannot open a socket: %s\n", strerror(errno));
		return XG_EXIT_FAIL;
	}
	uname(&c->uts);
	sscanf(c->uts.release, "%d.%d", &major, &minor);
	c->kver = dr_kv(major, minor);
	dr_probe_caps(c);
	dr_probe_device(c);
	dr_probe_channels(c);
	if (dr_query_xdp_features(c))
		pr_debug("doctor: no netdev netlink family; XDP features unknown\n");
	dr_probe_xdp_prog(c);
	return 0;
}

/* ---- the checks, in order ------------------------------------------- */

static const struct dr_check dr_checks[] = {
	{ "privileges", dr_check_privileges },
	{ "interface", dr_check_interface },
	{ "driver", dr_check_driver },
	{ "xdp-attached", dr_check_xdp_attached },
	{ "xdp-native", dr_check_xdp_native },
	{ "xdp-zerocopy", dr_check_xdp_zerocopy },
	{ "queues", dr_check_queues },
	{ "rss", dr_check_rss },
	{ "ntuple", dr_check_ntuple },
	{ "busy-poll", dr_check_busy_poll },
	{ "napi-defer", dr_check_napi_defer },
	{ "threaded-napi", dr_check_threaded_napi },
	{ "cpu-governor", dr_check_cpu_governor },
	{ "numa", dr_check_numa },
	{ "irq-affinity", dr_check_irq_affinity },
	{ "irqbalance", dr_check_irqbalance },
	{ "route", dr_check_route },
	{ "bpffs", dr_check_bpffs },
	{ "memlock", dr_check_memlock },
	{ "kernel", dr_check_kernel },
	{ "btf", dr_check_btf },
};

_Static_assert(sizeof(dr_checks) / sizeof(dr_checks[0]) <= DR_MAX_RESULTS,
	       "one result per check");

/* ---- command -------------------------------------------------------- */

static void doctor_usage(FILE *f)
{
	fprintf(f,
		"usage: xdpgame doctor IFACE [--json] [--port P]... [--cpus LIST]\n"
		"\n"
		"Check what IFACE and this host offer xdpgame (native XDP, zero-copy,\n"
		"queues, RSS, ntuple, busy polling, CPU governor, NUMA, IRQs, route\n"
		"check, bpffs, memlock, kernel, privileges): one line per check, OK, WARN, FAIL or\n"
		"INFO, each not OK with the command that fixes it. Exit status 1 if a\n"
		"check FAILs. Read-only: it loads no BPF program and attaches nothing\n"
		"(on kernels before 6.3, which cannot report a driver's XDP features,\n"
		"native XDP support is reported as unknown).\n"
		"\n"
		"  -p, --port P        game UDP port, used in the fix commands (repeatable)\n"
		"  -c, --cpus LIST     worker CPUs, e.g. 0-3,6 (default: all we may run on)\n"
		"      --json          one JSON object instead of text\n"
		"  -v, --verbose       debug messages\n"
		"  -h, --help          this text\n");
}

static int doctor_bad(const char *opt, const char *val, const char *want)
{
	pr_warn("error: doctor: invalid %s '%s': %s\n", opt, val, want);
	return XG_EXIT_USAGE;
}

/* Options into the context; XG_EXIT_OK, or -1 after --help. */
static int doctor_parse(int argc, char **argv, struct dr_ctx *c)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'J' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int opt, n;

	while ((opt = getopt_long(argc, argv, "p:c:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (c->nports == XG_MAX_PORTS)
				return doctor_bad("--port", optarg, "too many ports");
			if (xg_parse_port(optarg, &c->ports[c->nports]))
				return doctor_bad("--port", optarg, "want 1..65535");
			c->nports++;
			break;
		case 'c':
			n = xg_parse_cpulist(optarg, c->cpus, XG_MAX_CPUS);
			if (n < 0)
				return doctor_bad("--cpus", optarg,
						  "want a list of CPUs such as 0-3,6");
			c->ncpus = n;
			break;
		case 'J':
			c->json = true;
			break;
		case 'v':
			xg_log_set_level(XG_LOG_DEBUG);
			break;
		case 'h':
			doctor_usage(stdout);
			return -1;
		default:
			doctor_usage(stderr);
			return XG_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		pr_warn("error: doctor: %s\n", optind >= argc ?
			"missing interface name" : "one interface only");
		doctor_usage(stderr);
		return XG_EXIT_USAGE;
	}
	c->ifarg = argv[optind];
	return XG_EXIT_OK;
}

static int doctor_run(struct dr_ctx *c)
{
	int n[DR_NVERDICTS], err;

	if (!c->ncpus)
		c->ncpus = xg_online_cpus(c->cpus, XG_MAX_CPUS);
	if (c->ncpus <= 0) {
		c->cpus[0] = 0;
		c->ncpus = 1;
	}
	c->ncpus = dr_cpus_normalize(c->cpus, c->ncpus);
	dr_fmt_cpulist(c->cpus, c->ncpus, c->cpulist, sizeof(c->cpulist));
	err = dr_setup(c);
	if (err)
		return err;
	for (size_t i = 0; i < sizeof(dr_checks) / sizeof(dr_checks[0]); i++) {
		int before = c->nres;

		c->current = dr_checks[i].name;
		dr_checks[i].run(c);
		if (c->nres == before)
			dr_record(c, DR_INFO, "no finding");
	}
	if (!c->json)
		dr_print_text(c, stdout);
	else if ((err = dr_print_json(c, stdout))) {
		pr_warn("error: doctor: cannot print the JSON: %s\n", strerror(-err));
		return XG_EXIT_FAIL;
	}
	dr_count(c, n);
	return n[DR_FAIL] ? XG_EXIT_FAIL : XG_EXIT_OK;
}

int cmd_doctor(int argc, char **argv)
{
	struct dr_ctx *c = calloc(1, sizeof(*c));
	int ret;

	if (!c) {
		pr_warn("error: doctor: out of memory\n");
		return XG_EXIT_FAIL;
	}
	c->sock = -1;
	ret = doctor_parse(argc, argv, c);
	if (ret == -1)
		ret = XG_EXIT_OK;
	else if (ret == XG_EXIT_OK)
		ret = doctor_run(c);
	if (c->sock >= 0)
		close(c->sock);
	free(c);
	return ret;
}
