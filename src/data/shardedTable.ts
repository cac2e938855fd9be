/**
 * A sharded table: the output of a job over a catalog of any size, as Parquet shards of a fixed number of catalog
 * rows, a manifest that says what the shards are, and one receipt per finished shard. `predict --shard-size` and the
 * queue's workers (src/jobs) write one; `mergeShardedTable` checks it and produces the final table.
 *
 * Layout of a table folder `D`:
 *
 *   D/manifest.json                    what every shard must be made with (ShardedTableManifest): kind, model id,
 *                                      settings (every option that changes the output), catalog identity, shard
 *                                      size, each shard's catalog row range [rowStart, rowEnd) and the fingerprint
 *                                      (SHA-256 of all of that)
 *   D/shards/part-00000.parquet        one shard: an `id` column and the job's value columns, one row per galaxy
 *                                      of its row range that was not left out
 *   D/shards/part-00000.done.json      its receipt (ShardReceipt): rows, bytes, SHA-256 of the Parquet file, the
 *                                      manifest's fingerprint, the galaxies left out with the reason, time taken
 *
 * Crash safety and exactly-once: a shard's Parquet file and then its receipt are each written to a temporary file,
 * flushed and renamed into place. A shard is done only when its receipt exists, carries the manifest's
 * fingerprint, and the Parquet file has the size and checksum the receipt records; anything else (no receipt, a
 * receipt of other settings, a torn or replaced file, a stray temporary file of a killed writer) is "missing" and
 * is simply made again, overwriting the shard's own file. Row ranges partition the catalog by construction, so a
 * galaxy can be in one shard only, however often a shard is retried, and on any number of machines (no locking:
 * two writers of the same shard write the same bytes and the last rename wins).
 *
 * Changed settings are refused: opening a folder whose manifest has another fingerprint throws an InputError naming
 * what changed, unless `restart` is set, which deletes the old shards first.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { parquetMetadata, parquetRead } from 'hyparquet';
import { ParquetWriter, fileWriter, parquetWriteBuffer, schemaFromColumnData } from 'hyparquet-writer';
import { temporarySibling, writeFileAtomically } from '../util/atomicFile.js';
import { InputError, OptionError } from '../util/errors.js';

export const SHARDED_TABLE_FORMAT = 'galmorph-sharded-table';
export const SHARDED_TABLE_VERSION = 1;
export const SHARDED_TABLE_MANIFEST = 'manifest.json';
export const SHARDED_TABLE_SHARDS = 'shards';

/** Catalog rows [rowStart, rowEnd) of shard `index`; `byteStart` is where row rowStart begins in a CSV file. */
export interface ShardRange {
  index: number;
  rowStart: number;
  rowEnd: number;
  byteStart?: number;
}

/** What a table is made of and with; two runs with equal specs (fingerprints) make identical shards. */
export interface ShardedTableSpec {
  /** The job, e.g. "predict" or "embed". */
  kind: string;
  /** `name` as the user gave it; `id` identifies the weights (e.g. SHA-256 of the checkpoint files). */
  model: { name: string; id: string };
  /** Every option that changes the output (passes, seed, …), as plain JSON. */
  settings: Record<string, unknown>;
  /** The catalog: its path or virtual spec, row count and identity (e.g. size and modification time). */
  catalog: { source: string; rows: number; identity: string };
  shardSize: number;
  shards: ShardRange[];
}

export interface ShardedTableManifest extends ShardedTableSpec {
  format: typeof SHARDED_TABLE_FORMAT;
  version: typeof SHARDED_TABLE_VERSION;
  fingerprint: string;
  createdAt: string;
}

/** A galaxy of a shard's row range that is not in the shard, and why. */
export interface LeftOut {
  id: string;
  reason: string;
}

export interface ShardReceipt {
  index: number;
  rowStart: number;
  rowEnd: number;
  /** Rows in the Parquet file (rowEnd − rowStart − leftOut.length). */
  rows: number;
  bytes: number;
  sha256: string;
  fingerprint: string;
  leftOut: LeftOut[];
  seconds: number;
  /** host:pid of the process that wrote it. */
  writer: string;
  finishedAt: string;
}

/** One column of a shard: ids as STRING, values as DOUBLE (float64) or FLOAT (float32). */
export type ShardColumn =
  | { name: string; type: 'STRING'; data: string[] }
  | { name: string; type: 'DOUBLE'; data: Float64Array }
  | { name: string; type: 'FLOAT'; data: Float32Array };

