/**
 * Conv2DBackpropInput with one input channel (the matrix product + scatter path of
 * `src/backend/conv2DBackpropInputNarrow.ts`) on wasm: 30 random one-channel cases (strides 1/2/3/[2,1],
 * same/valid/explicit padding, kernels 1–5) against the cpu backend and finite differences of L(x) = Σ conv(x, w)·dy
 * computed by a float64 host convolution (linear in x: the central difference is exact up to rounding).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/util/rng.js';
import { dot, naiveConv2D, randomConvCase, randomData, relativeError, runKernelOn, setUpWasm, sizeOf, type ConvCase } from '../kernelHarness.js';

beforeAll(setUpWasm);

function oneChannelCase(rng: Rng, index: number): ConvCase {
  for (;;) {
    const c = randomConvCase(rng, index);
    if (c.xShape[3] === 1) return c;
  }
}

describe('Conv2DBackpropInput with one input channel (wasm)', () => {
  it('matches the cpu backend and float64 finite differences on 30 random cases', async () => {
    const rng = new Rng(615);
    let worstCpu = 0;
    let worstFd = 0;
    for (let i = 0; i < 30; i++) {
      const c = oneChannelCase(rng, i);
      const x = randomData(rng, sizeOf(c.xShape));
      const w = randomData(rng, sizeOf(c.filterShape));
      const dy = randomData(rng, sizeOf(c.outShape));
      const inputs = { dy: { shape: c.outShape, data: dy }, filter: { shape: c.filterShape, data: w } };
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.xShape };
      const fast = await runKernelOn('wasm', 'Conv2DBackpropInput', inputs, attrs);
      const cpu = await runKernelOn('cpu', 'Conv2DBackpropInput', inputs, attrs);
      expect(fast.shape).toEqual(c.xShape);
      worstCpu = Math.max(worstCpu, relativeError(fast.data, cpu.data));
      const v = randomData(rng, fast.data.length);
      const h = 0.5;
      const loss = (sign: number) => dot(naiveConv2D(c, Float64Array.from(x, (p, k) => p + sign * h * v[k]), w), dy);
      const fd = (loss(1) - loss(-1)) / (2 * h);
      worstFd = Math.max(worstFd, Math.abs(dot(fast.data, v) - fd) / Math.max(Math.sqrt(dot(fast.data, fast.data) * dot(v, v)), 1e-12));
    }
    expect(worstCpu).toBeLessThan(1e-5);
    expect(worstFd).toBeLessThan(1e-5);
  });
});
