/**
 * Starting TensorFlow.js in a browser: the wasm backend (single-threaded: the page needs no cross-origin isolation)
 * with galmorph's fast wasm kernels, the same kernels Node's `initBackend` registers, so a browser computes what Node
 * computes; or the plain JavaScript 'cpu' backend. The wasm binaries are fetched from `wasmPaths`, a URL prefix the
 * page serves them under (copies of node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm) — never from a CDN.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { OptionError } from '../util/errors.js';
import { registerFastWasmKernels } from '../backend/wasmKernels/registerFastWasmKernels.js';

export const BROWSER_BACKENDS = ['wasm', 'cpu'] as const;
export type BrowserBackend = (typeof BROWSER_BACKENDS)[number];

export interface BrowserBackendOptions {
  /** 'wasm' (fast) or 'cpu' (plain JavaScript, needs no binaries). @default 'wasm' */
  backend?: BrowserBackend;
  /**
   * wasm only: URL prefix (ending in '/') of tfjs-backend-wasm.wasm and tfjs-backend-wasm-simd.wasm.
   * @default 'wasm/' (relative to the page)
   */
  wasmPaths?: string;
  /** wasm only: register galmorph's fast kernels (as Node does). @default true */
  fastKernels?: boolean;
}

export interface BrowserBackendDescription {
  backend: BrowserBackend;
  /** Names of the galmorph kernels registered on top of the stock backend. */
  kernels: string[];
}

export async function initBrowserBackend(options: BrowserBackendOptions = {}): Promise<BrowserBackendDescription> {
  const backend = options.backend ?? 'wasm';
  if (!(BROWSER_BACKENDS as readonly string[]).includes(backend)) throw new OptionError('backend', `one of ${BROWSER_BACKENDS.join(' | ')}`, backend);
  if (backend === 'wasm') {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    const prefix = options.wasmPaths ?? 'wasm/';
    setWasmPaths(prefix.endsWith('/') ? prefix : `${prefix}/`);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`galmorph: the ${backend} backend failed to start in this browser`);
  await tf.ready();
  const kernels = backend === 'wasm' && (options.fastKernels ?? true) ? registerFastWasmKernels() : [];
  return { backend, kernels };
}
