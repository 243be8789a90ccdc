#!/usr/bin/env bash
# `xdpgame load --xsk IFACE`: the game client over an AF_XDP socket on the
# client's veth, against an AF_XDP server (`attach --mode native`):
#  - closed loop (--window 32): every request acked right (exit 0, acked ==
#    sent, wrong 0, lost 0), the report says path "xsk", with RTTs;
#  - ping-pong (--window 1) and busy polling (--busy-poll) likewise (on
#    a veth the client finds no NAPI to poll, says so and sleeps);
#  - paced open loop (--window 0 --rate R): every request acked at a low
#    rate, and never offered faster than R (pacing, not a speed target);
#  - the client's XDP program goes away with it; an interface that already
#    has one is refused, saying so.
# The server lifts its per-source and per-session limits (one client
# address plays every player): --handshake-rate 0 --handshake-total 0
# --session-rate 0, as docs/SECURITY.md says a load test does.
. "$(dirname "$0")/lib.sh"

xg_setup
P=4000
LIMITS="--handshake-rate 0 --handshake-total 0 --session-rate 0"

# shellcheck disable=SC2086
xg_bg srv "$XDPGAME" attach "$XG_SIF" --mode native --port $P --workers 1 $LIMITS
xg_wait_log srv "serving $XG_SIF" || { fail "server started"; xg_finish; exit; }
ok "server started (AF_XDP, native)"

# run NAME ARGS...: load --xsk into NAME.json; its exit status in RC
run() {
	local name=$1; shift
	xg_cli timeout -s INT 60 "$XDPGAME" load "$XG_SIP4:$P" --xsk "$XG_CIF" \
		--players 16 --json "$@" >"$XG_TMP/$name.json" 2>"$XG_TMP/$name.err"
	RC=$?
	sed 's/^/  | /' "$XG_TMP/$name.json" "$XG_TMP/$name.err" | cut -c1-300
}
# all_acked NAME N: exit 0, N sent and acked, nothing lost or wrong
all_acked() {
	test "$RC" = 0 &&
		test "$(json_field "$XG_TMP/$1.json" sent)" = "$2" &&
		test "$(json_field "$XG_TMP/$1.json" acked)" = "$2" &&
		test "$(json_field "$XG_TMP/$1.json" wrong)" = 0 &&
		test "$(json_field "$XG_TMP/$1.json" lost)" = 0
}

run closed --count 20000 --window 32
check "closed loop: 20000 requests, every one acked right" all_acked closed 20000
check "  ... path xsk, every player joined" \
	test "$(json_field "$XG_TMP/closed.json" path)/$(json_field "$XG_TMP/closed.json" handshake.joined)" = xsk/16
check "  ... with RTTs (p50 > 0)" \
	test "$(json_field "$XG_TMP/closed.json" rtt_ns.p50)" -gt 0
check "  ... no XDP program left on the client's veth" \
	bash -c "! ip -n $XG_NS_CLI link show $XG_CIF | grep -q xdp"

run pingpong --count 2000 --window 1
check "ping-pong (--window 1): 2000 requests acked right" all_acked pingpong 2000

run busy --count 5000 --window 16 --busy-poll
check "--busy-poll: 5000 requests acked right" all_acked busy 5000
# veth gives AF_XDP sockets in copy mode no NAPI id (Linux 6.18)
check "  ... and says there is no NAPI to poll on a veth, sleeping instead" \
	grep -q "busy-poll has nothing to poll.*sleeping in poll()" "$XG_TMP/busy.err"

run paced --count 4000 --window 0 --rate 4000
check "open loop at --rate 4000: every request acked" all_acked paced 4000
off=$(json_field "$XG_TMP/paced.json" offered_pps)
check "  ... offered no faster than the rate (${off:-?}/s)" \
	awk -v o="${off:-0}" 'BEGIN { exit !(o > 0 && o <= 4000 * 1.1) }'

# an interface that has an XDP program already is refused
xg_peer_xdp
run taken --count 10
check "client veth with an XDP program: non-zero exit" test "$RC" -ne 0
check "  ... saying it has one" grep -q "has one already" "$XG_TMP/taken.err"

pid=$(xg_pid srv)
kill -TERM "$pid"
xg_wait_exit "$pid"
check "server exits 0" test "$XG_STATUS" = 0
xg_finish
