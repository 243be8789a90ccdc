#!/usr/bin/env bash
# Running xdpgame as a service: `attach IFACE` alone serves the default
# game port (7777); `--metrics ADDR:PORT` serves /metrics over HTTP from its
# own thread, scraped with curl and held to `promtool check metrics`, with
# counts that match the traffic; `stats --prometheus` prints the same
# families from the pins; a bad --metrics value is a usage error and a
# metrics port in use fails the start, attaching nothing. Protocol version
# 2: every load joins its players (JOIN, ANSWER, and LEAVE at the end: 3
# datagrams a player besides its requests); the live sessions and every
# refusal, by reason, are metrics; `set` changes the limits, which reach
# the kernel and the server's own sessions; a reload keeps every map, the
# sessions among them.
# lib.sh's trap removes namespaces, processes and pins on every exit.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || xg_skip "curl missing (scripts/deps.sh installs it)"
command -v promtool >/dev/null || xg_skip "promtool missing (Debian package prometheus; scripts/deps.sh installs it)"

xg_setup
xg_peer_xdp || { echo "FAIL: no XDP_PASS program on the client veth"; exit 1; }
DEFAULT_PORT=7777
MADDR=127.0.0.1:9100
PINS=$(xg_pins)

# load NAME PORT COUNT: `xdpgame load` from the client; NAME.json
load() {
	xg_cli "$XDPGAME" load "$XG_SIP4:$2" --count "$3" --json >"$XG_TMP/$1.json" 2>&1
}
# hs NAME: the datagrams of a load's handshakes: JOIN, ANSWER, LEAVE a player
hs() { echo $((3 * $(json_field "$XG_TMP/$1.json" handshake.joined))); }
acked_all() {
	[ "$(json_field "$XG_TMP/$1.json" acked)" = "$2" ] &&
		[ "$(json_field "$XG_TMP/$1.json" handshake.refused)" = 0 ] &&
		[ "$(json_field "$XG_TMP/$1.json" lost)" = 0 ] &&
		[ "$(json_field "$XG_TMP/$1.json" wrong)" = 0 ]
}
stop() {
	local pid
	pid=$(xg_pid "$1")
	kill -TERM "$pid" 2>/dev/null
	xg_wait_exit "$pid" || kill -KILL "$pid" 2>/dev/null
}
scrape() { xg_srv curl -sf "http://$MADDR$2" >"$XG_TMP/$1"; }
# metric FILE SERIES: the value of one series (its whole name{labels})
metric() { awk -v s="$2" '$1 == s { print $2 }' "$1"; }
# msum FILE NAME: the sum of every series of a family member
msum() { awk -v n="$2" 'index($1, n "{") == 1 || $1 == n { s += $2 } END { print s + 0 }' "$1"; }
not_found() { [ "$(xg_srv curl -s -o /dev/null -w '%{http_code}' "http://$MADDR/nope")" = 404 ]; }
not() { ! "$@"; }
# within CMD...: CMD succeeds within 5 s (a condition to wait for)
within() { local i; for i in $(seq 1 50); do "$@" && return 0; sleep 0.1; done; return 1; }
promtool_ok() { promtool check metrics <"$1" >"$XG_TMP/promtool.out" 2>&1 || { sed 's/^/    | /' "$XG_TMP/promtool.out"; false; }; }

echo "== attach IFACE alone serves port $DEFAULT_PORT, with --metrics $MADDR"
xg_bg srv "$XDPGAME" attach "$XG_SIF" --metrics "$MADDR" --json
check "attach with no --port starts" xg_wait_log srv "serving $XG_SIF ports $DEFAULT_PORT "
check "it says where the metrics are" xg_wait_log srv "metrics at http://$MADDR/metrics"
check "the info map records port $DEFAULT_PORT" \
	sh -c "'$XDPGAME' status --json | grep -q '\"ports\":\\[$DEFAULT_PORT\\]'"
N=3000
load l1 "$DEFAULT_PORT" "$N"
check "every request to port $DEFAULT_PORT acked, every player joined (default limits)" acked_all l1 "$N"
H=$(hs l1)
NH=$((N + H))

echo "== /metrics over HTTP"
check "GET /metrics answers 200" scrape m1.txt /metrics
check "promtool check metrics passes" promtool_ok "$XG_TMP/m1.txt"
check "Content-Type is the text format 0.0.4" \
	sh -c "nsenter --net=/run/netns/$XG_NS_SRV curl -sfI http://$MADDR/metrics | grep -qi 'content-type: text/plain; version=0.0.4'"
L="interface=\"$XG_SIF\""
r=$(metric "$XG_TMP/m1.txt" "xdpgame_xdp_packets_total{$L,verdict=\"redirect\",reason=\"redirect\"}")
f=$(metric "$XG_TMP/m1.txt" "xdpgame_xdp_packets_total{$L,verdict=\"pass\",reason=\"fallthrough\"}")
check "XDP redirect + fallthrough = the $N requests + $H of handshakes (got ${r:-?} + ${f:-?})" \
	[ -n "$r" ] && [ -n "$f" ] && [ "$((r + f))" = "$NH" ]
check "per-worker rx_packets sum to $NH" [ "$(msum "$XG_TMP/m1.txt" xdpgame_worker_rx_packets_total)" = "$NH" ]
check "per-worker acks sum to $NH (CHALLENGE, WELCOME and LEAVE's ack too)" \
	[ "$(msum "$XG_TMP/m1.txt" xdpgame_worker_acks_total)" = "$NH" ]
check "the service-time histogram counts $NH" \
	[ "$(metric "$XG_TMP/m1.txt" "xdpgame_service_time_seconds_count{$L}")" = "$NH" ]
check "le=+Inf equals the count" \
	[ "$(metric "$XG_TMP/m1.txt" "xdpgame_service_time_seconds_bucket{$L,le=\"+Inf\"}")" = "$NH" ]
check "no session left after the load's LEAVEs: xdpgame_sessions 0" \
	[ "$(metric "$XG_TMP/m1.txt" "xdpgame_sessions{$L}")" = 0 ]
check "refusals per reason, none yet: XDP deny_*" \
	[ "$(grep -c "^xdpgame_xdp_packets_total{$L,verdict=\"drop\",reason=\"deny_[a-z_]*\"} 0$" "$XG_TMP/m1.txt")" = 8 ]
check "... and the workers' xdpgame_worker_denied_total" \
	sh -c "grep -q '^xdpgame_worker_denied_total{$L,worker=\"0\",path=\"[a-z]*\",\\(queue=\"[0-9]*\",\\)\\?reason=\"no_session\"} 0$' '$XG_TMP/m1.txt'"

check "AF_XDP ring counters per queue" grep -q "^xdpgame_xsk_rx_ring_full_total{$L,worker=\"[0-9]*\",path=\"xsk\",queue=\"0\"} " "$XG_TMP/m1.txt"
check "build info" grep -q '^xdpgame_build_info{version="[^"]*",libbpf="[0-9.]*"} 1$' "$XG_TMP/m1.txt"
check "another path is 404" not_found

echo "== stats --prometheus from the pins"
stats_prom() { xg_srv "$XDPGAME" stats "$XG_SIF" --prometheus >"$XG_TMP/p1.txt" 2>"$XG_TMP/p1.err"; }
# the server publishes its workers once a second: wait for the last one
published() { stats_prom && [ "$(msum "$XG_TMP/p1.txt" xdpgame_worker_rx_packets_total)" = "$NH" ]; }
check "stats --prometheus exits 0" stats_prom
check "it lists the workers' $NH datagrams (published once a second)" within published
check "promtool check metrics passes on it" promtool_ok "$XG_TMP/p1.txt"
game() { grep -E '^xdpgame_xdp_packets_total.*reason="(redirect|fallthrough|xdp_tx|drop_[a-z_]*|deny_[a-z_]*)"' "$1"; }
check "its XDP game counters are the endpoint's" [ "$(game "$XG_TMP/p1.txt")" = "$(game "$XG_TMP/m1.txt")" ]
check "--prometheus with --json is a usage error" \
	sh -c "'$XDPGAME' stats '$XG_SIF' --prometheus --json 2>/dev/null; [ \$? = 2 ]"

echo "== sessions and refusals in the metrics"
# a paced load: its 64 players hold sessions while it runs
nsenter --net="/run/netns/$XG_NS_CLI" "$XDPGAME" load "$XG_SIP4:$DEFAULT_PORT" --duration 4 --rate 500 --quiet \
	--json >"$XG_TMP/lsess.json" 2>&1 &
LPID=$!
XG_PIDS+=("$LPID")
live_is() { scrape ms.txt /metrics && [ "$(metric "$XG_TMP/ms.txt" "xdpgame_sessions{$L}")" = "$1" ]; }
check "xdpgame_sessions 64 while a load of 64 players plays" within live_is 64
wait "$LPID"
check "... 0 once they left" within live_is 0
# requests without a session (--no-join): refused in the kernel
nsenter --net="/run/netns/$XG_NS_CLI" "$XDPGAME" load "$XG_SIP4:$DEFAULT_PORT" --no-join --count 50 --players 2 \
	--timeout 50 --json >"$XG_TMP/lnj.json" 2>&1
deny_ns() { metric "$XG_TMP/$1" "xdpgame_xdp_packets_total{$L,verdict=\"drop\",reason=\"deny_no_session\"}"; }
check "scraped after 50 requests without a session (--no-join)" scrape md.txt /metrics
check "... deny_no_session 50, verdict drop" [ "$(deny_ns md.txt)" = 50 ]
check "promtool check metrics passes with sessions and refusals" promtool_ok "$XG_TMP/md.txt"

echo "== a bad --metrics value, a metrics port in use"
for bad in 127.0.0.1 127.0.0.1:0 127.0.0.1:65536 localhost:9100 '[::1:9100' 1.2.3.4.5:80; do
	xg_srv "$XDPGAME" attach "$XG_SIF" --metrics "$bad" >"$XG_TMP/bad.out" 2>&1
	st=$?
	check "--metrics '$bad': exit 2, saying what is wanted" \
		sh -c "[ $st = 2 ] && grep -q 'invalid --metrics' '$XG_TMP/bad.out'"
done
xg_srv "$XDPGAME" attach "$XG_SIF" --port 4001 --metrics "$MADDR" >"$XG_TMP/inuse.out" 2>&1
st=$?
check "metrics port in use: exit 1, 'Address already in use'" \
	sh -c "[ $st = 1 ] && grep -q 'cannot serve metrics on $MADDR: Address already in use' '$XG_TMP/inuse.out'"
check "... before touching the running server's pins" grep -q "serving $XG_SIF" "$XG_TMP/srv.log"
check "the first server still serves" sh -c "nsenter --net=/run/netns/$XG_NS_CLI '$XDPGAME' load '$XG_SIP4:$DEFAULT_PORT' --count 100 >/dev/null 2>&1"

echo "== the Grafana dashboard's queries are valid PromQL over these names"
dash_rules() {
	python3 - "$XG_SRCDIR/docs/grafana-dashboard.json" >"$XG_TMP/rules.yml" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("groups:\n- name: dashboard\n  rules:")
for i, p in enumerate(d["panels"]):
    for t in p.get("targets", []):
        e = t["expr"].replace("$__rate_interval", "1m").replace("$interface", ".*")
        print(f"  - record: xdpgame:panel{i}:{t['refId']}\n    expr: {json.dumps(e)}")
PY
	promtool check rules "$XG_TMP/rules.yml" >"$XG_TMP/rules.out" 2>&1 || { sed 's/^/    | /' "$XG_TMP/rules.out"; false; }
}
check "promtool check rules passes on every panel query" dash_rules
dash_names() {
	local n
	for n in $(grep -o 'xdpgame_[a-z_]*' "$XG_SRCDIR/docs/grafana-dashboard.json" | sort -u); do
		case $n in xdpgame_xsk_) n=xdpgame_xsk_rx_ring_full_total ;; esac
		grep -q "^$n" "$XG_TMP/m1.txt" || { echo "    | $n is not served"; return 1; }
	done
}
check "every metric the dashboard names is served" dash_names

stop srv
check "SIGTERM: exit 0" [ "$XG_STATUS" = 0 ]
check "the metrics port is closed after exit" not scrape m2.txt /metrics
check "pins removed" [ ! -e "$PINS" ]

echo "== refusals in user space: a kernel-socket server's metrics"
xg_bg sock "$XDPGAME" attach "$XG_SIF" --port 4002 --mode sockets --metrics 127.0.0.1:9101 --quiet --json
check "a --mode sockets server on 4002" xg_wait_log sock "serving $XG_SIF ports 4002 "
nsenter --net="/run/netns/$XG_NS_CLI" "$XDPGAME" load "$XG_SIP4:4002" --no-join --count 50 --players 2 \
	--timeout 50 --json >"$XG_TMP/lnj2.json" 2>&1
user_denied() {
	xg_srv curl -sf http://127.0.0.1:9101/metrics >"$XG_TMP/mu.txt" &&
		[ "$(msum "$XG_TMP/mu.txt" xdpgame_worker_denied_total)" = 50 ] &&
		grep -q "^xdpgame_worker_denied_total{$L,worker=\"[0-9]*\",path=\"socket\",reason=\"no_session\"} [1-9]" "$XG_TMP/mu.txt"
}
check "50 requests without a session: xdpgame_worker_denied_total{reason=\"no_session\"} 50" within user_denied
check "... no XDP families without a program" not grep -q '^xdpgame_xdp_' "$XG_TMP/mu.txt"
check "... promtool check metrics passes" promtool_ok "$XG_TMP/mu.txt"
stop sock
check "SIGTERM: exit 0" [ "$XG_STATUS" = 0 ]
check "its summary counts them: denied.no_session 50" \
	quiet json_eval "$XG_TMP/sock.log" 'd["denied"]["no_session"] == 50 and d["sessions_live"] == 0'

echo "== set: ports and settings of the running server, under load"
xg_bg srv2 "$XDPGAME" attach "$XG_SIF" --port 7777 --port 7778 --metrics "$MADDR" --quiet
check "a server on 7777 and 7778" xg_wait_log srv2 "serving $XG_SIF ports 7777,7778 "
stats_json() { xg_srv "$XDPGAME" stats "$XG_SIF" --json >"$XG_TMP/$1" 2>&1; }
setting_is() { stats_json s.json && [ "$(json_field "$XG_TMP/s.json" "settings.$1")" = "$2" ]; }
# settings_are KEY=VALUE...: each of them (numbers), with one stats call
settings_are() {
	stats_json s.json && json_eval "$XG_TMP/s.json" \
		"all(d['settings'][k] == int(v) for k, v in (kv.split('=') for kv in '$*'.split()))" | grep -qx true
}
# xcount COUNTER: its packets, from the text (no interpreter started per
# call: `grows` polls it, and the machine may be busy)
xcount() { xg_srv "$XDPGAME" stats "$XG_SIF" | awk -v c="$1" '$1 == c && $3 == "packets" { print $2 }'; }
# grows COUNTER: the XDP counter goes up within 5 s
above() { local b; b=$(xcount "$1") && [ "$b" -gt "$2" ]; }
grows() { local a; a=$(xcount "$1") && within above "$1" "$a"; }
check "stats --json shows the settings: kernel_replies false" setting_is kernel_replies false
check "... redirect true" setting_is redirect true
check "... ports steered [7777, 7778]" setting_is ports "[7777,7778]"
check "... socket ports [7777, 7778]" setting_is socket_ports "[7777,7778]"
check "... the limits: attach's defaults" settings_are hs_rate=100 hs_burst=200 \
	hs_total_rate=10000 hs_total_burst=1000 session_rate=1000 session_burst=2000 \
	session_timeout_ms=10000
check "stats text shows them, as set's options" \
	sh -c "nsenter --net=/run/netns/$XG_NS_SRV '$XDPGAME' stats '$XG_SIF' | grep -q 'kernel-replies off redirect on handshake-rate 100/200'"

# a paced client on 7777, long enough for every change below to happen
# under it on a slow, shared machine (the last check says if it did)
LOAD_S=25
nsenter --net="/run/netns/$XG_NS_CLI" "$XDPGAME" load "$XG_SIP4:7777" --duration $LOAD_S \
	--rate 4000 --quiet --json >"$XG_TMP/lset.json" 2>&1 &
LPID=$!
LSTART=$SECONDS
XG_PIDS+=("$LPID")
check "the client's requests reach the AF_XDP sockets" grows redirect
check "set --kernel-replies on" quiet xg_srv "$XDPGAME" set "$XG_SIF" --kernel-replies on
check "... HEARTBEATs are answered in the kernel now (xdp_tx grows)" grows xdp_tx
check "... stats says so" setting_is kernel_replies true
check "set --port 7777: 7778 leaves the XDP set" quiet xg_srv "$XDPGAME" set "$XG_SIF" --port 7777
check "... stats shows ports [7777]" setting_is ports "[7777]"
check "... 7778 is still served, by its kernel socket (players apart from the client's)" \
	sh -c "nsenter --net=/run/netns/$XG_NS_CLI '$XDPGAME' load '$XG_SIP4:7778' --first-player 100 --count 200 >/dev/null 2>&1"
check "set --redirect off --kernel-replies off" quiet xg_srv "$XDPGAME" set "$XG_SIF" --redirect off --kernel-replies off
check "... game packets fall through to the kernel sockets" grows fallthrough
check "set --redirect on --port 7777 --port 7778: back as started" \
	quiet xg_srv "$XDPGAME" set "$XG_SIF" --redirect on --port 7777 --port 7778
check "... stats shows ports [7777, 7778]" setting_is ports "[7777,7778]"
check "... and redirect true" setting_is redirect true
check "(all of it while the client ran: $((SECONDS - LSTART)) s of $LOAD_S)" [ $((SECONDS - LSTART)) -lt $LOAD_S ]
wait "$LPID"; XG_STATUS=$?  # it ends by itself after LOAD_S
check "the client under all those changes: exit 0" [ "$XG_STATUS" = 0 ]
check "... every request acked, none lost, none wrong" \
	quiet json_eval "$XG_TMP/lset.json" 'd["acked"] == d["sent"] > 10000 and d["lost"] == 0 and d["wrong"] == 0'

xg_srv "$XDPGAME" set "$XG_SIF" --port 9999 >"$XG_TMP/set9999.out" 2>&1
st=$?
check "set --port 9999 (no socket for it): exit 1, saying why and what to do" \
	sh -c "[ $st = 1 ] && grep -q 'has no kernel socket on port 9999' '$XG_TMP/set9999.out' && grep -q 'attach $XG_SIF --port 9999' '$XG_TMP/set9999.out'"
check "... the ports stay [7777, 7778]" setting_is ports "[7777,7778]"
xg_srv "$XDPGAME" set "$XG_SIF" --kernel-replies maybe >/dev/null 2>&1
check "set --kernel-replies maybe: exit 2" [ $? = 2 ]
xg_srv "$XDPGAME" set "$XG_SIF" >/dev/null 2>&1
check "set with nothing to change: exit 2" [ $? = 2 ]
xg_srv "$XDPGAME" set "${XG_SIF}x" --redirect on >/dev/null 2>&1
check "set on an interface without xdpgame: exit 1" [ $? = 1 ]
for bad in "--handshake-rate x" "--handshake-total 1/0" "--session-rate -1" \
	"--session-timeout 50" "--session-timeout 3600001"; do
	# shellcheck disable=SC2086
	xg_srv "$XDPGAME" set "$XG_SIF" $bad >/dev/null 2>&1
	check "set $bad: exit 2" [ $? = 2 ]
done

echo "== set: the version 2 limits, in the kernel and in the server's sessions"
# the MAC member of struct xg_xdp_config, by name (the map's BTF): the
# holder's, never set's
config_mac() {
	bpftool -j map lookup pinned "$PINS/config" key 0 0 0 0 | python3 -c 'import json, sys
v = json.load(sys.stdin)["formatted"]["value"]["mac"]
print(":".join("%02x" % b for b in v))'
}
MAC=$(xg_srv ip -j link show dev "$XG_SIF" | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["address"])')
check "the config map holds the interface's MAC ($MAC)" [ "$(config_mac)" = "$MAC" ]
check "set --handshake-rate 1/1" quiet xg_srv "$XDPGAME" set "$XG_SIF" --handshake-rate 1/1
check "... stats: hs_rate 1, hs_burst 1" settings_are hs_rate=1 hs_burst=1
# 64 players joining from one address: the kernel refuses most JOINs
nsenter --net="/run/netns/$XG_NS_CLI" "$XDPGAME" load "$XG_SIP4:7777" --first-player 1000 --count 100 --quiet \
	--json >"$XG_TMP/lhs.json" 2>&1 &
LPID=$!
XG_PIDS+=("$LPID")
check "... handshakes over it are refused in XDP (deny_handshake_rate grows)" grows deny_handshake_rate
kill -KILL "$LPID" 2>/dev/null; wait "$LPID" 2>/dev/null
check "set --handshake-rate 100 --session-rate 1/1 (burst: twice the rate)" \
	quiet xg_srv "$XDPGAME" set "$XG_SIF" --handshake-rate 100 --session-rate 1/1
check "... stats: hs_burst 200, session_rate 1, session_burst 1" \
	settings_are hs_rate=100 hs_burst=200 session_rate=1 session_burst=1
sr0=$(xcount deny_session_rate)
nsenter --net="/run/netns/$XG_NS_CLI" "$XDPGAME" load "$XG_SIP4:7777" --first-player 2000 --players 2 --count 50 \
	--timeout 50 --json >"$XG_TMP/lsr.json" 2>&1
check "... two players' 50 fast requests: the rest refused in XDP (deny_session_rate +$(( $(xcount deny_session_rate) - sr0 )))" \
	[ "$(xcount deny_session_rate)" -ge $((sr0 + 40)) ]
check "... both players joined (handshakes are not game requests)" \
	[ "$(json_field "$XG_TMP/lsr.json" handshake.joined)" = 2 ]
check "set --session-rate 1000/2000 --session-timeout 1000" \
	quiet xg_srv "$XDPGAME" set "$XG_SIF" --session-rate 1000/2000 --session-timeout 1000
check "... stats: session_timeout_ms 1000" setting_is session_timeout_ms 1000
# the server's own sessions take the new timeout: players killed without
# a LEAVE are gone within about a second (with the 10 s default they
# would stay past the 5 s this waits)
nsenter --net="/run/netns/$XG_NS_CLI" "$XDPGAME" load "$XG_SIP4:7777" --duration 20 --rate 500 --quiet \
	--json >"$XG_TMP/lto.json" 2>&1 &
LPID=$!
XG_PIDS+=("$LPID")
check "... a load of 64 players: xdpgame_sessions 64" within live_is 64
kill -KILL "$LPID" 2>/dev/null; wait "$LPID" 2>/dev/null
check "... killed, no LEAVE: the server ends their sessions within 5 s" within live_is 0
check "the MAC survived every set ($(config_mac))" [ "$(config_mac)" = "$MAC" ]
stop srv2

echo "== reload under load: xdpgame reload, and SIGHUP"
# 500 players from one address: over the default handshake budget, so
# lifted as an operator would for a load test
xg_bg srv3 "$XDPGAME" attach "$XG_SIF" --port 7777 --quiet --handshake-rate 0 --session-rate 0
check "a server on 7777" xg_wait_log srv3 "serving $XG_SIF ports 7777 "
# prog_maps PROG_ID: the ids of the maps a program uses (plain bpftool
# output: no interpreter started per call, the machine may be busy)
prog_maps() {
	bpftool prog show id "$1" |
		awk '{ for (i = 1; i < NF; i++) if ($i == "map_ids") { gsub(",", " ", $(i + 1)); print $(i + 1) } }'
}
# pinned_id NAME: the id of the instance's pinned map NAME
pinned_id() { bpftool map show pinned "$PINS/$1" | awk -F: 'NR == 1 { print $1 }'; }
# same_maps OLD_MAPS NEW: program NEW uses every pinned map of OLD_MAPS (the
# old program's prog_maps; each load has its own .rodata), the session maps
# among them
same_maps() {
	local old=" $1 " new=" $(prog_maps "$2") " m id
	for m in "$PINS"/*; do
		case ${m##*/} in prog*|ifname) continue ;; esac
		id=$(pinned_id "${m##*/}")
		case $old in *" $id "*) ;; *) continue ;; esac # info, workers: user space's
		case $new in *" $id "*) ;; *) echo "    | ${m##*/} (map id $id) is not in$new"; return 1 ;; esac
	done
	for m in sessions addrs hs_limits hs_total config xsks stats ports; do
		case $new in *" $(pinned_id $m) "*) ;; *) echo "    | $m is not used"; return 1 ;; esac
	done
}
prog_id() { xg_srv "$XDPGAME" status --json >"$XG_TMP/st.json" && json_eval "$XG_TMP/st.json" \
	"[i['prog_id'] for i in d['interfaces'] if i['interface'] == '$XG_SIF'][0]"; }
