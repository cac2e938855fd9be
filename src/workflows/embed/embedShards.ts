/**
 * Embedding a catalog of any size over many machines: the `embed` kind of the shard queue (`galmorph queue submit
 * embed`, src/jobs). Each shard job embeds its catalog rows with `embed`'s encoder (embedEncoder.ts: the trained
 * encoder, the untrained one or pooled pixels) and writes a shard of `id` + float32 `e0 … e{d-1}` with its receipt
 * (data/shardedTable.ts); the merge checks every shard and streams them, in catalog order, into an ordinary
 * embeddings store (data/embeddingStore.ts) with its PCA in `<out>/embeddings/`, the folder that map, similar,
 * anomalies and finetune read. (`galmorph embed` on one machine writes the same store directly.)
 */
import { join, resolve } from 'node:path';
import { ImageDataset } from '../../data/dataset.js';
import { planCatalogShards, readShardRows, type CatalogShardPlan } from '../../data/catalogShards.js';
import { EmbeddingWriter, type EmbeddingModelInfo } from '../../data/embeddingStore.js';
import { ShardedTable, type LeftOut, type ShardColumn, type ShardReceipt, type ShardedTableSpec } from '../../data/shardedTable.js';
import { PcaAccumulator } from '../../explore/pca.js';
import { resolveModelFolder } from '../../models/pretrained.js';
import { InputError } from '../../util/errors.js';
import { yieldToEventLoop } from '../../util/interrupt.js';
import { RunFolder } from '../../util/runFolder.js';
import { modelId } from '../predict/predictShards.js';
import { PCA_FILE, type EmbedOptions } from './embed.js';
import { openEncoder, type Encoder, type EncoderOptions } from './embedEncoder.js';

/** The store folder `queue merge` writes inside an embed table's folder. */
export const EMBED_STORE_FOLDER = 'embeddings';

/** What every shard of an embed table is made with (the manifest's `settings`). */
interface EmbedShardSettings extends EncoderOptions {
  batchSize: number;
  onBad: 'error' | 'skip';
  pca: number[];
  /** The encoder's description, for the store's manifest. */
  info: EmbeddingModelInfo;
  dimension: number;
  catalog: Omit<CatalogShardPlan, 'shards' | 'rows' | 'identity' | 'source'>;
}

/** The spec of the table `queue submit embed` makes. */
export async function embedTableSpec(options: EmbedOptions): Promise<ShardedTableSpec> {
  const encoder = openEncoder(options);
  const { info, dimension } = encoder;
  encoder.dispose();
  const plan = await planCatalogShards(options.catalog, options.shardSize, { allowAbsolutePaths: options.allowAbsolutePaths });
  const { kind, header, idColumn, imageColumn, imageDir, allowAbsolutePaths } = plan;
  const settings: EmbedShardSettings = {
    model: resolve(resolveModelFolder(options.model)), representation: options.representation, layer: options.layer, pixelSize: options.pixelSize, seed: options.seed,
    batchSize: options.batchSize, onBad: options.onBad, pca: options.pca, info, dimension, catalog: { kind, header, idColumn, imageColumn, imageDir, allowAbsolutePaths },
  };
  return {
    kind: 'embed',
    model: { name: options.model, id: modelId(settings.model) },
    settings: settings as unknown as Record<string, unknown>,
    catalog: { source: plan.source, rows: plan.rows, identity: plan.identity },
    shardSize: options.shardSize,
    shards: plan.shards,
  };
}

/** Makes shards of one embed table; opens the encoder once. */
export class EmbedShardRunner {
  private readonly settings: EmbedShardSettings;
  private readonly plan: CatalogShardPlan;
  private readonly encoder: Encoder;

  constructor(readonly table: ShardedTable) {
    const m = table.manifest;
    this.settings = m.settings as unknown as EmbedShardSettings;
    this.plan = { ...this.settings.catalog, source: m.catalog.source, rows: m.catalog.rows, identity: m.catalog.identity, shards: m.shards };
    this.encoder = openEncoder(this.settings);
  }

