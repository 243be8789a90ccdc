/* SPDX-License-Identifier: MIT */
/*
 * The doctor's checks of the host around the NIC: busy polling, NAPI
 * (interrupt deferral, threaded NAPI), the CPU frequency governor, bpffs,
 * RLIMIT_MEMLOCK, the kernel version, and kernel BTF.
 */
#include <dirent.h>
#include <limits.h>
#include <mntent.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <linux/capability.h>

#include "doctor/doctor.h"
#include "xdp/loader.h"

enum {
	DR_MEMLOCK_WANT = 64 << 20,	/* bytes */
};

static int dr_online_cpus(void)
{
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

/* ---- busy polling and NAPI ------------------------------------------ */

void dr_check_busy_poll(struct dr_ctx *c)
{
	long poll, rd;

	if (dr_read_long("/proc/sys/net/core/busy_poll", &poll) ||
	    dr_read_long("/proc/sys/net/core/busy_read", &rd)) {
		dr_record(c, DR_INFO, "net.core.busy_poll/busy_read are not visible in this network namespace");
		return;
	}
	if (poll > 0 && rd > 0) {
		dr_record(c, DR_OK, "busy_poll=%ld busy_read=%ld (us)", poll, rd);
		return;
	}
	dr_record(c, DR_WARN,
		  "busy_poll=%ld busy_read=%ld: kernel sockets (the fallback engine) sleep for interrupts; AF_XDP workers busy-poll on their own with --busy-poll",
		  poll, rd);
	dr_fix(c, "sysctl -w net.core.busy_poll=50 net.core.busy_read=50");
}

void dr_check_napi_defer(struct dr_ctx *c)
{
	long defer, gro;

	if (!dr_need_sysfs(c))
		return;
	if (dr_sys_long(c, "napi_defer_hard_irqs", &defer) ||
	    dr_sys_long(c, "gro_flush_timeout", &gro)) {
		dr_record(c, DR_INFO, "no napi_defer_hard_irqs/gro_flush_timeout in sysfs (kernel < 5.10)");
		return;
	}
	if (defer > 0 && gro > 0) {
		dr_record(c, DR_OK,
			  "napi_defer_hard_irqs=%ld gro_flush_timeout=%ld ns: interrupts stay off while workers busy-poll",
			  defer, gro);
		return;
	}
	if (c->virt) {
		dr_record(c, DR_INFO,
			  "napi_defer_hard_irqs=%ld gro_flush_timeout=%ld: they defer NIC interrupts, and a virtual device has none",
			  defer, gro);
		return;
	}
	dr_record(c, DR_WARN,
		  "napi_defer_hard_irqs=%ld gro_flush_timeout=%ld: with --busy-poll, interrupts still fire between polls; 2 and 200000 (ns) let the workers keep them off",
		  defer, gro);
	dr_fix(c, "echo 2 > /sys/class/net/%s/napi_defer_hard_irqs", c->ifname);
	dr_fix(c, "echo 200000 > /sys/class/net/%s/gro_flush_timeout", c->ifname);
}

/* Threaded NAPI is on: its kthreads (napi/IFACE-N) must not be allowed
 * on the worker CPUs, where a busy-polling worker and the kthread take
 * the CPU from each other (docs/BENCHMARKS.md measured it). */
static void napi_threads_placed(struct dr_ctx *c, long v)
{
	char prefix[32], comm[32], path[64];
	int pid, shared = 0, first = 0, free_cpu = -1, i, k;
	struct dirent *d;
	cpu_set_t set;
	DIR *proc;
	FILE *f;

	snprintf(prefix, sizeof(prefix), "napi/%s-", c->ifname);
	prefix[15] = '\0'; /* a task's comm is 15 characters at most */
	for (i = 0; i < CPU_SETSIZE && i < 1024 && free_cpu < 0; i++) {
		bool worker = false;

		for (k = 0; k < c->ncpus; k++)
			worker |= c->cpus[k] == i;
		if (!worker && i < dr_online_cpus())
			free_cpu = i;
	}
	proc = opendir("/proc");
	while (proc && (d = readdir(proc))) {
		pid = atoi(d->d_name);
		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		fclose(f);
		if (strncmp(comm, prefix, strlen(prefix)) ||
		    sched_getaffinity(pid, sizeof(set), &set))
			continue;
		for (k = 0; k < c->ncpus; k++)
			if (CPU_ISSET(c->cpus[k], &set)) {
				if (!shared++)
					first = pid;
				break;
			}
	}
	if (proc)
		closedir(proc);
	if (!shared) {
		dr_record(c, DR_OK,
			  "threaded NAPI (threaded=%ld), its napi/%s-* kthreads kept off the worker CPUs %s",
			  v, c->ifname, c->cpulist);
		return;
	}
	dr_record(c, DR_WARN,
		  "threaded NAPI (threaded=%ld): %d napi/%s-* kthread%s may run on the worker CPUs %s, where with --busy-poll a spinning worker and the kthread take the CPU from each other",
		  v, shared, c->ifname, shared == 1 ? "" : "s", c->cpulist);
	if (free_cpu >= 0)
		dr_fix(c, "taskset -pc %d %d   (and every other napi/%s-* kthread)",
		       free_cpu, first, c->ifname);
	else
		dr_fix(c, "echo 0 > /sys/class/net/%s/threaded   (every CPU a worker: let --busy-poll run NAPI in the workers)",
		       c->ifname);
}

void dr_check_threaded_napi(struct dr_ctx *c)
{
	long v;

	if (!dr_need_sysfs(c))
		return;
	if (dr_sys_long(c, "threaded", &v)) {
		dr_record(c, DR_INFO, "no threaded NAPI knob (kernel < 5.12)");
	} else if (v == 0) {
		dr_record(c, DR_INFO,
			  "NAPI runs in softirq (threaded=0): fine with --busy-poll; without it, threaded NAPI gives kthreads you can pin away from the workers");
		dr_fix(c, "echo 1 > /sys/class/net/%s/threaded", c->ifname);
	} else {
		napi_threads_placed(c, v);
	}
}

/* ---- CPUs ----------------------------------------------------------- */

void dr_check_cpu_governor(struct dr_ctx *c)
{
	char path[PATH_MAX], gov[32], first[64] = "";
	int found = 0, slow = 0;

	for (int i = 0; i < c->ncpus; i++) {
		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%d/cpufreq/scaling_governor",
			 c->cpus[i]);
		if (dr_read_line(path, gov, sizeof(gov)))
			continue;
		found++;
		if (strcmp(gov, "performance") && !slow++)
			snprintf(first, sizeof(first), "cpu%d: %s", c->cpus[i], gov);
	}
	if (!found)
		dr_record(c, DR_INFO, "no cpufreq (VM?): the host decides the CPU frequency");
	else if (!slow)
		dr_record(c, DR_OK, "performance on all %d worker CPU(s) with cpufreq", found);
	else {
		dr_record(c, DR_WARN,
			  "%d of %d worker CPU(s) not on the performance governor (%s): frequency ramps add latency spikes",
			  slow, found, first);
		dr_fix(c, "cpupower -c %s frequency-set -g performance", c->cpulist);
	}
}

