#!/usr/bin/env python3
"""Run libCacheSim (python binding 0.3.5) policies over the traces.

Harness: each .trc.zst is decompressed, the absolute index of the next access
of every request is computed (needed by Belady), and the trace is written as a
libCacheSim oracleGeneral binary (uint32 time, uint64 id, uint32 size=1,
int64 next_access_vtime, -1 = never) into $CACHEKIT_TRACES/work/.  Every cache is a
count-based cache of N objects (all sizes 1, ignore_obj_size=True), run with
cache.process_trace(reader); hit ratio = (1 - object miss ratio) * 100.
"""
import json
import os
import subprocess
import sys
import time

import numpy as np
import libcachesim as lcs

GEN = os.environ.get("CACHEKIT_TRACES") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "target", "synthetic-traces")
WORK = os.path.join(GEN, "work")
os.makedirs(WORK, exist_ok=True)

POLICIES = ["Belady", "LRU", "ARC", "LIRS", "S3FIFO", "WTinyLFU", "Sieve",
            "TwoQ", "LeCaR", "Cacheus", "ClockPro", "LHD"]
EXTRA = ["FIFO"]  # diagnostic only (json "extra"), not a table column

REAL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "traces")
TRACES = [
    ("sprite", f"{REAL}/sprite.trc.zst", [512, 2048]),
    ("loop", f"{REAL}/loop.trc.zst", [256, 512]),
    ("2pools", f"{GEN}/2pools.trc.zst", [500, 1500, 3000]),
    ("cs_like", f"{GEN}/cs_like.trc.zst", [500, 1000, 2000]),
    ("gli_like", f"{GEN}/gli_like.trc.zst", [1000, 2500, 5000]),
    ("cpp_like", f"{GEN}/cpp_like.trc.zst", [1000, 3000, 6000]),
    ("multi_like", f"{GEN}/multi_like.trc.zst", [2500, 7500, 15000]),
    ("zigzag", f"{GEN}/zigzag.trc.zst", [150, 500, 1000]),
    ("zipf_drift", f"{GEN}/zipf_drift.trc.zst", [10000, 30000, 60000]),
    ("scan_zipf", f"{GEN}/scan_zipf.trc.zst", [5000, 15000, 30000]),
    ("lowfreq_recency", f"{GEN}/lowfreq_recency.trc.zst", [100, 300, 600]),
    ("phases", f"{GEN}/phases.trc.zst", [500, 1500, 3000]),
    ("db_mix", f"{GEN}/db_mix.trc.zst", [20000, 50000, 100000]),
]

OG_DT = np.dtype([("t", "<u4"), ("id", "<u8"), ("sz", "<u4"), ("nx", "<i8")])
assert OG_DT.itemsize == 24


def load_ids(path):
    txt = subprocess.run(["zstd", "-dc", path], capture_output=True, check=True).stdout
    return np.array(txt.split(), dtype=np.uint64)


def next_access(ids):
    n = len(ids)
    order = np.argsort(ids, kind="stable")
    s = ids[order]
    nxt = np.full(n, -1, dtype=np.int64)
    same = s[:-1] == s[1:]
    nxt[order[:-1][same]] = order[1:][same]
    return nxt


def to_oracle(name, ids):
    n = len(ids)
    a = np.zeros(n, dtype=OG_DT)
    a["t"] = np.arange(n) // 1000
    a["id"] = ids
    a["sz"] = 1
    a["nx"] = next_access(ids)
    p = os.path.join(WORK, f"{name}.oracleGeneral")
    a.tofile(p)
    return p


def run_isolated(pol, size, reader):
    """Run one simulation in a forked child.  LeCaR, Cacheus and LHD draw from
    a process-global RNG inside libCacheSim, so their result depends on what
    ran earlier in the same process; forking from a parent that never runs a
    simulation gives every run the same pristine RNG state (reproducible,
    order-independent).  Returns hit ratio in percent, or None on failure."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            cache = getattr(lcs, pol)(size)
            mr = cache.process_trace(reader)[0]
            msg = repr(round((1.0 - mr) * 100.0, 2))
        except BaseException as e:
            msg = "ERR " + repr(e)
        os.write(w, msg.encode())
        os.close(w)
        os._exit(0)
    os.close(w)
    data = b""
    while True:
        chunk = os.read(r, 4096)
        if not chunk:
            break
        data += chunk
    os.close(r)
    _, status = os.waitpid(pid, 0)
    txt = data.decode()
    if status != 0 or not txt or txt.startswith("ERR"):
        print(f"    child failed (status {status}): {txt}", flush=True)
        return None
    return float(txt)


def main():
    only = set(sys.argv[1:])
    out = []
    t_all = time.time()
    for name, path, sizes in TRACES:
        if only and name not in only:
            continue
        ids = load_ids(path)
        nreq, uniq = len(ids), int(len(np.unique(ids)))
        og = to_oracle(name, ids)
        reader = lcs.TraceReader(og, lcs.TraceType.ORACLE_GENERAL_TRACE,
                                 lcs.ReaderInitParam(ignore_obj_size=True))
        nr = reader.get_num_of_req()
        assert nr == nreq, (nr, nreq)
        for size in sizes:
            res, extra, secs = {}, {}, {}
            for pol in POLICIES + EXTRA:
                t0 = time.time()
                v = run_isolated(pol, size, reader)
                if v is None:
                    print(f"  {name} {size} {pol} FAILED", flush=True)
                (extra if pol in EXTRA else res)[pol] = v
                secs[pol] = round(time.time() - t0, 2)
            row = {"trace": name, "size": size, "requests": nreq, "unique": uniq,
                   "results": res, "extra": extra, "seconds": secs}
            out.append(row)
            print(name, size, nreq, uniq, res, "FIFO", extra["FIFO"],
                  f"[{sum(secs.values()):.1f}s]", flush=True)
        del reader
        os.remove(og)
    suffix = "_partial" if only else ""
    with open(os.path.join(GEN, f"results_raw{suffix}.json"), "w") as f:
        json.dump(out, f, indent=1)
    print(f"total {time.time() - t_all:.1f}s")


if __name__ == "__main__":
    main()
