#!/usr/bin/env bash
# The AF_XDP engine on a veth pair with 2 RX queues, as `xdpgame attach
# --mode native` and again `--mode generic` run it (a fresh server for each
# phase; every check line starts with the mode):
#
#  xsk      the log says "AF_XDP on IFACE: 2 queues, copy mode" (veth has no
#           zero-copy, said once); 100,000 requests from two concurrent
#           clients, one per client TX queue, are all acked right; the XDP
#           counters (`xdpgame stats`) say every one was redirected to an
#           XSK and none fell through; the summary's XSK workers received
#           them all (native: half on each queue), and every UMEM frame is
#           accounted for.
#  kernel   with --kernel-replies, 20,000 heartbeats are answered in the
#           kernel (xdp_tx) and never reach user space; replies also reach a
#           client whose TTL is not 64 (as one behind a router); switching
#           kernel_replies off at run time in the pinned config map sends
#           heartbeats to the XSKs; with both sockets deleted from the
#           pinned xsks map, the kernel sockets serve every request.
#  sigterm  SIGTERM in the middle of a 200,000-request load: the server exits
#           0 within 10 s, detached and unpinned; the client saw requests
#           go unanswered but never a wrong reply.
#
# veth particulars this suite depends on (kernel 6.18):
#  - In native mode a frame's RX queue on one veth is the TX queue it left
#    the peer by. The client pins its two loads to CPU 0 and CPU 1 and maps
#    TX queue i to CPU i (XPS), so each queue gets one load. A ping resolves
#    the neighbour first (else the first frame leaves from whichever CPU
#    took the ARP reply); the check still allows 100 either way.
#  - Generic XDP on veth saw every frame as RX queue 0 here, whichever TX
#    queue it left by, so in generic mode queue 1's socket gets nothing;
#    only the sum is checked there (the split is printed).
#  - XDP_TX from native XDP on veth puts the frame straight into the
#    peer's NAPI ring. With nothing on the client's veth the in-kernel
#    replies vanish (xdp_tx counts them, the client sees none); `ethtool -K
#    gro on` on the client's veth (which gives it NAPI too) was tried and
#    is not enough here: most replies came late (0.2 to 1.7 s) or never.
#    A plain XDP_PASS program on the client's veth makes them all arrive,
#    so the kernel phase in native mode attaches one (peer_prog). The XSK replies (copy mode: the normal xmit path) and
#    generic mode need nothing on the peer.
# lib.sh's trap removes namespaces, processes and pins on every exit.
. "$(dirname "$0")/lib.sh"

xg_setup 2
P=4000
PINS=$(xg_pins)
NCPU=$(nproc)

# Each load plays PL players from one address: every player joins (JOIN,
# ANSWER) and leaves (LEAVE), so a load of PL players sends H = 3 * PL
# datagrams besides its requests. One client address playing many players
# at full speed is far over the per-source handshake and per-session
# budgets a server has by default: the servers here lift them with the
# operator's own options.
PL=200
H=$((3 * PL))
LIMITS=(--handshake-rate 0 --session-rate 0)

# serve NAME MODE [ARGS...]: an attach in the background, its log NAME.log
serve() {
	local name=$1 mode=$2
	shift 2
	xg_bg "$name" "$XDPGAME" attach "$XG_SIF" --port $P --mode "$mode" --json \
		"${LIMITS[@]}" "$@"
	xg_wait_log "$name" "serving $XG_SIF"
}

# stop NAME: SIGTERM, wait (10 s); exit status in XG_STATUS (124: hung)
stop() {
	local pid
	pid=$(xg_pid "$1")
	kill -TERM "$pid" 2>/dev/null
	xg_wait_exit "$pid" || kill -KILL "$pid" 2>/dev/null
}

# load_args NAME COUNT [ARGS...]: the `xdpgame load` command line, in
# LOAD_ARGS; the loads write their JSON to NAME.json, progress to NAME.err.
# A load ends by itself in a second or two; one that gets no replies would
# take count / window * timeout, so LOAD_MAX seconds stop it (SIGINT: it
# still reports).
LOAD_MAX=20
load_args() {
	LOAD_ARGS=("$XDPGAME" load "$XG_SIP4:$P" --count "$2" --window 64
		--players $PL --json "${@:3}")
}
# load NAME COUNT [ARGS...]: a load from the client, in the foreground
load() {
	load_args "$@"
	xg_cli timeout -s INT $LOAD_MAX "${LOAD_ARGS[@]}" \
		>"$XG_TMP/$1.json" 2>"$XG_TMP/$1.err"
}
# load_bg NAME CPU COUNT [ARGS...]: a load pinned to CPU, in the
# background; in LOAD_PID the pid of its `timeout` (nsenter execs it; it
# passes a SIGINT on to the load)
load_bg() {
	local name=$1 cpu=$2
	shift 2
	load_args "$name" "$@"
	nsenter --net="/run/netns/$XG_NS_CLI" timeout -s INT $LOAD_MAX \
		taskset -c "$cpu" "${LOAD_ARGS[@]}" \
		>"$XG_TMP/$name.json" 2>"$XG_TMP/$name.err" &
	LOAD_PID=$!
	XG_PIDS+=("$LOAD_PID")
}

