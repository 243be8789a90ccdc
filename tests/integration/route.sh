#!/usr/bin/env bash
# Replies follow the kernel's route (`attach --route-check`), over veth.
#
# The way back is not the way in: the client (namespace cli) plays from
# 198.51.100.2, an address on its loopback, and sends straight to the
# server over a bridge; the server's route to 198.51.100.0/24 goes through
# a gateway (namespace gw, 192.0.2.3) on that same bridge, which forwards
# back to the client. Every reply routed by the gateway shows in its
# IpForwDatagrams; a reply sent back to the sender's MAC never does.
#
#   server xs0 192.0.2.1 ---+--- br0 (in gw) 192.0.2.3, ip_forward on
#                           +--- xc0 client 192.0.2.2, 198.51.100.2 on lo
#
# Checks, each with a fresh server:
#   1. route check on, AF_XDP: every request acked; the gateway forwarded
#      every reply; the first request, with no neighbour entry for the
#      gateway yet, went to the kernel socket (pass_no_neigh), which
#      resolved it; the rest took the fast path (redirect).
#   1b. the same over IPv6 (2001:db8:100::2 via the gateway 2001:db8::3).
#   2. route check on, --kernel-replies: every HEARTBEAT answered with
#      XDP_TX, and through the gateway.
#   3. route check off: every request acked, none through the gateway (the
#      old address swap; also shows that check 1 can fail).
#   4. the route leaves by another interface: every request goes to the
#      kernel socket (pass_route), none to the fast path, all acked.
#   5. --route-check on without forwarding on loopback: attach refuses,
#      saying which sysctl to set; auto says what it does.
. "$(dirname "$0")/lib.sh"

XG_NS_GW="xgg-$XG_RUN"
GS="gs$XG_RUN" # gateway end of the server's veth
GC="gc$XG_RUN" # gateway end of the client's veth
GO="go$XG_RUN" # gateway end of the server's second veth (check 4)
SO="so$XG_RUN" # server end of it
CLI_FROM=198.51.100.2
GW_IP=192.0.2.3
CLI_FROM6=2001:db8:100::2
GW_IP6=2001:db8::3
P=7777
N=300

route_teardown() {
	[ "${XG_DEBUG:-0}" = 1 ] || ip netns del "$XG_NS_GW" 2>/dev/null
	xg_teardown
}
trap route_teardown EXIT

xg_gw() { nsenter --net="/run/netns/$XG_NS_GW" "$@"; }

