/**
 * An embeddings store: one float32 vector per galaxy. It is a sharded table (shardedTable.ts) of kind "embed" —
 * the same manifest, receipts, checksums, resume and refusal of changed settings as every sharded job — so
 * `galmorph embed`, the queue's embed jobs and the writers below all make the same folder, and `map`, `similar`,
 * `anomalies`, `choose-k` and `finetune` read it through `EmbeddingStore`.
 *
 * Layout of a store folder `D` (the embed run folder, or the --out folder of `queue submit embed`):
 *
 *   D/manifest.json                  the sharded table's manifest; its settings hold `info` (EmbeddingModelInfo:
 *                                    the model and layer that made the vectors) and `dimension`
 *   D/shards/part-00000.parquet      columns `id` (STRING) and `e0` … `e{d-1}` (FLOAT, i.e. float32), one row a
 *   D/shards/part-00000.done.json    galaxy, in catalog order; the receipt (rows, bytes, SHA-256, left-out galaxies)
 *   D/pca.json                       (EMBEDDINGS_PCA_FILE) the PCA fitted over the store, `Pca.load` (explore/pca.ts)
 *
 * A store opens only when every shard has its receipt and the size it records; a shard's SHA-256 is checked as
 * it is read. A store of the earlier format (embeddings.json) is converted in place when first opened.
 * API (all a reader needs):
 *
 *   const store = EmbeddingStore.open(dir);          // throws InputError naming the folder or file
 *   store.dimension, store.count, store.manifest      // manifest.model = { name, kind, source, layer }, .catalog
 *   for await (const shard of store.shards()) {       // streaming, one shard in memory at a time
 *     shard.ids;      // string[] (length n)
 *     shard.vectors;  // Float32Array, n × dimension, row-major: galaxy i is vectors.subarray(i*d, (i+1)*d)
 *     shard.offset;   // index of the shard's first galaxy in the whole store
 *   }
 *   const all = await store.loadAll();                 // { ids, vectors } for catalogs that fit in memory
 *
 *   writeEmbeddings(dir, ids, vectors, { model, dimension })   // a whole store from memory (tests, other tools)
 *   new EmbeddingWriter(dir, { model, dimension, count }).append(ids, vectors) … .finish()   // streamed
 */
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, OptionError } from '../util/errors.js';
import {
  planShards, SHARDED_TABLE_MANIFEST, SHARDED_TABLE_SHARDS, shardFile, ShardedTable, type ShardColumn, type ShardedTableManifest, type ShardedTableSpec,
} from './shardedTable.js';

/** The sharded-table kind of an embeddings store. */
export const EMBEDDINGS_KIND = 'embed';
/** The PCA fitted over a store, saved beside its shards (`galmorph embed`, `queue merge`). */
export const EMBEDDINGS_PCA_FILE = 'pca.json';
/** The file that marks a store folder: the sharded table's manifest, of kind "embed" (isEmbeddingStore checks the kind). */
export const EMBEDDINGS_MANIFEST = SHARDED_TABLE_MANIFEST;
/** Galaxies per shard unless told otherwise (10,000 × 512 float32 ≈ 20 MB in memory). */
export const DEFAULT_SHARD_SIZE = 10_000;
/** `loadAll` refuses stores larger than this unless given a larger `maxRows` (2M × 40 float32 = 320 MB). */
export const DEFAULT_LOAD_ALL_LIMIT = 2_000_000;

/** Which model and layer produced the vectors. */
export interface EmbeddingModelInfo {
  /** Shipped model name or folder the user gave (e.g. "gz2"), or a descriptive name ("raw-pixels"). */
  name: string;
  /** Model kind (registry kind such as "bayesian-cnn", or e.g. "raw-pixels"). */
  kind: string;
  /** Resolved folder the weights came from ("" when there are none). */
  source: string;
  /** What the vector is, e.g. "pooled encoder features (global mean of the last convolution block)". */
  layer: string;
}

