/**
 * A catalog read in shards, for jobs over catalogs of any size: one streaming pass plans the shards (row count,
 * and for CSV the byte where each shard's first record starts), then any process reads any one shard's rows
 * without reading the others — a CSV from its byte offset, a Parquet file by row range, a virtual catalog
 * (`sim:<count>…`, simulator/virtualCatalog.ts) by index. Memory holds one shard's rows at a time.
 *
 * Only ids and images are read (labels are not needed to predict or embed). Columns are found as readCatalog
 * finds them and image paths follow its rules (inside the catalog folder unless --allow-absolute-paths); a row
 * with an empty id or a refused path stops the job (`onBad: 'error'`) or is left out of its shard with the reason
 * (`'skip'`). Unlike readCatalog, ids are not checked for uniqueness here (that needs every id in memory): the merge
 * checks it (shardedTable.ts).
 */
import { createReadStream, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse, type Options as CsvOptions } from 'csv-parse';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet';
import { InputError } from '../util/errors.js';
import { cellText, idAndImageColumns, ImageFinder, RowProblem } from './catalogRead.js';
import { locateCatalog, tableFormat, type Cell } from './catalogTable.js';
import type { ImageRow } from './dataset.js';
import { planShards, type LeftOut, type ShardRange } from './shardedTable.js';
import { isVirtualCatalog, parseVirtualCatalog, virtualCatalogRows } from './simulator/virtualCatalog.js';

export interface CatalogShardOptions {
  /** Column with the galaxy id. @default null (auto, as readCatalog) */
  idColumn: string | null;
  /** Column with the image file. @default null (auto; absent → `<id>.<png|jpg|…>` in the image folder) */
  imageColumn: string | null;
  /** Folder that relative image paths are resolved in. @default null (images/ beside the table, else its folder) */
  imageDir: string | null;
  allowAbsolutePaths: boolean;
}

/** Everything a process needs to read any shard of the catalog (stored in a table's manifest settings). */
export interface CatalogShardPlan {
  kind: 'csv' | 'parquet' | 'virtual';
  /** Absolute table file, or the virtual spec. */
  source: string;
  rows: number;
  /** Size and modification time of the file (or the spec): a changed catalog gets another identity. */
  identity: string;
  header: string[];
  idColumn: string;
  imageColumn: string | null;
  imageDir: string;
  allowAbsolutePaths: boolean;
  shards: ShardRange[];
}

/** csv.ts's dialect (RFC 4180, BOM skipped, empty lines skipped), for the streaming parser. */
const CSV_OPTIONS: CsvOptions = {
  bom: true, delimiter: ',', quote: '"', escape: '"', record_delimiter: ['\r\n', '\n', '\r'], skip_empty_lines: true, relax_column_count: true, relax_quotes: false,
};

function csvError(e: unknown, file: string): InputError {
  return new InputError(`cannot parse as CSV (${(e as Error).message})`, { file }, 'check the file\'s quoting; galmorph check names the row');
}

/** One streaming pass over the catalog: its rows, columns and shard boundaries. */
export async function planCatalogShards(path: string, shardSize: number, options: Partial<CatalogShardOptions> = {}): Promise<CatalogShardPlan> {
  const allowAbsolutePaths = options.allowAbsolutePaths ?? false;
  if (isVirtualCatalog(path)) {
    const v = parseVirtualCatalog(path);
    return { kind: 'virtual', source: path, rows: v.count, identity: path, header: ['id', 'image'], idColumn: 'id', imageColumn: 'image', imageDir: '', allowAbsolutePaths, shards: planShards(v.count, shardSize) };
  }
  const { file, defaultImageDir } = locateCatalog(path);
  const stat = statSync(file);
  const identity = `${stat.size} bytes, modified ${stat.mtime.toISOString()}`;
  const imageDir = resolve(options.imageDir ?? defaultImageDir);
  const columns = (header: string[]) => {
    const found = idAndImageColumns(file, header, { idColumn: options.idColumn ?? null, imageColumn: options.imageColumn ?? null });
    return { idColumn: header[found.id], imageColumn: found.image === null ? null : header[found.image] };
  };
  if (tableFormat(file) === 'parquet') {
    let header: string[];
    let rows: number;
    try {
      const metadata = await parquetMetadataAsync(await asyncBufferFromFile(file));
      header = parquetSchema(metadata).children.map((c) => c.element.name);
      rows = Number(metadata.num_rows);
    } catch (e) {
      throw new InputError(`cannot read as Parquet (${(e as Error).message})`, { file }, 'check that the file is a complete Parquet file, or convert it to CSV');
    }
    if (rows === 0) throw new InputError('the catalog has a header but no rows', { file }, 'add one row per galaxy');
    return { kind: 'parquet', source: file, rows, identity, header, ...columns(header), imageDir, allowAbsolutePaths, shards: planShards(rows, shardSize) };
  }
  let header: string[] | null = null;
  let rows = 0;
  const starts: number[] = [];
  let after = 0;
  try {
    for await (const { record, info } of createReadStream(file).pipe(parse({ ...CSV_OPTIONS, info: true })) as AsyncIterable<{ record: string[]; info: { bytes: number } }>) {
      if (header === null) header = record.map((h) => h.trim());
      else {
        if (rows % shardSize === 0) starts.push(after);
        rows++;
      }
      after = info.bytes;
    }
  } catch (e) {
    throw csvError(e, file);
  }
  if (header === null) throw new InputError('the file is empty (no header line)', { file }, 'the first line must name the columns');
  if (rows === 0) throw new InputError('the catalog has a header but no rows', { file }, 'add one row per galaxy below the header');
  const shards = planShards(rows, shardSize).map((s, k) => ({ ...s, byteStart: starts[k] }));
  return { kind: 'csv', source: file, rows, identity, header, ...columns(header), imageDir, allowAbsolutePaths, shards };
}

