#!/usr/bin/env bash
# The XDP program over veth, as `xdpgame attach --mode native` and again
# `--mode generic` attach it (a fresh server for each step that needs one):
# every game request is acked; ping, other UDP and TCP still flow; malformed
# game datagrams are dropped in the kernel with exact per-reason counts
# (`xdpgame stats`), never reaching user space; the pinned maps dump with
# named fields; `xdpgame status` lists the instance; a second attach on the
# interface is refused naming the holder, and of two racing attaches exactly
# one wins; after kill -9 the program is gone (its bpf_link died with the
# process) and the pins stay, status says stale, and `xdpgame detach`
# removes them (exit 0, then 1: nothing left); SIGTERM
# detaches and unpins by itself and its summary accounts for every request.
# lib.sh's trap removes namespaces, processes and pins on every exit.
. "$(dirname "$0")/lib.sh"

xg_setup
P=4000
P2=4100
PINS=$(xg_pins)

# Malformed game datagrams (valid UDP; the payload is what printf gives):
# a 24-byte HEARTBEAT with bad magic, the same with version 7, and 3 bytes.
BAD_MAGIC='XX\x01\x03\x18\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00'
BAD_VERSION='XG\x07\x03\x18\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00'
TOO_SHORT='XG\x01'

# serve NAME MODE PORT: an attach in the background, its log NAME.log
serve() {
	xg_bg "$1" "$XDPGAME" attach "$XG_SIF" --mode "$2" --port "$3" --json
}

# stop NAME: SIGTERM, wait; exit status in XG_STATUS
stop() {
	local pid
	pid=$(xg_pid "$1")
	kill -TERM "$pid" 2>/dev/null
	xg_wait_exit "$pid" || kill -KILL "$pid" 2>/dev/null
}

alive() { kill -0 "$(xg_pid "$1")" 2>/dev/null; }

# load NAME PORT COUNT: `xdpgame load` from the client; NAME.json
load() {
	xg_cli "$XDPGAME" load "$XG_SIP4:$2" --count "$3" --json >"$XG_TMP/$1.json" 2>&1
}

# acked_all NAME COUNT: every request acked right, none lost
acked_all() {
	[ "$(json_field "$XG_TMP/$1.json" acked)" = "$2" ] &&
		[ "$(json_field "$XG_TMP/$1.json" wrong)" = 0 ] &&
		[ "$(json_field "$XG_TMP/$1.json" lost)" = 0 ]
}