  async run(index: number): Promise<ShardReceipt> {
    const t0 = performance.now();
    const { rows, leftOut } = await readShardRows(this.plan, this.table.shard(index), this.settings.onBad);
    const d = this.encoder.dimension;
    const ids: string[] = [];
    const vectors = new Float32Array(rows.length * d);
    const all: LeftOut[] = [...leftOut];
    if (rows.length > 0) {
      const dataset = new ImageDataset(rows, { preprocess: this.encoder.preprocessing, shuffle: false, batchSize: this.settings.batchSize, prefetch: 2, cache: 'stream', onBad: this.settings.onBad });
      for await (const batch of dataset.batches(0)) {
        const [h, w, c] = batch.shapes.images;
        vectors.set(this.encoder.embed(batch.arrays.images, [batch.size, h, w, c]), ids.length * d);
        ids.push(...batch.ids);
        // Let the queue worker's lock timer run between batches (see predictPasses).
        await yieldToEventLoop();
      }
      all.push(...dataset.badImages.map((b) => ({ id: b.id, reason: b.reason })));
    }
    const columns: ShardColumn[] = [{ name: 'id', type: 'STRING', data: ids }];
    for (let j = 0; j < d; j++) columns.push({ name: `e${j}`, type: 'FLOAT', data: Float32Array.from({ length: ids.length }, (_, i) => vectors[i * d + j]) });
    return this.table.writeShard(index, columns, { leftOut: all, seconds: (performance.now() - t0) / 1000 });
  }

  dispose(): void {
    this.encoder.dispose();
  }
}

/**
 * Checks every shard of a finished embed table and streams them into an embeddings store with its PCA in
 * `<table>/embeddings/` (`galmorph queue merge`).
 */
export async function finishEmbedTable(table: ShardedTable, run: RunFolder): Promise<{ galaxies: number; leftOut: LeftOut[]; shards: number; store: string }> {
  const missing = table.missing();
  if (missing.length > 0) {
    throw new InputError(`${missing.length} of ${table.shardCount} shards are not finished (first: ${missing.slice(0, 5).join(', ')})`, { file: table.dir },
      'start workers (galmorph worker) or submit again until every shard is done; galmorph queue status shows progress and failures');
  }
  const m = table.manifest;
  const s = m.settings as unknown as EmbedShardSettings;
  const store = join(table.dir, EMBED_STORE_FOLDER);
  const writer = new EmbeddingWriter(store, { model: s.info, dimension: s.dimension, shardSize: m.shardSize, ...(m.catalog.source.startsWith('sim:') ? {} : { catalog: m.catalog.source }) });
  const pca = new PcaAccumulator(s.dimension);
  const leftOut: LeftOut[] = [];
  for (let k = 0; k < table.shardCount; k++) {
    const [ids, ...components] = await table.readShard(k);
    const n = ids.data.length;
    const vectors = new Float32Array(n * s.dimension);
    components.forEach((c, j) => {
      for (let i = 0; i < n; i++) vectors[i * s.dimension + j] = c.data[i] as number;
    });
    writer.append(ids.data as string[], vectors);
    pca.add(vectors);
    leftOut.push(...table.receipt(k, { checksum: false })!.leftOut);
  }
  const manifest = writer.finish();
  const fitted = pca.fit(Math.max(...s.pca));
  run.writeJson(join(EMBED_STORE_FOLDER, PCA_FILE), fitted.toJSON());
  run.writeJson('results.json', { galaxies: manifest.count, dimension: s.dimension, shards: table.shardCount, leftOutCount: leftOut.length, leftOut: leftOut.slice(0, 1000), store, pcaComponents: fitted.components });
  run.log(`merged ${table.shardCount} shards, ${manifest.count} embeddings into the store ${store}`);
  return { galaxies: manifest.count, leftOut, shards: table.shardCount, store };
}