/** The raw cells of a shard's records (CSV from the shard's byte offset, Parquet by row range). */
async function shardCells(plan: CatalogShardPlan, shard: ShardRange): Promise<Cell[][]> {
  const want = shard.rowEnd - shard.rowStart;
  if (plan.kind === 'parquet') {
    const file = await asyncBufferFromFile(plan.source);
    const names = [plan.idColumn, ...(plan.imageColumn === null ? [] : [plan.imageColumn])];
    let cells: Cell[][] = [];
    await parquetRead({
      file, columns: names, rowStart: shard.rowStart, rowEnd: shard.rowEnd,
      onComplete: (rows: unknown[][]) => {
        cells = rows.map((r) => r.map((v) => (v === null || v === undefined ? null : typeof v === 'number' || typeof v === 'string' ? v : String(v))));
      },
    });
    // Reorder to the header's positions so one row parser serves both formats.
    const at = names.map((n) => plan.header.indexOf(n));
    return cells.map((r) => {
      const full: Cell[] = new Array<Cell>(plan.header.length).fill(null);
      at.forEach((h, j) => (full[h] = r[j]));
      return full;
    });
  }
  if (shard.byteStart === undefined) throw new Error(`CSV shard ${shard.index} has no byte offset`);
  const out: Cell[][] = [];
  const stream = createReadStream(plan.source, { start: shard.byteStart });
  const parser = stream.pipe(parse({ ...CSV_OPTIONS, bom: false, to: want }));
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      out.push(record);
      if (out.length === want) break;
    }
  } catch (e) {
    throw csvError(e, plan.source);
  } finally {
    stream.destroy();
  }
  if (out.length !== want) throw new InputError(`shard ${shard.index} should hold rows ${shard.rowStart + 1}–${shard.rowEnd} but the file ends after ${out.length} of them (changed since it was planned?)`, { file: plan.source }, 'rerun with --restart');
  return out;
}

/**
 * The galaxies of one shard, in catalog order, with rows that cannot be used left out (onBad 'skip') or refused
 * with an InputError naming the file, row and column (onBad 'error').
 */
export async function readShardRows(plan: CatalogShardPlan, shard: ShardRange, onBad: 'error' | 'skip'): Promise<{ rows: ImageRow[]; leftOut: LeftOut[] }> {
  if (plan.kind === 'virtual') return { rows: virtualCatalogRows(parseVirtualCatalog(plan.source), shard.rowStart, shard.rowEnd), leftOut: [] };
  const cells = await shardCells(plan, shard);
  const idAt = plan.header.indexOf(plan.idColumn);
  const imageAt = plan.imageColumn === null ? null : plan.header.indexOf(plan.imageColumn);
  const finder = new ImageFinder(plan.imageDir, dirname(plan.source), plan.allowAbsolutePaths, false);
  const rows: ImageRow[] = [];
  const leftOut: LeftOut[] = [];
  cells.forEach((record, i) => {
    const row = shard.rowStart + i + 1;
    const id = cellText(record[idAt]);
    try {
      if (record.length !== plan.header.length) throw new RowProblem(`has ${record.length} fields but the header has ${plan.header.length}`, undefined, 'check for a missing or extra comma');
      if (id === '') throw new RowProblem('empty id', plan.idColumn, 'every row needs a galaxy id');
      // Existence is not checked here: a missing file is found when decoding, as a bad image.
      const image = finder.locate(id, imageAt === null ? null : cellText(record[imageAt]), false, plan.imageColumn ?? undefined, plan.idColumn);
      rows.push({ id, image });
    } catch (e) {
      if (!(e instanceof RowProblem)) throw e;
      const err = new InputError(e.problem, { file: plan.source, row, column: e.column }, e.hint);
      if (onBad === 'error') throw err;
      leftOut.push({ id: id === '' ? `row ${row}` : id, reason: err.message });
    }
  });
  return { rows, leftOut };
}
