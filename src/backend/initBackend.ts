/**
 * Choosing and starting the compute backend. Every job calls `initBackend()` once and prints
 * `describeBackend()` at start, so results always say what they were computed on.
 *
 * Order of choice: explicit `backend` option (the CLI's --backend) › GALMORPH_BACKEND › automatic
 * (the native 'tensorflow' backend when tfjs-node is installed, else wasm). On wasm the galmorph fast kernels
 * are registered, then the optional native kernels of `src/backend/native/` (hook: `registerNativeKernels`).
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { check, resolveOptions } from '../util/options.js';
import { BACKEND_ENV_VAR, requestedBackend, type BackendKind } from './backendKind.js';
import { importTensorflowNode, TENSORFLOW_NODE_PACKAGES } from './tensorflowNode.js';
import { registerFastWasmKernels } from './wasmKernels/registerFastWasmKernels.js';
import { wasmBinaryDirectory } from './wasmBinaries.js';
import { registerOptionalNativeKernels } from './nativeHook.js';

export interface InitBackendOptions {
  /**
   * Backend to use (wasm | cpu | tensorflow); empty = GALMORPH_BACKEND, else automatic.
   * @default ''
   */
  backend: string;
  /**
   * Where an explicit `backend` came from, named in the error message for an unknown value.
   * @default 'backend'
   */
  source: string;
  /**
   * Worker threads the job will run (one backend each), reported in the description.
   * @default 1
   */
  threads: number;
  /**
   * Register galmorph's fast wasm kernels (turn off only to measure or test the stock kernels).
   * @default true
   */
  fastKernels: boolean;
  /**
   * Register the native kernels of src/backend/native when that module is built and present.
   * @default true
   */
  nativeKernels: boolean;
  /**
   * Threads the native kernels may use from this JavaScript thread; 0 = the addon's default (all cores on the
   * main thread, 1 in a data-parallel worker).
   * @default 0
   */
  nativeThreads: number;
}

const DEFAULTS: InitBackendOptions = {
  backend: '',
  source: 'backend',
  threads: 1,
  fastKernels: true,
  nativeKernels: true,
  nativeThreads: 0,
};

export interface BackendDescription {
  backend: BackendKind;
  /** Worker threads the job runs, each with its own backend. */
  threads: number;
  /** Names of the kernels galmorph registered on top of the stock backend. */
  kernels: string[];
  /** Names of native (oneDNN) kernels registered, when the native addon is present. */
  nativeKernels: string[];
}

let current: BackendDescription | null = null;

async function chooseBackend(options: InitBackendOptions): Promise<BackendKind> {
  const requested = requestedBackend(options.backend, process.env, options.source);
  if (requested === 'tensorflow') {
    if ((await importTensorflowNode()) === null) {
      throw new Error(
        `backend "tensorflow" needs ${TENSORFLOW_NODE_PACKAGES.join(' or ')} installed; ` +
          `install one, or choose wasm or cpu (--backend / ${BACKEND_ENV_VAR})`,
      );
    }
    return 'tensorflow';
  }
  if (requested !== 'auto') return requested;
  return (await importTensorflowNode()) !== null ? 'tensorflow' : 'wasm';
}

/** Chooses, starts and (on wasm) speeds up the backend; returns what was set up. */
export async function initBackend(given: Partial<InitBackendOptions> = {}): Promise<BackendDescription> {
  const options = resolveOptions(DEFAULTS, {
    backend: check.any(),
    source: check.string(),
    threads: check.integer(1, 1024),
    fastKernels: check.boolean(),
    nativeKernels: check.boolean(),
    nativeThreads: check.integer(0, 1024),
  }, given);
  const backend = await chooseBackend(options);
  if (backend === 'wasm') {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setWasmPaths(wasmBinaryDirectory());
  }
  if (!(await tf.setBackend(backend))) throw new Error(`galmorph: the ${backend} backend failed to start`);
  await tf.ready();
  const kernels = backend === 'wasm' && options.fastKernels ? registerFastWasmKernels() : [];
  const nativeKernels = options.nativeKernels ? await registerOptionalNativeKernels(backend, options.nativeThreads) : [];
  current = { backend, threads: options.threads, kernels, nativeKernels };
  return current;
}

/** One line for the start of every job, e.g. "backend wasm + 9 galmorph kernels, 2 worker threads". */
export function describeBackend(description: BackendDescription | null = current): string {
  if (description === null) return `backend ${tf.getBackend()} (not initialised by galmorph)`;
  const parts = [`backend ${description.backend}`];
  if (description.kernels.length > 0) parts.push(`+ ${description.kernels.length} galmorph kernels`);
  if (description.nativeKernels.length > 0) parts.push(`+ ${description.nativeKernels.length} native kernels`);
  const threads = description.threads === 1 ? '1 thread' : `${description.threads} worker threads`;
  return `${parts.join(' ')}, ${threads}`;
}

/** The description of the last `initBackend()` call in this thread, or null. */
export function currentBackend(): BackendDescription | null {
  return current;
}
