import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/util/rng.js';
import {
  dot,
  naiveConv2D,
  randomConvCase,
  randomData,
  relativeError,
  runKernelOn,
  setUpWasm,
  sizeOf,
} from '../kernelHarness.js';

describe('Conv2DBackpropFilter on wasm', () => {
  beforeAll(setUpWasm);

  it('matches the cpu backend and the adjoint of a float64 forward convolution over 30 random cases', async () => {
    const rng = new Rng(11);
    for (let n = 0; n < 30; n++) {
      const c = randomConvCase(rng, n);
      const x = randomData(rng, sizeOf(c.xShape));
      const dy = randomData(rng, sizeOf(c.outShape));
      const inputs = { x: { shape: c.xShape, data: x }, dy: { shape: c.outShape, data: dy } };
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filterShape };
      const wasm = await runKernelOn('wasm', tf.Conv2DBackpropFilter, inputs, attrs);
      const cpu = await runKernelOn('cpu', tf.Conv2DBackpropFilter, inputs, attrs);
      const label = JSON.stringify(c);
      expect(wasm.shape, label).toEqual(c.filterShape);
      expect(relativeError(wasm.data, cpu.data), label).toBeLessThan(1e-5);
      // <conv(x, w), dy> = <w, dW(x, dy)> for any w: checks against the definition, not against tfjs.
      const w = randomData(rng, sizeOf(c.filterShape));
      const lhs = dot(naiveConv2D(c, x, w), dy);
      const rhs = dot(w, wasm.data);
      expect(Math.abs(lhs - rhs), label).toBeLessThan(1e-4 * (1 + Math.abs(lhs)));
    }
  });

  it('gives the gradient of tf.conv2d with respect to the filter through the tape (finite differences)', async () => {
    const rng = new Rng(5);
    const x = tf.tensor4d(randomData(rng, 2 * 7 * 6 * 2), [2, 7, 6, 2]);
    const w = tf.tensor4d(randomData(rng, 3 * 3 * 2 * 3), [3, 3, 2, 3]);
    const r = tf.tensor4d(randomData(rng, 2 * 4 * 3 * 3), [2, 4, 3, 3]);
    const loss = (filter: tf.Tensor4D) => tf.sum(tf.mul(tf.conv2d(x, filter, 2, 'same'), r)) as tf.Scalar;
    const grad = tf.grad((t: tf.Tensor) => loss(t as tf.Tensor4D))(w);
    const g = grad.dataSync();
    const wData = w.dataSync();
    const h = 1e-2;
    for (const i of [0, 7, 23, 53]) {
      const plus = wData.slice();
      const minus = wData.slice();
      plus[i] += h;
      minus[i] -= h;
      const fd = tf.tidy(() => (loss(tf.tensor4d(plus, w.shape)).dataSync()[0] - loss(tf.tensor4d(minus, w.shape)).dataSync()[0]) / (2 * h));
      expect(g[i]).toBeCloseTo(fd, 2);
    }
    tf.dispose([x, w, r, grad]);
  });
});
