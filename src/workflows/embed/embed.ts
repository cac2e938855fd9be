/**
 * `galmorph embed`: a vector for every galaxy of a catalog — the pooled encoder features of a trained model (or an
 * untrained network / raw pixels, the baselines) — written as an embeddings store (data/embeddingStore.ts: a
 * sharded table of Parquet shards with receipts and a manifest) in the run folder, with a PCA fitted over the store
 * saved as pca.json, so new galaxies are projected the same way. The catalog is streamed shard by shard
 * (embedShards.ts, shared with the queue's embed jobs): memory stays flat whatever the catalog's size, a rerun
 * after a crash or kill -9 makes only the missing shards, and a changed model or option is refused (or --restart).
 */
import { field, resolveFields, type FieldValues } from '../../util/fields.js';
import { ALLOW_ABSOLUTE_PATHS_FIELD, COMPUTE_FIELDS, ON_BAD_FIELD, outFolder, PROGRESS_FIELD, TTA_FIELD } from '../commonFields.js';
import { RunFolder } from '../../util/runFolder.js';
import { describeBackend } from '../../backend/initBackend.js';
import { DEFAULT_SHARD_SIZE, type EmbeddingManifest } from '../../data/embeddingStore.js';
import { ShardedTable, type LeftOut } from '../../data/shardedTable.js';
import { EMBEDDING_LAYERS } from '../../models/bayesianCnn.js';
import { REPRESENTATIONS } from './embedEncoder.js';
import { makeMissingShards } from '../shardRun.js';
import { EmbedShardRunner, embedTableSpec, finishEmbedTable } from './embedShards.js';

// The explorer (src/web) imports the PCA file's name from here; its home is the store's.
export { EMBEDDINGS_PCA_FILE as PCA_FILE } from '../../data/embeddingStore.js';

export const EMBED_FIELDS = {
  catalog: field.string({ default: '', flag: '--catalog <path>', help: 'catalog folder or table of the galaxies to embed (label columns are not read)' }),
  out: outFolder({ default: '', flag: '--out <dir>', help: 'output folder: the embeddings store (manifest.json, shards/), pca.json and the run\'s report' }),
  model: field.string({ default: 'gz2', flag: '--model <dir>', help: 'model folder or shipped model name (its encoder and its image preprocessing are used)' }),
  representation: field.choice(REPRESENTATIONS, {
    default: 'trained', flag: '--representation <kind>',
    help: 'trained: the model\'s encoder | untrained: the same architecture with random weights (--seed) | pixels: the preprocessed image average-pooled to --pixel-size (both baselines)',
  }),
  layer: field.choice(EMBEDDING_LAYERS, {
    default: 'dense', flag: '--layer <name>',
    help: 'dense: the dense ReLU layer the head reads (no dropout) | pooled: the last convolution block averaged over positions',
  }),
  tta: field.with(TTA_FIELD, { help: 'test-time augmentation: each vector is the mean of the layer over the 8 rotations/mirrors of the image (8 forward passes a galaxy)' }),
  pixelSize: field.integer({ default: 32, min: 1, max: 1024, flag: '--pixel-size <n>', help: 'side the images are average-pooled to for --representation pixels (a divisor of the model\'s image size)' }),
  pca: field.list(field.integer({ default: 10, min: 1, max: 4096 }), { default: [10, 40], flag: '--pca <k,...>', help: 'PCA sizes reported (the largest is fitted and saved; smaller ones are its leading components)' }),
  shardSize: field.integer({ default: DEFAULT_SHARD_SIZE, min: 1, max: 10_000_000, flag: '--shard-size <n>', help: 'galaxies per Parquet shard (the unit of resuming and of queue jobs)' }),
  restart: field.boolean({ default: false, flag: '--restart', help: 'delete shards made with another model or options instead of refusing them' }),
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
  /** Galaxies left out (`--on-bad skip`), with the reason of each. */
  skipped: LeftOut[];
  /** Shards found done when the run started (resumed). */
  shardsDoneBefore: number;
  /** Galaxies per second of shard compute in this run (null when it made no shard). */
  galaxiesPerSecond: number | null;
  seconds: number;
  peakRssMb: number;
}

/** Embeds every shard of the catalog not done yet, then checks the store, fits the PCA and writes the report. */
export async function embed(given: Partial<EmbedOptions> & Pick<EmbedOptions, 'catalog' | 'out'>): Promise<EmbedResult> {
  const options = resolveFields(EMBED_FIELDS, given);
  const started = performance.now();
  using run = new RunFolder(options.out);
  run.log(describeBackend());
  const { spec } = await embedTableSpec(options);
  const { info, dimension, preprocessing } = spec.settings;
  run.writeJson('config.json', { command: 'embed', ...options, encoder: info, dimension, preprocessing });
  const table = ShardedTable.create(options.out, spec, { restart: options.restart });
  const stats = await makeMissingShards(table, run, () => new EmbedShardRunner(table), { label: 'embed', verb: 'embedded', progress: options.progress });
  const finished = await finishEmbedTable(table, run, { ...stats, seconds: (performance.now() - started) / 1000 });
  return {
    galaxies: finished.galaxies, dimension: finished.store.dimension, manifest: finished.store.manifest, pcaVariance: finished.pcaVariance, skipped: finished.leftOut,
    shardsDoneBefore: stats.shardsDoneBefore, galaxiesPerSecond: stats.galaxiesPerSecond, seconds: (performance.now() - started) / 1000, peakRssMb: finished.peakRssMb,
  };
}