link_id() { xg_srv ip -j link show dev "$XG_SIF" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["xdp"]["prog"]["id"])'; }
id0=$(prog_id)
maps0=$(prog_maps "$id0")
nsenter --net="/run/netns/$XG_NS_CLI" "$XDPGAME" load "$XG_SIP4:7777" --duration $LOAD_S \
	--rate 4000 --players 500 --quiet --json >"$XG_TMP/lrel.json" 2>&1 &
LSTART=$SECONDS
LPID=$!
XG_PIDS+=("$LPID")
check "the client's requests reach the AF_XDP sockets" grows redirect
xg_srv "$XDPGAME" reload "$XG_SIF" >"$XG_TMP/rel1.out" 2>&1
check "xdpgame reload: exit 0, naming both ids" sh -c "[ $? = 0 ] && grep -q 'XDP program id $id0 replaced by id' '$XG_TMP/rel1.out'"
id1=$(prog_id)
check "status shows the new program id ($id0 -> $id1)" [ -n "$id1" ] && [ "$id1" != "$id0" ]
check "... and it is the one on the link" [ "$(link_id)" = "$id1" ]
check "it uses every pinned map of the instance (sessions, addrs, hs_limits, hs_total among them)" \
	same_maps "$maps0" "$id1"
check "the counters keep counting (stats map kept)" grows redirect
maps1=$(prog_maps "$id1")
kill -HUP "$(xg_pid srv3)"
check "SIGHUP: the server reloads" xg_wait_log srv3 "SIGHUP: XDP program id $id1 replaced by id"
id2=$(prog_id)
check "... a third program id ($id2), on the link" [ "$id2" != "$id1" ] && [ "$(link_id)" = "$id2" ]
check "... using every pinned map" same_maps "$maps1" "$id2"
check "... requests still go to AF_XDP (xsks map kept)" grows redirect
check "set still works after a reload (config map kept)" quiet xg_srv "$XDPGAME" set "$XG_SIF" --kernel-replies on
check "... and the new program obeys it" grows xdp_tx
check "(all of it while the client ran: $((SECONDS - LSTART)) s of $LOAD_S)" [ $((SECONDS - LSTART)) -lt $LOAD_S ]
wait "$LPID"; XG_STATUS=$?  # it ends by itself after LOAD_S
check "the client across both reloads: exit 0 (got $XG_STATUS)" [ "$XG_STATUS" = 0 ] || sed "s/^/    | /" "$XG_TMP/lrel.json"
check "... every request acked, none lost, none wrong: the 500 sessions lived on" \
	quiet json_eval "$XG_TMP/lrel.json" 'd["acked"] == d["sent"] > 10000 and d["lost"] == 0 and d["wrong"] == 0 and d["errors"] == 0 and d["handshake"]["joined"] == 500'
check "reload with no server there: exit 1" sh -c "! nsenter --net=/run/netns/$XG_NS_SRV '$XDPGAME' reload '${XG_SIF}x' 2>/dev/null"
stop srv3
check "SIGTERM after reloads: exit 0" [ "$XG_STATUS" = 0 ]
check "... the reloaded program is detached" not sh -c "nsenter --net=/run/netns/$XG_NS_SRV ip link show dev '$XG_SIF' | grep -q 'prog/xdp'"
check "... and the pins are gone" [ ! -e "$PINS" ]

xg_finish
