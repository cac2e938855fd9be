/**
 * A catalog: one row per galaxy with its image and (optionally) its Galaxy Zoo labels, tied to a schema.
 * Read with `readCatalog` (catalogRead.ts), written with `writeCatalog` (catalogWrite.ts).
 */
import type { Schema } from './schema.js';

export type LabelKind = 'counts' | 'fractions' | 'class' | 'none';
export const LABEL_KINDS: readonly LabelKind[] = ['counts', 'fractions', 'class', 'none'];

/** How the vote columns of a catalog are read: detected ('auto') or forced (`--label-kind`). Percentages are fractions × 100. */
export const VOTE_LABEL_KINDS = ['auto', 'counts', 'fractions', 'percentages'] as const;
export type VoteLabelKind = (typeof VOTE_LABEL_KINDS)[number];

/** How a fractions file was weighted (see schema.ts); the catalog always holds per-question fractions. */
export type FractionStyle = 'per-question' | 'kaggle-weighted';
export const FRACTION_STYLES: readonly FractionStyle[] = ['per-question', 'kaggle-weighted'];

export interface CatalogRow {
  id: string;
  /** Absolute path of the image file. */
  image: string;
  /**
   * Votes per schema answer (NaN-free). For a 'counts' catalog the volunteers' counts; for a 'fractions'
   * catalog the expected counts `fractionsToCounts(fractions, schema, catalog.nominalN)`. Absent for a row
   * without labels. Questions the file has no columns for hold 0 (not asked).
   */
  counts?: Float32Array;
  /** Per-question vote fractions per schema answer (each asked question sums to 1; unasked ones are 0). */
  fractions?: Float32Array;
  /** Class index into `catalog.classNames` ('class' catalogs). */
  label?: number;
}

export interface SkippedRow {
  /** 1-based data row in the source file (header excluded). */
  row: number;
  id: string;
  /** The full message: column, what was wrong, what to do. */
  reason: string;
}

export interface Catalog {
  schema: Schema;
  rows: CatalogRow[];
  labelKind: LabelKind;
  /** Why the labels were read as `labelKind` (what detection saw, or that it was forced), for messages and reports. */
  labelKindReason?: string;
  /** The vote columns held percentages (divided by 100 into fractions). */
  percentages?: boolean;
  /** Absolute path of the table file the catalog was read from (or '' when built in memory). */
  source: string;
  /** Rows left out by `onBad: 'skip'`, in file order. */
  skipped: SkippedRow[];
  /** Per schema question: whether the source had columns for it (false: its counts/fractions are 0). */
  labelledQuestions: boolean[];
  /** Class names for 'class' catalogs, indexed by `row.label`. */
  classNames?: string[];
  /** Volunteers assumed per galaxy when counts were derived from fractions ('fractions' catalogs). */
  nominalN?: number;
  /** How the source file's fractions were weighted ('fractions' catalogs). */
  fractionStyle?: FractionStyle;
}

/** The 1-based file row of the k-th kept row, given the (sorted) file rows the reader skipped before it. */
export function catalogFileRow(k: number, skippedRows: readonly number[]): number {
  let row = k + 1;
  for (const s of skippedRows) if (s <= row) row++;
  return row;
}
