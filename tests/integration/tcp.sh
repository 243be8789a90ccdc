#!/usr/bin/env bash
# TCP engine over veth (`attach --tcp-port`), protocol v2: every
# connection joins its player over the stream (JOIN, CHALLENGE, ANSWER,
# WELCOME) and plays with its token; requests acked in order over many
# connections, replies of 48 and 32 bytes framed by their size field,
# frames split across reads and merged in one; a session opened over a
# connection is that connection's (refused from another connection and
# from UDP, ended when it closes; at most 4 players a connection); a
# malformed frame or an impossible size closes only its connection; a
# client that never reads is cut off while UDP is served meanwhile; a slow
# sender holds no worker and is closed by the idle timeout; what waits in
# the kernel is read before a timeout counts (a load client, TCP or UDP,
# and a server, each stopped past its timeout with more ready than one
# batch: nothing lost, nothing closed idle); --tcp-max refusals are
# counted; 10,000 connections open at once, each joined and answered; the
# summary counts every close by reason.
#
# One load generator joins thousands of players from one address, and
# plays each flat out: the server runs with --handshake-rate 0
# --handshake-total 0 --session-rate 0 (no per-source or global handshake
# budget, no per-session budget); the defaults would refuse most of them.
. "$(dirname "$0")/lib.sh"

