#!/usr/bin/env python3
"""Deterministic generator for synthetic block traces (cache-research style).

Each trace is written to $CACHEKIT_TRACES/<name>.trc.zst (default target/synthetic-traces) : zstd-compressed text,
one unsigned integer block number per line, nothing else.

Every generator uses its own numpy Generator with a fixed seed, so re-running
this script reproduces byte-identical text (the .zst bytes are identical too
as long as the same zstd binary/level is used).

Usage:  python3 make_traces.py [name ...]      (default: all traces)
"""
import os
import subprocess
import sys

import numpy as np

# Where the traces go: $CACHEKIT_TRACES, else target/synthetic-traces.
OUT = os.environ.get("CACHEKIT_TRACES") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "target", "synthetic-traces")
os.makedirs(OUT, exist_ok=True)
ZSTD_LEVEL = "9"


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
def zipf_sampler(rng, n_keys, alpha):
    """Return f(size) -> array of ranks in [0, n_keys) with P(rank r) ~ 1/(r+1)^alpha."""
    w = 1.0 / np.power(np.arange(1, n_keys + 1, dtype=np.float64), alpha)
    cdf = np.cumsum(w)
    cdf /= cdf[-1]

    def draw(size):
        r = np.searchsorted(cdf, rng.random(size), side="right")
        return np.minimum(r, n_keys - 1).astype(np.int64)

    return draw


def write_trace(name, ids):
    ids = np.asarray(ids)
    assert ids.ndim == 1 and len(ids) > 0
    assert ids.min() >= 0, name
    ids = ids.astype(np.uint64)
    text = "\n".join(map(str, ids.tolist())) + "\n"
    path = os.path.join(OUT, f"{name}.trc.zst")
    subprocess.run(["zstd", "-q", "-f", "-" + ZSTD_LEVEL, "-T1", "-o", path],
                   input=text.encode(), check=True)
    print(f"{name:16s} requests={len(ids):9d} unique={len(np.unique(ids)):8d} -> {path}",
          flush=True)


# --------------------------------------------------------------------------
# building blocks (return np.int64 arrays of block ids, ids start at 0)
# --------------------------------------------------------------------------
def gen_cs_like(seed=101, n_req=300_000, loop_len=1_700, noise_pool=3_000,
                p_noise=0.05, p_skip=0.02, p_swap=0.01, p_rescan=0.003):
    """cs-like: a program (cs = C-source examination tool) repeatedly scanning
    the same ~1,700 file blocks in order.  Each pass is perturbed:
      * each block skipped with prob p_skip,
      * adjacent blocks swapped with prob p_swap,
      * with prob p_rescan a short backward jump (re-read last 1..20 blocks),
    and between loop accesses, with prob p_noise, a random access to a pool of
    `noise_pool` other blocks (ids loop_len .. loop_len+noise_pool-1)."""
    rng = np.random.default_rng(seed)
    out = []
    n = 0
    base = np.arange(loop_len, dtype=np.int64)
    while n < n_req:
        p = base[rng.random(loop_len) >= p_skip].copy()
        sw = np.nonzero(rng.random(len(p) - 1) < p_swap)[0]
        for i in sw:
            p[i], p[i + 1] = p[i + 1], p[i]
        # backward re-reads
        pieces = []
        last = 0
        for i in np.nonzero(rng.random(len(p)) < p_rescan)[0]:
            pieces.append(p[last:i + 1])
            k = int(rng.integers(1, 21))
            pieces.append(p[max(0, i + 1 - k):i + 1])
            last = i + 1
        pieces.append(p[last:])
        p = np.concatenate(pieces)
        # noise
        is_noise = rng.random(len(p)) < p_noise
        noise = loop_len + rng.integers(0, noise_pool, int(is_noise.sum()))
        merged = np.empty(len(p) + len(noise), dtype=np.int64)
        pos = np.nonzero(is_noise)[0] + np.arange(len(noise))  # noise goes before those loop items
        mask = np.zeros(len(merged), dtype=bool)
        mask[pos] = True
        merged[mask] = noise
        merged[~mask] = p
        out.append(merged)
        n += len(merged)
    return np.concatenate(out)[:n_req]


