/**
 * An embeddings store: one float32 vector per galaxy, in Parquet shards of a fixed number of galaxies, described by
 * a manifest. `galmorph embed` writes one; `map`, `similar`, `anomalies` and `finetune` read it.
 *
 * Layout of a store folder `D` (the embed run folder):
 *
 *   D/embeddings.json              the manifest (EmbeddingManifest): format + version, the model that made the
 *                                  vectors, dimension, count, shard size and the shard list with row counts and bytes
 *   D/shards/part-00000.parquet    columns `id` (STRING) and `e0` … `e{d-1}` (FLOAT, i.e. float32), one row a galaxy,
 *   D/shards/part-00001.parquet    `shardSize` rows each except the last; rows in catalog order
 *   D/pca.json                     (written by embed) the fitted PCA, loaded with `Pca.load` (explore/pca.ts)
 *
 * Writing is crash-safe: each shard goes to a temporary file, is flushed to disk and renamed into place; the
 * manifest is written last the same way, so a folder with a manifest has every shard it lists, and a folder cut
 * off mid-write has no manifest and is refused ("not a complete embeddings store"). Readers check every shard's
 * size and row count against the manifest and refuse a missing, torn or foreign shard, naming the file.
 *
 * API (all a reader needs):
 *
 *   const store = EmbeddingStore.open(dir);          // validates the manifest; throws InputError naming the file
 *   store.dimension, store.count, store.manifest      // manifest.model = { name, kind, source, layer }, .catalog
 *   for await (const shard of store.shards()) {       // streaming, one shard in memory at a time
 *     shard.ids;      // string[] (length n)
 *     shard.vectors;  // Float32Array, n × dimension, row-major: galaxy i is vectors.subarray(i*d, (i+1)*d)
 *     shard.offset;   // index of the shard's first galaxy in the whole store
 *   }
 *   const all = await store.loadAll();                 // { ids, vectors } for catalogs that fit in memory
 *                                                      // (refuses above `maxRows`, default 2,000,000)
 *
 *   const writer = new EmbeddingWriter(dir, { model, dimension, shardSize });   // shardSize default 10,000
 *   writer.append(ids, vectors);                       // any number of rows; full shards are written as they fill
 *   const manifest = writer.finish();                  // writes the last shard and the manifest
 *   writeEmbeddings(dir, ids, vectors, { model, dimension })   // the same in one call, for small stores
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parquetMetadata, parquetRead } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { InputError, OptionError } from '../util/errors.js';

export const EMBEDDINGS_FORMAT = 'galmorph-embeddings';
export const EMBEDDINGS_VERSION = 1;
/** The manifest's file name inside a store folder. */
export const EMBEDDINGS_MANIFEST = 'embeddings.json';
export const SHARDS_FOLDER = 'shards';
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

export interface EmbeddingShardInfo {
  /** Path relative to the store folder, e.g. "shards/part-00000.parquet". */
  file: string;
  rows: number;
  bytes: number;
}

