#!/usr/bin/env bash
# The TCP engine at scale (`make bench` runs it after scripts/bench.sh; it
# also runs alone): docs/BENCHMARKS.md, section "TCP".
#
#   scripts/bench_tcp.sh /abs/path/build/xdpgame
#
# Two network namespaces joined by a veth pair; `xdpgame attach --tcp-port`
# (one TCP worker, pinned to CPU 1) in one, `xdpgame load --tcp` (CPU 0) in
# the other, which opens CONNS connections at once from NSRC source
# addresses, joins one player on each over its stream (protocol v2's
# handshake: JOIN, CHALLENGE, ANSWER, WELCOME), answers each once (the
# opening round), then keeps ACTIVE of them playing (window 1) for SECS
# seconds while all stay open.
#
# Server limits lifted, because a few addresses join every player: each
# server runs with --handshake-rate 0 --handshake-total 0 (no per-source
# or global handshake budget: 100,000 joins from 4 addresses) and
# --session-rate 0, and --session-timeout 3600000 so that the players of
# idle connections keep their sessions while the connections are held. Sampled
# while they are open: the server's RSS, the kernel's TCP sockets and
# socket buffer memory (/proc/net/sockstat) and its slab memory
# (/proc/meminfo), each against the same figures before the run.
#
# Limits it raises, only where they apply to itself: open files (ulimit -n,
# this process and its children), net.core.somaxconn and
# net.ipv4.tcp_max_syn_backlog in the server's namespace,
# net.ipv4.ip_local_port_range in the client's (all per namespace, gone
# with it). Nothing global is changed: net.ipv4.tcp_mem is only checked
# (it is global), and fs.nr_open must allow the ulimit.
#
# Knobs (environment): XG_TCP_CONNS (100000), XG_TCP_ACTIVE (1000),
# XG_TCP_SECS (10), XG_TCP_SOURCES (4), XG_TCP_DOC (1: update the doc).
set -u
XDPGAME=${1:-$(cd "$(dirname "$0")/.." && pwd)/build/xdpgame}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=veth.sh
. "$ROOT/scripts/veth.sh"
CONNS=${XG_TCP_CONNS:-100000}
ACTIVE=${XG_TCP_ACTIVE:-1000}
SECS=${XG_TCP_SECS:-10}
NSRC=${XG_TCP_SOURCES:-4}
SRV=xgts-$$ CLI=xgtc-$$ SIF=xts$$ CIF=xtc$$
PORT=4000 TPORT=5000 SRV_CPU=1 CLI_CPU=0
TMP=$(mktemp -d /tmp/xdpgame-bench-tcp.XXXXXX)
SAMPLER=

[ "$(id -u)" -eq 0 ] || { echo "bench_tcp: run as root (network namespaces)" >&2; exit 1; }
[ -x "$XDPGAME" ] || { echo "bench_tcp: no binary at $XDPGAME" >&2; exit 1; }