# acked_all NAME COUNT: every request acked right, none lost
acked_all() {
	[ "$(json_field "$XG_TMP/$1.json" acked)" = "$2" ] &&
		[ "$(json_field "$XG_TMP/$1.json" wrong)" = 0 ] &&
		[ "$(json_field "$XG_TMP/$1.json" lost)" = 0 ]
}

# stats NAME: the pinned counters (`xdpgame stats --json`) into NAME
stats() { xg_srv "$XDPGAME" stats "$XG_SIF" --json >"$XG_TMP/$1" 2>&1; }
# cnt NAME COUNTER: packets of a counter in a `stats` file
cnt() { json_field "$XG_TMP/$1" "counters.$2.packets"; }
# stats_workers NAME PATH: rx_packets summed over the workers of a path in a
# `stats` file
stats_workers() {
	local i=0 p s=0
	while p=$(json_field "$XG_TMP/$1" "workers.$i.path"); do
		[ "$p" = "$2" ] && s=$((s + $(json_field "$XG_TMP/$1" "workers.$i.rx_packets")))
		i=$((i + 1))
	done
	echo "$s"
}
# redirected: the redirect counter's packets, from `xdpgame stats` text
redirected() { xg_srv "$XDPGAME" stats "$XG_SIF" 2>/dev/null | awk '$1 == "redirect" { print $2 }'; }
# counters NAME C=N...: each counter has exactly that many packets
counters() {
	local f=$1 kv
	shift
	for kv in "$@"; do
		[ "$(cnt "$f" "${kv%=*}")" = "${kv#*=}" ] || return 1
	done
}

# The server's summary (the JSON line of its log):
# workers LOG PATH [QUEUE]: rx_packets summed over the workers of a path
workers() {
	json_eval "$XG_TMP/$1.log" "sum(w['rx_packets'] for w in d['workers']
		if w['path'] == '$2' and '${3:-}' in ('', str(w['queue'])))"
}
# handled LOG TYPE: requests of a type that user space handled
handled() { json_field "$XG_TMP/$1.log" "handled.$2"; }
# frames_ok LOG: every UMEM frame accounted for, says the summary
frames_ok() { test "$(json_field "$XG_TMP/$1.log" frames_ok)" = true; }

# within A B TOL: |A - B| <= TOL
within() { [ -n "$1" ] && [ $(($1 - $2)) -le "$3" ] && [ $(($2 - $1)) -le "$3" ]; }
# halves A B: each within 100 of 50000 requests and a load's handshakes
halves() { within "$1" $((50000 + H)) 100 && within "$2" $((50000 + H)) 100; }
not() { ! "$@"; }
xdp_on_link() { xg_srv ip link show "$XG_SIF" | grep -q xdp; }

