import { describe, expect, it } from 'vitest';
import { chooseK, chooseKFits, summariseCounts } from '../../src/cluster/chooseK.js';
import { THREE_BLOBS, sampleMixture } from './sampleMixture.js';

describe('chooseK', () => {
  it('finds 3 clusters in every mini-batch of a known 3-component mixture, stable across seeds', () => {
    const data = sampleMixture(THREE_BLOBS, 900, 21);
    const seen: string[] = [];
    const it = chooseKFits(data, { maxComponents: 8, batchSize: 300, batches: 3, seeds: [0, 1] });
    let r = it.next();
    while (r.done !== true) {
      seen.push(`${r.value.seed}/${r.value.batch}`);
      r = it.next();
    }
    const result = r.value;
    expect(seen).toEqual(['0/0', '0/1', '0/2', '1/0', '1/1', '1/2']);
    expect(result.mode).toBe(3);
    expect(result.modeShare).toBe(1);
    expect(result.stable).toBe(true);
    expect(result.perSeed.map((s) => s.mode)).toEqual([3, 3]);
    expect(result.fitsAtLimit).toBe(0);
    expect(result.batchSize).toBe(300);
    for (const f of result.fits) {
      expect(f.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(f.weights[2]).toBeGreaterThan(0.1);
      expect(f.weights[3]).toBeLessThan(0.01);
    }
    // reproducible from the seeds
    const again = chooseK(data, { maxComponents: 8, batchSize: 300, batches: 3, seeds: [1] });
    expect(again.fits.map((f) => f.lowerBound)).toEqual(result.fits.filter((f) => f.seed === 1).map((f) => f.lowerBound));
  });

  it('summarises counts: distribution, mode with ties to the smaller count, mean and median', () => {
    const s = summariseCounts([3, 4, 2, 4, 3]);
    expect(s.distribution).toEqual([
      { count: 2, fits: 1, share: 0.2 },
      { count: 3, fits: 2, share: 0.4 },
      { count: 4, fits: 2, share: 0.4 },
    ]);
    expect(s.mode).toBe(3);
    expect(s.modeShare).toBe(0.4);
    expect(s.mean).toBeCloseTo(3.2, 14);
    expect(s.median).toBe(3);
    expect([s.min, s.max]).toEqual([2, 4]);
  });

  it('refuses batches smaller than the number of components and bad options', () => {
    const data = sampleMixture(THREE_BLOBS, 10, 1);
    expect(() => chooseK(data, { maxComponents: 12 })).toThrow(/mini-batches of 10 points for 12 components/);
    expect(() => chooseK(data, { seeds: [] })).toThrow(/option "seeds"/);
    expect(() => chooseK(data, { weightConcentrationPrior: 0 })).toThrow(/option "weightConcentrationPrior"/);
  });
});
