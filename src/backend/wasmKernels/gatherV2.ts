/**
 * GatherV2 for wasm (batchDims = 0). The stock kernel copies the indices out of the heap and checks each one
 * through a per-index closure, which costs more than the gather itself (≈150 ms for the STN's 4 × 262k
 * indices); this one checks and copies over heap views in plain loops.
 */
import * as tf from '@tensorflow/tfjs';
import { runStockWasm, type WasmKernelArgs } from './wasmKernelCalls.js';

function gatherV2({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { x, indices } = inputs;
  const { axis, batchDims } = attrs as unknown as tf.GatherV2Attrs;
  if ((batchDims ?? 0) !== 0 || x.dtype === 'string' || indices.dtype !== 'int32') {
    return runStockWasm(tf.GatherV2, backend, inputs, attrs);
  }
  const gatherAxis = tf.util.parseAxisParam(axis, x.shape)[0];
  const outer = tf.util.sizeFromShape(x.shape.slice(0, gatherAxis));
  const dim = x.shape[gatherAxis];
  const slice = tf.util.sizeFromShape(x.shape.slice(gatherAxis + 1));
  const outShape = [...x.shape.slice(0, gatherAxis), ...indices.shape, ...x.shape.slice(gatherAxis + 1)];
  const out = backend.makeOutput(outShape, x.dtype);
  const idx = backend.typedArrayFromHeap(indices);
  const count = idx.length;
  for (let i = 0; i < count; i++) {
    const v = idx[i];
    if (v < 0 || v >= dim) throw new Error(`GatherV2: the index value ${v} is not in [0, ${dim - 1}]`);
  }
  if (tf.util.sizeFromShape(outShape) === 0) return out;
  const source = backend.typedArrayFromHeap(x);
  const target = backend.typedArrayFromHeap(out);
  if (slice === 1) {
    for (let o = 0; o < outer; o++) {
      const from = o * dim;
      const to = o * count;
      for (let i = 0; i < count; i++) target[to + i] = source[from + idx[i]];
    }
  } else {
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < count; i++) {
        const from = (o * dim + idx[i]) * slice;
        target.set(source.subarray(from, from + slice), (o * count + i) * slice);
      }
    }
  }
  return out;
}

export const gatherV2Config: tf.KernelConfig = {
  kernelName: tf.GatherV2,
  backendName: 'wasm',
  kernelFunc: gatherV2 as unknown as tf.KernelFunc,
};
