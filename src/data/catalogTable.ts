/**
 * The table behind a catalog: a header and rows of cells read from CSV or Parquet (chosen by extension),
 * and how a folder path resolves to its table file and image folder.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { InputError } from '../util/errors.js';
import { readCsvTable, type MalformedRecord } from './csv.js';
import { readParquet } from './parquet.js';

export type Cell = string | number | null;

export interface CatalogTable {
  /** Absolute path of the table file. */
  file: string;
  header: string[];
  rows: Cell[][];
  /** 1-based data row (header excluded) of each row in the file. */
  rowNumbers: number[];
  /** CSV records of the wrong field count, left out when read with `onBadRow: 'skip'`. */
  malformed: MalformedRecord[];
}

export const TABLE_FILE_NAMES = ['labels.csv', 'labels.parquet', 'catalog.csv', 'catalog.parquet'] as const;

export type TableFormat = 'csv' | 'parquet';

export function tableFormat(path: string): TableFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  throw new InputError(`unknown table format "${ext || '(no extension)'}"`, { file: path }, 'use a .csv or .parquet file, or a folder holding labels.csv or labels.parquet');
}

/** A folder → its labels.csv / labels.parquet (and images/ folder); a file → itself (and images/ beside it). */
export function locateCatalog(path: string): { file: string; defaultImageDir: string } {
  const p = resolve(path);
  if (!existsSync(p)) {
    if (p.includes('\uFFFD')) {
      throw new InputError('no such file or folder; the path holds bytes that are not UTF-8 (shown as \uFFFD), which Node.js cannot pass on', { file: p },
        'rename the file or folder with a UTF-8 name (e.g. convmv -f latin1 -t utf8)');
    }
    throw new InputError('no such file or folder', { file: p }, 'check the catalog path');
  }
  const folder = statSync(p).isDirectory() ? p : resolve(p, '..');
  let file = p;
  if (folder === p) {
    const found = TABLE_FILE_NAMES.map((n) => join(p, n)).find((f) => existsSync(f));
    if (found === undefined) {
      const listing = readdirSync(p).slice(0, 20).join(', ');
      throw new InputError(`the folder has no ${TABLE_FILE_NAMES.join(' / ')}`, { file: p }, `pass the table file itself; the folder holds: ${listing || '(nothing)'}`);
    }
    file = found;
  }
  const images = join(folder, 'images');
  return { file, defaultImageDir: existsSync(images) && statSync(images).isDirectory() ? images : folder };
}

/** The table of a catalog file; with `onBadRow: 'skip'` CSV records of the wrong field count are listed in `malformed`. */
export async function readCatalogTable(file: string, options: { onBadRow: 'error' | 'skip' } = { onBadRow: 'error' }): Promise<CatalogTable> {
  if (tableFormat(file) === 'csv') return { file, ...readCsvTable(file, options) };
  const data = await readParquet(file);
  return { file, header: data.header, rows: data.rows, rowNumbers: data.rows.map((_, k) => k + 1), malformed: [] };
}
