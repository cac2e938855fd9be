import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKEND_ENV_VAR, requestedBackend } from '../../src/backend/backendKind.js';
import { describeBackend, initBackend } from '../../src/backend/initBackend.js';
import { FAST_WASM_KERNELS } from '../../src/backend/wasmKernels/registerFastWasmKernels.js';

describe('backend choice', () => {
  const saved = process.env[BACKEND_ENV_VAR];
  afterEach(() => {
    if (saved === undefined) delete process.env[BACKEND_ENV_VAR];
    else process.env[BACKEND_ENV_VAR] = saved;
  });

  it('prefers the explicit argument, then GALMORPH_BACKEND, then automatic', () => {
    expect(requestedBackend('cpu', { [BACKEND_ENV_VAR]: 'wasm' })).toBe('cpu');
    expect(requestedBackend(undefined, { [BACKEND_ENV_VAR]: 'wasm' })).toBe('wasm');
    expect(requestedBackend('', {})).toBe('auto');
  });

  it('honours GALMORPH_BACKEND when starting the backend', async () => {
    process.env[BACKEND_ENV_VAR] = 'cpu';
    const description = await initBackend();
    expect(description.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(description.kernels).toEqual([]);
  });

  it('rejects an unknown value in the environment, naming the variable and the choices', async () => {
    process.env[BACKEND_ENV_VAR] = 'gpu-please';
    await expect(initBackend()).rejects.toThrow(
      'option "environment variable GALMORPH_BACKEND": expected one of wasm | cpu | tensorflow, got "gpu-please"',
    );
  });

  it('rejects an unknown explicit value, naming the flag it came from', async () => {
    await expect(initBackend({ backend: 'webgpu', source: '--backend' })).rejects.toThrow(
      'option "--backend": expected one of wasm | cpu | tensorflow, got "webgpu"',
    );
  });

  it('starts wasm from node_modules with the galmorph kernels and describes it in one line', async () => {
    delete process.env[BACKEND_ENV_VAR];
    const description = await initBackend({ backend: 'wasm', threads: 2, nativeKernels: false });
    expect(tf.getBackend()).toBe('wasm');
    expect(description.kernels).toHaveLength(FAST_WASM_KERNELS.length);
    for (const name of description.kernels) expect(tf.getKernel(name, 'wasm')).toBeDefined();
    expect(describeBackend(description)).toBe(`backend wasm + ${FAST_WASM_KERNELS.length} galmorph kernels, 2 worker threads`);
    // Registering twice is harmless.
    const again = await initBackend({ backend: 'wasm', nativeKernels: false });
    expect(again.kernels).toEqual(description.kernels);
    expect(describeBackend()).toBe(`backend wasm + ${FAST_WASM_KERNELS.length} galmorph kernels, 1 thread`);
  });

  it('names native kernels in the description when the native addon registered some', () => {
    const line = describeBackend({ backend: 'wasm', threads: 1, kernels: ['Slice', 'Identity'], nativeKernels: ['Conv2D'] });
    expect(line).toBe('backend wasm + 2 galmorph kernels + 1 native kernels, 1 thread');
  });
});
