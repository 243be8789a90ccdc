#!/usr/bin/env python3
"""A small, independent game client for the integration tests: protocol
version 2 written again from docs/PROTOCOL.md (not from the C code), so a
test that passes shows the server speaks what the document says.

usage:
  gameclient.py script HOST PORT OUT
      Join one player, run a fixed script of requests (moves in and out of
      bounds, attacks with every skill and an unknown one, heartbeats, a
      replayed datagram, a LEAVE) and write every reply to OUT, one hex
      line each, with the random parts (session token, cookie) masked.
      Two servers that answer the same way write the same file.
  gameclient.py forge HOST PORT DECOYS
      Join player 7, send 20 valid MOVEs and keep their bytes; then replay
      each of them from the DECOYS (comma-separated "ADDR:PORT" pairs that
      are this host's, a listener on each) through a raw socket, and once
      more from the player's own address and port. Prints one JSON object:
      what was sent, what came back where.
"""
import json
import os
import select
import socket
import struct
import sys
import time

MAGIC, VERSION = 0x4758, 2
MOVE, ATTACK, HEARTBEAT, LEAVE, JOIN, ANSWER = 1, 2, 3, 4, 5, 6
ACK = 0x80
HDR = struct.Struct("<HBBHBBIIQ")  # 24 bytes


def header(typ, size, seq, player, token):
    return HDR.pack(MAGIC, VERSION, typ, size, 0, 0, seq, player, token)


def join(seq, player, ts):
    return header(JOIN, 56, seq, player, 0) + struct.pack("<Q", ts) + bytes(24)


def answer(seq, player, ts, cookie):
    return header(ANSWER, 96, seq, player, 0) + struct.pack("<Q", ts) + cookie + bytes(48)


def move(seq, player, token, ts, x, y, z):
    return header(MOVE, 48, seq, player, token) + struct.pack("<QfffI", ts, x, y, z, 0)


def attack(seq, player, token, ts, target, skill):
    return header(ATTACK, 40, seq, player, token) + struct.pack("<QIHH", ts, target, skill, 0)


def simple(typ, seq, player, token, ts):
    return header(typ, 32, seq, player, token) + struct.pack("<Q", ts)


def parse(reply):
    magic, ver, typ, size, status, _, seq, player, token = HDR.unpack_from(reply)
    return {"magic": magic, "version": ver, "type": typ, "size": size,
            "status": status, "seq": seq, "player": player, "token": token,
            "body": reply[24:]}


def recv(sock, timeout=1.0):
    r, _, _ = select.select([sock], [], [], timeout)
    return sock.recv(2048) if r else None


def exchange(sock, msg, timeout=1.0):
    sock.send(msg)
    return recv(sock, timeout)


def handshake(sock, player, seq):
    """JOIN, ANSWER; the session token (0 if refused) and both replies.
    A JOIN unanswered within a second is sent again, twice at most, as a
    real client would (UDP; the first datagram of a flow waits for ARP and
    a busy machine's scheduler), and said on stderr."""
    ch = None
    for attempt in range(3):
        ch = exchange(sock, join(seq, player, 1))
        if ch is not None:
            break
        print("gameclient: player %d: no CHALLENGE within 1 s (JOIN %d of 3)"
              % (player, attempt + 1), file=sys.stderr)
    if ch is None:
        sys.exit("gameclient: player %d: no CHALLENGE to 3 JOINs" % player)
    cookie = parse(ch)["body"][8:24]
    wel = exchange(sock, answer(seq + 1, player, 2, cookie))
    if wel is None:
        sys.exit("gameclient: no WELCOME")
    p = parse(wel)
    token = struct.unpack_from("<Q", p["body"], 8)[0] if p["status"] == 0 else 0
    return token, ch, wel


def mask(reply, token):
    """The reply with the random parts zeroed: the token in the header and
    WELCOME's body, the cookie in CHALLENGE's."""
    b = bytearray(reply)
    p = parse(reply)
    if p["token"] == token:
        b[16:24] = bytes(8)
    if p["type"] == JOIN | ACK:
        b[32:48] = bytes(16)
    if p["type"] == ANSWER | ACK:
        b[32:40] = bytes(8)
    return bytes(b)


