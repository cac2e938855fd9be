import { describe, expect, it } from 'vitest';
import { acquireByExpectedImprovement, expectedImprovement, rowBatches } from '../../src/explore/expectedImprovement.js';
import { GaussianProcess } from '../../src/explore/gaussianProcess.js';
import { TopK } from '../../src/explore/topK.js';
import { normalCdf } from '../../src/util/specialFunctions.js';
import { Rng } from '../../src/util/rng.js';

describe('expectedImprovement', () => {
  it('equals (μ − f⁺ − ξ) Φ(z) + σ φ(z) at hand-picked values (Φ, φ from tables)', () => {
    // μ = 3, σ = 1, f⁺ = 2, ξ = 0.5: z = 0.5, Φ(0.5) = 0.691462461274013, φ(0.5) = 0.352065326764300
    expect(expectedImprovement(3, 1, 2, 0.5)).toBeCloseTo(0.5 * 0.691462461274013 + 0.3520653267643, 12);
    // μ = 1, σ = 2, f⁺ = 3, ξ = 0.5: z = −1.25, Φ(−1.25) = 0.105649773666855, φ(1.25) = 0.182649085389022
    expect(expectedImprovement(1, 2, 3, 0.5)).toBeCloseTo(-2.5 * 0.105649773666855 + 2 * 0.182649085389022, 12);
    // ξ = 0 at μ = f⁺: σ φ(0)
    expect(expectedImprovement(4, 0.3, 4, 0)).toBeCloseTo(0.3 / Math.sqrt(2 * Math.PI), 14);
  });

  it('with σ = 0 is the plain improvement max(μ − f⁺ − ξ, 0)', () => {
    expect(expectedImprovement(5, 0, 3, 0.5)).toBe(1.5);
    expect(expectedImprovement(2, 0, 3, 0.5)).toBe(0);
  });

  it('is positive, grows with the mean and with the uncertainty', () => {
    expect(expectedImprovement(-20, 1, 5, 0.5)).toBeGreaterThanOrEqual(0);
    expect(expectedImprovement(3, 1, 4, 0.5)).toBeGreaterThan(expectedImprovement(2, 1, 4, 0.5));
    expect(expectedImprovement(3, 2, 4, 0.5)).toBeGreaterThan(expectedImprovement(3, 1, 4, 0.5));
  });

  it('Φ is accurate in the far lower tail', () => {
    expect(normalCdf(-10) / 7.61985302416047e-24).toBeCloseTo(1, 10);
  });
});

describe('TopK', () => {
  it('keeps the k largest scores, ties to the smaller index, whatever the arrival order', () => {
    const rng = new Rng(2);
    const scores = Array.from({ length: 500 }, () => Math.round(rng.range(0, 50)));
    const expected = scores.map((s, i) => ({ s, i })).sort((a, b) => b.s - a.s || a.i - b.i).slice(0, 12).map((e) => e.i);
    const forward = new TopK(12);
    scores.forEach((s, i) => forward.push(i, s, undefined));
    const backward = new TopK(12);
    for (let i = scores.length - 1; i >= 0; i--) backward.push(i, scores[i], undefined);
    expect(forward.sorted().map((e) => e.index)).toEqual(expected);
    expect(backward.sorted().map((e) => e.index)).toEqual(expected);
  });
});

describe('acquireByExpectedImprovement', () => {
  const rng = new Rng(9);
  const d = 3;
  const n = 12;
  const x = Array.from({ length: n * d }, () => rng.normal());
  const y = Array.from({ length: n }, () => Math.round(rng.range(0, 5)));
  const gp = GaussianProcess.withParams(x, y, d, { lengthScale: 1.2, alpha: 1, noise: 0.1 });
  const candidates = Float32Array.from({ length: 1000 * d }, () => rng.normal());
  const best = Math.max(...y);

  it('streamed in batches, picks the same top 10 as scoring every candidate at once and sorting', () => {
    const all = gp.predict(candidates);
    const exclude = (i: number) => i % 7 === 0;
    const expected = Array.from(all.mean, (m, i) => ({ i, ei: expectedImprovement(m, all.sd[i], best, 0.5) }))
      .filter((e) => !exclude(e.i))
      .sort((a, b) => b.ei - a.ei || a.i - b.i)
      .slice(0, 10);
    for (const batchSize of [1, 37, 5000]) {
      const picked = acquireByExpectedImprovement(gp, rowBatches(candidates, d, batchSize), { count: 10, best, exclude });
      expect(picked.map((p) => p.index)).toEqual(expected.map((e) => e.i));
      picked.forEach((p, k) => expect(p.ei).toBeCloseTo(expected[k].ei, 12));
    }
  });

  it('a larger trade-off favours uncertain candidates', () => {
    const exploit = acquireByExpectedImprovement(gp, rowBatches(candidates, d, 256), { count: 10, best, tradeoff: 0 });
    const explore = acquireByExpectedImprovement(gp, rowBatches(candidates, d, 256), { count: 10, best, tradeoff: 5 });
    const meanSd = (a: { sd: number }[]) => a.reduce((s, v) => s + v.sd, 0) / a.length;
    expect(meanSd(explore)).toBeGreaterThan(meanSd(exploit));
  });
});