export type ShardState = 'done' | 'missing' | 'torn' | 'stale';

/** Shards of `shardSize` rows covering rows [0, rows). */
export function planShards(rows: number, shardSize: number): ShardRange[] {
  if (!Number.isInteger(shardSize) || shardSize < 1) throw new OptionError('shardSize', 'a positive integer', shardSize);
  const shards: ShardRange[] = [];
  for (let start = 0, k = 0; start < rows; start += shardSize, k++) shards.push({ index: k, rowStart: start, rowEnd: Math.min(rows, start + shardSize) });
  return shards;
}

export function shardFile(index: number): string {
  return `${SHARDED_TABLE_SHARDS}/part-${String(index).padStart(5, '0')}.parquet`;
}

export function receiptFile(index: number): string {
  return `${SHARDED_TABLE_SHARDS}/part-${String(index).padStart(5, '0')}.done.json`;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The fingerprint of a spec: SHA-256 of its canonical JSON (keys sorted). */
export function specFingerprint(spec: ShardedTableSpec): string {
  return sha256Hex(Buffer.from(canonicalJson(spec), 'utf8'));
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const HINT_RESTART = 'use a fresh --out folder, or pass --restart to delete the old shards and start again';

/** Lines "what: old → new" for the spec fields that differ. */
function describeChanges(old: ShardedTableSpec, now: ShardedTableSpec): string[] {
  const changes: string[] = [];
  const cmp = (what: string, a: unknown, b: unknown) => {
    if (canonicalJson(a) !== canonicalJson(b)) changes.push(`${what}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`);
  };
  cmp('kind', old.kind, now.kind);
  cmp('model', old.model.name, now.model.name);
  if (old.model.name === now.model.name) cmp('model weights (id)', old.model.id, now.model.id);
  cmp('catalog', old.catalog.source, now.catalog.source);
  if (old.catalog.source === now.catalog.source) cmp('catalog file (rows, size, time)', `${old.catalog.rows} rows, ${old.catalog.identity}`, `${now.catalog.rows} rows, ${now.catalog.identity}`);
  cmp('shard size', old.shardSize, now.shardSize);
  for (const key of new Set([...Object.keys(old.settings), ...Object.keys(now.settings)])) cmp(key, old.settings[key], now.settings[key]);
  if (changes.length === 0) changes.push('shard row ranges');
  return changes;
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function parseManifest(path: string): ShardedTableManifest {
  let m: Partial<ShardedTableManifest>;
  try {
    m = readJson(path) as Partial<ShardedTableManifest>;
  } catch (e) {
    throw new InputError(`cannot read the shard manifest (${(e as Error).message})`, { file: path }, HINT_RESTART);
  }
  const bad = (what: string) => new InputError(`not a galmorph shard manifest: ${what}`, { file: path }, HINT_RESTART);
  if (m === null || typeof m !== 'object' || m.format !== SHARDED_TABLE_FORMAT) throw bad(`"format" is not "${SHARDED_TABLE_FORMAT}"`);
  if (m.version !== SHARDED_TABLE_VERSION) throw bad(`version ${String(m.version)} (this galmorph reads version ${SHARDED_TABLE_VERSION})`);
  if (!Array.isArray(m.shards) || typeof m.fingerprint !== 'string' || typeof m.catalog !== 'object' || typeof m.model !== 'object') throw bad('"shards", "fingerprint", "catalog" or "model" missing');
  let next = 0;
  for (const [k, s] of m.shards.entries()) {
    if (s.index !== k || s.rowStart !== next || !(s.rowEnd > s.rowStart)) throw bad(`shard ${k} does not continue the row ranges (rows ${s.rowStart}–${s.rowEnd}, expected to start at ${next})`);
    next = s.rowEnd;
  }
  if (next !== m.catalog?.rows) throw bad(`the shards cover ${next} rows but the catalog has ${String(m.catalog?.rows)}`);
  return m as ShardedTableManifest;
}

/** A table folder (see the module comment). */
export class ShardedTable {
  private constructor(readonly dir: string, readonly manifest: ShardedTableManifest) {}

  /**
   * Opens `dir` for writing `spec`: creates the manifest in a new or empty folder, accepts a folder made with the
   * same spec (resuming), and refuses one made with another unless `restart` (which deletes its shards first).
   */
  static create(dir: string, spec: ShardedTableSpec, options: { restart?: boolean } = {}): ShardedTable {
    const fingerprint = specFingerprint(spec);
    const path = join(dir, SHARDED_TABLE_MANIFEST);
    if (existsSync(path)) {
      const old = parseManifest(path);
      if (old.fingerprint === fingerprint) return new ShardedTable(dir, old);
      if (options.restart !== true) {
        throw new InputError(`the folder holds shards made with other settings (${describeChanges(old, spec).join('; ')})`, { file: path }, HINT_RESTART);
      }
      rmSync(join(dir, SHARDED_TABLE_SHARDS), { recursive: true, force: true });
    }
    mkdirSync(join(dir, SHARDED_TABLE_SHARDS), { recursive: true });
    const manifest: ShardedTableManifest = { format: SHARDED_TABLE_FORMAT, version: SHARDED_TABLE_VERSION, fingerprint, ...spec, createdAt: new Date().toISOString() };
    writeFileAtomically(path, Buffer.from(JSON.stringify(manifest, null, 1) + '\n', 'utf8'));
    return new ShardedTable(dir, manifest);
  }

  /** Opens an existing table folder (a worker, status or merge). */
  static open(dir: string): ShardedTable {
    const path = join(dir, SHARDED_TABLE_MANIFEST);
    if (!existsSync(path)) throw new InputError(`no ${SHARDED_TABLE_MANIFEST}: not a sharded output folder`, { file: dir }, 'pass the --out folder given to queue submit or predict --shard-size');
    const manifest = parseManifest(path);
    mkdirSync(join(dir, SHARDED_TABLE_SHARDS), { recursive: true });
    return new ShardedTable(dir, manifest);
  }

  get shardCount(): number {
    return this.manifest.shards.length;
  }

  shard(index: number): ShardRange {
    const s = this.manifest.shards[index];
    if (s === undefined) throw new OptionError('shard', `an index in [0, ${this.shardCount - 1}]`, index);
    return s;
  }

  /** The receipt of a shard when the shard is done (see `state`), else null. */
  receipt(index: number, options: { checksum?: boolean } = {}): ShardReceipt | null {
    const r = this.inspect(index, options.checksum ?? true);
    return r.state === 'done' ? r.receipt : null;
  }

  /** 'done', 'missing' (no receipt), 'stale' (receipt of other settings) or 'torn' (file missing, cut or replaced). */
  state(index: number, options: { checksum?: boolean } = {}): ShardState {
    return this.inspect(index, options.checksum ?? true).state;
  }

  private inspect(index: number, checksum: boolean): { state: ShardState; receipt: ShardReceipt | null } {
    const range = this.shard(index);
    const receiptPath = join(this.dir, receiptFile(index));
    if (!existsSync(receiptPath)) return { state: 'missing', receipt: null };
    let receipt: ShardReceipt;
    try {
      receipt = readJson(receiptPath) as ShardReceipt;
    } catch {
      return { state: 'torn', receipt: null };
    }
    if (receipt.fingerprint !== this.manifest.fingerprint || receipt.rowStart !== range.rowStart || receipt.rowEnd !== range.rowEnd) return { state: 'stale', receipt: null };
    const file = join(this.dir, shardFile(index));
    if (!existsSync(file) || statSync(file).size !== receipt.bytes) return { state: 'torn', receipt: null };
    if (checksum && sha256Hex(readFileSync(file)) !== receipt.sha256) return { state: 'torn', receipt: null };
    return { state: 'done', receipt };
  }

  /** Indices of the shards that are not done. */
  missing(options: { checksum?: boolean } = {}): number[] {
    return this.manifest.shards.filter((s) => this.state(s.index, options) !== 'done').map((s) => s.index);
  }

  /**
   * Writes shard `index` (Parquet, then its receipt, each atomically), replacing whatever the shard had.
   * `columns[0]` must be the `id` column; every column has the same length.
   */
  writeShard(index: number, columns: ShardColumn[], info: { leftOut: LeftOut[]; seconds: number }): ShardReceipt {
    const range = this.shard(index);
    if (columns[0]?.name !== 'id' || columns[0].type !== 'STRING') throw new Error('writeShard: the first column must be the STRING column "id"');
    const rows = columns[0].data.length;
    for (const c of columns) if (c.data.length !== rows) throw new Error(`writeShard: column "${c.name}" has ${c.data.length} values for ${rows} ids`);
    if (rows + info.leftOut.length !== range.rowEnd - range.rowStart) {
      throw new Error(`writeShard: shard ${index} covers ${range.rowEnd - range.rowStart} rows but got ${rows} rows and ${info.leftOut.length} left out`);
    }
    const bytes = new Uint8Array(parquetWriteBuffer({ columnData: columns, rowGroupSize: Math.max(1, rows), statistics: false }));
    writeFileAtomically(join(this.dir, shardFile(index)), bytes);
    const receipt: ShardReceipt = {
      index, rowStart: range.rowStart, rowEnd: range.rowEnd, rows, bytes: bytes.byteLength, sha256: sha256Hex(bytes),
      fingerprint: this.manifest.fingerprint, leftOut: info.leftOut, seconds: info.seconds, writer: `${hostname()}:${process.pid}`, finishedAt: new Date().toISOString(),
    };
    writeFileAtomically(join(this.dir, receiptFile(index)), Buffer.from(JSON.stringify(receipt) + '\n', 'utf8'));
    return receipt;
  }

  /**
   * Writes the receipt of a shard whose Parquet file is already in place (a folder converted from an earlier
   * format): its size and SHA-256 as found, the rows it holds.
   */
  recordShard(index: number, info: { rows: number; leftOut: LeftOut[]; seconds: number }): ShardReceipt {
    const range = this.shard(index);
    const bytes = readFileSync(join(this.dir, shardFile(index)));
    const receipt: ShardReceipt = {
      index, rowStart: range.rowStart, rowEnd: range.rowEnd, rows: info.rows, bytes: bytes.byteLength, sha256: sha256Hex(bytes),
      fingerprint: this.manifest.fingerprint, leftOut: info.leftOut, seconds: info.seconds, writer: `${hostname()}:${process.pid}`, finishedAt: new Date().toISOString(),
    };
    writeFileAtomically(join(this.dir, receiptFile(index)), Buffer.from(JSON.stringify(receipt) + '\n', 'utf8'));
    return receipt;
  }

  /** Reads shard `index` (which must be done: receipt, size and SHA-256, checked on the bytes read) as columns. */
  async readShard(index: number): Promise<ShardColumn[]> {
    const receipt = this.receipt(index, { checksum: false });
    const path = join(this.dir, shardFile(index));
    const bytes = receipt === null ? null : readFileSync(path);
    if (receipt === null || bytes === null || bytes.byteLength !== receipt.bytes || sha256Hex(bytes) !== receipt.sha256) {
      throw new InputError(`shard ${index} is not finished (no valid receipt, or its file was cut or replaced)`, { file: path }, 'run the job again: it makes only the missing shards');
    }
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const metadata = parquetMetadata(buffer);
    if (Number(metadata.num_rows) !== receipt.rows) throw new InputError(`shard has ${Number(metadata.num_rows)} rows where its receipt says ${receipt.rows}`, { file: path }, 'delete the shard and its receipt, and run the job again');
    const leaves = metadata.schema.slice(1);
    const columns: ShardColumn[] = leaves.map((s) => {
      const name = s.name;
      if (s.type === 'BYTE_ARRAY') return { name, type: 'STRING', data: new Array<string>(receipt.rows) };
      if (s.type === 'FLOAT') return { name, type: 'FLOAT', data: new Float32Array(receipt.rows) };
      return { name, type: 'DOUBLE', data: new Float64Array(receipt.rows) };
    });
    const byName = new Map(columns.map((c) => [c.name, c]));
    await parquetRead({
      file: buffer,
      metadata,
      onChunk: ({ columnName, columnData, rowStart, rowEnd }) => {
        const c = byName.get(columnName);
        if (c === undefined) return;
        for (let i = rowStart; i < rowEnd; i++) {
          const v = columnData[i - rowStart];
          if (c.type === 'STRING') c.data[i] = String(v);
          else c.data[i] = v === null ? Number.NaN : Number(v);
        }
      },
    });
    return columns;
  }
}

/** What a pass over a finished table found. */
export interface TableScan {
  rows: number;
  shards: number;
  leftOut: LeftOut[];
  /** Sum of the shards' seconds (compute time; on several machines more than the wall time). */
  shardSeconds: number;
  /** Whether ids were checked to be unique across shards (catalogs up to `checkIdsUpTo` rows). */
  idsChecked: boolean;
}

export interface MergeResult extends TableScan {
  file: string;
}

/** Largest catalog whose ids a scan checks for repeats by default (a set of 5M ids is about 500 MB). */
export const DEFAULT_CHECK_IDS_UP_TO = 5_000_000;

/**
 * Checks that every shard is done (receipt, size and checksum), then hands the shards to `onShard` in row order,
 * one in memory at a time (the merge, embed's PCA). Refuses an unfinished table, naming how many shards are
 * missing and the first of them, and shards whose columns differ from the first shard's. Ids are checked to occur
 * once across the whole table when the catalog has at most `checkIdsUpTo` rows (a set of ids is kept, about 100
 * bytes per galaxy; above that the scan stays flat in memory and relies on the row ranges, which cannot overlap, so
 * only a catalog that repeats an id can repeat it).
 */
export async function scanFinishedTable(
  table: ShardedTable, onShard: (columns: ShardColumn[], receipt: ShardReceipt) => Promise<void> | void, options: { checkIdsUpTo?: number } = {},
): Promise<TableScan> {
  const missing = table.missing({ checksum: false });
  if (missing.length > 0) {
    throw new InputError(`${missing.length} of ${table.shardCount} shards are not finished (first: ${missing.slice(0, 5).join(', ')})`, { file: table.dir },
      'start workers (galmorph worker) or rerun the job until every shard is done; galmorph queue status shows progress and failures');
  }
  let names: string | null = null;
  const seen = table.manifest.catalog.rows <= (options.checkIdsUpTo ?? DEFAULT_CHECK_IDS_UP_TO) ? new Set<string>() : null;
  const leftOut: LeftOut[] = [];
  let rows = 0;
  let shardSeconds = 0;
  for (let k = 0; k < table.shardCount; k++) {
    const columns = await table.readShard(k);
    const receipt = table.receipt(k, { checksum: false })!;
    const these = columns.map((c) => `${c.name}:${c.type}`).join(',');
    if (names !== null && these !== names) throw new InputError(`shard ${k} has other columns than shard 0`, { file: join(table.dir, shardFile(k)) }, 'delete it and its receipt, and run the job again');
    names = these;
    if (seen !== null) {
      for (const id of columns[0].data as string[]) {
        if (seen.has(id)) throw new InputError(`galaxy "${id}" appears twice (again in shard ${k})`, { file: join(table.dir, shardFile(k)) }, 'make the catalog ids unique and run the job again with --restart');
        seen.add(id);
      }
    }
    await onShard(columns, receipt);
    rows += columns[0].data.length;
    leftOut.push(...receipt.leftOut);
    shardSeconds += receipt.seconds;
  }
  return { rows, shards: table.shardCount, leftOut, shardSeconds, idsChecked: seen !== null };
}

/**
 * Checks every shard (scanFinishedTable) and streams them in row order into one Parquet file `outFile` (one row
 * group per shard, written to a temporary file renamed into place), so memory holds one shard at a time.
 */
export async function mergeShardedTable(table: ShardedTable, outFile: string, options: { checkIdsUpTo?: number } = {}): Promise<MergeResult> {
  const temp = temporarySibling(outFile);
  let writer: ParquetWriter | null = null;
  try {
    const scan = await scanFinishedTable(table, async (columns) => {
      writer ??= new ParquetWriter({ writer: fileWriter(temp), schema: schemaFromColumnData({ columnData: columns }), statistics: false });
      if (columns[0].data.length > 0) await writer.write({ columnData: columns, rowGroupSize: columns[0].data.length });
    }, options);
    if (writer === null) throw new InputError('the table has no shards', { file: table.dir }, 'the catalog had no rows');
    await (writer as ParquetWriter).finish();
    renameSync(temp, outFile);
    return { file: outFile, ...scan };
  } finally {
    if (existsSync(temp)) unlinkSync(temp);
  }
}

/** Temporary files left in a table's shards folder by killed writers (harmless; listed so a report can say so). */
export function strayTemporaryFiles(dir: string): string[] {
  const folder = join(dir, SHARDED_TABLE_SHARDS);
  return existsSync(folder) ? readdirSync(folder).filter((n) => n.includes('.tmp-')) : [];
}
