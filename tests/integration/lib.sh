#!/usr/bin/env bash
# shellcheck shell=bash
# One runner library for the integration tests: two network namespaces
# joined by a veth pair, names unique to the run, bpffs mounted, and a
# teardown that runs on every exit (success, failure, signal) and removes
# the namespaces, the processes and the pins the test made.
#
#   . "$(dirname "$0")/lib.sh"
#   xg_setup [rxqueues]      srv/cli namespaces, veth $XG_SIF <-> $XG_CIF
#   xg_peer_xdp              XDP_PASS on the client veth (needed for XDP_TX)
#   xg_srv CMD...            run in the server namespace (nsenter --net only,
#   xg_cli CMD...            so bpffs pins stay visible)
#   xg_bg NAME CMD...        run in the background in the server namespace;
#                            its output goes to $XG_TMP/NAME.log
#   xg_wait_log NAME TEXT    wait (10 s) for TEXT in NAME.log
#   xg_pins [IFACE]          the pin directory of IFACE (default $XG_SIF) in
#                            the server namespace: XG_PIN_ROOT/NETNS-IFINDEX
#   ok / fail MSG            record a check
#
# XG_DEBUG=1 leaves everything up at the end and prints how to enter it.
# Exit codes: 0 pass, 1 fail, 77 skip (not root, or a feature is missing).

set -u

XDPGAME=${XDPGAME:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/xdpgame}
XG_RUN=${XG_RUN:-$$}
XG_NS_SRV="xgs-$XG_RUN"
XG_NS_CLI="xgc-$XG_RUN"
XG_SIF="xs$XG_RUN"
XG_CIF="xc$XG_RUN"
# shellcheck source=../../scripts/veth.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/veth.sh"
XG_SIP4=$XG_SRV_IP4
XG_CIP4=$XG_CLI_IP4
XG_SIP6=$XG_SRV_IP6
XG_CIP6=$XG_CLI_IP6
XG_PIDS=()
XG_FAILS=0
XG_CHECKS=0

xg_skip() { echo "SKIP: $*"; exit 77; }

[ "$(id -u)" -eq 0 ] || xg_skip "needs root (network namespaces, XDP)"
[ -x "$XDPGAME" ] || { echo "FAIL: $XDPGAME not built"; exit 1; }
XG_TMP=$(mktemp -d /tmp/xdpgame-test.XXXXXX)

ok() { XG_CHECKS=$((XG_CHECKS + 1)); echo "  ok   $*"; }
fail() { XG_CHECKS=$((XG_CHECKS + 1)); XG_FAILS=$((XG_FAILS + 1)); echo "  FAIL $*"; }
# quiet CMD...: CMD without its output
quiet() { "$@" >/dev/null 2>&1; }
# check DESCRIPTION CMD...: ok if CMD succeeds
check() { local d=$1; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }

xg_srv() { nsenter --net="/run/netns/$XG_NS_SRV" "$@"; }
xg_cli() { nsenter --net="/run/netns/$XG_NS_CLI" "$@"; }

xg_bg() {
	local name=$1; shift
	nsenter --net="/run/netns/$XG_NS_SRV" "$@" >"$XG_TMP/$name.log" 2>&1 &
	XG_PIDS+=($!)
	eval "XG_PID_${name//-/_}=$!"
}

xg_pid() { eval "echo \${XG_PID_${1//-/_}:-}"; }

xg_wait_log() {
	local name=$1 text=$2 i
	for i in $(seq 1 100); do
		grep -q -- "$text" "$XG_TMP/$name.log" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "  (timed out waiting for '$text' in $name.log:)"
	sed 's/^/    | /' "$XG_TMP/$name.log" | tail -20
	return 1
}

# Wait (10 s) for a background process to exit; its status in XG_STATUS.
xg_wait_exit() {
	local pid=$1 i
	for i in $(seq 1 100); do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid" 2>/dev/null
			XG_STATUS=$?
			return 0
		fi
		sleep 0.1
	done
	XG_STATUS=124
	return 1
}

xg_bpffs() {
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
}

xg_setup() {
	xg_veth_pair "$XG_NS_SRV" "$XG_NS_CLI" "$XG_SIF" "$XG_CIF" "${1:-1}" || exit 1
	# A new namespace takes IPv4's forwarding settings from the host's,
	# and with them `attach --route-check auto`'s choice: pin it (off), so
	# the counters a test expects do not depend on the host. route.sh
	# turns it on.
	xg_srv sysctl -qw net.ipv4.conf.lo.forwarding=0 \
		net.ipv6.conf.lo.forwarding=0 2>/dev/null
	xg_bpffs
}

# Pins are keyed by network namespace (the nsfs inode) and ifindex.
xg_netns_ino() { stat -L -c %i "/run/netns/$1"; }
xg_pins() {
	local idx
	idx=$(xg_srv ip -o link show dev "${1:-$XG_SIF}" | cut -d: -f1)
	echo "/sys/fs/bpf/xdpgame/$(xg_netns_ino "$XG_NS_SRV")-$idx"
}

# XDP_PASS on the client's veth, so XDP_TX'd and redirected frames from the
# server side reach it (see bpf/xdp_pass.bpf.c for why not GRO).
xg_peer_xdp() { xg_veth_peer_pass "$XG_NS_CLI" "$XG_CIF" "$(dirname "$XDPGAME")"; }

xg_teardown() {
	local pid ns ino
	if [ "${XG_DEBUG:-0}" = 1 ]; then
		echo "XG_DEBUG: left up: namespaces $XG_NS_SRV $XG_NS_CLI, logs in $XG_TMP"
		echo "XG_DEBUG: enter with nsenter --net=/run/netns/$XG_NS_SRV bash"
		return
	fi
	for pid in "${XG_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${XG_PIDS[@]}"; do
		xg_wait_exit "$pid" || kill -KILL "$pid" 2>/dev/null
	done
	for ns in "$XG_NS_SRV" "$XG_NS_CLI"; do
		ino=$(xg_netns_ino "$ns" 2>/dev/null) &&
			rm -rf "/sys/fs/bpf/xdpgame/$ino-"* 2>/dev/null
	done
	ip netns del "$XG_NS_SRV" 2>/dev/null
	ip netns del "$XG_NS_CLI" 2>/dev/null
	rmdir /sys/fs/bpf/xdpgame 2>/dev/null
	rm -rf "$XG_TMP"
}
trap xg_teardown EXIT
trap 'exit 1' INT TERM

# A value from xdpgame's --json output, parsed by a real JSON parser (the
# last whole JSON line of FILE): json_field FILE KEY[.KEY|.INDEX...]
json_field() { python3 "$XG_SRCDIR/tests/integration/jsonq.py" "$1" "$2"; }
# A Python expression over that document (bound to d): json_eval FILE EXPR
json_eval() { python3 "$XG_SRCDIR/tests/integration/jsonq.py" "$1" -e "$2"; }

xg_finish() {
	echo "$((XG_CHECKS - XG_FAILS)) passed, $XG_FAILS failed"
	[ "$XG_FAILS" -eq 0 ]
}
