"""Tables of docs/results/vade-sim-segmented (README, "4. On the idle machine"). One-model runs: the --seed of a run
also simulates its own 1,500 galaxies, so a seed is a sample and a model. "segmented v1" is the first mask (the
smoothed image's noise assumed σ/3), "segmented" the final one (that noise measured on the smoothed border, minimum
area 5 px). Paired differences with a t 95% interval. Run inside this folder: python3 compare.py"""
import json, math, os, statistics as st

T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179}

def acc(run):
    p = os.path.join(run, 'results.json')
    return json.load(open(p))['seeds'][0]['hungarian_accuracy'] if os.path.exists(p) else None

def columns(seeds, cols):
    return {name: {s: acc(fmt.format(s)) for s in seeds} for name, fmt in cols}

def fmt(v):
    return '' if v is None else f'{v:.3f}'

def paired(a, b, seeds):
    d = [b[s] - a[s] for s in seeds if a.get(s) is not None and b.get(s) is not None]
    if len(d) < 2:
        return 'n/a'
    h = T975[len(d) - 1] * st.stdev(d) / math.sqrt(len(d))
    return f'{st.mean(d):+.3f} [{st.mean(d) - h:+.3f}, {st.mean(d) + h:+.3f}] (n = {len(d)}, higher in {sum(x > 0 for x in d)})'

def summary(col):
    v = [x for x in col.values() if x is not None]
    return f'{st.mean(v):.3f} ± {st.stdev(v):.3f} (n = {len(v)}, {sum(x >= 0.8 for x in v)} at or above 0.80)'

MOMENTS = lambda s: 'R10-s{}' if s < 3 else 'M-s{}'
seeds = range(12)
cols = {
    'moments': {s: acc(MOMENTS(s).format(s)) for s in seeds},
    'segmented v1': {s: acc(f'S-s{s}') for s in seeds},
    'segmented': {s: acc(f'T-s{s}') for s in seeds},
    'segmented, --latent 10': {s: acc(f'TL-s{s}') for s in seeds},
}
print('S/N 100-800: seed | ' + ' | '.join(cols))
for s in seeds:
    print(f'{s} | ' + ' | '.join(fmt(c[s]) for c in cols.values()))
for name, c in cols.items():
    print(f'{name}: {summary(c)}')
print('segmented - moments, seeds 0-11:', paired(cols['moments'], cols['segmented'], seeds))
print('segmented - moments, fresh seeds 6-11 only:', paired(cols['moments'], cols['segmented'], range(6, 12)))
print('segmented v1 - moments, seeds 0-5:', paired(cols['moments'], cols['segmented v1'], range(6)))
print('segmented, --latent 10 - segmented, seeds 0-5:', paired(cols['segmented'], cols['segmented, --latent 10'], range(6)))
print(f'determinism: moments seed 2 run twice: {acc("R10-s2"):.3f} and {acc("M-s2x"):.3f}')
print()
print('segmented v1, seeds 0-2, one setting changed: setting | seed 0 | seed 1 | seed 2 | mean')
for name, f in (('none', 'S-s{}'), ('--kl-weight 0.01', 'KL01-s{}'), ('--latent 10', 'LAT10-s{}'), ('--lambda 50', 'LAM50-s{}')):
    v = [acc(f.format(s)) for s in range(3)]
    print(f'{name} | ' + ' | '.join(fmt(x) for x in v) + f' | {st.mean(v):.3f}')
print()
print('S/N 8-800: seed | moments | segmented v1 | segmented')
for s in range(3):
    print(f'{s} | {fmt(acc(f"M8-s{s}"))} | {fmt(acc(f"S8-s{s}"))} | {fmt(acc(f"T8-s{s}"))}')
print()
print('segmented v1, three models on one sample (--seeds 3): sample | model seed | accuracy | final loss | silhouette')
allv = []
for s in (0, 1, 2, 4):
    for r in json.load(open(f'S3-s{s}/results.json'))['seeds']:
        allv.append(r['hungarian_accuracy'])
        print(f"{s} | {r['seed']} | {r['hungarian_accuracy']:.3f} | {r['finalLoss']:.2f} | {r['silhouette']:.3f}")
print(f'all {len(allv)} models: mean {st.mean(allv):.3f} sd {st.stdev(allv):.3f}, {sum(v >= 0.8 for v in allv)} at or above 0.80')
print()
print('segmented (final), three models on the two samples where its one-model run was lowest (--seeds 3): sample | model seed | accuracy | final loss | silhouette')
more = []
for s in (2, 7):
    for r in json.load(open(f'T3-s{s}/results.json'))['seeds']:
        more.append(r['hungarian_accuracy'])
        print(f"{s} | {r['seed']} | {r['hungarian_accuracy']:.3f} | {r['finalLoss']:.2f} | {r['silhouette']:.3f}")
final = [v for v in cols['segmented'].values() if v is not None] + [json.load(open(f'T3-s{s}/results.json'))['seeds'][i]['hungarian_accuracy'] for s in (2, 7) for i in (1, 2)]
print(f'every model trained with the final front end at S/N 100-800 ({len(final)}: seeds 0-11 and the 4 extra models): mean {st.mean(final):.3f} sd {st.stdev(final):.3f}, {sum(v >= 0.8 for v in final)} at or above 0.80')