def connect(host, port):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.connect((host, port))
    return s


def cmd_script(host, port, out):
    s = connect(host, port)
    a, b = 11, 12
    ta, ch, wel = handshake(s, a, 100)
    tb, _, _ = handshake(s, b, 200)
    if not ta or not tb:
        sys.exit("gameclient: a player could not join")
    lines = [mask(ch, ta), mask(wel, ta)]
    reqs = [
        move(1, a, ta, 1001, 50.0, -100.0, 0.0),
        move(2, a, ta, 1002, 10001.0, 0.0, 0.0),          # out of bounds
        simple(HEARTBEAT, 3, a, ta, 1003),
        attack(4, a, ta, 1004, b, 0),
        attack(5, a, ta, 1005, b, 1),
        attack(6, a, ta, 1006, b, 2),
        attack(7, a, ta, 1007, b, 9),                     # unknown skill
        attack(8, a, ta, 1008, 999, 0),                   # target without a session
        attack(9, a, ta, 1009, b, 3),                     # 10+25+60+150 < 1000
        simple(HEARTBEAT, 10, a, ta, 1010),
    ]
    for r in reqs:
        rep = exchange(s, r)
        lines.append(mask(rep, ta) if rep else b"")
    # the same datagram again: a replay, no reply
    rep = exchange(s, reqs[0], 0.3)
    lines.append(b"replay:" + (mask(rep, ta) if rep else b"none"))
    for typ, seq, p, t in ((LEAVE, 11, a, ta), (LEAVE, 201, b, tb)):
        rep = exchange(s, simple(typ, seq, p, t, 2000 + seq))
        lines.append(mask(rep, t) if rep else b"")
    with open(out, "w") as f:
        for ln in lines:
            f.write(ln.hex() if not ln.startswith(b"replay:") else
                    "replay:" + ln[7:].hex())
            f.write("\n")


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def raw_udp(src, sport, dst, dport, payload):
    """An IPv4/UDP datagram with any source, checksums right."""
    ulen = 8 + len(payload)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 17, ulen)
    udp = struct.pack("!HHHH", sport, dport, ulen, 0) + payload
    csum = checksum(pseudo + udp) or 0xffff
    udp = udp[:6] + struct.pack("!H", csum) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, 0, 0x4000, 64, 17, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return ip + udp


def cmd_forge(host, port, decoys):
    s = connect(host, port)
    token, _, _ = handshake(s, 7, 900)
    if not token:
        sys.exit("gameclient: player 7 could not join")
    valid, acked = [], 0
    for i in range(20):
        m = move(10 + i, 7, token, 5000 + i, float(i), float(-i), 0.0)
        valid.append(m)
        if exchange(s, m):
            acked += 1
    listeners = []
    for d in decoys.split(","):
        addr, p = d.rsplit(":", 1)
        ls = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        ls.bind((addr, int(p)))
        listeners.append((addr, int(p), ls))
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    forged = 0
    for m in valid:
        for addr, p, _ in listeners:
            raw.sendto(raw_udp(addr, p, host, port, m), (host, 0))
            forged += 1
    # and each again from the player's own address and port: replays
    for m in valid:
        s.send(m)
    deadline = time.time() + 1.0
    to_decoys = to_player = 0
    socks = [ls for _, _, ls in listeners] + [s]
    while time.time() < deadline:
        r, _, _ = select.select(socks, [], [], max(0, deadline - time.time()))
        for x in r:
            x.recv(2048)
            if x is s:
                to_player += 1
            else:
                to_decoys += 1
    s.send(simple(LEAVE, 100, 7, token, 9999))
    print(json.dumps({"acked": acked, "forged": forged,
                      "replies_to_forged": to_decoys, "replayed": len(valid),
                      "replies_to_replays": to_player}))


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("script", "forge"):
        sys.exit(__doc__)
    if sys.argv[1] == "script" and len(sys.argv) == 5:
        cmd_script(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif sys.argv[1] == "forge" and len(sys.argv) == 5:
        cmd_forge(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