/** What the settings of every embeddings table hold (embed's add the encoder and catalog it read). */
export interface EmbeddingTableSettings {
  info: EmbeddingModelInfo;
  dimension: number;
}

/** A store as its readers see it. */
export interface EmbeddingManifest {
  model: EmbeddingModelInfo;
  dimension: number;
  /** Galaxies in the store (the shards' rows; galaxies left out are not counted). */
  count: number;
  shardSize: number;
  /** Rows of each shard, in order. */
  shards: { rows: number }[];
  /** Catalog (table file) the galaxies came from, so map/similar can show their images; absent when unknown or virtual. */
  catalog?: string;
  /** The settings the store was made with (embed's encoder options, or just info and dimension). */
  settings: Record<string, unknown>;
  /** The table's fingerprint: stores with equal fingerprints hold the same vectors. */
  fingerprint: string;
  createdAt: string;
}

/** One shard's galaxies: ids and their vectors (n × dimension, row-major). */
export interface EmbeddingShard {
  index: number;
  /** Index of the shard's first galaxy in the whole store. */
  offset: number;
  ids: string[];
  vectors: Float32Array;
}

/** All of a store's galaxies in memory. */
export interface EmbeddingTable {
  ids: string[];
  vectors: Float32Array;
  dimension: number;
}

export function componentColumnNames(dimension: number): string[] {
  return Array.from({ length: dimension }, (_, j) => `e${j}`);
}

/**
 * Row-major vectors → a shard's columns (`id`, then one float32 column per component), refusing a wrong number of
 * values or a non-finite component, naming the galaxy (`where`: the folder, for the message).
 */
export function embeddingColumns(ids: readonly string[], vectors: ArrayLike<number>, dimension: number, where: string): ShardColumn[] {
  const n = ids.length;
  if (vectors.length !== n * dimension) {
    throw new InputError(`got ${vectors.length} values for ${n} galaxies of dimension ${dimension} (expected ${n * dimension})`, { file: where }, 'every vector of a store has the same dimension');
  }
  const columns: ShardColumn[] = [{ name: 'id', type: 'STRING', data: [...ids] }];
  componentColumnNames(dimension).forEach((name, j) => {
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const v = vectors[i * dimension + j];
      if (!Number.isFinite(v)) {
        throw new InputError(`galaxy "${ids[i]}" has a non-finite embedding component e${j} (${v})`, { file: where }, 'check the model and the image (a NaN usually means a broken checkpoint or an empty image)');
      }
      data[i] = v;
    }
    columns.push({ name, type: 'FLOAT', data });
  });
  return columns;
}

/** A shard's component columns (after `id`) → row-major vectors, n × dimension. */
export function embeddingVectors(columns: readonly ShardColumn[], dimension: number): Float32Array {
  const n = columns[0].data.length;
  const vectors = new Float32Array(n * dimension);
  for (let j = 0; j < dimension; j++) {
    const c = columns[j + 1].data;
    for (let i = 0; i < n; i++) vectors[i * dimension + j] = c[i] as number;
  }
  return vectors;
}

export interface EmbeddingWriterOptions {
  model: EmbeddingModelInfo;
  dimension: number;
  /** Galaxies per shard. @default 10000 */
  shardSize?: number;
  /** Catalog (table file) the galaxies come from. @default undefined */
  catalog?: string;
}

/**
 * Streams vectors of `count` galaxies (known in advance: the shards' row ranges are planned first) into a new store
 * folder, replacing any store there: `append` writes each shard as it fills, `finish` checks that all `count`
 * galaxies came and opens the store.
 */
export class EmbeddingWriter {
  readonly table: ShardedTable;
  private readonly dimension: number;
  private pendingIds: string[] = [];
  private pending = new Float32Array(0);
  private nextShard = 0;

