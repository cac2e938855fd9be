/**
 * The shards of an embeddings store, for `galmorph embed` on one machine and the queue's `embed` jobs on many
 * (src/jobs) alike. The catalog is planned in one streaming pass (data/catalogShards.ts); each shard's rows are
 * read, decoded in a worker thread a few batches ahead, embedded with embed's encoder (embedEncoder.ts: the trained
 * encoder, the untrained one or pooled pixels) and written as a shard of `id` + float32 `e0 … e{d-1}` with its
 * receipt (data/shardedTable.ts), so the folder is an embeddings store (data/embeddingStore.ts) as soon as every
 * shard is done. `finishEmbedTable` then fits the PCA over the shards (streamed) and writes the report.
 *
 * Shard k's vectors do not depend on which process or machine made it (the encoder has no randomness at
 * inference, and the untrained network's weights come from the manifest's seed).
 */
import { resolve } from 'node:path';
import { ImageDataset } from '../../data/dataset.js';
import type { PreprocessOptions } from '../../data/preprocess.js';
import { planCatalogShards, readShardRows, type CatalogShardPlan } from '../../data/catalogShards.js';
import { EMBEDDINGS_KIND, EMBEDDINGS_PCA_FILE, EmbeddingStore, embeddingColumns, embeddingVectors, type EmbeddingTableSettings } from '../../data/embeddingStore.js';
import { ShardedTable, scanFinishedTable, strayTemporaryFiles, type LeftOut, type ShardReceipt, type ShardedTableSpec } from '../../data/shardedTable.js';
import { PcaAccumulator } from '../../explore/pca.js';
import { resolveModelFolder } from '../../models/pretrained.js';
import { writeCsvTable } from '../../report/csvTable.js';
import { lineChart } from '../../report/lineChart.js';
import { writeFigure } from '../../report/writeFigure.js';
import { InputError } from '../../util/errors.js';
import { yieldToEventLoop } from '../../util/interrupt.js';
import { formatSeconds } from '../../util/progress.js';
import type { RunFolder } from '../../util/runFolder.js';
import { modelId } from '../predict/predictShards.js';
import type { EmbedOptions } from './embed.js';
import { openEncoder, type Encoder, type EncoderOptions } from './embedEncoder.js';

/** Batches a shard's decode worker thread keeps ready ahead of the encoder. */
const PREFETCH_BATCHES = 2;

/** What every shard of an embed table is made with (the manifest's `settings`). */
export interface EmbedShardSettings extends EncoderOptions, EmbeddingTableSettings {
  batchSize: number;
  onBad: 'error' | 'skip';
  pca: number[];
  /** The model's image preprocessing (crop, size, colour), for tools that show or embed images the same way. */
  preprocessing: PreprocessOptions;
  catalog: Omit<CatalogShardPlan, 'shards' | 'rows' | 'identity' | 'source'>;
}

/** The spec of the table `embed` and `queue submit embed` make (one home for both). */
export async function embedTableSpec(options: EmbedOptions): Promise<{ spec: ShardedTableSpec; plan: CatalogShardPlan }> {
  const encoder = openEncoder(options);
  const { info, dimension, preprocessing } = encoder;
  encoder.dispose();
  const plan = await planCatalogShards(options.catalog, options.shardSize, { allowAbsolutePaths: options.allowAbsolutePaths });
  const { kind, header, idColumn, imageColumn, imageDir, allowAbsolutePaths } = plan;
  const settings: EmbedShardSettings = {
    model: resolve(resolveModelFolder(options.model)), representation: options.representation, layer: options.layer, pixelSize: options.pixelSize, seed: options.seed,
    // only when on, so the fingerprint of stores made before --tta existed is unchanged
    ...(options.tta ? { tta: true } : {}),
    batchSize: options.batchSize, onBad: options.onBad, pca: options.pca, info, dimension, preprocessing, catalog: { kind, header, idColumn, imageColumn, imageDir, allowAbsolutePaths },
  };
  const spec: ShardedTableSpec = {
    kind: EMBEDDINGS_KIND,
    model: { name: options.model, id: modelId(settings.model) },
    settings: settings as unknown as Record<string, unknown>,
    catalog: { source: plan.source, rows: plan.rows, identity: plan.identity },
    shardSize: options.shardSize,
    shards: plan.shards,
  };
  return { spec, plan };
}

