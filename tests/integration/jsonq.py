#!/usr/bin/env python3
"""Read one value out of xdpgame's --json output with a real JSON parser.

usage: jsonq.py FILE PATH
       jsonq.py FILE -e EXPRESSION
  FILE  a file holding xdpgame output: the last line that is a whole JSON
        document is used (a server's log has live lines before its summary);
        the document must parse, or this exits 2
  PATH  dotted keys and array indexes: acked, xdp.redirect, workers.0.queue;
        "." prints the whole document back (a validity check)
  -e    a Python expression over the document, bound to d, e.g.
        'sum(w["rx_packets"] for w in d["workers"] if w["path"] == "xsk")'
Prints the value (JSON for objects and arrays, true/false for booleans) and
exits 0; exits 1 if the path is not there.
"""
import json
import sys


def main():
    if len(sys.argv) not in (3, 4) or (len(sys.argv) == 4 and sys.argv[2] != "-e"):
        sys.exit(__doc__)
    doc = None
    with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if line.startswith("{") or line.startswith("["):
                try:
                    doc = json.loads(line)
                except ValueError:
                    pass
    if doc is None:
        print(f"jsonq: no JSON document in {sys.argv[1]}", file=sys.stderr)
        sys.exit(2)
    v = doc
    if sys.argv[2] == "-e":
        try:
            v = eval(sys.argv[3], {"__builtins__": __builtins__, "d": doc})
        except (KeyError, IndexError, TypeError):
            sys.exit(1)
    elif sys.argv[2] != ".":
        for key in sys.argv[2].split("."):
            try:
                v = v[int(key)] if isinstance(v, list) else v[key]
            except (KeyError, IndexError, ValueError, TypeError):
                sys.exit(1)
    if isinstance(v, bool):
        print("true" if v else "false")
    elif isinstance(v, (dict, list)):
        print(json.dumps(v, separators=(",", ":")))
    elif v is None:
        print("null")
    else:
        print(v)


main()
