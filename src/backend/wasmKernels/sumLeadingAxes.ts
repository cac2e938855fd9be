/**
 * Sum for wasm, fast when the reduced axes are the leading ones (bias gradients: sum over batch and space).
 * The stock kernel transposes the whole tensor to make those axes innermost; here the tensor is viewed as
 * [1, N, 1, C] and XNNPACK average-pools the N rows, times N. Other reductions go to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { disposeAll, reshape, runStockWasm, runWasm, scalar, type WasmKernelArgs } from './wasmKernelCalls.js';

function sum({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { x } = inputs;
  const { axis, keepDims } = attrs as unknown as tf.SumAttrs;
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
  const rank = x.shape.length;
  const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
  if (!leading || x.dtype !== 'float32' || tf.util.sizeFromShape(x.shape) === 0) {
    return runStockWasm(tf.Sum, backend, inputs, attrs);
  }
  const rows = tf.util.sizeFromShape(x.shape.slice(0, axes.length));
  const rest = x.shape.slice(axes.length);
  const columns = tf.util.sizeFromShape(rest);
  const grid = reshape(backend, x, [1, rows, 1, columns]);
  const mean = runWasm(tf.AvgPool, backend, { x: grid }, { filterSize: [rows, 1], strides: [rows, 1], pad: 'valid' });
  const factor = scalar(backend, rows);
  const total = runWasm(tf.Multiply, backend, { a: mean, b: factor }, {});
  disposeAll(backend, grid, mean, factor);
  const shape = keepDims ? [...axes.map(() => 1), ...rest] : rest;
  return { dataId: total.dataId, dtype: total.dtype, shape };
}

export const sumConfig: tf.KernelConfig = {
  kernelName: tf.Sum,
  backendName: 'wasm',
  kernelFunc: sum as unknown as tf.KernelFunc,
};
