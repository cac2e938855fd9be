/**
 * `galmorph cluster`: unsupervised morphology with AstroVaDEr (VaDE trained with s3VDC; ALGORITHMS.md §6–7). Reads
 * one or more catalogs (or simulates galaxies with known classes), trains `--seeds` models (clusterTrain.ts; each in
 * RUN/seed-N with model/ and last/ for --resume), analyses each (clusterAnalysis.ts, clusterReport.ts) and writes
 * config.json, results.json (per seed and the spread over seeds), summary.md and run.log. Vote labels and true
 * classes are never used in training, only to judge the clusters.
 *
 * Each model is saved again after its analysis with what `galmorph generate` needs in `extra`: the latent means'
 * per-dimension mean, minimum and maximum, and each cluster's exemplar (the latent mean of its galaxy of highest γ).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveFields } from '../../util/fields.js';
import { InputError, OptionError } from '../../util/errors.js';
import { RunFolder } from '../../util/runFolder.js';
import { mean } from '../../util/stats.js';
import { describeBackend } from '../../backend/initBackend.js';
import { ImageDataset } from '../../data/dataset.js';
import { resolvePreprocessOptions } from '../../data/preprocess.js';
import { markdownTable } from '../../report/markdownTable.js';
import { ProgressBar } from '../../util/progress.js';
import type { MeanSd } from '../../report/tableCell.js';
import { saveVade } from '../../models/vadeCheckpoint.js';
import { samePath } from '../commonFields.js';
import { CLUSTER_FIELDS, CLUSTER_PRESET_NAMES, CLUSTER_PRESETS, CLUSTER_RESUME_FIXED, type ClusterOptions } from './clusterOptions.js';
import { loadClusterData, type ClusterGalaxy } from './clusterData.js';
import { trainVade } from './clusterTrain.js';
import { embedDataset, type Embedding } from './clusterEmbed.js';
import { analyseClusters, type ClusterAnalysis } from './clusterAnalysis.js';
import { writeClusterReport } from './clusterReport.js';
import { pixelBaseline, type PixelBaseline } from './clusterBaseline.js';
import type { ClusterCountChoice } from './clusterMixture.js';

export interface SeedResult {
  seed: number;
  folder: string;
  model: string;
  k: number;
  steps: number;
  trainSeconds: number;
  finalLoss: number;
  silhouette: number;
  calinskiHarabasz: number;
  clusterSizes: number[];
  weights: number[];
  hungarian_accuracy: number | null;
  ari: number | null;
  nmi: number | null;
  /** Largest η² over the summary answers (how clearly the clusters separate Galaxy Zoo fractions), or null. */
  votes: { answer: string; etaSquared: number; min: number; max: number }[] | null;
  chooseK: ClusterCountChoice | null;
}

export interface ClusterResult {
  out: string;
  galaxies: number;
  seeds: SeedResult[];
  /** Mean ± sd over seeds (sd 0 with one seed). */
  spread: Record<string, MeanSd | null>;
  hungarian_accuracy: number | null;
  ari: number | null;
  nmi: number | null;
  /** k-means and a diagonal GMM on principal components of the pixels, scored the same way (null without classes). */
  baseline: PixelBaseline | null;
  seconds: number;
}

