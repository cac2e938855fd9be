/**
 * `galmorph choose-k`: how many clusters an embeddings store holds, as AstroVaDEr chose its 12 (ALGORITHMS.md §7):
 * a Dirichlet-process Bayesian GMM (cluster/bayesianGmm.ts) fitted to many random mini-batches of the embeddings,
 * repeated for several seeds; the count of components in use (weight above a threshold) in each fit, its
 * distribution, mode and stability across seeds (cluster/chooseK.ts).
 *
 * The embeddings are first projected on the store's PCA (pca.json from `galmorph embed`; fitted over the store when
 * absent) to `components` coordinates, not standardised, so distances stay those of the embedding space;
 * `components` 0 uses the raw vectors. Run folder: config.json, results.json, fits.csv (one row a fit), counts.csv
 * (the distribution overall and per seed), counts.svg/.png (histogram per seed), summary.md, run.log.
 */
import { EmbeddingStore } from '../../data/embeddingStore.js';
import { chooseKFits, type ChooseKResult } from '../../cluster/chooseK.js';
import { field, resolveFields, type FieldValues } from '../../util/fields.js';
import { RunFolder } from '../../util/runFolder.js';
import { ProgressBar } from '../../util/progress.js';
import { writeCsvTable } from '../../report/csvTable.js';
import { histogram } from '../../report/histogram.js';
import { writeFigure } from '../../report/writeFigure.js';
import { markdownTable } from '../../report/markdownTable.js';
import { COMPUTE_FIELDS, outFolder, PROGRESS_FIELD } from '../commonFields.js';
import { projectStore } from '../anomalies/anomaliesData.js';

/** `galmorph choose-k`'s options, declared once (API type, defaults, validation; CLI flags). */
export const CHOOSE_K_FIELDS = {
  embeddings: field.string({ default: '', flag: '--embeddings <dir>', help: 'embeddings store (the --out folder of galmorph embed)' }),
  out: outFolder({ default: '', flag: '--out <dir>', help: 'output folder (results, tables, histogram, summary)' }),
  components: field.integer({ default: 20, min: 0, max: 4096, flag: '--components <k>', help: 'PCA components the mixture sees (0: the raw embedding vectors)' }),
  maxComponents: field.integer({ default: 20, min: 1, max: 200, flag: '--max-components <K>', help: 'components of each Bayesian GMM fit (the largest count that can be found)' }),
  batchSize: field.integer({ default: 1000, min: 2, max: 10_000_000, flag: '--batch-size <n>', help: 'galaxies per mini-batch (drawn without replacement)' }),
  batches: field.integer({ default: 20, min: 1, max: 100_000, flag: '--batches <n>', help: 'mini-batches (fits) per seed' }),
  seeds: field.integer({ default: 3, min: 1, max: 100, flag: '--seeds <n>', help: 'repeat everything with seeds --seed … --seed+n−1 (stability of the count)' }),
  maxIterations: field.integer({ default: 100, min: 1, max: 100_000, flag: '--max-iterations <n>', help: 'iterations per fit at most (scikit-learn: 100); fits that stop there are counted in the report' }),
  threshold: field.number({ default: 0.01, min: 0, max: 0.5, flag: '--threshold <w>', help: 'a component is in use when its expected weight exceeds this' }),
  seed: field.with(COMPUTE_FIELDS.seed, { help: 'first seed (mini-batches and k-means initialisations)' }),
  progress: PROGRESS_FIELD,
};

export type ChooseKJobOptions = FieldValues<typeof CHOOSE_K_FIELDS>;

export interface ChooseKJobResult {
  result: ChooseKResult;
  galaxies: number;
  dimension: number;
  seconds: number;
  files: { results: string; fits: string; counts: string; summary: string };
}

