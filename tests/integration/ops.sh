#!/usr/bin/env bash
# Running xdpgame as a service: `attach IFACE` alone serves the default
# game port (7777); `--metrics ADDR:PORT` serves /metrics over HTTP from its
# own thread, scraped with curl and held to `promtool check metrics`, with
# counts that match the traffic; `stats --prometheus` prints the same
# families from the pins; a bad --metrics value is a usage error and a
# metrics port in use fails the start, attaching nothing.
# lib.sh's trap removes namespaces, processes and pins on every exit.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || xg_skip "curl missing (scripts/deps.sh installs it)"
command -v promtool >/dev/null || xg_skip "promtool missing (Debian package prometheus; scripts/deps.sh installs it)"

xg_setup
xg_peer_xdp || { echo "FAIL: no XDP_PASS program on the client veth"; exit 1; }
DEFAULT_PORT=7777
MADDR=127.0.0.1:9100
PINS=/sys/fs/bpf/xdpgame/$XG_SIF

# load NAME PORT COUNT: `xdpgame load` from the client; NAME.json
load() {
	xg_cli "$XDPGAME" load "$XG_SIP4:$2" --count "$3" --json >"$XG_TMP/$1.json" 2>&1
}
acked_all() {
	[ "$(json_field "$XG_TMP/$1.json" acked)" = "$2" ] &&
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
check "every request to port $DEFAULT_PORT acked" acked_all l1 "$N"

echo "== /metrics over HTTP"
check "GET /metrics answers 200" scrape m1.txt /metrics
check "promtool check metrics passes" promtool_ok "$XG_TMP/m1.txt"
check "Content-Type is the text format 0.0.4" \
	sh -c "nsenter --net=/run/netns/$XG_NS_SRV curl -sfI http://$MADDR/metrics | grep -qi 'content-type: text/plain; version=0.0.4'"
L="interface=\"$XG_SIF\""
r=$(metric "$XG_TMP/m1.txt" "xdpgame_xdp_packets_total{$L,verdict=\"redirect\",reason=\"redirect\"}")
f=$(metric "$XG_TMP/m1.txt" "xdpgame_xdp_packets_total{$L,verdict=\"pass\",reason=\"fallthrough\"}")
check "XDP redirect + fallthrough = the $N requests (got ${r:-?} + ${f:-?})" \
	[ -n "$r" ] && [ -n "$f" ] && [ "$((r + f))" = "$N" ]
check "per-worker rx_packets sum to $N" [ "$(msum "$XG_TMP/m1.txt" xdpgame_worker_rx_packets_total)" = "$N" ]
check "per-worker acks sum to $N" [ "$(msum "$XG_TMP/m1.txt" xdpgame_worker_acks_total)" = "$N" ]
check "the service-time histogram counts $N" \
	[ "$(metric "$XG_TMP/m1.txt" "xdpgame_service_time_seconds_count{$L}")" = "$N" ]
check "le=+Inf equals the count" \
	[ "$(metric "$XG_TMP/m1.txt" "xdpgame_service_time_seconds_bucket{$L,le=\"+Inf\"}")" = "$N" ]
check "AF_XDP ring counters per queue" grep -q "^xdpgame_xsk_rx_ring_full_total{$L,worker=\"[0-9]*\",path=\"xsk\",queue=\"0\"} " "$XG_TMP/m1.txt"
check "build info" grep -q '^xdpgame_build_info{version="[^"]*",libbpf="[0-9.]*"} 1$' "$XG_TMP/m1.txt"
check "another path is 404" not_found

echo "== stats --prometheus from the pins"
stats_prom() { xg_srv "$XDPGAME" stats "$XG_SIF" --prometheus >"$XG_TMP/p1.txt" 2>"$XG_TMP/p1.err"; }
# the server publishes its workers once a second: wait for the last one
published() { stats_prom && [ "$(msum "$XG_TMP/p1.txt" xdpgame_worker_rx_packets_total)" = "$N" ]; }
check "stats --prometheus exits 0" stats_prom
check "it lists the workers' $N requests (published once a second)" within published
check "promtool check metrics passes on it" promtool_ok "$XG_TMP/p1.txt"
game() { grep -E '^xdpgame_xdp_packets_total.*reason="(redirect|fallthrough|xdp_tx|drop_[a-z_]*)"' "$1"; }
check "its XDP game counters are the endpoint's" [ "$(game "$XG_TMP/p1.txt")" = "$(game "$XG_TMP/m1.txt")" ]
check "--prometheus with --json is a usage error" \
	sh -c "'$XDPGAME' stats '$XG_SIF' --prometheus --json 2>/dev/null; [ \$? = 2 ]"

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

echo "== set: ports and settings of the running server, under load"
xg_bg srv2 "$XDPGAME" attach "$XG_SIF" --port 7777 --port 7778 --quiet
check "a server on 7777 and 7778" xg_wait_log srv2 "serving $XG_SIF ports 7777,7778 "
stats_json() { xg_srv "$XDPGAME" stats "$XG_SIF" --json >"$XG_TMP/$1" 2>&1; }
setting_is() { stats_json s.json && [ "$(json_field "$XG_TMP/s.json" "settings.$1")" = "$2" ]; }
xcount() { stats_json c.json && json_field "$XG_TMP/c.json" "counters.$1.packets"; }
# grows COUNTER: the XDP counter goes up within 5 s
above() { local b; b=$(xcount "$1") && [ "$b" -gt "$2" ]; }
grows() { local a; a=$(xcount "$1") && within above "$1" "$a"; }
check "stats --json shows the settings: kernel_replies false" setting_is kernel_replies false
check "... redirect true" setting_is redirect true
check "... ports steered [7777, 7778]" setting_is ports "[7777,7778]"
check "... socket ports [7777, 7778]" setting_is socket_ports "[7777,7778]"
check "stats text shows them" sh -c "'$XDPGAME' stats '$XG_SIF' | grep -q 'kernel_replies off redirect on'"

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
check "... 7778 is still served, by its kernel socket" \
	sh -c "nsenter --net=/run/netns/$XG_NS_CLI '$XDPGAME' load '$XG_SIP4:7778' --count 200 >/dev/null 2>&1"
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
stop srv2

echo "== reload under load: xdpgame reload, and SIGHUP"
xg_bg srv3 "$XDPGAME" attach "$XG_SIF" --port 7777 --quiet
check "a server on 7777" xg_wait_log srv3 "serving $XG_SIF ports 7777 "
prog_id() { xg_srv "$XDPGAME" status --json >"$XG_TMP/st.json" && json_eval "$XG_TMP/st.json" \
	"[i['prog_id'] for i in d['interfaces'] if i['interface'] == '$XG_SIF'][0]"; }
link_id() { xg_srv ip -j link show dev "$XG_SIF" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["xdp"]["prog"]["id"])'; }
id0=$(prog_id)
nsenter --net="/run/netns/$XG_NS_CLI" "$XDPGAME" load "$XG_SIP4:7777" --duration $LOAD_S \
	--rate 4000 --quiet --json >"$XG_TMP/lrel.json" 2>&1 &
LSTART=$SECONDS
LPID=$!
XG_PIDS+=("$LPID")
check "the client's requests reach the AF_XDP sockets" grows redirect
xg_srv "$XDPGAME" reload "$XG_SIF" >"$XG_TMP/rel1.out" 2>&1
check "xdpgame reload: exit 0, naming both ids" sh -c "[ $? = 0 ] && grep -q 'XDP program id $id0 replaced by id' '$XG_TMP/rel1.out'"
id1=$(prog_id)
check "status shows the new program id ($id0 -> $id1)" [ -n "$id1" ] && [ "$id1" != "$id0" ]
check "... and it is the one on the link" [ "$(link_id)" = "$id1" ]
check "the counters keep counting (stats map kept)" grows redirect
kill -HUP "$(xg_pid srv3)"
check "SIGHUP: the server reloads" xg_wait_log srv3 "SIGHUP: XDP program id $id1 replaced by id"
id2=$(prog_id)
check "... a third program id ($id2), on the link" [ "$id2" != "$id1" ] && [ "$(link_id)" = "$id2" ]
check "... requests still go to AF_XDP (xsks map kept)" grows redirect
check "set still works after a reload (config map kept)" quiet xg_srv "$XDPGAME" set "$XG_SIF" --kernel-replies on
check "... and the new program obeys it" grows xdp_tx
check "(all of it while the client ran: $((SECONDS - LSTART)) s of $LOAD_S)" [ $((SECONDS - LSTART)) -lt $LOAD_S ]
wait "$LPID"; XG_STATUS=$?  # it ends by itself after LOAD_S
check "the client across both reloads: exit 0 (got $XG_STATUS)" [ "$XG_STATUS" = 0 ] || sed "s/^/    | /" "$XG_TMP/lrel.json"
check "... every request acked, none lost, none wrong" \
	quiet json_eval "$XG_TMP/lrel.json" 'd["acked"] == d["sent"] > 10000 and d["lost"] == 0 and d["wrong"] == 0 and d["errors"] == 0'
check "reload with no server there: exit 1" sh -c "! nsenter --net=/run/netns/$XG_NS_SRV '$XDPGAME' reload '${XG_SIF}x' 2>/dev/null"
stop srv3
check "SIGTERM after reloads: exit 0" [ "$XG_STATUS" = 0 ]
check "... the reloaded program is detached" not sh -c "nsenter --net=/run/netns/$XG_NS_SRV ip link show dev '$XG_SIF' | grep -q 'prog/xdp'"
check "... and the pins are gone" [ ! -e "$PINS" ]

xg_finish
