/* SPDX-License-Identifier: MIT */
/*
 * The doctor's checks of how the NIC spreads the game traffic and where
 * its interrupts land: RX queues against the worker CPUs, RSS, ntuple
 * filters, the NIC's NUMA node, IRQ affinity, and irqbalance.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <linux/ethtool.h>

#include "doctor/doctor.h"

enum {
	DR_MAX_IRQS = 256,
};

/* ---- queues, RSS, ntuple -------------------------------------------- */

void dr_check_queues(struct dr_ctx *c)
{
	int want = c->ncpus < c->max_queues ? c->ncpus : c->max_queues;

	if (!c->chan_known) {
		dr_record(c, DR_INFO,
			  "the driver does not report its queues (ethtool -l): xdpgame finds the queue count at attach");
	} else if (c->queues == c->ncpus) {
		dr_record(c, DR_OK, "%d RX queue(s) for %d worker CPU(s) (max %d)",
			  c->queues, c->ncpus, c->max_queues);
	} else if (c->queues < c->ncpus && c->max_queues > c->queues) {
		dr_record(c, DR_WARN,
			  "%d RX queue(s) for %d worker CPUs (max %d): one AF_XDP worker serves each queue, so CPUs sit idle",
			  c->queues, c->ncpus, c->max_queues);
		dr_fix(c, "ethtool -L %s %s %d", c->ifname, c->chan_kind, want);
	} else if (c->queues < c->ncpus) {
		dr_record(c, DR_INFO,
			  "%d RX queue(s), the most %s allows, for %d worker CPUs: only %d worker(s) get a queue",
			  c->queues, c->driver[0] ? c->driver : "the driver",
			  c->ncpus, c->queues);
	} else {
		dr_record(c, DR_WARN,
			  "%d RX queues but %d worker CPUs (%s): workers would share CPUs; match them",
			  c->queues, c->ncpus, c->cpulist);
		dr_fix(c, "ethtool -L %s %s %d", c->ifname, c->chan_kind, c->ncpus);
	}
}

void dr_check_rss(struct dr_ctx *c)
{
	int size = 0, used = 0, err = dr_rss_table(c, &size, &used);
	bool ports = true, hash_known = !dr_udp4_hash_ports(c, &ports);
	bool narrow, addr_only;

	if (err || !size) {
		dr_record(c, DR_INFO, "no RSS indirection table (%s): %s",
			  err ? strerror(-err) : "size 0",
			  c->queues > 1 ? "the NIC does not spread flows over its queues by a table" :
			  c->queues == 1 ? "with one RX queue none is needed" :
					   "a device without queues to spread over");
		return;
	}
	narrow = used < c->queues;
	addr_only = hash_known && !ports && c->queues > 1;
	if (!narrow && !addr_only) {
		dr_record(c, DR_OK, "indirection table of %d entries spreads over %d queue(s)%s",
			  size, used, hash_known && ports ? "; UDP/IPv4 hash includes ports" : "");
		return;
	}
	dr_record(c, DR_WARN, "indirection table of %d entries uses %d of %d queues%s",
		  size, used, c->queues, addr_only ?
		  "; UDP/IPv4 is hashed on addresses only, so clients behind one NAT share a queue" : "");
	if (narrow)
		dr_fix(c, "ethtool -X %s equal %d", c->ifname, c->queues);
	if (addr_only)
		dr_fix(c, "ethtool -N %s rx-flow-hash udp4 sdfn", c->ifname);
}

static void dr_ntuple_fix(struct dr_ctx *c)
{
	dr_fix(c, "ethtool -K %s ntuple on", c->ifname);
	if (!c->nports)
		dr_fix(c, "ethtool -N %s flow-type udp4 dst-port 4000 action 0",
		       c->ifname);
	for (int i = 0; i < c->nports; i++)
		dr_fix(c, "ethtool -N %s flow-type udp4 dst-port %u action %d",
		       c->ifname, c->ports[i], c->queues > 0 ? i % c->queues : 0);
}

void dr_check_ntuple(struct dr_ctx *c)
{
	struct ethtool_rxnfc cnt = { .cmd = ETHTOOL_GRXCLSRLCNT };
	struct ethtool_value fl = { .cmd = ETHTOOL_GFLAGS };
	bool avail = false, active = false;
	int err = dr_feature(c, "rx-ntuple-filter", &avail, &active);

	if (err && !dr_ethtool(c, &fl)) {	/* old drivers: flags only */
		active = fl.data & ETH_FLAG_NTUPLE;
		avail = active;
		err = 0;
	}
	if (err || (!avail && !active)) {
		dr_record(c, DR_INFO,
			  "%s has no ntuple filters: RSS alone spreads the game traffic over the queues",
			  c->driver[0] ? c->driver : c->ifname);
	} else if (c->queues <= 1 && c->max_queues <= 1) {
		dr_record(c, DR_INFO, "ntuple filters %s, but one RX queue: nothing to steer",
			  active ? "on" : "off");
	} else if (!active) {
		dr_record(c, DR_INFO,
			  "ntuple filters available but off: needed only to keep the game ports on chosen queues (attach --queues N on fewer than all queues)");
		dr_ntuple_fix(c);
	} else {
		dr_record(c, DR_OK, "ntuple filters on, %d rule(s) installed",
			  dr_ethtool(c, &cnt) ? 0 : (int)cnt.rule_cnt);
	}
}

