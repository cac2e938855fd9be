/**
 * The training-mode batch normalisation's two kernels for wasm (`../batchNormTrain.ts`): host loops over heap views,
 * taken after every output is allocated (allocation may grow, and so move, the heap).
 */
import * as tf from '@tensorflow/tfjs';
import {
  BATCH_NORM_TRAIN,
  BATCH_NORM_TRAIN_GRAD,
  batchNormGeometry,
  batchNormTrainBackward,
  batchNormTrainForward,
  type BatchNormTrainAttrs,
} from '../batchNormTrain.js';
import { heapF32, type WasmKernelArgs } from './wasmKernelCalls.js';

function checkChannels(name: string, t: tf.TensorInfo, channels: number): void {
  if (t.shape.length !== 1 || t.shape[0] !== channels) throw new Error(`batch norm: ${name} must be [${channels}], got [${t.shape}]`);
}

function forward({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo[] {
  const { x, scale, offset } = inputs;
  const { channels } = batchNormGeometry(x.shape);
  checkChannels('scale', scale, channels);
  checkChannels('offset', offset, channels);
  const y = backend.makeOutput([...x.shape], 'float32');
  const mean = backend.makeOutput([channels], 'float32');
  const variance = backend.makeOutput([channels], 'float32');
  batchNormTrainForward(
    heapF32(backend, x), heapF32(backend, scale), heapF32(backend, offset), attrs as unknown as BatchNormTrainAttrs,
    heapF32(backend, y), heapF32(backend, mean), heapF32(backend, variance),
  );
  return [y, mean, variance];
}

function backward({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo[] {
  const { dy, dMean, dVariance, x, y, scale, mean, variance } = inputs;
  const { channels } = batchNormGeometry(x.shape);
  for (const [name, t] of Object.entries({ dMean, dVariance, scale, mean, variance })) checkChannels(name, t, channels);
  const dx = backend.makeOutput([...x.shape], 'float32');
  const dScale = backend.makeOutput([channels], 'float32');
  const dOffset = backend.makeOutput([channels], 'float32');
  const v = (t: tf.TensorInfo) => heapF32(backend, t);
  batchNormTrainBackward(
    v(dy), v(dMean), v(dVariance), v(x), v(y), v(scale), v(mean), v(variance), attrs as unknown as BatchNormTrainAttrs,
    v(dx), v(dScale), v(dOffset),
  );
  return [dx, dScale, dOffset];
}

const config = (kernelName: string, impl: (args: WasmKernelArgs) => tf.TensorInfo[]): tf.KernelConfig => ({
  kernelName,
  backendName: 'wasm',
  kernelFunc: impl as unknown as tf.KernelFunc,
});

export const batchNormTrainConfig = config(BATCH_NORM_TRAIN, forward);
export const batchNormTrainGradConfig = config(BATCH_NORM_TRAIN_GRAD, backward);
