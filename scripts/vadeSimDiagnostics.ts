/**
 * Why do `galmorph cluster`'s clusters not follow the simulator's classes? (issue 14, README "Unsupervised clusters")
 * On the simulated galaxies of a cluster run folder (RUN/simulated with truth.csv) and its trained models
 * (RUN/seed-N/model), this measures:
 *   1. how separable the classes are in simple image features: brightness/size (log flux, log peak, light radius)
 *      and rotation-invariant shape (axis ratio from second moments, concentration) — clustered without labels
 *      (k-means, diagonal GMM: Hungarian accuracy) and with labels (k-nearest-neighbour accuracy, 2-fold: a ceiling
 *      of what a clustering of those features could reach), also per S/N third; for the pixels (raw, through the
 *      moments front end, through its noise-kept variant for --reconstruction gaussian-noise, and through the segmented
 *      front end) also R² of log S/N;
 *   2. for each model: what its clusters track — η² (share of a truth parameter's variance between clusters) of the
 *      simulator's parameters for the VaDE clusters and for the true classes, the kNN accuracy of the true class
 *      from the latent means (does the embedding hold the class at all?), and R² of a linear map latent → parameter.
 * A diagnostic (not part of the CLI): its numbers are quoted in the README with the command below.
 *
 *   npx tsx scripts/vadeSimDiagnostics.ts <cluster run folder> [image px=32]
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Matrix, solve } from 'ml-matrix';
import { initBackend } from '../src/backend/initBackend.js';
import { ImageDataset } from '../src/data/dataset.js';
import { readCsv } from '../src/data/csv.js';
import { loadVade } from '../src/models/vadeCheckpoint.js';
import { vadeBatchImages } from '../src/models/vadeTask.js';
import { kMeans } from '../src/cluster/kMeans.js';
import { fitDiagonalGmm } from '../src/cluster/diagonalGmm.js';
import { hungarianAccuracy } from '../src/cluster/metrics/hungarianAccuracy.js';
import { loadClusterData } from '../src/workflows/cluster/clusterData.js';
import { applyFrontEnd, applyFrontEndWithNoise, imageMoments } from '../src/models/vadeFrontEnd.js';
import { Pca } from '../src/explore/pca.js';
import { areaAverage } from '../src/workflows/cluster/clusterBaseline.js';

const [dir, sizeArg = '32'] = process.argv.slice(2);
if (dir === undefined) {
  console.error('usage: npx tsx scripts/vadeSimDiagnostics.ts <cluster run folder> [image px=32]');
  process.exit(2);
}
const size = Number(sizeArg);
await initBackend({ backend: 'wasm', threads: 1 });
const run = { log: (m: string) => console.error(m), path: (p: string) => join(dir, p) } as never;
const data = await loadClusterData({
  data: [], simulate: 1, classes: ['elliptical'], snrRange: [8, 800], schema: 'gz2', imageSize: size, onBad: 'error', labelKind: 'auto', allowAbsolutePaths: false, seed: 0, progress: false,
}, run);
const { header, rows: truthRows } = readCsv(join(dir, 'simulated', 'truth.csv'));
const truthById = new Map(truthRows.map((r) => [r[0], r]));
const col = (name: string) => header.indexOf(name);
const dataset = new ImageDataset(data.galaxies, { preprocess: { size, crop: 1, colour: 'grey' }, augment: null, batchSize: 64, shuffle: false, seed: 0, onBad: 'error', prefetch: 0 });
const images: Float32Array[] = [];
const ids: string[] = [];
for await (const batch of dataset.batches(0)) {
  const per = size * size;
  batch.ids.forEach((id, b) => { ids.push(id); images.push(batch.arrays.images.slice(b * per, (b + 1) * per)); });
}
const classes = [...new Set(ids.map((id) => truthById.get(id)![col('galaxyClass')]))].sort();
const truth = ids.map((id) => classes.indexOf(truthById.get(id)![col('galaxyClass')]));
const param = (name: string, f: (x: number) => number = (x) => x) => ids.map((id) => f(Number(truthById.get(id)![col(name)])));
const PARAMS: Record<string, number[]> = {
  'log S/N': param('snr', Math.log), 'log half-light radius': param('halfLightRadius', Math.log), 'axis ratio': param('axisRatio'),
  'cos 2·PA': param('positionAngle', (a) => Math.cos((2 * a * Math.PI) / 180)), 'sin 2·PA': param('positionAngle', (a) => Math.sin((2 * a * Math.PI) / 180)),
  'PSF FWHM': param('psfFwhm'), companions: param('companions'), stars: param('stars'),
};
console.log(`${ids.length} galaxies, classes ${classes.join('/')} (${classes.map((_, c) => truth.filter((t) => t === c).length).join('/')}), ${size} px`);

// 1. Simple features.
const m = images.map((im) => imageMoments(im, size));
const FEATURES: Record<string, number[][]> = {
  'brightness and size (log flux, log peak, light radius)': m.map((x) => [Math.log(x.flux + 1e-3), Math.log(x.peak + 1e-3), x.radius]),
  'rotation-invariant shape (axis ratio, concentration)': m.map((x) => [x.axisRatio, x.concentration]),
  'both': m.map((x) => [Math.log(x.flux + 1e-3), Math.log(x.peak + 1e-3), x.radius, x.axisRatio, x.concentration]),
};
const snr = PARAMS['log S/N'];
const thirds = [...snr].sort((a, b) => a - b);
const cut1 = thirds[Math.floor(snr.length / 3)];
const cut2 = thirds[Math.floor((2 * snr.length) / 3)];
const snrThird = snr.map((s) => (s < cut1 ? 0 : s < cut2 ? 1 : 2));
console.log(`S/N thirds: < ${Math.exp(cut1).toFixed(0)}, < ${Math.exp(cut2).toFixed(0)}, ≥`);
for (const [name, rows] of Object.entries(FEATURES)) report(name, rows);
// The pixel baseline's input (20 principal components of 16-px images), raw and through the moments front end.
const through = (kind: 'moments' | 'segmented') => images.map((im) => {
  const out = tf.tidy(() => applyFrontEnd(kind, tf.tensor4d(im, [1, size, size, 1])));
  const v = out.dataSync() as Float32Array;
  out.dispose();
  return Float32Array.from(v);
});
const canonical = through('moments');
// …and with everything but the central source replaced by sky first (--front-end segmented).
const segmented = through('segmented');
// And through the variant for --reconstruction gaussian-noise (sky noise kept unbiased, not clipped at 0).
const kept = images.map((im) => {
  const out = applyFrontEndWithNoise('moments', tf.tensor4d(im, [1, size, size, 1]));
  const v = out.images.dataSync() as Float32Array;
  tf.dispose([out.images, out.noise]);
  return Float32Array.from(v);
});
for (const [name, set] of [['pixels, raw', images], ['pixels, moments front end', canonical], ['pixels, moments front end with the noise kept', kept], ['pixels, segmented front end', segmented]] as const) {
  const factor = Math.max(1, Math.ceil(size / 16));
  const small = set.map((im) => areaAverage(im, size, 1, factor));
  const d = small[0].length;
  const flat = new Float32Array(small.length * d);
  small.forEach((r, i) => flat.set(r, i * d));
  const pc = Pca.fit(flat, d, 20).project(flat);
  const rows = small.map((_, i) => Array.from(pc.subarray(i * 20, (i + 1) * 20)));
  report(`${name} (PCA 20 of ${size / factor}-px)`, rows);
  console.log(`  R² of log S/N, linear from those 20 components: ${linearR2(rows, snr).toFixed(3)}`);
}

// 2. Each trained model.
for (const seedDir of readdirSync(dir).filter((d) => d.startsWith('seed-')).sort()) {
  const modelDir = join(dir, seedDir, 'model');
  if (!existsSync(modelDir)) continue;
  const { model } = loadVade(modelDir);
  const means: number[][] = [];
  const assigned: number[] = [];
  for await (const batch of dataset.batches(0)) {
    const mu = tf.tidy(() => model.encode(vadeBatchImages(batch, model)).mean);
    const gamma = model.responsibilities(mu);
    const mm = mu.arraySync();
    const gg = gamma.arraySync();
    tf.dispose([mu, gamma]);
    mm.forEach((row, b) => { means.push(row); assigned.push(gg[b].indexOf(Math.max(...gg[b]))); });
  }
  model.dispose();
  console.log(`\n## ${modelDir}: VaDE clusters (argmax γ) — Hungarian accuracy ${hungarianAccuracy(truth, assigned).accuracy.toFixed(3)}`);
  console.log('parameter | η² by VaDE cluster | η² by true class | R² linear from latent');
  for (const [name, y] of Object.entries(PARAMS)) {
    console.log(`${name} | ${etaSquared(y, assigned).toFixed(3)} | ${etaSquared(y, truth).toFixed(3)} | ${linearR2(means, y).toFixed(3)}`);
  }
  report(`latent means of ${seedDir}`, means);
}

function report(name: string, rows: number[][]): void {
  const z = standardise(rows);
  const km = kMeans(z, classes.length, { seed: 0 });
  const gmm = fitDiagonalGmm(z, classes.length, { seed: 0 });
  const k = classes.length;
  const gmmLabels = Array.from({ length: z.length }, (_, i) => {
    const r = Array.from(gmm.responsibilities.subarray(i * k, (i + 1) * k));
    return r.indexOf(Math.max(...r));
  });
  const knn = knnAccuracy(z, truth, 15);
  const perThird = [0, 1, 2].map((t) => {
    const idx = snrThird.map((s, i) => (s === t ? i : -1)).filter((i) => i >= 0);
    return idx.filter((i) => knn.predicted[i] === truth[i]).length / idx.length;
  });
  console.log(`${name}: k-means ${hungarianAccuracy(truth, km.labels).accuracy.toFixed(3)}, GMM ${hungarianAccuracy(truth, gmmLabels).accuracy.toFixed(3)}, ` +
    `supervised 15-NN (2-fold) ${knn.accuracy.toFixed(3)} (S/N thirds ${perThird.map((a) => a.toFixed(3)).join(' / ')})`);
}

function standardise(rows: number[][]): number[][] {
  const d = rows[0].length;
  const mean = Array.from({ length: d }, (_, j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
  const sd = Array.from({ length: d }, (_, j) => Math.sqrt(rows.reduce((s, r) => s + (r[j] - mean[j]) ** 2, 0) / rows.length) || 1);
  return rows.map((r) => r.map((x, j) => (x - mean[j]) / sd[j]));
}

/** k-NN majority vote, 2-fold (even indices predict odd and vice versa). */
function knnAccuracy(z: number[][], labels: number[], k: number): { accuracy: number; predicted: number[] } {
  const predicted = z.map((p, i) => {
    const others: [number, number][] = [];
    z.forEach((q, j) => { if (j % 2 !== i % 2) others.push([q.reduce((s, x, c) => s + (x - p[c]) ** 2, 0), labels[j]]); });
    others.sort((a, b) => a[0] - b[0]);
    const votes = new Array(classes.length).fill(0);
    for (const [, l] of others.slice(0, k)) votes[l] += 1;
    return votes.indexOf(Math.max(...votes));
  });
  return { accuracy: predicted.filter((p, i) => p === labels[i]).length / labels.length, predicted };
}

function etaSquared(y: number[], groups: number[]): number {
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  const total = y.reduce((s, v) => s + (v - mean) ** 2, 0);
  const sums = new Map<number, [number, number]>();
  y.forEach((v, i) => { const s = sums.get(groups[i]) ?? [0, 0]; sums.set(groups[i], [s[0] + v, s[1] + 1]); });
  let between = 0;
  for (const [s, n] of sums.values()) between += n * (s / n - mean) ** 2;
  return total > 0 ? between / total : Number.NaN;
}

/** R² of least squares y ≈ [latent, 1]·w. */
function linearR2(x: number[][], y: number[]): number {
  const a = new Matrix(x.map((r) => [...r, 1]));
  const w = solve(a, Matrix.columnVector(y), true);
  const fit = a.mmul(w).to1DArray();
  const mean = y.reduce((s, v) => s + v, 0) / y.length;
  const total = y.reduce((s, v) => s + (v - mean) ** 2, 0);
  return 1 - y.reduce((s, v, i) => s + (v - fit[i]) ** 2, 0) / total;
}
