/** Inverting affine transforms: the two kernels for wasm (`../affineInverse.ts`), loops over heap views. */
import * as tf from '@tensorflow/tfjs';
import { AFFINE_INVERSE, AFFINE_INVERSE_GRAD, affineInverseBackward, affineInverseForward } from '../affineInverse.js';
import { heapF32, type WasmKernelArgs } from './wasmKernelCalls.js';

function checkTransforms(name: string, t: tf.TensorInfo): void {
  if (t.shape.length !== 3 || t.shape[1] !== 3 || t.shape[2] !== 3) throw new Error(`affine inverse: ${name} must be [B, 3, 3], got [${t.shape}]`);
}

function forward({ inputs, backend }: WasmKernelArgs): tf.TensorInfo {
  const { transform } = inputs;
  checkTransforms('transform', transform);
  const inverse = backend.makeOutput([...transform.shape], 'float32');
  if (transform.shape[0] > 0) affineInverseForward(heapF32(backend, transform), heapF32(backend, inverse));
  return inverse;
}

function backward({ inputs, backend }: WasmKernelArgs): tf.TensorInfo {
  const { dy, inverse } = inputs;
  checkTransforms('inverse', inverse);
  if (!tf.util.arraysEqual(dy.shape, inverse.shape)) throw new Error(`affine inverse gradient: dy [${dy.shape}] must match the inverse [${inverse.shape}]`);
  const dTransform = backend.makeOutput([...inverse.shape], 'float32');
  if (inverse.shape[0] > 0) affineInverseBackward(heapF32(backend, dy), heapF32(backend, inverse), heapF32(backend, dTransform));
  return dTransform;
}

const config = (kernelName: string, impl: (args: WasmKernelArgs) => tf.TensorInfo): tf.KernelConfig => ({
  kernelName,
  backendName: 'wasm',
  kernelFunc: impl as unknown as tf.KernelFunc,
});

export const affineInverseConfig = config(AFFINE_INVERSE, forward);
export const affineInverseGradConfig = config(AFFINE_INVERSE_GRAD, backward);