# config KERNEL_REPLIES REDIRECT: write the first two fields of the pinned
# config map (struct xg_xdp_config starts with two __u32, host order),
# keeping the rest of it
config() {
	local v
	v=$(bpftool -j map lookup pinned "$PINS/config" key 0 0 0 0 |
		python3 -c 'import json, sys
v = [int(b, 16) for b in json.load(sys.stdin)["value"]]
v[0:8] = [int(sys.argv[1]), 0, 0, 0, int(sys.argv[2]), 0, 0, 0]
print(" ".join(str(b) for b in v))' "$1" "$2") &&
		bpftool map update pinned "$PINS/config" key 0 0 0 0 value $v
}
# xsk_del QUEUE: remove a queue's socket from the pinned xsks map
xsk_del() { bpftool map delete pinned "$PINS/xsks" key "$1" 0 0 0; }

# A plain XDP_PASS program on the client's veth: native XDP_TX on the
# server's veth needs it (see the top of this file; bpf/xdp_pass.bpf.c).
peer_prog() { xg_peer_xdp; }

# Client TX queue i is used by CPU i (XPS; sysfs needs the namespace's own
# mount, hence ip netns exec).
xps() {
	ip netns exec "$XG_NS_CLI" sh -c \
		"echo 1 >/sys/class/net/$XG_CIF/queues/tx-0/xps_cpus &&
		 echo 2 >/sys/class/net/$XG_CIF/queues/tx-1/xps_cpus"
}

# phase_xsk MODE: 100,000 requests over both queues' AF_XDP sockets.
phase_xsk() {
	local m=$1 s="xsk_$1" pids=() i q0 q1 _
	serve "$s" "$m" || { fail "$m: server started"; return 1; }
	ok "$m: server started"
	check "$m: log says AF_XDP on $XG_SIF: 2 queues, copy mode" \
		grep -q "AF_XDP on $XG_SIF: 2 queues, copy mode" "$XG_TMP/$s.log"
	check "$m:   ... having said once that zero-copy was refused" \
		test "$(grep -c 'zero-copy refused' "$XG_TMP/$s.log")" = 1
	# neighbours resolved first, so every request leaves from its load's
	# CPU, by that CPU's TX queue
	quiet xg_cli ping -c 1 -W 2 "$XG_SIP4"

	for i in 0 1; do
		load_bg "xsk_${m}_$i" $((i % NCPU)) 50000 --seed $((i + 1)) \
			--first-player $((i * PL))
		pids+=("$LOAD_PID")
	done
	wait "${pids[@]}"
	for i in 0 1; do
		check "$m: client $i (CPU $((i % NCPU))): 50000 requests, each acked once and right" \
			acked_all "xsk_${m}_$i" 50000
	done
	stats "stats_xsk_$m"
	check "$m: stats: redirect 100000 + 2 loads' handshakes, fallthrough 0, xdp_tx 0 (the XSKs served them all)" \
		counters "stats_xsk_$m" redirect=$((100000 + 2 * H)) fallthrough=0 xdp_tx=0
	# the server publishes its workers once a second: poll (3 s)
	for _ in $(seq 1 30); do
		stats "stats_xskw_$m"
		[ "$(stats_workers "stats_xskw_$m" xsk)" = $((100000 + 2 * H)) ] && break
		sleep 0.1
	done
	check "$m: stats --json: the xsk workers published 100000 requests (and the handshakes) in" \
		test "$(stats_workers "stats_xskw_$m" xsk)" = $((100000 + 2 * H))

	stop "$s"
	check "$m: SIGTERM: server exits 0" test "$XG_STATUS" = 0
	check "$m: summary: XSK workers received 100000 (and the handshakes), socket workers 0" \
		test "$(workers "$s" xsk),$(workers "$s" socket)" = $((100000 + 2 * H)),0
	q0=$(workers "$s" xsk 0) q1=$(workers "$s" xsk 1)
	echo "  ($m: queue 0 received $q0, queue 1 $q1)"
	if [ "$m" = native ] && [ "$NCPU" -ge 2 ]; then
		check "$m: summary: each queue received its client's 50000 and handshakes (within 100)" \
			halves "$q0" "$q1"
	fi
	check "$m: summary: every UMEM frame accounted for" \
		frames_ok "$s"
}

# phase_kernel MODE: in-kernel heartbeat replies, switched off at run time;
# then the XSKs taken out of the map: the kernel sockets serve.
phase_kernel() {
	local m=$1 s="kr_$1" hb
	if [ "$m" = native ]; then
		check "$m: XDP_PASS program on the client's veth (for XDP_TX)" peer_prog
	fi
	serve "$s" "$m" --kernel-replies || { fail "$m: --kernel-replies server started"; return 1; }
	ok "$m: --kernel-replies server started"

	load "kr_$m" 20000 --mix heartbeat:1
	check "$m: 20000 heartbeats, each acked once and right" acked_all "kr_$m" 20000
	stats "stats_kr_$m"
	check "$m: stats: xdp_tx 20000, redirect only the handshakes, fallthrough 0 (answered in the kernel)" \
		counters "stats_kr_$m" xdp_tx=20000 redirect=$H fallthrough=0

	# a client some routers away: its requests come with a TTL below 64
	# (per namespace; back to 64 right after)
	xg_cli sysctl -qw net.ipv4.ip_default_ttl=63
	load "kr_ttl_$m" 1000 --mix heartbeat:1 --timeout 200
	xg_cli sysctl -qw net.ipv4.ip_default_ttl=64
	check "$m: a client with TTL 63: 1000 heartbeats acked (the reply's IPv4 checksum covers the new TTL)" \
		acked_all "kr_ttl_$m" 1000

	stats "stats_kr0_$m"
	check "$m: runtime switch: kernel_replies 0 written to the pinned config" config 0 1
	load "kr_off_$m" 5000 --mix heartbeat:1
	check "$m:   ... 5000 heartbeats acked" acked_all "kr_off_$m" 5000
	stats "stats_kr_off_$m"
	# redirect since attach: three loads' handshakes and 5000 heartbeats
	check "$m:   ... by the XSKs: xdp_tx no longer grows, redirect +5000" \
		counters "stats_kr_off_$m" xdp_tx="$(cnt "stats_kr0_$m" xdp_tx)" redirect=$((5000 + 3 * H)) fallthrough=0

	check "$m: fallback: queue 0's socket deleted from the pinned xsks map" xsk_del 0
	check "$m:   ... and queue 1's" xsk_del 1
	load "fb_$m" 10000
	check "$m:   ... 10000 requests, each acked once and right" acked_all "fb_$m" 10000
	stats "stats_fb_$m"
	check "$m:   ... by the kernel sockets: fallthrough +10000 (and its handshakes), redirect stays" \
		counters "stats_fb_$m" fallthrough=$((10000 + H)) redirect=$((5000 + 3 * H))

	stop "$s"
	check "$m: SIGTERM: server exits 0" test "$XG_STATUS" = 0
	hb=$(json_field "$XG_TMP/fb_$m.json" sent_by_kind.heartbeat)
	check "$m: summary: user space handled only the $((5000 + hb)) heartbeats sent after the switch" \
		test "$(handled "$s" heartbeat)" = $((5000 + hb))
	check "$m: summary: XSK workers received 5000, socket workers 10000 (and handshakes)" \
		test "$(workers "$s" xsk),$(workers "$s" socket)" = $((5000 + 3 * H)),$((10000 + H))
	check "$m: summary: every UMEM frame accounted for" \
		frames_ok "$s"
}

# phase_sigterm MODE: SIGTERM while a 200,000-request load runs.
phase_sigterm() {
	local m=$1 s="term_$1" pid lpid i t0 t1 running
	serve "$s" "$m" || { fail "$m: server started"; return 1; }
	pid=$(xg_pid "$s")
	load_bg "term_$m" 0 200000 --timeout 200
	lpid=$LOAD_PID
	# mid-way: once the program has redirected 20,000 (5 s at most); this
	# poll reads the text output, as a JSON parser's start (python3, some
	# 0.3 s) would let the load end first
	for i in $(seq 1 100); do
		[ "$(redirected)" -ge 20000 ] 2>/dev/null && break
		sleep 0.05
	done
	running=no
	kill -0 "$lpid" 2>/dev/null && running=yes
	t0=$(date +%s%N)
	kill -TERM "$pid"
	xg_wait_exit "$pid" || kill -KILL "$pid" 2>/dev/null
	t1=$(date +%s%N)
	check "$m: SIGTERM under load: the load was still running" test $running = yes
	check "$m:   ... server exits 0 within 10 s ($(((t1 - t0) / 1000000)) ms)" test "$XG_STATUS" = 0
	check "$m:   ... XDP program detached" not xdp_on_link
	check "$m:   ... pins removed" test ! -e "$PINS"
	# requests now go unanswered; give them time to time out, then stop
	# the load (it reports on SIGINT)
	sleep 0.5
	kill -INT "$lpid" 2>/dev/null
	xg_wait_exit "$lpid" || kill -KILL "$lpid" 2>/dev/null
	check "$m:   ... the client reports requests lost (server gone)" \
		test "$(json_field "$XG_TMP/term_$m.json" lost)" -gt 0
	check "$m:   ... and acked before that" \
		test "$(json_field "$XG_TMP/term_$m.json" acked)" -gt 0
	check "$m:   ... but no wrong reply, ever" \
		test "$(json_field "$XG_TMP/term_$m.json" wrong)" = 0
}

if [ "$NCPU" -ge 2 ]; then
	xps || fail "XPS on the client's veth (TX queue i for CPU i)"
fi
for mode in native generic; do
	phase_xsk $mode
	phase_kernel $mode
	# the client's XDP_PASS program, if phase_kernel attached one
	xg_cli ip link set dev "$XG_CIF" xdpdrv off 2>/dev/null
	phase_sigterm $mode
done
xg_finish
