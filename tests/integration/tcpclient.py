#!/usr/bin/env python3
"""Crafted TCP clients for tests/integration/tcp.sh, one check each.

usage: tcpclient.py HOST PORT CHECK [ARG]
  order        a handshake (JOIN, ANSWER) and 200 HEARTBEATs written in odd
               pieces (one byte, split headers, many frames in one write);
               CHALLENGE and WELCOME (48 bytes) and 200 acks (32) must come
               back in order, framed by their size fields
  malformed    a bad-magic frame on one connection closes it, while a
               second connection opened before goes on being served
  badsize      a size field below the header's closes the connection
  slowreader   join, then send requests without ever reading: the server
               must cut the connection off (reset or close) within 20 s
  slowsender   one byte every 0.2 s of a frame: meanwhile another connection
               is answered at once; the slow one is closed by the idle
               timeout (the server runs with --tcp-idle 2)
  refused N    open N connections to a server with a lower --tcp-max, each
               sends a JOIN: the ones past it are reset; prints how many
               were answered (a CHALLENGE)
  sessions UDPPORT
               a session opened over a connection is that connection's:
               refused (no reply) from a second connection with the same
               token, and from UDP (to UDPPORT) even out of the very
               address and port; a refused request gets no reply but the
               connection stays; closing the connection ends the session,
               so another connection joins the same player at once
  players      one connection joins 4 players; an ANSWER for a fifth
               closes it, and the 4 sessions end with it
Exits 0 if the check holds, 1 with a reason otherwise. The protocol is
docs/PROTOCOL.md's version 2, written again here from the document.
"""
import select
import socket
import struct
import sys
import time

MAGIC, VERSION = 0x4758, 2
HEARTBEAT, JOIN, ANSWER, ACK = 3, 5, 6, 0x80
CHALLENGE, WELCOME = JOIN | ACK, ANSWER | ACK
HDR = struct.Struct("<HBBHBBIIQ")  # 24 bytes
ST_OK, ST_PLAYER_TAKEN = 0, None


def header(typ, size, seq, player, token, magic=MAGIC):
    return HDR.pack(magic, VERSION, typ, size, 0, 0, seq, player, token)


def heartbeat(seq, player=1, token=0, ts=12345, magic=MAGIC, size=None):
    size = HDR.size + 8 if size is None else size
    return header(HEARTBEAT, size, seq, player, token, magic) + struct.pack("<Q", ts)


def join(seq, player, ts=1):
    return header(JOIN, 56, seq, player, 0) + struct.pack("<Q", ts) + bytes(24)


def answer(seq, player, cookie, ts=2):
    return header(ANSWER, 96, seq, player, 0) + struct.pack("<Q", ts) + cookie + bytes(48)