export interface EmbeddingManifest {
  format: typeof EMBEDDINGS_FORMAT;
  version: typeof EMBEDDINGS_VERSION;
  model: EmbeddingModelInfo;
  dimension: number;
  count: number;
  shardSize: number;
  /** Column names: `id` and the component columns e0 … e{d-1}. */
  idColumn: 'id';
  componentColumns: string[];
  shards: EmbeddingShardInfo[];
  /** Catalog (table file) the galaxies came from, so map/similar can show their images; absent when unknown. */
  catalog?: string;
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

function shardFileName(index: number): string {
  return `${SHARDS_FOLDER}/part-${String(index).padStart(5, '0')}.parquet`;
}

/** Writes `bytes` to `path` through a flushed temporary file renamed into place (never half a file at `path`). */
function writeFileAtomically(path: string, bytes: Uint8Array): void {
  const temp = `${path}.tmp-${process.pid}`;
  const fd = openSync(temp, 'w');
  try {
    let done = 0;
    while (done < bytes.byteLength) done += writeSync(fd, bytes, done, bytes.byteLength - done);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

/** Encodes one shard as Parquet: `id` STRING plus one FLOAT column per component, one row group. */
export function encodeShard(ids: readonly string[], vectors: Float32Array, dimension: number): Uint8Array {
  const n = ids.length;
  const columnData: { name: string; data: string[] | Float32Array; type: 'STRING' | 'FLOAT' }[] = [{ name: 'id', data: [...ids], type: 'STRING' }];
  const names = componentColumnNames(dimension);
  for (let j = 0; j < dimension; j++) {
    const column = new Float32Array(n);
    for (let i = 0; i < n; i++) column[i] = vectors[i * dimension + j];
    columnData.push({ name: names[j], data: column, type: 'FLOAT' });
  }
  return new Uint8Array(parquetWriteBuffer({ columnData, rowGroupSize: Math.max(1, n), statistics: false }));
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
 * Streams vectors into a store folder: `append` buffers rows and writes each shard as it fills; `finish` writes the
 * last (partial) shard and then the manifest. The folder's previous store (manifest and shards) is removed when
 * the writer is created, so a reader never sees a new manifest with old shards or the reverse.
 */
export class EmbeddingWriter {
  readonly dir: string;
  readonly dimension: number;
  readonly shardSize: number;
  private readonly model: EmbeddingModelInfo;
  private readonly catalog: string | undefined;
  private readonly shards: EmbeddingShardInfo[] = [];
  private pendingIds: string[] = [];
  private pending: Float32Array;
  private count = 0;
  private finished = false;

  constructor(dir: string, options: EmbeddingWriterOptions) {
    if (!Number.isInteger(options.dimension) || options.dimension < 1) throw new OptionError('dimension', 'a positive integer', options.dimension);
    const shardSize = options.shardSize ?? DEFAULT_SHARD_SIZE;
    if (!Number.isInteger(shardSize) || shardSize < 1) throw new OptionError('shardSize', 'a positive integer', shardSize);
    this.dir = dir;
    this.dimension = options.dimension;
    this.shardSize = shardSize;
    this.model = options.model;
    this.catalog = options.catalog;
    this.pending = new Float32Array(shardSize * options.dimension);
    mkdirSync(dir, { recursive: true });
    rmSync(join(dir, EMBEDDINGS_MANIFEST), { force: true });
    rmSync(join(dir, SHARDS_FOLDER), { recursive: true, force: true });
    mkdirSync(join(dir, SHARDS_FOLDER));
  }

  /** Galaxies appended so far. */
  get rows(): number {
    return this.count + this.pendingIds.length;
  }

  /** Adds galaxies: `vectors` holds ids.length × dimension values, row-major. */
  append(ids: readonly string[], vectors: ArrayLike<number>): void {
    if (this.finished) throw new Error('EmbeddingWriter.append after finish');
    const d = this.dimension;
    if (vectors.length !== ids.length * d) {
      throw new InputError(`got ${vectors.length} values for ${ids.length} galaxies of dimension ${d} (expected ${ids.length * d})`, { file: this.dir }, 'every vector of a store has the same dimension');
    }
    for (let i = 0; i < ids.length; i++) {
      const at = this.pendingIds.length;
      for (let j = 0; j < d; j++) {
        const v = vectors[i * d + j];
        if (!Number.isFinite(v)) {
          throw new InputError(`galaxy "${ids[i]}" has a non-finite embedding component e${j} (${v})`, { file: this.dir }, 'check the model and the image (a NaN usually means a broken checkpoint or an empty image)');
        }
        this.pending[at * d + j] = v;
      }
      this.pendingIds.push(ids[i]);
      if (this.pendingIds.length === this.shardSize) this.flush();
    }
  }

  private flush(): void {
    const n = this.pendingIds.length;
    if (n === 0) return;
    const file = shardFileName(this.shards.length);
    const bytes = encodeShard(this.pendingIds, this.pending.subarray(0, n * this.dimension), this.dimension);
    writeFileAtomically(join(this.dir, file), bytes);
    this.shards.push({ file, rows: n, bytes: bytes.byteLength });
    this.count += n;
    this.pendingIds = [];
  }

  /** Writes the last shard and the manifest; returns the manifest. */
  finish(): EmbeddingManifest {
    if (this.finished) throw new Error('EmbeddingWriter.finish called twice');
    this.flush();
    this.finished = true;
    const manifest: EmbeddingManifest = {
      format: EMBEDDINGS_FORMAT,
      version: EMBEDDINGS_VERSION,
      model: this.model,
      dimension: this.dimension,
      count: this.count,
      shardSize: this.shardSize,
      idColumn: 'id',
      componentColumns: componentColumnNames(this.dimension),
      shards: this.shards,
      ...(this.catalog === undefined ? {} : { catalog: this.catalog }),
      createdAt: new Date().toISOString(),
    };
    writeFileAtomically(join(this.dir, EMBEDDINGS_MANIFEST), Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8'));
    return manifest;
  }
}

/** Writes a whole store from memory (small catalogs, tests). */
export function writeEmbeddings(dir: string, ids: readonly string[], vectors: ArrayLike<number>, options: EmbeddingWriterOptions): EmbeddingManifest {
  const writer = new EmbeddingWriter(dir, options);
  writer.append(ids, vectors);
  return writer.finish();
}

const HINT_REEMBED = 'run galmorph embed again into a fresh --out folder';

function parseManifest(path: string): EmbeddingManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new InputError(`cannot read the embeddings manifest (${(e as Error).message})`, { file: path }, HINT_REEMBED);
  }
  const m = raw as Partial<EmbeddingManifest>;
  const bad = (what: string) => new InputError(`not a galmorph embeddings manifest: ${what}`, { file: path }, HINT_REEMBED);
  if (m === null || typeof m !== 'object' || m.format !== EMBEDDINGS_FORMAT) throw bad(`"format" is not "${EMBEDDINGS_FORMAT}"`);
  if (m.version !== EMBEDDINGS_VERSION) throw bad(`version ${String(m.version)} (this galmorph reads version ${EMBEDDINGS_VERSION})`);
  if (!Number.isInteger(m.dimension) || (m.dimension as number) < 1) throw bad('"dimension" is not a positive integer');
  if (!Array.isArray(m.shards)) throw bad('"shards" is not a list');
  if (!Array.isArray(m.componentColumns) || m.componentColumns.length !== m.dimension) throw bad('"componentColumns" does not list one column per dimension');
  let total = 0;
  for (const [k, s] of m.shards.entries()) {
    if (typeof s?.file !== 'string' || !Number.isInteger(s.rows) || !Number.isInteger(s.bytes) || s.file.includes('..')) throw bad(`shard ${k} has no file, rows or bytes`);
    total += s.rows;
  }
  if (total !== m.count) throw bad(`"count" is ${String(m.count)} but the shards hold ${total} rows`);
  if (m.model === undefined || typeof m.model.name !== 'string') throw bad('"model" is missing');
  return m as EmbeddingManifest;
}

/** A store folder opened for reading (see the module comment). */
export class EmbeddingStore {
  readonly dir: string;
  readonly manifest: EmbeddingManifest;

  private constructor(dir: string, manifest: EmbeddingManifest) {
    this.dir = dir;
    this.manifest = manifest;
  }

  /** Opens a store: the manifest is read and every shard listed must exist with the size the manifest gives. */
  static open(dir: string): EmbeddingStore {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new InputError('no such embeddings folder', { file: dir }, 'pass the --out folder of a galmorph embed run');
    }
    const manifestPath = join(dir, EMBEDDINGS_MANIFEST);
    if (!existsSync(manifestPath)) {
      const cut = existsSync(join(dir, SHARDS_FOLDER)) && readdirSync(join(dir, SHARDS_FOLDER)).length > 0;
      throw new InputError(
        cut ? `not a complete embeddings store: shards but no ${EMBEDDINGS_MANIFEST} (the embed run was stopped before it finished)` : `not an embeddings store: no ${EMBEDDINGS_MANIFEST}`,
        { file: dir }, cut ? HINT_REEMBED : 'pass the --out folder of a galmorph embed run',
      );
    }
    const manifest = parseManifest(manifestPath);
    for (const s of manifest.shards) {
      const path = join(dir, s.file);
      if (!existsSync(path)) throw new InputError(`shard listed in ${EMBEDDINGS_MANIFEST} is missing`, { file: path }, HINT_REEMBED);
      const size = statSync(path).size;
      if (size !== s.bytes) {
        throw new InputError(`shard is ${size} bytes but ${EMBEDDINGS_MANIFEST} says ${s.bytes} (torn or replaced)`, { file: path }, HINT_REEMBED);
      }
    }
    return new EmbeddingStore(dir, manifest);
  }

  get dimension(): number {
    return this.manifest.dimension;
  }

  get count(): number {
    return this.manifest.count;
  }

  /** Reads shard `index` (checked against the manifest: rows, columns). */
  async readShard(index: number): Promise<EmbeddingShard> {
    const info = this.manifest.shards[index];
    if (info === undefined) throw new OptionError('shard', `an index in [0, ${this.manifest.shards.length - 1}]`, index);
    const path = join(this.dir, info.file);
    const d = this.dimension;
    const names = this.manifest.componentColumns;
    const column = new Map(names.map((name, j) => [name, j]));
    const ids: string[] = new Array<string>(info.rows);
    const vectors = new Float32Array(info.rows * d);
    try {
      const bytes = readFileSync(path);
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      const metadata = parquetMetadata(buffer);
      if (Number(metadata.num_rows) !== info.rows) {
        throw new Error(`${Number(metadata.num_rows)} rows where ${EMBEDDINGS_MANIFEST} says ${info.rows}`);
      }
      const present = new Set(metadata.schema.slice(1).map((s) => s.name));
      for (const name of ['id', ...names]) if (!present.has(name)) throw new Error(`no column "${name}"`);
      await parquetRead({
        file: buffer,
        metadata,
        columns: ['id', ...names],
        onChunk: ({ columnName, columnData, rowStart, rowEnd }) => {
          const end = Math.min(rowEnd, info.rows);
          if (columnName === 'id') {
            for (let i = rowStart; i < end; i++) ids[i] = String(columnData[i - rowStart]);
            return;
          }
          const j = column.get(columnName);
          if (j === undefined) return;
          for (let i = rowStart; i < end; i++) vectors[i * d + j] = Number(columnData[i - rowStart]);
        },
      });
    } catch (e) {
      throw new InputError(`cannot read embeddings shard (${(e as Error).message})`, { file: path }, HINT_REEMBED);
    }
    const offset = this.manifest.shards.slice(0, index).reduce((s, x) => s + x.rows, 0);
    return { index, offset, ids, vectors };
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
