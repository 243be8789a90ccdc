#!/usr/bin/env bash
# `make bench`: side-by-side benchmark of the serving paths (docs/BENCHMARKS.md).
#
#   scripts/bench.sh /abs/path/build/xdpgame
#
# Three questions, each answered side by side in one run, as ratios, with
# the CPU placement printed (server, its workers and its veth end's NAPI
# thread on CPU 1; the client and its end's NAPI thread on CPU 0):
#  - capacity: served acks/s against offered load (open loop, the
#    generator `xdpgame load --blast --steps`: BPF_PROG_RUN live frames,
#    paced in the kernel, acks counted by XDP on the client's veth),
#    swept from 25,000/s to the generator's maximum (several Mpps), for
#    sockets naive, sockets batched, AF_XDP, AF_XDP
#    --busy-poll, in-kernel replies, and two limits doing no game work: a
#    bare AF_XDP echo (scripts/bench_echo.c) and a bare XDP_TX swap
#    (bpf/xdp_swap.bpf.c); per path the no-drop rate and the rate under
#    overload; plotted into docs/capacity.png;
#  - latency: ping-pong RTT and RTT at half each path's no-drop rate,
#    p50/p99/p99.9, measured with the AF_XDP client `xdpgame load --xsk`
#    (it matches every ack to its request); ping-pong CDF plotted into
#    docs/latency-cdf.png;
#  - cost: server CPU time per million requests at a fixed rate, the
#    instructions per MOVE in user space (callgrind on
#    scripts/bench_move.c), the XDP program's ns per packet against a
#    bare parse-and-pass (BPF_PROG_TEST_RUN).
# Then the targets, MET or MISSED and by how much. Last,
# scripts/bench_tcp.sh: the TCP engine with 100,000 connections. The paths are measured
# in scripts/bench_paths.sh (sourced). Everything it creates is removed on
# exit, even on failure (except the plots).
#
# Knobs (environment; any of the first four set makes a short run that
# leaves docs/BENCHMARKS.md alone): XG_BENCH_PATHS (all seven),
# XG_BENCH_RATES (25,000 to 2,000,000 a second), XG_BENCH_STEP_S (1), XG_BENCH_PINGPONG
# (5000), XG_BENCH_COST_RATE (100000), XG_BENCH_XDP_REPEAT (10000000).
set -u
XDPGAME=${1:-$(cd "$(dirname "$0")/.." && pwd)/build/xdpgame}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BPFDIR=$(dirname "$XDPGAME") # build/: xdp_pass.bpf.o, xdp_swap.bpf.o
# shellcheck source=veth.sh
. "$ROOT/scripts/veth.sh"
FULL=1 # the whole sweep: worth writing into docs/BENCHMARKS.md
[ -n "${XG_BENCH_PATHS:-}${XG_BENCH_RATES:-}${XG_BENCH_STEP_S:-}${XG_BENCH_PINGPONG:-}" ] && FULL=0
XDP_REPEAT=${XG_BENCH_XDP_REPEAT:-10000000}
XGB=/sys/fs/bpf/xgbench-$$ # the test_run programs and their maps
BPFFS_MOUNTED=
MIX_GAME=move:60,attack:15,heartbeat:20,oob:5
RUN=bench$$
SRV='' CLI='' SIF='' CIF='' PORT=4000
SRV_CPU=1 CLI_CPU=0
TMP=$(mktemp -d /tmp/xdpgame-bench.XXXXXX)
SPID=

[ "$(id -u)" -eq 0 ] || { echo "bench: run as root (it creates network namespaces)" >&2; exit 1; }
[ -x "$XDPGAME" ] || { echo "bench: no binary at $XDPGAME (make build/xdpgame)" >&2; exit 1; }
[ "$(nproc)" -ge 2 ] || { echo "bench: needs 2 CPUs (server on CPU $SRV_CPU, client on CPU $CLI_CPU)" >&2; exit 1; }

