/**
 * galmorph's max-along-an-axis kernels on wasm: forward equal to tf.max, the gradient equal to tf.max's tape gradient
 * (every tied maximum gets dy) and to central differences away from ties, every axis; no leaked tensors.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_ALONG_AXIS, MAX_ALONG_AXIS_GRAD } from '../../../src/backend/maxAlongAxis.js';
import { maxAlongAxis } from '../../../src/nn/maxAlongAxis.js';
import { Rng } from '../../../src/util/rng.js';
import { dot, randomData, setUpWasm } from '../kernelHarness.js';

beforeAll(setUpWasm);

function maxLoss(x: ArrayLike<number>, shape: number[], axis: number, w: ArrayLike<number>): number {
  const outer = shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const n = shape[axis];
  const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  let s = 0;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      let best = -Infinity;
      for (let j = 0; j < n; j++) best = Math.max(best, x[(o * n + j) * inner + k]);
      s += best * w[o * inner + k];
    }
  }
  return s;
}

describe('max along an axis (wasm)', () => {
  it('forward and gradient equal tf.max and central differences on 30 random cases, ties included', () => {
    const rng = new Rng(551);
    for (let i = 0; i < 30; i++) {
      const shape = Array.from({ length: 1 + rng.int(4) }, () => 1 + rng.int(5));
      const axis = rng.int(shape.length);
      const size = shape.reduce((p, d) => p * d, 1);
      // Every third case draws from five values, so ties are common.
      const x = i % 3 === 0 ? Float32Array.from({ length: size }, () => rng.int(5) - 2) : randomData(rng, size);
      const w = randomData(rng, size / shape[axis]);
      const run = (op: (t: tf.Tensor) => tf.Tensor) => tf.tidy(() => {
        const wt = tf.tensor(w);
        const { value, grads } = tf.valueAndGrads((t: tf.Tensor) => tf.sum(tf.mul(tf.reshape(op(t), [-1]), wt)) as tf.Scalar)([tf.tensor(x, shape)]);
        return { loss: value.dataSync()[0], grad: grads[0].dataSync() as Float32Array, y: op(tf.tensor(x, shape)).dataSync() };
      });
      const fast = run((t) => maxAlongAxis(t, axis));
      const stock = run((t) => tf.max(t, axis));
      expect(Array.from(fast.y)).toEqual(Array.from(stock.y));
      // Equal as numbers (tf.max's gradient writes dy·0, a −0 where dy < 0).
      expect(Array.from(fast.grad, (g) => g + 0)).toEqual(Array.from(stock.grad, (g) => g + 0));
      if (i % 3 !== 0) {
        const v = randomData(rng, size);
        const h = 1e-7;
        const fd = (maxLoss(Float64Array.from(x, (p, k) => p + h * v[k]), shape, axis, w) - maxLoss(Float64Array.from(x, (p, k) => p - h * v[k]), shape, axis, w)) / (2 * h);
        expect(Math.abs(dot(fast.grad, v) - fd)).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
      }
    }
  });

  it('runs one kernel each way (no broadcasting Equal) and leaves no tensors behind', async () => {
    const x = tf.tensor4d(randomData(new Rng(552), 2 * 4 * 3 * 5), [2, 4, 3, 5]);
    const before = tf.memory().numTensors;
    const info = await tf.profile(() => {
      tf.dispose(tf.grad((t: tf.Tensor) => tf.sum(tf.square(maxAlongAxis(t, 2))) as tf.Scalar)(x));
      return [];
    });
    const names = info.kernels.map((k) => k.name);
    expect(names.filter((n) => n === MAX_ALONG_AXIS)).toHaveLength(1);
    expect(names.filter((n) => n === MAX_ALONG_AXIS_GRAD)).toHaveLength(1);
    expect(names).not.toContain('Equal');
    expect(tf.memory().numTensors).toBe(before);
    expect(() => maxAlongAxis(x, 4)).toThrow(/axis 4 out of range/);
    x.dispose();
  });
});
