/** The batch-norm running-average update as a wasm kernel (`../movingAverage.ts`), a loop over heap views. */
import * as tf from '@tensorflow/tfjs';
import { checkMomentum, MOVING_AVERAGE, movingAverageForward, type MovingAverageAttrs } from '../movingAverage.js';
import { heapF32, type WasmKernelArgs } from './wasmKernelCalls.js';

function movingAverage({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { running, batch } = inputs;
  const { momentum } = attrs as unknown as MovingAverageAttrs;
  checkMomentum(momentum);
  if (!tf.util.arraysEqual(running.shape, batch.shape)) {
    throw new Error(`moving average: running [${running.shape}] and batch [${batch.shape}] must have the same shape`);
  }
  const out = backend.makeOutput([...running.shape], 'float32');
  if (tf.util.sizeFromShape(running.shape) > 0) {
    movingAverageForward(heapF32(backend, running), heapF32(backend, batch), momentum, heapF32(backend, out));
  }
  return out;
}

export const movingAverageConfig: tf.KernelConfig = {
  kernelName: MOVING_AVERAGE,
  backendName: 'wasm',
  kernelFunc: movingAverage as unknown as tf.KernelFunc,
};
