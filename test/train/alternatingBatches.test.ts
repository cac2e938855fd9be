import { describe, expect, it } from 'vitest';
import { alternatingBatches, type BatchSource } from '../../src/train/regimes/alternatingBatches.js';
import type { HostBatch } from '../../src/data/hostBatch.js';

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
