#!/usr/bin/env python3
"""The host's BPF programs and maps, for tests/integration/lifecycle.sh.

  bpfobjs.py snap FILE            record the ids of every program and map
  bpfobjs.py check FILE DIR...    compare with the record; exit 1 on a leak

The counts are host-wide, and tests of other checkouts may run at the same
time, so `check` prints the totals before and after and then names as
leaked only what xdpgame could have left: a program or map that is new
since the snapshot, has an xdpgame name (program xdpgame_rx; maps stats,
ports, config, xsks, info, workers, *.rodata), is held by no running
process (/proc/*/fdinfo) or used by a program that is not itself left
behind, and is not pinned outside DIR... (this test's pin directories).
Anything else new is somebody else's and is only counted.
"""
import glob
import json
import re
import subprocess
import sys

OUR_PROGS = {"xdpgame_rx"}
OUR_MAPS = {"stats", "ports", "config", "xsks", "info", "workers"}


def objects(kind):
    out = subprocess.run(["bpftool", "-f", kind, "show", "-j"],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out or "[]")


def held():
    progs, maps = set(), set()
    for path in glob.glob("/proc/[0-9]*/fdinfo/*"):
        try:
            with open(path) as f:
                text = f.read()
        except OSError:
            continue
        m = re.search(r"^prog_id:\s*(\d+)", text, re.M)
        if m:
            progs.add(int(m.group(1)))
        m = re.search(r"^map_id:\s*(\d+)", text, re.M)
        if m:
            maps.add(int(m.group(1)))
    return progs, maps


def ours(obj, names, dirs):
    name = obj.get("name", "")
    if name not in names and not name.endswith(".rodata"):
        return False
    pins = obj.get("pinned", [])
    return all(any(p.startswith(d) for d in dirs) for p in pins)


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "snap":
        with open(sys.argv[2], "w") as f:
            json.dump({"progs": [p["id"] for p in objects("prog")],
                       "maps": [m["id"] for m in objects("map")]}, f)
        return 0
    if len(sys.argv) < 3 or sys.argv[1] != "check":
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[2]) as f:
        base = json.load(f)
    dirs = sys.argv[3:]
    progs, maps = objects("prog"), objects("map")
    hp, hm = held()
    leaks, leaked_progs = [], set()
    for kind, objs, was, hold, names in (
            ("program", progs, set(base["progs"]), hp, OUR_PROGS),
            ("map", maps, set(base["maps"]), hm, OUR_MAPS)):
        if kind == "map":
            # a map a live program uses is that program's
            for p in progs:
                if p["id"] not in leaked_progs:
                    hold |= set(p.get("map_ids", []))
        new = [o for o in objs if o["id"] not in was]
        gone = len(was - {o["id"] for o in objs})
        print(f"  ({kind}s: {len(was)} before, {len(objs)} after: "
              f"{len(new)} new, {gone} gone)")
        for o in new:
            if o["id"] not in hold and ours(o, names, dirs):
                if kind == "program":
                    leaked_progs.add(o["id"])
                leaks.append(f"{kind} id {o['id']} '{o.get('name', '')}'"
                             f" pinned {o.get('pinned', [])}")
    for leak in leaks:
        print(f"  (left behind: {leak})")
    return 1 if leaks else 0


if __name__ == "__main__":
    sys.exit(main())
