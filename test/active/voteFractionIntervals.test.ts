import { describe, expect, it } from 'vitest';
import { betaQuantile } from '../../src/util/specialFunctions.js';
import { voteFractionIntervals } from '../../src/active/voteFractionIntervals.js';

describe('voteFractionIntervals', () => {
  it('takes per-pass Beta(α_a, A − α_a) quantiles and their median across passes', () => {
    // Question [0, 2): pass α = (1, 1) → Beta(1, 1): [0.05, 0.95]; (2, 2) → Beta(2, 2); (1, 3) → Beta(1, 3).
    const passes = [[[1, 1, 5]], [[2, 2, 5]], [[1, 3, 5]]];
    const intervals = voteFractionIntervals(passes, [
      [0, 2],
      [2, 3],
    ]);
    const lows = [0.05, betaQuantile(0.05, 2, 2), 1 - 0.95 ** (1 / 3)].sort((x, y) => x - y);
    expect(intervals[0][0].lower).toBeCloseTo(lows[1], 12);
    const highs = [0.95, betaQuantile(0.95, 2, 2), 1 - 0.05 ** (1 / 3)].sort((x, y) => x - y);
    expect(intervals[0][0].upper).toBeCloseTo(highs[1], 12);
    // A single-answer question's fraction is 1 with certainty.
    expect(intervals[0][2]).toEqual({ lower: 1, upper: 1 });
    expect(() => voteFractionIntervals(passes, [[0, 2]])).toThrow(/answer column 2 belongs to no question slice/);
  });
});
