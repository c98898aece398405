"""Paper-faithful LIRS (Jiang & Zhang 2002), count-based, unbounded stack S.
Only used to cross-check libCacheSim's LIRS against the expected sprite numbers."""
from collections import OrderedDict
import sys, subprocess

def lirs(trace, C, hir_frac=0.01, s_limit=None):
    Lh = max(1, int(C * hir_frac)); Ll = C - Lh
    S = OrderedDict(); Q = OrderedDict(); st = {}
    nlir = 0; nres = 0; hits = 0
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
    for x in trace:
        s = st.get(x)
        if s == 'L':
            hits += 1
            bottom = next(iter(S)) == x
            S.move_to_end(x)
            if bottom: prune()
        elif s == 'H':
            hits += 1
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
    return hits / len(trace) * 100

if __name__ == "__main__":
    for path, sizes in [("/work/main/tests/traces/sprite.trc.zst", [512, 2048]),
                        ("/work/main/tests/traces/loop.trc.zst", [256, 512])]:
        tr = subprocess.run(["zstd", "-dc", path], capture_output=True, check=True).stdout.split()
        tr = [int(t) for t in tr]
        for C in sizes:
            print(path.split('/')[-1], C, "LIRS(unbounded S, HIR 1%%) %.2f" % lirs(tr, C),
                  "| S<=2C %.2f" % lirs(tr, C, s_limit=2), flush=True)
