"""Table 1 standard beside the PyTorch yardstick at the same budgets, seed by seed.

Reads the yardstick's result JSONs (seed0/, seed1/, seed2/ here, as run.sh writes them) and galmorph's
../table1-standard/cells.csv; prints a Markdown table of mean ± 95% Student-t half-width over seeds and the paired
differences galmorph − yardstick, and writes compare.json. Usage: python3 compare.py
"""
import csv, glob, json, os, statistics
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))
REGIMES = {'supervised': 'supervised', 'twostep': 'two-step', 'alternating': 'alternating'}
LABELS = [100, 300, 1200]


def ci(xs):
    m = statistics.fmean(xs)
    if len(xs) < 2:
        return m, float('nan')
    return m, stats.t.ppf(0.975, len(xs) - 1) * statistics.stdev(xs) / len(xs) ** 0.5


yard = {}
for f in glob.glob(f'{HERE}/seed*/*_n*_s*.json'):
    r = json.load(open(f))
    yard[(REGIMES[r['regime']], r['n'], r['seed'])] = r['test']['paper']
ours = {}
for row in csv.DictReader(open(f'{HERE}/../table1-standard/cells.csv')):
    ours[(row['regime'], int(row['labels']), int(row['seed']))] = float(row['sumAbs'])

out, lines = {}, ['| regime | labels | yardstick (seeds) | galmorph (seeds) | galmorph − yardstick, paired |', '|---|---:|---|---|---|']
for reg in REGIMES.values():
    for n in LABELS:
        seeds = sorted(s for (r, m, s) in yard if r == reg and m == n)
        y = [yard[(reg, n, s)] for s in seeds]
        o = [ours[(reg, n, s)] for s in seeds if (reg, n, s) in ours]
        d = [ours[(reg, n, s)] - yard[(reg, n, s)] for s in seeds if (reg, n, s) in ours]
        ym, yh = ci(y); om, oh = ci(o); dm, dh = ci(d)
        out[f'{reg}-{n}'] = dict(seeds=seeds, yardstick=y, galmorph=o, diff=d)
        lines.append(f'| {reg} | {n} | {ym:.3f} ± {yh:.3f} ({", ".join(f"{v:.3f}" for v in y)}) | '
                     f'{om:.3f} ± {oh:.3f} ({", ".join(f"{v:.3f}" for v in o)}) | {dm:+.3f} [{dm - dh:+.3f}, {dm + dh:+.3f}] |')
print('\n'.join(lines))
json.dump(out, open(f'{HERE}/compare.json', 'w'), indent=1)
