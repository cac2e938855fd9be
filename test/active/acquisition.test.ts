import { describe, expect, it } from 'vitest';
import { ACQUISITION_FUNCTIONS, acquire, topKIndices } from '../../src/active/acquisition.js';
import type { BaldResult } from '../../src/active/bald.js';
import { Rng } from '../../src/util/rng.js';

function uncertainty(mi: number[], entropy: number[]): BaldResult {
  return {
    mutualInformation: Float64Array.from(mi),
    predictiveEntropy: Float64Array.from(entropy),
    expectedEntropy: Float64Array.from(entropy, (h, i) => h - mi[i]),
  };
}

describe('acquire', () => {
  const u = uncertainty([0.1, 0.5, 0.3, 0.05, 0.4], [2.0, 1.0, 1.5, 3.0, 0.5]);

  it('lists its functions at runtime', () => {
    expect([...ACQUISITION_FUNCTIONS]).toEqual(['bald', 'random', 'entropy']);
  });

  it('bald takes the highest mutual information, entropy the highest predictive entropy, best first', () => {
    expect(acquire(u, 3, { acquisition: 'bald' })).toEqual([1, 4, 2]);
    expect(acquire(u, 2, { acquisition: 'entropy' })).toEqual([3, 0]);
  });

  it('random is reproducible for a seed, differs across seeds and returns distinct indices', () => {
    const big = uncertainty(new Array<number>(200).fill(0), new Array<number>(200).fill(0));
    const a = acquire(big, 20, { acquisition: 'random', seed: 1 });
    expect(acquire(big, 20, { acquisition: 'random', seed: 1 })).toEqual(a);
    expect(acquire(big, 20, { acquisition: 'random', seed: 2 })).not.toEqual(a);
    expect(new Set(a).size).toBe(20);
  });

  it('rejects unknown functions and impossible counts with messages', () => {
    expect(() => acquire(u, 1, { acquisition: 'margin' as never })).toThrow(/option "acquisition": expected one of bald \| random \| entropy/);
    expect(() => acquire(u, 6)).toThrow(/cannot pick 6 of 5 candidates/);
  });
});

describe('topKIndices', () => {
  it('breaks ties by the seeded generator, so every tied index can win', () => {
    const scores = [1, 5, 5, 5, 0];
    const winners = new Set<number>();
    for (let seed = 0; seed < 40; seed++) {
      const top = topKIndices(scores, 2, new Rng(seed));
      expect(top.every((i) => [1, 2, 3].includes(i))).toBe(true);
      winners.add(top[0]);
    }
    expect([...winners].sort()).toEqual([1, 2, 3]);
    expect(topKIndices(scores, 2, new Rng(9))).toEqual(topKIndices(scores, 2, new Rng(9)));
  });

  it('refuses NaN scores', () => {
    expect(() => topKIndices([0.2, NaN], 1, new Rng(0))).toThrow(/score of candidate 1 is NaN/);
  });
});
