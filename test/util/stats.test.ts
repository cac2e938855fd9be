import { describe, expect, it } from 'vitest';
import { mean, median, quantile, quantileSorted, rmse } from '../../src/util/stats.js';

describe('stats', () => {
  it('quantiles interpolate between order statistics like numpy (type 7)', () => {
    const sorted = [1, 2, 3, 4, 10];
    expect(quantileSorted(sorted, 0.5)).toBe(3);
    expect(quantileSorted(sorted, 0.9)).toBeCloseTo(7.6, 12); // numpy.percentile([1,2,3,4,10], 90) = 7.6
    expect(quantileSorted(sorted, 0)).toBe(1);
    expect(quantileSorted(sorted, 1)).toBe(10);
    expect(quantile([10, 3, 1, 4, 2], 0.25)).toBe(2); // numpy.quantile(…, 0.25) = 2.0; input order does not matter
    expect(quantileSorted([], 0.5)).toBeNaN();
  });

  it('median of odd and even counts, mean, and neither modifies its input', () => {
    const values = [5, 1, 4, 2];
    expect(median(values)).toBe(3);
    expect(median([7, 1, 3])).toBe(3);
    expect(values).toEqual([5, 1, 4, 2]);
    expect(mean([1, 2, 6])).toBe(3);
    expect(mean([])).toBeNaN();
  });

  it('rmse skips entries without a target', () => {
    expect(rmse([0.5, 0.1, 0.9], [0.2, Number.NaN, 0.5])).toBeCloseTo(Math.sqrt((0.09 + 0.16) / 2), 12);
    expect(rmse([0.5], [Number.NaN])).toBeNaN();
  });
});
