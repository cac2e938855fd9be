"""The PyTorch yardstick's alternating regime with three passes (this folder's result JSONs) beside its own standard
supervised and one-pass alternating cells (../../table1-standard-yardstick/seed*/), paired by seed; test sum-abs on
table1's 896 test galaxies. Usage: python3 compare.py (prints Markdown)"""
import glob, json, os, statistics
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))


def load(pattern):
    out = {}
    for f in glob.glob(pattern):
        r = json.load(open(f))
        out[(r['regime'], r['n'], r['seed'])] = (r['test']['paper'], r['iters'], r['best_iter'], r['seconds'])
    return out


std = load(f'{HERE}/../../table1-standard-yardstick/seed*/*_n*_s*.json')
alt3 = load(f'{HERE}/alternating_n*_s*.json')
print('| labels | seed | supervised (standard) | alternating, 1 pass | alternating, 3 passes (best iteration of 639) | 3 passes − supervised |')
print('|---:|---:|---:|---:|---:|---:|')
diffs = {}
for (reg, n, s), (v, it, best, sec) in sorted(alt3.items(), key=lambda x: (x[0][1], x[0][2])):
    sup = std[('supervised', n, s)][0]
    one = std[('alternating', n, s)][0]
    diffs.setdefault(n, []).append(v - sup)
    print(f'| {n} | {s} | {sup:.3f} | {one:.3f} | {v:.3f} ({best}) | {v - sup:+.3f} |')
for n, d in diffs.items():
    m = statistics.fmean(d)
    h = stats.t.ppf(0.975, len(d) - 1) * statistics.stdev(d) / len(d) ** 0.5 if len(d) > 1 else float('nan')
    print(f'\n{n} labels: 3 passes − supervised {m:+.3f} [{m - h:+.3f}, {m + h:+.3f}] over {len(d)} seeds')
