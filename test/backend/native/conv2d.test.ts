/**
 * Native Conv2D against the tfjs cpu backend and a float64 host convolution, over random shapes (strides 1/2/3 and
 * mixed, same/valid/explicit padding, odd sizes, kernels 1–5, batch 1 and >1) plus dilated cases.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/util/rng.js';
import { naiveConv2D, randomConvCase, randomData, relativeError, runKernelOn, sizeOf } from '../kernelHarness.js';
import { addonBuilt, callsOf, setUpNative } from './nativeSetup.js';

describe.skipIf(!addonBuilt)('native Conv2D', () => {
  beforeAll(setUpNative);

  it('matches the cpu backend and a float64 convolution on 40 random cases', async () => {
    const rng = new Rng(601);
    const before = callsOf('Conv2D');
    let worstCpu = 0;
    let worstHost = 0;
    for (let i = 0; i < 40; i++) {
      const c = randomConvCase(rng, i);
      const x = { shape: c.xShape, data: randomData(rng, sizeOf(c.xShape)) };
      const filter = { shape: c.filterShape, data: randomData(rng, sizeOf(c.filterShape)) };
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: 1 };
      const native = await runKernelOn('wasm', 'Conv2D', { x, filter }, attrs);
      const cpu = await runKernelOn('cpu', 'Conv2D', { x, filter }, attrs);
      expect(native.shape).toEqual(c.outShape);
      worstCpu = Math.max(worstCpu, relativeError(native.data, cpu.data));
      worstHost = Math.max(worstHost, relativeError(native.data, naiveConv2D(c, x.data, filter.data)));
    }
    expect(worstCpu).toBeLessThan(1e-5);
    expect(worstHost).toBeLessThan(1e-5);
    const after = callsOf('Conv2D');
    expect(after.native - before.native).toBe(40);
    expect(after.fallback).toBe(before.fallback);
  });

  it('handles dilations like the cpu backend', async () => {
    const rng = new Rng(602);
    const cases = [
      { x: [1, 9, 9, 2], f: [3, 3, 2, 3], dilations: [2, 2], pad: 'same', strides: 1 },
      { x: [2, 11, 8, 1], f: [2, 3, 1, 2], dilations: [3, 2], pad: 'valid', strides: 1 },
      { x: [3, 7, 10, 3], f: [3, 2, 3, 4], dilations: [1, 3], pad: 'same', strides: 1 },
    ];
    for (const c of cases) {
      const x = { shape: c.x, data: randomData(rng, sizeOf(c.x)) };
      const filter = { shape: c.f, data: randomData(rng, sizeOf(c.f)) };
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: c.dilations };
      const native = await runKernelOn('wasm', 'Conv2D', { x, filter }, attrs);
      const cpu = await runKernelOn('cpu', 'Conv2D', { x, filter }, attrs);
      expect(native.shape).toEqual(cpu.shape);
      expect(relativeError(native.data, cpu.data)).toBeLessThan(1e-5);
    }
  });
});
