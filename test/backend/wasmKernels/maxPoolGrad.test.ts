import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/util/rng.js';
import { randomData, relativeError, runKernelOn, setUpWasm } from '../kernelHarness.js';

describe('MaxPoolGrad on wasm', () => {
  beforeAll(setUpWasm);

  it('matches the cpu backend (up to summation order), including all-negative inputs, same/valid padding and strides 1–3', async () => {
    const rng = new Rng(71);
    for (let n = 0; n < 16; n++) {
      const shape = [1 + rng.int(3), 2 + rng.int(7), 2 + rng.int(7), 1 + rng.int(4)];
      const size = 1 + rng.int(3);
      const stride = 1 + (n % 3);
      const pad = n % 2 === 0 ? 'same' : 'valid';
      if (pad === 'valid' && (shape[1] < size || shape[2] < size)) continue;
      const allNegative = n % 4 < 2;
      const x = randomData(rng, shape.reduce((p, d) => p * d, 1), allNegative ? -2 : -1, allNegative ? -0.01 : 1);
      const attrs = { filterSize: size, strides: stride, pad };
      const y = await runKernelOn('cpu', tf.MaxPool, { x: { shape, data: x } }, attrs);
      const dy = randomData(rng, y.data.length);
      const inputs = { dy: { shape: y.shape, data: dy }, input: { shape, data: x }, output: y };
      const wasm = await runKernelOn('wasm', tf.MaxPoolGrad, inputs, attrs);
      const cpu = await runKernelOn('cpu', tf.MaxPoolGrad, inputs, attrs);
      expect(relativeError(wasm.data, cpu.data), JSON.stringify({ shape, size, stride, pad, allNegative })).toBeLessThan(1e-6);
    }
  });

  it('2×2 stride-2 fast path: matches cpu on even and odd sides, same and valid padding, ties and all-negative windows', async () => {
    const rng = new Rng(72);
    for (const [h, w, pad] of [[8, 8, 'same'], [7, 9, 'same'], [7, 9, 'valid'], [6, 5, 'same'], [2, 2, 'valid']] as const) {
      for (const kind of ['random', 'negative', 'ties']) {
        const shape = [2, h, w, 3];
        const n = shape.reduce((p, d) => p * d, 1);
        const x = kind === 'ties' ? Float32Array.from({ length: n }, () => rng.int(2)) : randomData(rng, n, kind === 'negative' ? -2 : -1, kind === 'negative' ? -0.01 : 1);
        const attrs = { filterSize: 2, strides: 2, pad };
        const y = await runKernelOn('cpu', tf.MaxPool, { x: { shape, data: x } }, attrs);
        const inputs = { dy: { shape: y.shape, data: randomData(rng, y.data.length) }, input: { shape, data: x }, output: y };
        const wasm = await runKernelOn('wasm', tf.MaxPoolGrad, inputs, attrs);
        const cpu = await runKernelOn('cpu', tf.MaxPoolGrad, inputs, attrs);
        expect(relativeError(wasm.data, cpu.data), JSON.stringify({ h, w, pad, kind })).toBeLessThan(1e-6);
      }
    }
  });

  it('routes the gradient of an all-negative window to its maximum through the tape', () => {
    const x = tf.tensor4d([-3, -1, -2, -4], [1, 2, 2, 1]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid')))(x);
    expect(Array.from(g.dataSync())).toEqual([0, 1, 0, 0]);
    tf.dispose([x, g]);
  });
});