# wait_listen tcp|udp PORT: a listener in the server namespace (5 s)
wait_listen() {
	local i
	for i in $(seq 1 50); do
		xg_srv ss -Hln --"$1" "sport = :$2" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

# The client side's veth may need an XDP program of its own for native XDP
# on the server's veth (older kernels, or for XDP_TX/redirect into it):
# a plain XDP_PASS program, attached only if game traffic fails without.
peer_prog() {
	printf '%s\n' '#include <linux/bpf.h>' '#include <bpf/bpf_helpers.h>' \
		'SEC("xdp") int pass(struct xdp_md *ctx) { return XDP_PASS; }' \
		'char LICENSE[] SEC("license") = "GPL";' >"$XG_TMP/pass.bpf.c"
	clang -O2 -g -target bpf -I/usr/include/"$(uname -m)"-linux-gnu \
		-c "$XG_TMP/pass.bpf.c" -o "$XG_TMP/pass.bpf.o" &&
		xg_cli ip link set dev "$XG_CIF" xdpdrv obj "$XG_TMP/pass.bpf.o" sec xdp
}

# send N BYTES PORT: N datagrams to PORT, each from its own nc, at once;
# their pids go to SENT, any reply to mal.out
send() {
	local i
	for ((i = 0; i < $1; i++)); do
		printf '%b' "$2" | xg_cli nc -u -w 1 -q 1 "$XG_SIP4" "$3" >>"$XG_TMP/mal.out" 2>/dev/null &
		SENT+=($!)
	done
}

# malformed PORT: 3 bad magic, 2 bad version, 1 too short
malformed() {
	SENT=()
	: >"$XG_TMP/mal.out"
	send 3 "$BAD_MAGIC" "$1"
	send 2 "$BAD_VERSION" "$1"
	send 1 "$TOO_SHORT" "$1"
	wait "${SENT[@]}"
}

# cnt FILE COUNTER: packets of a counter in `xdpgame stats --json` output
cnt() { json_field "$1" "counters.$2.packets"; }
# field_is FILE PATH VALUE: the JSON value at PATH is VALUE
field_is() { [ "$(json_field "$1" "$2")" = "$3" ]; }
# status_of FILE IFACE: `xdpgame status --json` output's entry for IFACE
# (its path, interfaces.N; other tests' instances may be listed too)
status_of() {
	local i=0 name
	while name=$(json_field "$1" "interfaces.$i.interface"); do
		[ "$name" = "$2" ] && { echo "interfaces.$i"; return 0; }
		i=$((i + 1))
	done
	return 1
}
# status_is FILE IFACE KEY VALUE: that entry's KEY is VALUE
status_is() {
	local e
	e=$(status_of "$1" "$2") && field_is "$1" "$e.$3" "$4"
}
# xdp FILE COUNTER: a counter of the summary's "xdp" object
xdp() { json_field "$1" "xdp.$2"; }

stats_json() { xg_srv "$XDPGAME" stats "$XG_SIF" --json >"$XG_TMP/$1" 2>&1; }

drops_exact() {
	[ "$(cnt "$1" drop_bad_magic)" = 3 ] && [ "$(cnt "$1" drop_bad_version)" = 2 ] &&
		[ "$(cnt "$1" drop_too_short)" = 1 ]
}

# valid_all LOG LOAD: every request the load had acked, and each of its
# players' JOIN, ANSWER and LEAVE, went through the program as a valid game
# packet, to an AF_XDP socket, to the kernel socket or answered in the
# kernel, and nothing else did
valid_all() {
	local r f t a j
	r=$(xdp "$1" redirect) f=$(xdp "$1" fallthrough) t=$(xdp "$1" xdp_tx)
	a=$(json_field "$XG_TMP/$2.json" acked)
	j=$(json_field "$XG_TMP/$2.json" handshake.joined)
	[ -n "$r" ] && [ -n "$f" ] && [ -n "$t" ] && [ -n "$a" ] && [ -n "$j" ] &&
		[ "$((r + f + t))" = "$((a + 3 * j))" ]
}

not() { ! "$@"; }
pings() { xg_cli ping -c 2 -W 2 -i 0.2 -q "$XG_SIP4" >/dev/null; }

xdp_on_link() { xg_srv ip link show "$XG_SIF" | grep -q xdp; }
# no_xdp_soon: no XDP program on the link within 5 s
no_xdp_soon() {
	local i
	for i in $(seq 1 50); do
		xdp_on_link || return 0
		sleep 0.1
	done
	return 1
}
# wait_watch NAME: stats --watch has shown a game packet rate (5 s)
wait_watch() {
	local i
	for i in $(seq 1 50); do
		grep -Eq '^\[ *[0-9.]+s\].* (redirect|fallthrough) [0-9]+ pps' "$XG_TMP/$1.log" && return 0
		sleep 0.1
	done
}

# phase_traffic MODE: a server in MODE; traffic, counters, status, pins;
# a second attach and a detach are refused while it runs.
phase_traffic() {
	local m=$1 s="srv_$1" pid
	serve "$s" "$m" $P
	xg_wait_log "$s" "serving" || { fail "$m: server started"; return 1; }
	ok "$m: server started"
	pid=$(xg_pid "$s")
	check "$m: log says attached to $XG_SIF in $m mode" grep -q "attached to $XG_SIF in $m mode" "$XG_TMP/$s.log"

	if [ "$m" = native ] && ! load "probe_$m" $P 200; then
		echo "  (game traffic fails with native XDP and no program on the peer: adding one)"
		check "$m: XDP_PASS program attached on the client's veth" peer_prog
	fi
	xg_bg "watch_$m" "$XDPGAME" stats "$XG_SIF" --watch --interval 0.2
	load "load_$m" $P 20000
	check "$m: 20000 requests, each acked once and right" acked_all "load_$m" 20000
	wait_watch "watch_$m"
	stop "watch_$m"
	check "$m: stats --watch ends on SIGTERM with exit 0" test "$XG_STATUS" = 0
	check "$m:   ... having shown the game packets' rate" \
		grep -Eq '^\[ *[0-9.]+s\].* (redirect|fallthrough) [0-9]+ pps' "$XG_TMP/watch_$m.log"
	check "$m: ping still works" pings

	xg_srv timeout 5 nc -u -l -W 1 "$XG_SIP4" 5999 >"$XG_TMP/udp_$m.out" &
	wait_listen udp 5999
	echo hello-udp | xg_cli nc -u -w 1 -q 1 "$XG_SIP4" 5999 >/dev/null 2>&1
	wait $!
	check "$m: non-game UDP still delivered" grep -q hello-udp "$XG_TMP/udp_$m.out"
	xg_srv timeout 5 nc -d -l "$XG_SIP4" 5998 >"$XG_TMP/tcp_$m.out" &
	wait_listen tcp 5998
	echo hello-tcp | xg_cli timeout 5 nc -N "$XG_SIP4" 5998 >/dev/null 2>&1
	wait $!
	check "$m: TCP still delivered" grep -q hello-tcp "$XG_TMP/tcp_$m.out"

	malformed $P
	check "$m: malformed datagrams get no reply" test ! -s "$XG_TMP/mal.out"
	stats_json "stats_$m.json"
	check "$m: stats --json: drop_bad_magic 3, drop_bad_version 2, drop_too_short 1" drops_exact "$XG_TMP/stats_$m.json"
	check "$m: stats --json names the interface" field_is "$XG_TMP/stats_$m.json" interface "$XG_SIF"
	check "$m:   ... and the workers the server published" quiet json_field "$XG_TMP/stats_$m.json" workers.0.path
	xg_srv "$XDPGAME" stats "$XG_SIF" >"$XG_TMP/stats_$m.txt" 2>&1
	check "$m: stats text: one line per counter" \
		test "$(grep -c ' packets .* bytes$' "$XG_TMP/stats_$m.txt")" = "$(json_eval "$XG_TMP/stats_$m.json" 'len(d["counters"])')"
	check "$m: stats text: drop_bad_magic 3 packets" grep -Eq '^ +drop_bad_magic +3 packets' "$XG_TMP/stats_$m.txt"

	bpftool map dump pinned "$PINS/stats" >"$XG_TMP/dump_stats_$m" 2>&1
	check "$m: bpftool dumps the stats pin with named fields" grep -q '"packets": ' "$XG_TMP/dump_stats_$m"
	check "$m:   ... packets and bytes" grep -q '"bytes": ' "$XG_TMP/dump_stats_$m"
	bpftool map dump pinned "$PINS/info" >"$XG_TMP/dump_info_$m" 2>&1
	check "$m: bpftool dumps the info pin with named fields" grep -q "\"pid\": $pid," "$XG_TMP/dump_info_$m"
	check "$m:   ... ports and prog_id" grep -q '"prog_id": ' "$XG_TMP/dump_info_$m"

	xg_srv "$XDPGAME" status >"$XG_TMP/status_$m" 2>&1
	check "$m: status lists $XG_SIF alive, its pid and mode" grep -q "^$XG_SIF: alive, pid $pid, mode $m," "$XG_TMP/status_$m"
	check "$m:   ... and port $P" grep -q "^$XG_SIF: .*, ports $P," "$XG_TMP/status_$m"
	xg_srv "$XDPGAME" status --json >"$XG_TMP/status_$m.json" 2>&1
	check "$m: status --json too: $XG_SIF alive" status_is "$XG_TMP/status_$m.json" "$XG_SIF" alive true
	check "$m:   ... its pid" status_is "$XG_TMP/status_$m.json" "$XG_SIF" pid "$pid"
	check "$m:   ... its mode" status_is "$XG_TMP/status_$m.json" "$XG_SIF" mode "$m"
	check "$m:   ... its port" status_is "$XG_TMP/status_$m.json" "$XG_SIF" ports "[$P]"

	xg_srv "$XDPGAME" attach "$XG_SIF" --mode "$m" --port $P2 -q >"$XG_TMP/second_$m.log" 2>&1
	check "$m: a second attach on $XG_SIF exits non-zero" test $? -ne 0
	check "$m:   ... naming the running instance" grep -q "already runs on $XG_SIF (pid $pid," "$XG_TMP/second_$m.log"
	check "$m:   ... and the first one serves on" alive "$s"
	xg_srv "$XDPGAME" detach "$XG_SIF" >"$XG_TMP/detach_live_$m" 2>&1
	check "$m: detach of a live instance exits 1" test $? = 1
	check "$m:   ... saying who holds it" grep -q "$XG_SIF is held by a running xdpgame (pid $pid); stop it with SIGTERM" "$XG_TMP/detach_live_$m"
	check "$m:   ... and leaves it attached" xdp_on_link
}

# phase_kill MODE: kill -9 the server of phase_traffic; detach cleans up.
phase_kill() {
	local m=$1 s="srv_$1" pid
	pid=$(xg_pid "$s")
	{ kill -KILL "$pid"; xg_wait_exit "$pid"; } 2>/dev/null # no "Killed" line
	check "$m: after kill -9 no XDP program is left on $XG_SIF (its bpf_link died with it)" no_xdp_soon
	check "$m:   ... but the pins stay" test -e "$PINS/prog" -a -e "$PINS/stats" -a -e "$PINS/info"
	xg_srv "$XDPGAME" status >"$XG_TMP/stale_$m" 2>&1
	check "$m: status says stale, pid $pid gone" grep -q "^$XG_SIF: stale, pid $pid (gone), mode $m," "$XG_TMP/stale_$m"
	check "$m:   ... with the detach hint" grep -q "xdpgame detach $XG_SIF" "$XG_TMP/stale_$m"
	xg_srv "$XDPGAME" detach "$XG_SIF" >"$XG_TMP/detach_$m" 2>&1
	check "$m: detach exits 0" test $? = 0
	check "$m:   ... saying there was no program to remove" grep -q "$XG_SIF: no XDP program to remove: the kernel took" "$XG_TMP/detach_$m"
	check "$m:   ... and removed the pins" grep -q "$XG_SIF: removed $PINS (pins: .*stats" "$XG_TMP/detach_$m"
	check "$m: no XDP program left on $XG_SIF" not xdp_on_link
	check "$m: no pin directory left" test ! -e "$PINS"
	xg_srv "$XDPGAME" detach "$XG_SIF" >"$XG_TMP/detach2_$m" 2>&1
	check "$m: a second detach exits 1" test $? = 1
	check "$m:   ... saying there is nothing" grep -q "nothing of xdpgame's on $XG_SIF" "$XG_TMP/detach2_$m"
	xg_srv "$XDPGAME" stats "$XG_SIF" >"$XG_TMP/stats_none_$m" 2>&1
	check "$m: stats without an instance exits 1" test $? = 1
	check "$m:   ... saying so" grep -q "error: no xdpgame on $XG_SIF" "$XG_TMP/stats_none_$m"
}

# phase_race MODE: two attaches at once (ports P and P2): exactly one wins;
# the winner serves, drops malformed datagrams in the kernel, and on SIGTERM
# detaches, unpins and accounts for every request.
phase_race() {
	local m=$1 a="ra_$1" b="rb_$1" w l wp _
	serve "$a" "$m" $P
	serve "$b" "$m" $P2
	for _ in $(seq 1 100); do
		{ grep -q serving "$XG_TMP/$a.log" || grep -q serving "$XG_TMP/$b.log"; } &&
			{ ! alive "$a" || ! alive "$b"; } && break
		sleep 0.1
	done
	if alive "$a" && grep -q serving "$XG_TMP/$a.log"; then
		w=$a l=$b wp=$P
	else
		w=$b l=$a wp=$P2
	fi
	check "$m: of two attaches at once the winner serves" grep -q serving "$XG_TMP/$w.log"
	xg_wait_exit "$(xg_pid "$l")"
	check "$m:   ... the other exits non-zero" test "$XG_STATUS" != 0 -a "$XG_STATUS" != 124
	check "$m:   ... saying $XG_SIF is taken" grep -qE "already runs on $XG_SIF|another xdpgame is starting on $XG_SIF" "$XG_TMP/$l.log"
	# the loser names the winner's pid, or says it is still starting
	# (before the winner has written its info); never "pid 0"
	check "$m:   ... naming the winner (its pid, or that it is starting)" \
		grep -qE "already runs on $XG_SIF \(pid $(xg_pid "$w"),|another xdpgame is starting on $XG_SIF" "$XG_TMP/$l.log"
	check "$m:   ... never suggesting kill -TERM 0" bash -c "! grep -q 'pid 0' '$XG_TMP/$l.log'"

	load "race_$m" "$wp" 5000
	check "$m: 5000 requests to the winner acked" acked_all "race_$m" 5000
	malformed $wp
	stats_json "stats_race_$m.json"
	check "$m: fresh counters: drops 3, 2, 1 again" drops_exact "$XG_TMP/stats_race_$m.json"

	stop "$w"
	check "$m: SIGTERM: server exits 0" test "$XG_STATUS" = 0
	check "$m:   ... XDP program detached" not xdp_on_link
	check "$m:   ... pins removed" test ! -e "$PINS"
	xg_srv "$XDPGAME" status >"$XG_TMP/status_after_$m" 2>&1
	check "$m:   ... status no longer lists $XG_SIF" not grep -q "^$XG_SIF:" "$XG_TMP/status_after_$m"
	check "$m: summary: xdp redirect+fallthrough+xdp_tx = acked" valid_all "$XG_TMP/$w.log" "race_$m"
	check "$m: summary: drops 3, 2, 1 in the kernel" test \
		"$(xdp "$XG_TMP/$w.log" drop_bad_magic),$(xdp "$XG_TMP/$w.log" drop_bad_version),$(xdp "$XG_TMP/$w.log" drop_too_short)" = 3,2,1
	check "$m: summary: user space saw no malformed datagram" \
		grep -Eq '"malformed":\{("[a-z_]+":0,?)+\}' "$XG_TMP/$w.log"
}

for mode in native generic; do
	if phase_traffic $mode; then
		phase_kill $mode
	fi
	phase_race $mode
done
xg_finish
