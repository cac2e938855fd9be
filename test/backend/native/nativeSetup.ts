/**
 * Shared setup for the native-kernel tests: wasm with galmorph's fast kernels, then the oneDNN kernels on top
 * (explicitly, whatever GALMORPH_NATIVE says). `addonBuilt` lets suites skip, with a message, when
 * `npm run build:native` has not been run.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/backend/initBackend.js';
import { BUILD_INSTRUCTIONS, loadAddon } from '../../../src/backend/native/addon.js';
import { enableNativeKernels, nativeKernelState } from '../../../src/backend/native/register.js';
import type { NativeKernelName } from '../../../src/backend/native/kernels.js';

const load = loadAddon();
export const addonBuilt = load.ok;
if (!load.ok) console.warn(`native kernel tests skipped: ${load.reason}; ${BUILD_INSTRUCTIONS}`);

/** wasm + fast kernels + native kernels with 2 oneDNN threads. */
export async function setUpNative(): Promise<void> {
  await initBackend({ backend: 'wasm', nativeKernels: false });
  const status = enableNativeKernels({ mode: 'on', threads: 2 });
  if (!status.active) throw new Error(status.reason);
  if (tf.getBackend() !== 'wasm') throw new Error('wasm backend expected');
}

/** How many calls of `kernel` ran natively and fell back so far. */
export function callsOf(kernel: NativeKernelName): { native: number; fallback: number } {
  const state = nativeKernelState();
  if (!state) throw new Error('native kernels are not registered');
  return { native: state.counts.native[kernel], fallback: state.counts.fallback[kernel] };
}
