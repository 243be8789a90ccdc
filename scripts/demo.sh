#!/usr/bin/env bash
# `make demo`: the whole job on an embedded default, no NIC needed.
# Two network namespaces joined by a veth pair; the server (`xdpgame attach`)
# on one side, a game client (`xdpgame load`) on the other; then a summary of
# what happened. Everything it creates is removed on exit, even on failure.
set -u
XDPGAME=${1:-$(cd "$(dirname "$0")/.." && pwd)/build/xdpgame}
MODE=${XG_DEMO_MODE:-auto}
RUN=demo$$
SRV=xgs-$RUN CLI=xgc-$RUN SIF=xs$$ CIF=xc$$ PORT=4000
LOG=$(mktemp /tmp/xdpgame-demo.XXXXXX)
SPID=

[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (it creates network namespaces)" >&2; exit 1; }

cleanup() {
	[ -n "$SPID" ] && kill -TERM "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
	# pins are keyed NETNS-IFINDEX (the namespace's nsfs inode)
	rm -rf "/sys/fs/bpf/xdpgame/$(stat -L -c %i "/run/netns/$SRV" 2>/dev/null)-"* "$LOG"
	ip netns del "$SRV" 2>/dev/null
	ip netns del "$CLI" 2>/dev/null
	rmdir /sys/fs/bpf/xdpgame 2>/dev/null
	true
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# shellcheck source=veth.sh
. "$(dirname "$0")/veth.sh"

srv() { nsenter --net="/run/netns/$SRV" "$@"; }
cli() { nsenter --net="/run/netns/$CLI" "$@"; }

echo "== setting up: namespaces $SRV and $CLI, veth $SIF <-> $CIF"
xg_veth_pair "$SRV" "$CLI" "$SIF" "$CIF" 2 || exit 1
# an XDP program on the client's end lets in-kernel (XDP_TX) replies reach it
xg_veth_peer_pass "$CLI" "$CIF" "$(dirname "$XDPGAME")"

echo "== starting the server: xdpgame attach $SIF --port $PORT --mode $MODE"
# nsenter itself, not the srv function: $! must be the server, not a subshell
nsenter --net="/run/netns/$SRV" "$XDPGAME" attach "$SIF" --port $PORT --mode "$MODE" >"$LOG" 2>&1 &
SPID=$!
for _ in $(seq 1 50); do
	grep -q "serving" "$LOG" && break
	kill -0 $SPID 2>/dev/null || break
	sleep 0.1
done
if ! grep -q "serving" "$LOG"; then
	echo "demo: the server did not start:" >&2
	cat "$LOG" >&2
	exit 1
fi
sed 's/^/  server| /' "$LOG"

echo "== a client joins 50 players (protocol v2 handshake) and plays 20000 requests from the other namespace"
# within the server's default budgets: 100 handshakes and 1000 requests a
# second per player (docs/SECURITY.md)
cli "$XDPGAME" load $XG_SRV_IP4:$PORT --count 20000 --players 50 --rate 10000 --window 32
rc=$?
echo "== ping (not game traffic) still works"
cli ping -c 2 -i 0.2 -W 1 $XG_SRV_IP4 | tail -2

echo "== stopping the server (SIGTERM)"
kill -TERM $SPID
wait $SPID
SPID=
sed 's/^/  server| /' "$LOG" | grep -v '^  server| \[' | tail -n +2
echo "== cleaned up; the client's verdict: $([ $rc -eq 0 ] && echo 'every request acked correctly' || echo 'FAILED')"
exit $rc
