/**
 * `galmorph embed`: a vector for every galaxy of a catalog — the pooled encoder features of a trained model (or an
 * untrained network / raw pixels, the baselines) — written as an embeddings store (data/embeddingStore.ts: Parquet
 * shards + manifest) in the run folder, with a PCA fitted over the same stream (explore/pca.ts) saved as pca.json,
 * so new galaxies are projected the same way. The catalog is streamed: images are decoded a batch at a time in a
 * worker thread and each shard is written as it fills, so memory stays flat whatever the catalog's size.
 */
import { field, resolveFields, type FieldValues } from '../../util/fields.js';
import { InputError } from '../../util/errors.js';
import { ALLOW_ABSOLUTE_PATHS_FIELD, catalogReadOptions, COMPUTE_FIELDS, ON_BAD_FIELD, outFolder, PROGRESS_FIELD } from '../commonFields.js';
import { RunFolder } from '../../util/runFolder.js';
import { ProgressBar } from '../../util/progress.js';
import { describeBackend } from '../../backend/initBackend.js';
import { readCatalog, requireRows } from '../../data/catalogRead.js';
import { getSchema } from '../../data/schemas/index.js';
import { ImageDataset } from '../../data/dataset.js';
import { DEFAULT_SHARD_SIZE, EmbeddingWriter, type EmbeddingManifest } from '../../data/embeddingStore.js';
import { PcaAccumulator } from '../../explore/pca.js';
import { EMBEDDING_LAYERS } from '../../models/bayesianCnn.js';
import { writeCsvTable } from '../../report/csvTable.js';
import { lineChart } from '../../report/lineChart.js';
import { writeFigure } from '../../report/writeFigure.js';
import { openEncoder, REPRESENTATIONS } from './embedEncoder.js';

/** The PCA file inside an embeddings folder. */
export const PCA_FILE = 'pca.json';

export const EMBED_FIELDS = {
  catalog: field.string({ default: '', flag: '--catalog <path>', help: 'catalog folder or table of the galaxies to embed (label columns are not read)' }),
  out: outFolder({ default: '', flag: '--out <dir>', help: 'output folder: the embeddings store (embeddings.json, shards/), pca.json and the run\'s report' }),
  model: field.string({ default: 'gz2', flag: '--model <dir>', help: 'model folder or shipped model name (its encoder and its image preprocessing are used)' }),
  representation: field.choice(REPRESENTATIONS, {
    default: 'trained', flag: '--representation <kind>',
    help: 'trained: the model\'s encoder | untrained: the same architecture with random weights (--seed) | pixels: the preprocessed image average-pooled to --pixel-size (both baselines)',
  }),
  layer: field.choice(EMBEDDING_LAYERS, {
    default: 'dense', flag: '--layer <name>',
    help: 'dense: the dense ReLU layer the head reads (no dropout) | pooled: the last convolution block averaged over positions',
  }),
  pixelSize: field.integer({ default: 32, min: 1, max: 1024, flag: '--pixel-size <n>', help: 'side the images are average-pooled to for --representation pixels (a divisor of the model\'s image size)' }),
  pca: field.list(field.integer({ default: 10, min: 1, max: 4096 }), { default: [10, 40], flag: '--pca <k,...>', help: 'PCA sizes reported (the largest is fitted and saved; smaller ones are its leading components)' }),
  shardSize: field.integer({ default: DEFAULT_SHARD_SIZE, min: 1, max: 10_000_000, flag: '--shard-size <n>', help: 'galaxies per Parquet shard' }),
  batchSize: field.integer({ default: 64, min: 1, max: 4096, flag: '--batch-size <n>', help: 'galaxies per forward batch' }),
  seed: field.with(COMPUTE_FIELDS.seed, { help: 'seed of the untrained network\'s weights' }),
  onBad: ON_BAD_FIELD,
  allowAbsolutePaths: ALLOW_ABSOLUTE_PATHS_FIELD,
  progress: PROGRESS_FIELD,
};

export type EmbedOptions = FieldValues<typeof EMBED_FIELDS>;

export interface EmbedResult {
  galaxies: number;
  dimension: number;
  manifest: EmbeddingManifest;
  /** Share of the variance the first k PCA components hold, per requested k. */
  pcaVariance: Record<string, number>;
  skipped: { id: string; reason: string }[];
  seconds: number;
}

