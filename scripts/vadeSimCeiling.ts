/**
 * The supervised ceiling for `galmorph cluster`'s simulator target (issue 14: Hungarian accuracy ≥ 0.80 on the
 * simulator's classes). A clustering of images cannot be expected to beat a classifier trained with the true classes
 * on the same images, so this trains one and measures it on the sample the clusters are scored on:
 *   - the network is VaDE's encoder (src/models/vade.ts: three blocks of two convolutions with LeakyReLU 0.1 and a 2×2
 *     max-pool; filters 16/16/8, kernels 3/5/5 as the README's cluster runs) with a softmax over the classes instead
 *     of the latent, trained with cross-entropy, Adam 1e-3 and random flips;
 *   - on raw pixels and on the moments front end's canonical images (models/vadeFrontEnd.ts), the two inputs VaDE saw;
 *   - trained on a separate simulated sample of the same classes and S/N range (another seed, `nTrain` galaxies, 10%
 *     held out to choose the epoch), tested on the cluster run's own simulated galaxies, overall and per S/N third.
 * A diagnostic (not part of the CLI): its numbers are quoted in the README with the command below.
 *
 *   npx tsx scripts/vadeSimCeiling.ts <cluster run folder with simulated/> <S/N low,high> <out folder> [nTrain=6000] [epochs=12] [px=32]
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describeBackend, initBackend } from '../src/backend/initBackend.js';
import { ImageDataset } from '../src/data/dataset.js';
import { readCsv } from '../src/data/csv.js';
import { readCatalog } from '../src/data/catalogRead.js';
import { applyFrontEnd, type VadeFrontEnd } from '../src/models/vadeFrontEnd.js';
import { simulate } from '../src/workflows/simulate/simulate.js';
import { GALAXY_CLASSES, type GalaxyClass } from '../src/data/simulator/galaxyClass.js';
import { Rng } from '../src/util/rng.js';

const [runDir, snrArg, outDir, nTrainArg = '6000', epochsArg = '12', sizeArg = '32'] = process.argv.slice(2);
if (runDir === undefined || snrArg === undefined || outDir === undefined) {
  console.error('usage: npx tsx scripts/vadeSimCeiling.ts <cluster run folder> <S/N low,high> <out folder> [nTrain=6000] [epochs=12] [px=32]');
  process.exit(2);
}
const snrRange = snrArg.split(',').map(Number) as [number, number];
const size = Number(sizeArg);
const epochs = Number(epochsArg);
const CLASSES = ['edge-on', 'elliptical', 'spiral'];
console.log(describeBackend(await initBackend({ backend: 'wasm', threads: 1 })));

interface Sample { images: Float32Array; labels: number[]; snr: number[]; n: number }

async function load(folder: string): Promise<Sample> {
  const catalog = await readCatalog(folder, { schema: 'gz2', onBad: 'error', labelKind: 'auto', allowAbsolutePaths: false });
  const { header, rows } = readCsv(join(folder, 'truth.csv'));
  const byId = new Map(rows.map((r) => [r[header.indexOf('id')], r]));
  const dataset = new ImageDataset(catalog.rows, { preprocess: { size, crop: 1, colour: 'grey' }, augment: null, batchSize: 256, shuffle: false, seed: 0, onBad: 'error', prefetch: 0 });
  const per = size * size;
  const images = new Float32Array(catalog.rows.length * per);
  const labels: number[] = [];
  const snr: number[] = [];
  for await (const batch of dataset.batches(0)) {
    images.set(batch.arrays.images, labels.length * per);
    for (const id of batch.ids) {
      const t = byId.get(id)!;
      labels.push(CLASSES.indexOf(t[header.indexOf('galaxyClass')]));
      snr.push(Number(t[header.indexOf('snr')]));
    }
  }
  if (labels.some((l) => l < 0)) throw new Error(`${folder}: a class outside ${CLASSES.join('/')}`);
  return { images, labels, snr, n: labels.length };
}

function frontEnd(kind: VadeFrontEnd, s: Sample): Float32Array {
  if (kind === 'none') return s.images;
  const out = new Float32Array(s.images.length);
  const per = size * size;
  for (let start = 0; start < s.n; start += 256) {
    const n = Math.min(256, s.n - start);
    const t = tf.tidy(() => applyFrontEnd(kind, tf.tensor4d(s.images.subarray(start * per, (start + n) * per), [n, size, size, 1])));
    out.set(t.dataSync(), start * per);
    t.dispose();
  }
  return out;
}

/** VaDE's encoder (filters 16/16/8, kernels 3/5/5) with a softmax head. */
function classifier(seed: number): tf.Sequential {
  const model = tf.sequential();
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed * 100 + k });
  let layer = 0;
  [[16, 3], [16, 5], [8, 5]].forEach(([filters, kernel], block) => {
    for (let j = 0; j < 2; j++) {
      model.add(tf.layers.conv2d({ filters, kernelSize: kernel, padding: 'same', kernelInitializer: init(layer++), ...(block === 0 && j === 0 ? { inputShape: [size, size, 1] } : {}) }));
      model.add(tf.layers.leakyReLU({ alpha: 0.1 }));
    }
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  });
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: CLASSES.length, activation: 'softmax', kernelInitializer: init(layer++) }));
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

