/* SPDX-License-Identifier: MIT */
/*
 * The integration tests are bash scripts (tests/integration/NAME.sh, on veth
 * pairs in network namespaces); each runs here as one Criterion test so that
 * `make test` ends with a single Criterion summary. A script exits 0 (pass),
 * 1 (fail) or 77 (skip: not root, or a kernel feature is missing); its own
 * output, one line a check, is shown on failure.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static void run_script(const char *name)
{
	const char *src = getenv("XG_SRCDIR");
	char cmd[1024], line[512], out[65536] = "";
	size_t used = 0;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "bash %s/tests/integration/%s 2>&1",
		 src ? src : ".", name);
	p = popen(cmd, "r");
	cr_assert_not_null(p, "cannot run %s", cmd);
	while (fgets(line, sizeof(line), p)) {
		size_t n = strlen(line);

		if (used + n < sizeof(out)) {
			memcpy(out + used, line, n + 1);
			used += n;
		}
	}
	st = pclose(p);
	cr_assert(WIFEXITED(st), "%s died\n%s", name, out);
	if (WEXITSTATUS(st) == 77)
		cr_skip_test("%s", out);
	cr_log_info("%s:\n%s", name, out);
	cr_assert_eq(WEXITSTATUS(st), 0, "%s failed:\n%s", name, out);
}

#define INTEGRATION(test, script, secs)                                      \
	Test(integration, test, .timeout = secs)                            \
	{                                                                    \
		run_script(script);                                          \
	}

INTEGRATION(sockets_engine_over_veth, "sockets.sh", 120)
INTEGRATION(doctor_checks, "doctor.sh", 60)
INTEGRATION(xdp_program_over_veth, "xdp.sh", 240)
INTEGRATION(afxdp_two_queues_over_veth, "xsk.sh", 300)
INTEGRATION(load_blast_over_veth, "blast.sh", 120)
INTEGRATION(load_xsk_over_veth, "loadxsk.sh", 90)
INTEGRATION(sessions_against_forgers_and_floods, "security.sh", 400)
INTEGRATION(service_ops_over_veth, "ops.sh", 300)
INTEGRATION(make_install_destdir, "install.sh", 120)
INTEGRATION(tcp_engine_over_veth, "tcp.sh", 180)
INTEGRATION(lifecycle_over_veth, "lifecycle.sh", 420)
INTEGRATION(replies_follow_the_route, "route.sh", 180)
