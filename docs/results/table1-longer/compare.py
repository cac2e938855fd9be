"""Table 1 standard with longer budgets at 100 and 300 labels: alternating with three passes of the unlabelled
images, supervised with three times its epochs, beside the standard run's one-pass / one-budget cells, seed by seed.

Reads cells.csv of the standard run (../table1-standard) and of the longer runs (alt3/, sup3-100/, sup3-300/ here);
prints Markdown tables (mean ± 95% Student-t half-width over seeds, paired differences by seed: the same seed draws
the same labelled galaxies and initial weights in every run) and writes compare.json. Usage: python3 compare.py
"""
import csv, json, os, statistics
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))
LABELS = [100, 300]


def ci(xs):
    m = statistics.fmean(xs)
    if len(xs) < 2:
        return m, float('nan')
    return m, stats.t.ppf(0.975, len(xs) - 1) * statistics.stdev(xs) / len(xs) ** 0.5


def cells(path, tag):
    out = {}
    if not os.path.exists(path):
        return out
    for row in csv.DictReader(open(path)):
        out[(tag + row['regime'], int(row['labels']), int(row['seed']))] = row
    return out


rows = {}
rows.update(cells(f'{HERE}/../table1-standard/cells.csv', ''))
rows.update(cells(f'{HERE}/alt3/cells.csv', 'long-'))
rows.update(cells(f'{HERE}/sup3-100/cells.csv', 'long-'))
rows.update(cells(f'{HERE}/sup3-300/cells.csv', 'long-'))

NAMES = {'supervised': 'supervised, standard budget', 'long-supervised': 'supervised, 3× epochs',
         'two-step': 'two-step, standard budget', 'alternating': 'alternating, one pass',
         'long-alternating': 'alternating, three passes'}


def fmt(vals):
    m, h = ci(vals)
    return f'{m:.3f} ± {h:.3f} ({", ".join(f"{v:.3f}" for v in vals)})'


out = {'cells': {}, 'paired': {}}
print('| cell | ' + ' | '.join(f'{n} labels' for n in LABELS) + ' |')
print('|---|' + '---|' * len(LABELS))
for reg, name in NAMES.items():
    line = [name]
    for n in LABELS:
        keys = sorted(k for k in rows if k[0] == reg and k[1] == n)
        vals = [float(rows[k]['sumAbs']) for k in keys]
        out['cells'][f'{reg}-{n}'] = {'seeds': [k[2] for k in keys], 'sumAbs': vals,
                                      'stoppedBy': [rows[k]['stoppedBy'] for k in keys],
                                      'steps': [int(rows[k]['steps']) for k in keys]}
        line.append(fmt(vals) if vals else '—')
    print('| ' + ' | '.join(line) + ' |')

print()
print('| difference, paired by seed | ' + ' | '.join(f'{n} labels' for n in LABELS) + ' |')
print('|---|' + '---|' * len(LABELS))
for a, b in [('long-alternating', 'supervised'), ('long-alternating', 'long-supervised'),
             ('long-alternating', 'alternating'), ('long-supervised', 'supervised'), ('two-step', 'long-supervised')]:
    line = [f'{NAMES[a]} − {NAMES[b]}']
    for n in LABELS:
        seeds = sorted(k[2] for k in rows if k[0] == a and k[1] == n and (b, n, k[2]) in rows)
        d = [float(rows[(a, n, s)]['sumAbs']) - float(rows[(b, n, s)]['sumAbs']) for s in seeds]
        out['paired'][f'{a}|{b}|{n}'] = {'seeds': seeds, 'diff': d}
        if d:
            m, h = ci(d)
            line.append(f'{m:+.3f} [{m - h:+.3f}, {m + h:+.3f}] ({", ".join(f"{v:+.3f}" for v in d)})')
        else:
            line.append('—')
    print('| ' + ' | '.join(line) + ' |')
json.dump(out, open(f'{HERE}/compare.json', 'w'), indent=1)
