/**
 * Switching the wasm backend's convolution and matrix-product kernels to the oneDNN addon, and back.
 *
 * `GALMORPH_NATIVE` chooses: `0` keeps the wasm kernels, `1` requires the addon (an error with the build
 * instructions when it is missing), unset uses the addon when it is built and otherwise prints one notice line.
 * The kernels registered before this call (stock wasm or the project's fast composites) are kept as the fallback for
 * cases the addon does not cover, and are restored by `disableNativeKernels()`.
 */
import { availableParallelism } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import { OptionError } from '../../util/errors.js';
import { check, resolveOptions } from '../../util/options.js';
import { BUILD_INSTRUCTIONS, loadAddon, type AddonLoad, type NativeAddon } from './addon.js';
import {
  availableNativeKernels,
  emptyCounts,
  nativeKernelConfigs,
  type NativeKernelCounts,
  type NativeKernelName,
} from './kernels.js';

export const NATIVE_MODES = ['auto', 'on', 'off'] as const;
export type NativeMode = (typeof NATIVE_MODES)[number];

export interface NativeKernelOptions {
  /**
   * `auto`: use the addon when built, else notice + wasm; `on`: the addon or an error; `off`: wasm kernels.
   * @default from GALMORPH_NATIVE (0 → off, 1 → on, unset → auto)
   */
  mode?: NativeMode;
  /**
   * oneDNN (OpenMP) threads for kernels run from this JavaScript thread.
   * @default os.availableParallelism() on the main thread, 1 in a worker thread (one per data-parallel worker)
   */
  threads?: number;
  /** Where the one-line fallback notice goes. @default console.warn */
  notice?: (line: string) => void;
}

export type NativeStatus =
  | {
    active: true; mode: NativeMode; oneDnnVersion: string; threads: number; kernels: readonly NativeKernelName[];
    /** Whether glibc keeps freed memory mapped for this process (NativeAddon.keepHeapMapped). */
    heapKeptMapped: boolean;
  }
  | { active: false; mode: NativeMode; reason: string };

/** The GALMORPH_NATIVE environment switch as a mode. */
export function modeFromEnv(value: string | undefined = process.env.GALMORPH_NATIVE): NativeMode {
  if (value === undefined || value === '') return 'auto';
  if (value === '0') return 'off';
  if (value === '1') return 'on';
  throw new OptionError('GALMORPH_NATIVE', '0 (wasm kernels), 1 (native kernels required) or unset (auto)', value);
}

/**
 * What the mode makes of the addon's load result: the addon to use, or an inactive status (with a one-line notice
 * in auto mode), or an error with the build instructions when the addon is required but unavailable.
 */
export function chooseAddon(
  mode: NativeMode,
  loader: () => AddonLoad,
  notice: (line: string) => void,
): { addon: NativeAddon } | NativeStatus {
  if (mode === 'off') {
    return { active: false, mode, reason: 'native kernels switched off (GALMORPH_NATIVE=0 or mode "off")' };
  }
  const load = loader();
  if (load.ok) return { addon: load.addon };
  if (mode === 'on') {
    throw new Error(`galmorph: native kernels were required (GALMORPH_NATIVE=1) but ${load.reason}; ${BUILD_INSTRUCTIONS}`);
  }
  notice(`galmorph: using the wasm kernels: ${load.reason} (to speed up training: ${BUILD_INSTRUCTIONS})`);
  return { active: false, mode, reason: load.reason };
}

interface Registration {
  addon: NativeAddon;
  /** The kernels registered (those this build of the addon provides). */
  kernels: NativeKernelName[];
  configs: KernelConfig[];
  previous: Map<NativeKernelName, KernelConfig>;
  counts: NativeKernelCounts;
  heapKeptMapped: boolean;
}

let registration: Registration | undefined;

/**
 * Registers the native kernels on the `wasm` backend (idempotent: a second call updates the thread count, and puts
 * back any native kernel that a later registration replaced — `initBackend()` called again registers galmorph's wasm
 * kernels again — keeping the replacement as that kernel's fallback).
 * Call it after any other wasm kernel registrations, since it keeps those as its fallback.
 */
export function enableNativeKernels(options: NativeKernelOptions = {}): NativeStatus {
  const o = resolveOptions<Required<NativeKernelOptions>>(
    { mode: modeFromEnv(), threads: isMainThread ? availableParallelism() : 1, notice: (line) => console.warn(line) },
    { mode: check.oneOf(NATIVE_MODES), threads: check.integer(1, 1024), notice: check.any() },
    options,
  );
  const choice = chooseAddon(o.mode, loadAddon, o.notice);
  if ('active' in choice) {
    disableNativeKernels();
    return choice;
  }
  const addon = choice.addon;
  addon.setThreads(o.threads);
  if (!registration) {
    const kernels = availableNativeKernels(addon);
    const previous = new Map<NativeKernelName, KernelConfig>();
    for (const name of kernels) {
      const config = tf.getKernel(name, 'wasm');
      if (config) {
        previous.set(name, config);
        tf.unregisterKernel(name, 'wasm');
      }
    }
    const counts = emptyCounts();
    const configs = nativeKernelConfigs(addon, previous, counts);
    for (const config of configs) tf.registerKernel(config);
    registration = { addon, kernels, configs, previous, counts, heapKeptMapped: addon.keepHeapMapped() };
  } else {
    for (const config of registration.configs) {
      const current = tf.getKernel(config.kernelName, 'wasm');
      if (current?.kernelFunc === config.kernelFunc) continue;
      if (current) {
        registration.previous.set(config.kernelName as NativeKernelName, current);
        tf.unregisterKernel(config.kernelName, 'wasm');
      }
      tf.registerKernel(config);
    }
  }
  return {
    active: true,
    mode: o.mode,
    oneDnnVersion: addon.version(),
    threads: addon.threads(),
    kernels: registration.kernels,
    heapKeptMapped: registration.heapKeptMapped,
  };
}

/** Puts back the kernels that were registered before `enableNativeKernels()`. No-op when not registered. */
export function disableNativeKernels(): void {
  if (!registration) return;
  for (const name of registration.kernels) {
    tf.unregisterKernel(name, 'wasm');
    const config = registration.previous.get(name);
    if (config) tf.registerKernel(config);
  }
  registration = undefined;
}

export interface NativeKernelState {
  /** oneDNN threads of kernels run from this JavaScript thread. */
  threads: number;
  /** Calls served natively and by the fallback since registration. */
  counts: NativeKernelCounts;
}

/** Whether the native kernels are registered in this thread, with what threads and how often they ran. */
export function nativeKernelState(): NativeKernelState | undefined {
  if (!registration) return undefined;
  return { threads: registration.addon.threads(), counts: structuredClone(registration.counts) };
}
