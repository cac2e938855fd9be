import { describe, expect, it } from 'vitest';
import { diagonalGmmEStep, diagonalGmmMStep, fitDiagonalGmm } from '../../src/cluster/diagonalGmm.js';
import { toPoints } from '../../src/cluster/points.js';
import { THREE_BLOBS, nearestRow, sampleMixture } from './sampleMixture.js';

describe('diagonalGmm', () => {
  it('E-step on 4 points, 2 components, 1-D matches the responsibilities written out by hand', () => {
    const x = [0, 1, 4, 6];
    const params = { k: 2, dimension: 1, weights: Float64Array.of(0.25, 0.75), means: Float64Array.of(0, 5), variances: Float64Array.of(1, 4) };
    const { responsibilities, meanLogLikelihood } = diagonalGmmEStep(toPoints(x.map((v) => [v])), params);
    // p_k(x) = π_k (2π σ²_k)^(−1/2) exp(−(x − μ_k)² / (2σ²_k)), r_k = p_k / (p_0 + p_1)
    const density = (v: number, w: number, m: number, s2: number) => (w / Math.sqrt(2 * Math.PI * s2)) * Math.exp(-((v - m) ** 2) / (2 * s2));
    let ll = 0;
    x.forEach((v, i) => {
      const p0 = density(v, 0.25, 0, 1);
      const p1 = density(v, 0.75, 5, 4);
      expect(responsibilities[i * 2]).toBeCloseTo(p0 / (p0 + p1), 14);
      expect(responsibilities[i * 2 + 1]).toBeCloseTo(p1 / (p0 + p1), 14);
      ll += Math.log(p0 + p1);
    });
    expect(meanLogLikelihood).toBeCloseTo(ll / 4, 12);
  });

  it('M-step on the same case matches the weighted means and variances written out by hand, variance floored', () => {
    const points = toPoints([[0], [1], [4], [6]]);
    const r = [0.9, 0.1, 0.6, 0.4, 0.2, 0.8, 0, 1];
    const p = diagonalGmmMStep(points, r, 2, 0.5);
    const n0 = 0.9 + 0.6 + 0.2;
    const n1 = 0.1 + 0.4 + 0.8 + 1;
    const m0 = (0.6 * 1 + 0.2 * 4) / n0;
    const m1 = (0.4 * 1 + 0.8 * 4 + 6) / n1;
    const v0 = (0.9 * m0 ** 2 + 0.6 * (1 - m0) ** 2 + 0.2 * (4 - m0) ** 2) / n0;
    const v1 = (0.1 * m1 ** 2 + 0.4 * (1 - m1) ** 2 + 0.8 * (4 - m1) ** 2 + (6 - m1) ** 2) / n1;
    expect(p.weights[0]).toBeCloseTo(n0 / 4, 12);
    expect(p.weights[1]).toBeCloseTo(n1 / 4, 12);
    expect(p.means[0]).toBeCloseTo(m0, 12);
    expect(p.means[1]).toBeCloseTo(m1, 12);
    expect(p.variances[0]).toBeCloseTo(v0, 12);
    expect(p.variances[1]).toBeCloseTo(v1, 12);
    // a component whose points are all equal gets the floor
    const floored = diagonalGmmMStep(toPoints([[2], [2], [7]]), [1, 0, 1, 0, 0, 1], 2, 0.5);
    expect(Array.from(floored.variances)).toEqual([0.5, 0.5]);
  });

  it('recovers a known 3-component mixture: weights, means and variances', () => {
    const data = sampleMixture(THREE_BLOBS, 3000, 4);
    const fit = fitDiagonalGmm(data, 3, { seed: 1 });
    expect(fit.converged).toBe(true);
    THREE_BLOBS.means.forEach((mean, c) => {
      const f = nearestRow(fit.params.means, 2, mean);
      expect(Math.abs(fit.params.weights[f] - THREE_BLOBS.weights[c])).toBeLessThan(0.03);
      for (let j = 0; j < 2; j++) {
        expect(Math.abs(fit.params.means[f * 2 + j] - mean[j])).toBeLessThan(0.1);
        expect(fit.params.variances[f * 2 + j] / THREE_BLOBS.sds[c][j] ** 2).toBeGreaterThan(0.85);
        expect(fit.params.variances[f * 2 + j] / THREE_BLOBS.sds[c][j] ** 2).toBeLessThan(1.15);
      }
    });
    const sums = Array.from({ length: 3000 }, (_, i) => fit.responsibilities[i * 3] + fit.responsibilities[i * 3 + 1] + fit.responsibilities[i * 3 + 2]);
    for (const s of sums) expect(s).toBeCloseTo(1, 12);
  });

  it('restarts: one whole fit per seed (seed, seed + 1, …), the highest log-likelihood kept', () => {
    // ten blobs on a 5 × 2 grid close enough that some single k-means starts end in a poorer local optimum
    const grid = { weights: Array(10).fill(0.1), means: Array.from({ length: 10 }, (_, c) => [3 * (c % 5), 3 * Math.floor(c / 5)]), sds: Array.from({ length: 10 }, () => [0.8, 0.8]) };
    const data = sampleMixture(grid, 600, 2);
    const single = Array.from({ length: 8 }, (_, r) => fitDiagonalGmm(data, 10, { seed: 5 + r }));
    const singleLl = single.map((f) => f.meanLogLikelihood);
    expect(Math.max(...singleLl) - Math.min(...singleLl)).toBeGreaterThan(0.01); // the restarts have something to choose
    const best = fitDiagonalGmm(data, 10, { seed: 5, restarts: 8 });
    expect(best.restartLogLikelihoods).toEqual(singleLl);
    const argmax = singleLl.indexOf(Math.max(...singleLl));
    expect(best.meanLogLikelihood).toBe(singleLl[argmax]);
    expect(Array.from(best.params.means)).toEqual(Array.from(single[argmax].params.means));
    expect(fitDiagonalGmm(data, 10, { seed: 5 }).restartLogLikelihoods).toEqual([singleLl[0]]);
    expect(() => fitDiagonalGmm([[1], [2]], 2, { init: { labels: [0, 1] }, restarts: 2 })).toThrow(/option "restarts".*1 when initial labels are given/);
  });

  it('keeps far points finite (log-sum-exp) and refuses bad input', () => {
    const params = { k: 2, dimension: 1, weights: Float64Array.of(0.5, 0.5), means: Float64Array.of(0, 1), variances: Float64Array.of(1e-4, 1e-4) };
    const { responsibilities, meanLogLikelihood } = diagonalGmmEStep(toPoints([[1e4]]), params);
    expect(responsibilities[1]).toBe(1);
    expect(Number.isFinite(meanLogLikelihood)).toBe(true);
    expect(() => fitDiagonalGmm([[1], [2]], 3)).toThrow(/3 components but only 2 points/);
    expect(() => fitDiagonalGmm([[1], [2]], 2, { init: { labels: [0, 2] } })).toThrow(/initial label of point 1 is 2/);
    expect(() => fitDiagonalGmm([[1], [2]], 2, { varianceFloor: 0 })).toThrow(/option "varianceFloor"/);
  });
});