def conn(host, port, rcvbuf=None):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(5)
    s.connect((host, port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


class Reader:
    """Replies cut from a stream by their header's size field."""

    def __init__(self, s):
        self.s, self.buf = s, b""

    def read(self, n, timeout=5):
        """n replies as dicts; fewer if the server closes or is silent."""
        out = []
        self.s.settimeout(timeout)
        while len(out) < n:
            while len(self.buf) >= HDR.size:
                magic, ver, typ, size, status, _, seq, player, token = HDR.unpack_from(self.buf)
                if magic != MAGIC or ver != VERSION or size not in (32, 48):
                    sys.exit(f"reply with magic {magic:#x} version {ver} size {size}")
                if len(self.buf) < size:
                    break
                out.append({"type": typ, "size": size, "status": status, "seq": seq,
                            "player": player, "token": token,
                            "body": self.buf[HDR.size:size]})
                self.buf = self.buf[size:]
                if len(out) == n:
                    return out
            try:
                b = self.s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not b:
                break
            self.buf += b
        return out


def handshake(s, r, player, seq=1000, pieces=False):
    """JOIN, ANSWER over the stream: the session token (0: refused)."""
    msg = join(seq, player)
    if pieces:  # the JOIN split inside its header
        s.sendall(msg[:3])
        time.sleep(0.01)
        s.sendall(msg[3:])
    else:
        s.sendall(msg)
    ch = r.read(1)
    if len(ch) != 1 or ch[0]["type"] != CHALLENGE or ch[0]["size"] != 48 or \
            ch[0]["seq"] != seq or ch[0]["player"] != player:
        sys.exit(f"no CHALLENGE for player {player}: {ch}")
    s.sendall(answer(seq, player, ch[0]["body"][8:24]))
    wel = r.read(1)
    if len(wel) != 1 or wel[0]["type"] != WELCOME or wel[0]["size"] != 48:
        sys.exit(f"no WELCOME for player {player}: {wel}")
    if wel[0]["status"] != ST_OK:
        return 0
    return struct.unpack_from("<Q", wel[0]["body"], 8)[0]


def closed_by_server(s, timeout=5):
    """The server closed or reset the connection within timeout."""
    s.settimeout(timeout)
    try:
        while s.recv(65536):
            pass
        return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def check_order(host, port):
    s = conn(host, port)
    r = Reader(s)
    tok = handshake(s, r, 1, pieces=True)
    if not tok:
        sys.exit("player 1 refused")
    data = b"".join(heartbeat(i, 1, tok) for i in range(200))
    cuts = [1, 2, 5, 6, 7, 23, 24, 25, 31, 32, 33, 100, 1000, 2000, len(data)]
    prev = 0
    for c in cuts:
        s.sendall(data[prev:c])
        prev = c
        time.sleep(0.01)  # separate segments: frames really split across reads
    acks = r.read(200)
    if [a["seq"] for a in acks] != list(range(200)):
        sys.exit(f"acks out of order or missing: {len(acks)} acks")
    if any(a["type"] != HEARTBEAT | ACK or a["status"] != 0 or a["size"] != 32 or
           a["token"] != tok for a in acks):
        sys.exit("an ack of the wrong type, status, size or token")


def check_malformed(host, port):
    good, bad = conn(host, port), conn(host, port)
    rg = Reader(good)
    tok = handshake(good, rg, 2)
    good.sendall(heartbeat(1, 2, tok))
    if len(rg.read(1)) != 1:
        sys.exit("good connection not answered")
    bad.sendall(heartbeat(7, magic=0x1234))
    if not closed_by_server(bad):
        sys.exit("bad-magic connection still open")
    good.sendall(heartbeat(2, 2, tok) + heartbeat(3, 2, tok))
    if [a["seq"] for a in rg.read(2)] != [2, 3]:
        sys.exit("good connection not served after the bad one closed")


def check_badsize(host, port):
    s = conn(host, port)
    s.sendall(heartbeat(1, size=HDR.size - 1))
    if not closed_by_server(s):
        sys.exit("impossible size field: connection still open")


def check_slowreader(host, port):
    s = conn(host, port, rcvbuf=4096)
    tok = handshake(s, Reader(s), 3)
    chunk = b"".join(heartbeat(i, 3, tok) for i in range(4096))
    s.settimeout(20)
    deadline = time.monotonic() + 20
    seq = 0
    try:
        while time.monotonic() < deadline:
            s.sendall(b"".join(heartbeat(seq + i, 3, tok) for i in range(4096)))
            seq += 4096
    except (ConnectionResetError, BrokenPipeError):
        return
    except socket.timeout:
        sys.exit("send blocked for 20 s: the server never cut the reader off")
    del chunk
    sys.exit("not cut off in 20 s")


def check_slowsender(host, port):
    slow, fast = conn(host, port), conn(host, port)
    rf = Reader(fast)
    tok = handshake(fast, rf, 4)
    frame = heartbeat(1)
    t0 = time.monotonic()
    # one byte every 0.2 s: the frame cannot complete within the idle
    # timeout (2 s), which must close the connection
    for i, byte in enumerate(frame[: len(frame) - 1]):
        try:
            slow.sendall(bytes([byte]))
        except (ConnectionResetError, BrokenPipeError):
            break
        fast.sendall(heartbeat(100 + i, 4, tok))
        t1 = time.monotonic()
        if len(rf.read(1)) != 1:
            sys.exit("fast connection not answered while a slow one sends")
        if time.monotonic() - t1 > 0.5:
            sys.exit("fast connection waited for the slow one")
        time.sleep(0.2)
    else:
        if not closed_by_server(slow, timeout=10):
            sys.exit("slow sender never closed by the idle timeout")
    if time.monotonic() - t0 < 1.5:
        sys.exit("slow sender closed before the idle timeout")


def check_refused(host, port, n):
    conns, served = [], 0
    for i in range(n):
        try:
            conns.append(conn(host, port))
        except (ConnectionResetError, OSError):
            pass  # reset during the handshake's last steps: refused
    for i, s in enumerate(conns):
        try:
            s.sendall(join(i, 10 + i))
            got = Reader(s).read(1)
            if len(got) == 1 and got[0]["type"] == CHALLENGE:
                served += 1
        except (ConnectionResetError, BrokenPipeError, socket.timeout):
            pass
    print(served)


def silent(s, timeout=0.5):
    """Nothing arrives on s within timeout (the connection stays open)."""
    s.settimeout(timeout)
    try:
        b = s.recv(65536)
        if not b:
            sys.exit("the server closed a connection that should stay")
        return False
    except socket.timeout:
        return True


def check_sessions(host, port, udp_port):
    a = conn(host, port)
    ra = Reader(a)
    tok = handshake(a, ra, 20)
    if not tok:
        sys.exit("player 20 refused")
    a.sendall(heartbeat(1, 20, tok))
    if len(ra.read(1)) != 1:
        sys.exit("player 20 not answered on its connection")
    # a second connection with the right token: not its session
    b = conn(host, port)
    b.sendall(heartbeat(2, 20, tok))
    if not silent(b):
        sys.exit("another connection used player 20's session")
    # UDP out of the connection's own address and port: not a stream
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    u = socket.socket(fam, socket.SOCK_DGRAM)
    u.bind(a.getsockname()[:2])
    u.sendto(heartbeat(3, 20, tok), (host, udp_port))
    if select.select([u], [], [], 0.5)[0]:
        sys.exit("a UDP datagram used a TCP connection's session")
    # refused requests: no reply, and the connection stays and serves
    a.sendall(heartbeat(4, 21, 12345))  # no session
    if not silent(a):
        sys.exit("a request without a session was answered")
    a.sendall(heartbeat(5, 20, tok))
    got = ra.read(1)
    if len(got) != 1 or got[0]["seq"] != 5:
        sys.exit(f"the connection stopped serving after a refusal: {got}")
    # closing the connection ends the session: player 20 is free at once
    a.close()
    time.sleep(0.3)
    rb = Reader(b)
    tok2 = handshake(b, rb, 20, seq=2000)
    if not tok2 or tok2 == tok:
        sys.exit("player 20 not free after its connection closed")
    b.sendall(heartbeat(6, 20, tok2))
    if len(rb.read(1)) != 1:
        sys.exit("player 20 not answered on its new connection")


def check_players(host, port):
    s = conn(host, port)
    r = Reader(s)
    toks = [handshake(s, r, 30 + i, seq=3000 + 10 * i) for i in range(4)]
    if not all(toks):
        sys.exit("4 players on one connection: one refused")
    s.sendall(join(4000, 34))
    ch = r.read(1)
    if len(ch) != 1 or ch[0]["type"] != CHALLENGE:
        sys.exit("a fifth JOIN not answered")
    s.sendall(answer(4000, 34, ch[0]["body"][8:24]))
    if not closed_by_server(s):
        sys.exit("an ANSWER for a fifth player did not close the connection")
    # the 4 sessions ended with it: another connection joins player 30
    t = conn(host, port)
    if not handshake(t, Reader(t), 30, seq=5000):
        sys.exit("player 30 still taken after its connection closed")


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    host, port, check = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if check == "refused":
        check_refused(host, port, int(sys.argv[4]))
        return
    if check == "sessions":
        check_sessions(host, port, int(sys.argv[4]))
        return
    {"order": check_order, "malformed": check_malformed,
     "badsize": check_badsize, "slowreader": check_slowreader,
     "slowsender": check_slowsender, "players": check_players}[check](host, port)


if __name__ == "__main__":
    main()
