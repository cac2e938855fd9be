/**
 * The addon's direct loops for convolutions with one channel on one side (native/src/narrowConv.h), as the native
 * Conv2D / Conv2DBackpropFilter (one output channel) and Conv2DBackpropInput (one input channel) run them: over random
 * shapes (strides 1/2/3 and mixed, same/valid/explicit padding, kernels 1–5, up to 20 channels on the wide side)
 * against a float64 host convolution (the forward), float64 finite differences of L = ⟨conv(x, w), dy⟩ (the
 * gradients; L is linear in each argument) and the tfjs cpu backend; dilated forwards against the cpu backend; the
 * loops, not oneDNN, serve these cases; an addon built before them (without the three functions) still gives the same
 * results through oneDNN.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAddon, type NativeAddon } from '../../../src/backend/native/addon.js';
import { emptyCounts, nativeKernelConfigs, type NativeKernelName } from '../../../src/backend/native/kernels.js';
import { enableNativeKernels } from '../../../src/backend/native/register.js';
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
  type HostTensor,
} from '../kernelHarness.js';
import { addonBuilt, callsOf, setUpNative } from './nativeSetup.js';

const load = loadAddon();
const hasLoops = load.ok && typeof load.addon.conv2dOneOutput === 'function';
if (load.ok && !hasLoops) console.warn('narrow convolution tests skipped: the addon predates them (run npm run build:native)');

const CASES = 30;
type Kernel = 'Conv2D' | 'Conv2DBackpropFilter' | 'Conv2DBackpropInput';

/** A random case with one output channel (forward, filter gradient) or one input channel (input gradient). */
function narrowCase(rng: Rng, index: number, kernel: Kernel): ConvCase {
  const c = randomConvCase(rng, index);
  const wide = 1 + rng.int(20);
  const [inC, outC] = kernel === 'Conv2DBackpropInput' ? [1, wide] : [wide, 1];
  const [kh, kw] = c.filterShape;
  const [b, h, w] = c.xShape;
  const [, oh, ow] = c.outShape;
  return { ...c, xShape: [b, h, w, inC], filterShape: [kh, kw, inC, outC], outShape: [b, oh, ow, outC] };
}

/** Inputs and attrs of `kernel` for case c. */
function call(kernel: Kernel, c: ConvCase, x: Float32Array, w: Float32Array, dy: Float32Array): [Record<string, HostTensor>, Record<string, unknown>] {
  const common = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: 1 };
  if (kernel === 'Conv2D') return [{ x: { shape: c.xShape, data: x }, filter: { shape: c.filterShape, data: w } }, common];
  if (kernel === 'Conv2DBackpropFilter') {
    return [{ x: { shape: c.xShape, data: x }, dy: { shape: c.outShape, data: dy } }, { ...common, filterShape: c.filterShape }];
  }
  return [{ dy: { shape: c.outShape, data: dy }, filter: { shape: c.filterShape, data: w } }, { ...common, inputShape: c.xShape }];
}

