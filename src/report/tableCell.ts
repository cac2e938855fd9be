/**
 * The cells of result tables and how they read as text: numbers, mean ± sd pairs, text, flags and gaps.
 * Shared by the Markdown writer (rounded, for people) and the CSV writer (full precision, for programs).
 */
import { OptionError } from '../util/errors.js';
import type { Check } from '../util/options.js';

/** A summary over repeated runs, shown as `0.412 ± 0.013`. */
export interface MeanSd {
  mean: number;
  sd: number;
}

/** null and undefined are empty cells. */
export type TableCell = string | number | boolean | MeanSd | null | undefined;
export type TableRow = Readonly<Record<string, TableCell>>;

export function isMeanSd(cell: unknown): cell is MeanSd {
  return typeof cell === 'object' && cell !== null && typeof (cell as MeanSd).mean === 'number' && typeof (cell as MeanSd).sd === 'number';
}

/** Integers as they are, other finite numbers with `decimals` decimals, NaN and ±Infinity spelled out. */
export function formatNumber(value: number, decimals: number): string {
  if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
  return value.toFixed(decimals);
}

/** `mean ± sd`, both with `decimals` decimals, e.g. `0.412 ± 0.013`. */
export function formatMeanSd(cell: MeanSd, decimals: number): string {
  const show = (v: number) => (Number.isFinite(v) ? v.toFixed(decimals) : String(v));
  return `${show(cell.mean)} ± ${show(cell.sd)}`;
}

/**
 * The columns of a table: `columns` when given (each must occur in some row), otherwise every key in order of
 * first appearance. Also checks that every cell is a `TableCell`, naming row and column when not.
 */
export function tableColumns(rows: readonly TableRow[], columns: readonly string[] | null): string[] {
  if (!Array.isArray(rows)) throw new OptionError('rows', 'a list of records', rows);
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    for (const [key, cell] of Object.entries(row)) {
      seen.add(key);
      const ok = cell === null || cell === undefined || ['string', 'number', 'boolean'].includes(typeof cell) || isMeanSd(cell);
      if (!ok) throw new OptionError(`rows[${i}].${key}`, 'a string, number, boolean, {mean, sd} or null', cell);
    }
  });
  if (columns === null) {
    if (seen.size === 0) throw new OptionError('columns', 'a list of column names when no row has any field', columns);
    return [...seen];
  }
  if (rows.length > 0) {
    columns.forEach((c, j) => {
      if (!seen.has(c)) throw new OptionError(`columns[${j}]`, `a field of the rows (${[...seen].join(', ')})`, c);
    });
  }
  return [...columns];
}

/** Validator for a `columns` option: null or a non-empty list of names. */
export function columnListCheck(): Check<string[] | null> {
  return (v, name) => {
    if (v !== null && (!Array.isArray(v) || v.length === 0 || v.some((c) => typeof c !== 'string'))) {
      throw new OptionError(name, 'null or a non-empty list of column names', v);
    }
  };
}
