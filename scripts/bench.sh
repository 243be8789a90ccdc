#!/usr/bin/env bash
# `make bench`: side-by-side benchmark of the serving paths (docs/BENCHMARKS.md).
#
#   scripts/bench.sh /abs/path/build/xdpgame
#
# Two network namespaces joined by a veth pair (1 queue each way), a fixed CPU
# placement (server, its workers and the server-side NAPI thread on CPU 1; the
# client and the client-side NAPI thread on CPU 0), and a closed-loop client
# (`xdpgame load`, fixed --window and --count) against:
#   (a) kernel sockets, recvfrom/sendto      --mode sockets --naive
#   (b) kernel sockets, recvmmsg/sendmmsg    --mode sockets
#   (c) AF_XDP                               --mode native --queues 1
#   (d) AF_XDP + in-kernel replies, heartbeats only (XDP_TX)
#   (e) bare XDP_TX address swap, heartbeats only (bpf/xdp_swap.bpf.c):
#       the physical limit of this setup
# each RUNS times, interleaved (a b c d e a b c d e ...). Then the instructions
# per MOVE in user space, by callgrind on scripts/bench_move.c, and the XDP
# program's ns per packet (BPF_PROG_TEST_RUN) against a bare parse-and-pass.
# The last run of each configuration also writes the client's RTT CDF
# (`xdpgame load --cdf`), plotted with gnuplot into docs/latency-cdf.png.
# Last, scripts/bench_tcp.sh: the TCP engine with 100,000 connections.
# Everything it creates is removed on exit, even on failure (except the plot).
#
# Knobs (environment): XG_BENCH_RUNS (3), XG_BENCH_COUNT (200000),
# XG_BENCH_WINDOW (64), XG_BENCH_PLAYERS (1000), XG_BENCH_XDP_REPEAT (10000000).
set -u
XDPGAME=${1:-$(cd "$(dirname "$0")/.." && pwd)/build/xdpgame}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BPFDIR=$(dirname "$XDPGAME") # build/: xdp_pass.bpf.o, xdp_swap.bpf.o
# shellcheck source=veth.sh
. "$ROOT/scripts/veth.sh"
RUNS=${XG_BENCH_RUNS:-3}
COUNT=${XG_BENCH_COUNT:-200000}
WINDOW=${XG_BENCH_WINDOW:-64}
PLAYERS=${XG_BENCH_PLAYERS:-1000}
XDP_REPEAT=${XG_BENCH_XDP_REPEAT:-10000000}
PLOT=$ROOT/docs/latency-cdf.png
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

# Threaded NAPI for DEV inside NS, its kthreads pinned to CPU. Prints the
# placement; returns 1 if there is no NAPI thread to pin.
pin_napi() {
	local ns=$1 dev=$2 cpu=$3 pids pid
	ip netns exec "$ns" sh -c "echo 1 > /sys/class/net/$dev/threaded" 2>/dev/null
	pids=$(pgrep -f "napi/$dev-")
	[ -n "$pids" ] || pids=$(pgrep -f "napi/$dev")
	[ -n "$pids" ] || { echo "  placement: no NAPI thread for $dev (threaded=$(ip netns exec "$ns" cat /sys/class/net/$dev/threaded 2>/dev/null))"; return 1; }
	for pid in $pids; do
		taskset -pc "$cpu" "$pid" >/dev/null 2>&1 ||
			echo "  placement: could not pin $pid to CPU $cpu"
	done
	echo "  placement: $(for pid in $pids; do printf '%s(pid %s) -> CPU %s ' "$(cat /proc/$pid/comm)" "$pid" "$(taskset -pc "$pid" | sed 's/.*: //')"; done)"
}

