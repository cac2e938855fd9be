import { describe, expect, it } from 'vitest';
import { kMeans } from '../../src/cluster/kMeans.js';
import { THREE_BLOBS, nearestRow, sampleMixture } from './sampleMixture.js';

describe('kMeans', () => {
  it('recovers the centres of three separated blobs, labels agreeing with the truth', () => {
    const data = sampleMixture(THREE_BLOBS, 600, 1);
    const fit = kMeans(data, 3, { seed: 3 });
    const match = THREE_BLOBS.means.map((m) => nearestRow(fit.centers, 2, m));
    expect(new Set(match).size).toBe(3);
    THREE_BLOBS.means.forEach((m, c) => {
      for (let j = 0; j < 2; j++) expect(Math.abs(fit.centers[match[c] * 2 + j] - m[j])).toBeLessThan(0.2);
    });
    let agree = 0;
    for (let i = 0; i < data.labels.length; i++) if (match[data.labels[i]] === fit.labels[i]) agree++;
    expect(agree / data.labels.length).toBeGreaterThan(0.97);
    expect(Array.from(fit.sizes).reduce((a, b) => a + b, 0)).toBe(600);
  });

  it('converges on a hand-checkable 1-D case: centres are the group means, inertia the within sum of squares', () => {
    const fit = kMeans([[0], [1], [2], [10], [11], [12]], 2, { seed: 0 });
    const centers = Array.from(fit.centers).sort((a, b) => a - b);
    expect(centers).toEqual([1, 11]);
    expect(fit.inertia).toBeCloseTo(4, 12); // (1 + 0 + 1) × 2
    expect(fit.labels[0]).toBe(fit.labels[2]);
    expect(fit.labels[0]).not.toBe(fit.labels[3]);
    expect(fit.converged).toBe(true);
  });

  it('is deterministic for a seed', () => {
    const data = sampleMixture(THREE_BLOBS, 200, 2);
    expect(Array.from(kMeans(data, 4, { seed: 5 }).labels)).toEqual(Array.from(kMeans(data, 4, { seed: 5 }).labels));
  });

  it('refuses fewer distinct points than clusters, non-finite values and unknown options', () => {
    expect(() => kMeans([[1], [1], [1], [2]], 3)).toThrow(/3 clusters asked for but the 4 points have fewer than 3 distinct values/);
    expect(() => kMeans([[1, 2], [Number.NaN, 0]], 1)).toThrow(/point 1, coordinate 0 is NaN/);
    expect(() => kMeans([[1], [2]], 1, { restart: 2 } as never)).toThrow(/option "restart"/);
    expect(() => kMeans([[1], [2]], 0)).toThrow(/k = 0/);
  });
});
