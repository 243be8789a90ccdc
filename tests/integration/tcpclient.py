#!/usr/bin/env python3
"""Crafted TCP clients for tests/integration/tcp.sh, one check each.

usage: tcpclient.py HOST PORT CHECK
  order        200 HEARTBEATs written in odd pieces (one byte, split headers,
               many frames in one write); 200 acks must come back in order
  malformed    a bad-magic frame on one connection closes it, while a
               second connection opened before goes on being served
  badsize      a size field below the header's closes the connection
  slowreader   send requests without ever reading: the server must cut
               the connection off (reset or close) within 20 s
  slowsender   one byte every 0.2 s of a frame: meanwhile another connection
               is answered at once; the slow one is closed by the idle
               timeout (the server runs with --tcp-idle 2)
  refused N    open N connections to a server with a lower --tcp-max: the
               ones past it are reset; prints how many were served
Exits 0 if the check holds, 1 with a reason otherwise. The header layout is
docs/PROTOCOL.md's (version 1).
"""
import socket
import struct
import sys
import time

HDR = struct.Struct("<HBBHBBII")  # magic version type size status reserved seq player
HEARTBEAT, ACK = 3, 0x80


def heartbeat(seq, player=1, ts=12345, magic=0x4758, size=None):
    size = HDR.size + 8 if size is None else size
    return HDR.pack(magic, 1, HEARTBEAT, size, 0, 0, seq, player) + struct.pack("<Q", ts)


def conn(host, port, rcvbuf=None):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(5)
    s.connect((host, port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_acks(s, n):
    """n acks, as (type, status, seq); fewer if the server closes."""
    buf, out = b"", []
    ack_size = HDR.size + 8
    while len(out) < n:
        b = s.recv(65536)
        if not b:
            break
        buf += b
        while len(buf) >= ack_size:
            _, _, typ, size, status, _, seq, _ = HDR.unpack_from(buf)
            if size != ack_size:
                sys.exit(f"ack of size {size}")
            out.append((typ, status, seq))
            buf = buf[ack_size:]
    return out


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
    data = b"".join(heartbeat(i) for i in range(200))
    cuts = [1, 2, 5, 6, 7, 23, 24, 25, 100, 1000, 2000, len(data)]
    prev = 0
    for c in cuts:
        s.sendall(data[prev:c])
        prev = c
        time.sleep(0.01)  # separate segments: frames really split across reads
    acks = read_acks(s, 200)
    if [a[2] for a in acks] != list(range(200)):
        sys.exit(f"acks out of order or missing: {len(acks)} acks")
    if any(a[0] != HEARTBEAT | ACK or a[1] != 0 for a in acks):
        sys.exit("an ack of the wrong type or status")


def check_malformed(host, port):
    good, bad = conn(host, port), conn(host, port)
    good.sendall(heartbeat(1))
    if len(read_acks(good, 1)) != 1:
        sys.exit("good connection not answered")
    bad.sendall(heartbeat(7, magic=0x1234))
    if not closed_by_server(bad):
        sys.exit("bad-magic connection still open")
    good.sendall(heartbeat(2) + heartbeat(3))
    if [a[2] for a in read_acks(good, 2)] != [2, 3]:
        sys.exit("good connection not served after the bad one closed")


def check_badsize(host, port):
    s = conn(host, port)
    s.sendall(heartbeat(1, size=HDR.size - 1))
    if not closed_by_server(s):
        sys.exit("impossible size field: connection still open")


def check_slowreader(host, port):
    s = conn(host, port, rcvbuf=4096)
    chunk = b"".join(heartbeat(i) for i in range(4096))
    s.settimeout(20)
    deadline = time.monotonic() + 20
    try:
        while time.monotonic() < deadline:
            s.sendall(chunk)
    except (ConnectionResetError, BrokenPipeError):
        return
    except socket.timeout:
        sys.exit("send blocked for 20 s: the server never cut the reader off")
    sys.exit("not cut off in 20 s")


def check_slowsender(host, port):
    slow, fast = conn(host, port), conn(host, port)
    frame = heartbeat(1)
    t0 = time.monotonic()
    # one byte every 0.2 s: the frame cannot complete within the idle
    # timeout (2 s), which must close the connection
    for i, byte in enumerate(frame[: len(frame) - 1]):
        try:
            slow.sendall(bytes([byte]))
        except (ConnectionResetError, BrokenPipeError):
            break
        fast.sendall(heartbeat(100 + i))
        t1 = time.monotonic()
        if len(read_acks(fast, 1)) != 1:
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
            s.sendall(heartbeat(i))
            if len(read_acks(s, 1)) == 1:
                served += 1
        except (ConnectionResetError, BrokenPipeError, socket.timeout):
            pass
    print(served)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    host, port, check = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if check == "refused":
        check_refused(host, port, int(sys.argv[4]))
        return
    {"order": check_order, "malformed": check_malformed,
     "badsize": check_badsize, "slowreader": check_slowreader,
     "slowsender": check_slowsender}[check](host, port)


if __name__ == "__main__":
    main()