cleanup() {
	if [ -n "$SPID" ]; then
		kill -TERM "$SPID" 2>/dev/null
		for _ in $(seq 1 50); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$SPID" 2>/dev/null
		wait "$SPID" 2>/dev/null
	fi
	# pins are keyed NETNS-IFINDEX (the namespace's nsfs inode)
	[ -n "$SRV" ] && rm -rf "/sys/fs/bpf/xdpgame/$(stat -L -c %i "/run/netns/$SRV" 2>/dev/null)-"*
	[ -n "$SRV" ] && ip netns del "$SRV" 2>/dev/null
	[ -n "$CLI" ] && ip netns del "$CLI" 2>/dev/null
	rm -rf "$TMP" "$XGB"
	rmdir /sys/fs/bpf/xdpgame 2>/dev/null
	[ -n "$BPFFS_MOUNTED" ] && umount /sys/fs/bpf 2>/dev/null
	true
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

srv() { nsenter --net="/run/netns/$SRV" "$@"; }
cli() { nsenter --net="/run/netns/$CLI" "$@"; }

# Threaded NAPI for DEV inside NS, its kthreads pinned to CPU and made
# SCHED_FIFO at priority PRIO: woken by a frame, a kthread runs at once,
# before anything of a lower priority on its CPU (one left waiting for its
# CPU slice, ms, overflows the veth's 256-frame ring). Under overload it
# always has work and keeps the CPU from everything below it, so the
# server runs above its NAPI (bench_paths.sh). Prints the placement;
# returns 1 if there is no NAPI thread to pin.
pin_napi() {
	local ns=$1 dev=$2 cpu=$3 prio=$4 pids pid
	ip netns exec "$ns" sh -c "echo 1 > /sys/class/net/$dev/threaded" 2>/dev/null
	pids=$(pgrep -f "napi/$dev-")
	[ -n "$pids" ] || pids=$(pgrep -f "napi/$dev")
	[ -n "$pids" ] || { echo "  placement: no NAPI thread for $dev (threaded=$(ip netns exec "$ns" cat /sys/class/net/$dev/threaded 2>/dev/null))"; return 1; }
	for pid in $pids; do
		taskset -pc "$cpu" "$pid" >/dev/null 2>&1 ||
			echo "  placement: could not pin $pid to CPU $cpu"
		chrt -f -p "$prio" "$pid" >/dev/null 2>&1 ||
			echo "  placement: could not make $pid SCHED_FIFO"
	done
	echo "  placement: $(for pid in $pids; do printf '%s(pid %s) -> CPU %s %s ' "$(cat /proc/$pid/comm)" "$pid" "$(taskset -pc "$pid" | sed 's/.*: //')" "$(chrt -p "$pid" | sed -n 's/.*policy: *//p')"; done)"
}

# everything printed from here on is also kept, for docs/BENCHMARKS.md
exec > >(tee "$TMP/out.txt")
echo "== xdpgame bench: $(nproc) CPUs, kernel $(uname -r), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
# A fresh pair of namespaces and veth for every path (bench_paths.sh):
# a configuration that wedges the link must not poison the next.
NET=0
teardown_net() {
	rm -rf "/sys/fs/bpf/xdpgame/$(stat -L -c %i "/run/netns/$SRV" 2>/dev/null)-"*
	ip netns del "$SRV" 2>/dev/null
	ip netns del "$CLI" 2>/dev/null
}

# ratio A B: A / B with 2 decimals, n/a without B
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
# target check: name, measured ratio, op (ge|le), goal
target() {
	local name=$1 val=$2 op=$3 goal=$4
	if [ -z "$val" ] || [ "$val" = n/a ]; then
		printf '  %-40s not measured\n' "$name"
		return
	fi
	awk -v n="$name" -v v="$val" -v op="$op" -v g="$goal" 'BEGIN {
		met = (op == "ge") ? (v >= g) : (v <= g);
		if (met) printf "  %-40s %.2fx  MET\n", n, v;
		else if (op == "ge") printf "  %-40s %.2fx  MISSED (%.0f%% short of %.2fx)\n", n, v, (1 - v / g) * 100, g;
		else printf "  %-40s %.2fx  MISSED (%.0f%% over %.2fx)\n", n, v, (v / g - 1) * 100, g;
	}'
}

