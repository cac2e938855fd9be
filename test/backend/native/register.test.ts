/**
 * The GALMORPH_NATIVE switch, the choice made when the addon is missing, switching the kernels on and off, and
 * the addon's own argument checks.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAddon, type AddonLoad, type NativeAddon } from '../../../src/backend/native/addon.js';
import {
  chooseAddon,
  disableNativeKernels,
  enableNativeKernels,
  modeFromEnv,
  nativeKernelState,
} from '../../../src/backend/native/register.js';
import { registerNativeKernels } from '../../../src/backend/native/index.js';
import { addonBuilt, setUpNative } from './nativeSetup.js';
import { initBackend } from '../../../src/backend/initBackend.js';
import { FAST_WASM_KERNELS } from '../../../src/backend/wasmKernels/registerFastWasmKernels.js';

const missing: AddonLoad = { ok: false, reason: 'the native addon is not built (x.node is missing)', path: 'x.node' };

describe('GALMORPH_NATIVE and the addon choice', () => {
  it('maps the environment switch to a mode and rejects other values by name', () => {
    expect(modeFromEnv(undefined)).toBe('auto');
    expect(modeFromEnv('')).toBe('auto');
    expect(modeFromEnv('0')).toBe('off');
    expect(modeFromEnv('1')).toBe('on');
    expect(() => modeFromEnv('yes')).toThrow(/GALMORPH_NATIVE.*0 \(wasm kernels\), 1/);
  });

  it('falls back with one notice line in auto mode when the addon is missing', () => {
    const lines: string[] = [];
    const status = chooseAddon('auto', () => missing, (line) => lines.push(line));
    expect(status).toEqual({ active: false, mode: 'auto', reason: missing.reason });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/using the wasm kernels: the native addon is not built.*npm run build:native/);
    expect(lines[0]).not.toContain('\n');
  });

  it('makes a missing addon an error with the build instructions when required', () => {
    expect(() => chooseAddon('on', () => missing, () => undefined)).toThrow(
      /required \(GALMORPH_NATIVE=1\).*not built.*apt-get install -y libdnnl-dev.*npm run build:native/,
    );
  });

  it('does not even load the addon when switched off', () => {
    let loaded = false;
    const status = chooseAddon('off', () => {
      loaded = true;
      return missing;
    }, () => undefined);
    expect(loaded).toBe(false);
    expect(status).toMatchObject({ active: false, mode: 'off' });
  });

  it('uses a loaded addon whatever the mode', () => {
    const addon = {} as NativeAddon;
    expect(chooseAddon('auto', () => ({ ok: true, addon, path: 'x.node' }), () => undefined)).toEqual({ addon });
  });
});

describe.skipIf(!addonBuilt)('switching the native kernels', () => {
  beforeAll(setUpNative);

  it('restores the kernels registered before, and registers again', () => {
    disableNativeKernels();
    const wasmConv = tf.getKernel('Conv2D', 'wasm');
    const fastFilterGrad = tf.getKernel('Conv2DBackpropFilter', 'wasm');
    expect(nativeKernelState()).toBeUndefined();

    expect(registerNativeKernels('cpu')).toEqual([]);
    expect(registerNativeKernels('wasm', { mode: 'on', threads: 1 })).toEqual([
      'Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'BatchMatMul',
      'GalmorphBilinearSample', 'GalmorphBilinearSampleGradGrid', 'GalmorphBilinearSampleGradImage',
      'GalmorphBatchNormTrain', 'GalmorphBatchNormTrainGrad',
      'ResizeNearestNeighbor', 'ResizeNearestNeighborGrad', 'GalmorphBernoulliProbLogLik', 'GalmorphBernoulliProbLogLikGrad',
    ]);
    expect(tf.getKernel('Conv2D', 'wasm')).not.toBe(wasmConv);
    expect(nativeKernelState()?.threads).toBe(1);

    const off = enableNativeKernels({ mode: 'off' });
    expect(off.active).toBe(false);
    expect(tf.getKernel('Conv2D', 'wasm')).toBe(wasmConv);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBe(fastFilterGrad);

    const on = enableNativeKernels({ mode: 'on', threads: 2 });
    expect(on).toMatchObject({ active: true, threads: 2, oneDnnVersion: expect.stringMatching(/^\d+\.\d+\.\d+$/), heapKeptMapped: true });
  });

  it('puts its kernels back when galmorph\'s wasm kernels are registered again (initBackend called twice)', async () => {
    enableNativeKernels({ mode: 'on', threads: 1 });
    const nativeFilterGrad = tf.getKernel('Conv2DBackpropFilter', 'wasm');
    const nativeSampler = tf.getKernel('GalmorphBilinearSample', 'wasm');
    await initBackend({ backend: 'wasm', nativeKernels: false });
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).not.toBe(nativeFilterGrad);
    enableNativeKernels({ mode: 'on', threads: 1 });
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc).toBe(nativeFilterGrad?.kernelFunc);
    expect(tf.getKernel('GalmorphBilinearSample', 'wasm')?.kernelFunc).toBe(nativeSampler?.kernelFunc);
    disableNativeKernels();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc).toBe(FAST_WASM_KERNELS.find((k) => k.kernelName === 'Conv2DBackpropFilter')?.kernelFunc);
    enableNativeKernels({ mode: 'on', threads: 2 });
  });

  it('rejects buffers that do not match the geometry, naming them', () => {
    const load = loadAddon();
    if (!load.ok) throw new Error(load.reason);
    const g = [1, 3, 3, 1, 2, 2, 1, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0] as Parameters<NativeAddon['conv2d']>[3];
    const x = new Float32Array(9);
    const w = new Float32Array(4);
    expect(() => load.addon.conv2d(x, w, new Float32Array(3), g)).toThrow(/y has 3 elements, the geometry needs 4/);
    expect(() => load.addon.conv2d(x, new Float64Array(4) as unknown as Float32Array, new Float32Array(4), g)).toThrow(
      /filter must be a Float32Array/,
    );
    expect(() => load.addon.matMul(x, w, new Float32Array(1), [2, 3, 1, 1, 1, 0, 0])).toThrow(/batches equal or one of them 1/);
  });

  it('computes a hand-checkable convolution and product', () => {
    const load = loadAddon();
    if (!load.ok) throw new Error(load.reason);
    const y = new Float32Array(4);
    load.addon.conv2d(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), Float32Array.from([1, 1, 1, 1]), y,
      [1, 3, 3, 1, 2, 2, 1, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0]);
    expect([...y]).toEqual([12, 16, 24, 28]);
    const c = new Float32Array(4);
    load.addon.matMul(Float32Array.from([1, 2, 3, 4, 5, 6]), Float32Array.from([1, 0, 0, 1, 1, 1]), c, [1, 1, 2, 3, 2, 0, 0]);
    expect([...c]).toEqual([4, 5, 10, 11]);
  });
});
