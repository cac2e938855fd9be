/**
 * The one input shape of the clustering algorithms: n points in d dimensions, row-major, float64.
 *
 *   const p = toPoints([[0, 1], [2, 3]]);                          // from rows
 *   const q = toPoints({ values: embeddings, dimension: 20 });      // from a flat Float32Array of n × 20 (e.g. dataSync)
 *   p.values[i * p.dimension + j]                                   // point i, coordinate j
 *
 * Every algorithm of `cluster/` calls `toPoints` on its input, so a NaN, a ragged row or an empty set is refused with
 * the row and column where it was found rather than turning into NaN parameters many iterations later.
 */
import { InputError } from '../util/errors.js';

/** Points after validation: `count` rows of `dimension` finite values, row-major. */
export interface Points {
  readonly values: Float64Array;
  readonly count: number;
  readonly dimension: number;
}

/** Points as rows (`number[][]`, Float32Array rows, …) or as one flat row-major array with its dimension. */
export type PointsInput = readonly ArrayLike<number>[] | { readonly values: ArrayLike<number>; readonly dimension: number };

/**
 * Validates and copies points to float64.
 * @param what names the input in error messages (e.g. 'bayesianGmm: points').
 */
export function toPoints(input: PointsInput, what = 'points'): Points {
  if (Array.isArray(input)) {
    const rows = input as readonly ArrayLike<number>[];
    if (rows.length === 0) throw new InputError(`${what}: no points given`, {}, 'give at least one point');
    const dimension = rows[0].length;
    if (!(dimension >= 1)) throw new InputError(`${what}: row 0 has no coordinates`, {}, 'give points with at least one coordinate');
    const values = new Float64Array(rows.length * dimension);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (row.length !== dimension) {
        throw new InputError(`${what}: row ${i} has ${row.length} coordinates, row 0 has ${dimension}`, {}, 'give rows of equal length');
      }
      for (let j = 0; j < dimension; j++) values[i * dimension + j] = row[j];
    }
    return checked({ values, count: rows.length, dimension }, what);
  }
  const flat = input as { values: ArrayLike<number>; dimension: number };
  const { dimension } = flat;
  if (!Number.isInteger(dimension) || dimension < 1) {
    throw new InputError(`${what}: dimension ${dimension}, expected a positive integer`);
  }
  if (flat.values.length === 0) throw new InputError(`${what}: no points given`, {}, 'give at least one point');
  if (flat.values.length % dimension !== 0) {
    throw new InputError(`${what}: ${flat.values.length} values is not a whole number of points of dimension ${dimension}`);
  }
  return checked({ values: Float64Array.from(flat.values), count: flat.values.length / dimension, dimension }, what);
}

function checked(points: Points, what: string): Points {
  const { values, dimension } = points;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new InputError(
        `${what}: point ${Math.floor(i / dimension)}, coordinate ${i % dimension} is ${values[i]}`,
        {},
        'remove or repair non-finite values before clustering',
      );
    }
  }
  return points;
}

/** Per-coordinate mean and variance (ddof as numpy's: 0 for the population variance, 1 for the sample variance). */
export function columnMoments(points: Points, ddof: 0 | 1): { mean: Float64Array; variance: Float64Array } {
  const { values, count: n, dimension: d } = points;
  const mean = new Float64Array(d);
  const variance = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += values[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const t = values[i * d + j] - mean[j];
      variance[j] += t * t;
    }
  }
  for (let j = 0; j < d; j++) variance[j] = n - ddof > 0 ? variance[j] / (n - ddof) : 0;
  return { mean, variance };
}

/** Number of distinct points, counted up to `limit` (stops early once reached). */
export function distinctPointCount(points: Points, limit: number): number {
  const seen = new Set<string>();
  const { values, count, dimension } = points;
  for (let i = 0; i < count && seen.size < limit; i++) {
    seen.add(values.subarray(i * dimension, (i + 1) * dimension).join(','));
  }
  return seen.size;
}

/** Log of Σ exp(row) for each row of an n × k row-major array (max-shifted, so no overflow), written into `out`. */
export function logSumExpRows(logits: Float64Array, k: number, out: Float64Array): Float64Array {
  const n = logits.length / k;
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, logits[i * k + c]);
    if (max === -Infinity) {
      out[i] = -Infinity;
      continue;
    }
    let s = 0;
    for (let c = 0; c < k; c++) s += Math.exp(logits[i * k + c] - max);
    out[i] = max + Math.log(s);
  }
  return out;
}