# ---- the serving paths: capacity, latency, server CPU (bench_paths.sh) ----
# shellcheck source=bench_paths.sh
. "$ROOT/scripts/bench_paths.sh"

# ---- costs: instructions per MOVE in user space (callgrind) ----
echo
echo "== costs: instructions per MOVE in user space (callgrind, deterministic)"
BM=$ROOT/build/bench_move
if ! command -v valgrind >/dev/null; then
	echo "  not measured: valgrind not installed"
elif ! (cd "$ROOT" && gcc -O2 -g -std=gnu11 -D_GNU_SOURCE -Iinclude -Iuser -Ibuild \
	scripts/bench_move.c user/engine/frames.c user/game/handlers.c user/game/world.c user/core/stats.c user/core/ring.c \
	user/game/msg.c user/game/session.c user/core/siphash.c -o "$BM" -lpthread -lm) 2>"$TMP/bm.err"; then
	echo "  not measured: build/bench_move did not build: $(head -5 "$TMP/bm.err")"
else
	N1=1000 N2=100000
	ok=1
	# twice per N: collecting inside serve_moves() (everything per frame),
	# and inside xg_handle() only (callgrind's totals, no annotation needed)
	for n in $N1 $N2; do
		timeout 120 valgrind --tool=callgrind --toggle-collect='serve_moves*' \
			--callgrind-out-file="$TMP/cg.$n" "$BM" $n >"$TMP/bm.$n" 2>&1 || ok=0
		timeout 120 valgrind --tool=callgrind --toggle-collect='xg_handle' \
			--callgrind-out-file="$TMP/cgh.$n" "$BM" $n >/dev/null 2>&1 || ok=0
	done
	if [ $ok -ne 1 ]; then
		echo "  not measured: bench_move failed under callgrind: $(grep -v '^==' "$TMP/bm.$N2" | head -3)"
	else
		tot() { sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$1" | head -1; }
		per() { awk -v a="$1" -v b="$2" -v n="$((N2 - N1))" 'BEGIN { printf "%.1f", (b - a) / n }'; }
		ALL=$(per "$(tot "$TMP/cg.$N1")" "$(tot "$TMP/cg.$N2")")
		HND=$(per "$(tot "$TMP/cgh.$N1")" "$(tot "$TMP/cgh.$N2")")
		OTHER=$(awk -v a="$ALL" -v h="$HND" 'BEGIN { printf "%.1f", a - h }')
		echo "  per MOVE, (Ir($N2) - Ir($N1)) / $((N2 - N1)), only inside serve_moves():"
		echo "    xg_handle (session check, handle_move, world, stats, ack):  $HND"
		echo "    frame: xg_frame_walk, xg_frame_check, peer, xg_frame_reply:   $OTHER"
		echo "    total per MOVE (AF_XDP worker's per-frame work, rings excluded): $ALL"
		awk -v v="$ALL" -v h="$HND" 'BEGIN {
			if (v <= 150) printf "  target <= 150 instructions per MOVE: %.0f  MET\n", v;
			else printf "  target <= 150 instructions per MOVE: %.0f  MISSED (%.1fx; xg_handle alone %.0f)\n", v, v / 150, h }'
	fi

fi

