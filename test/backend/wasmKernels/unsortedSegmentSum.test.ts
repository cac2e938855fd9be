import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/util/rng.js';
import { randomData, relativeError, runKernelOn, setUpWasm } from '../kernelHarness.js';

describe('UnsortedSegmentSum on wasm', () => {
  beforeAll(setUpWasm);

  it('matches a host sum over 20 random cases with repeated ids', async () => {
    const rng = new Rng(21);
    for (let n = 0; n < 20; n++) {
      const rows = 1 + rng.int(12);
      const cols = 1 + rng.int(5);
      const segments = 1 + rng.int(6);
      const x = randomData(rng, rows * cols);
      const ids = Int32Array.from({ length: rows }, () => rng.int(segments));
      const out = await runKernelOn(
        'wasm',
        tf.UnsortedSegmentSum,
        { x: { shape: [rows, cols], data: x }, segmentIds: { shape: [rows], data: ids, dtype: 'int32' } },
        { numSegments: segments },
      );
      const expected = new Float64Array(segments * cols);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) expected[ids[r] * cols + c] += x[r * cols + c];
      expect(out.shape).toEqual([segments, cols]);
      expect(relativeError(out.data, expected)).toBeLessThan(1e-6);
    }
  });

  it('makes the gradient of tf.gather match the cpu backend', async () => {
    const run = async (backend: 'wasm' | 'cpu') => {
      await tf.setBackend(backend);
      const params = tf.tensor2d(randomData(new Rng(1), 30), [10, 3]);
      const indices = tf.tensor1d([3, 3, 0, 9, 3, 5], 'int32');
      const weights = tf.tensor2d(randomData(new Rng(2), 18), [6, 3]);
      const g = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.gather(p, indices), weights)))(params);
      const data = g.dataSync().slice();
      tf.dispose([params, indices, weights, g]);
      await tf.setBackend('wasm');
      return data;
    };
    expect(relativeError(await run('wasm'), await run('cpu'))).toBeLessThan(1e-6);
  });

  it('rejects a segment id out of range, naming it', async () => {
    await expect(
      runKernelOn(
        'wasm',
        tf.UnsortedSegmentSum,
        { x: { shape: [2, 1], data: new Float32Array([1, 2]) }, segmentIds: { shape: [2], data: new Int32Array([0, 4]), dtype: 'int32' } },
        { numSegments: 3 },
      ),
    ).rejects.toThrow('segment id 4 at position 1 is outside [0, 3)');
  });
});
