#!/usr/bin/env bash
# `xdpgame load --blast IFACE`: the open-loop transmit path (BPF_PROG_RUN
# with live frames, XDP_TX out of the client's veth) against an AF_XDP
# server (`attach --mode native`) over veth:
#  - 200,000 frames: exit 0, sent == 200000, a send rate above 0;
#  - the server's XDP program redirected at least half of them to its XSK
#    (open loop: nothing waits for the server, so frames the veth's NAPI
#    ring (256 entries), the XSK RX ring or the server worker cannot take
#    in time are dropped; at least 50% is what "the path works" means here,
#    the exact share depends on CPU scheduling) and never more than were
#    sent plus the probe;
#  - the frames are well-formed on the wire: the server counted none
#    malformed, and its acks reach the client's socket (at least one; the
#    socket may overflow, so no more is required) and none is malformed;
#  - a missing interface and an IPv6 target fail with a clear message.
# The client's veth gets an XDP_PASS program (xg_peer_xdp) so the acks the
# server sends back reach it through NAPI.
. "$(dirname "$0")/lib.sh"

xg_setup
P=4000
N=200000

xg_peer_xdp || { fail "XDP_PASS program on the client's veth"; xg_finish; exit; }
xg_bg srv "$XDPGAME" attach "$XG_SIF" --mode native --port $P --json
xg_wait_log srv "serving $XG_SIF" || { fail "server started"; xg_finish; exit; }
ok "server started (AF_XDP, native)"

# stats NAME: the server's pinned counters; cnt NAME COUNTER: its packets
stats() { xg_srv "$XDPGAME" stats "$XG_SIF" --json >"$XG_TMP/$1" 2>&1; }
cnt() { json_field "$XG_TMP/$1" "counters.$2.packets"; }

stats before
xg_cli timeout -s INT 60 "$XDPGAME" load "$XG_SIP4:$P" --blast "$XG_CIF" \
	--count $N --json >"$XG_TMP/blast.json" 2>"$XG_TMP/blast.err"
rc=$?
sed 's/^/  | /' "$XG_TMP/blast.json" "$XG_TMP/blast.err"
check "blast exits 0" test $rc = 0
sent=$(json_field "$XG_TMP/blast.json" sent)
pps=$(json_field "$XG_TMP/blast.json" pps)
acks=$(json_field "$XG_TMP/blast.json" acks)
check "sent == $N" test "${sent:-0}" = $N
check "send rate above 0 (${pps:-?} pps)" awk -v p="${pps:-0}" 'BEGIN { exit !(p > 0) }'
check "some acks received (${acks:-0}) and none malformed" \
	test "${acks:-0}" -gt 0 -a "$(json_field "$XG_TMP/blast.json" malformed_acks)" = 0

stats after
r0=$(cnt before redirect) r1=$(cnt after redirect)
got=$((${r1:-0} - ${r0:-0}))
echo "  (server: redirected $got of $N frames to its XSK)"
check "server redirected at least half of them" test $got -ge $((N / 2))
# + 1: the probe that resolves the neighbour is a game request too
check "  ... and no more than were sent" test $got -le $((N + 1))

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
xg_finish