export async function clusterGalaxies(given: Partial<ClusterOptions> & Pick<ClusterOptions, 'out'>): Promise<ClusterResult> {
  const started = Date.now();
  const preset = given.preset ?? 'none';
  if (!(CLUSTER_PRESET_NAMES as readonly string[]).includes(preset)) throw new OptionError('preset', `one of ${CLUSTER_PRESET_NAMES.join(' | ')}`, preset);
  const o = resolveFields(CLUSTER_FIELDS, given, CLUSTER_PRESETS[preset]);
  if (o.warmupEpochs + o.periods * (o.annealEpochs + o.staticEpochs) === 0) {
    throw new OptionError('warmupEpochs', 'a schedule of at least one epoch (warm-up, or periods of annealing and static epochs)', 0);
  }
  using run = new RunFolder(o.out, o.progress);
  if (o.resume) checkResume(run, o);
  run.writeJson('config.json', { command: 'cluster', ...o });
  run.log(`cluster: ${describeBackend()}; workers ${o.workers}`);
  const data = await loadClusterData({ ...o }, run);
  run.log(`clustering ${data.galaxies.length} galaxies from ${data.note}` + (data.leftOut.length > 0 ? `; ${data.leftOut.length} rows left out (results.json lists them)` : ''));
  if (data.galaxies.length < o.k * 2) {
    throw new InputError(`${data.galaxies.length} galaxies are too few for ${o.k} clusters`, { file: data.sources[0] }, 'use more galaxies or a smaller --k');
  }
  const preprocessing = resolvePreprocessOptions({ size: o.imageSize, crop: o.crop, colour: 'grey' });
  // Decoded once here (the training views share these images, kept in memory); the bar shows the decoding, which
  // on a loaded machine can take many minutes for thousands of JPEGs.
  let decodeBar: ProgressBar | null = null;
  let decoded = 0;
  const evaluation = new ImageDataset(data.galaxies, {
    preprocess: preprocessing, augment: null, batchSize: o.batchSize, shuffle: true, seed: o.seed, onBad: o.onBad, prefetch: 0,
    onCacheProgress: o.progress ? (done, total) => {
      decodeBar ??= new ProgressBar({ label: 'decode images', total, unit: 'images' });
      decodeBar.tick(done - decoded);
      decoded = done;
    } : null,
  });
  const decodeStarted = performance.now();
  await evaluation.prepare();
  (decodeBar as ProgressBar | null)?.finish();
  if (evaluation.mode === 'memory') run.log(`decoded ${evaluation.size} images once for training and analysis in ${((performance.now() - decodeStarted) / 1000).toFixed(1)} s`);
  else run.log(`${evaluation.size} images are too many to keep in memory: each epoch decodes them again`);
  const byId = new Map<string, ClusterGalaxy>(data.galaxies.map((g) => [g.id, g]));
  const baselineStarted = performance.now();
  const baseline = await pixelBaseline(evaluation, byId, { k: o.k, components: o.baselineComponents, seed: o.seed });
  if (baseline !== null) {
    run.log(`pixel baseline (PCA ${baseline.components} of ${baseline.side}-px pixels, ${(100 * baseline.explainedVariance).toFixed(0)}% of the variance; K = ${baseline.k}): ` +
      `k-means Hungarian accuracy ${baseline.kMeans.hungarian_accuracy.toFixed(3)}, diagonal GMM ${baseline.gmm.hungarian_accuracy.toFixed(3)} ` +
      `(${((performance.now() - baselineStarted) / 1000).toFixed(1)} s)`);
  }
  const seeds: SeedResult[] = [];
  const sections: string[] = [];
  for (let s = 0; s < o.seeds; s++) {
    const seed = o.seed + s;
    const folder = `seed-${s}`;
    const dir = run.path(folder);
    const trained = await trainVade({ run, dir, label: `seed ${seed}`, galaxies: data.galaxies, evaluation, preprocessing, options: o, seed });
    try {
      const embedding = await embedDataset(trained.model, evaluation, { responsibilities: true });
      const weights = Array.from(trained.model.mixture().weights);
      const analysis = analyseClusters(embedding, byId, data.schema, weights, o.topK);
      const report = await writeClusterReport(dir, analysis, embedding, trained.history, trained.model, evaluation);
      saveVade(join(dir, 'model'), trained.model, {
        preprocessing, step: trained.steps, optimizer: null,
        extra: { source: 'galmorph cluster', epochs: trained.history.length, ...generationExtras(embedding, analysis) },
      });
      const result = seedResult(seed, folder, analysis, trained, weights);
      seeds.push(result);
      sections.push(`## Seed ${seed} (${folder}/)\n\n${trainingLine(result)}\n\n${report.markdown}\n\n` +
        report.figures.filter((f) => !f.startsWith('clusters/')).map((f) => `![${f}](${folder}/${f})`).join('\n') + '\n');
      run.log(`seed ${seed}: ${result.k} clusters, sizes ${result.clusterSizes.join('/')}` +
        (result.hungarian_accuracy === null ? '' : `; Hungarian accuracy ${result.hungarian_accuracy.toFixed(3)}, ARI ${result.ari?.toFixed(3)}, NMI ${result.nmi?.toFixed(3)}`));
    } finally {
      trained.model.dispose();
    }
  }
  const spread = spreadOf(seeds);
  const result: ClusterResult = {
    out: run.dir, galaxies: data.galaxies.length, seeds, spread,
    hungarian_accuracy: spread.hungarian_accuracy?.mean ?? null, ari: spread.ari?.mean ?? null, nmi: spread.nmi?.mean ?? null, baseline,
    seconds: (Date.now() - started) / 1000,
  };
  run.writeJson('results.json', { ...result, data: { note: data.note, sources: data.sources, leftOut: data.leftOut, badImages: evaluation.badImages } });
  run.writeText('summary.md', summary(o, data.note, data.galaxies.length, result, sections));
  run.log(`done in ${result.seconds.toFixed(0)} s; report in ${join(run.dir, 'summary.md')}`);
  return result;
}