# ---- costs: the XDP program, ns per packet (BPF_PROG_TEST_RUN) ----
# One valid 90-byte MOVE frame (Ethernet/IPv4/UDP 192.0.2.2:50000 ->
# 192.0.2.1:PORT, the MOVE of docs/PROTOCOL.md's example: player 42, token
# 0x1122334455667788), run REPEAT times in the kernel by `bpftool prog run`,
# which prints the average duration. xdpgame.bpf.o: game port in `ports`,
# the frame's destination in `addrs` and the config's MAC, player 42's
# session (that token, 192.0.2.2:50000) in `sessions`, no budgets, redirect
# 0: the frame is walked, checked for this host, validated, its session
# checked, and passed (fallthrough, no XSK needed): an in-session MOVE.
# xdp_swap.bpf.o on the same frame to port PORT+1: walked and passed, the
# bare parse-and-pass the target is measured against.
echo
echo "== costs: XDP program ns per packet (bpftool prog run, repeat $XDP_REPEAT, median of 3)"
# $1: UDP destination port; writes the frame's bytes
move_frame() {
	python3 - "$1" <<'PY'
import struct, sys
port = int(sys.argv[1])
payload = (struct.pack("<HBBHBBIIQ", 0x4758, 2, 1, 48, 0, 0, 7, 42, 0x1122334455667788)
           + struct.pack("<QfffI", 10000000000, 50.0, -100.0, 0.0, 0))
udp = struct.pack("!HHHH", 50000, port, 8 + len(payload), 0) + payload
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0,
                 bytes([192, 0, 2, 2]), bytes([192, 0, 2, 1]))
s = sum(struct.unpack("!10H", ip))
s = (s & 0xffff) + (s >> 16)
s = (s & 0xffff) + (s >> 16)
ip = ip[:10] + struct.pack("!H", ~s & 0xffff) + ip[12:]
eth = bytes([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 8, 0])
sys.stdout.buffer.write(eth + ip + udp)
PY
}
# bytes as bpftool wants them: "b0 b1 ..." in decimal
config_value() { # struct xg_xdp_config: ten __u32 0 (no route check), MAC 02:00:00:00:00:01
	python3 -c 'print(" ".join(map(str, bytes(40) + bytes([2, 0, 0, 0, 0, 1]) + bytes(2))))'
}
addr_key() { python3 -c 'print(" ".join(map(str, bytes(10) + bytes([255, 255, 192, 0, 2, 1]))))'; }
session_value() { # token, ::ffff:192.0.2.2, port 50000 (network order), rest 0
	python3 -c 'import struct; v = struct.pack("<Q", 0x1122334455667788) + bytes(10) + bytes([255, 255, 192, 0, 2, 2]) + struct.pack("!H", 50000); v += bytes(64 - len(v)); print(" ".join(map(str, v)))'
}
# $1: pinned program, $2: frame; prints the median ns of 3 runs, or nothing
xdp_ns() {
	local k out ns=()
	for k in 1 2 3; do
		out=$(bpftool prog run pinned "$1" data_in "$2" repeat "$XDP_REPEAT" 2>&1)
		echo "$out" | grep -q 'Return value: 2,' || { echo "$out" >"$TMP/xdp.err"; return; }
		ns+=("$(echo "$out" | sed -n 's/.*duration (average): *\([0-9]*\)ns.*/\1/p')")
	done
	printf '%s\n' "${ns[@]}" | sort -n | sed -n 2p
}
X_NS= S_NS=
if ! command -v bpftool >/dev/null; then
	echo "  not measured: bpftool not installed"
elif [ ! -f "$BPFDIR/xdpgame.bpf.o" ] || [ ! -f "$BPFDIR/xdp_swap.bpf.o" ]; then
	echo "  not measured: no $BPFDIR/xdpgame.bpf.o or xdp_swap.bpf.o"
