import { describe, expect, it } from 'vitest';
import { averagePathLength, IsolationForest } from '../../src/explore/isolationForest.js';
import { Rng } from '../../src/util/rng.js';

describe('averagePathLength', () => {
  it('is c(m) = 2 H(m − 1) − 2(m − 1)/m with H(i) ≈ ln i + γ, and 0, 1 for m = 1, 2', () => {
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    expect(averagePathLength(3)).toBeCloseTo(2 * (Math.log(2) + 0.5772156649015329) - 4 / 3, 14);
    expect(averagePathLength(256)).toBeCloseTo(10.244770920119917, 10);
  });
});

describe('IsolationForest', () => {
  const rng = new Rng(5);
  const d = 10;
  const inliers = 600;
  const planted = [600, 601, 602, 603, 604, 605];
  const x = new Float64Array((inliers + planted.length) * d);
  for (let i = 0; i < inliers * d; i++) x[i] = rng.normal();
  planted.forEach((row) => {
    // far out, each in its own direction: ±4 sd in every component (an outlier in a single component of ten is
    // rarely isolated, since a split picks that component only one time in ten — iForest's known weakness)
    for (let c = 0; c < d; c++) x[row * d + c] = (rng.uniform() < 0.5 ? -4 : 4) + 0.2 * rng.normal();
  });

  it('ranks the planted outliers above every inlier', () => {
    const forest = IsolationForest.fit(x, d, { trees: 100, seed: 1 });
    const scores = forest.score(x);
    const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a]);
    expect(order.slice(0, planted.length).sort((a, b) => a - b)).toEqual(planted);
    // inliers sit near or below 0.5, outliers well above
    let inlierMean = 0;
    for (let i = 0; i < inliers; i++) inlierMean += scores[i] / inliers;
    expect(inlierMean).toBeLessThan(0.5);
    for (const p of planted) expect(scores[p]).toBeGreaterThan(0.6);
  });

  it('is deterministic for a seed and changes with the seed', () => {
    const a = IsolationForest.fit(x, d, { seed: 3 }).score(x);
    expect(IsolationForest.fit(x, d, { seed: 3 }).score(x)).toEqual(a);
    expect(IsolationForest.fit(x, d, { seed: 4 }).score(x)).not.toEqual(a);
  });

  it('refuses non-finite values and bad options, naming them', () => {
    expect(() => IsolationForest.fit([1, 2, Number.NaN, 4], 2)).toThrow(/value 2 \(row 1\) is not finite/);
    expect(() => IsolationForest.fit(x, d, { trees: 0 })).toThrow(/option "trees"/);
  });
});