# everything printed from here on is also kept, for docs/BENCHMARKS.md
exec > >(tee "$TMP/out.txt")
echo "== xdpgame bench: $(nproc) CPUs, kernel $(uname -r), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
# A fresh pair of namespaces and veth for every run: a configuration that
# wedges the link (see (d) in docs/BENCHMARKS.md) must not poison the next.
NET=0
setup_net() {
	NET=$((NET + 1))
	SRV=xgs-$RUN-$NET CLI=xgc-$RUN-$NET SIF=xbs$$-$NET CIF=xbc$$-$NET
	xg_veth_pair "$SRV" "$CLI" "$SIF" "$CIF" 1 || return 1
	# Each veth end needs a NAPI instance in every configuration, so the
	# receive work of each side runs in its own pinned NAPI thread: GRO
	# gives the server's end one (XDP attached or not); the client's end
	# gets an XDP_PASS program, which also lets XDP_TX frames reach it
	# (with GRO alone the pair went dead after a few hundred XDP_TX
	# replies on 6.18: bpf/xdp_pass.bpf.c).
	srv ethtool -K "$SIF" gro on >/dev/null 2>&1
	xg_veth_peer_pass "$CLI" "$CIF" "$BPFDIR" || return 1
	pin_napi "$CLI" "$CIF" "$CLI_CPU"
	pin_napi "$SRV" "$SIF" "$SRV_CPU"
}
teardown_net() {
	rm -rf "/sys/fs/bpf/xdpgame/$(stat -L -c %i "/run/netns/$SRV" 2>/dev/null)-"*
	ip netns del "$SRV" 2>/dev/null
	ip netns del "$CLI" 2>/dev/null
}

echo "== setting up: per run, namespaces xgs-$RUN-K and xgc-$RUN-K, veth xbs$$-K <-> xbc$$-K (1 queue, GRO on the server end, XDP_PASS on the client end, tx checksum off)"
echo "== CPU placement (fixed): server + workers + server NAPI on CPU $SRV_CPU; client (taskset -c $CLI_CPU) + client NAPI on CPU $CLI_CPU"
setup_net >"$TMP/pin" || { cat "$TMP/pin"; echo "bench: cannot set up namespaces" >&2; exit 1; }
sed 's/^/  first run /' "$TMP/pin"
teardown_net
echo "== load: closed loop, --count $COUNT --window $WINDOW --players $PLAYERS; $RUNS runs per configuration, interleaved"

CONFIGS="a b c d e"
declare -A DESC ARGS MIX SKIP LOADX
# One client address plays all the players at full speed: far over the
# per-source handshake and per-session budgets a server has by default
# (docs/SECURITY.md). The servers lift them with the operator's options.
LIMITS="--handshake-rate 0 --session-rate 0"
echo "== limits: each server runs with $LIMITS (one client address plays $PLAYERS players flat out)"
DESC[a]="sockets naive (recvfrom/sendto)"
ARGS[a]="--mode sockets --naive --workers 1 --cpus $SRV_CPU $LIMITS"
MIX[a]=$MIX_GAME
DESC[b]="sockets (recvmmsg/sendmmsg)"
ARGS[b]="--mode sockets --workers 1 --cpus $SRV_CPU $LIMITS"
MIX[b]=$MIX_GAME
DESC[c]="AF_XDP native, 1 queue"
ARGS[c]="--mode native --queues 1 --workers 1 --cpus $SRV_CPU $LIMITS"
MIX[c]=$MIX_GAME
DESC[d]="AF_XDP + kernel replies, heartbeats"
ARGS[d]="--mode native --queues 1 --workers 1 --cpus $SRV_CPU --kernel-replies $LIMITS"
MIX[d]=heartbeat:1
DESC[e]="bare XDP_TX address swap, heartbeats"
ARGS[e]=  # no xdpgame: bpf/xdp_swap.bpf.o on the server's veth
MIX[e]=heartbeat:1
LOADX[e]=--no-join  # a bare reflector has no sessions to join

