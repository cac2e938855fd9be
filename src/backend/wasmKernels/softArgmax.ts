/** The pose readout's soft-argmax: its two kernels for wasm (`../softArgmax.ts`), loops over heap views. */
import * as tf from '@tensorflow/tfjs';
import { SOFT_ARGMAX, SOFT_ARGMAX_GRAD, softArgmaxBackward, softArgmaxForward, type SoftArgmaxAttrs } from '../softArgmax.js';
import { heapF32, type WasmKernelArgs } from './wasmKernelCalls.js';

function shapeOf(logits: tf.TensorInfo, bias: tf.TensorInfo): [number, number] {
  if (logits.shape.length !== 2 || logits.shape[1] < 1) throw new Error(`soft-argmax: logits must be [B, n], got [${logits.shape}]`);
  if (bias.shape.length !== 0) throw new Error(`soft-argmax: the bias must be a scalar, got [${bias.shape}]`);
  return [logits.shape[0], logits.shape[1]];
}

function forward({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo[] {
  const { logits, bias } = inputs;
  const [batch, n] = shapeOf(logits, bias);
  const value = backend.makeOutput([batch], 'float32');
  const heatmap = backend.makeOutput([batch, n], 'float32');
  softArgmaxForward(batch, n, attrs as unknown as SoftArgmaxAttrs, heapF32(backend, logits), heapF32(backend, bias)[0],
    heapF32(backend, value), heapF32(backend, heatmap));
  return [value, heatmap];
}

function backward({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo[] {
  const { dValue, dHeatmap, heatmap, bias } = inputs;
  const [batch, n] = shapeOf(heatmap, bias);
  const dLogits = backend.makeOutput([batch, n], 'float32');
  const dBias = backend.makeOutput([], 'float32');
  softArgmaxBackward(batch, n, attrs as unknown as SoftArgmaxAttrs, heapF32(backend, dValue), heapF32(backend, dHeatmap),
    heapF32(backend, heatmap), heapF32(backend, bias)[0], heapF32(backend, dLogits), heapF32(backend, dBias));
  return [dLogits, dBias];
}

const config = (kernelName: string, impl: (args: WasmKernelArgs) => tf.TensorInfo[]): tf.KernelConfig => ({
  kernelName,
  backendName: 'wasm',
  kernelFunc: impl as unknown as tf.KernelFunc,
});

export const softArgmaxConfig = config(SOFT_ARGMAX, forward);
export const softArgmaxGradConfig = config(SOFT_ARGMAX_GRAD, backward);