/* ---- BPF environment and kernel ------------------------------------- */

void dr_check_bpffs(struct dr_ctx *c)
{
	FILE *f = setmntent("/proc/self/mounts", "re");
	char other[PATH_MAX] = "";
	struct mntent *m;
	bool std = false;

	while (f && (m = getmntent(f))) {
		if (strcmp(m->mnt_type, "bpf"))
			continue;
		if (!strcmp(m->mnt_dir, "/sys/fs/bpf"))
			std = true;
		else if (!other[0])
			snprintf(other, sizeof(other), "%s", m->mnt_dir);
	}
	if (f)
		endmntent(f);
	if (std) {
		dr_record(c, DR_OK, "bpffs mounted at /sys/fs/bpf");
		return;
	}
	dr_record(c, DR_INFO,
		  "bpffs not mounted at /sys/fs/bpf%s%s: xdpgame attach mounts it itself to pin its maps",
		  other[0] ? "; one is at " : "", other);
	dr_fix(c, "mount -t bpf bpf /sys/fs/bpf");
}

/* What `attach --route-check auto` will do here: the FIB lookup of the
 * replies' way back needs forwarding on loopback (xdp/loader.h). */
void dr_check_route(struct dr_ctx *c)
{
	int fam = xg_route_families();

	if ((fam & XG_ROUTE_IPV4) && (fam & XG_ROUTE_IPV6)) {
		dr_record(c, DR_OK,
			  "forwarding on loopback: replies from the XDP path follow the kernel's route (route check on)");
		return;
	}
	if (fam & XG_ROUTE_IPV4) {
		dr_record(c, DR_INFO,
			  "net.ipv6.conf.lo.forwarding=0: route check on for IPv4; IPv6 requests are answered by the kernel socket (pass_route)");
		dr_fix(c, "sysctl -w net.ipv6.conf.lo.forwarding=1");
		return;
	}
	dr_record(c, DR_INFO,
		  "net.ipv4.conf.lo.forwarding=0: attach leaves the route check off, and replies from the XDP path go back to the sender's MAC; right with one gateway, wrong with several or with policy routing");
	dr_fix(c, "sysctl -w net.ipv4.conf.lo.forwarding=1 net.ipv6.conf.lo.forwarding=1");
}

