/**
 * Measures the loss balance of Table 1's alternating regime at initialisation (train/regimes/lossBalance.ts) on a
 * catalog, for several weight seeds and batches: the ratio ‖∇ELBO‖ / ‖∇NLL‖ on the ET and encoder weights is the
 * classifier weight at which the vote term pulls on them as hard as the reconstruction. Used to choose the
 * default --classifier-weight (README, Table 1).
 *
 *   npx tsx scripts/table1LossBalance.ts <catalog> <crop> <image px> [seeds=3] [batch=16] [latent=32] [pose grid px]
 */
import { initBackend } from '../src/backend/initBackend.js';
import { loadTable1Data, labelledDataset, labelledSubset } from '../src/workflows/table1/table1Data.js';
import { measureGradientBalance } from '../src/train/regimes/lossBalance.js';

const [data, crop, size, seeds = '3', batch = '16', latent = '32', poseGrid] = process.argv.slice(2);
if (data === undefined || crop === undefined || size === undefined) {
  console.error('usage: npx tsx scripts/table1LossBalance.ts <catalog> <crop> <image px> [seeds=3] [batch=16] [latent=32] [pose grid px]');
  process.exit(2);
}
await initBackend({ backend: 'wasm', threads: 1 });
const t = await loadTable1Data({
  data, unlabelled: null, test: null, schema: 'q1', question: null, nominalN: 40, split: { train: 0.6, val: 0.1, test: 0.3 }, valSize: 100,
  onBad: 'error', labelKind: 'auto', allowAbsolutePaths: false,
});
const ratios: number[] = [];
for (let seed = 0; seed < Number(seeds); seed++) {
  const rows = labelledSubset(t.trainPool, 100, seed);
  const set = labelledDataset(rows, { preprocess: { size: Number(size), crop: Number(crop), colour: 'grey' }, batchSize: Number(batch), seed, training: false, onBad: 'error' });
  const first = await set.batches(0).next();
  if (first.done) throw new Error('no batch');
  const m = measureGradientBalance({
    model: { kind: 'et-vae', options: { imageSize: Number(size), poseGridSize: poseGrid === undefined ? null : Number(poseGrid), answers: 3, latentDim: Number(latent), likelihood: { kind: 'bernoulli' }, seed } },
    init: null, seed,
  }, first.value);
  ratios.push(m.sharedRatio);
  console.log(JSON.stringify({ seed, crop: Number(crop), size: Number(size), negativeElbo: m.negativeElbo, nll: m.nll, sharedRatio: m.sharedRatio,
    groups: Object.fromEntries(m.groups.map((g) => [g.group, { elbo: +g.elbo.toPrecision(4), nll: +g.nll.toPrecision(4) }])) }));
}
const geo = Math.exp(ratios.reduce((a, r) => a + Math.log(r), 0) / ratios.length);
console.log(JSON.stringify({ summary: 'sharedRatio', geometricMean: geo, min: Math.min(...ratios), max: Math.max(...ratios) }));