  constructor(readonly dir: string, options: EmbeddingWriterOptions & { count: number }) {
    if (!Number.isInteger(options.dimension) || options.dimension < 1) throw new OptionError('dimension', 'a positive integer', options.dimension);
    if (!Number.isInteger(options.count) || options.count < 1) throw new OptionError('count', 'a positive integer', options.count);
    const shardSize = options.shardSize ?? DEFAULT_SHARD_SIZE;
    this.dimension = options.dimension;
    const settings: EmbeddingTableSettings = { info: options.model, dimension: options.dimension };
    const spec: ShardedTableSpec = {
      kind: EMBEDDINGS_KIND, model: { name: options.model.name, id: '' }, settings: settings as unknown as Record<string, unknown>,
      catalog: { source: options.catalog ?? '', rows: options.count, identity: '' }, shardSize, shards: planShards(options.count, shardSize),
    };
    rmSync(join(dir, SHARDED_TABLE_MANIFEST), { force: true });
    rmSync(join(dir, SHARDED_TABLE_SHARDS), { recursive: true, force: true });
    this.table = ShardedTable.create(dir, spec);
    this.pending = new Float32Array(this.shardRows() * this.dimension);
  }

  private shardRows(): number {
    const s = this.table.manifest.shards[this.nextShard];
    return s === undefined ? 0 : s.rowEnd - s.rowStart;
  }

  /** Adds galaxies: `vectors` holds ids.length × dimension values, row-major. */
  append(ids: readonly string[], vectors: ArrayLike<number>): void {
    const d = this.dimension;
    if (vectors.length !== ids.length * d) {
      throw new InputError(`got ${vectors.length} values for ${ids.length} galaxies of dimension ${d} (expected ${ids.length * d})`, { file: this.dir }, 'every vector of a store has the same dimension');
    }
    for (let i = 0; i < ids.length; i++) {
      if (this.nextShard >= this.table.shardCount) throw new InputError(`more than the ${this.table.manifest.catalog.rows} galaxies announced`, { file: this.dir }, 'give the writer the right count');
      for (let j = 0; j < d; j++) this.pending[this.pendingIds.length * d + j] = vectors[i * d + j];
      this.pendingIds.push(ids[i]);
      if (this.pendingIds.length === this.shardRows()) {
        this.table.writeShard(this.nextShard, embeddingColumns(this.pendingIds, this.pending, d, this.dir), { leftOut: [], seconds: 0 });
        this.nextShard++;
        this.pendingIds = [];
        this.pending = new Float32Array(this.shardRows() * d);
      }
    }
  }

  /** Checks that every galaxy came and opens the store. */
  finish(): EmbeddingStore {
    if (this.nextShard < this.table.shardCount) {
      const written = this.table.shard(this.nextShard).rowStart + this.pendingIds.length;
      throw new InputError(`${written} of the ${this.table.manifest.catalog.rows} galaxies announced were appended`, { file: this.dir }, 'append every galaxy before finish');
    }
    return EmbeddingStore.open(this.dir);
  }
}

/** Writes a whole store from memory (small catalogs, tests). */
export function writeEmbeddings(dir: string, ids: readonly string[], vectors: ArrayLike<number>, options: EmbeddingWriterOptions): EmbeddingStore {
  const writer = new EmbeddingWriter(dir, { ...options, count: ids.length });
  writer.append(ids, vectors);
  return writer.finish();
}

/** Whether `dir` holds the manifest of an embeddings store (its kind only; the store may still be unfinished). */
export function isEmbeddingStore(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(dir, SHARDED_TABLE_MANIFEST), 'utf8')) as { kind?: unknown }).kind === EMBEDDINGS_KIND;
  } catch {
    return false;
  }
}

/** The manifest of the stores galmorph wrote before a store was a sharded table. */
const LEGACY_MANIFEST = 'embeddings.json';
/** embed's options that say how a store's vectors were made (kept in the manifest's settings). */
const ENCODER_KEYS = ['model', 'representation', 'layer', 'pixelSize', 'seed', 'preprocessing'];