/** What generate needs: per-dimension mean/min/max of the latent means and each cluster's exemplar. */
function generationExtras(embedding: Embedding, analysis: ClusterAnalysis): Record<string, unknown> {
  const j = embedding.means[0]?.length ?? 0;
  const column = (d: number) => embedding.means.map((m) => m[d]);
  return {
    latent: {
      mean: Array.from({ length: j }, (_, d) => mean(column(d))),
      min: Array.from({ length: j }, (_, d) => Math.min(...column(d))),
      max: Array.from({ length: j }, (_, d) => Math.max(...column(d))),
    },
    exemplars: analysis.top.map((t, c) => ({ cluster: c, id: embedding.ids[t[0]], latent: Array.from(embedding.means[t[0]]) })),
  };
}

function seedResult(seed: number, folder: string, a: ClusterAnalysis, trained: Awaited<ReturnType<typeof trainVade>>, weights: number[]): SeedResult {
  const votes = a.votes === null ? null : a.votes.answers
    .map((x) => {
      const finite = x.perCluster.filter(Number.isFinite);
      return { answer: x.answer, etaSquared: x.etaSquared, min: Math.min(...finite), max: Math.max(...finite) };
    })
    .sort((p, q) => q.etaSquared - p.etaSquared);
  return {
    seed, folder, model: `${folder}/model`, k: a.k, steps: trained.steps, trainSeconds: trained.trainSeconds,
    finalLoss: trained.history.at(-1)?.loss ?? Number.NaN,
    silhouette: a.silhouette, calinskiHarabasz: a.calinskiHarabasz, clusterSizes: a.clusters.map((c) => c.galaxies), weights,
    hungarian_accuracy: a.truth?.hungarianAccuracy ?? null, ari: a.truth?.ari ?? null, nmi: a.truth?.nmi ?? null, votes, chooseK: trained.chooseK,
  };
}

function spreadOf(seeds: SeedResult[]): Record<string, MeanSd | null> {
  const of = (values: (number | null)[]): MeanSd | null => {
    if (values.some((v) => v === null)) return null;
    const v = values as number[];
    const m = mean(v);
    return { mean: m, sd: v.length > 1 ? Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1)) : 0 };
  };
  return {
    hungarian_accuracy: of(seeds.map((s) => s.hungarian_accuracy)), ari: of(seeds.map((s) => s.ari)), nmi: of(seeds.map((s) => s.nmi)),
    silhouette: of(seeds.map((s) => s.silhouette)), calinskiHarabasz: of(seeds.map((s) => s.calinskiHarabasz)), k: of(seeds.map((s) => s.k)),
  };
}

