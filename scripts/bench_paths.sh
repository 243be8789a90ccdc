# shellcheck shell=bash
# Sourced by scripts/bench.sh (`make bench`): capacity of every serving
# path, measured with the open-loop generator (`xdpgame load --blast
# --steps`), its latency, measured with the AF_XDP client (`xdpgame load
# --xsk`), and the server's CPU time per million requests.
# docs/BENCHMARKS.md explains the method; this file is the how.
#
# Uses bench.sh's: XDPGAME BPFDIR ROOT TMP PORT SRV_CPU CLI_CPU RUN, the
# namespace state SRV CLI SIF CIF SPID (which bench.sh's cleanup removes
# on any exit), srv/cli/pin_napi, ratio and target.
#
# Per path, in a fresh pair of namespaces: the server (or the bare echo, or
# the XDP_TX swap) on CPU SRV_CPU with its veth end's NAPI thread; the
# client on CPU CLI_CPU with its end's NAPI thread. Then:
#  1. capacity: one `load --blast` run, one handshake, then open-loop
#     steps of XG_BENCH_STEP_S seconds at each rate of XG_BENCH_RATES
#     (paced in the kernel), then one unpaced step (the generator's
#     maximum); a step that lost more than 0.1% (no more than 5%) is
#     tried up to twice more and its best try kept (a host stall spoils
#     one try, an overloaded server every one); a first, unmeasured step
#     at the lowest rate gives the NAPI threads the attach made time to
#     be pinned;
#  2. cost: the server's CPU time (its threads' and its NAPI thread's
#     schedstat run time) during a step at XG_BENCH_COST_RATE;
#  3. latency: ping-pong (--window 1, XG_BENCH_PINGPONG requests), then an
#     open-loop step at half the path's no-drop rate.
# No-drop rate: the highest offered rate of a paced step that was served
# with at most 0.1% lost and nothing wrong.
#
# Priorities (SCHED_FIFO): on the server's CPU the server's workers (its
# xg-* threads; the echo, a single thread) at SRV_PRIO above its NAPI
# kthread at SRV_NAPI_PRIO, above everything else: a frame is taken in
# at once, and its worker runs as soon as it has work, so under overload
# the frames the server cannot take are dropped at the veth, the cheapest
# place, instead of the NAPI kthread taking the CPU from the server
# (receive livelock). The server's other threads (stats, sessions'
# timeouts) stay SCHED_OTHER: above the NAPI kthread, a millisecond of
# their work overflowed the veth ring. On the client's CPU its NAPI
# kthread at CLI_NAPI_PRIO: the generator must not keep the ack counter
# from running, or the client, not the server, loses acks.
SRV_PRIO=20 SRV_NAPI_PRIO=10 CLI_NAPI_PRIO=50

STEP_S=${XG_BENCH_STEP_S:-1}
RATES=${XG_BENCH_RATES:-25000 50000 100000 150000 200000 250000 300000 400000 500000 600000 800000 1000000 1250000 1500000 2000000}
COST_RATE=${XG_BENCH_COST_RATE:-100000}
PINGPONG=${XG_BENCH_PINGPONG:-5000}
BPATHS=${XG_BENCH_PATHS:-naive sockets xsk busy busynt kernel echo swap}
CAP_PLOT=$ROOT/docs/capacity.png
CDF_PLOT=$ROOT/docs/latency-cdf.png
BLIMITS="--handshake-rate 0 --handshake-total 0 --session-rate 0"
ECHO_BIN=$ROOT/build/bench_echo
BP= # the path being measured
FIRST=0

