/**
 * `galmorph generate`: synthetic galaxies from a trained AstroVaDEr (`galmorph cluster`), as the paper does:
 * - per cluster k, `perCluster` draws z ~ N(μ_k, σ²_k) decoded to images: samples.png (one row per cluster) and a
 *   catalog the other commands read (catalog/images/<id>.png + catalog/labels.csv with the cluster as a class label,
 *   e.g. `galmorph cluster --data RUN/catalog` scores a new clustering against the generating clusters);
 * - an interpolation between the clusters' exemplars (the latent mean of each cluster's galaxy of highest γ, saved by
 *   `cluster`; the cluster means μ_k for a model saved without them) along the shortest route through them
 *   (shortestRoute.ts): interpolation.png, one row per leg;
 * - a latent traversal: each latent dimension from its minimum to its maximum over the clustered galaxies with the
 *   others at their mean (the mixture's mean and ±2σ range without saved statistics): traversal.png, one row per
 *   dimension.
 * Writes config.json, results.json, summary.md and run.log beside them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { field, fieldDefaults, resolveFields, type FieldValues } from '../../util/fields.js';
import { outFolder, PROGRESS_FIELD } from '../commonFields.js';
import { InputError } from '../../util/errors.js';
import { Rng } from '../../util/rng.js';
import { RunFolder } from '../../util/runFolder.js';
import { ProgressBar } from '../../util/progress.js';
import { writeImageGrid, type GridImage } from '../../report/imageGrid.js';
import { writeCatalog } from '../../data/catalogWrite.js';
import { getSchema } from '../../data/schemas/index.js';
import type { CatalogRow } from '../../data/catalog.js';
import { loadVade } from '../../models/vadeCheckpoint.js';
import type { Mixture } from '../../models/vade.js';
import { decodeLatents } from '../cluster/clusterEmbed.js';
import { clusterName } from '../cluster/clusterReport.js';
import { shortestRoute } from './shortestRoute.js';

export const GENERATE_FIELDS = {
  model: field.string({ default: '', flag: '--model <dir>', help: 'a `galmorph cluster` run folder (its seed-0 model) or a model folder (RUN/seed-N/model)' }),
  out: outFolder({ default: '', flag: '--out <dir>', help: 'run folder' }),
  perCluster: field.integer({ default: 16, min: 1, max: 100_000, flag: '--per-cluster <n>', help: 'synthetic galaxies drawn from each cluster (z ~ N(μ_k, σ²_k))' }),
  steps: field.integer({ default: 8, min: 2, max: 100, flag: '--steps <n>', help: 'images per leg of the interpolation between exemplars (both ends included)' }),
  traversal: field.integer({ default: 9, min: 2, max: 100, flag: '--traversal <n>', help: 'images per latent dimension in the traversal grid' }),
  seed: field.integer({ default: 0, min: 0, max: 2 ** 32 - 1, flag: '--seed <n>', help: 'random seed of the draws' }),
  progress: PROGRESS_FIELD,
};

export type GenerateOptions = FieldValues<typeof GENERATE_FIELDS>;
export const GENERATE_DEFAULTS: GenerateOptions = fieldDefaults(GENERATE_FIELDS);

export interface GenerateResult {
  out: string;
  model: string;
  clusters: number;
  galaxies: number;
  catalog: string;
  route: { clusters: number[]; length: number; exact: boolean; exemplars: 'galaxies' | 'cluster means' };
  files: string[];
  seconds: number;
}

interface SavedExtras {
  latent?: { mean: number[]; min: number[]; max: number[] };
  exemplars?: { cluster: number; id: string; latent: number[] }[];
}

/** The model folder of `--model`: a cluster run's first seed, or a model folder itself. */
export function resolveVadeFolder(path: string): string {
  if (existsSync(join(path, 'model.json'))) return path;
  for (const candidate of [join(path, 'seed-0', 'model'), join(path, 'model')]) if (existsSync(join(candidate, 'model.json'))) return candidate;
  throw new InputError('no AstroVaDEr model here (no model.json, seed-0/model/ or model/)', { file: path }, 'pass the run folder of `galmorph cluster` or its RUN/seed-N/model folder');
}

