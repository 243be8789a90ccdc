#!/usr/bin/env bash
# `make install` into a DESTDIR: the binary, xdpgame(8) and the systemd
# template unit land where they should with the right modes; the unit's
# ExecStart names the installed binary and `systemd-analyze verify` passes
# on it (its Documentation= man page found in the DESTDIR); `man` renders
# the page; `make uninstall` removes all three.
. "$(dirname "$0")/lib.sh"

command -v systemd-analyze >/dev/null || xg_skip "systemd-analyze missing (Debian package systemd)"
command -v man >/dev/null || xg_skip "man missing (Debian package man-db)"

ROOT=$XG_TMP/root
PREFIX=/usr/local
BIN=$ROOT$PREFIX/sbin/xdpgame
PAGE=$ROOT$PREFIX/share/man/man8/xdpgame.8
UNIT=$ROOT$PREFIX/lib/systemd/system/xdpgame@.service
mk() { make -s -C "$XG_SRCDIR" DEPS=0 DESTDIR="$ROOT" PREFIX="$PREFIX" "$@" >"$XG_TMP/make.out" 2>&1 || { sed 's/^/    | /' "$XG_TMP/make.out"; false; }; }
not() { ! "$@"; }
mode_is() { [ "$(stat -c %a "$1")" = "$2" ]; }

echo "== make install DESTDIR=... PREFIX=$PREFIX"
check "make install succeeds" mk install
check "binary installed, mode 755" mode_is "$BIN" 755
check "the installed binary runs" quiet "$BIN" attach --help
check "man page installed, mode 644" mode_is "$PAGE" 644
check "unit installed, mode 644" mode_is "$UNIT" 644
check "ExecStart is the installed binary, attach %i" grep -qx "ExecStart=$PREFIX/sbin/xdpgame attach %i --quiet \$XDPGAME_OPTS" "$UNIT"
check "ExecStopPost runs xdpgame detach %i" grep -qx "ExecStopPost=-$PREFIX/sbin/xdpgame detach %i" "$UNIT"
check "Restart=on-failure" grep -qx "Restart=on-failure" "$UNIT"
check "options from /etc/xdpgame/%i.env" grep -qx "EnvironmentFile=-/etc/xdpgame/%i.env" "$UNIT"
check "options from /etc/default/xdpgame-%i" grep -qx "EnvironmentFile=-/etc/default/xdpgame-%i" "$UNIT"
check "capabilities bounded, not full root" grep -qx "CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW CAP_BPF CAP_PERFMON CAP_SYS_ADMIN CAP_IPC_LOCK" "$UNIT"
check "nothing left to substitute" not grep -q "@[A-Z]*@" "$UNIT"

echo "== systemd-analyze verify, man"
# verify wants ExecStart's binary to exist: the same unit, pointed at the
# DESTDIR's binary; MANPATH lets it check Documentation=man:xdpgame(8)
mkdir -p "$XG_TMP/units"
sed "s|$PREFIX/sbin/xdpgame|$BIN|g" "$UNIT" >"$XG_TMP/units/xdpgame@.service"
verify() {
	MANPATH=$ROOT$PREFIX/share/man SYSTEMD_LOG_LEVEL=notice systemd-analyze verify \
		"$XG_TMP/units/xdpgame@.service" >"$XG_TMP/verify.out" 2>&1 &&
		[ ! -s "$XG_TMP/verify.out" ] || { sed 's/^/    | /' "$XG_TMP/verify.out"; false; }
}
check "systemd-analyze verify passes, with no complaint" verify
check "man -l renders the page" sh -c "MANWIDTH=80 man -l '$PAGE' 2>/dev/null | grep -q 'xdpgame - AF_XDP/eBPF fast path'"
check "roff without warnings" sh -c "! MANWIDTH=80 man --warnings -l '$PAGE' 2>&1 >/dev/null | grep -q ."
check "man finds xdpgame(8) in the installed tree" \
	sh -c "[ \"\$(man --manpath='$ROOT$PREFIX/share/man' -w 8 xdpgame)\" = '$PAGE' ]"

echo "== make uninstall"
check "make uninstall succeeds" mk uninstall
check "binary, page and unit removed" sh -c "[ ! -e '$BIN' ] && [ ! -e '$PAGE' ] && [ ! -e '$UNIT' ]"

xg_finish