declare -A PDESC PSRV PMIX PLOADX
PDESC[naive]="sockets naive (recvfrom/sendto)"
PSRV[naive]="--mode sockets --naive --workers 1 --cpus $SRV_CPU $BLIMITS"
PDESC[sockets]="sockets batched (recvmmsg/sendmmsg)"
PSRV[sockets]="--mode sockets --workers 1 --cpus $SRV_CPU $BLIMITS"
PDESC[xsk]="AF_XDP (copy mode)"
PSRV[xsk]="--mode native --queues 1 --workers 1 --cpus $SRV_CPU $BLIMITS"
PDESC[busy]="AF_XDP --busy-poll"
PSRV[busy]="--mode native --queues 1 --workers 1 --cpus $SRV_CPU --busy-poll $BLIMITS"
PDESC[busynt]="AF_XDP --busy-poll, NAPI not threaded"
PSRV[busynt]=${PSRV[busy]}
PDESC[kernel]="in-kernel replies (heartbeats)"
PSRV[kernel]="--mode native --queues 1 --workers 1 --cpus $SRV_CPU --kernel-replies $BLIMITS"
PDESC[echo]="bare AF_XDP echo (no game work)"
PDESC[swap]="bare XDP_TX swap (no game work)"
for p in naive sockets xsk busy busynt echo; do PMIX[$p]=move:1; done
PMIX[kernel]=heartbeat:1
PMIX[swap]=heartbeat:1
PLOADX[echo]=--no-join
PLOADX[swap]=--no-join

# The client veth gets no XDP_PASS program here: `load --xsk` attaches its
# own (which also gives the end its NAPI). GRO on both ends.
paths_setup_net() {
	NET=$((NET + 1))
	SRV=xgs-$RUN-$NET CLI=xgc-$RUN-$NET SIF=xbs$$-$NET CIF=xbc$$-$NET
	xg_veth_pair "$SRV" "$CLI" "$SIF" "$CIF" 1 || return 1
	srv ethtool -K "$SIF" gro on >/dev/null 2>&1
	cli ethtool -K "$CIF" gro on >/dev/null 2>&1
	pin_napi "$CLI" "$CIF" "$CLI_CPU" "$CLI_NAPI_PRIO"
	pin_srv_napi
}

# The server end's NAPI: a thread pinned to SRV_CPU, except for busynt,
# where NAPI is not threaded (docs/OPERATIONS.md's advice for busy polling
# where every CPU is a worker): a NAPI poll the worker does not run itself
# runs in a softirq on the CPU that scheduled it, on a veth the peer's
# transmit: the client's CPU, which paths_measure reports.
pin_srv_napi() {
	if [ "$BP" = busynt ]; then
		ip netns exec "$SRV" sh -c "echo 0 > /sys/class/net/$SIF/threaded"
		echo "  placement: $SIF NAPI not threaded (softirq)"
		return 0
	fi
	pin_napi "$SRV" "$SIF" "$SRV_CPU" "$SRV_NAPI_PRIO"
}

# Start path $1's server; 0 once it serves.
paths_server() {
	local p=$1 log=$TMP/psrv-$1.log i
	case $p in
	swap)
		srv ip link set dev "$SIF" xdpdrv obj "$BPFDIR/xdp_swap.bpf.o" sec xdp ||
			{ echo "  ($p) cannot attach xdp_swap.bpf.o"; return 1; }
		sleep 3600 >/dev/null 2>&1 & # stands in for the server process
		SPID=$!
		return 0 ;;
	echo)
		taskset -c "$SRV_CPU" chrt -f "$SRV_PRIO" nsenter --net="/run/netns/$SRV" \
			"$ECHO_BIN" "$SIF" "$PORT" "$SRV_CPU" >"$log" 2>&1 &
		SPID=$! ;;
	*)
		# shellcheck disable=SC2086
		taskset -c "$SRV_CPU" nsenter --net="/run/netns/$SRV" \
			"$XDPGAME" attach "$SIF" --port "$PORT" ${PSRV[$p]} --quiet >"$log" 2>&1 &
		SPID=$! ;;
	esac
	for i in $(seq 1 100); do
		grep -q "serving" "$log" && break
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.1
	done
	if grep -q "serving" "$log"; then
		srv_workers_prio
		return 0
	fi
	echo "  ($p) the server did not start: $(tr '\n' ' ' <"$log" | cut -c1-300)"
	return 1
}

# The xdpgame server's workers (threads named xg-*) SCHED_FIFO SRV_PRIO.
srv_workers_prio() {
	local t n=0
	for t in /proc/"$SPID"/task/*; do
		case $(cat "$t/comm" 2>/dev/null) in
		xg-*) chrt -f -p "$SRV_PRIO" "${t##*/}" >/dev/null 2>&1 && n=$((n + 1)) ;;
		esac
	done
	[ "$BP" = swap ] || [ "$BP" = echo ] || [ $n -gt 0 ] ||
		echo "  ($BP) placement: no xg-* worker thread made SCHED_FIFO"
}

