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

describe('Conv2DBackpropInput on wasm', () => {
  beforeAll(setUpWasm);

  it('matches the cpu backend and the adjoint of a float64 forward convolution over 30 random cases', async () => {
    const rng = new Rng(12);
    for (let n = 0; n < 30; n++) {
      const c = randomConvCase(rng, n);
      const w = randomData(rng, sizeOf(c.filterShape));
      const dy = randomData(rng, sizeOf(c.outShape));
      const inputs = { dy: { shape: c.outShape, data: dy }, filter: { shape: c.filterShape, data: w } };
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.xShape };
      const wasm = await runKernelOn('wasm', tf.Conv2DBackpropInput, inputs, attrs);
      const cpu = await runKernelOn('cpu', tf.Conv2DBackpropInput, inputs, attrs);
      const label = JSON.stringify(c);
      expect(wasm.shape, label).toEqual(c.xShape);
      expect(relativeError(wasm.data, cpu.data), label).toBeLessThan(1e-5);
      // <conv(x, w), dy> = <x, dX(w, dy)> for any x.
      const x = randomData(rng, sizeOf(c.xShape));
      const lhs = dot(naiveConv2D(c, x, w), dy);
      const rhs = dot(x, wasm.data);
      expect(Math.abs(lhs - rhs), label).toBeLessThan(1e-4 * (1 + Math.abs(lhs)));
    }
  });

  it('handles explicit padding as large as the kernel (negative transposed padding)', async () => {
    const rng = new Rng(3);
    const xShape = [1, 4, 5, 2];
    const filterShape = [2, 3, 2, 2];
    const pad = [
      [0, 0],
      [3, 2],
      [4, 3],
      [0, 0],
    ];
    const info = tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], filterShape as [number, number, number, number], 1, 1, pad as unknown as 'same');
    const inputs = {
      dy: { shape: info.outShape, data: randomData(rng, sizeOf(info.outShape)) },
      filter: { shape: filterShape, data: randomData(rng, sizeOf(filterShape)) },
    };
    const attrs = { strides: [1, 1], pad, dataFormat: 'NHWC', inputShape: xShape };
    const wasm = await runKernelOn('wasm', tf.Conv2DBackpropInput, inputs, attrs);
    const cpu = await runKernelOn('cpu', tf.Conv2DBackpropInput, inputs, attrs);
    expect(relativeError(wasm.data, cpu.data)).toBeLessThan(1e-5);
  });

  it('gives the gradient of tf.conv2d with respect to the input through the tape (finite differences)', () => {
    const rng = new Rng(6);
    const x = tf.tensor4d(randomData(rng, 2 * 5 * 7 * 2), [2, 5, 7, 2]);
    const w = tf.tensor4d(randomData(rng, 3 * 2 * 2 * 3), [3, 2, 2, 3]);
    const r = tf.tensor4d(randomData(rng, 2 * 3 * 7 * 3), [2, 3, 7, 3]);
    const loss = (input: tf.Tensor4D) => tf.sum(tf.mul(tf.conv2d(input, w, [2, 1], 'same'), r)) as tf.Scalar;
    const grad = tf.grad((t: tf.Tensor) => loss(t as tf.Tensor4D))(x);
    const g = grad.dataSync();
    const xData = x.dataSync();
    const h = 1e-2;
    for (const i of [0, 9, 41, 139]) {
      const plus = xData.slice();
      const minus = xData.slice();
      plus[i] += h;
      minus[i] -= h;
      const fd = tf.tidy(() => (loss(tf.tensor4d(plus, x.shape)).dataSync()[0] - loss(tf.tensor4d(minus, x.shape)).dataSync()[0]) / (2 * h));
      expect(g[i]).toBeCloseTo(fd, 2);
    }
    tf.dispose([x, w, r, grad]);
  });
});
