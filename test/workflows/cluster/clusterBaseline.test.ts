import { describe, expect, it } from 'vitest';
import { areaAverage, clusterPixels } from '../../../src/workflows/cluster/clusterBaseline.js';
import { Rng } from '../../../src/util/rng.js';

describe('pixel baseline of galmorph cluster', () => {
  it('area-averages blocks by hand: a 4 × 4 image to 2 × 2', () => {
    const image = Float32Array.from({ length: 16 }, (_, i) => i);
    // blocks: (0,1,4,5) (2,3,6,7) (8,9,12,13) (10,11,14,15)
    expect(Array.from(areaAverage(image, 4, 1, 2))).toEqual([2.5, 4.5, 10.5, 12.5]);
    expect(Array.from(areaAverage(image, 4, 1, 1))).toEqual(Array.from(image));
  });

  it('recovers three noisy templates exactly (accuracy 1, ARI 1), and scores a class-blind split at chance', () => {
    const rng = new Rng(3);
    const side = 8;
    const templates = [0, 1, 2].map((t) => Float32Array.from({ length: side * side }, (_, i) => (Math.floor(i / side) % 3 === t ? 0.8 : 0.1)));
    const rows: Float32Array[] = [];
    const truth: string[] = [];
    for (let i = 0; i < 60; i++) {
      const c = i % 3;
      rows.push(Float32Array.from(templates[c], (v) => v + 0.05 * rng.normal()));
      truth.push(['a', 'b', 'c'][c]);
    }
    const b = clusterPixels(rows, truth, side, { k: 3, components: 5, seed: 0 });
    expect(b.galaxies).toBe(60);
    expect(b.components).toBe(5);
    for (const m of [b.kMeans, b.gmm]) {
      expect(m.hungarian_accuracy).toBe(1);
      expect(m.ari).toBeCloseTo(1, 10);
      expect(m.clusterSizes.sort()).toEqual([20, 20, 20]);
    }
    // The same images with labels that ignore the pixels (classes by index parity of blocks of 3): no better than
    // the largest matched share a class-blind clustering can reach.
    const blind = clusterPixels(rows, truth.map((_, i) => (Math.floor(i / 3) % 2 === 0 ? 'x' : 'y')), side, { k: 3, components: 5, seed: 0 });
    expect(blind.kMeans.ari).toBeLessThan(0.05);
    expect(blind.kMeans.hungarian_accuracy).toBeLessThan(0.6);
  });
});