# One run of configuration $1, number $2: appends "pps p50 p99" to
# $TMP/$1.res, or a failure line to $TMP/$1.fail.
run_one() {
	run_one_net "$@"
	teardown_net
}
run_one_net() {
	local c=$1 i=$2 log=$TMP/srv-$1-$2.log out=$TMP/cli-$1-$2.json rc
	local acked lost wrong pps p50 p99 cdf=()
	# the last run of each configuration also writes its RTT CDF
	[ "$i" -eq "$RUNS" ] && cdf=(--cdf "$TMP/cdf-$c.txt")
	if ! setup_net >"$TMP/pin"; then
		echo "  ($c) run $i: cannot set up the namespaces: $(tr '\n' ' ' <"$TMP/pin")"
		echo "setup failed" >>"$TMP/$c.fail"
		return
	fi
	grep -q "no NAPI\|could not pin" "$TMP/pin" && sed "s/^/  ($c) run $i:/" "$TMP/pin"
	if [ "$c" = e ]; then
		srv ip link set dev "$SIF" xdpdrv obj "$BPFDIR/xdp_swap.bpf.o" sec xdp &&
			echo "serving (xdp_swap)" >"$log" ||
			echo "cannot attach xdp_swap.bpf.o" >"$log"
		# no server process: a sleeper stands in for it, so the code
		# below stops "the server" the same way for every configuration
		sleep 3600 >/dev/null 2>&1 &
		SPID=$!
	else
	# shellcheck disable=SC2086
	taskset -c "$SRV_CPU" nsenter --net="/run/netns/$SRV" \
		"$XDPGAME" attach "$SIF" --port $PORT ${ARGS[$c]} --quiet >"$log" 2>&1 &
	SPID=$!
	fi
	for _ in $(seq 1 100); do
		grep -q "serving" "$log" && break
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q "serving" "$log"; then
		echo "  ($c) run $i: the server did not start: $(tr '\n' ' ' <"$log" | cut -c1-300)"
		echo "server did not start: $(grep -m1 -i 'error\|fail\|cannot' "$log")" >>"$TMP/$c.fail"
		SKIP[$c]=1
		kill -KILL "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; SPID=
		return
	fi
	# attaching XDP may re-create the server's NAPI: pin it again
	pin_napi "$SRV" "$SIF" "$SRV_CPU" >"$TMP/pin" || sed "s/^/  ($c) run $i:/" "$TMP/pin"
	timeout 30 taskset -c "$CLI_CPU" nsenter --net="/run/netns/$CLI" \
		"$XDPGAME" load $XG_SRV_IP4:$PORT --count "$COUNT" --window "$WINDOW" \
		--players "$PLAYERS" --mix "${MIX[$c]}" ${LOADX[$c]:-} --json "${cdf[@]}" >"$out" 2>"$out.err"
	rc=$?
	kill -TERM "$SPID" 2>/dev/null
	for _ in $(seq 1 50); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$SPID" 2>/dev/null
	wait "$SPID" 2>/dev/null
	SPID=
	field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" "$out" | head -1; }
	acked=$(field acked) lost=$(field lost) wrong=$(field wrong)
	pps=$(field pps) p50=$(field p50) p99=$(field p99)
	if [ -z "$pps" ]; then
		echo "  ($c) run $i: FAILED (client rc $rc$([ $rc -eq 124 ] && echo ', timed out after 30 s')): $(tr '\n' ' ' <"$out.err" | cut -c1-200)"
		echo "client rc $rc, no report" >>"$TMP/$c.fail"
		SKIP[$c]=1
		return
	fi
	printf '  (%s) run %d: %9.0f acks/s  p50 %6.1f us  p99 %7.1f us  acked %s lost %s wrong %s%s\n' \
		"$c" "$i" "$pps" "$(echo "$p50" | awk '{print $1/1000}')" \
		"$(echo "$p99" | awk '{print $1/1000}')" "$acked" "$lost" "$wrong" \
		"$([ "$rc" -ne 0 ] && echo "  (client rc $rc: not every request acked correctly)")"
	if [ "$rc" -ne 0 ]; then
		# not counted: a run the client calls wrong is a failure, not a number
		rm -f "$TMP/cdf-$c.txt"
		echo "client rc $rc$([ "$rc" -eq 124 ] && echo ' (timed out)'): acked $acked of $COUNT, lost $lost, wrong $wrong" >>"$TMP/$c.fail"
		if [ "$((acked * 2))" -lt "$COUNT" ]; then
			echo "  ($c) broken (fewer than half acked): its remaining runs are skipped"
			SKIP[$c]=1
		fi
		return
	fi
	echo "$pps $p50 $p99" >>"$TMP/$c.res"
}

