#!/usr/bin/env python3
"""libCacheSim's figures for the four traces of tests/traces at sizes other
than the ones tests/traces/README.md reports: the ARC paper's other P3
sizes, OLTP below and above its table, and the LIRS traces from 100 blocks
up. Writes other_sizes.tsv (the best policy per row, Belady excluded), which
`cargo run --release --example hit_ratio -- --other-sizes` compares
cachekit's TinyLFU against, and prints every policy's figure per row.

Same harness and policies as run_sims.py (libCacheSim 0.3.5's Python
binding; every object weighs 1; every miss inserts). Needs numpy,
zstandard and libcachesim from pip.
"""
import io
import os
import sys

import numpy as np
import zstandard

import run_sims as rs
import libcachesim as lcs

HERE = os.path.dirname(os.path.abspath(__file__))
REAL = os.path.join(HERE, "..", "..", "tests", "traces")
SIZES = [
    ("OLTP.lis.zst", [500, 3000, 7500, 20000, 30000]),
    ("P3.lis.zst", [2048, 8192, 32768, 131072, 262144, 524288]),
    ("loop.trc.zst", [100, 200, 300, 400, 600, 700, 800, 900, 1000]),
    ("sprite.trc.zst", [100, 200, 300, 400, 600, 700, 800, 1000, 1024, 1500, 3000, 4096]),
]
POLICIES = [p for p in rs.POLICIES if p not in ("Belady", "ClockPro")]


def load(path):
    """Every request: `start count ...` lines stand for count blocks in the
    ARC paper's traces (.lis), one block per line in the LIRS paper's."""
    ids = []
    with zstandard.ZstdDecompressor().stream_reader(open(path, "rb")) as raw:
        for line in io.TextIOWrapper(raw):
            fields = line.split()
            if not fields or fields[0] == "*":
                continue
            if ".lis" in path:
                start, count = int(fields[0]), int(fields[1])
                ids.extend(range(start, start + count))
            else:
                ids.append(int(fields[0]))
    return np.array(ids, dtype=np.uint64)


def main():
    rows = []
    for name, sizes in SIZES:
        og = rs.to_oracle(name.split(".")[0], load(os.path.join(REAL, name)))
        reader = lcs.TraceReader(og, lcs.TraceType.ORACLE_GENERAL_TRACE,
                                 lcs.ReaderInitParam(ignore_obj_size=True))
        for size in sizes:
            res = {p: rs.run_isolated(p, size, reader) for p in POLICIES}
            best = max(v for v in res.values() if v is not None)
            who = ",".join(p for p in POLICIES if res[p] == best)
            rows.append((name, size, best, who))
            print(name, size, res, flush=True)
        del reader
        os.remove(og)
    with open(os.path.join(HERE, "other_sizes.tsv"), "w") as out:
        out.write("# trace\tsize\tbest known (libCacheSim 0.3.5: LRU, ARC, LIRS, S3-FIFO, "
                  "W-TinyLFU, SIEVE, 2Q, LeCaR, Cacheus, LHD)\twho\n")
        for name, size, best, who in rows:
            out.write(f"{name}\t{size}\t{best:.2f}\t{who}\n")


if __name__ == "__main__":
    sys.exit(main())
