/**
 * Does the Bayesian-GMM cluster count of a `galmorph cluster` model depend on the cap? (issue 14: on GZ2 the count
 * came out at the cap, 12 of 12 and 20 of 20.) Embeds the catalogs with the trained model (latent means, as the run's
 * --choose-k did), then runs cluster/chooseK.ts (3 seeds × 20 mini-batches of 1,000) for several caps and weight
 * thresholds and prints the distribution of the count. A diagnostic (not part of the CLI), quoted in the README:
 *
 *   npx tsx scripts/vadeChooseKCap.ts <cluster run folder> <catalog>... 
 */
import { join } from 'node:path';
import { initBackend } from '../src/backend/initBackend.js';
import { readCatalog } from '../src/data/catalogRead.js';
import { ImageDataset } from '../src/data/dataset.js';
import { loadVade } from '../src/models/vadeCheckpoint.js';
import { chooseK } from '../src/cluster/chooseK.js';
import { embedDataset } from '../src/workflows/cluster/clusterEmbed.js';

const [runDir, ...catalogs] = process.argv.slice(2);
if (runDir === undefined || catalogs.length === 0) {
  console.error('usage: npx tsx scripts/vadeChooseKCap.ts <cluster run folder> <catalog>...');
  process.exit(2);
}
await initBackend({ backend: 'wasm', threads: 1 });
const { model, preprocessing } = loadVade(join(runDir, 'seed-0', 'model'));
const rows = [];
for (const c of catalogs) rows.push(...(await readCatalog(c, { schema: 'gz2', onBad: 'error', labelKind: 'auto', allowAbsolutePaths: false })).rows);
const started = performance.now();
const dataset = new ImageDataset(rows, { preprocess: preprocessing, augment: null, batchSize: 64, shuffle: false, seed: 0, onBad: 'error', prefetch: 0 });
const { means } = await embedDataset(model, dataset, { responsibilities: false });
model.dispose();
console.log(`embedded ${means.length} galaxies in ${((performance.now() - started) / 1000).toFixed(0)} s`);
for (const [maxComponents, weightThreshold] of [[20, 0.01], [30, 0.01], [40, 0.01], [40, 0.02], [40, 0.05]]) {
  const t = performance.now();
  const r = chooseK(means, { maxComponents, weightThreshold, batches: 20, batchSize: 1000, seeds: [0, 1, 2] });
  console.log(`cap ${maxComponents}, threshold ${weightThreshold}: mode ${r.mode} (${r.distribution.map((d) => `${d.count}: ${d.fits}`).join(', ')}); ` +
    `modes per seed ${r.perSeed.map((p) => p.mode).join('/')}; ${r.fitsAtLimit} of ${r.fits.length} fits at the cap; ${((performance.now() - t) / 1000).toFixed(0)} s`);
}
