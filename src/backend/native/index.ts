/**
 * Native (oneDNN) kernels for the wasm backend: the entry point `src/backend/nativeHook.ts` imports.
 */
import { enableNativeKernels, type NativeKernelOptions } from './register.js';

export { disableNativeKernels, enableNativeKernels, modeFromEnv, nativeKernelState } from './register.js';
export type { NativeKernelOptions, NativeKernelState, NativeMode, NativeStatus } from './register.js';
export { nativeKernelBench } from './bench.js';
export type { KernelBenchResult, NativeKernelBenchOptions } from './bench.js';

/**
 * The hook `initBackend()` calls after the fast wasm kernels: on wasm, switch the convolution and matrix-product
 * kernels to oneDNN (per GALMORPH_NATIVE); returns the names of the kernels now native (none on other backends or
 * when the addon is off or not built).
 */
export function registerNativeKernels(backend: string, options: NativeKernelOptions = {}): string[] {
  if (backend !== 'wasm') return [];
  const status = enableNativeKernels(options);
  return status.active ? [...status.kernels] : [];
}
