/**
 * UnsortedSegmentSum for wasm (missing from tfjs-backend-wasm 4.22; gather's gradient needs it).
 * ScatterNd with the segment ids as one-dimensional indices sums rows that share an id.
 */
import * as tf from '@tensorflow/tfjs';
import { reshape, runWasm, disposeAll, type WasmKernelArgs } from './wasmKernelCalls.js';

function unsortedSegmentSum({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { x, segmentIds } = inputs;
  const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
  if (segmentIds.dtype !== 'int32') {
    throw new Error(`galmorph UnsortedSegmentSum (wasm): segmentIds must be int32, got ${segmentIds.dtype}`);
  }
  const ids = backend.typedArrayFromHeap(segmentIds);
  const count = ids.length;
  for (let i = 0; i < count; i++) {
    if (!(ids[i] >= 0 && ids[i] < numSegments)) {
      throw new Error(
        `galmorph UnsortedSegmentSum (wasm): segment id ${ids[i]} at position ${i} is outside [0, ${numSegments})`,
      );
    }
  }
  const rowShape = x.shape.slice(segmentIds.shape.length);
  const indices = reshape(backend, segmentIds, [count, 1]);
  const updates = reshape(backend, x, [count, ...rowShape]);
  const out = runWasm(tf.ScatterNd, backend, { indices, updates }, { shape: [numSegments, ...rowShape] });
  disposeAll(backend, indices, updates);
  return out;
}

export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc,
};