/** Makes shards of one embed table; opens the encoder once (a queue worker keeps one per table). */
export class EmbedShardRunner {
  private readonly settings: EmbedShardSettings;
  private readonly plan: CatalogShardPlan;
  private readonly encoder: Encoder;

  constructor(readonly table: ShardedTable) {
    const m = table.manifest;
    if (m.kind !== EMBEDDINGS_KIND) throw new InputError(`the table was made by "${m.kind}", not embed`, { file: table.dir }, 'pass the folder of an embed job');
    this.settings = m.settings as unknown as EmbedShardSettings;
    this.plan = { ...this.settings.catalog, source: m.catalog.source, rows: m.catalog.rows, identity: m.catalog.identity, shards: m.shards };
    this.encoder = openEncoder(this.settings);
  }

  /** Makes shard `index` and writes it (replacing whatever was there); returns its receipt. */
  async run(index: number): Promise<ShardReceipt> {
    const t0 = performance.now();
    const { rows, leftOut } = await readShardRows(this.plan, this.table.shard(index), this.settings.onBad);
    const d = this.encoder.dimension;
    const ids: string[] = [];
    const vectors = new Float32Array(rows.length * d);
    const all: LeftOut[] = [...leftOut];
    if (rows.length > 0) {
      const dataset = new ImageDataset(rows, { preprocess: this.encoder.preprocessing, shuffle: false, batchSize: this.settings.batchSize, prefetch: PREFETCH_BATCHES, cache: 'stream', onBad: this.settings.onBad });
      for await (const batch of dataset.batches(0)) {
        const [h, w, c] = batch.shapes.images;
        vectors.set(this.encoder.embed(batch.arrays.images, [batch.size, h, w, c]), ids.length * d);
        ids.push(...batch.ids);
        // Let the queue worker's lock timer run between batches (see predictPasses).
        await yieldToEventLoop();
      }
      all.push(...dataset.badImages.map((b) => ({ id: b.id, reason: b.reason })));
    }
    const columns = embeddingColumns(ids, vectors.subarray(0, ids.length * d), d, this.table.dir);
    return this.table.writeShard(index, columns, { leftOut: all, seconds: (performance.now() - t0) / 1000 });
  }

  dispose(): void {
    this.encoder.dispose();
  }
}

/** How the shards were made, for the report (null where unknown, e.g. after a queue). */
export interface EmbedRunStats {
  seconds: number | null;
  galaxiesPerSecond: number | null;
  galaxiesPerCpuSecond: number | null;
  shardsDoneBefore: number | null;
}

export interface EmbedTableResult {
  store: EmbeddingStore;
  galaxies: number;
  leftOut: LeftOut[];
  shards: number;
  /** Share of the variance the first k PCA components hold, per requested k. */
  pcaVariance: Record<string, number>;
  peakRssMb: number;
}

/**
 * Checks every shard of a finished embed table (receipt, size, SHA-256, ids unique), fits the PCA over them in one
 * stream and writes pca.json, pca_variance.csv/.png, results.json and summary.md into the table's folder
 * (`galmorph embed` at its end; `galmorph queue merge`).
 */
