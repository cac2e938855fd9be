/**
 * Calling the wasm backend's own kernels directly from a composite kernel: no engine bookkeeping, no tape,
 * intermediates freed with `backend.disposeData`. Every fast kernel in this folder is built from these calls.
 *
 * Stock kernels that a fast kernel replaces are remembered here before they are unregistered, so a fast
 * kernel can still hand the cases it does not speed up to the original implementation.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type TensorInfo = tf.TensorInfo;
export type Attrs = Record<string, unknown>;

export interface WasmKernelArgs {
  inputs: Record<string, TensorInfo>;
  backend: BackendWasm;
  attrs: Attrs;
}

/** A kernel implementation in the shape the engine calls it. */
export type WasmKernelImpl = (args: WasmKernelArgs) => TensorInfo;

const stockKernels = new Map<string, tf.KernelFunc>();

/** Remembers the stock wasm kernel `name` (if any) so it can be called after being replaced. */
export function rememberStockKernel(name: string): void {
  if (stockKernels.has(name)) return;
  const config = tf.getKernel(name, 'wasm');
  if (config !== undefined) stockKernels.set(name, config.kernelFunc);
}

function invoke(func: tf.KernelFunc, backend: BackendWasm, inputs: Record<string, TensorInfo>, attrs: Attrs) {
  const out = func({ inputs, backend, attrs: attrs as tf.NamedAttrMap });
  if (Array.isArray(out)) throw new Error('galmorph wasm kernels: expected a kernel with a single output');
  return out;
}

/** Runs the kernel currently registered for wasm under `name` (a fast one if registered). */
export function runWasm(name: string, backend: BackendWasm, inputs: Record<string, TensorInfo>, attrs: Attrs = {}) {
  const config = tf.getKernel(name, 'wasm');
  if (config === undefined) throw new Error(`galmorph wasm kernels: the wasm backend has no kernel "${name}"`);
  return invoke(config.kernelFunc, backend, inputs, attrs);
}

/** Runs the original tfjs wasm kernel `name`, even when a fast kernel has replaced it. */
export function runStockWasm(name: string, backend: BackendWasm, inputs: Record<string, TensorInfo>, attrs: Attrs = {}) {
  const func = stockKernels.get(name) ?? tf.getKernel(name, 'wasm')?.kernelFunc;
  if (func === undefined) throw new Error(`galmorph wasm kernels: the wasm backend has no stock kernel "${name}"`);
  return invoke(func, backend, inputs, attrs);
}

/** Frees intermediates made inside a composite kernel (reference-counted, so shared buffers survive). */
export function disposeAll(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

export function reshape(backend: BackendWasm, x: TensorInfo, shape: number[]): TensorInfo {
  return runWasm(tf.Reshape, backend, { x }, { shape });
}

export function transpose(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  return runWasm(tf.Transpose, backend, { x }, { perm });
}

/** A float32 scalar living on the wasm heap. */
export function scalar(backend: BackendWasm, value: number): TensorInfo {
  const out = backend.makeOutput([], 'float32');
  backend.typedArrayFromHeap(out)[0] = value;
  return out;
}

/** A Float32Array view of a float32 tensor's heap memory; take it after the last allocation (the heap may grow). */
export function heapF32(backend: BackendWasm, x: TensorInfo): Float32Array {
  if (x.dtype !== 'float32') throw new Error(`galmorph wasm kernels: expected float32, got ${x.dtype}`);
  return backend.typedArrayFromHeap(x) as Float32Array;
}
