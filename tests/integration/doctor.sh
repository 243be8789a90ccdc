#!/usr/bin/env bash
# `xdpgame doctor` on a veth in its own network namespace, and on that
# namespace's lo: every check prints a verdict line (text) or an entry (JSON),
# WARN/FAIL lines carry a fix, the exit status follows the FAILs (a down
# veth without address fails; a dropped privilege fails), an unknown
# interface fails with one line, and no XDP program is left behind.
# The namespaces go away on every exit (lib.sh's trap xg_teardown EXIT).
. "$(dirname "$0")/lib.sh"

CHECKS=(privileges interface driver xdp-attached xdp-native xdp-zerocopy queues
	rss ntuple busy-poll napi-defer threaded-napi cpu-governor numa irq-affinity
	irqbalance route bpffs memlock kernel btf)
P=4000

# doctor NAME ARGS...: run in the server namespace; NAME.out, NAME.err, NAME.rc
doctor() {
	local name=$1; shift
	xg_srv "$XDPGAME" doctor "$@" >"$XG_TMP/$name.out" 2>"$XG_TMP/$name.err"
	echo $? >"$XG_TMP/$name.rc"
}
rc() { cat "$XG_TMP/$1.rc"; }

# every check name has exactly one verdict line
all_verdicts() {
	local n
	for n in "${CHECKS[@]}"; do
		[ "$(grep -Ec "^\[( OK |WARN|FAIL|INFO)\] $n: " "$XG_TMP/$1.out")" = 1 ] ||
			{ echo "  (no verdict line for '$n' in $1)"; return 1; }
	done
}

# every WARN and FAIL line is followed by an indented fix line
fixes_follow() {
	awk '/^\[(WARN|FAIL)\]/ { want = $0; next }
	     want != "" { if ($0 !~ /^ +fix: ./) { print "  (no fix after: " want ")"; bad = 1 } want = "" }
	     END { if (want != "") { print "  (no fix after: " want ")"; bad = 1 } exit bad }' "$XG_TMP/$1.out"
}

# the JSON object: valid (a real parser), one entry per check in table
# order, counts agree
json_ok() {
	python3 -m json.tool "$XG_TMP/$1.out" >/dev/null || return 1
	python3 - "$XG_TMP/$1.out" "$2" "${CHECKS[@]}" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
iface, names = sys.argv[2], sys.argv[3:]
assert doc["interface"] == iface, doc["interface"]
got = [c["name"] for c in doc["checks"]]
assert got == names, got
for c in doc["checks"]:
    assert c["verdict"] in ("ok", "warn", "fail", "info"), c
    assert isinstance(c["detail"], str) and c["detail"], c
    assert c["fix"] is None or isinstance(c["fix"], str), c
    assert c["verdict"] not in ("warn", "fail") or c["fix"], c
for v in ("ok", "warn", "fail"):
    n = sum(c["verdict"] == v for c in doc["checks"])
    assert doc["summary"][v] == n, (v, doc["summary"])
EOF
}

no_xdp_left() { ! xg_srv ip link show | grep -q 'prog/xdp'; }

xg_setup 1   # one RX queue each side

doctor veth "$XG_SIF" --port $P --port $((P + 1))
check "veth: exit 0 (no FAIL)" test "$(rc veth)" = 0
check "veth: a verdict line for every check" all_verdicts veth
check "veth: every WARN/FAIL has a fix line" fixes_follow veth
check "veth: summary line" grep -q '^summary: [0-9]* ok, [0-9]* warn, 0 fail' "$XG_TMP/veth.out"
check "veth: native XDP reported for veth" grep -q '^\[ OK \] xdp-native: ' "$XG_TMP/veth.out"
check "veth: nothing on stderr" test ! -s "$XG_TMP/veth.err"

doctor vjson "$XG_SIF" --json --port $P --cpus 0
check "veth --json: exit 0" test "$(rc vjson)" = 0
check "veth --json: valid JSON, one entry per check, counts agree" json_ok vjson "$XG_SIF"
check "  ... no FAIL in the summary (read by json_field)" \
	test "$(json_field "$XG_TMP/vjson.out" summary.fail)" = 0

doctor lo lo
check "lo: exit 0" test "$(rc lo)" = 0
check "lo: a verdict line for every check" all_verdicts lo
check "lo: every WARN/FAIL has a fix line" fixes_follow lo
check "lo: no native XDP on lo is a WARN" grep -q '^\[WARN\] xdp-native: ' "$XG_TMP/lo.out"
doctor lojson lo --json
check "lo --json: valid JSON, one entry per check" json_ok lojson lo

# ip netns exec remounts /sys, so the sysfs checks see this namespace's veth
ip netns exec "$XG_NS_SRV" "$XDPGAME" doctor "$XG_SIF" >"$XG_TMP/sysfs.out" 2>&1
check "netns sysfs: the veth is found under /sys/class/net" \
	grep -q '^\[INFO\] numa: virtual device' "$XG_TMP/sysfs.out"

# a down veth without an address: FAIL, with the commands that fix it
xg_srv ip link add "xd$XG_RUN" type veth peer name "xe$XG_RUN"
doctor down "xd$XG_RUN"
check "down veth: exit 1" test "$(rc down)" = 1
check "down veth: interface FAILs" grep -q '^\[FAIL\] interface: .*down' "$XG_TMP/down.out"
check "  ... with the fix" grep -q "fix: ip link set dev xd$XG_RUN up && ip addr add" "$XG_TMP/down.out"
check "down veth: still a verdict for every check" all_verdicts down

# a name the JSON writer must escape: a quote and a backslash are legal in one
QIF="q\"\\$XG_RUN"
xg_srv ip link add "$QIF" type veth peer name "xq$XG_RUN"
doctor quoted "$QIF" --json
check "quoted name --json: exit 1 (down, no address)" test "$(rc quoted)" = 1
check "  ... valid JSON naming it, one entry per check" json_ok quoted "$QIF"
check "  ... the interface check FAILs (read by json_field)" \
	test "$(json_field "$XG_TMP/quoted.out" checks.1.verdict)" = fail

doctor nosuch nosuchif0
check "unknown interface: exit 1" test "$(rc nosuch)" = 1
check "  ... one line on stderr" test "$(wc -l <"$XG_TMP/nosuch.err")" = 1
check "  ... naming it" grep -q "no interface named 'nosuchif0'" "$XG_TMP/nosuch.err"
check "  ... nothing on stdout" test ! -s "$XG_TMP/nosuch.out"

doctor help --help
check "--help: exit 0, usage on stdout" \
	test "$(rc help)" = 0 -a "$(head -c 22 "$XG_TMP/help.out")" = "usage: xdpgame doctor "
doctor bad lo --bogus
check "unknown option: exit 2" test "$(rc bad)" = 2

# without privileges the privileges check FAILs (skipped if nobody cannot
# reach the binary, e.g. a build under /root)
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all)
if xg_srv "${NOBODY[@]}" test -x "$XDPGAME" 2>/dev/null; then
	xg_srv "${NOBODY[@]}" "$XDPGAME" doctor lo >"$XG_TMP/nobody.out" 2>&1
	check "unprivileged: exit 1" test $? = 1
	check "  ... privileges FAILs, saying run as root" \
		grep -q '^\[FAIL\] privileges: .*run as root' "$XG_TMP/nobody.out"
else
	echo "  skip unprivileged run: user nobody cannot execute $XDPGAME"
fi

check "no XDP program left on any interface" no_xdp_left
xg_finish
