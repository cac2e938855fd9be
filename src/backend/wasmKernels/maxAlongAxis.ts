/** The maximum along one axis: its two kernels for wasm (`../maxAlongAxis.ts`), loops over heap views. */
import * as tf from '@tensorflow/tfjs';
import {
  MAX_ALONG_AXIS,
  MAX_ALONG_AXIS_GRAD,
  maxAlongAxisBackward,
  maxAlongAxisForward,
  maxAxisGeometry,
  reducedShape,
} from '../maxAlongAxis.js';
import { heapF32, type WasmKernelArgs } from './wasmKernelCalls.js';

function max({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { x } = inputs;
  const axis = attrs.axis as number;
  maxAxisGeometry(x.shape, axis);
  const y = backend.makeOutput(reducedShape(x.shape, axis), 'float32');
  maxAlongAxisForward(x.shape, axis, heapF32(backend, x), heapF32(backend, y));
  return y;
}

function maxGrad({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { dy, x, y } = inputs;
  const axis = attrs.axis as number;
  maxAxisGeometry(x.shape, axis);
  const dx = backend.makeOutput([...x.shape], 'float32');
  maxAlongAxisBackward(x.shape, axis, heapF32(backend, dy), heapF32(backend, x), heapF32(backend, y), heapF32(backend, dx));
  return dx;
}

const config = (kernelName: string, impl: (args: WasmKernelArgs) => tf.TensorInfo): tf.KernelConfig => ({
  kernelName,
  backendName: 'wasm',
  kernelFunc: impl as unknown as tf.KernelFunc,
});

export const maxAlongAxisConfig = config(MAX_ALONG_AXIS, max);
export const maxAlongAxisGradConfig = config(MAX_ALONG_AXIS_GRAD, maxGrad);
