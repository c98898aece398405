"""Paper-faithful LIRS (Jiang & Zhang 2002), count-based, unbounded stack S.

Cross-checks libCacheSim's LIRS, and shows where LIRS hits on a trace:

    python3 benches/synthetic/ref_lirs.py                      # the sprite and loop check
    python3 benches/synthetic/ref_lirs.py TRACE SIZE [STRETCHES]

TRACE is a `.trc.zst` (one block per line) or an ARC-paper `.lis.zst`
(lines `start count _ _`, each the blocks start..start+count). With
STRETCHES, the hit ratio is also printed per stretch of the trace, in the
stretches `cargo run --release --example trace_profile -- NAME SIZE
STRETCHES` prints LRU, ARC and TinyLFU in (NAME being TRACE's file name
under `tests/traces`), so that they can be read side by side: on P3 at
65,536 blocks LIRS hits 52.8% of the 17th of 20 stretches, where LRU hits
22.3% and TinyLFU 12.6-14.1% (4 hash seeds)."""
from collections import OrderedDict
import os, sys, subprocess

TRACES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "traces")


def read_trace(path):
    text = subprocess.run(["zstd", "-dc", path], capture_output=True, check=True).stdout
    if not path.endswith(".lis.zst"):
        return [int(t) for t in text.split()]
    blocks = []
    for line in text.decode().splitlines():
        fields = line.split()
        if len(fields) >= 2:
            start, count = int(fields[0]), int(fields[1])
            blocks.extend(range(start, start + count))
    return blocks


def lirs(trace, C, hir_frac=0.01, s_limit=None, stretches=1):
    """The hit ratio (percent) of LIRS holding C blocks, and its hit
    ratio in each of `stretches` stretches of the trace, cut as
    `trace_profile` cuts it (the last may be shorter)."""
    Lh = max(1, int(C * hir_frac)); Ll = C - Lh
    S = OrderedDict(); Q = OrderedDict(); st = {}
    nlir = 0; nres = 0
    length = max(1, -(-len(trace) // stretches))
    hits = [0] * stretches
    def prune():
        while S:
            k = next(iter(S))
            if st[k] == 'L': break
            S.popitem(last=False)
            if st[k] == 'N': del st[k]
    def demote_bottom_lir():
        nonlocal nlir
        k, _ = S.popitem(last=False)
        st[k] = 'H'; Q[k] = True; nlir -= 1
        prune()
    for t, x in enumerate(trace):
        stretch = min(t // length, stretches - 1)
        s = st.get(x)
        if s == 'L':
            hits[stretch] += 1
            bottom = next(iter(S)) == x
            S.move_to_end(x)
            if bottom: prune()
        elif s == 'H':
            hits[stretch] += 1
            if x in S:
                S.move_to_end(x); del Q[x]; st[x] = 'L'; nlir += 1
                demote_bottom_lir()
            else:
                S[x] = True; Q.move_to_end(x)
        else:
            if nlir < Ll and s is None:
                st[x] = 'L'; S[x] = True; nlir += 1; nres += 1
                continue
            if nres >= C:
                k, _ = Q.popitem(last=False)
                if k in S: st[k] = 'N'
                else: del st[k]
            else:
                nres += 1
            if s == 'N':  # non-resident HIR in S
                S.move_to_end(x); st[x] = 'L'; nlir += 1
                demote_bottom_lir()
            else:
                st[x] = 'H'; S[x] = True; Q[x] = True
        if s_limit is not None:
            # crude bound: drop oldest non-resident entries when S too big
            while len(S) > s_limit * C:
                for k in S:
                    if st[k] == 'N':
                        del S[k]; del st[k]; break
                else: break
    lengths = [max(0, min(length, len(trace) - i * length)) for i in range(stretches)]
    return (sum(hits) / len(trace) * 100,
            [100 * h / n if n else 0.0 for h, n in zip(hits, lengths)])


if __name__ == "__main__":
    if len(sys.argv) >= 3:
        path, C = sys.argv[1], int(sys.argv[2])
        stretches = int(sys.argv[3]) if len(sys.argv) > 3 else 1
        total, ratios = lirs(read_trace(path), C, stretches=stretches)
        print(f"{os.path.basename(path)} at {C} blocks: LIRS (unbounded S, HIR 1%) {total:.2f}")
        if stretches > 1:
            print("LIRS            " + " ".join(f"{r:6.2f}" for r in ratios))
        sys.exit(0)
    for name, sizes in [("sprite.trc.zst", [512, 2048]), ("loop.trc.zst", [256, 512])]:
        tr = read_trace(os.path.join(TRACES, name))
        for C in sizes:
            print(name, C, "LIRS(unbounded S, HIR 1%%) %.2f" % lirs(tr, C)[0],
                  "| S<=2C %.2f" % lirs(tr, C, s_limit=2)[0], flush=True)