function predict(model: tf.Sequential, images: Float32Array, n: number): number[] {
  const out: number[] = [];
  const per = size * size;
  for (let start = 0; start < n; start += 256) {
    const m = Math.min(256, n - start);
    const p = tf.tidy(() => (model.predict(tf.tensor4d(images.subarray(start * per, (start + m) * per), [m, size, size, 1])) as tf.Tensor).argMax(-1));
    out.push(...(p.dataSync() as Int32Array));
    p.dispose();
  }
  return out;
}

const accuracy = (p: number[], y: number[], idx: number[] = y.map((_, i) => i)) => idx.filter((i) => p[i] === y[i]).length / idx.length;

const trainFolder = join(outDir, `train-${snrRange.join('-')}`);
const nTrain = Number(nTrainArg);
if (!existsSync(join(trainFolder, 'labels.csv'))) {
  const made = await simulate({ n: nTrain, out: trainFolder, seed: 101, size: Math.max(16, size), schema: 'gz2', progress: false, snrRange,
    classMix: Object.fromEntries(GALAXY_CLASSES.map((c) => [c, CLASSES.includes(c) ? 1 : 0])) as Record<GalaxyClass, number> });
  console.log(`simulated ${made.n} training galaxies (seed 101, S/N ${snrRange.join('–')}) in ${made.seconds.toFixed(0)} s`);
}
const test = await load(join(runDir, 'simulated'));
const train = await load(trainFolder);
const sorted = [...test.snr].sort((a, b) => a - b);
const cuts = [sorted[Math.floor(test.n / 3)], sorted[Math.floor((2 * test.n) / 3)]];
const thirds = [0, 1, 2].map((t) => test.snr.map((s, i) => ((s < cuts[0] ? 0 : s < cuts[1] ? 1 : 2) === t ? i : -1)).filter((i) => i >= 0));
console.log(`test: ${test.n} galaxies of ${runDir}/simulated (S/N thirds < ${cuts[0].toFixed(0)}, < ${cuts[1].toFixed(0)}, ≥); train: ${train.n} (10% held out to choose the epoch)`);

for (const kind of ['none', 'moments'] as const) {
  const started = performance.now();
  const trainImages = frontEnd(kind, train);
  const testImages = frontEnd(kind, test);
  const per = size * size;
  const order = Array.from({ length: train.n }, (_, i) => i);
  new Rng(7).shuffle(order);
  const nVal = Math.round(train.n / 10);
  const valIdx = order.slice(0, nVal);
  const fitIdx = order.slice(nVal);
  const gather = (idx: number[]) => {
    const out = new Float32Array(idx.length * per);
    idx.forEach((i, k) => out.set(trainImages.subarray(i * per, (i + 1) * per), k * per));
    return out;
  };
  const valImages = gather(valIdx);
  const valLabels = valIdx.map((i) => train.labels[i]);
  const model = classifier(1);
  const rng = new Rng(11);
  let best = { val: -1, epoch: 0, test: 0, thirds: [0, 0, 0] };
  for (let epoch = 1; epoch <= epochs; epoch++) {
    rng.shuffle(fitIdx);
    // Random flips (as VaDE's training): each image flipped left-right and/or up-down.
    const x = gather(fitIdx);
    for (let k = 0; k < fitIdx.length; k++) {
      const flipX = rng.uniform() < 0.5;
      const flipY = rng.uniform() < 0.5;
      if (!flipX && !flipY) continue;
      const img = x.slice(k * per, (k + 1) * per);
      for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) x[k * per + r * size + c] = img[(flipY ? size - 1 - r : r) * size + (flipX ? size - 1 - c : c)];
    }
    const xs = tf.tensor4d(x, [fitIdx.length, size, size, 1]);
    const ys = tf.tensor1d(fitIdx.map((i) => train.labels[i]), 'float32');
    const h = await model.fit(xs, ys, { batchSize: 64, epochs: 1, shuffle: false, verbose: 0 });
    tf.dispose([xs, ys]);
    const val = accuracy(predict(model, valImages, nVal), valLabels);
    const p = predict(model, testImages, test.n);
    const acc = accuracy(p, test.labels);
    const perThird = thirds.map((idx) => accuracy(p, test.labels, idx));
    console.log(`  ${kind} epoch ${epoch}: train loss ${(h.history.loss[0] as number).toFixed(3)}, held-out ${val.toFixed(3)}, test ${acc.toFixed(3)} (S/N thirds ${perThird.map((a) => a.toFixed(3)).join(' / ')})`);
    if (val > best.val) best = { val, epoch, test: acc, thirds: perThird };
  }
  model.dispose();
  console.log(`supervised CNN, front end ${kind}: test accuracy ${best.test.toFixed(3)} at the epoch of best held-out accuracy (${best.epoch}, ${best.val.toFixed(3)}); ` +
    `S/N thirds ${best.thirds.map((a) => a.toFixed(3)).join(' / ')} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
}
