/**
 * Splits that depend only on a galaxy's id, never on row order: train/val/test by a hash of the id, and
 * the labelled subset of a semi-supervised run chosen by a seeded hash rank (so the 100 labelled galaxies
 * of a seed are contained in its 300, and a reordered catalog picks the same ones).
 */
import { OptionError } from '../util/errors.js';
import { hashString } from '../util/rng.js';

export const SPLIT_NAMES = ['train', 'val', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

export interface SplitFractions {
  /** @default 0.8 */
  train: number;
  /** @default 0.1 */
  val: number;
  /** @default 0.1 */
  test: number;
}

export const SPLIT_DEFAULTS: SplitFractions = { train: 0.8, val: 0.1, test: 0.1 };

/** A uniform number in [0, 1) from the id and a salt (FNV-1a, then a murmur3 finaliser to mix every bit). */
export function idUniform(id: string, salt = 'split'): number {
  let h = hashString(`${salt}:${id}`);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return h / 4294967296;
}

function validateFractions(f: SplitFractions): void {
  for (const name of SPLIT_NAMES) {
    const v = f[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
      throw new OptionError(`fractions.${name}`, 'a fraction in [0, 1]', v);
    }
  }
  const sum = f.train + f.val + f.test;
  if (Math.abs(sum - 1) > 1e-9) throw new OptionError('fractions', 'train + val + test = 1', `a sum of ${sum}`);
}

/** The split an id belongs to; the same id and salt always give the same answer. */
export function splitOf(id: string, fractions: SplitFractions = SPLIT_DEFAULTS, salt = 'split'): SplitName {
  validateFractions(fractions);
  const u = idUniform(id, salt);
  if (u < fractions.train) return 'train';
  if (u < fractions.train + fractions.val) return 'val';
  return 'test';
}

/** Rows grouped by splitOf(row.id); each group keeps the input order. */
export function splitRows<R extends { id: string }>(
  rows: readonly R[], fractions: SplitFractions = SPLIT_DEFAULTS, salt = 'split',
): Record<SplitName, R[]> {
  validateFractions(fractions);
  const out: Record<SplitName, R[]> = { train: [], val: [], test: [] };
  for (const row of rows) out[splitOf(row.id, fractions, salt)].push(row);
  return out;
}

/**
 * Takes `count` labelled rows (those `hasLabel` accepts) by a seeded rank of their ids; every other
 * row — labelled or not — goes to `unlabelled`. Throws when fewer than `count` rows have labels.
 */
export function labelledSplit<R extends { id: string }>(
  rows: readonly R[], count: number, seed: number, hasLabel: (row: R) => boolean,
): { labelled: R[]; unlabelled: R[] } {
  if (!Number.isInteger(count) || count < 0) throw new OptionError('count', 'a whole number ≥ 0', count);
  const candidates = rows.filter(hasLabel);
  if (candidates.length < count) {
    throw new OptionError('count', `at most ${candidates.length} (the rows with labels)`, count);
  }
  const salt = `labelled:${seed}`;
  const rank = new Map(candidates.map((r) => [r, idUniform(r.id, salt)]));
  const chosen = new Set(
    [...candidates].sort((a, b) => rank.get(a)! - rank.get(b)! || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(0, count),
  );
  return {
    labelled: rows.filter((r) => chosen.has(r)),
    unlabelled: rows.filter((r) => !chosen.has(r)),
  };
}