T0=$(date +%s)
for i in $(seq 1 "$RUNS"); do
	for c in $CONFIGS; do
		if [ -n "${SKIP[$c]:-}" ]; then
			echo "  ($c) run $i: skipped (failed before)"
			continue
		fi
		run_one "$c" "$i"
	done
done
echo "== measured in $(( $(date +%s) - T0 )) s"

# median / min / max of column $2 of file $1
stat3() { awk -v k="$2" '{print $k}' "$1" | sort -g | awk '{v[NR]=$1} END {
	if (!NR) exit; m = NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2;
	print m, v[1], v[NR] }'; }

declare -A PPS P50 P99
echo
echo "== results: median [min-max] over runs; ratio = median / median of (b)"
printf '%-3s %-38s %4s %24s %20s %22s\n' cfg description runs "acks/s" "rtt p50 us" "rtt p99 us"
for c in $CONFIGS; do
	if [ ! -s "$TMP/$c.res" ]; then
		printf '(%s) %-38s FAILED: %s\n' "$c" "${DESC[$c]}" "$(sort -u "$TMP/$c.fail" 2>/dev/null | tr '\n' ';')"
		continue
	fi
	read -r pm pl ph < <(stat3 "$TMP/$c.res" 1)
	read -r lm ll lh < <(stat3 "$TMP/$c.res" 2)
	read -r hm hl hh < <(stat3 "$TMP/$c.res" 3)
	PPS[$c]=$pm P50[$c]=$lm P99[$c]=$hm
	printf '(%s) %-38s %4d %8.0f [%6.0f-%6.0f] %6.1f [%5.1f-%5.1f] %7.1f [%6.1f-%6.1f]\n' \
		"$c" "${DESC[$c]}" "$(wc -l <"$TMP/$c.res")" "$pm" "$pl" "$ph" \
		"$(awk -v v="$lm" 'BEGIN{print v/1000}')" "$(awk -v v="$ll" 'BEGIN{print v/1000}')" "$(awk -v v="$lh" 'BEGIN{print v/1000}')" \
		"$(awk -v v="$hm" 'BEGIN{print v/1000}')" "$(awk -v v="$hl" 'BEGIN{print v/1000}')" "$(awk -v v="$hh" 'BEGIN{print v/1000}')"
	[ -s "$TMP/$c.fail" ] && echo "    ($c) also $(wc -l <"$TMP/$c.fail") failed run(s): $(sort -u "$TMP/$c.fail" | tr '\n' ';')"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
if [ -n "${PPS[b]:-}" ]; then
	echo
	echo "== ratios against (b)"
	for c in $CONFIGS; do
		[ -n "${PPS[$c]:-}" ] || { echo "($c) n/a (failed)"; continue; }
		echo "($c) throughput $(ratio "${PPS[$c]}" "${PPS[b]}")x  p50 $(ratio "${P50[$c]}" "${P50[b]}")x  p99 $(ratio "${P99[$c]}" "${P99[b]}")x"
	done
fi

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
echo
echo "== targets"
T_C=; T_L=; T_D=
[ -n "${PPS[b]:-}" ] && [ -n "${PPS[c]:-}" ] && T_C=$(ratio "${PPS[c]}" "${PPS[b]}") && T_L=$(ratio "${P50[c]}" "${P50[b]}")
[ -n "${PPS[d]:-}" ] && [ -n "${PPS[e]:-}" ] && T_D=$(ratio "${PPS[d]}" "${PPS[e]}")
target "(c) throughput >= 2x (b):" "$T_C" ge 2
target "(c) p50 <= 0.5x (b):" "$T_L" le 0.5
target "(d) throughput >= 0.9x (e):" "$T_D" ge 0.9
if [ -n "${PPS[e]:-}" ]; then
	echo
	echo "== ratios against (e), the bare XDP_TX limit"
	for c in $CONFIGS; do
		[ -n "${PPS[$c]:-}" ] && echo "($c) throughput $(ratio "${PPS[$c]}" "${PPS[e]}")x  p50 $(ratio "${P50[$c]}" "${P50[e]}")x"
	done