export async function finishEmbedTable(table: ShardedTable, run: RunFolder, stats: EmbedRunStats): Promise<EmbedTableResult> {
  const m = table.manifest;
  const s = m.settings as unknown as EmbedShardSettings;
  const d = s.dimension;
  const accumulator = new PcaAccumulator(d);
  const scan = await scanFinishedTable(table, (columns) => accumulator.add(embeddingVectors(columns, d)));
  if (scan.rows < 2) {
    throw new InputError(`only ${scan.rows} galaxies could be embedded (${scan.leftOut.length} left out); a store needs at least 2`, { file: m.catalog.source },
      'fix the catalog and images (galmorph check lists every problem)');
  }
  const largest = Math.max(...s.pca);
  const pca = accumulator.fit(largest);
  run.writeJson(EMBEDDINGS_PCA_FILE, pca.toJSON());
  const ratio = pca.json.explainedVarianceRatio;
  const cumulative = ratio.map(((sum) => (r: number) => (sum += r))(0));
  const pcaVariance = Object.fromEntries(s.pca.map((k) => [String(k), cumulative[Math.min(k, cumulative.length) - 1]]));
  if (pca.components < largest) run.log(`PCA: ${pca.components} components fitted (${largest} asked; limited by the dimension ${d} or the ${scan.rows} galaxies)`);
  writeCsvTable(run.path('pca_variance.csv'), ratio.map((r, k) => ({ component: k + 1, variance: pca.json.explainedVariance[k], ratio: r, cumulative: cumulative[k] })));
  await writeFigure(run.path('pca_variance'), lineChart([{ label: 'cumulative', x: cumulative.map((_, k) => k + 1), y: cumulative }], {
    title: `PCA of ${s.info.name} embeddings (${d}-d, ${scan.rows} galaxies)`, xLabel: 'components', yLabel: 'share of variance', yRange: [0, 1], legend: false,
  }));
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const stray = strayTemporaryFiles(table.dir);
  run.writeJson('results.json', {
    galaxies: scan.rows, dimension: d, shards: scan.shards, shardSize: m.shardSize, pcaComponents: pca.components, pcaVariance,
    skippedCount: scan.leftOut.length, skipped: scan.leftOut.slice(0, 1000), shardsDoneBefore: stats.shardsDoneBefore, seconds: stats.seconds,
    galaxiesPerSecond: stats.galaxiesPerSecond, galaxiesPerCpuSecond: stats.galaxiesPerCpuSecond, shardSeconds: scan.shardSeconds, peakRssMb,
    model: m.model, catalog: m.catalog, fingerprint: m.fingerprint, idsCheckedUnique: scan.idsChecked, strayTemporaryFiles: stray.length,
  });
  run.writeText('summary.md', [
    '# Embeddings',
    '',
    `${scan.rows} galaxies from \`${m.catalog.source}\` → ${d}-d vectors: ${s.info.name}, ${s.info.layer}.`,
    `Stored as ${scan.shards} Parquet shard(s) of up to ${m.shardSize} galaxies with receipts (\`shards/\`, manifest \`manifest.json\`), every shard checked (size, SHA-256); ` +
      `PCA with ${pca.components} components in \`${EMBEDDINGS_PCA_FILE}\`.`,
    '',
    ...s.pca.map((k) => `- first ${Math.min(k, pca.components)} components: ${(100 * (pcaVariance[String(k)] ?? 0)).toFixed(1)}% of the variance`),
    '',
    scan.leftOut.length > 0 ? `Left out (--on-bad skip): ${scan.leftOut.length} galaxies (reasons in results.json and the shards' receipts).` : 'No galaxies were left out.',
    stats.galaxiesPerSecond === null ? '' : `This run: ${stats.galaxiesPerSecond.toFixed(1)} galaxies/s of shard compute (wall clock), ` +
      `${stats.galaxiesPerCpuSecond?.toFixed(1) ?? '?'} per CPU second; ${stats.shardsDoneBefore ?? 0} shards were already done. Peak RSS ${peakRssMb} MB.`,
    `Shard compute in total: ${formatSeconds(scan.shardSeconds)}.`,
    '',
  ].join('\n'));
  run.log(`${scan.rows} embeddings in ${scan.shards} shards checked, PCA fitted: ${table.dir}; peak RSS ${peakRssMb} MB`);
  return { store: EmbeddingStore.open(table.dir), galaxies: scan.rows, leftOut: scan.leftOut, shards: scan.shards, pcaVariance, peakRssMb };
}
