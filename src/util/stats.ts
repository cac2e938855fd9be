/**
 * Summary statistics of plain number arrays, one definition each. Quantiles interpolate linearly between order
 * statistics (numpy's default, "type 7"), with q as a fraction in [0, 1]. Written here rather than taken from a
 * library because each is a few lines and the type-7 rule must match what reports and image stretches used before.
 */

/** Mean; NaN when empty. */
export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return values.length === 0 ? Number.NaN : s / values.length;
}

/** Quantile q ∈ [0, 1] of values already sorted ascending; NaN when empty. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = q * (n - 1);
  const i = Math.floor(pos);
  const f = pos - i;
  return i + 1 < n ? sorted[i] * (1 - f) + sorted[i + 1] * f : sorted[n - 1];
}

/** Quantile q ∈ [0, 1] of unsorted values (not modified). */
export function quantile(values: ArrayLike<number>, q: number): number {
  return quantileSorted(Float64Array.from(values).sort(), q);
}

/** Median (the mean of the two middle values for an even count); NaN when empty. */
export function median(values: ArrayLike<number>): number {
  return quantile(values, 0.5);
}

/** Root-mean-square of predicted − target over the entries whose target is a number (NaN targets are skipped). */
export function rmse(predicted: ArrayLike<number>, target: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < predicted.length; i++) {
    if (Number.isNaN(target[i])) continue;
    s += (predicted[i] - target[i]) ** 2;
    n++;
  }
  return n === 0 ? Number.NaN : Math.sqrt(s / n);
}
