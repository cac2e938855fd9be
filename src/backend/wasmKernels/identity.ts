/**
 * Identity for wasm: shares the input's buffer (reference-counted, like Reshape and the cpu backend's
 * Identity) instead of copying it. Used by clone(), variable initialisation and many gradients.
 */
import * as tf from '@tensorflow/tfjs';
import { runStockWasm, type WasmKernelArgs } from './wasmKernelCalls.js';

function identity({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { x } = inputs;
  if (x.dtype === 'string') return runStockWasm(tf.Identity, backend, inputs, attrs);
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityConfig: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: identity as unknown as tf.KernelFunc,
};
