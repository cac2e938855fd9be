/** The ET-VAE's pose log prior: its two kernels for wasm (`../posePrior.ts`), loops over heap views. */
import * as tf from '@tensorflow/tfjs';
import { POSE_LOG_PRIOR, POSE_LOG_PRIOR_GRAD, poseLogPriorBackward, poseLogPriorForward, type PoseLogPriorAttrs } from '../posePrior.js';
import { heapF32, type WasmKernelArgs } from './wasmKernelCalls.js';

function checkValues(values: tf.TensorInfo, attrs: PoseLogPriorAttrs): void {
  const k = attrs.kinds.length;
  if (values.shape.length !== 2 || values.shape[1] !== k || attrs.scales.length !== k || attrs.logNormalisers.length !== k) {
    throw new Error(`pose log prior: values must be [B, ${k}] with ${k} kinds, scales and normalisers, got [${values.shape}]`);
  }
}

function forward({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { values } = inputs;
  const a = attrs as unknown as PoseLogPriorAttrs;
  checkValues(values, a);
  const out = backend.makeOutput([values.shape[0]], 'float32');
  if (values.shape[0] > 0) poseLogPriorForward(heapF32(backend, values), a, heapF32(backend, out));
  return out;
}

function backward({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { dy, values } = inputs;
  const a = attrs as unknown as PoseLogPriorAttrs;
  checkValues(values, a);
  if (dy.shape.length !== 1 || dy.shape[0] !== values.shape[0]) throw new Error(`pose log prior gradient: dy must be [${values.shape[0]}], got [${dy.shape}]`);
  const dValues = backend.makeOutput([...values.shape], 'float32');
  if (values.shape[0] > 0) poseLogPriorBackward(heapF32(backend, dy), heapF32(backend, values), a, heapF32(backend, dValues));
  return dValues;
}

const config = (kernelName: string, impl: (args: WasmKernelArgs) => tf.TensorInfo): tf.KernelConfig => ({
  kernelName,
  backendName: 'wasm',
  kernelFunc: impl as unknown as tf.KernelFunc,
});

export const poseLogPriorConfig = config(POSE_LOG_PRIOR, forward);
export const poseLogPriorGradConfig = config(POSE_LOG_PRIOR_GRAD, backward);
