import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/util/rng.js';
import { randomData, runKernelOn, setUpWasm } from '../kernelHarness.js';

describe('GatherV2 on wasm', () => {
  beforeAll(setUpWasm);

  it('gathers exactly what the cpu backend gathers: axes 0–2, index ranks 1–2, slices of 1 and more (20 cases)', async () => {
    const rng = new Rng(81);
    for (let n = 0; n < 20; n++) {
      const shape = [1 + rng.int(4), 1 + rng.int(5), 1 + rng.int(3)];
      const axis = n % 3;
      const indexShape = n % 2 === 0 ? [1 + rng.int(6)] : [2, 1 + rng.int(3)];
      const count = indexShape.reduce((a, b) => a * b, 1);
      const indices = Int32Array.from({ length: count }, () => rng.int(shape[axis]));
      const inputs = {
        x: { shape, data: randomData(rng, shape.reduce((a, b) => a * b, 1)) },
        indices: { shape: indexShape, data: indices, dtype: 'int32' as const },
      };
      const attrs = { axis, batchDims: 0 };
      const wasm = await runKernelOn('wasm', tf.GatherV2, inputs, attrs);
      const cpu = await runKernelOn('cpu', tf.GatherV2, inputs, attrs);
      const label = JSON.stringify({ shape, axis, indexShape });
      expect(wasm.shape, label).toEqual(cpu.shape);
      expect(Array.from(wasm.data), label).toEqual(Array.from(cpu.data));
    }
  });

  it('rejects an index out of range with the stock message', async () => {
    await expect(
      runKernelOn(
        'wasm',
        tf.GatherV2,
        { x: { shape: [3], data: new Float32Array([1, 2, 3]) }, indices: { shape: [2], data: new Int32Array([0, 3]), dtype: 'int32' } },
        { axis: 0, batchDims: 0 },
      ),
    ).rejects.toThrow('GatherV2: the index value 3 is not in [0, 2]');
  });
});