def gen_gli_like(seed=102, n_req=500_000):
    """glimpse-like: three loops (2,000 / 4,000 / 1,000 blocks, disjoint ids)
    used in phases.  A phase (length uniform 20k..60k requests) is one of:
      A alone, B alone, A+C interleaved (1:1), B+A interleaved (2:1), C alone.
    Each loop keeps its own cursor across phases (the scan continues)."""
    rng = np.random.default_rng(seed)
    loops = {"A": (0, 2_000), "B": (2_000, 4_000), "C": (6_000, 1_000)}
    cursor = {k: 0 for k in loops}
    patterns = [("A",), ("B",), ("A", "C"), ("B", "B", "A"), ("C",), ("A", "B")]
    out = []
    n = 0
    while n < n_req:
        pat = patterns[int(rng.integers(len(patterns)))]
        plen = int(rng.integers(20_000, 60_001))
        plen = min(plen, n_req - n)
        seq = np.empty(plen, dtype=np.int64)
        who = np.array([pat[i % len(pat)] for i in range(plen)])
        for k in set(pat):
            idx = np.nonzero(who == k)[0]
            start, length = loops[k]
            seq[idx] = start + (cursor[k] + np.arange(len(idx))) % length
            cursor[k] = (cursor[k] + len(idx)) % length
        out.append(seq)
        n += plen
    return np.concatenate(out)


def gen_cpp_like(seed=103, n_req=300_000, space=10_000, n_loops=60,
                 p_random=0.10):
    """cpp-like: short loops (50..400 blocks, contiguous ids) embedded in a
    larger sparse reference set of `space` blocks.  A catalog of `n_loops`
    loop definitions is fixed; each 'procedure call' picks a loop with Zipf(1)
    popularity and iterates it 2..12 times.  With prob p_random each request
    is instead a random access to the whole set (Zipf(0.6) over a random
    permutation), giving the sparse background."""
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, space - 400, n_loops)
    lens = rng.integers(50, 401, n_loops)
    pick_loop = zipf_sampler(rng, n_loops, 1.0)
    perm = rng.permutation(space)
    bg = zipf_sampler(rng, space, 0.6)
    out = []
    n = 0
    while n < n_req:
        li = int(pick_loop(1)[0])
        reps = int(rng.integers(2, 13))
        seq = np.tile(np.arange(starts[li], starts[li] + lens[li], dtype=np.int64), reps)
        rnd = rng.random(len(seq)) < p_random
        seq[rnd] = perm[bg(int(rnd.sum()))]
        out.append(seq)
        n += len(seq)
    return np.concatenate(out)[:n_req]


def gen_zipf(seed, n_req, n_keys, alpha, permute=True):
    rng = np.random.default_rng(seed)
    ranks = zipf_sampler(rng, n_keys, alpha)(n_req)
    if permute:
        return rng.permutation(n_keys)[ranks]
    return ranks


# --------------------------------------------------------------------------
# the traces
# --------------------------------------------------------------------------
def t_2pools():
    rng = np.random.default_rng(1)
    n = 500_000
    hot = rng.random(n) < 0.5
    ids = np.where(hot, rng.integers(0, 100, n), 100 + rng.integers(0, 4_900, n))
    return ids


def t_cs_like():
    return gen_cs_like()


def t_gli_like():
    return gen_gli_like()


def t_cpp_like():
    return gen_cpp_like()


def t_multi_like():
    """cs_like (rate 0.3) + cpp_like (rate 0.3) + Zipf(0.8) over 10,000 blocks
    (rate 0.4), interleaved request by request (each request picks a source
    with those probabilities); each source keeps its own order.  Disjoint ids:
    cs at +0, cpp at +100,000, zipf at +200,000."""
    rng = np.random.default_rng(7)
    n = 1_000_000
    src = rng.choice(3, size=n, p=[0.3, 0.3, 0.4])
    cnt = np.bincount(src, minlength=3)
    a = gen_cs_like(seed=201, n_req=int(cnt[0]))
    b = gen_cpp_like(seed=202, n_req=int(cnt[1])) + 100_000
    c = gen_zipf(203, int(cnt[2]), 10_000, 0.8) + 200_000
    ids = np.empty(n, dtype=np.int64)
    ids[src == 0] = a
    ids[src == 1] = b
    ids[src == 2] = c
    return ids


def t_zigzag():
    N = 1_500
    fwd = np.arange(N, dtype=np.int64)
    one = np.concatenate([fwd, fwd[::-1]])  # 0..N-1, N-1..0
    return np.tile(one, 100)  # 300,000 requests


