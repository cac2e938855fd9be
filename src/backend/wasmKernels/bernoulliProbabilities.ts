/** The ET-VAE's clipped Bernoulli reconstruction term: its two kernels for wasm (`../bernoulliProbabilities.ts`). */
import * as tf from '@tensorflow/tfjs';
import {
  BERNOULLI_PROB_LOG_LIK,
  BERNOULLI_PROB_LOG_LIK_GRAD,
  bernoulliProbLogLikBackward,
  bernoulliProbLogLikForward,
  type BernoulliProbAttrs,
} from '../bernoulliProbabilities.js';
import { heapF32, type WasmKernelArgs } from './wasmKernelCalls.js';

function batchOf(target: tf.TensorInfo, probabilities: tf.TensorInfo): number {
  if (target.shape.length < 1 || !tf.util.arraysEqual(target.shape, probabilities.shape)) {
    throw new Error(`Bernoulli log-likelihood: target [${target.shape}] and probabilities [${probabilities.shape}] must be the same [B, …] shape`);
  }
  return target.shape[0];
}

function forward({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { target, probabilities } = inputs;
  const out = backend.makeOutput([batchOf(target, probabilities)], 'float32');
  if (tf.util.sizeFromShape(out.shape) === 0) return out;
  bernoulliProbLogLikForward(heapF32(backend, target), heapF32(backend, probabilities), attrs as unknown as BernoulliProbAttrs,
    heapF32(backend, out));
  return out;
}

function backward({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { dy, target, probabilities } = inputs;
  const batch = batchOf(target, probabilities);
  if (dy.shape.length !== 1 || dy.shape[0] !== batch) throw new Error(`Bernoulli log-likelihood gradient: dy must be [${batch}], got [${dy.shape}]`);
  const dProbabilities = backend.makeOutput([...probabilities.shape], 'float32');
  if (tf.util.sizeFromShape(probabilities.shape) === 0) return dProbabilities;
  bernoulliProbLogLikBackward(heapF32(backend, dy), heapF32(backend, target), heapF32(backend, probabilities),
    attrs as unknown as BernoulliProbAttrs, heapF32(backend, dProbabilities));
  return dProbabilities;
}

const config = (kernelName: string, impl: (args: WasmKernelArgs) => tf.TensorInfo): tf.KernelConfig => ({
  kernelName,
  backendName: 'wasm',
  kernelFunc: impl as unknown as tf.KernelFunc,
});

export const bernoulliProbLogLikConfig = config(BERNOULLI_PROB_LOG_LIK, forward);
export const bernoulliProbLogLikGradConfig = config(BERNOULLI_PROB_LOG_LIK_GRAD, backward);
