/**
 * The table behind a catalog: a header and rows of cells read from CSV or Parquet (chosen by extension),
 * and how a folder path resolves to its table file and image folder.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { InputError } from '../util/errors.js';
import { readCsv } from './csv.js';
import { readParquet } from './parquet.js';

export type Cell = string | number | null;

export interface CatalogTable {
  /** Absolute path of the table file. */
  file: string;
  header: string[];
  rows: Cell[][];
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
  if (!existsSync(p)) throw new InputError('no such file or folder', { file: p }, 'check the catalog path');
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

export async function readCatalogTable(file: string): Promise<CatalogTable> {
  const data = tableFormat(file) === 'csv' ? readCsv(file) : await readParquet(file);
  return { file, header: data.header, rows: data.rows };
}
