// Combines the measured runs of the GZ1 4-class curve — 25 and 50 labels from the first job's run.log (its code
// predates the per-run results.json), 100 and 200 labels from the later jobs' results.json — into one curve.csv,
// runs.csv and the two figures, with the project's own report code (curvePoints, writeCurveFigures).
import { readFileSync } from 'node:fs';
import { RunFolder } from './dist/util/runFolder.js';
import { writeCsvTable } from './dist/report/csvTable.js';
import { curvePoints, writeCurveFigures } from './dist/workflows/finetune/finetuneReport.js';
const [out, firstLog, ...jobs] = process.argv.slice(2);
const runs = [];
const line = /\] (finetuned|scratch)-n(\d+)-s(\d+): (\d+) train \+ (\d+) validation galaxies; .*test accuracy ([\d.]+), balanced ([\d.]+), log loss ([\d.]+) \(([\d.]+) s\)/;
for (const l of readFileSync(firstLog, 'utf8').split('\n')) {
  const m = l.match(line);
  if (m) runs.push({ method: m[1], labels: +m[2], seed: +m[3], train: +m[4], val: +m[5], test: { accuracy: +m[6], balancedAccuracy: +m[7], logLoss: +m[8] }, seconds: +m[9], source: 'job 1 run.log (3 decimals)' });
}
for (const dir of jobs) {
  for (const r of JSON.parse(readFileSync(`${dir}/results.json`, 'utf8')).runs) runs.push({ ...r, source: `${dir}/results.json` });
}
const run = new RunFolder(out, false);
writeCsvTable(run.path('runs.csv'), runs.map((r) => ({ method: r.method, labels: r.labels, seed: r.seed, train: r.train, val: r.val,
  accuracy: r.test.accuracy, balanced_accuracy: r.test.balancedAccuracy, log_loss: r.test.logLoss, seconds: r.seconds, source: r.source })));
const points = curvePoints(runs);
writeCsvTable(run.path('curve.csv'), points.map((p) => ({ method: p.method, labels: p.labels, seeds: p.seeds,
  ...Object.fromEntries(Object.entries(p.stats).flatMap(([k, s]) => [[`${k}_mean`, s.mean], [`${k}_sd`, s.sd], [`${k}_min`, s.min], [`${k}_max`, s.max]])) })));
await writeCurveFigures(run, points, 4, 'gz2');
run.close();
for (const p of points) console.log(p.method, p.labels, p.seeds, p.stats.accuracy.mean.toFixed(3), p.stats.accuracy.sd.toFixed(3), p.stats.balanced_accuracy.mean.toFixed(3), p.stats.log_loss.mean.toFixed(3));
