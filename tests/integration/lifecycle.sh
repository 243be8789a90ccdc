#!/usr/bin/env bash
# The server's life under faults, over a veth pair with 2 RX queues and
# `xdpgame attach --mode native` (every check line starts with its part):
#
#  kill      50 cycles of attach -> traffic -> SIGKILL at a random moment
#            (0 to 1.5 times the time a server takes to start serving, as
#            timed first, and at least 0.6 s: while loading, pinning,
#            opening sockets or serving) -> attach again: the program is off the
#            interface each time (its bpf_link died with the process), no
#            attach fails, and the last one serves every request.
#  kreplies  with --kernel-replies heartbeats are answered in the kernel;
#            after SIGKILL not one is (the program went with the process).
#  race      two attaches at once, 20 times: exactly one serves, the other
#            exits non-zero naming the interface as taken.
#  term      SIGTERM under an open-loop load (`load --blast`), 10 times:
#            exit 0 within 10 s, and the log (-v) shows the program was
#            detached before the AF_XDP sockets closed; program and pins gone.
#  busypoll  --busy-poll: every request acked by the AF_XDP workers; on a
#            veth the worker finds no NAPI to poll and says so.
#  partial   a foreign AF_XDP socket bound to queue 1 first (xsk_hold.c.in,
#            compiled here), the server under ASan+UBSan (build/asan/
#            xdpgame): it serves queue 0 over AF_XDP, says queue 1 fell back
#            to the kernel sockets, acks every request, exits 0 on SIGTERM
#            with no sanitizer report, and its summary lists no worker for
#            queue 1; with both queues taken AF_XDP falls back wholly, said.
#  faults    --queues beyond the interface's queues is refused, naming the
#            count; an interface with 65 queues is served on 64 by AF_XDP,
#            said; `doctor` makes no bpf() call that loads or attaches.
#  baseline  at the end no BPF program or map of xdpgame's is left (the
#            host's totals before and after are printed) and no pin
#            directory of this test's namespaces.
#
# The program and map counts are host-wide: a test of another checkout
# running at the same time moves them, so the check names what is left
# that could be xdpgame's (bpfobjs.py) and prints the totals.
. "$(dirname "$0")/lib.sh"

xg_setup 2
P=4000
P2=4100
PINS=$(xg_pins)
ASAN_BIN=${XDPGAME_ASAN:-$(dirname "$XDPGAME")/asan/xdpgame}
NCPU=$(nproc)

not() { ! "$@"; }
alive() { kill -0 "$(xg_pid "$1")" 2>/dev/null; }
xdp_on_link() { xg_srv ip link show "$XG_SIF" | grep -q xdp; }
# poll CMD...: CMD succeeds within 5 s
poll() {
	local i
	for i in $(seq 1 50); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
no_xdp() { not xdp_on_link; }

# Every load joins its players (JOIN, ANSWER) and leaves (LEAVE), all from
# one client address and at full speed: far over the per-source handshake
# and session budgets a server has by default, so every server here lifts
# them with the operator's own options.
LIMITS=(--handshake-rate 0 --handshake-total 0 --session-rate 0)
# hs NAME: the datagrams of NAME.json's handshakes: JOIN, ANSWER, LEAVE a player
hs() { echo $((3 * $(json_field "$XG_TMP/$1.json" handshake.joined))); }

# serve NAME [ARGS...]: an attach in the background (native, port P)
serve() {
	local name=$1
	shift
	xg_bg "$name" "$XDPGAME" attach "$XG_SIF" --port $P --mode native -q "${LIMITS[@]}" "$@"
}
# stop NAME: SIGTERM, wait (10 s); exit status in XG_STATUS (124: hung)
stop() {
	local pid
	pid=$(xg_pid "$1")
	kill -TERM "$pid" 2>/dev/null
	xg_wait_exit "$pid" || kill -KILL "$pid" 2>/dev/null
}
# kill9 NAME: SIGKILL, wait
kill9() {
	local pid
	pid=$(xg_pid "$1")
	{ kill -KILL "$pid"; xg_wait_exit "$pid"; } 2>/dev/null
}
# load NAME COUNT [ARGS...]: a closed-loop load from the client; NAME.json
# (on CPU 0, so from TX queue 0 to the server's RX queue 0, with XPS)
load() {
	xg_cli timeout -s INT 20 taskset -c 0 "$XDPGAME" load "$XG_SIP4:$P" --count "$2" \
		--window 32 --json -q "${@:3}" >"$XG_TMP/$1.json" 2>"$XG_TMP/$1.err"
}
acked_all() {
	[ "$(json_field "$XG_TMP/$1.json" acked)" = "$2" ] &&
		[ "$(json_field "$XG_TMP/$1.json" wrong)" = 0 ] &&
		[ "$(json_field "$XG_TMP/$1.json" lost)" = 0 ]
}
# the server's summary (its log's JSON line): rx_packets of a path's workers
workers() {
	json_eval "$XG_TMP/$1.log" "sum(w['rx_packets'] for w in d['workers']
		if w['path'] == '$2' and '${3:-}' in ('', str(w['queue'])))"
}
redirected() { xg_srv "$XDPGAME" stats "$XG_SIF" 2>/dev/null | awk '$1 == "redirect" { print $2 }'; }
# redirected_over N: the program has redirected more than N packets
redirected_over() { [ "$(redirected)" -gt "$1" ] 2>/dev/null; }

