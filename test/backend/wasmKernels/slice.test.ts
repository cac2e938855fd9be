import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/util/rng.js';
import { randomData, runKernelOn, setUpWasm } from '../kernelHarness.js';

describe('Slice on wasm', () => {
  beforeAll(setUpWasm);

  it('copies exactly the region the cpu backend copies, ranks 1–5, over 30 cases', async () => {
    const rng = new Rng(41);
    for (let n = 0; n < 30; n++) {
      const rank = 1 + (n % 5);
      const shape = Array.from({ length: rank }, () => 1 + rng.int(5));
      const begin = shape.map((d) => rng.int(d));
      // Mix whole axes (contiguous runs) with partial ones.
      const size = shape.map((d, i) => (rng.bernoulli(0.4) ? d - begin[i] : 1 + rng.int(d - begin[i])));
      if (rng.bernoulli(0.3)) {
        begin.fill(0, 1);
        size.splice(1, rank - 1, ...shape.slice(1));
      }
      const data = randomData(rng, shape.reduce((p, d) => p * d, 1));
      const attrs = { begin, size };
      const wasm = await runKernelOn('wasm', tf.Slice, { x: { shape, data } }, attrs);
      const cpu = await runKernelOn('cpu', tf.Slice, { x: { shape, data } }, attrs);
      expect(wasm.shape).toEqual(cpu.shape);
      expect(Array.from(wasm.data), JSON.stringify({ shape, begin, size })).toEqual(Array.from(cpu.data));
    }
  });

  it('slices int32 tensors and accepts -1 sizes', async () => {
    const data = Int32Array.from({ length: 24 }, (_, i) => i);
    const out = await runKernelOn('wasm', tf.Slice, { x: { shape: [2, 3, 4], data, dtype: 'int32' } }, { begin: [1, 1, 2], size: [-1, 2, -1] });
    expect(out.shape).toEqual([1, 2, 2]);
    expect(Array.from(out.data)).toEqual([18, 19, 22, 23]);
  });
});
