#!/usr/bin/env bash
# Sessions against an attacker, over veth (docs/SECURITY.md), with the
# server's default limits throughout:
#  - parity: one request script (tests/integration/gameclient.py: a join,
#    moves in and out of bounds, every skill and an unknown one, a target
#    without a session, heartbeats, a replayed datagram, LEAVE) gets
#    byte-identical replies (session token and cookie masked: they are
#    random by design) from sockets, native, generic and native with
#    in-kernel replies;
#  - forging, in the same four modes: 20 valid MOVEs of a real session are
#    replayed from two other addresses and from the player's address with
#    another port (raw sockets, 60 datagrams), and once more from the
#    player's own address and port: not one reply reaches any of them, no
#    handler runs for them, and the drops are counted exactly
#    (wrong_source 60 in the kernel or the fallback, replay 20);
#  - flood: while a real client plays 20,000 requests, `load --blast
#    --forge-sources 100000` sends JOINs and made-up game requests from
#    100,000 forged sources as fast as this machine goes; at least 99.9% of
#    the real client's requests are acked, and the flood is dropped in the
#    kernel (deny_handshake_rate, deny_no_session).
. "$(dirname "$0")/lib.sh"

# Two RX queues, as a NIC has several: the flood comes from one CPU and so
# lands in one queue (veth picks the queue by the sending CPU, XPS), the
# real client's flow in the other. On one 256-slot veth ring shared with a
# 3 Mpps flood, and with the flood's generator taking the CPU of the only
# worker, the rig itself drops a few real requests: that is this machine's
# link and CPU, not the server's defences, which the counters show.
xg_setup 2
P=4000
GC="$XG_SRCDIR/tests/integration/gameclient.py"
xg_peer_xdp || { fail "XDP_PASS program on the client's veth"; xg_finish; exit; }
# the forged sources: this host's, so a listener can catch any reply
xg_cli ip addr add 192.0.2.100/24 dev "$XG_CIF"
xg_cli ip addr add 192.0.2.101/24 dev "$XG_CIF"
DECOYS="192.0.2.100:5555,192.0.2.101:5556,$XG_CIP4:5557"

# serve NAME MODE [ARGS...]
serve() {
	local name=$1 mode=$2
	shift 2
	xg_bg "$name" "$XDPGAME" attach "$XG_SIF" --port $P --mode "$mode" \
		--json --quiet "$@"
	xg_wait_log "$name" "serving $XG_SIF"
}
stop() {
	local pid
	pid=$(xg_pid "$1")
	kill -TERM "$pid"
	xg_wait_exit "$pid" || kill -KILL "$pid"
}
stats() { xg_srv "$XDPGAME" stats "$XG_SIF" --json >"$XG_TMP/$1" 2>&1; }
cnt() { json_field "$XG_TMP/$1" "counters.$2.packets"; }
denied() { json_field "$XG_TMP/$1.log" "denied.$2"; }
handled() { json_field "$XG_TMP/$1.log" "handled.$2"; }

