/**
 * A mean over repeats (e.g. seeds) with its sample standard deviation and a two-sided Student-t confidence interval:
 * mean ± t_{(1+level)/2, n−1} · sd / √n. Its own file (not util/stats.ts) because it needs the t quantile of
 * util/specialFunctions (@stdlib), which the browser bundle's users of util/stats do not.
 */
import { InputError } from './errors.js';
import { studentTQuantile } from './specialFunctions.js';

export interface MeanInterval {
  mean: number;
  /** Sample standard deviation (n − 1); 0 for one value, NaN for none. */
  sd: number;
  /** Half-width of the `level` interval; NaN for fewer than two values (no interval can be stated). */
  halfWidth: number;
  level: number;
  /** Finite values used. */
  n: number;
}

/** Mean, sd and Student-t confidence interval of the finite values (NaN and ±Infinity are left out). */
export function meanInterval(values: ArrayLike<number>, level = 0.95): MeanInterval {
  if (!(level > 0 && level < 1)) throw new InputError(`meanInterval: confidence level ${level}, expected a number in (0, 1)`);
  const finite = Array.from(values).filter(Number.isFinite);
  const n = finite.length;
  const mean = n === 0 ? Number.NaN : finite.reduce((a, v) => a + v, 0) / n;
  const sd = n > 1 ? Math.sqrt(finite.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : n === 1 ? 0 : Number.NaN;
  const halfWidth = n > 1 ? (studentTQuantile((1 + level) / 2, n - 1) * sd) / Math.sqrt(n) : Number.NaN;
  return { mean, sd, halfWidth, level, n };
}