describe.skipIf(!addonBuilt || !hasLoops)('native convolutions with one channel on one side (direct loops)', () => {
  // The one-output-channel loops serve one native thread (with more, oneDNN's parallel convolution stays).
  beforeAll(async () => {
    await setUpNative();
    enableNativeKernels({ mode: 'on', threads: 1 });
  });
  afterAll(() => {
    enableNativeKernels({ mode: 'on', threads: 2 });
  });

  for (const kernel of ['Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput'] as const) {
    it(`${kernel} matches float64 references and the cpu backend on ${CASES} random cases`, async () => {
      const rng = new Rng(kernel.length * 31 + 5);
      const before = callsOf(kernel);
      let worstReference = 0;
      let worstCpu = 0;
      for (let i = 0; i < CASES; i++) {
        const c = narrowCase(rng, i, kernel);
        const x = randomData(rng, sizeOf(c.xShape));
        const w = randomData(rng, sizeOf(c.filterShape));
        const dy = randomData(rng, sizeOf(c.outShape));
        const [inputs, attrs] = call(kernel, c, x, w, dy);
        const native = await runKernelOn('wasm', kernel, inputs, attrs);
        const cpu = await runKernelOn('cpu', kernel, inputs, attrs);
        worstCpu = Math.max(worstCpu, relativeError(native.data, cpu.data));
        if (kernel === 'Conv2D') {
          worstReference = Math.max(worstReference, relativeError(native.data, naiveConv2D(c, x, w)));
          continue;
        }
        // ⟨gradient, v⟩ against the central difference of L along v (exact up to rounding: L is linear).
        const v = randomData(rng, native.data.length);
        const h = 0.5;
        const shifted = (sign: number) => {
          const p = Float64Array.from(kernel === 'Conv2DBackpropInput' ? x : w, (q, k) => q + sign * h * v[k]);
          return dot(kernel === 'Conv2DBackpropInput' ? naiveConv2D(c, p, w) : naiveConv2D(c, x, p), dy);
        };
        const fd = (shifted(1) - shifted(-1)) / (2 * h);
        const scale = Math.max(Math.sqrt(dot(native.data, native.data) * dot(v, v)), 1e-12);
        worstReference = Math.max(worstReference, Math.abs(dot(native.data, v) - fd) / scale);
      }
      expect(worstReference).toBeLessThan(1e-5);
      expect(worstCpu).toBeLessThan(1e-5);
      const after = callsOf(kernel);
      expect(after.native - before.native).toBe(CASES);
      expect(after.fallback).toBe(before.fallback);
    });
  }

  it('Conv2D with one output channel and dilations matches the cpu backend', async () => {
    const rng = new Rng(77);
    for (const [dilations, strides] of [[[2, 2], [1, 1]], [[2, 3], [1, 1]], [[3, 1], [1, 1]]] as const) {
      const xShape = [2, 9, 10, 5];
      const filterShape = [3, 2, 5, 1];
      const inputs = { x: { shape: xShape, data: randomData(rng, sizeOf(xShape)) }, filter: { shape: filterShape, data: randomData(rng, sizeOf(filterShape)) } };
      for (const pad of ['same', 'valid'] as const) {
        const attrs = { strides, pad, dataFormat: 'NHWC', dilations };
        const native = await runKernelOn('wasm', 'Conv2D', inputs, attrs);
        const cpu = await runKernelOn('cpu', 'Conv2D', inputs, attrs);
        expect(native.shape).toEqual(cpu.shape);
        expect(relativeError(native.data, cpu.data)).toBeLessThan(1e-5);
      }
    }
  });

  it('leaves Conv2D with one output channel to oneDNN when the native kernels have two threads', () => {
    const addon = (load as { addon: NativeAddon }).addon;
    let loopCalls = 0;
    let oneDnnCalls = 0;
    const spy: NativeAddon = {
      ...addon,
      conv2d: (...a) => { oneDnnCalls += 1; addon.conv2d(...a); },
      conv2dOneOutput: (...a) => { loopCalls += 1; addon.conv2dOneOutput?.(...a); },
    };
    const config = nativeKernelConfigs(spy, new Map(), emptyCounts()).find((k) => k.kernelName === 'Conv2D');
    const conv = () => tf.tidy(() => {
      const inputs = { x: tf.ones([1, 4, 4, 3]), filter: tf.ones([3, 3, 3, 1]) };
      const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dilations: 1 } as unknown as tf.NamedAttrMap;
      const info = config?.kernelFunc({ inputs, backend: tf.backend() as BackendWasm, attrs }) as tf.TensorInfo;
      return Array.from(tf.engine().makeTensorFromTensorInfo(info).dataSync());
    });
    const single = conv();
    expect([loopCalls, oneDnnCalls]).toEqual([1, 0]);
    addon.setThreads(2);
    try {
      expect(conv()).toEqual(single);
    } finally {
      addon.setThreads(1);
    }
    expect([loopCalls, oneDnnCalls]).toEqual([1, 1]);
    expect(single[5]).toBe(27); // an inner pixel: 3×3×3 ones
  });

  describe('an addon built before the loops', () => {
    const addon = (load as { addon: NativeAddon }).addon;
    const oneDnn = { conv2d: 0, conv2dBackpropFilter: 0, matMul: 0 };
    let loops = 0;
    // The real addon behind two views: one without the loops (an older build), one counting which path ran.
    const count = <K extends keyof typeof oneDnn>(name: K) => (...args: unknown[]) => {
      oneDnn[name] += 1;
      return (addon[name] as (...a: unknown[]) => void)(...args);
    };
    const older: NativeAddon = { ...addon, conv2d: count('conv2d'), conv2dBackpropFilter: count('conv2dBackpropFilter'), matMul: count('matMul') };
    delete older.conv2dOneOutput;
    delete older.conv2dBackpropFilterOneOutput;
    delete older.conv2dBackpropInputOneInput;
    const current: NativeAddon = {
      ...older,
      conv2dOneOutput: (...a) => { loops += 1; addon.conv2dOneOutput?.(...a); },
      conv2dBackpropFilterOneOutput: (...a) => { loops += 1; addon.conv2dBackpropFilterOneOutput?.(...a); },
      conv2dBackpropInputOneInput: (...a) => { loops += 1; addon.conv2dBackpropInputOneInput?.(...a); },
    };
    const run = (which: NativeAddon, kernel: Kernel, inputs: Record<string, HostTensor>, attrs: Record<string, unknown>) => {
      const config = nativeKernelConfigs(which, new Map(), emptyCounts()).find((k) => k.kernelName === (kernel as NativeKernelName));
      if (!config) throw new Error(`no ${kernel} config`);
      return tf.tidy(() => {
        const tensors = Object.fromEntries(Object.entries(inputs).map(([n, t]) => [n, tf.tensor(t.data, t.shape)]));
        const info = config.kernelFunc({ inputs: tensors, backend: tf.backend() as BackendWasm, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
        const out = tf.engine().makeTensorFromTensorInfo(info);
        return Array.from(out.dataSync());
      });
    };
    afterAll(() => tf.setBackend('wasm'));

    it('runs oneDNN (and the product + scatter) instead, with the same results', () => {
      const rng = new Rng(78);
      for (const kernel of ['Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput'] as const) {
        const c = narrowCase(rng, 4, kernel);
        const [inputs, attrs] = call(kernel, c, randomData(rng, sizeOf(c.xShape)), randomData(rng, sizeOf(c.filterShape)), randomData(rng, sizeOf(c.outShape)));
        const loopsBefore = loops;
        const oneDnnBefore = { ...oneDnn };
        const viaLoops = run(current, kernel, inputs, attrs);
        expect(loops).toBe(loopsBefore + 1);
        expect(oneDnn).toEqual(oneDnnBefore);
        const viaOneDnn = run(older, kernel, inputs, attrs);
        expect(loops).toBe(loopsBefore + 1);
        const used = kernel === 'Conv2D' ? 'conv2d' : kernel === 'Conv2DBackpropFilter' ? 'conv2dBackpropFilter' : 'matMul';
        expect(oneDnn[used]).toBe(oneDnnBefore[used] + 1);
        expect(relativeError(viaLoops, viaOneDnn)).toBeLessThan(1e-5);
      }
    });
  });
});