nprogs() { bpftool prog show -j | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
nmaps() { bpftool map show -j | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
# our pin directories: those of the two namespaces of this test
our_pins() {
	local a b
	a=$(xg_netns_ino "$XG_NS_SRV") b=$(xg_netns_ino "$XG_NS_CLI")
	find /sys/fs/bpf/xdpgame -mindepth 1 -maxdepth 1 \
		\( -name "$a-*" -o -name "$b-*" \) 2>/dev/null | wc -l
}

# An XDP_PASS program on the client's veth: XDP_TX'd replies (in-kernel,
# and --blast's frames) need one on veth. Counted in the baseline.
xg_peer_xdp || { fail "XDP_PASS program on the client's veth"; xg_finish; exit; }
# client TX queue i is used by CPU i (XPS), so two loads pinned to CPUs 0
# and 1 reach both server queues (native XDP on veth: RX queue = peer's TX)
[ "$NCPU" -ge 2 ] && ip netns exec "$XG_NS_CLI" sh -c \
	"echo 1 >/sys/class/net/$XG_CIF/queues/tx-0/xps_cpus &&
	 echo 2 >/sys/class/net/$XG_CIF/queues/tx-1/xps_cpus"
quiet xg_cli ping -c 1 -W 2 "$XG_SIP4"
BASE_PROGS=$(nprogs) BASE_MAPS=$(nmaps) BASE_PINS=$(our_pins)
python3 "$XG_SRCDIR/tests/integration/bpfobjs.py" snap "$XG_TMP/base.json"
echo "  (baseline: $BASE_PROGS programs, $BASE_MAPS maps, $BASE_PINS pin directories of ours)"

# ---- kill: 50 SIGKILL cycles under traffic --------------------------------
phase_kill() {
	local i d served=0 bad=0 left=0 lpid t0 span
	# how long a server takes to start serving (the sessions' maps and
	# the address sync make it longer than it was): the kills spread over
	# 1.5 times that, at least 0.6 s
	t0=$(date +%s%N)
	serve k0
	xg_wait_log k0 "serving $XG_SIF" || { fail "kill: a server starts"; return 1; }
	span=$(( ($(date +%s%N) - t0) / 1000000 * 3 / 2 ))
	[ "$span" -ge 600 ] || span=600
	stop k0
	echo "  (kill: a server serves $((span * 2 / 3)) ms after its start; kills within $span ms)"
	# traffic through every cycle: a paced load; its losses are expected
	nsenter --net="/run/netns/$XG_NS_CLI" timeout -s INT 120 "$XDPGAME" load \
		"$XG_SIP4:$P" --duration 100 --rate 20000 --timeout 50 --json -q \
		>"$XG_TMP/kill_load.json" 2>&1 &
	lpid=$!
	XG_PIDS+=("$lpid")
	for i in $(seq 1 50); do
		serve "k$i"
		d=$((RANDOM % span))
		sleep "$((d / 1000)).$(printf %03d $((d % 1000)))"
		grep -q "serving $XG_SIF" "$XG_TMP/k$i.log" && served=$((served + 1))
		kill9 "k$i"
		poll no_xdp || { left=$((left + 1)); echo "  (cycle $i: XDP program still on $XG_SIF after SIGKILL at ${d} ms)"; }
		if grep -q "error:" "$XG_TMP/k$i.log"; then
			bad=$((bad + 1))
			echo "  (cycle $i, killed at ${d} ms:)"
			sed 's/^/    | /' "$XG_TMP/k$i.log" | tail -5
		fi
	done
	echo "  (kill: $served of 50 servers were serving when killed)"
	check "kill: after each of 50 SIGKILLs no XDP program was left on $XG_SIF" test $left = 0
	check "kill:   ... and no attach failed (the next one cleaned up after the dead)" test $bad = 0
	check "kill:   ... at least 10 were killed while serving" test $served -ge 10
	serve kfinal --json
	xg_wait_log kfinal "serving $XG_SIF" || { fail "kill: a last attach serves"; return 1; }
	grep -q "cleaning up after an xdpgame that is gone" "$XG_TMP/kfinal.log" &&
		ok "kill: the last attach cleaned up the killed one's pins" ||
		ok "kill: the last attach found nothing to clean up (last kill came before pinning)"
	load kfinal 20000
	check "kill: the last attach acks 20000 requests right" acked_all kfinal 20000
	kill -INT "$lpid" 2>/dev/null
	xg_wait_exit "$lpid"
	stop kfinal
	check "kill: SIGTERM: exits 0" test "$XG_STATUS" = 0
	check "kill:   ... program off, pins gone" test "$(xdp_on_link && echo on),$(test -e "$PINS" && echo pins)" = ","
}

# ---- kreplies: in-kernel replies die with the process ---------------------
phase_kreplies() {
	serve kr --kernel-replies
	xg_wait_log kr "serving $XG_SIF" || { fail "kreplies: server started"; return 1; }
	load kr_on 2000 --mix heartbeat:1
	check "kreplies: 2000 heartbeats acked" acked_all kr_on 2000
	check "kreplies:   ... in the kernel (xdp_tx)" \
		test "$(xg_srv "$XDPGAME" stats "$XG_SIF" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["counters"]["xdp_tx"]["packets"])')" -ge 2000
	kill9 kr
	check "kreplies: after SIGKILL the program is off $XG_SIF" poll no_xdp
	# no server to join: bare heartbeats (token 0)
	load kr_off 500 --mix heartbeat:1 --timeout 100 --no-join
	check "kreplies:   ... and not one of 500 heartbeats is answered" \
		test "$(json_field "$XG_TMP/kr_off.json" acked)" = 0
	check "kreplies:   ... though they were sent" \
		test "$(json_field "$XG_TMP/kr_off.json" sent)" = 500
	xg_srv "$XDPGAME" detach "$XG_SIF" >"$XG_TMP/kr_detach" 2>&1
	check "kreplies: detach exits 0, saying there was no program to remove" \
		grep -q "no XDP program to remove" "$XG_TMP/kr_detach"
	check "kreplies:   ... and removes the pins" test ! -e "$PINS"
}

# ---- race: two attaches at once, 20 times ---------------------------------
phase_race() {
	local i a b wins bad=0 _
	for i in $(seq 1 20); do
		a="ra$i" b="rb$i"
		xg_bg "$a" "$XDPGAME" attach "$XG_SIF" --port $P --mode native -q "${LIMITS[@]}"
		xg_bg "$b" "$XDPGAME" attach "$XG_SIF" --port $P2 --mode native -q "${LIMITS[@]}"
		# until one serves and the other has exited (10 s)
		for _ in $(seq 1 100); do
			wins=0
			grep -q "serving $XG_SIF" "$XG_TMP/$a.log" && wins=$((wins + 1))
			grep -q "serving $XG_SIF" "$XG_TMP/$b.log" && wins=$((wins + 1))
			[ $wins -ge 1 ] && { ! alive "$a" || ! alive "$b"; } && break
			sleep 0.05
		done
		if [ $wins != 1 ] || { alive "$a" && alive "$b"; } ||
			! grep -Eq "already runs on $XG_SIF|another xdpgame is starting on $XG_SIF" \
				"$XG_TMP/$a.log" "$XG_TMP/$b.log"; then
			bad=$((bad + 1))
			echo "  (race $i: $wins serving)"
			sed 's/^/    a| /' "$XG_TMP/$a.log" | tail -3
			sed 's/^/    b| /' "$XG_TMP/$b.log" | tail -3
		fi
		stop "$a"
		stop "$b"
	done
	check "race: 20 times two attaches at once: exactly one served, the other was refused" test $bad = 0
	check "race:   ... program off and pins gone after the last" test "$(xdp_on_link && echo on),$(test -e "$PINS" && echo pins)" = ","
}

# ---- term: SIGTERM under open-loop load, 10 times --------------------------
phase_term() {
	local i s bpid bad=0 order=0 slow=0 idle=0 t0 t1
	for i in $(seq 1 10); do
		s="t$i"
		serve "$s" -v
		xg_wait_log "$s" "serving $XG_SIF" || { bad=$((bad + 1)); continue; }
		# nsenter execs timeout, so $! is the one to signal (a function
		# in the background would be a subshell that ignores SIGINT)
		nsenter --net="/run/netns/$XG_NS_CLI" timeout -s INT 30 "$XDPGAME" load \
			"$XG_SIP4:$P" --blast "$XG_CIF" --duration 20 --mix move:1,heartbeat:1 \
			-q >"$XG_TMP/blast$i.out" 2>&1 &
		bpid=$!
		XG_PIDS+=("$bpid")
		poll redirected_over 1000 || idle=$((idle + 1))
		t0=$(date +%s%N)
		stop "$s"
		t1=$(date +%s%N)
		[ "$XG_STATUS" = 0 ] || { bad=$((bad + 1)); echo "  (term $i: exit $XG_STATUS)"; tail -5 "$XG_TMP/$s.log"; }
		[ $(((t1 - t0) / 1000000)) -lt 10000 ] || slow=$((slow + 1))
		# the program's detach is logged before the AF_XDP sockets close
		awk '/XDP program detached/ { d = NR } /AF_XDP sockets closed/ { c = NR }
		     END { exit !(d && c && d < c) }' "$XG_TMP/$s.log" || order=$((order + 1))
		kill -INT "$bpid" 2>/dev/null
		xg_wait_exit "$bpid"
	done
	check "term: SIGTERM under --blast load, 10 times: exit 0 each time" test $bad = 0
	check "term:   ... within 10 s" test $slow = 0
	check "term:   ... the program detached before the AF_XDP sockets closed" test $order = 0
	check "term:   ... program off and pins gone" test "$(xdp_on_link && echo on),$(test -e "$PINS" && echo pins)" = ","
	check "term:   ... each time while the load was being redirected to the AF_XDP sockets" test $idle = 0
}

# ---- busypoll ---------------------------------------------------------------
# Busy polling spins: one queue and one kernel-socket worker, both on CPU
# 1, so that CPU 0 is left for the client (and this script).
phase_busypoll() {
	local c1=$((NCPU > 1 ? 1 : 0))
	serve bp --busy-poll --json --queues 1 --workers 1 --cpus $c1
	xg_wait_log bp "serving $XG_SIF" || { fail "busypoll: server started"; return 1; }
	check "busypoll: log says AF_XDP with busy polling" grep -q "AF_XDP on $XG_SIF: 1 queue, copy mode, busy polling" "$XG_TMP/bp.log"
	load bp 20000
	check "busypoll: 20000 requests acked right" acked_all bp 20000
	# veth gives AF_XDP sockets in copy mode no NAPI id (Linux 6.18)
	check "busypoll:   ... and says there is no NAPI to poll on a veth, sleeping instead" \
		grep -q "busy-poll has nothing to poll.*sleeps in poll()" "$XG_TMP/bp.log"
	stop bp
	check "busypoll: SIGTERM: exits 0" test "$XG_STATUS" = 0
	check "busypoll:   ... the AF_XDP workers received them all (and the handshakes)" \
		test "$(workers bp xsk)" = $((20000 + $(hs bp)))
}

# ---- partial: a foreign AF_XDP socket on a queue, under ASan ---------------
hold() {
	xg_bg "$1" "$XG_TMP/xsk_hold" "$XG_SIF" "$2"
	xg_wait_log "$1" "bound $XG_SIF queue $2"
}
# two loads pinned to CPU 0 and 1: one per server queue; each its own 64
# players (one player id is one session: a second JOIN would take it over)
load2() {
	local pids=() i
	for i in 0 1; do
		nsenter --net="/run/netns/$XG_NS_CLI" timeout -s INT 20 taskset -c $((i % NCPU)) \
			"$XDPGAME" load "$XG_SIP4:$P" --count "$2" --window 32 --seed $((i + 1)) \
			--players 64 --first-player $((i * 64)) \
			--json -q >"$XG_TMP/$1_$i.json" 2>"$XG_TMP/$1_$i.err" &
		pids+=($!)
	done
	wait "${pids[@]}"
}
san_clean() { ! grep -Eq "ERROR: (Address|Leak)Sanitizer|runtime error:" "$XG_TMP/$1.log"; }

phase_partial() {
	local cc x k
	[ -x "$ASAN_BIN" ] || { echo "  (no $ASAN_BIN: \`make asan\`; partial skipped)"; fail "partial: ASan binary built"; return 1; }
	cc=$(gcc -O1 -g -Wall -Wextra -Werror -o "$XG_TMP/xsk_hold" -x c \
		"$XG_SRCDIR/tests/integration/xsk_hold.c.in" \
		$(pkg-config --cflags --libs libxdp libbpf) 2>&1) ||
		{ echo "$cc"; fail "partial: xsk_hold compiled"; return 1; }
	hold h1 1 || { fail "partial: a foreign AF_XDP socket bound to queue 1"; return 1; }
	ok "partial: a foreign AF_XDP socket bound to queue 1"
	xg_bg pa env ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		"$ASAN_BIN" attach "$XG_SIF" --port $P --mode native --json -q "${LIMITS[@]}"
	xg_wait_log pa "serving $XG_SIF" || { fail "partial: the ASan server started"; return 1; }
	check "partial: log says queue 1 fell back to the kernel sockets" \
		grep -q "AF_XDP on 1 of 2 queues; on the kernel sockets: queue 1" "$XG_TMP/pa.log"
	check "partial:   ... naming the other socket as the cause" \
		grep -q "queue 1: cannot create an AF_XDP socket: .*another AF_XDP socket is bound" "$XG_TMP/pa.log"
	load2 pa 10000
	check "partial: 2 x 10000 requests over both queues, all acked right" \
		eval 'acked_all pa_0 10000 && acked_all pa_1 10000'
	stop pa
	check "partial: SIGTERM: exits 0" test "$XG_STATUS" = 0
	check "partial:   ... no ASan/UBSan report" san_clean pa
	check "partial: summary: AF_XDP workers only for queue 0" \
		test "$(json_eval "$XG_TMP/pa.log" "[w['queue'] for w in d['workers'] if w['path'] == 'xsk']")" = "[0]"
	check "partial:   ... xsk_fallback_queues [1]" test "$(json_field "$XG_TMP/pa.log" xsk_fallback_queues)" = "[1]"
	x=$(workers pa xsk) k=$(workers pa socket)
	check "partial:   ... all 20000 (and the handshakes) received: queue 0 by AF_XDP ($x), queue 1 by the kernel sockets ($k)" \
		test "$((${x:-0} + ${k:-0}))" = $((20000 + $(hs pa_0) + $(hs pa_1))) -a "${x:-0}" -gt 0 -a "${k:-0}" -gt 0
	check "partial:   ... every UMEM frame accounted for" test "$(json_field "$XG_TMP/pa.log" frames_ok)" = true

	hold h0 0 || { fail "partial: a second foreign socket bound to queue 0"; return 1; }
	xg_bg pb env ASAN_OPTIONS=detect_leaks=1 "$ASAN_BIN" attach "$XG_SIF" --port $P --mode native --json -q "${LIMITS[@]}"
	xg_wait_log pb "serving $XG_SIF" || { fail "partial: with both queues taken the ASan server starts"; return 1; }
	check "partial: both queues taken: AF_XDP falls back wholly, said" \
		grep -q "no AF_XDP on $XG_SIF (see above); serving with the XDP program and kernel sockets" "$XG_TMP/pb.log"
	load pb 5000
	check "partial:   ... 5000 requests acked right by the kernel sockets" acked_all pb 5000
	stop pb
	check "partial:   ... SIGTERM: exits 0, no ASan/UBSan report" eval 'test "$XG_STATUS" = 0 && san_clean pb'
	check "partial:   ... its summary lists no AF_XDP worker" \
		test "$(json_eval "$XG_TMP/pb.log" "len([w for w in d['workers'] if w['path'] == 'xsk'])")" = 0
	stop h0
	stop h1
}

# ---- faults ------------------------------------------------------------------
phase_faults() {
	local q=xq$XG_RUN r=xr$XG_RUN
	xg_srv "$XDPGAME" attach "$XG_SIF" --port $P --queues 3 -q >"$XG_TMP/q3.log" 2>&1
	check "faults: --queues 3 on a 2-queue interface exits non-zero" test $? -ne 0
	check "faults:   ... saying it has 2 RX queues" grep -q "$XG_SIF has 2 RX queues, not 3; use --queues 2 or fewer" "$XG_TMP/q3.log"

	xg_srv ip link add "$q" numrxqueues 65 numtxqueues 65 type veth peer name "$r" \
		numrxqueues 65 numtxqueues 65 &&
		xg_srv ip addr add 198.51.100.1/24 dev "$q" && xg_srv ip link set "$q" up &&
		xg_srv ip link set "$r" up
	xg_srv timeout 60 "$XDPGAME" attach "$q" --port $P --mode generic --duration 1 -q \
		>"$XG_TMP/q65.log" 2>&1
	check "faults: 65 queues: attach serves and exits 0" test $? = 0
	check "faults:   ... saying queues 64 to 64 go to the kernel sockets" \
		grep -q "$q has 65 RX queues; AF_XDP serves queues 0 to 63, and the game packets of queues 64 to 64 go to the kernel sockets" "$XG_TMP/q65.log"
	check "faults:   ... with AF_XDP on 64 queues" grep -q "AF_XDP on $q: 64 queues" "$XG_TMP/q65.log"
	xg_srv ip link del "$q"

	xg_srv strace -f -qq -e trace=bpf -o "$XG_TMP/doctor.strace" "$XDPGAME" doctor "$XG_SIF" >/dev/null 2>&1
	check "faults: doctor makes no bpf() call that loads or attaches a program" \
		not grep -Eq "BPF_PROG_LOAD|BPF_LINK_CREATE|BPF_PROG_ATTACH" "$XG_TMP/doctor.strace"
	xg_srv "$XDPGAME" doctor --help >"$XG_TMP/doctor.help" 2>&1
	check "faults:   ... and its help says it is read-only" grep -q "Read-only" "$XG_TMP/doctor.help"
}

# XG_PHASES="race partial" runs only those (the baseline check always runs)
for ph in ${XG_PHASES:-kill kreplies race term busypoll partial faults}; do
	t0=$SECONDS
	"phase_$ph"
	echo "  ($ph: $((SECONDS - t0)) s)"
done

# ---- baseline ---------------------------------------------------------------
# The counts are host-wide: when another checkout's tests run at the same
# time they move, so the check names what is left that could be xdpgame's
# (tests/integration/bpfobjs.py); with nothing else running the totals
# are equal too.
leftovers() {
	python3 "$XG_SRCDIR/tests/integration/bpfobjs.py" check "$XG_TMP/base.json" \
		"/sys/fs/bpf/xdpgame/$(xg_netns_ino "$XG_NS_SRV")-" \
		"/sys/fs/bpf/xdpgame/$(xg_netns_ino "$XG_NS_CLI")-" >"$XG_TMP/leftovers" 2>&1
}
poll leftovers
echo "  (end: $(nprogs) programs, $(nmaps) maps, $(our_pins) pin directories of ours)"
cat "$XG_TMP/leftovers"
check "baseline: no BPF program or map of xdpgame's left behind" leftovers
check "baseline: no pin directory of this test's namespaces" test "$(our_pins)" = "$BASE_PINS"
check "baseline: no XDP program on $XG_SIF" no_xdp
xg_finish