SPIDS=() CPIDS=()
cleanup() {
	local pid
	[ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null && wait "$SAMPLER" 2>/dev/null
	for pid in "${CPIDS[@]}" "${SPIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
	for pid in "${CPIDS[@]}" "${SPIDS[@]}"; do
		for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	ip netns del "$SRV" 2>/dev/null
	ip netns del "$CLI" 2>/dev/null
	rm -rf "$TMP"
	true
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

srv() { nsenter --net="/run/netns/$SRV" "$@"; }
cli() { nsenter --net="/run/netns/$CLI" "$@"; }
kib() { awk -v k="$1" '$1 == k":" { print $2 }' "$2"; }
# established TCP connections in namespace $1 (`ss -s`), and the kernel's
# TCP socket buffer memory in pages ("mem" of /proc/net/sockstat, global)
sockstat() {
	echo "$(nsenter --net="/run/netns/$1" ss -s | sed -n 's/^TCP:.*estab \([0-9]*\).*/\1/p')" \
		"$(awk '$1 == "TCP:" { print $11 }' /proc/net/sockstat)"
}

# Open files: one process holds one fd per connection. The soft limit goes
# up to the hard one; where the hard limit is too low for all connections in
# one process (raising it needs CAP_SYS_RESOURCE), the connections are
# spread over K server processes (one TCP port each) and K clients, all
# open at once on this machine.
ulimit -n "$(ulimit -Hn)"
PER_MAX=$(( $(ulimit -n) - 200 ))
K=$(( (CONNS + PER_MAX - 1) / PER_MAX ))
PER=$(( (CONNS + K - 1) / K ))

exec > >(tee "$TMP/out.txt")
echo "== xdpgame TCP bench: $(nproc) CPUs, kernel $(uname -r), $(free -g | awk '/^Mem:/ { print $2 }') GiB"
echo "== $CONNS connections, each joins a player over its stream (protocol v2), $ACTIVE of them active (window 1) for $SECS s; servers (1 TCP worker each; --handshake-rate 0 --handshake-total 0 --session-rate 0) on CPU $SRV_CPU, clients on CPU $CLI_CPU"
if [ "$K" -gt 1 ]; then
	echo "== open files limited to $(ulimit -Hn) per process (hard limit; raising it needs CAP_SYS_RESOURCE): $K server processes (TCP ports $TPORT..$((TPORT + K - 1))) of $PER connections each, and $K clients"
fi
xg_veth_pair "$SRV" "$CLI" "$SIF" "$CIF" 1 || { echo "bench_tcp: cannot set up namespaces" >&2; exit 1; }
for i in $(seq 0 $((K * NSRC - 1))); do
	ip -n "$CLI" addr add "192.0.2.$((10 + i))/24" dev "$CIF" || exit 1
done
srv sysctl -qw net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535
cli sysctl -qw net.ipv4.ip_local_port_range="1024 65535"
echo "== limits: ulimit -n $(ulimit -n); server ns somaxconn $(srv sysctl -n net.core.somaxconn); client ns ip_local_port_range $(cli sysctl -n net.ipv4.ip_local_port_range | tr '\t' ' '); tcp_mem (global, pages, unchanged) $(tr '\t' ' ' </proc/sys/net/ipv4/tcp_mem)"

for k in $(seq 0 $((K - 1))); do
	taskset -c "$SRV_CPU" nsenter --net="/run/netns/$SRV" "$XDPGAME" attach "$SIF" \
		--mode sockets --port $((PORT + k)) --tcp-port $((TPORT + k)) --workers 1 \
		--cpus "$SRV_CPU" --tcp-max $((PER + 100)) --tcp-idle 3600 --quiet --json \
		--handshake-rate 0 --handshake-total 0 --session-rate 0 \
		--session-timeout 3600000 \
		>"$TMP/srv$k.log" 2>&1 &
	SPIDS+=($!)
done
for k in $(seq 0 $((K - 1))); do
	for _ in $(seq 1 100); do grep -q serving "$TMP/srv$k.log" && break; sleep 0.1; done
	grep -q serving "$TMP/srv$k.log" || { echo "bench_tcp: server $k did not start: $(cat "$TMP/srv$k.log")" >&2; exit 1; }
done

rss_sum() { local pid t=0; for pid in "${SPIDS[@]}"; do t=$((t + $(kib VmRSS "/proc/$pid/status"))); done; echo $t; }
rss0=$(rss_sum)
slab0=$(kib Slab /proc/meminfo)
read -r inuse0 mem0 < <(sockstat "$SRV")

# client k: PER connections to server k from NSRC source addresses; the
# first K-1 hold theirs open, idle after the opening round, until the
# last client's play is over; the last one plays with ACTIVE connections
# (taskset and nsenter exec: $! of `client ... &` is the client itself)
client() {
	local k=$1 active=$2 secs=$3 a=$((10 + $1 * NSRC))
	exec taskset -c "$CLI_CPU" nsenter --net="/run/netns/$CLI" \
		"$XDPGAME" load --tcp "$XG_SRV_IP4:$((TPORT + k))" --connections "$PER" \
		--active "$active" --duration "$secs" \
		--source-addrs "192.0.2.$a-192.0.2.$((a + NSRC - 1))" \
		--json -q >"$TMP/load$k.json" 2>"$TMP/load$k.err"
}
t0=$(date +%s.%N)
for k in $(seq 0 $((K - 2))); do
	client "$k" 0 3600 &
	CPIDS+=($!)
done
# wait (for a condition, not a time) until the holders' connections are open
want=$((inuse0 + PER * (K - 1)))
inuse=$inuse0
for _ in $(seq 1 3000); do
	read -r inuse _ < <(sockstat "$SRV")
	[ "$inuse" -ge "$want" ] && break
	sleep 0.1
done
[ "$K" -gt 1 ] && echo "== $((inuse - inuse0)) connections held open by $((K - 1)) client(s); now the last client: $PER connections, $ACTIVE active"

# sample while the connections are open: the peak of each figure
(
	while :; do
		echo "$(rss_sum) $(kib Slab /proc/meminfo) $(sockstat "$SRV")"
		sleep 0.5
	done
) >"$TMP/samples" 2>/dev/null &
SAMPLER=$!
client $((K - 1)) "$ACTIVE" "$SECS" &
CPIDS+=($!)
wait "${CPIDS[-1]}"
rc=$?
unset 'CPIDS[-1]'
t1=$(date +%s.%N)
kill "$SAMPLER" 2>/dev/null
wait "$SAMPLER" 2>/dev/null
SAMPLER=
# the holders: SIGTERM makes them report and exit
for pid in "${CPIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
for pid in "${CPIDS[@]}"; do wait "$pid" 2>/dev/null; done
CPIDS=()

if ! python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/load$((K - 1)).json" 2>/dev/null; then
	echo "bench_tcp: the load generator gave no report (rc $rc): $(head -5 "$TMP/load$((K - 1)).err")"
	exit 1
fi
# the peaks: the sample with the most TCP sockets in the server's namespace
read -r rss1 slab1 inuse1 mem1 < <(sort -k3 -n "$TMP/samples" | tail -1)

python3 "$ROOT/scripts/bench_tcp_result.py" "$TMP" "$K" "$rc" "$t0" "$t1" "$rss0" "$rss1" \
	"$slab0" "$slab1" "$inuse0" "$inuse1" "$mem0" "$mem1" | tee "$TMP/result.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
for pid in "${SPIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
for pid in "${SPIDS[@]}"; do
	for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	wait "$pid" 2>/dev/null
done
SPIDS=()
for k in $(seq 0 $((K - 1))); do
	echo "== server $k summary (tcp): $(python3 "$ROOT/tests/integration/jsonq.py" "$TMP/srv$k.log" tcp)"
done

DOC=$ROOT/docs/BENCHMARKS.md
if [ "${XG_TCP_DOC:-1}" = 1 ] && [ "$rc" -eq 0 ] && grep -q '^<!-- bench-tcp:begin -->$' "$DOC" 2>/dev/null; then
	{
		echo '```'
		echo "$(date -u +%Y-%m-%d), $(nproc) CPUs, kernel $(uname -r), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
		sed -n '2,$p' "$TMP/out.txt" | grep -v '^== server summary (tcp): not read'
		echo '```'
	} >"$TMP/block"
	awk -v blk="$TMP/block" '
		/^<!-- bench-tcp:begin -->$/ { print; while ((getline l < blk) > 0) print l; skip = 1; next }
		/^<!-- bench-tcp:end -->$/ { skip = 0 }
		!skip' "$DOC" >"$TMP/doc" && cp "$TMP/doc" "$DOC"
	echo "== docs/BENCHMARKS.md: TCP result block updated"
fi
exit "$rc"
