import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/util/rng.js';
import { randomData, relativeError, runKernelOn, setUpWasm } from '../kernelHarness.js';

describe('BatchMatMul on wasm', () => {
  beforeAll(setUpWasm);

  it('matches the cpu backend for all transpose combinations, batched and broadcast, over 20 cases', async () => {
    const rng = new Rng(31);
    for (let n = 0; n < 20; n++) {
      const transposeA = n % 2 === 1;
      const transposeB = n % 4 >= 2;
      const m = 1 + rng.int(7);
      const k = 1 + rng.int(7);
      const p = 1 + rng.int(7);
      const batchA = n % 5 === 0 ? 1 : 1 + rng.int(3);
      const batchB = n % 5 === 0 ? 1 + rng.int(3) : batchA;
      const aShape = [batchA, ...(transposeA ? [k, m] : [m, k])];
      const bShape = [batchB, ...(transposeB ? [p, k] : [k, p])];
      const inputs = {
        a: { shape: aShape, data: randomData(rng, batchA * m * k) },
        b: { shape: bShape, data: randomData(rng, batchB * k * p) },
      };
      const attrs = { transposeA, transposeB };
      const wasm = await runKernelOn('wasm', tf.BatchMatMul, inputs, attrs);
      const cpu = await runKernelOn('cpu', tf.BatchMatMul, inputs, attrs);
      const label = JSON.stringify({ aShape, bShape, transposeA, transposeB });
      expect(wasm.shape, label).toEqual(cpu.shape);
      expect(relativeError(wasm.data, cpu.data), label).toBeLessThan(1e-5);
    }
  });
});
