/**
 * The ratings file of personalised anomaly finding: one row per rated galaxy, `id,rating,round` (CSV), the interest
 * 0–5 a person (or the simulated rater) gave and the round that asked for it. It is rewritten whole after every
 * rating through a flushed temporary file renamed into place, so a session stopped at any moment (Ctrl-C, a closed
 * terminal) leaves the ratings given so far, never half a file; `galmorph anomalies --interactive` resumes from it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatCsv, readCsv } from '../../data/csv.js';
import { writeFileAtomically } from '../../util/atomicFile.js';
import { InputError } from '../../util/errors.js';

/** Ratings are whole numbers 0 … MAX_RATING (the reference's interest scale). */
export const MAX_RATING = 5;
export const RATINGS_HEADER = ['id', 'rating', 'round'] as const;

export interface Rating {
  /** Galaxy index in the embeddings store. */
  index: number;
  id: string;
  rating: number;
  /** 0-based round that picked the galaxy. */
  round: number;
}

/** Whether `v` is a valid rating. */
export function isRating(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= MAX_RATING;
}

/**
 * Reads a ratings file, refusing (InputError naming file, row and column) a missing column, an id not in the
 * embeddings, a repeated id, a rating that is not a whole number 0–5 and a round that is not a whole number ≥ 0.
 */
export function readRatings(path: string, indexOfId: ReadonlyMap<string, number>): Rating[] {
  const { header, rows } = readCsv(path);
  const col = Object.fromEntries(RATINGS_HEADER.map((name) => [name, header.indexOf(name)])) as Record<(typeof RATINGS_HEADER)[number], number>;
  for (const name of RATINGS_HEADER) {
    if (col[name] < 0) throw new InputError(`no column "${name}" (the header is ${header.join(',')})`, { file: path }, `a ratings file has the columns ${RATINGS_HEADER.join(',')}`);
  }
  const seen = new Map<string, number>();
  return rows.map((cells, r) => {
    const row = r + 1;
    const id = cells[col.id].trim();
    const index = indexOfId.get(id);
    if (index === undefined) {
      throw new InputError(`galaxy "${id}" is not in the embeddings`, { file: path, row, column: 'id' }, 'rate galaxies of this embeddings store (or remove the row)');
    }
    const first = seen.get(id);
    if (first !== undefined) throw new InputError(`galaxy "${id}" is rated twice (first in row ${first})`, { file: path, row, column: 'id' }, 'keep one rating per galaxy');
    seen.set(id, row);
    const ratingText = cells[col.rating].trim();
    const rating = ratingText === '' ? Number.NaN : Number(ratingText);
    if (!isRating(rating)) {
      throw new InputError(`rating "${ratingText}" is not a whole number from 0 to ${MAX_RATING}`, { file: path, row, column: 'rating' }, `ratings are 0 (not interesting) … ${MAX_RATING} (very interesting)`);
    }
    const roundText = cells[col.round].trim();
    const round = roundText === '' ? Number.NaN : Number(roundText);
    if (!Number.isInteger(round) || round < 0) {
      throw new InputError(`round "${roundText}" is not a whole number ≥ 0`, { file: path, row, column: 'round' }, 'the round column is written by galmorph anomalies; keep it as written');
    }
    return { index, id, rating, round };
  });
}

/** Writes the ratings file whole, atomically (flushed temporary file renamed over the old one). */
export function writeRatings(path: string, ratings: readonly Rating[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const text = Buffer.from(formatCsv([...RATINGS_HEADER], ratings.map((r) => [r.id, r.rating, r.round])), 'utf8');
  writeFileAtomically(path, text);
}

/** The ratings of `path` if it exists, else none. */
export function readRatingsIfPresent(path: string, indexOfId: ReadonlyMap<string, number>): Rating[] {
  return existsSync(path) ? readRatings(path, indexOfId) : [];
}