export async function chooseKJob(given: Partial<ChooseKJobOptions> & Pick<ChooseKJobOptions, 'embeddings' | 'out'>): Promise<ChooseKJobResult> {
  const o = resolveFields(CHOOSE_K_FIELDS, given);
  const started = performance.now();
  const store = EmbeddingStore.open(o.embeddings);
  using run = new RunFolder(o.out);
  const seeds = Array.from({ length: o.seeds }, (_, i) => o.seed + i);
  run.writeJson('config.json', { command: 'choose-k', ...o, seedList: seeds, store: { dir: store.dir, count: store.count, dimension: store.dimension, model: store.manifest.model } });
  run.log(`choose-k: ${store.count} galaxies of dimension ${store.dimension} from ${store.dir} (model ${store.manifest.model.name})`);

  let vectors: Float32Array;
  let dimension: number;
  let projection: string;
  if (o.components === 0) {
    const table = await store.loadAll();
    vectors = table.vectors;
    dimension = table.dimension;
    projection = 'raw embedding vectors';
  } else {
    // the second projection of projectStore is the PCA coordinates as they are (the first is standardised)
    const data = await projectStore(store, 1, o.components);
    vectors = data.baselineInputs;
    dimension = data.baselineDimension;
    projection = `${dimension} PCA components (${(100 * data.varianceExplained.baseline).toFixed(1)}% of the variance; ${data.pcaSource})`;
  }
  run.log(`mixture input: ${projection}`);

  const total = seeds.length * o.batches;
  const bar = o.progress ? new ProgressBar({ label: 'fits', total, unit: 'fits' }) : null;
  const it = chooseKFits({ values: vectors, dimension }, {
    maxComponents: o.maxComponents, batchSize: o.batchSize, batches: o.batches, seeds, weightThreshold: o.threshold, maxIterations: o.maxIterations,
  });
  let step = it.next();
  while (step.done !== true) {
    const f = step.value;
    run.log(`seed ${f.seed} batch ${f.batch + 1}: ${f.count} components in use (${f.iterations} iterations${f.converged ? '' : ', not converged'})`, { echo: false });
    bar?.tick(1, `last ${f.count}`);
    step = it.next();
  }
  bar?.finish();
  const result = step.value;
  const seconds = (performance.now() - started) / 1000;

  const fitsFile = writeCsvTable(run.path('fits.csv'), result.fits.map((f) => ({
    seed: f.seed, batch: f.batch, count: f.count, lower_bound: f.lowerBound, iterations: f.iterations, converged: f.converged,
    weights: f.weights.map((w) => w.toPrecision(4)).join(' '),
  })));
  const countRows = [
    ...result.distribution.map((d) => ({ seed: 'all', count: d.count, fits: d.fits, share: d.share })),
    ...result.perSeed.flatMap((s) => s.distribution.map((d) => ({ seed: String(s.seed), count: d.count, fits: d.fits, share: d.share }))),
  ];
  const countsFile = writeCsvTable(run.path('counts.csv'), countRows);
  const svg = histogram(result.perSeed.map((s) => ({ label: `seed ${s.seed}`, values: result.fits.filter((f) => f.seed === s.seed).map((f) => f.count) })), {
    bins: o.maxComponents, xRange: [0.5, o.maxComponents + 0.5], xLabel: 'components in use', yLabel: 'fits',
    title: `Components in use (weight > ${o.threshold}), ${o.batches} × ${result.batchSize} galaxies per seed`,
  });
  await writeFigure(run.path('counts'), svg);
  const { fits: _fits, ...summary } = result;
  const resultsFile = run.writeJson('results.json', { galaxies: store.count, dimension, projection, ...summary, seconds });
  const text = [
    '# choose-k',
    '',
    `Embeddings: ${store.dir} (${store.count} galaxies, model ${store.manifest.model.name}); mixture input: ${projection}.`,
    `Dirichlet-process Bayesian GMM with ${o.maxComponents} components (diagonal covariances, γ₀ = 1/${o.maxComponents}), ` +
      `${o.batches} mini-batches of ${result.batchSize} galaxies for each of ${seeds.length} seeds; a component is in use above weight ${o.threshold}.`,
    '',
    `**Count chosen: ${result.mode}** (${(100 * result.modeShare).toFixed(0)}% of ${result.fits.length} fits; mean ${result.mean.toFixed(2)}, range ${result.min}–${result.max}); ` +
      `modes per seed ${result.perSeed.map((s) => s.mode).join(', ')} — ${result.stable ? 'stable across seeds' : 'NOT stable across seeds'}.`,
    ...(result.fitsAtLimit > 0 ? ['', `${result.fitsAtLimit} fits used all ${o.maxComponents} components: raise --max-components.`] : []),
    ...(result.fitsNotConverged > 0 ? ['', `${result.fitsNotConverged} fits stopped at ${o.maxIterations} iterations before the bound settled (raise --max-iterations).`] : []),
    '',
    markdownTable(result.perSeed.map((s) => ({ seed: s.seed, mode: s.mode, mode_share: s.modeShare, mean: s.mean, min: s.min, max: s.max }))),
    '',
    '![components in use per fit](counts.png)',
    '',
    `Run time ${seconds.toFixed(1)} s.`,
    '',
  ].join('\n');
  const summaryFile = run.writeText('summary.md', text);
  run.log(`count ${result.mode} (${(100 * result.modeShare).toFixed(0)}% of fits), per-seed modes ${result.perSeed.map((s) => s.mode).join('/')}, ${result.stable ? 'stable' : 'not stable'}; ${seconds.toFixed(1)} s`);
  return { result, galaxies: store.count, dimension, seconds, files: { results: resultsFile, fits: fitsFile, counts: countsFile, summary: summaryFile } };
}