/* ---- NUMA, IRQs ----------------------------------------------------- */

static bool dr_cpu_in(const int *cpus, int n, int cpu)
{
	for (int i = 0; i < n; i++)
		if (cpus[i] == cpu)
			return true;
	return false;
}

void dr_check_numa(struct dr_ctx *c)
{
	char path[PATH_MAX], list[256];
	int node_cpus[XG_MAX_CPUS], n, off = 0;
	long node;

	if (!dr_need_sysfs(c))
		return;
	if (c->virt) {
		dr_record(c, DR_INFO, "virtual device: no NUMA node");
		return;
	}
	if (dr_numa_node(c, &node) || node < 0) {
		dr_record(c, DR_INFO, "the NIC reports no NUMA node (one-node machine, or the firmware does not say)");
		return;
	}
	snprintf(path, sizeof(path), "/sys/devices/system/node/node%ld/cpulist", node);
	n = dr_read_line(path, list, sizeof(list)) ? -ENOENT :
	    xg_parse_cpulist(list, node_cpus, XG_MAX_CPUS);
	if (n <= 0) {
		dr_record(c, DR_INFO, "NIC on node %ld, which has no CPUs listed", node);
		return;
	}
	for (int i = 0; i < c->ncpus; i++)
		off += !dr_cpu_in(node_cpus, n, c->cpus[i]);
	if (!off) {
		dr_record(c, DR_OK, "NIC on node %ld; all worker CPUs (%s) are on it", node, c->cpulist);
		return;
	}
	dr_record(c, DR_WARN,
		  "NIC on node %ld (CPUs %s) but %d worker CPU(s) are not: their packets cross the interconnect",
		  node, list, off);
	dr_fix(c, "xdpgame attach %s --cpus %s --port %u", c->ifname, list,
	       c->nports ? c->ports[0] : 4000);
}

/* IRQs that may fire on a CPU outside the workers, as "irq->CPUs" in
 * `bad`, and in `fix` the commands that spread them over the workers. */
static int dr_irqs_off_workers(struct dr_ctx *c, const int *irqs, int n,
			       char *bad, size_t badlen, char *fix, size_t fixlen)
{
	char path[PATH_MAX], list[256];
	int cpus[XG_MAX_CPUS], nbad = 0;

	for (int i = 0; i < n; i++) {
		int m, off = 0;

		snprintf(path, sizeof(path), "/proc/irq/%d/smp_affinity_list", irqs[i]);
		if (dr_read_line(path, list, sizeof(list)))
			continue;
		m = xg_parse_cpulist(list, cpus, XG_MAX_CPUS);
		for (int j = 0; j < m; j++)
			off += !dr_cpu_in(c->cpus, c->ncpus, cpus[j]);
		if (!off)
			continue;
		dr_append(bad, badlen, " ", "%d->%s", irqs[i], list);
		dr_append(fix, fixlen, " && ", "echo %d > /proc/irq/%d/smp_affinity_list",
			  c->cpus[nbad % c->ncpus], irqs[i]);
		nbad++;
	}
	return nbad;
}

void dr_check_irq_affinity(struct dr_ctx *c)
{
	int irqs[DR_MAX_IRQS], n = dr_find_irqs(c, irqs, DR_MAX_IRQS), nbad;
	char bad[512] = "", fix[DR_FIX_LEN] = "";

	if (n <= 0) {
		dr_record(c, DR_INFO, c->virt ? "virtual device: no IRQs" :
			  "no IRQ in /proc/interrupts names %s or its device", c->ifname);
		return;
	}
	nbad = dr_irqs_off_workers(c, irqs, n, bad, sizeof(bad), fix, sizeof(fix));
	if (!nbad) {
		dr_record(c, DR_OK, "%d IRQ(s) of %s, all on worker CPUs (%s)",
			  n, c->ifname, c->cpulist);
		return;
	}
	dr_record(c, DR_WARN,
		  "%d of %d IRQ(s) of %s may fire outside the worker CPUs (%s): %s (irq->CPUs)",
		  nbad, n, c->ifname, c->cpulist, bad);
	dr_fix(c, "%s", fix);
}

void dr_check_irqbalance(struct dr_ctx *c)
{
	long pid = dr_find_process("irqbalance");

	if (!pid) {
		dr_record(c, DR_OK, "irqbalance is not running");
		return;
	}
	dr_record(c, DR_WARN,
		  "irqbalance (pid %ld) is running and will move the NIC's IRQs off the CPUs you pin them to",
		  pid);
	dr_fix(c, "systemctl stop irqbalance");
}
