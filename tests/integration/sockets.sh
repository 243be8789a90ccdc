#!/usr/bin/env bash
# Kernel-socket engine over veth: a client in one namespace plays against
# `xdpgame attach --mode sockets` in the other, over IPv4 and IPv6; every
# ack is checked by `xdpgame load`; ping and other UDP still work; malformed
# datagrams are counted and unanswered; a port in use and a bad interface
# fail cleanly; SIGTERM prints the summary and leaves nothing behind.
. "$(dirname "$0")/lib.sh"

xg_setup
P=4000

xg_bg srv "$XDPGAME" attach "$XG_SIF" --mode sockets --port $P --port $((P + 1)) \
	--workers 2 --json
xg_wait_log srv "serving $XG_SIF" || { fail "server started"; xg_finish; exit; }
ok "server started"

xg_cli "$XDPGAME" load "$XG_SIP4:$P" --count 20000 --window 32 --json >"$XG_TMP/l4.json"
check "IPv4: 20000 requests, each acked once and right" \
	test "$(json_field "$XG_TMP/l4.json" acked)" = 20000 -a \
	"$(json_field "$XG_TMP/l4.json" wrong)" = 0 -a "$(json_field "$XG_TMP/l4.json" lost)" = 0
xg_cli "$XDPGAME" load "[$XG_SIP6]:$((P + 1))" --count 5000 --json >"$XG_TMP/l6.json"
check "IPv6 on the second port: 5000 acked" test "$(json_field "$XG_TMP/l6.json" acked)" = 5000
check "ping still works" quiet xg_cli ping -c 2 -W 2 -i 0.2 -q "$XG_SIP4"

# non-game UDP on another port reaches its own listener
xg_srv timeout 5 nc -u -l -W 1 "$XG_SIP4" 5999 >"$XG_TMP/nc.out" &
sleep 0.3
echo hello | xg_cli nc -u -w 1 -q 1 "$XG_SIP4" 5999 >/dev/null 2>&1
sleep 0.3
check "non-game UDP still delivered" grep -q hello "$XG_TMP/nc.out"

# three malformed datagrams: bad magic, truncated header, bad version
printf 'XX\x01\x03\x18\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00' |
	xg_cli nc -u -w 1 -q 1 "$XG_SIP4" $P >"$XG_TMP/mal.out" 2>/dev/null
printf 'XG\x01' | xg_cli nc -u -w 1 -q 1 "$XG_SIP4" $P >>"$XG_TMP/mal.out" 2>/dev/null
printf 'XG\x07\x03\x18\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00' |
	xg_cli nc -u -w 1 -q 1 "$XG_SIP4" $P >>"$XG_TMP/mal.out" 2>/dev/null
check "malformed datagrams get no reply" test ! -s "$XG_TMP/mal.out"

# a second server on the same port is refused with a clear message
xg_srv "$XDPGAME" attach "$XG_SIF" --mode sockets --port $P >"$XG_TMP/dup.log" 2>&1
rc=$?
check "second attach on a port in use exits non-zero" test $rc -ne 0
check "  ... saying the port is in use" grep -q "port $P is already in use" "$XG_TMP/dup.log"
xg_srv "$XDPGAME" attach nosuch0 --port $P >"$XG_TMP/bad.log" 2>&1
check "unknown interface refused" grep -q "no interface named 'nosuch0'" "$XG_TMP/bad.log"
xg_srv ip link add xn$XG_RUN type veth peer name xm$XG_RUN
xg_srv ip link set xn$XG_RUN up
xg_srv "$XDPGAME" attach xn$XG_RUN --port $P >"$XG_TMP/noaddr.log" 2>&1
check "interface without address refused" grep -q "has no IP address" "$XG_TMP/noaddr.log"

pid=$(xg_pid srv)
kill -TERM "$pid"
xg_wait_exit "$pid"
check "SIGTERM: server exits 0" test "$XG_STATUS" = 0
check "summary counts 25000 handled" test "$(json_field "$XG_TMP/srv.log" tx_packets)" = 25000
check "summary counts 2 bad_magic+bad_version, 1 too_short" \
	grep -q '"too_short":1,"bad_magic":1,"bad_version":1' "$XG_TMP/srv.log"
xg_finish
