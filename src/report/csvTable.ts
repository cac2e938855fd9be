/**
 * CSV for result tables (written by csv-stringify through data/csv.ts, RFC 4180 quoting), the machine-readable twin of the Markdown summary: numbers at
 * full precision, and a mean ± sd column split into `<name>_mean` and `<name>_sd`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { resolveOptions, type Spec } from '../util/options.js';
import { formatCsv } from '../data/csv.js';
import { columnListCheck, isMeanSd, tableColumns, type MeanSd, type TableCell, type TableRow } from './tableCell.js';

export interface CsvTableOptions {
  /** Columns to write, in order; null writes every field in order of first appearance. @default null */
  columns: string[] | null;
}

const DEFAULTS: CsvTableOptions = { columns: null };

const SPEC: Spec<CsvTableOptions> = { columns: columnListCheck() };

/** The CSV text of `rows`: a header line, one line per row, `\n` line ends. */
export function csvTable(rows: readonly TableRow[], options: Partial<CsvTableOptions> = {}): string {
  const o = resolveOptions(DEFAULTS, SPEC, options);
  const columns = tableColumns(rows, o.columns);
  const split = new Set(columns.filter((c) => rows.some((r) => isMeanSd(r[c]))));
  const header = columns.flatMap((c) => (split.has(c) ? [`${c}_mean`, `${c}_sd`] : [c]));
  const lines = rows.map((row) =>
    columns.flatMap((c) => {
      const cell = row[c];
      if (isMeanSd(cell)) return [String(cell.mean), String(cell.sd)];
      return split.has(c) ? [plainText(cell), ''] : [plainText(cell)];
    }),
  );
  return formatCsv(header, lines);
}

/** Writes `csvTable(rows, options)` to `path` (folders created) and returns the path. */
export function writeCsvTable(path: string, rows: readonly TableRow[], options: Partial<CsvTableOptions> = {}): string {
  const text = csvTable(rows, options);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

function plainText(cell: Exclude<TableCell, MeanSd>): string {
  return cell === null || cell === undefined ? '' : String(cell);
}
