"""Tables of docs/results/vade-sim-segmented (README, "4. A segmented front end"): Hungarian accuracy per simulated
sample (the --seed of a one-model run simulates its own 1,500 galaxies) for the moments and segmented front ends,
paired by seed with a t 95% interval; then the runs with three models on one sample (--seeds 3), with the label-free
quantities a user could select a model by. Run from this folder: python3 compare.py"""
import json, math, os, statistics as st

def acc(run):
    return json.load(open(os.path.join(run, 'results.json')))['seeds'][0]['hungarian_accuracy']

T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365}
moments = {0: 'R10-s0', 1: 'R10-s1', 2: 'R10-s2', 3: 'M-s3', 4: 'M-s4', 5: 'M-s5'}
segmented = {s: f'S-s{s}' for s in range(6)}
print('S/N 100-800, one model per sample: seed | moments | segmented | difference')
diffs = []
for s in range(6):
    m, g = acc(moments[s]), acc(segmented[s])
    diffs.append(g - m)
    print(f'{s} | {m:.3f} | {g:.3f} | {g - m:+.3f}')
for name, runs in (('moments', moments), ('segmented', segmented)):
    v = [acc(r) for r in runs.values()]
    print(f'{name}: mean {st.mean(v):.3f} sd {st.stdev(v):.3f}')
h = T975[len(diffs) - 1] * st.stdev(diffs) / math.sqrt(len(diffs))
print(f'paired difference (segmented - moments): {st.mean(diffs):+.3f} [{st.mean(diffs) - h:+.3f}, {st.mean(diffs) + h:+.3f}] (t, n = {len(diffs)})')
print(f'determinism: moments seed 2 run twice: {acc("R10-s2"):.3f} and {acc("M-s2x"):.3f}')
print()
print('segmented, three models on one sample (--seeds 3): sample | model seed | accuracy | final loss | silhouette | Calinski-Harabasz')
allv = []
for s in (0, 1, 2, 4):
    for r in json.load(open(f'S3-s{s}/results.json'))['seeds']:
        allv.append(r['hungarian_accuracy'])
        print(f"{s} | {r['seed']} | {r['hungarian_accuracy']:.3f} | {r['finalLoss']:.2f} | {r['silhouette']:.3f} | {r['calinskiHarabasz']:.0f}")
print(f'all {len(allv)} models: mean {st.mean(allv):.3f} sd {st.stdev(allv):.3f}, min {min(allv):.3f}, max {max(allv):.3f}, {sum(v >= 0.8 for v in allv)} at or above 0.80')