export async function embed(given: Partial<EmbedOptions> & Pick<EmbedOptions, 'catalog' | 'out'>): Promise<EmbedResult> {
  const options = resolveFields(EMBED_FIELDS, given);
  const started = Date.now();
  const encoder = openEncoder(options);
  try {
    using run = new RunFolder(options.out);
    run.log(describeBackend());
    run.writeJson('config.json', { command: 'embed', ...options, encoder: encoder.info, dimension: encoder.dimension, preprocessing: encoder.preprocessing });
    const catalog = await readCatalog(options.catalog, { schema: getSchema('gz2'), ...catalogReadOptions(options) });
    const rows = requireRows(catalog);
    run.log(`${rows.length} galaxies from ${catalog.source}; ${catalog.skipped.length} rows skipped; ${encoder.info.name}, ${encoder.info.layer}: ${encoder.dimension} dimensions`);
    const dataset = new ImageDataset(rows, { preprocess: encoder.preprocessing, shuffle: false, batchSize: options.batchSize, prefetch: 2, cache: 'stream', onBad: options.onBad });
    const writer = new EmbeddingWriter(run.dir, { model: encoder.info, dimension: encoder.dimension, shardSize: options.shardSize, catalog: catalog.source });
    const pcaAcc = new PcaAccumulator(encoder.dimension);
    const bar = options.progress ? new ProgressBar({ label: 'embed', total: rows.length, unit: 'galaxies' }) : null;
    for await (const batch of dataset.batches(0)) {
      const [h, w, c] = batch.shapes.images;
      const vectors = encoder.embed(batch.arrays.images, [batch.size, h, w, c]);
      writer.append(batch.ids, vectors);
      pcaAcc.add(vectors);
      bar?.tick(batch.size);
    }
    bar?.finish();
    const skipped = [
      ...catalog.skipped.map((s) => ({ id: s.id, reason: s.reason })),
      ...dataset.badImages.map((b) => ({ id: b.id, reason: b.reason })),
    ];
    for (const s of skipped) run.log(`skipped ${s.id}: ${s.reason}`);
    if (writer.rows < 2) {
      throw new InputError(`only ${writer.rows} galaxies could be embedded (${skipped.length} left out); a store needs at least 2`, { file: catalog.source }, 'fix the catalog and images (galmorph check lists every problem)');
    }
    const manifest = writer.finish();
    const largest = Math.max(...options.pca);
    const pca = pcaAcc.fit(largest);
    run.writeJson(PCA_FILE, pca.toJSON());
    const ratio = pca.json.explainedVarianceRatio;
    const cumulative = ratio.map(((s) => (r: number) => (s += r))(0));
    const pcaVariance = Object.fromEntries(options.pca.map((k) => [String(k), cumulative[Math.min(k, cumulative.length) - 1]]));
    if (pca.components < largest) run.log(`PCA: ${pca.components} components fitted (${largest} asked; limited by the dimension ${encoder.dimension} or the ${manifest.count} galaxies)`);
    writeCsvTable(run.path('pca_variance.csv'), ratio.map((r, k) => ({ component: k + 1, variance: pca.json.explainedVariance[k], ratio: r, cumulative: cumulative[k] })));
    await writeFigure(run.path('pca_variance'), lineChart([{ label: 'cumulative', x: cumulative.map((_, k) => k + 1), y: cumulative }], {
      title: `PCA of ${encoder.info.name} embeddings (${encoder.dimension}-d, ${manifest.count} galaxies)`, xLabel: 'components', yLabel: 'share of variance', yRange: [0, 1], legend: false,
    }));
    const seconds = (Date.now() - started) / 1000;
    const result: EmbedResult = { galaxies: manifest.count, dimension: encoder.dimension, manifest, pcaVariance, skipped, seconds };
    run.writeJson('results.json', { galaxies: manifest.count, dimension: encoder.dimension, shards: manifest.shards.length, pcaComponents: pca.components, pcaVariance, skippedCount: skipped.length, skipped, seconds, galaxiesPerSecond: manifest.count / seconds });
    run.writeText('summary.md', [
      '# Embeddings',
      '',
      `${manifest.count} galaxies from \`${catalog.source}\` → ${encoder.dimension}-d vectors: ${encoder.info.name}, ${encoder.info.layer}.`,
      `Stored as ${manifest.shards.length} Parquet shard(s) of up to ${options.shardSize} galaxies (\`shards/\`, manifest \`embeddings.json\`); PCA with ${pca.components} components in \`${PCA_FILE}\`.`,
      '',
      ...options.pca.map((k) => `- first ${Math.min(k, pca.components)} components: ${(100 * (pcaVariance[String(k)] ?? 0)).toFixed(1)}% of the variance`),
      '',
      skipped.length > 0 ? `Left out (--on-bad skip): ${skipped.length} galaxies (reasons in results.json and run.log).` : 'No galaxies were left out.',
      `Took ${seconds.toFixed(1)} s (${(manifest.count / seconds).toFixed(1)} galaxies/s).`,
      '',
    ].join('\n'));
    run.log(`wrote ${manifest.count} embeddings to ${run.dir} in ${seconds.toFixed(1)} s`);
    return result;
  } finally {
    encoder.dispose();
  }
}