static void dr_fmt_bytes(unsigned long long v, char *buf, size_t len)
{
	if (v == (unsigned long long)RLIM_INFINITY)
		snprintf(buf, len, "unlimited");
	else if (v >= 1 << 20)
		snprintf(buf, len, "%llu MiB", v >> 20);
	else
		snprintf(buf, len, "%llu KiB", v >> 10);
}

void dr_check_memlock(struct dr_ctx *c)
{
	struct rlimit rl = {};
	char lim[32];
	bool low, memcg = c->kver >= dr_kv(5, 11);

	getrlimit(RLIMIT_MEMLOCK, &rl);
	dr_fmt_bytes(rl.rlim_cur, lim, sizeof(lim));
	low = rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < DR_MEMLOCK_WANT;
	if (!low || (memcg && dr_has_cap(c, CAP_IPC_LOCK))) {
		dr_record(c, DR_OK, "RLIMIT_MEMLOCK %s %s", lim,
			  !low ? "is enough for BPF maps and the AF_XDP UMEM" :
			  "does not matter: the kernel charges BPF memory to memcg (5.11+) and CAP_IPC_LOCK exempts the UMEM");
		return;
	}
	if (!memcg && dr_has_cap(c, CAP_SYS_RESOURCE) && dr_has_cap(c, CAP_IPC_LOCK)) {
		dr_record(c, DR_OK,
			  "RLIMIT_MEMLOCK %s, but libbpf raises it when it loads (CAP_SYS_RESOURCE) and CAP_IPC_LOCK exempts the UMEM",
			  lim);
		return;
	}
	dr_record(c, DR_WARN, "RLIMIT_MEMLOCK is %s: %s", lim,
		  memcg ? "without CAP_IPC_LOCK the AF_XDP UMEM is charged to it" :
			  "kernels before 5.11 charge BPF maps to it");
	dr_fix(c, "ulimit -l unlimited");
}

void dr_check_kernel(struct dr_ctx *c)
{
	static const struct {
		int major, minor;
		const char *what, *meaning;
	} feats[] = {
		{ 4, 8, "native XDP", "no XDP at all: kernel sockets only" },
		{ 4, 12, "generic XDP", "drivers without native XDP get no fast path" },
		{ 4, 18, "AF_XDP", "no AF_XDP sockets: game packets take the kernel path" },
		{ 5, 3, "XDP_USE_NEED_WAKEUP", "workers kick the kernel with a syscall on every batch" },
		{ 5, 9, "bpf_link XDP", "xdpgame attaches its program through a bpf_link: no XDP, kernel sockets only" },
		{ 5, 11, "SO_PREFER_BUSY_POLL", "no AF_XDP busy polling: workers wait for interrupts" },
	};
	char missing[DR_DETAIL_LEN - 64] = "";
	int need = 0;

	for (size_t i = 0; i < sizeof(feats) / sizeof(feats[0]); i++) {
		if (c->kver >= dr_kv(feats[i].major, feats[i].minor))
			continue;
		need = dr_kv(feats[i].major, feats[i].minor);
		dr_append(missing, sizeof(missing), "; ", "%s (%d.%d): %s",
			  feats[i].what, feats[i].major, feats[i].minor,
			  feats[i].meaning);
	}
	if (!need) {
		dr_record(c, DR_OK,
			  "%s has every feature xdpgame uses (XDP, AF_XDP, need_wakeup, bpf_link, SO_PREFER_BUSY_POLL)",
			  c->uts.release);
		return;
	}
	dr_record(c, DR_WARN, "%s lacks %s", c->uts.release, missing);
	dr_fix(c, "install a kernel >= %d.%d",
	       need / 1000, need % 1000);
}

void dr_check_btf(struct dr_ctx *c)
{
	struct stat st;

	if (!stat("/sys/kernel/btf/vmlinux", &st)) {
		dr_record(c, DR_OK, "kernel BTF at /sys/kernel/btf/vmlinux");
		return;
	}
	dr_record(c, DR_WARN,
		  "no /sys/kernel/btf/vmlinux: CO-RE relocations in the XDP object cannot be resolved, so it may not load (xdpgame then serves through kernel sockets)");
	dr_fix(c, "install a kernel built with CONFIG_DEBUG_INFO_BTF=y");
}