setup() {
	local sns=$XG_NS_SRV cns=$XG_NS_CLI gns=$XG_NS_GW
	ip netns add "$sns" && ip netns add "$cns" && ip netns add "$gns" &&
		ip link add "$XG_SIF" netns "$sns" type veth peer name "$GS" \
			netns "$gns" &&
		ip link add "$XG_CIF" netns "$cns" type veth peer name "$GC" \
			netns "$gns" &&
		ip link add "$SO" netns "$sns" type veth peer name "$GO" \
			netns "$gns" || return 1
	# the bridge, the gateway's address on it, forwarding, no ICMP
	# redirects (they would teach the server a direct way back)
	ip -n "$gns" link add br0 type bridge &&
		ip -n "$gns" link set "$GS" master br0 &&
		ip -n "$gns" link set "$GC" master br0 &&
		ip -n "$gns" addr add "$GW_IP/24" dev br0 &&
		ip -n "$gns" addr add "$GW_IP6/64" dev br0 nodad &&
		ip -n "$gns" addr add 10.200.0.2/24 dev "$GO" || return 1
	for d in lo br0 "$GS" "$GC" "$GO"; do
		ip -n "$gns" link set "$d" up || return 1
	done
	xg_gw sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 \
		net.ipv4.conf.br0.send_redirects=0 net.ipv6.conf.all.forwarding=1 ||
		return 1
	xg_gw ip route add "$CLI_FROM/32" via "$XG_CIP4" &&
		xg_gw ip -6 route add "$CLI_FROM6/128" via "$XG_CIP6" || return 1
	# the server: the game interface, a second one, the route through gw
	ip -n "$sns" addr add "$XG_SIP4/24" dev "$XG_SIF" &&
		ip -n "$sns" addr add "$XG_SIP6/64" dev "$XG_SIF" nodad &&
		ip -n "$sns" addr add 10.200.0.1/24 dev "$SO" &&
		ip -n "$sns" link set lo up && ip -n "$sns" link set "$XG_SIF" up &&
		ip -n "$sns" link set "$SO" up || return 1
	xg_srv sysctl -qw net.ipv4.conf.all.accept_redirects=0 \
		net.ipv4.conf.lo.forwarding=1 net.ipv6.conf.all.accept_redirects=0 \
		"net.ipv6.conf.$XG_SIF.accept_redirects=0" \
		net.ipv6.conf.lo.forwarding=1 || return 1
	xg_srv ip route add 198.51.100.0/24 via "$GW_IP" dev "$XG_SIF" &&
		xg_srv ip -6 route add 2001:db8:100::/64 via "$GW_IP6" dev "$XG_SIF" ||
		return 1
	# the client: plays from 198.51.100.2, straight to the server
	ip -n "$cns" addr add "$XG_CIP4/24" dev "$XG_CIF" &&
		ip -n "$cns" addr add "$XG_CIP6/64" dev "$XG_CIF" nodad &&
		ip -n "$cns" addr add "$CLI_FROM/32" dev lo &&
		ip -n "$cns" addr add "$CLI_FROM6/128" dev lo &&
		ip -n "$cns" link set lo up && ip -n "$cns" link set "$XG_CIF" up ||
		return 1
	xg_cli ip route add "$XG_SIP4/32" dev "$XG_CIF" src "$CLI_FROM" &&
		xg_cli ip -6 route add "$XG_SIP6/128" dev "$XG_CIF" src "$CLI_FROM6" ||
		return 1
	for ns in "$sns" "$cns"; do
		nsenter --net="/run/netns/$ns" ethtool -K "$([ "$ns" = "$sns" ] &&
			echo "$XG_SIF" || echo "$XG_CIF")" tx off >/dev/null 2>&1
	done
	# XDP_TX'd and AF_XDP frames reach the bridge through an XDP program
	# on the gateway's end of the server's veth (see scripts/veth.sh)
	ip -n "$gns" link set dev "$GS" xdpdrv \
		obj "$(dirname "$XDPGAME")/xdp_pass.bpf.o" sec xdp || return 1
	xg_bpffs
}

setup || { fail "topology (bridge, gateway, routes)"; xg_finish; exit 1; }

# forwarded4: the gateway's IpForwDatagrams; forwarded6: Ip6OutForwDatagrams
forwarded4() { xg_gw awk '/^Ip: [0-9]/ { print $7 }' /proc/net/snmp; }
forwarded6() { xg_gw awk '$1 == "Ip6OutForwDatagrams" { print $2 }' /proc/net/snmp6; }

# serve NAME ARGS...: a fresh server, waited for
serve() {
	local name=$1
	shift
	xg_bg "$name" "$XDPGAME" attach "$XG_SIF" --mode native --port "$P" \
		--handshake-rate 0 --handshake-total 0 --session-rate 0 --json "$@"
	xg_wait_log "$name" "AF_XDP on"
}

stop() {
	local pid
	pid=$(xg_pid "$1")
	kill -TERM "$pid" 2>/dev/null
	xg_wait_exit "$pid" || kill -KILL "$pid" 2>/dev/null
}

# play NAME [load args]: N requests from the client, NAME.json (TO: the
# server's address:port, default IPv4)
play() {
	local name=$1
	shift
	timeout 60 nsenter --net="/run/netns/$XG_NS_CLI" "$XDPGAME" load \
		"${TO:-$XG_SIP4:$P}" --count "$N" --players 4 --window 8 --json "$@" \
		>"$XG_TMP/$name.json" 2>"$XG_TMP/$name.err"
}

acked_all() {
	[ "$(json_field "$XG_TMP/$1.json" acked)" = "$N" ] &&
		[ "$(json_field "$XG_TMP/$1.json" lost)" = 0 ] &&
		[ "$(json_field "$XG_TMP/$1.json" wrong)" = 0 ]
}

stats() { xg_srv "$XDPGAME" stats "$XG_SIF" --json >"$XG_TMP/$1.stats" 2>&1; }
cnt() { json_field "$XG_TMP/$1.stats" "counters.$2.packets"; }

