/**
 * BatchMatMul for wasm: the stock kernel uses XNNPACK only without transposes and a naive loop otherwise
 * (dense-layer gradients are transposed products). Transpose explicitly, then take the XNNPACK path.
 */
import * as tf from '@tensorflow/tfjs';
import { disposeAll, reshape, runStockWasm, runWasm, type TensorInfo, type WasmKernelArgs } from './wasmKernelCalls.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The last two axes swapped, as a fresh rank-3 tensor [batch, cols, rows]. */
function swapLastAxes(backend: BackendWasm, x: TensorInfo): TensorInfo {
  const rank = x.shape.length;
  const rows = x.shape[rank - 2];
  const cols = x.shape[rank - 1];
  const batch = tf.util.sizeFromShape(x.shape.slice(0, -2));
  const x3 = reshape(backend, x, [batch, rows, cols]);
  const out = runWasm(tf.Transpose, backend, { x: x3 }, { perm: [0, 2, 1] });
  disposeAll(backend, x3);
  return out;
}

function batchMatMul({ inputs, backend, attrs }: WasmKernelArgs): TensorInfo {
  const { a, b } = inputs;
  const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
  if ((!transposeA && !transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return runStockWasm(tf.BatchMatMul, backend, inputs, attrs);
  }
  const outerA = transposeA ? a.shape[a.shape.length - 1] : a.shape[a.shape.length - 2];
  const outerB = transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
  const batchShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const aPlain = transposeA ? swapLastAxes(backend, a) : a;
  const bPlain = transposeB ? swapLastAxes(backend, b) : b;
  const out = runStockWasm(tf.BatchMatMul, backend, { a: aPlain, b: bPlain }, { transposeA: false, transposeB: false });
  if (aPlain !== a) disposeAll(backend, aPlain);
  if (bPlain !== b) disposeAll(backend, bPlain);
  return { dataId: out.dataId, dtype: out.dtype, shape: [...batchShape, outerA, outerB] };
}

export const batchMatMulConfig: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul as unknown as tf.KernelFunc,
};