def t_zipf_drift():
    """Zipf(0.9) over 100,000 keys; every 50,000 requests the rank->key
    mapping rotates by 1,000 keys (key = perm[(rank + shift) mod 100000])."""
    rng = np.random.default_rng(8)
    n, K = 2_000_000, 100_000
    ranks = zipf_sampler(rng, K, 0.9)(n)
    shift = (np.arange(n) // 50_000) * 1_000
    perm = rng.permutation(K)
    return perm[(ranks + shift) % K]


def t_scan_zipf():
    """Zipf(0.99) over 50,000 keys; after every 100,000 Zipf requests a
    one-time sequential scan of 20,000 brand-new keys (ids >= 1,000,000,
    never referenced again).  10 rounds -> 1.2M requests."""
    rng = np.random.default_rng(9)
    K = 50_000
    draw = zipf_sampler(rng, K, 0.99)
    perm = rng.permutation(K)
    out = []
    next_new = 1_000_000
    for _ in range(10):
        out.append(perm[draw(100_000)])
        out.append(np.arange(next_new, next_new + 20_000, dtype=np.int64))
        next_new += 20_000
    return np.concatenate(out)


def t_lowfreq_recency():
    """With prob 0.7 re-reference one of the last 1,000 distinct blocks,
    stack depth d ~ Geometric(p=0.005) - 1 (mean ~199, truncated/resampled to
    the current stack length); else a brand-new block.  500,000 requests."""
    rng = np.random.default_rng(10)
    n, W, pg = 500_000, 1_000, 0.005
    reuse = rng.random(n) < 0.7
    depth = rng.geometric(pg, n) - 1
    stack = []  # most recent at the end
    out = np.empty(n, dtype=np.int64)
    next_new = 0
    for i in range(n):
        if reuse[i] and stack:
            d = int(depth[i])
            while d >= len(stack):
                d = int(rng.geometric(pg)) - 1
            b = stack.pop(len(stack) - 1 - d)
        else:
            b = next_new
            next_new += 1
        stack.append(b)
        if len(stack) > W:
            del stack[0]
        out[i] = b
    return out


def t_phases():
    """5 phases x 200,000 requests; each phase Zipf(1.0) over its own
    disjoint set of 5,000 blocks (phase p uses ids p*5000 .. p*5000+4999,
    rank->id randomly permuted)."""
    rng = np.random.default_rng(11)
    draw = zipf_sampler(rng, 5_000, 1.0)
    out = []
    for p in range(5):
        perm = rng.permutation(5_000) + p * 5_000
        out.append(perm[draw(200_000)])
    return np.concatenate(out)


def t_db_mix():
    """OLTP-like: Zipf(0.8) point accesses over 200,000 blocks (rank->block
    randomly permuted) mixed ~80/20 (by request count) with short sequential
    runs of length U[8,64] starting at uniform random positions in the same
    block space.  An 'event' is a run with prob q=0.2/29 (mean run 36 ->
    ~20% of requests), else one Zipf request.  1,000,000 requests."""
    rng = np.random.default_rng(12)
    n, K = 1_000_000, 200_000
    draw = zipf_sampler(rng, K, 0.8)
    perm = rng.permutation(K)
    q = 0.2 / 29.0
    out = []
    total = 0
    while total < n:
        m = 100_000
        ev_run = rng.random(m) < q
        zipf_ids = perm[draw(m)]
        lens = rng.integers(8, 65, m)
        starts = rng.integers(0, K - 64, m)
        chunk = []
        prev = 0
        for i in np.nonzero(ev_run)[0]:
            chunk.append(zipf_ids[prev:i])
            chunk.append(np.arange(starts[i], starts[i] + lens[i], dtype=np.int64))
            prev = i + 1
        chunk.append(zipf_ids[prev:])
        c = np.concatenate(chunk)
        out.append(c)
        total += len(c)
    return np.concatenate(out)[:n]


TRACES = {
    "2pools": t_2pools,
    "cs_like": t_cs_like,
    "gli_like": t_gli_like,
    "cpp_like": t_cpp_like,
    "multi_like": t_multi_like,
    "zigzag": t_zigzag,
    "zipf_drift": t_zipf_drift,
    "scan_zipf": t_scan_zipf,
    "lowfreq_recency": t_lowfreq_recency,
    "phases": t_phases,
    "db_mix": t_db_mix,
}

if __name__ == "__main__":
    names = sys.argv[1:] or list(TRACES)
    for nm in names:
        write_trace(nm, TRACES[nm]())