say() {
	echo "    ($1: acked $(json_field "$XG_TMP/$1.json" acked 2>/dev/null)/$N, forwarded by the gateway $2, redirect $(cnt "$1" redirect), xdp_tx $(cnt "$1" xdp_tx), pass_route $(cnt "$1" pass_route), pass_no_neigh $(cnt "$1" pass_no_neigh))"
}

# via_gateway NAME 4|6: check 1 (or 1b) with a fresh server
via_gateway() {
	local name=$1 v=$2 f0 fwd to=$XG_SIP4:$P
	[ "$v" = 6 ] && to="[$XG_SIP6]:$P"
	xg_srv ip -"$v" neigh flush dev "$XG_SIF"
	serve "$name" --route-check on || fail "server with --route-check on started"
	f0=$(forwarded$v)
	TO=$to play "$name"
	stats "$name"
	fwd=$(($(forwarded$v) - f0))
	say "$name" "$fwd"
	check "every request acked" acked_all "$name"
	# N acks plus the handshakes' CHALLENGE and WELCOME
	check "the gateway forwarded every reply (>= $N)" [ "$fwd" -ge "$N" ]
	check "the first request, gateway not yet resolved, went to the kernel" \
		[ "$(cnt "$name" pass_no_neigh)" -ge 1 ]
	check "the rest took the AF_XDP path (redirect >= $N - 8)" \
		[ "$(cnt "$name" redirect)" -ge $((N - 8)) ]
	check "nothing left for another interface" [ "$(cnt "$name" pass_route)" = 0 ]
	check "status says route_check" \
		json_eval <(xg_srv "$XDPGAME" status --json) \
		"d['interfaces'][0]['route_check'] is True" >/dev/null
	stop "$name"
}

echo "1. route check on, AF_XDP"
via_gateway on 4
echo "1b. route check on, AF_XDP, IPv6"
via_gateway on6 6

echo "2. route check on, kernel replies"
serve kr --route-check on --kernel-replies || fail "server with --kernel-replies started"
f0=$(forwarded4)
play kr --mix heartbeat:1
stats kr
fwd=$(($(forwarded4) - f0))
say kr "$fwd"
check "every HEARTBEAT acked" acked_all kr
check "answered in the kernel (xdp_tx >= $N)" [ "$(cnt kr xdp_tx)" -ge "$N" ]
check "through the gateway (forwarded >= $N)" [ "$fwd" -ge "$N" ]
stop kr

echo "3. route check off"
serve off --route-check off || fail "server with --route-check off started"
f0=$(forwarded4)
play off
stats off
fwd=$(($(forwarded4) - f0))
say off "$fwd"
check "every request acked" acked_all off
check "all on the AF_XDP path (redirect >= $N)" [ "$(cnt off redirect)" -ge "$N" ]
check "none through the gateway: back to the sender's MAC" [ "$fwd" = 0 ]
stop off

echo "4. the way back leaves by another interface"
xg_srv ip route replace 198.51.100.0/24 via 10.200.0.2 dev "$SO"
serve other --route-check on || fail "server started"
play other
stats other
say other "-"
check "every request acked (by the kernel socket)" acked_all other
check "every request left to the kernel (pass_route >= $N)" \
	[ "$(cnt other pass_route)" -ge "$N" ]
check "none on the fast path" [ "$(cnt other redirect)/$(cnt other xdp_tx)" = 0/0 ]
stop other

echo "5. forwarding off on loopback"
xg_srv sysctl -qw net.ipv4.conf.lo.forwarding=0
xg_srv "$XDPGAME" attach "$XG_SIF" --route-check on --duration 1 -q \
	>"$XG_TMP/refuse.log" 2>&1
st=$?
check "--route-check on refused (exit $st)" [ "$st" -ne 0 ]
check "naming the sysctl to set" grep -q "net.ipv4.conf.lo.forwarding=1" \
	"$XG_TMP/refuse.log"
check "no program left on the interface" \
	bash -c "! nsenter --net=/run/netns/$XG_NS_SRV ip -d link show $XG_SIF | grep -q 'prog/xdp'"
xg_srv "$XDPGAME" attach "$XG_SIF" --duration 1 -q >"$XG_TMP/auto.log" 2>&1
check "auto: attaches with the check off, and says so" \
	grep -q "route check off" "$XG_TMP/auto.log"

xg_finish