else
	if ! mountpoint -q /sys/fs/bpf; then
		mount -t bpf bpf /sys/fs/bpf && BPFFS_MOUNTED=1
	fi
	PORT_HEX=$(printf '%04x' "$PORT")
	move_frame "$PORT" >"$TMP/move.bin"
	move_frame $((PORT + 1)) >"$TMP/move-other.bin"
	if ! mkdir -p "$XGB" ||
		! bpftool prog load "$BPFDIR/xdpgame.bpf.o" "$XGB/prog" type xdp pinmaps "$XGB/maps" 2>"$TMP/xdp.err" ||
		! bpftool map update pinned "$XGB/maps/ports" key "0x${PORT_HEX:2:2}" "0x${PORT_HEX:0:2}" 0 0 value 1 2>>"$TMP/xdp.err" ||
		! bpftool map update pinned "$XGB/maps/config" key 0 0 0 0 value $(config_value) 2>>"$TMP/xdp.err" ||
		! bpftool map update pinned "$XGB/maps/addrs" key $(addr_key) value 1 2>>"$TMP/xdp.err" ||
		! bpftool map update pinned "$XGB/maps/sessions" key 42 0 0 0 value $(session_value) 2>>"$TMP/xdp.err" ||
		! bpftool prog load "$BPFDIR/xdp_swap.bpf.o" "$XGB/swap" type xdp pinmaps "$XGB/swapmaps" 2>>"$TMP/xdp.err"; then
		echo "  not measured: cannot load the programs: $(grep -v '^$' "$TMP/xdp.err" | tail -3 | tr '\n' ' ')"
	else
		X_NS=$(xdp_ns "$XGB/prog" "$TMP/move.bin")
		[ -n "$X_NS" ] && S_NS=$(xdp_ns "$XGB/swap" "$TMP/move-other.bin")
		if [ -z "$X_NS" ] || [ -z "$S_NS" ]; then
			echo "  not measured: test_run did not pass the frame: $(head -3 "$TMP/xdp.err" | tr '\n' ' ')"
			X_NS= S_NS=
		else
			echo "  xdpgame.bpf.o, in-session MOVE to port $PORT (walk, ours?, validate, session, pass):  $X_NS ns/packet"
			echo "  xdp_swap.bpf.o, same frame to port $((PORT + 1)) (walk and pass):   $S_NS ns/packet"
			target "XDP program <= 1.5x parse-and-pass:" "$(ratio "$X_NS" "$S_NS")" le 1.5
		fi
	fi
	rm -rf "$XGB"
fi

# A full run (no short-run knob set) replaces the result
# block of docs/BENCHMARKS.md, between its two markers.
DOC=$ROOT/docs/BENCHMARKS.md
if [ "$FULL" != 1 ]; then
	echo
	echo "== docs/BENCHMARKS.md not updated (a short run: XG_BENCH_PATHS, _RATES, _STEP_S or _PINGPONG set)"
elif ! grep -q '^<!-- bench-result:begin -->$' "$DOC" 2>/dev/null; then
	echo
	echo "== docs/BENCHMARKS.md not updated: no bench-result markers in it"
else
	{
		echo '```'
		echo "$(date -u +%Y-%m-%d), $(nproc) CPUs, kernel $(uname -r), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
		sed -n '/^== paths measured/,$p' "$TMP/out.txt" | grep -v "^== docs/BENCHMARKS"
		echo '```'
	} >"$TMP/block"
	awk -v blk="$TMP/block" '
		/^<!-- bench-result:begin -->$/ { print; while ((getline l < blk) > 0) print l; skip = 1; next }
		/^<!-- bench-result:end -->$/ { skip = 0 }
		!skip' "$DOC" >"$TMP/doc" && cp "$TMP/doc" "$DOC"
	echo
	echo "== docs/BENCHMARKS.md: result block updated"
fi

# ---- the TCP engine with 100,000 connections: its own script and section ----
echo
echo "== TCP engine at scale (scripts/bench_tcp.sh; docs/BENCHMARKS.md, TCP)"
"$ROOT/scripts/bench_tcp.sh" "$XDPGAME" || echo "== TCP bench: FAILED (see above)"
exit 0
