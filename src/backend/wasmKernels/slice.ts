/**
 * Slice for wasm: the stock kernel first copies the whole input out of the heap (readSync); this one copies
 * only the requested region, in the largest contiguous runs the slice allows.
 */
import * as tf from '@tensorflow/tfjs';
import { runStockWasm, type WasmKernelArgs } from './wasmKernelCalls.js';

function slice({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { x } = inputs;
  if (x.dtype === 'string') return runStockWasm(tf.Slice, backend, inputs, attrs);
  const { begin, size } = attrs as unknown as tf.SliceAttrs;
  const [start, extent] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
  const out = backend.makeOutput(extent, x.dtype);
  const total = tf.util.sizeFromShape(extent);
  if (total === 0) return out;
  const source = backend.typedArrayFromHeap(x);
  const target = backend.typedArrayFromHeap(out);
  const rank = x.shape.length;
  const strides = tf.util.computeStrides(x.shape);
  // Trailing axes taken whole form one contiguous run together with the last partial axis before them.
  let split = rank - 1;
  while (split > 0 && start[split] === 0 && extent[split] === x.shape[split]) split--;
  const run = split < 0 ? 1 : extent.slice(split).reduce((p, d) => p * d, 1);
  const outer = extent.slice(0, Math.max(split, 0));
  const index = new Array<number>(outer.length).fill(0);
  for (let written = 0; written < total; written += run) {
    let offset = rank === 0 ? 0 : start[split] * (strides[split] ?? 1);
    for (let axis = 0; axis < outer.length; axis++) offset += (start[axis] + index[axis]) * strides[axis];
    target.set(source.subarray(offset, offset + run), written);
    for (let axis = outer.length - 1; axis >= 0; axis--) {
      if (++index[axis] < outer[axis]) break;
      index[axis] = 0;
    }
  }
  return out;
}

export const sliceConfig: tf.KernelConfig = {
  kernelName: tf.Slice,
  backendName: 'wasm',
  kernelFunc: slice as unknown as tf.KernelFunc,
};
