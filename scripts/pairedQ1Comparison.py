#!/usr/bin/python3
"""Paired comparison of galmorph and the PyTorch yardstick on the same GZ2 test galaxies, galaxy by galaxy.

A difference in mean Q1 sum-abs between two models scored on 299 galaxies says little without its uncertainty. Both
models are scored on the same galaxies, so the per-galaxy difference (galmorph − yardstick) removes the galaxies'
own difficulty; its mean with a bootstrap 95% interval (galaxies resampled with replacement) says whether one model
is better beyond the noise of this test set. Seed-to-seed spread of training is a separate source of noise: pass
several runs of each and compare the means of their per-galaxy predictions' errors.

usage (the yardstick's cache must be the one made with `prep.py --test-ids`, so its test rows are these galaxies):
  /usr/bin/python3 scripts/pairedQ1Comparison.py --yardstick-source ../shared/bench/gz2_yardstick/yardstick.py \
    --cache /tmp/yardstick-cache --yardstick-model /tmp/yardstick-runs/supervised_n2400_s0.pt [...] \
    --labels ../shared/data/gz2-kaggle-votes/labels.csv --test-ids docs/results/gz2-test-ids.txt \
    --galmorph runs/pred/predictions.csv [...] --out docs/results/paired-q1.json
galmorph's predictions come from `galmorph predict --model RUN/model --catalog TEST --tta --passes 16`.
"""
import argparse, csv, json, sys

import numpy as np
import torch

Q1 = ['q1_smooth', 'q1_features_or_disk', 'q1_star_or_artifact']

ap = argparse.ArgumentParser()
ap.add_argument('--yardstick-source', required=True)
ap.add_argument('--cache', required=True)
ap.add_argument('--yardstick-model', nargs='+', required=True)
ap.add_argument('--labels', required=True)
ap.add_argument('--test-ids', required=True)
ap.add_argument('--galmorph', nargs='+', required=True)
ap.add_argument('--bootstrap', type=int, default=10000)
ap.add_argument('--seed', type=int, default=0)
ap.add_argument('--out', required=True)
a = ap.parse_args()

# The yardstick's network and predict() come from its own source (its module-level code loads the cache and parses
# its own arguments, so it is executed up to its final dispatch with a harmless argument list).
src = open(a.yardstick_source).read()
src = src[:src.index("if a.regime == 'bench'")]
saved_argv = sys.argv
sys.argv = [a.yardstick_source, '--regime', 'evaltest', '--out', '/tmp']
import os
os.environ['SCIREF_CACHE'] = a.cache
ys = {'__name__': 'yardstick'}
exec(compile(src, a.yardstick_source, 'exec'), ys)
sys.argv = saved_argv

# Test rows in the cache follow labels.csv order filtered by the id file (prep.py --test-ids).
ids = {l.strip() for l in open(a.test_ids) if l.strip()}
rows = [r for r in csv.DictReader(open(a.labels)) if r['galaxy_id'] in ids]
order = [r['galaxy_id'] for r in rows]
truth = np.array([[float(r[c]) for c in Q1] for r in rows])
truth = truth / truth.sum(1, keepdims=True)
Xt = torch.from_numpy(np.load(f'{a.cache}/test_X.npy')).unsqueeze(1)
Yt = np.load(f'{a.cache}/test_Y.npy')
Yt = Yt / Yt.sum(1, keepdims=True)
if len(Yt) != len(order) or np.abs(Yt - truth).max() > 1e-4:
    sys.exit(f'{a.cache}/test_Y.npy does not hold the galaxies of {a.test_ids} in labels.csv order: re-run prep.py --test-ids')


def yardstick_errors(path):
    m = ys['Net'](32)
    m.load_state_dict(torch.load(path))
    p = ys['predict'](m, Xt).numpy()
    return np.abs(p - truth).sum(1), ((p - truth) ** 2).mean(1)


def galmorph_errors(path):
    pred = {r['id']: [float(r[c]) for c in Q1] for r in csv.DictReader(open(path))}
    missing = [i for i in order if i not in pred]
    if missing:
        sys.exit(f'{path}: {len(missing)} test galaxies missing (first {missing[0]}): predict the whole test catalog')
    p = np.array([pred[i] for i in order])
    return np.abs(p - truth).sum(1), ((p - truth) ** 2).mean(1)


def summarise(name, runs):
    sa = np.mean([r[0] for r in runs], 0)   # per-galaxy sum-abs, averaged over runs (seeds)
    se = np.mean([r[1] for r in runs], 0)   # per-galaxy mean squared error over the 3 answers
    return {'name': name, 'runs': len(runs), 'per_run_sum_abs': [float(r[0].mean()) for r in runs],
            'per_run_rmse': [float(np.sqrt(r[1].mean())) for r in runs], 'sum_abs': float(sa.mean()),
            'rmse': float(np.sqrt(se.mean())), 'sa': sa, 'se': se}


y = summarise('yardstick', [yardstick_errors(p) for p in a.yardstick_model])
g = summarise('galmorph', [galmorph_errors(p) for p in a.galmorph])
rng = np.random.default_rng(a.seed)
n = len(order)
d_sa, d_rmse = [], []
for _ in range(a.bootstrap):
    i = rng.integers(0, n, n)
    d_sa.append(g['sa'][i].mean() - y['sa'][i].mean())
    d_rmse.append(np.sqrt(g['se'][i].mean()) - np.sqrt(y['se'][i].mean()))
out = {
    'galaxies': n, 'bootstrap': a.bootstrap,
    'yardstick': {k: v for k, v in y.items() if k not in ('sa', 'se')} | {'models': a.yardstick_model},
    'galmorph': {k: v for k, v in g.items() if k not in ('sa', 'se')} | {'predictions': a.galmorph},
    'difference_sum_abs': {'mean': float(g['sa'].mean() - y['sa'].mean()),
                           'ci95': [float(np.percentile(d_sa, 2.5)), float(np.percentile(d_sa, 97.5))]},
    'difference_rmse': {'mean': float(np.sqrt(g['se'].mean()) - np.sqrt(y['se'].mean())),
                        'ci95': [float(np.percentile(d_rmse, 2.5)), float(np.percentile(d_rmse, 97.5))]},
    'galmorph_better_galaxies_sum_abs': int((g['sa'] < y['sa']).sum()),
}
json.dump(out, open(a.out, 'w'), indent=1)
print(json.dumps(out, indent=1))
