import { describe, expect, it } from 'vitest';
import { meanAbsDifference, voteFractionErrors } from '../../src/train/regimes/voteFractionErrors.js';
import { alternatingBatches, type BatchSource } from '../../src/train/regimes/alternatingBatches.js';
import type { HostBatch } from '../../src/data/hostBatch.js';

describe('vote-fraction errors', () => {
  it('matches hand-computed sum-abs (the paper\'s "RMSE") and true RMSE', () => {
    const p = [0.5, 0.3, 0.2, 0.1, 0.8, 0.1];
    const f = [0.6, 0.2, 0.2, 0.0, 1.0, 0.0];
    // galaxy 1: |−0.1| + |0.1| + 0 = 0.2; galaxy 2: 0.1 + 0.2 + 0.1 = 0.4 → mean 0.3
    // squares: 0.01 + 0.01 + 0 + 0.01 + 0.04 + 0.01 = 0.08 over 6 → √(0.08/6)
    const e = voteFractionErrors(p, f, 3);
    expect(e.sumAbs).toBeCloseTo(0.3, 6);
    expect(e.rmse).toBeCloseTo(Math.sqrt(0.08 / 6), 6);
    expect(e.galaxies).toBe(2);
    expect(e.leftOut).toBe(0);
  });

  it('leaves out galaxies whose question was not asked (fractions summing to 0) and counts them', () => {
    const e = voteFractionErrors([0.5, 0.5, 0.2, 0.8], [1, 0, 0, 0], 2);
    expect(e.galaxies).toBe(1);
    expect(e.leftOut).toBe(1);
    expect(e.sumAbs).toBeCloseTo(1, 6);
  });

  it('refuses mismatched sizes, and measures mean |Δp|', () => {
    expect(() => voteFractionErrors([0.5, 0.5], [1, 0, 0], 2)).toThrow(/N × 2/);
    expect(meanAbsDifference([0.2, 0.8], [0.3, 0.6])).toBeCloseTo(0.15, 6);
  });
});

function source(name: string, batches: number): BatchSource & { calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    async *batches(epoch: number): AsyncGenerator<HostBatch> {
      calls.push(epoch);
      for (let i = 0; i < batches; i++) yield { size: 1, arrays: { tag: new Float32Array([i]) }, shapes: { tag: [1] }, name } as HostBatch;
    },
  };
}

describe('alternating batches', () => {
  it('alternates labelled and unlabelled batches for one unlabelled pass, cycling the labelled loader', async () => {
    const labelled = source('L', 2);
    const unlabelled = source('U', 5);
    const seen: string[] = [];
    for await (const b of alternatingBatches(labelled, unlabelled, 0)) seen.push(`${(b as unknown as { name: string }).name}${b.arrays.tag[0]}`);
    expect(seen).toEqual(['L0', 'U0', 'L1', 'U1', 'L0', 'U2', 'L1', 'U3', 'L0', 'U4']);
    expect(labelled.calls.length).toBe(3); // restarted with a new shuffle each cycle
    expect(new Set(labelled.calls).size).toBe(3);
  });
});