function trainingLine(r: SeedResult): string {
  return `${r.k} clusters${r.chooseK === null ? '' : ` (chosen by the Bayesian GMM: ${r.chooseK.distribution.map((d) => `${d.count} in ${d.fits} fits`).join(', ')} over mini-batches of ${r.chooseK.batchSize}; modes per seed ${r.chooseK.perSeed.map((p) => p.mode).join('/')}, ${r.chooseK.stable ? 'stable' : 'not stable'})`}; ` +
    `${r.steps} steps, ${r.trainSeconds.toFixed(0)} s of training; final epoch loss ${r.finalLoss.toFixed(2)}.`;
}

function summary(o: ClusterOptions, note: string, galaxies: number, r: ClusterResult, sections: string[]): string {
  const rows = r.seeds.map((s) => ({ seed: s.seed, k: s.k, 'Hungarian accuracy': s.hungarian_accuracy, ARI: s.ari, NMI: s.nmi, silhouette: s.silhouette, 'Calinski–Harabasz': s.calinskiHarabasz }));
  const spreadRow = { seed: 'mean ± sd', k: r.spread.k, 'Hungarian accuracy': r.spread.hungarian_accuracy, ARI: r.spread.ari, NMI: r.spread.nmi, silhouette: r.spread.silhouette, 'Calinski–Harabasz': r.spread.calinskiHarabasz };
  return `# galmorph cluster\n\nAstroVaDEr (VaDE + s3VDC) on ${galaxies} galaxies: ${note}. ${o.imageSize} px grey, filters ${o.filters.join('/')}, kernels ${o.kernels.join('/')}, ` +
    `${o.latentDim} latent dimensions, reconstruction ${o.reconstruction}, front end ${o.frontEnd}, ${o.chooseK ? `K chosen by a Bayesian GMM (at most ${o.k})` : `K = ${o.k}`}, λ = ${o.lambda}; ` +
    `${o.warmupEpochs} warm-up epochs (γ = ${o.klWeight}), then ${o.periods} × (${o.annealEpochs} annealing + ${o.staticEpochs} static) epochs; ` +
    `Adam ${o.learningRate} (cosine decay, clip value ${o.clipValue}), batch ${o.batchSize}${o.flip ? ', random flips' : ''}. Run time ${r.seconds.toFixed(0)} s.\n\n` +
    markdownTable(r.seeds.length > 1 ? [...rows, spreadRow] : rows) + '\n' + baselineSection(r.baseline) + sections.join('\n');
}

function baselineSection(b: PixelBaseline | null): string {
  if (b === null) return '';
  const row = (method: string, x: PixelBaseline['kMeans']) => ({ method, 'Hungarian accuracy': x.hungarian_accuracy, ARI: x.ari, NMI: x.nmi, 'cluster sizes': x.clusterSizes.join(' / ') });
  return `\nPixel baseline (${b.galaxies} galaxies with known classes; the first ${b.components} principal components of the ${b.side}-px pixels, ` +
    `${(100 * b.explainedVariance).toFixed(1)}% of their variance; K = ${b.k}):\n\n` + markdownTable([row('k-means', b.kMeans), row('diagonal GMM', b.gmm)]) + '\n';
}

function checkResume(run: RunFolder, o: ClusterOptions): void {
  if (!run.exists('config.json')) return;
  const saved = JSON.parse(readFileSync(run.path('config.json'), 'utf8')) as Record<string, unknown>;
  const same = (k: keyof ClusterOptions, a: unknown, b: unknown) => (k === 'data' && Array.isArray(a) && Array.isArray(b)
    ? a.length === b.length && a.every((p, i) => samePath(p, b[i])) : JSON.stringify(a) === JSON.stringify(b));
  // A setting added after the run was saved (e.g. noiseFloor) had its default then.
  const changed = CLUSTER_RESUME_FIXED.filter((k) => !same(k, k in saved ? saved[k] : CLUSTER_FIELDS[k].default, o[k]));
  if (changed.length > 0) {
    throw new InputError(`--resume with different settings: ${changed.map((k) => `${k} was ${JSON.stringify(saved[k])}, now ${JSON.stringify(o[k])}`).join('; ')}`,
      { file: run.path('config.json') }, 'resume with the original settings (learning rate, workers, backend and the analysis options may change), or start a new run');
  }
}