paths_stop_server() {
	[ -n "$SPID" ] || return
	kill -TERM "$SPID" 2>/dev/null
	for _ in $(seq 1 50); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$SPID" 2>/dev/null
	wait "$SPID" 2>/dev/null
	SPID=
}

# Run time (ns) of the server's threads and its veth end's NAPI thread.
paths_cpu_ns() {
	local t pids
	pids=$(pgrep -f "napi/$SIF")
	{
		[ -n "$SPID" ] && [ "$1" != swap ] && cat /proc/"$SPID"/task/*/schedstat 2>/dev/null
		for t in $pids; do cat /proc/"$t"/schedstat 2>/dev/null; done
	} | awk '{ s += $1 } END { printf "%.0f\n", s }'
}

# One client run of path $1 into $2 (JSON), the rest its load options.
# The NAPI threads are pinned again while it runs: attaching XDP may make
# new ones. Bounded: timeout 60, --duration or --count.
paths_load() {
	local p=$1 out=$2 lp pin; shift 2
	# each run its own 1000 players: a session a run could not end (its
	# LEAVE lost in an overload) holds its player for the session timeout
	FIRST=$(( (FIRST + 1000) % 64000 ))
	# shellcheck disable=SC2086
	timeout 60 taskset -c "$CLI_CPU" nsenter --net="/run/netns/$CLI" \
		"$XDPGAME" load "$XG_SRV_IP4:$PORT" --xsk "$CIF" --players 1000 \
		--first-player "$FIRST" \
		--mix "${PMIX[$p]}" ${PLOADX[$p]:-} --timeout 200 --json "$@" \
		>"$out" 2>"$out.err" &
	lp=$!
	for pin in 1 2 3; do
		sleep 0.2
		pin_napi "$CLI" "$CIF" "$CLI_CPU" "$CLI_NAPI_PRIO" >/dev/null
		pin_srv_napi >/dev/null
	done
	wait "$lp"
}

# The capacity sweep of path $1 into $2 (one JSON line a step): `load
# --blast --steps`, a warm-up step first. Bounded: timeout 300.
paths_blast() {
	local p=$1 out=$2 lp pin steps
	FIRST=$(( (FIRST + 1000) % 64000 ))
	steps=$(echo "${RATES%% *} $RATES max" | tr -s ' ' ',')
	# shellcheck disable=SC2086
	timeout 300 taskset -c "$CLI_CPU" nsenter --net="/run/netns/$CLI" \
		"$XDPGAME" load "$XG_SRV_IP4:$PORT" --blast "$CIF" --players 1000 \
		--first-player "$FIRST" --mix "${PMIX[$p]}" ${PLOADX[$p]:-} \
		--steps "$steps" --duration "$STEP_S" --retries 2 --json --quiet \
		>"$out" 2>"$out.err" &
	lp=$!
	for pin in 1 2 3 4 5; do
		sleep 0.2
		pin_napi "$CLI" "$CIF" "$CLI_CPU" "$CLI_NAPI_PRIO" >/dev/null
		pin_srv_napi >/dev/null
	done
	wait "$lp"
}

jf() { python3 "$ROOT/tests/integration/jsonq.py" "$1" "$2" 2>/dev/null; }

# softirq time (ms) CPU $1 has run since boot (/proc/stat, USER_HZ ticks)
softirq_ms() {
	awk -v c="cpu$1" -v hz="$(getconf CLK_TCK)" '$1 == c { printf "%d\n", $8 * 1000 / hz }' /proc/stat
}

# The whole of path $1: appends to $TMP/cap-$1.txt "offered served lost% "
# lines, writes $TMP/res-$1 (nodrop overload pp50 pp99 pp999 h50 h99 h999
# cpu_ms_per_M) and $TMP/cdf-$1.txt.
paths_measure() {
	local p=$1 r out off srv sent lost wrong lossp nodrop=0 over=0 c0 c1 acked cpu= step tries si0 si1
	local pp50= pp99= pp999= h50= h99= h999=
	paths_setup_net >"$TMP/pin" || { echo "  ($p) cannot set up the namespaces"; return 1; }
	grep -q "no NAPI\|could not pin" "$TMP/pin" && sed "s/^/  ($p) /" "$TMP/pin"
	paths_server "$p" || { paths_stop_server; teardown_net; return 1; }
	pin_srv_napi >/dev/null
	: >"$TMP/cap-$p.txt"
	out=$TMP/cap-$p.json
	si0=$(softirq_ms "$CLI_CPU")
	paths_blast "$p" "$out"
	si1=$(softirq_ms "$CLI_CPU")
	[ "$(wc -l <"$out")" -ge 2 ] ||
		echo "  ($p) capacity: no report: $(head -c 300 "$out.err")"
	# one line a step: step rate offered served sent lost wrong tries
	while read -r step r off srv sent lost wrong tries; do
		[ "$step" -gt 1 ] || continue # the warm-up
		lossp=$(awk -v l="$lost" -v s="$sent" 'BEGIN { printf "%.3f", s ? 100 * l / s : 100 }')
		printf '  (%s) offered %8s/s  served %8s/s  lost %6s%%  wrong %s  tries %s\n' \
			"$p" "$off" "$srv" "$lossp" "$wrong" "$tries"
		echo "$off $srv $lossp" >>"$TMP/cap-$p.txt"
		if [ "$r" = 0 ]; then
			over=$srv
		elif [ "$wrong" = 0 ] && awk -v l="$lossp" 'BEGIN { exit !(l <= 0.1) }'; then
			awk -v o="$off" -v n="$nodrop" 'BEGIN { exit !(o > n) }' && nodrop=$off
		fi
	done < <(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    try:
        d = json.loads(line)
    except ValueError:
        continue
    print(d["step"], d["rate"], d["pps"], d["served_pps"], d["sent"], d["lost"],
          d["malformed_acks"], d["tries"])' "$out")
	# the server's receive work a softirq ran on the client's CPU (busynt:
	# a NAPI the worker did not hold); the client itself runs none
	echo "  ($p) softirq time on the client's CPU $CLI_CPU during the sweep: $((si1 - si0)) ms"
	# cost: CPU time of the server per million requests at a fixed rate
	out=$TMP/cost-$p.json
	c0=$(paths_cpu_ns "$p")
	paths_load "$p" "$out" --window 0 --rate "$COST_RATE" --count $((COST_RATE * 2))
	c1=$(paths_cpu_ns "$p")
	acked=$(jf "$out" acked)
	[ -n "$acked" ] && [ "$acked" -gt 0 ] &&
		cpu=$(awk -v a="$c0" -v b="$c1" -v n="$acked" 'BEGIN { printf "%.0f", (b - a) / 1e6 / n * 1e6 }')
	# latency: ping-pong, then half the no-drop rate
	out=$TMP/pp-$p.json
	paths_load "$p" "$out" --window 1 --count "$PINGPONG" --cdf "$TMP/cdf-$p.txt"
	pp50=$(jf "$out" rtt_ns.p50) pp99=$(jf "$out" rtt_ns.p99) pp999=$(jf "$out" rtt_ns.p999)
	[ "$(jf "$out" acked)" = "$PINGPONG" ] ||
		echo "  ($p) ping-pong: $(jf "$out" acked) of $PINGPONG acked: $(head -c 300 "$out.err")"
	if [ "$nodrop" != 0 ]; then
		r=$(awk -v n="$nodrop" 'BEGIN { printf "%d", n / 2 }')
		out=$TMP/half-$p.json
		paths_load "$p" "$out" --window 0 --rate "$r" --count $((r * STEP_S))
		h50=$(jf "$out" rtt_ns.p50) h99=$(jf "$out" rtt_ns.p99) h999=$(jf "$out" rtt_ns.p999)
	fi
	paths_stop_server
	teardown_net
	echo "$nodrop $over ${pp50:--} ${pp99:--} ${pp999:--} ${h50:--} ${h99:--} ${h999:--} ${cpu:--}" >"$TMP/res-$p"
}

us() { [ "$1" = - ] && echo - || awk -v v="$1" 'BEGIN { printf "%.1f", v / 1000 }'; }

echo
echo "== paths: capacity measured with the open-loop generator (load --blast --steps), latency and server CPU with the AF_XDP client (load --xsk)"
echo "== CPU placement (fixed): server (its xg-* workers, or the echo: SCHED_FIFO $SRV_PRIO) + server veth NAPI thread (SCHED_FIFO $SRV_NAPI_PRIO) on CPU $SRV_CPU; client (taskset -c $CLI_CPU) + client veth NAPI thread (SCHED_FIFO $CLI_NAPI_PRIO) on CPU $CLI_CPU"
echo "== limits: each xdpgame server runs with $BLIMITS (one client address plays 1000 players flat out)"
echo "== capacity steps: $STEP_S s open loop at each of: $RATES, then unpaced; loss = no ack 200 ms after the step's last send; a step losing > 0.1% (but <= 5%) is tried up to 3 times, the best kept"
if true; then # always: a stale echo would measure old code
	(cd "$ROOT" && gcc -O2 -g -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -fno-strict-aliasing \
		-Iinclude -Iuser -Ibuild $(pkg-config --cflags libxdp libbpf) scripts/bench_echo.c \
		-o "$ECHO_BIN" $(pkg-config --libs libxdp libbpf) -lelf -lz) 2>"$TMP/echo.err" ||
		echo "  bench_echo did not build: $(head -3 "$TMP/echo.err")"
fi
T1=$(date +%s)
for p in $BPATHS; do
	BP=$p
	echo "-- ($p) ${PDESC[$p]}"
	paths_measure "$p" || echo "  ($p) FAILED"
done
echo "== paths measured in $(( $(date +%s) - T1 )) s"

declare -A ND OV P50 P99 P999 H50 H99 H999 CPU
echo
echo "== capacity: no-drop rate (highest offered rate served with <= 0.1% lost) and served under overload (unpaced client)"
printf '%-8s %-38s %12s %12s %14s %14s\n' path description "no-drop/s" "overload/s" "no-drop/(sock)" "no-drop/(echo)"
for p in $BPATHS; do
	[ -s "$TMP/res-$p" ] || { printf '%-8s %-38s FAILED\n' "$p" "${PDESC[$p]}"; continue; }
	read -r ND[$p] OV[$p] P50[$p] P99[$p] P999[$p] H50[$p] H99[$p] H999[$p] CPU[$p] <"$TMP/res-$p"
done
for p in $BPATHS; do
	[ -n "${ND[$p]:-}" ] || continue
	printf '%-8s %-38s %12s %12s %14s %14s\n' "$p" "${PDESC[$p]}" "${ND[$p]}" "${OV[$p]}" \
		"$(ratio "${ND[$p]}" "${ND[sockets]:-0}")" "$(ratio "${ND[$p]}" "${ND[echo]:-0}")"
done
echo
echo "== latency (us, client timestamps): ping-pong (one request in flight) and open loop at half the path's no-drop rate"
printf '%-8s %-38s %9s %9s %9s   %9s %9s %9s %9s\n' path description "pp p50" "pp p99" "pp p99.9" "half p50" "p99" "p99.9" "p50/(sock)"
for p in $BPATHS; do
	[ -n "${ND[$p]:-}" ] || continue
	printf '%-8s %-38s %9s %9s %9s   %9s %9s %9s %9s\n' "$p" "${PDESC[$p]}" \
		"$(us "${P50[$p]}")" "$(us "${P99[$p]}")" "$(us "${P999[$p]}")" \
		"$(us "${H50[$p]}")" "$(us "${H99[$p]}")" "$(us "${H999[$p]}")" \
		"$(ratio "${P50[$p]}" "${P50[sockets]:-0}")"
done
echo
echo "== cost: server CPU time per million requests at $COST_RATE requests/s (its threads + its veth NAPI thread, schedstat)"
for p in $BPATHS; do
	[ -n "${ND[$p]:-}" ] || continue
	printf '%-8s %-38s %8s ms per million%s\n' "$p" "${PDESC[$p]}" "${CPU[$p]}" \
		"$(case $p in busy*) echo '  (spins while requests come, where there is a NAPI to poll)';; esac)"
done

# ratio, or empty when a side was not measured
r_or() { [ -n "${1:-}" ] && [ -n "${2:-}" ] && [ "$1" != - ] && [ "$2" != - ] && ratio "$1" "$2"; }
echo
echo "== targets (paths)"
target "AF_XDP no-drop >= 3x batched sockets:" "$(r_or "${ND[xsk]:-}" "${ND[sockets]:-}")" ge 3
target "AF_XDP no-drop >= 0.9x bare AF_XDP echo:" "$(r_or "${ND[xsk]:-}" "${ND[echo]:-}")" ge 0.9
target "in-kernel no-drop >= 0.9x XDP_TX swap:" "$(r_or "${ND[kernel]:-}" "${ND[swap]:-}")" ge 0.9
# busy: the server and its NAPI on CPU 1, as for xsk; busynt: its NAPI
# runs on the client's CPU (the softirq time above), so not a fair ratio
target "--busy-poll no-drop >= 1.0x AF_XDP:" "$(r_or "${ND[busy]:-}" "${ND[xsk]:-}")" ge 1.0
target "--busy-poll ping-pong p99 <= 1.0x AF_XDP:" "$(r_or "${P99[busy]:-}" "${P99[xsk]:-}")" le 1.0
target "  (NAPI not threaded) no-drop >= 1.0x:" "$(r_or "${ND[busynt]:-}" "${ND[xsk]:-}")" ge 1.0
target "  (NAPI not threaded) pp p99 <= 1.0x:" "$(r_or "${P99[busynt]:-}" "${P99[xsk]:-}")" le 1.0
target "AF_XDP ping-pong p50 <= 0.6x sockets:" "$(r_or "${P50[xsk]:-}" "${P50[sockets]:-}")" le 0.6
target "  (NAPI not threaded) pp p50 <= 0.6x sockets:" "$(r_or "${P50[busynt]:-}" "${P50[sockets]:-}")" le 0.6

# ---- plots ----
echo
echo "== plots"
if ! command -v gnuplot >/dev/null; then
	echo "  not plotted: gnuplot not installed"
else
	TERM_PNG=png
	gnuplot -e 'set terminal' 2>&1 | grep -q pngcairo && TERM_PNG=pngcairo
	PL= PC=
	for p in $BPATHS; do
		[ -s "$TMP/cap-$p.txt" ] && PL="$PL${PL:+, }'$TMP/cap-$p.txt' using (\$1/1e6):(\$2/1e6) with linespoints lw 2 title '$p: ${PDESC[$p]}'"
		[ -s "$TMP/cdf-$p.txt" ] && PC="$PC${PC:+, }'$TMP/cdf-$p.txt' using 1:2 with steps lw 2 title '$p: ${PDESC[$p]}'"
	done
	if [ -n "$PL" ] && gnuplot >"$TMP/gp.err" 2>&1 <<-EOF
		set terminal $TERM_PNG noenhanced size 900,640
		set output '$CAP_PLOT'
		set title 'served against offered (open loop, load --blast; $STEP_S s steps, best of up to 3 tries)'
		set xlabel 'offered (Mpps)'
		set ylabel 'served acks (Mpps)'
		set grid
		set key below
		plot x with lines dt 2 lc rgb 'gray' title 'served = offered', $PL
	EOF
	then echo "  plotted: $CAP_PLOT"; else echo "  capacity not plotted: $(head -2 "$TMP/gp.err" 2>/dev/null | tr '\n' ' ')"; fi
	if [ -n "$PC" ] && gnuplot >"$TMP/gp.err" 2>&1 <<-EOF
		set terminal $TERM_PNG noenhanced size 900,640
		set output '$CDF_PLOT'
		set title 'ping-pong RTT CDF (one request in flight, AF_XDP client, $PINGPONG requests)'
		set logscale x
		set xlabel 'RTT (us, log scale)'
		set ylabel 'fraction of acked requests'
		set yrange [0:1]
		set grid
		set key below
		plot $PC
	EOF
	then echo "  plotted: $CDF_PLOT"; else echo "  CDF not plotted: $(head -2 "$TMP/gp.err" 2>/dev/null | tr '\n' ' ')"; fi
fi
