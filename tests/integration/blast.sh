#!/usr/bin/env bash
# `xdpgame load --blast IFACE`: the open-loop generator (BPF_PROG_RUN with
# live frames, XDP_TX out of the client's veth, every repetition a fresh
# request; acks counted by XDP on the client's veth) against an AF_XDP
# server (`attach --mode native`) over veth:
#  - 200,000 frames unpaced: exit 0, sent == 200000, a send rate above 0;
#    the acks counted by XDP (its bpf_link gives the veth its NAPI, so no
#    XDP_PASS program is needed), none malformed, acks + lost == sent;
#  - the server's XDP program redirected at least half of them to its XSK
#    (open loop: nothing waits for the server, so frames the veth's NAPI
#    ring (256 entries), the XSK RX ring or the server worker cannot take
#    in time are dropped; at least 50% is what "the path works" means here,
#    the exact share depends on CPU scheduling) and never more than were
#    sent plus the probe and the handshakes;
#  - paced (--rate 20000, 10,000 frames): the offered rate within 50% and
#    110% of it, and at least 95% of the frames acked (a load far below
#    the server's capacity): every frame is a fresh request (sent as one
#    request repeated, the replay window would let in one per player);
#  - a sweep (--steps 5000,max --count 5000): one report per step, in
#    order, with its rate;
#  - with an XDP program already on the client's veth, the acks are
#    counted on the socket, and it says so;
#  - a missing interface, an IPv6 target and --steps without --blast fail
#    with a clear message.
. "$(dirname "$0")/lib.sh"

xg_setup
P=4000
N=200000

# open loop from one address: far over the default per-session budget
# (1000 a second): lifted, as an operator would for a load test
xg_bg srv "$XDPGAME" attach "$XG_SIF" --mode native --port $P --json \
	--handshake-rate 0 --session-rate 0
xg_wait_log srv "serving $XG_SIF" || { fail "server started"; xg_finish; exit; }
ok "server started (AF_XDP, native)"

# stats NAME: the server's pinned counters; cnt NAME COUNTER: its packets
stats() { xg_srv "$XDPGAME" stats "$XG_SIF" --json >"$XG_TMP/$1" 2>&1; }
cnt() { json_field "$XG_TMP/$1" "counters.$2.packets"; }
# blast NAME ARGS...: a bounded run into NAME.json / NAME.err; its status
blast() {
	local name=$1; shift
	xg_cli timeout -s INT 60 "$XDPGAME" load "$XG_SIP4:$P" --blast "$XG_CIF" \
		"$@" --json >"$XG_TMP/$name.json" 2>"$XG_TMP/$name.err"
	local rc=$?
	sed 's/^/  | /' "$XG_TMP/$name.json" "$XG_TMP/$name.err"
	return $rc
}
f() { json_field "$XG_TMP/$1.json" "$2"; }

stats before
blast unpaced --count $N
check "blast exits 0" test $? = 0
sent=$(f unpaced sent) acks=$(f unpaced acks) lost=$(f unpaced lost)
check "sent == $N" test "${sent:-0}" = $N
check "send rate above 0 ($(f unpaced pps) pps)" awk -v p="$(f unpaced pps)" 'BEGIN { exit !(p > 0) }'
check "acks counted by XDP on the client's veth" test "$(f unpaced acks_counted_by)" = xdp
check "some acks (${acks:-0}), none malformed" \
	test "${acks:-0}" -gt 0 -a "$(f unpaced malformed_acks)" = 0
check "acks + lost == sent" test $((${acks:-0} + ${lost:-0})) = "${sent:-x}"

stats after
r0=$(cnt before redirect) r1=$(cnt after redirect)
got=$((${r1:-0} - ${r0:-0}))
echo "  (server: redirected $got of $N frames to its XSK; $acks acked)"
check "server redirected at least half of them" test $got -ge $((N / 2))
# + 1 + 3 * 64: the probe (a HEARTBEAT) and the 64 players' JOIN, ANSWER and LEAVE
check "  ... and no more than were sent" test $got -le $((N + 1 + 3 * 64))

blast paced --rate 20000 --count 10000
check "paced blast exits 0" test $? = 0
pps=$(f paced pps)
check "paced: offered ${pps:-?}/s, within 10000..22000" \
	awk -v p="${pps:-0}" 'BEGIN { exit !(p >= 10000 && p <= 22000) }'
check "paced: at least 95% acked ($(f paced acks) of $(f paced sent))" \
	awk -v a="$(f paced acks)" -v s="$(f paced sent)" 'BEGIN { exit !(s == 10000 && a >= 0.95 * s) }'

blast steps --steps 5000,max --count 5000
check "sweep exits 0" test $? = 0
check "sweep: two reports, step 1 at 5000/s, step 2 unpaced" \
	python3 - "$XG_TMP/steps.json" <<'PY'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert [(d["step"], d["rate"], d["sent"]) for d in r] == [(1, 5000, 5000), (2, 0, 5000)], r
assert all(d["tries"] == 1 and d["acks"] > 0 for d in r), r
PY

# an XDP program on the client's veth already: the socket counts
if xg_peer_xdp; then
	blast sock --count 20000
	check "with an XDP program on IFACE: exits 0" test $? = 0
	check "  ... acks counted on the socket" test "$(f sock acks_counted_by)" = socket
	check "  ... saying so" grep -q "counting acks on the socket" "$XG_TMP/sock.err"
else
	fail "XDP_PASS program on the client's veth"
fi

# the server's summary, on SIGTERM: nothing malformed
pid=$(xg_pid srv)
kill -TERM "$pid"
xg_wait_exit "$pid"
check "server exits 0" test "$XG_STATUS" = 0
mal=$(json_field "$XG_TMP/srv.log" malformed)
echo "  (server summary: malformed $mal)"
check "server counted no malformed datagram" \
	test "$(json_eval "$XG_TMP/srv.log" 'sum(d["malformed"].values())')" = 0

xg_cli "$XDPGAME" load "$XG_SIP4:$P" --blast nosuch0 --count 10 >"$XG_TMP/bad.out" 2>&1
rc=$?
check "unknown interface: non-zero exit" test $rc -ne 0
check "  ... saying so" grep -q "no interface named 'nosuch0'" "$XG_TMP/bad.out"
xg_cli "$XDPGAME" load "[$XG_SIP6]:$P" --blast "$XG_CIF" --count 10 >"$XG_TMP/v6.out" 2>&1
rc=$?
check "IPv6 target: non-zero exit, saying IPv4 only" \
	test $rc -ne 0 -a -n "$(grep 'IPv4 frames only' "$XG_TMP/v6.out")"
xg_cli "$XDPGAME" load "$XG_SIP4:$P" --steps 1000,max >"$XG_TMP/st.out" 2>&1
rc=$?
check "--steps without --blast: usage error (2), saying so" \
	test $rc = 2 -a -n "$(grep 'steps needs --blast' "$XG_TMP/st.out")"
xg_finish