# run_mode TAG MODE [ARGS...]: the script and the forger against one server
run_mode() {
	local tag=$1 mode=$2 s=srv_$1 f
	shift 2
	serve "$s" "$mode" "$@" || { fail "$tag: server started"; return; }
	xg_cli python3 "$GC" script "$XG_SIP4" $P "$XG_TMP/script_$tag.txt" \
		2>"$XG_TMP/gc_$tag.err"
	check "$tag: the script ran" test -s "$XG_TMP/script_$tag.txt"
	xg_cli python3 "$GC" forge "$XG_SIP4" $P "$DECOYS" >"$XG_TMP/forge_$tag.json" \
		2>>"$XG_TMP/gc_$tag.err"
	# a JOIN sent again is no failure, but say so; a client that gave up
	# is one, with the server's account of it
	sed 's/^/    | /' "$XG_TMP/gc_$tag.err"
	grep -q "to 3 JOINs" "$XG_TMP/gc_$tag.err" &&
		{ xg_srv "$XDPGAME" stats "$XG_SIF" 2>&1 | sed 's/^/    stats| /'; }
	f="$XG_TMP/forge_$tag.json"
	check "$tag: forger's own 20 MOVEs acked" test "$(json_field "$f" acked)" = 20
	check "$tag: 60 forged copies from other addresses and ports: no reply" \
		test "$(json_field "$f" forged),$(json_field "$f" replies_to_forged)" = 60,0
	check "$tag: 20 replays from the player's own address: no reply" \
		test "$(json_field "$f" replies_to_replays)" = 0
	[ "$mode" != sockets ] && stats "stats_$tag"
	stop "$s"
	check "$tag: server exits 0" test "$XG_STATUS" = 0
	# handled MOVEs: the script's 2 and the forger's 20, nothing forged
	check "$tag: only real MOVEs reached a handler (22)" test "$(handled "$s" move)" = 22
	check "$tag: replays dropped by user space: 21 (the script's 1, the forger's 20)" \
		test "$(denied "$s" replay)" = 21
	if [ "$mode" = sockets ]; then
		check "$tag: forged copies dropped as wrong_source: 60" \
			test "$(denied "$s" wrong_source)" = 60
	else
		check "$tag: forged copies dropped in the kernel as wrong_source: 60" \
			test "$(cnt "stats_$tag" deny_wrong_source)" = 60
		check "$tag:   ... and none reached user space" \
			test "$(denied "$s" wrong_source)" = 0
	fi
	check "$tag: no session left" test "$(json_field "$XG_TMP/$s.log" sessions_live)" = 0
}

run_mode sockets sockets
run_mode native native
run_mode generic generic
run_mode kreplies native --kernel-replies
for t in native generic kreplies; do
	check "parity: $t replies byte for byte as sockets" \
		cmp -s "$XG_TMP/script_sockets.txt" "$XG_TMP/script_$t.txt"
done
echo "  (script replies, sockets mode:)"
sed 's/^/    | /' "$XG_TMP/script_sockets.txt"

# The flood: native mode, default limits.
serve flood native || { fail "flood: server started"; xg_finish; exit; }
N=20000
ip netns exec "$XG_NS_CLI" sh -c \
	"echo 1 >/sys/class/net/$XG_CIF/queues/tx-0/xps_cpus &&
	 echo 2 >/sys/class/net/$XG_CIF/queues/tx-1/xps_cpus" 2>/dev/null
xg_cli timeout -s INT 60 taskset -c 1 "$XDPGAME" load "$XG_SIP4:$P" --count $N --rate 4000 \
	--players 16 --timeout 1000 --json -q >"$XG_TMP/real.json" 2>"$XG_TMP/real.err" &
real=$!
XG_PIDS+=("$real")
xg_cli timeout -s INT 60 taskset -c 0 "$XDPGAME" load "$XG_SIP4:$P" --blast "$XG_CIF" \
	--forge-sources 100000 --duration 4 --json -q >"$XG_TMP/flood.json" 2>"$XG_TMP/flood.err"
check "flood: blast ran" test $? = 0
wait "$real"
check "flood: the real client ran" test -s "$XG_TMP/real.json"
sent=$(json_field "$XG_TMP/flood.json" sent)
acked=$(json_field "$XG_TMP/real.json" acked)
echo "  (flood: $sent forged frames; real client: $acked of $N acked)"
check "flood: at least 100,000 forged frames (one per source)" test "${sent:-0}" -ge 100000
check "flood: at least 99.9% of the real client's requests acked" \
	test "${acked:-0}" -ge $((N * 999 / 1000))
check "flood:   ... and none wrong" test "$(json_field "$XG_TMP/real.json" wrong)" = 0
stats stats_flood
echo "  (kernel: deny_handshake_rate $(cnt stats_flood deny_handshake_rate), deny_no_session $(cnt stats_flood deny_no_session), redirect $(cnt stats_flood redirect))"
check "flood: handshakes over the budget dropped in the kernel" \
	test "$(cnt stats_flood deny_handshake_rate)" -gt 0
check "flood: made-up game requests dropped in the kernel" \
	test "$(cnt stats_flood deny_no_session)" -gt 0
stop flood
check "flood: server exits 0" test "$XG_STATUS" = 0
echo "  (flood server's AF_XDP queues: $(json_field "$XG_TMP/flood.log" xsk))"
xg_finish