/**
 * Converts a store of the earlier format (embeddings.json, shards without receipts) into a sharded table in place,
 * so stores made before still open: manifest.json with the same model, dimension, catalog and shards (plus the
 * encoder options of the embed run's config.json), and a receipt per shard after its size is checked against
 * embeddings.json. The shard files stay as they are.
 */
function upgradeLegacyStore(dir: string): void {
  const path = join(dir, LEGACY_MANIFEST);
  const bad = (what: string) => new InputError(`cannot convert the embeddings store of an earlier galmorph: ${what}`, { file: path }, 'run galmorph embed again into a fresh --out folder');
  let legacy: { format?: string; model?: EmbeddingModelInfo; dimension?: number; count?: number; shardSize?: number; catalog?: string; shards?: { file: string; rows: number; bytes: number }[] };
  try {
    legacy = JSON.parse(readFileSync(path, 'utf8')) as typeof legacy;
  } catch (e) {
    throw bad((e as Error).message);
  }
  if (legacy.format !== 'galmorph-embeddings' || legacy.model === undefined || !Number.isInteger(legacy.dimension) || !Array.isArray(legacy.shards)) throw bad('not a galmorph embeddings manifest');
  const configPath = join(dir, 'config.json');
  const config = existsSync(configPath) ? (JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>) : {};
  const encoder = config.command === 'embed' ? Object.fromEntries(ENCODER_KEYS.filter((k) => k in config).map((k) => [k, config[k]])) : {};
  let at = 0;
  const shards = legacy.shards.map((s, index) => {
    if (s.file !== shardFile(index) || !existsSync(join(dir, s.file)) || statSync(join(dir, s.file)).size !== s.bytes) throw bad(`shard ${s.file} is missing or not the size embeddings.json says`);
    return { index, rowStart: at, rowEnd: (at += s.rows) };
  });
  const settings = { ...encoder, info: legacy.model, dimension: legacy.dimension };
  const table = ShardedTable.create(dir, {
    kind: EMBEDDINGS_KIND, model: { name: legacy.model.name, id: '' }, settings, shardSize: legacy.shardSize ?? DEFAULT_SHARD_SIZE, shards,
    catalog: { source: legacy.catalog ?? '', rows: at, identity: `converted from ${LEGACY_MANIFEST}` },
  });
  shards.forEach((s) => table.recordShard(s.index, { rows: s.rowEnd - s.rowStart, leftOut: [], seconds: 0 }));
}

const HINT_EMBED = 'pass the --out folder of a galmorph embed run (or of queue submit embed, after its merge)';

/** The reader's view of an embed table's manifest, or an InputError saying what is wrong with it. */
function describeStore(dir: string, table: ShardedTable, counts: number[]): EmbeddingManifest {
  const m: ShardedTableManifest = table.manifest;
  const path = join(dir, SHARDED_TABLE_MANIFEST);
  if (m.kind !== EMBEDDINGS_KIND) throw new InputError(`the folder holds a "${m.kind}" table, not embeddings`, { file: path }, HINT_EMBED);
  const s = m.settings as Partial<EmbeddingTableSettings>;
  if (!Number.isInteger(s.dimension) || (s.dimension as number) < 1) throw new InputError('not an embeddings manifest: settings.dimension is not a positive integer', { file: path }, HINT_EMBED);
  if (typeof s.info?.name !== 'string') throw new InputError('not an embeddings manifest: settings.info (the model) is missing', { file: path }, HINT_EMBED);
  const source = m.catalog.source;
  return {
    model: s.info, dimension: s.dimension as number, count: counts.reduce((a, b) => a + b, 0), shardSize: m.shardSize, shards: counts.map((rows) => ({ rows })),
    ...(source === '' || source.startsWith('sim:') ? {} : { catalog: source }), settings: m.settings, fingerprint: m.fingerprint, createdAt: m.createdAt,
  };
}

/** A store folder opened for reading (see the module comment). */
export class EmbeddingStore {
  private readonly offsets: number[];

