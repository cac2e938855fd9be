import { describe, expect, it } from 'vitest';
import { betaCdf, betaQuantile } from '../../src/active/betaQuantile.js';
import { voteFractionIntervals } from '../../src/active/voteFractionIntervals.js';

describe('betaQuantile', () => {
  it('Beta(1, 1) is uniform: q(p) = p', () => {
    for (const p of [0.05, 0.3, 0.5, 0.95]) expect(betaQuantile(p, 1, 1)).toBeCloseTo(p, 12);
  });

  it('Beta(2, 2): CDF 3x² − 2x³ and q(0.05), q(0.95) solve it; median ½', () => {
    for (const x of [0.1, 0.4, 0.77]) expect(betaCdf(x, 2, 2)).toBeCloseTo(3 * x * x - 2 * x ** 3, 13);
    const q = betaQuantile(0.05, 2, 2);
    expect(3 * q * q - 2 * q ** 3).toBeCloseTo(0.05, 12);
    expect(betaQuantile(0.95, 2, 2)).toBeCloseTo(1 - q, 12);
    expect(betaQuantile(0.5, 2, 2)).toBeCloseTo(0.5, 12);
  });

  it('Beta(a, 1) and Beta(1, b) closed forms: p^(1/a) and 1 − (1 − p)^(1/b)', () => {
    expect(betaQuantile(0.05, 3.5, 1)).toBeCloseTo(0.05 ** (1 / 3.5), 12);
    expect(betaQuantile(0.95, 1, 40)).toBeCloseTo(1 - 0.05 ** (1 / 40), 12);
  });

  it('is symmetric: q(p; a, b) = 1 − q(1 − p; b, a), for concentrations in zoobot range', () => {
    for (const [a, b] of [
      [1.3, 87],
      [50, 51],
      [101, 2],
    ]) {
      expect(betaQuantile(0.05, a, b)).toBeCloseTo(1 - betaQuantile(0.95, b, a), 12);
      expect(betaCdf(betaQuantile(0.2, a, b), a, b)).toBeCloseTo(0.2, 12);
    }
  });

  it('rejects bad parameters with messages', () => {
    expect(() => betaQuantile(0.5, 0, 1)).toThrow(/shape parameters must be finite and > 0, got a = 0, b = 1/);
    expect(() => betaQuantile(1.5, 1, 1)).toThrow(/probability 1.5, expected a number in \[0, 1\]/);
  });
});

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