fi

# ---- the RTT CDF of each configuration's last run (gnuplot) ----
echo
echo "== latency CDF (last run of each configuration, xdpgame load --cdf)"
if ! command -v gnuplot >/dev/null; then
	echo "  not plotted: gnuplot not installed"
else
	PL=
	for c in $CONFIGS; do
		if [ ! -s "$TMP/cdf-$c.txt" ]; then
			echo "  ($c) no CDF (last run failed or skipped): not in the plot"
			continue
		fi
		PL="$PL${PL:+, }'$TMP/cdf-$c.txt' using 1:2 with steps lw 2 title '($c) ${DESC[$c]}'"
	done
	if [ -z "$PL" ]; then
		echo "  not plotted: no configuration has a CDF"
	else
		TERM_PNG=png
		gnuplot -e 'set terminal' 2>&1 | grep -q pngcairo && TERM_PNG=pngcairo
		if gnuplot >"$TMP/gnuplot.err" 2>&1 <<-EOF
			set terminal $TERM_PNG noenhanced size 900,640
			set output '$PLOT'
			set title 'RTT CDF, last run of each configuration (--count $COUNT --window $WINDOW --players $PLAYERS)'
			set logscale x
			set xlabel 'RTT (us, log scale)'
			set ylabel 'fraction of acked requests'
			set yrange [0:1]
			set grid
			set key below
			plot $PL
		EOF
		then
			echo "  plotted: $PLOT ($TERM_PNG)"
		else
			echo "  not plotted: gnuplot failed: $(head -3 "$TMP/gnuplot.err" | tr '\n' ' ')"
		fi
	fi
fi

# ---- costs: instructions per MOVE in user space (callgrind) ----
echo
echo "== costs: instructions per MOVE in user space (callgrind, deterministic)"
BM=$ROOT/build/bench_move
if ! command -v valgrind >/dev/null; then
	echo "  not measured: valgrind not installed"
elif ! (cd "$ROOT" && gcc -O2 -g -std=gnu11 -D_GNU_SOURCE -Iinclude -Iuser -Ibuild \
	scripts/bench_move.c user/game/handlers.c user/game/world.c user/core/stats.c user/core/ring.c \
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
		echo "    xg_handle (copy, validate, handle_move, world, stats, ack):  $HND"
		echo "    frame: copy request in, xg_frame_walk, udp_len, xg_frame_reply: $OTHER"
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
config_value() { # struct xg_xdp_config: all 0 but the MAC 02:00:00:00:00:01
	python3 -c 'print(" ".join(map(str, bytes(36) + bytes([2, 0, 0, 0, 0, 1]) + bytes(2))))'
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
		! bpftool map update pinned "$XGB/maps/ports" key "0x${PORT_HEX:2:2}" "0x${PORT_HEX:0:2}" value 1 2>>"$TMP/xdp.err" ||
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

# A full run (at least 3 runs of each configuration) replaces the result
# block of docs/BENCHMARKS.md, between its two markers.
DOC=$ROOT/docs/BENCHMARKS.md
if [ "$RUNS" -lt 3 ]; then
	echo
	echo "== docs/BENCHMARKS.md not updated (XG_BENCH_RUNS=$RUNS: fewer than 3 runs)"
elif ! grep -q '^<!-- bench-result:begin -->$' "$DOC" 2>/dev/null; then
	echo
	echo "== docs/BENCHMARKS.md not updated: no bench-result markers in it"
else
	{
		echo '```'
		echo "$(date -u +%Y-%m-%d), $(nproc) CPUs, kernel $(uname -r), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
		sed -n '/^== results/,$p' "$TMP/out.txt"
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
