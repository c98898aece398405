#!/usr/bin/env python3
"""results_raw.json (from run_sims.py) -> results.json + results.md"""
import json
import os

GEN = os.environ.get("CACHEKIT_TRACES") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "target", "synthetic-traces")
HERE = os.path.dirname(os.path.abspath(__file__))
POL = ["Belady", "LRU", "ARC", "LIRS", "S3FIFO", "WTinyLFU", "Sieve", "TwoQ",
       "LeCaR", "Cacheus", "ClockPro", "LHD"]
INVALID = {"ClockPro"}  # see notes: libCacheSim 0.3.5 ClockPro stops admitting once its cold region is full
raw = json.load(open(os.path.join(GEN, "results_raw.json")))
rows = []
for r in raw:
    cand = {p: v for p, v in r["results"].items() if p != "Belady" and p not in INVALID and v is not None}
    best = max(cand.values())
    who = [p for p in POL if p in cand and cand[p] == best]
    rows.append({"trace": r["trace"], "size": r["size"], "requests": r["requests"],
                 "unique": r["unique"], "results": {p: r["results"][p] for p in POL},
                 "best": {"percent": best, "policy": "/".join(who)},
                 "invalid_policies": sorted(INVALID),
                 "extra": r.get("extra", {})})
json.dump(rows, open(os.path.join(HERE, "results.json"), "w"), indent=1)
hdr = ["trace", "size", "requests", "unique"] + [p + ("‡" if p in INVALID else "") for p in POL] + ["best (who)"]
lines = ["| " + " | ".join(hdr) + " |", "|" + "|".join(["---"] * 2 + ["---:"] * (len(hdr) - 3) + ["---"]) + "|"]
fmt = lambda v: "fail" if v is None else f"{v:.2f}"
for r in rows:
    cells = [r["trace"], str(r["size"]), str(r["requests"]), str(r["unique"])] + \
            [fmt(r["results"][p]) for p in POL] + [f'{r["best"]["percent"]:.2f} ({r["best"]["policy"]})']
    lines.append("| " + " | ".join(cells) + " |")
table = "\n".join(lines)
open(os.path.join(GEN, "table.md"), "w").write(table + "\n")
print(table)
