/**
 * The bilinear sampler's three kernels for wasm (`../bilinearSampler.ts`): the host loops over heap views, no copies.
 * Heap views are taken after the output is allocated (allocation may grow, and so move, the heap).
 */
import * as tf from '@tensorflow/tfjs';
import {
  BILINEAR_SAMPLE,
  BILINEAR_SAMPLE_GRAD_GRID,
  BILINEAR_SAMPLE_GRAD_IMAGE,
  bilinearSampleForward,
  bilinearSampleGradGrid,
  bilinearSampleGradImage,
  samplerGeometry,
} from '../bilinearSampler.js';
import { heapF32, type WasmKernelArgs } from './wasmKernelCalls.js';

function sample({ inputs, backend }: WasmKernelArgs): tf.TensorInfo {
  const { image, grid } = inputs;
  const g = samplerGeometry(image.shape, grid.shape);
  const out = backend.makeOutput([g.batch, g.outHeight, g.outWidth, g.channels], 'float32');
  bilinearSampleForward(g, heapF32(backend, image), heapF32(backend, grid), heapF32(backend, out));
  return out;
}

function gradGrid({ inputs, backend }: WasmKernelArgs): tf.TensorInfo {
  const { dy, image, grid } = inputs;
  const g = samplerGeometry(image.shape, grid.shape);
  const out = backend.makeOutput([...grid.shape], 'float32');
  bilinearSampleGradGrid(g, heapF32(backend, dy), heapF32(backend, image), heapF32(backend, grid), heapF32(backend, out));
  return out;
}

function gradImage({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { dy, grid } = inputs;
  const imageShape = attrs.imageShape as number[];
  const g = samplerGeometry(imageShape, grid.shape);
  const out = backend.makeOutput([...imageShape], 'float32');
  bilinearSampleGradImage(g, heapF32(backend, dy), heapF32(backend, grid), heapF32(backend, out));
  return out;
}

const config = (kernelName: string, impl: (args: WasmKernelArgs) => tf.TensorInfo): tf.KernelConfig => ({
  kernelName,
  backendName: 'wasm',
  kernelFunc: impl as unknown as tf.KernelFunc,
});

export const bilinearSampleConfig = config(BILINEAR_SAMPLE, sample);
export const bilinearSampleGradGridConfig = config(BILINEAR_SAMPLE_GRAD_GRID, gradGrid);
export const bilinearSampleGradImageConfig = config(BILINEAR_SAMPLE_GRAD_IMAGE, gradImage);