xg_setup
P=4000 T=5000
TC="python3 $XG_SRCDIR/tests/integration/tcpclient.py"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# stall PID LOG N SECS: once the progress lines in LOG (a load client's
# stderr, one a second) count more than N sent, stop PID for SECS seconds,
# then let it go on; 1 if that never came (20 s)
xg_stall() {
	local pid=$1 log=$2 n=$3 secs=$4 i s
	for i in $(seq 1 200); do
		s=$(grep -o 'sent [0-9]*' "$log" 2>/dev/null | tail -1 | cut -d' ' -f2)
		if [ "${s:-0}" -gt "$n" ]; then
			kill -STOP "$pid" || return 1
			sleep "$secs"
			kill -CONT "$pid"
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# bg_load NAME ARGS...: `xdpgame load ARGS --json` in the client's
# namespace, in the background, into NAME.json and NAME.err; its pid in LC
# (nsenter, not xg_cli: LC must be the client itself, not a subshell).
# end_load NAME: wait for it; its exit status in RC, its last errors shown
# when it failed.
bg_load() {
	local name=$1
	shift
	nsenter --net="/run/netns/$XG_NS_CLI" "$XDPGAME" load "$@" --json \
		>"$XG_TMP/$name.json" 2>"$XG_TMP/$name.err" &
	LC=$!
	XG_PIDS+=("$LC")
}
end_load() {
	wait "$LC"
	RC=$?
	[ "$RC" = 0 ] || tail -3 "$XG_TMP/$1.err" | sed 's/^/    | /'
}

xg_bg srv "$XDPGAME" attach "$XG_SIF" --mode sockets --port $P --tcp-port $T \
	--workers 2 --tcp-idle 2 --tcp-max 20000 --json \
	--handshake-rate 0 --handshake-total 0 --session-rate 0
xg_wait_log srv "serving $XG_SIF" || { fail "server started"; xg_finish; exit; }
ok "server started (UDP $P, TCP $T)"

xg_cli "$XDPGAME" load --tcp "$XG_SIP4:$T" --connections 100 --window 8 \
	--count 20000 --json -q >"$XG_TMP/l.json"
check "100 connections, window 8: 100 players joined over their streams, 20000 requests acked right and in order" \
	test "$(json_eval "$XG_TMP/l.json" 'd["acked"] == 20000 and d["wrong"] == 0 and d["lost"] == 0 and d["opened"] == 100 and d["handshake"]["joined"] == 100')" = true
xg_cli "$XDPGAME" load --tcp "[$XG_SIP6]:$T" --connections 10 --count 1000 --json -q >"$XG_TMP/l6.json"
check "IPv6: 1000 acked" test "$(json_field "$XG_TMP/l6.json" acked)" = 1000
check "frames split across reads and merged: 200 acks in order" xg_cli $TC "$XG_SIP4" $T order
check "a bad-magic frame closes its connection only" xg_cli $TC "$XG_SIP4" $T malformed
check "a connection's session: not another connection's, not UDP's; a refusal keeps the connection; closing ends it" \
	xg_cli $TC "$XG_SIP4" $T sessions $P
check "4 players on one connection; an ANSWER for a fifth closes it and ends theirs" \
	xg_cli $TC "$XG_SIP4" $T players
check "an impossible size field closes the connection" xg_cli $TC "$XG_SIP4" $T badsize

# a client that never reads, while a UDP client plays
xg_cli $TC "$XG_SIP4" $T slowreader >"$XG_TMP/slow.out" 2>&1 &
slow=$!
xg_cli "$XDPGAME" load "$XG_SIP4:$P" --count 20000 --first-player 100 --json >"$XG_TMP/udp.json"
check "UDP meanwhile: 20000 acked, none lost" \
	test "$(json_eval "$XG_TMP/udp.json" 'd["acked"] == 20000 and d["lost"] == 0 and d["wrong"] == 0')" = true
wait $slow
rc=$?
check "a client that does not read its replies is cut off" test $rc = 0
[ $rc = 0 ] || sed 's/^/    | /' "$XG_TMP/slow.out"

check "a sender of one byte at a time holds no worker; idle timeout closes it" \
	xg_cli $TC "$XG_SIP4" $T slowsender

# Replies that wait in the socket are not lost. 3000 connections play
# (window 1); the client is stopped for 1.5 s, twice its --timeout, while
# each has a request in flight: their replies come meanwhile and wait, and
# at the restart 3000 connections are ready, more than one epoll batch
# (1024). Each must be read before its request is declared lost: none is.
# (The stop stays under the server's --tcp-idle 2.)
bg_load stall --tcp "$XG_SIP4:$T" --connections 3000 --window 1 --timeout 700 \
	--duration 6 --first-player 20000
xg_stall "$LC" "$XG_TMP/stall.err" 3000 1.5
check "the load client stopped 1.5 s while 3000 connections wait on a reply" test $? = 0
end_load stall
check "  ... none lost: replies already in the socket are read before a timeout counts (exit $RC)" \
	test "$(json_eval "$XG_TMP/stall.json" 'd["lost"] == 0 and d["wrong"] == 0 and d["closed"] == 0 and d["errors"] == 0 and d["acked"] == d["sent"] and d["opened"] == 3000')" = true

# The server's side of it: a connection whose requests wait in the kernel
# is not idle. A server with --tcp-idle 1 (one worker) holds 2000 playing
# connections and is stopped for 2 s while each has a request in flight:
# at the restart 2000 connections are ready, more than one epoll batch
# (256), and none has completed a frame for 2 s. Each must be read before
# it counts as idle: none is closed, none lost.
xg_bg idl "$XDPGAME" attach "$XG_SIF" --mode sockets --port $((P + 2)) \
	--tcp-port $((T + 2)) --workers 1 --tcp-idle 1 --json \
	--handshake-rate 0 --handshake-total 0 --session-rate 0
xg_wait_log idl "serving $XG_SIF" || fail "idle-test server started"
bg_load sstall --tcp "$XG_SIP4:$((T + 2))" --connections 2000 --window 1 --duration 6
xg_stall "$(xg_pid idl)" "$XG_TMP/sstall.err" 2000 2
check "the server stopped 2 s, twice its --tcp-idle, while 2000 connections wait on it" test $? = 0
end_load sstall
check "  ... none closed, none lost: requests already in the kernel are read before idleness counts (exit $RC)" \
	test "$(json_eval "$XG_TMP/sstall.json" 'd["lost"] == 0 and d["wrong"] == 0 and d["closed"] == 0 and d["errors"] == 0 and d["acked"] == d["sent"] and d["opened"] == 2000')" = true
pid=$(xg_pid idl)
kill -TERM "$pid"
xg_wait_exit "$pid"
check "  ... the server closed none idle" \
	test "$(json_field "$XG_TMP/idl.log" tcp.closed.idle)" = 0

# The same over UDP (load/loop.c): the client, 128 requests in flight, is
# stopped for 1.5 s, three times its --timeout; their acks wait in its
# socket, more than one read takes (64). None is lost, none late.
bg_load ustall "$XG_SIP4:$P" --window 128 --timeout 500 --duration 5 --first-player 30000
xg_stall "$LC" "$XG_TMP/ustall.err" 0 1.5
check "the UDP load client stopped 1.5 s with 128 requests in flight" test $? = 0
end_load ustall
check "  ... none lost, none late: acks already in the socket are read before a timeout counts (exit $RC)" \
	test "$(json_eval "$XG_TMP/ustall.json" 'd["lost"] == 0 and d["late"] == 0 and d["wrong"] == 0 and d["errors"] == 0 and d["acked"] == d["sent"]')" = true

# --tcp-max: a second server on other ports admits 5 connections (each
# sends a JOIN: 8 from one address, within the default handshake budget)
xg_bg max "$XDPGAME" attach "$XG_SIF" --mode sockets --port $((P + 1)) \
	--tcp-port $((T + 1)) --workers 1 --tcp-max 5 --json -q
xg_wait_log max "serving $XG_SIF" || fail "second server started"
served=$(xg_cli $TC "$XG_SIP4" $((T + 1)) refused 8)
check "--tcp-max 5: 5 of 8 connections served (got $served)" test "$served" = 5
pid=$(xg_pid max)
kill -TERM "$pid"
xg_wait_exit "$pid"
check "  ... 3 refused, counted" test "$(json_field "$XG_TMP/max.log" tcp.refused)" = 3

# scale: 10,000 connections open at once, each answered, 100 playing on
t0=$(date +%s)
xg_cli "$XDPGAME" load --tcp "$XG_SIP4:$T" --connections 10000 --active 100 \
	--count 30000 --json -q >"$XG_TMP/scale.json"
check "10000 connections open at once, each joined and answered; 30000 acked ($(( $(date +%s) - t0 )) s)" \
	test "$(json_eval "$XG_TMP/scale.json" 'd["opened"] == 10000 and d["handshake"]["joined"] == 10000 and d["acked"] == 30000 and d["wrong"] == 0 and d["lost"] == 0 and d["failed"] == 0')" = true

pid=$(xg_pid srv)
kill -TERM "$pid"
xg_wait_exit "$pid"
check "SIGTERM: server exits 0" test "$XG_STATUS" = 0
S=$XG_TMP/srv.log
check "summary: TCP workers counted requests (path tcp)" \
	test "$(json_eval "$S" 'sum(w["rx_packets"] for w in d["workers"] if w["path"] == "tcp") >= 51000')" = true
check "summary: closed malformed 1, frame_size 1 (bad_magic counted)" \
	test "$(json_eval "$S" 'd["tcp"]["closed"]["malformed"] == 1 and d["tcp"]["closed"]["frame_size"] == 1 and d["malformed"]["bad_magic"] == 1')" = true
check "summary: closed players 1; sessions ended with their connections >= 10000" \
	test "$(json_eval "$S" 'd["tcp"]["closed"]["players"] == 1 and d["tcp"]["sessions_ended"] >= 10000')" = true
check "summary: refused, not closed: wrong_source >= 2 (another connection, UDP), no_session >= 1" \
	test "$(json_eval "$S" 'd["denied"]["wrong_source"] >= 2 and d["denied"]["no_session"] >= 1')" = true
check "summary: closed slow_reader 1, idle >= 1" \
	test "$(json_eval "$S" 'd["tcp"]["closed"]["slow_reader"] == 1 and d["tcp"]["closed"]["idle"] >= 1')" = true
check "summary: no worker errors, none refused" \
	test "$(json_eval "$S" 'd["errors"] == 0 and d["tcp"]["refused"] == 0')" = true
xg_finish
