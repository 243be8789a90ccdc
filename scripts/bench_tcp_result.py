#!/usr/bin/env python3
"""The result lines of scripts/bench_tcp.sh, from the clients' --json
reports (TMP/loadK.json, the last one the measured client) and the samples
the script took. Exits 1 if not every connection opened and every request
was acked.

usage: bench_tcp_result.py TMP K RC T0 T1 RSS0 RSS1 SLAB0 SLAB1 ESTAB0 ESTAB1 MEM0 MEM1
"""
import json
import sys


def main():
    if len(sys.argv) != 14:
        sys.exit(__doc__)
    tmp, k, rc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    t0, t1 = float(sys.argv[4]), float(sys.argv[5])
    rss0, rss1, slab0, slab1, in0, in1, mem0, mem1 = map(int, sys.argv[6:14])
    ds = [json.load(open(f"{tmp}/load{i}.json")) for i in range(k)]
    d = ds[-1]

    def tot(key):
        return sum(x[key] for x in ds)

    def ms(ns):
        return ns / 1e6

    ok = (tot("lost") == 0 and tot("wrong") == 0 and tot("errors") == 0
          and tot("acked") == tot("sent") and tot("failed") == 0
          and tot("opened") == tot("connections")
          and sum(x["handshake"]["joined"] for x in ds) == tot("players"))
    n = max(in1 - in0, 1)
    print(f"connections: {tot('opened')} of {tot('connections')} opened; {in1 - in0} open at once at the peak "
          f"(failed {tot('failed')}, closed by the server {tot('closed')}); {k} client(s); run {t1 - t0:.1f} s, last client exit {rc}")
    print(f"requests: sent {tot('sent')}, acked {tot('acked')}, lost {tot('lost')}, wrong {tot('wrong')}, "
          f"errors {tot('errors')} (each connection at least one): {'ALL ACKED' if ok else 'NOT ALL ACKED'}")
    hs = [x["handshake"] for x in ds]
    print(f"handshakes over the streams: {sum(h['joined'] for h in hs)} of {tot('players')} players joined, "
          f"{sum(h['refused'] for h in hs)} refused, {sum(h['unanswered'] for h in hs)} unanswered "
          f"({max(h['seconds'] for h in hs):.1f} s at most for one client's)")
    c, f, r = d["connect_ns"], d["opening_rtt_ns"], d["rtt_ns"]
    j = d["join_ns"]
    print(f"connect time ms (last client):      p50 {ms(c['p50']):8.2f}  p99 {ms(c['p99']):8.2f}  max {ms(c['max']):8.2f}")
    print(f"JOIN to WELCOME ms (last client):   p50 {ms(j['p50']):8.2f}  p99 {ms(j['p99']):8.2f}  max {ms(j['max']):8.2f}")
    print(f"opening round RTT ms (last client): p50 {ms(f['p50']):8.2f}  p99 {ms(f['p99']):8.2f}  max {ms(f['max']):8.2f}"
          f"  ({d['connections']} requests at once)")
    print(f"RTT us, {d['active']} active while {in1 - in0} are open: p50 {r['p50'] / 1e3:.1f}  p90 {r['p90'] / 1e3:.1f}"
          f"  p99 {r['p99'] / 1e3:.1f}  p99.9 {r['p999'] / 1e3:.1f}  ({d['pps']} acks/s)")
    print(f"server RSS (all {k} server processes): {rss0} KiB before, {rss1} KiB at the peak: "
          f"{(rss1 - rss0) * 1024 / n:.0f} bytes per connection")
    print(f"established TCP connections (ss -s, server namespace) {in0} -> {in1}; /proc/net/sockstat TCP mem (socket buffers, "
          f"all namespaces) {mem0} -> {mem1} pages: {(mem1 - mem0) * 4096 / n:.0f} bytes per connection")
    print(f"kernel slab (/proc/meminfo Slab: both ends' sockets, and all else): {slab0} -> {slab1} KiB: "
          f"{(slab1 - slab0) * 1024 / (2 * n):.0f} bytes per socket")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
