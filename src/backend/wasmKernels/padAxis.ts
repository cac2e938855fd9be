/** The axis padding's two kernels for wasm (`../axisPad.ts`): copies between heap views, no intermediates. */
import * as tf from '@tensorflow/tfjs';
import { PAD_AXIS, PAD_AXIS_GRAD, padAxisBackward, padAxisForward, paddedShape, type PadAxisAttrs } from '../axisPad.js';
import { heapF32, type WasmKernelArgs } from './wasmKernelCalls.js';

function pad({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { x } = inputs;
  const a = attrs as unknown as PadAxisAttrs;
  const out = backend.makeOutput(paddedShape(x.shape, a), 'float32');
  padAxisForward(x.shape, a, heapF32(backend, x), heapF32(backend, out));
  return out;
}

function padGrad({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { dy } = inputs;
  const a = attrs as unknown as PadAxisAttrs;
  const xShape = dy.shape.map((d, i) => (i === a.axis ? d - a.before - a.after : d));
  paddedShape(xShape, a);
  const dx = backend.makeOutput(xShape, 'float32');
  padAxisBackward(xShape, a, heapF32(backend, dy), heapF32(backend, dx));
  return dx;
}

const config = (kernelName: string, impl: (args: WasmKernelArgs) => tf.TensorInfo): tf.KernelConfig => ({
  kernelName,
  backendName: 'wasm',
  kernelFunc: impl as unknown as tf.KernelFunc,
});

export const padAxisConfig = config(PAD_AXIS, pad);
export const padAxisGradConfig = config(PAD_AXIS_GRAD, padGrad);