export async function generate(given: Partial<GenerateOptions> & Pick<GenerateOptions, 'model' | 'out'>): Promise<GenerateResult> {
  const started = Date.now();
  const o = resolveFields(GENERATE_FIELDS, given);
  const folder = resolveVadeFolder(o.model);
  const loaded = loadVade(folder);
  const model = loaded.model;
  try {
    using run = new RunFolder(o.out, o.progress);
    run.writeJson('config.json', { command: 'generate', ...o, modelFolder: folder });
    const mixture = model.mixture();
    const extras = (loaded.meta.extra ?? {}) as SavedExtras;
    const k = model.config.clusters;
    const names = Array.from({ length: k }, (_, c) => clusterName(c));
    const { imageSize: s } = model.config;
    const tile = (data: Float32Array): GridImage => ({ data, height: s, width: s, channels: 1 });
    const scale = Math.max(1, Math.round(64 / s));

    const bar = o.progress ? new ProgressBar({ label: 'generate', total: k * o.perCluster, unit: 'galaxies' }) : null;
    const rows: CatalogRow[] = [];
    const sampleTiles: GridImage[] = [];
    const captions: string[] = [];
    for (let c = 0; c < k; c++) {
      const latents = drawFromCluster(mixture, c, o.perCluster, Rng.derive(o.seed, 'generate', c));
      const images = decodeLatents(model, latents);
      for (let i = 0; i < images.length; i++) {
        const id = `gen-${names[c]}-${String(i).padStart(5, '0')}`;
        const image = run.path('catalog', 'images', `${id}.png`);
        await writeGreyPng(image, images[i], s);
        rows.push({ id, image, label: c });
        if (i < 16) {
          sampleTiles.push(tile(images[i]));
          captions.push(i === 0 ? `${names[c]} π${mixture.weights[c].toFixed(2)}` : '');
        }
        bar?.tick();
      }
    }
    bar?.finish();
    const catalog = writeCatalog(run.path('catalog', 'labels.csv'), {
      schema: getSchema('gz2'), rows, labelKind: 'class', classNames: names, source: '', skipped: [], labelledQuestions: [],
    });
    await writeImageGrid(run.path('samples.png'), sampleTiles, { cols: Math.min(16, o.perCluster), scale, captions });

    const saved = extras.exemplars !== undefined && extras.exemplars.length === k;
    const exemplars = saved ? (extras.exemplars as { latent: number[] }[]).map((e) => e.latent) : mixture.means.map((m) => Array.from(m));
    const route = shortestRoute(exemplars);
    const legs: GridImage[] = [];
    const legCaptions: string[] = [];
    for (let i = 1; i < route.order.length; i++) {
      const [a, b] = [exemplars[route.order[i - 1]], exemplars[route.order[i]]];
      const path = Array.from({ length: o.steps }, (_, t) => a.map((x, d) => x + (b[d] - x) * (t / (o.steps - 1))));
      decodeLatents(model, path).forEach((im, t) => {
        legs.push(tile(im));
        legCaptions.push(t === 0 ? names[route.order[i - 1]] : t === o.steps - 1 ? names[route.order[i]] : '');
      });
    }
    const files = ['samples.png', 'catalog/labels.csv'];
    if (legs.length > 0) {
      await writeImageGrid(run.path('interpolation.png'), legs, { cols: o.steps, scale, captions: legCaptions });
      files.push('interpolation.png');
    }

    const range = extras.latent ?? mixtureRange(mixture);
    const traversal: GridImage[] = [];
    const traversalCaptions: string[] = [];
    for (let d = 0; d < model.config.latentDim; d++) {
      const path = Array.from({ length: o.traversal }, (_, t) => range.mean.map((m, e) => (e === d ? range.min[d] + (range.max[d] - range.min[d]) * (t / (o.traversal - 1)) : m)));
      decodeLatents(model, path).forEach((im, t) => {
        traversal.push(tile(im));
        traversalCaptions.push(t === 0 ? `z${d} ${range.min[d].toFixed(1)}` : t === o.traversal - 1 ? range.max[d].toFixed(1) : '');
      });
    }
    await writeImageGrid(run.path('traversal.png'), traversal, { cols: o.traversal, scale, captions: traversalCaptions });
    files.push('traversal.png');

    const result: GenerateResult = {
      out: run.dir, model: folder, clusters: k, galaxies: rows.length, catalog,
      route: { clusters: route.order, length: route.length, exact: route.exact, exemplars: saved ? 'galaxies' : 'cluster means' }, files,
      seconds: (Date.now() - started) / 1000,
    };
    run.writeJson('results.json', result);
    run.writeText('summary.md', `# galmorph generate\n\nModel ${folder} (${k} clusters, ${model.config.latentDim} latent dimensions, ${s} px).\n\n` +
      `- ${rows.length} synthetic galaxies (${o.perCluster} per cluster, z ~ N(μ_k, σ²_k), seed ${o.seed}) in catalog/ (class label = cluster).\n` +
      `- Interpolation through the ${saved ? 'exemplar galaxies' : 'cluster means'} along the ${route.exact ? 'shortest' : 'approximately shortest (2-opt)'} route ` +
      `${route.order.map((c) => names[c]).join(' → ')} (latent length ${route.length.toFixed(2)}), ${o.steps} images per leg.\n` +
      `- Traversal of each latent dimension from its ${extras.latent ? 'minimum to maximum over the clustered galaxies' : 'mixture range (±2σ)'}, others at their mean.\n\n` +
      files.filter((f) => f.endsWith('.png')).map((f) => `![${f}](${f})`).join('\n') + '\n');
    run.log(`generated ${rows.length} galaxies from ${k} clusters into ${run.dir} in ${result.seconds.toFixed(1)} s`);
    return result;
  } finally {
    model.dispose();
  }
}

/** `count` draws z ~ N(μ_c, σ²_c). */
export function drawFromCluster(mixture: Mixture, c: number, count: number, rng: Rng): number[][] {
  const mu = mixture.means[c];
  const sd = mixture.variances[c].map(Math.sqrt);
  return Array.from({ length: count }, () => Array.from(mu, (m, d) => m + sd[d] * rng.normal()));
}

/** The mixture's mean and, per dimension, the lowest μ − 2σ and highest μ + 2σ over its clusters. */
function mixtureRange(m: Mixture): { mean: number[]; min: number[]; max: number[] } {
  const j = m.means[0].length;
  const dims = Array.from({ length: j }, (_, d) => d);
  return {
    mean: dims.map((d) => m.means.reduce((s, mu, c) => s + m.weights[c] * mu[d], 0)),
    min: dims.map((d) => Math.min(...m.means.map((mu, c) => mu[d] - 2 * Math.sqrt(m.variances[c][d])))),
    max: dims.map((d) => Math.max(...m.means.map((mu, c) => mu[d] + 2 * Math.sqrt(m.variances[c][d])))),
  };
}

async function writeGreyPng(path: string, image: Float32Array, side: number): Promise<void> {
  const bytes = Uint8Array.from(image, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
  await sharp(bytes, { raw: { width: side, height: side, channels: 1 } }).png().toFile(path);
}
