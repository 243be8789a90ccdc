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

# Replies leave from the address the request was sent to: a second
# address in the same subnet, where the kernel's own choice of source for
# the client's route would be the first; the client's connected socket
# takes replies from the address it sent to only.
xg_srv ip addr add 192.0.2.9/24 dev "$XG_SIF"
xg_cli "$XDPGAME" load "192.0.2.9:$P" --count 2000 --players 4 --json -q >"$XG_TMP/l9.json"
check "requests to a second address: 2000 acked, so each reply came from it" \
	test "$(json_field "$XG_TMP/l9.json" acked)" = 2000

# A reply the kernel refuses is counted and skipped, the rest of the batch
# still goes: replies to 192.0.2.3 meet a netfilter rule on the server that
# drops them (sendmmsg: EPERM), while a client on 192.0.2.2 plays at the
# same time. (A prohibit route would not do: a socket bound to its device
# is routed on-link whatever the table says.)
xg_cli ip addr add 192.0.2.3/24 dev "$XG_CIF"
xg_srv nft add table inet xgtest
xg_srv nft add chain inet xgtest out '{ type filter hook output priority 0; }'
xg_srv nft add rule inet xgtest out ip daddr 192.0.2.3 udp sport $P drop
xg_cli "$XDPGAME" load "$XG_SIP4:$P" --count 3000 --players 4 --first-player 100 \
	--rate 3000 --json -q >"$XG_TMP/lok.json" &
okpid=$!
nsenter --net="/run/netns/$XG_NS_CLI" python3 -c '
import socket, struct, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.0.2.3", 0))
s.connect(("'"$XG_SIP4"'", '"$P"'))
end = time.time() + 1.0
while time.time() < end:  # JOINs: each would get a CHALLENGE
    s.send(struct.pack("<HBBHBBIIQQ", 0x4758, 2, 5, 56, 0, 0, 1, 500, 0, 1) + bytes(24))
    time.sleep(0.0005)
'
wait $okpid
check "  ... the other client, meanwhile: 3000 acked" test "$(json_field "$XG_TMP/lok.json" acked)" = 3000
xg_srv nft delete table inet xgtest

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
# a datagram longer than the 2048-byte receive buffer is judged by its real
# length: a MOVE header with 3000 bytes after it is size_under
xg_cli python3 -c 'import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(struct.pack("<HBBHBBIIQ", 0x4758, 2, 1, 48, 0, 0, 1, 1, 1) + bytes(3000), ("'"$XG_SIP4"'", '"$P"'))' 

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
check "summary counts 30000 game requests handled" \
	test "$(json_eval "$XG_TMP/srv.log" 'sum(d["handled"][k] for k in ("move", "attack", "heartbeat"))')" = 30000
check "  ... and 136 players joined (JOIN, ANSWER) and left" \
	test "$(json_eval "$XG_TMP/srv.log" '[d["handled"]["answer"], d["handled"]["leave"]]')" = "[136,136]"
check "  ... the refused replies counted as errors" \
	test "$(json_field "$XG_TMP/srv.log" errors)" -gt 0
check "  ... no session left behind" test "$(json_field "$XG_TMP/srv.log" sessions_live)" = 0
check "summary counts 2 bad_magic+bad_version, 1 too_short, 1 size_under (3 KB)" \
	test "$(json_eval "$XG_TMP/srv.log" '[d["malformed"][k] for k in ("too_short", "bad_magic", "bad_version", "size_under")]')" = "[1,1,1,1]"
xg_finish
