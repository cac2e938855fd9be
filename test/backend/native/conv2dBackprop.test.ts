/**
 * Native Conv2DBackpropInput and Conv2DBackpropFilter over random shapes (strides 1/2/3 and mixed,
 * same/valid/explicit padding, odd sizes, kernels 1–5, batch 1 and >1), against two independent oracles:
 * the tfjs cpu backend, and finite differences of L(x, w) = Σ conv(x, w)·dy computed by a float64 host
 * convolution (L is linear in each argument, so the central difference along a random direction is exact up to
 * rounding and must equal ⟨direction, gradient⟩).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/util/rng.js';
import {
  dot,
  naiveConv2D,
  randomConvCase,
  randomData,
  relativeError,
  runKernelOn,
  sizeOf,
  type ConvCase,
} from '../kernelHarness.js';
import { addonBuilt, callsOf, setUpNative } from './nativeSetup.js';

const CASES = 40;

/** (L(p + h·v) − L(p − h·v)) / 2h for L = ⟨conv(x, w), dy⟩, perturbing x or w. */
function directionalDifference(
  c: ConvCase, x: Float32Array, w: Float32Array, dy: Float32Array, wrt: 'x' | 'w', v: Float32Array,
): number {
  const h = 0.5;
  const shifted = (sign: number) => {
    const base = wrt === 'x' ? x : w;
    const p = Float64Array.from(base, (b, i) => b + sign * h * v[i]);
    return dot(naiveConv2D(c, wrt === 'x' ? p : x, wrt === 'w' ? p : w), dy);
  };
  return (shifted(1) - shifted(-1)) / (2 * h);
}

function relative(a: number, b: number, scale: number): number {
  return Math.abs(a - b) / Math.max(scale, 1e-12);
}

describe.skipIf(!addonBuilt)('native convolution gradients', () => {
  beforeAll(setUpNative);

  for (const kernel of ['Conv2DBackpropInput', 'Conv2DBackpropFilter'] as const) {
    it(`${kernel} matches the cpu backend and finite differences on ${CASES} random cases`, async () => {
      const rng = new Rng(kernel === 'Conv2DBackpropInput' ? 611 : 612);
      const before = callsOf(kernel);
      let worstCpu = 0;
      let worstFd = 0;
      for (let i = 0; i < CASES; i++) {
        const c = randomConvCase(rng, i);
        const x = randomData(rng, sizeOf(c.xShape));
        const w = randomData(rng, sizeOf(c.filterShape));
        const dy = randomData(rng, sizeOf(c.outShape));
        const common = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC' };
        const [inputs, attrs, wrt] =
          kernel === 'Conv2DBackpropInput'
            ? [
                { dy: { shape: c.outShape, data: dy }, filter: { shape: c.filterShape, data: w } },
                { ...common, inputShape: c.xShape },
                'x' as const,
              ]
            : [
                { x: { shape: c.xShape, data: x }, dy: { shape: c.outShape, data: dy } },
                { ...common, filterShape: c.filterShape },
                'w' as const,
              ];
        const native = await runKernelOn('wasm', kernel, inputs, attrs);
        const cpu = await runKernelOn('cpu', kernel, inputs, attrs);
        expect(native.shape).toEqual(wrt === 'x' ? c.xShape : c.filterShape);
        worstCpu = Math.max(worstCpu, relativeError(native.data, cpu.data));

        const v = randomData(rng, native.data.length);
        const fd = directionalDifference(c, x, w, dy, wrt, v);
        const analytic = dot(native.data, v);
        const scale = Math.sqrt(dot(native.data, native.data) * dot(v, v));
        worstFd = Math.max(worstFd, relative(analytic, fd, scale));
      }
      expect(worstCpu).toBeLessThan(1e-5);
      expect(worstFd).toBeLessThan(1e-5);
      const after = callsOf(kernel);
      expect(after.native - before.native).toBe(CASES);
      expect(after.fallback).toBe(before.fallback);
    });
  }
});