  private constructor(readonly dir: string, readonly table: ShardedTable, readonly manifest: EmbeddingManifest) {
    this.offsets = [];
    let at = 0;
    for (const s of manifest.shards) {
      this.offsets.push(at);
      at += s.rows;
    }
  }

  /** Opens a store: the manifest must be an embed table's and every shard must have its receipt and size. */
  static open(dir: string): EmbeddingStore {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError('no such embeddings folder', { file: dir }, HINT_EMBED);
    if (!existsSync(join(dir, SHARDED_TABLE_MANIFEST))) {
      if (!existsSync(join(dir, LEGACY_MANIFEST))) throw new InputError(`not an embeddings store: no ${SHARDED_TABLE_MANIFEST}`, { file: dir }, HINT_EMBED);
      upgradeLegacyStore(dir);
    }
    const table = ShardedTable.open(dir);
    const counts: number[] = [];
    const missing: number[] = [];
    for (let k = 0; k < table.shardCount; k++) {
      const receipt = table.receipt(k, { checksum: false });
      if (receipt === null) missing.push(k);
      else counts.push(receipt.rows);
    }
    const manifest = describeStore(dir, table, counts);
    if (missing.length > 0) {
      throw new InputError(`not a complete embeddings store: ${missing.length} of ${table.shardCount} shards are not finished (first: ${missing.slice(0, 5).join(', ')}; missing, cut or replaced)`,
        { file: dir }, 'run the same galmorph embed command again (it makes only the missing shards), or finish the queue\'s jobs and run galmorph queue merge');
    }
    return new EmbeddingStore(dir, table, manifest);
  }

  get dimension(): number {
    return this.manifest.dimension;
  }

  get count(): number {
    return this.manifest.count;
  }

  /** Path of the store's saved PCA (which may not exist). */
  get pcaPath(): string {
    return join(this.dir, EMBEDDINGS_PCA_FILE);
  }

  /** Reads shard `index` (its SHA-256 checked against the receipt; columns id, e0 … e{d-1}). */
  async readShard(index: number): Promise<EmbeddingShard> {
    if (this.manifest.shards[index] === undefined) throw new OptionError('shard', `an index in [0, ${this.manifest.shards.length - 1}]`, index);
    const d = this.dimension;
    const columns = await this.table.readShard(index);
    const [idColumn, ...components] = columns;
    const want = ['id', ...componentColumnNames(d)].join(',');
    if (columns.map((c) => c.name).join(',') !== want || components.some((c) => c.type !== 'FLOAT')) {
      throw new InputError(`shard has the columns ${columns.map((c) => `${c.name}:${c.type}`).join(', ')}, not id and e0 … e${d - 1} as float32`, { file: join(this.dir, SHARDED_TABLE_SHARDS) }, 'run galmorph embed again into a fresh --out folder');
    }
    return { index, offset: this.offsets[index], ids: idColumn.data as string[], vectors: embeddingVectors(columns, d) };
  }

  /** The shards in order, one in memory at a time. */
  async *shards(): AsyncGenerator<EmbeddingShard> {
    for (let k = 0; k < this.manifest.shards.length; k++) yield await this.readShard(k);
  }

  /** Every galaxy in memory; refuses stores above `maxRows` (stream with `shards()` instead). */
  async loadAll(maxRows = DEFAULT_LOAD_ALL_LIMIT): Promise<EmbeddingTable> {
    if (this.count > maxRows) {
      throw new InputError(`${this.count} galaxies is more than ${maxRows} to hold in memory`, { file: this.dir }, 'use a command that streams the store, or raise the limit');
    }
    const ids: string[] = [];
    const vectors = new Float32Array(this.count * this.dimension);
    for await (const shard of this.shards()) {
      for (const id of shard.ids) ids.push(id);
      vectors.set(shard.vectors, shard.offset * this.dimension);
    }
    return { ids, vectors, dimension: this.dimension };
  }
}
