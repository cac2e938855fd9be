/**
 * The affine grid warp's three kernels for wasm (`../affineWarp.ts`): host loops over heap views (taken after the
 * output is allocated, since allocation may move the heap).
 */
import * as tf from '@tensorflow/tfjs';
import {
  WARP_GRID,
  WARP_GRID_GRAD_GRID,
  WARP_GRID_GRAD_TRANSFORM,
  warpGeometry,
  warpGridForward,
  warpGridGradGrid,
  warpGridGradTransform,
} from '../affineWarp.js';
import { heapF32, type WasmKernelArgs } from './wasmKernelCalls.js';

function warp({ inputs, backend }: WasmKernelArgs): tf.TensorInfo {
  const { grid, transform } = inputs;
  const g = warpGeometry(grid.shape, transform.shape);
  const out = backend.makeOutput([g.batch, grid.shape[1], grid.shape[2], 2], 'float32');
  warpGridForward(g, heapF32(backend, grid), heapF32(backend, transform), heapF32(backend, out));
  return out;
}

function gradTransform({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { dy, grid } = inputs;
  const batch = attrs.batch as number;
  const g = warpGeometry(grid.shape, [batch, 3, 3]);
  const out = backend.makeOutput([batch, 3, 3], 'float32');
  warpGridGradTransform(g, heapF32(backend, dy), heapF32(backend, grid), heapF32(backend, out));
  return out;
}

function gradGrid({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { dy, transform } = inputs;
  const gridBatch = attrs.gridBatch as number;
  const gridShape = [gridBatch, dy.shape[1], dy.shape[2], 2];
  const g = warpGeometry(gridShape, transform.shape);
  const out = backend.makeOutput(gridShape, 'float32');
  warpGridGradGrid(g, heapF32(backend, dy), heapF32(backend, transform), heapF32(backend, out));
  return out;
}

const config = (kernelName: string, impl: (args: WasmKernelArgs) => tf.TensorInfo): tf.KernelConfig => ({
  kernelName,
  backendName: 'wasm',
  kernelFunc: impl as unknown as tf.KernelFunc,
});

export const warpGridConfig = config(WARP_GRID, warp);
export const warpGridGradTransformConfig = config(WARP_GRID_GRAD_TRANSFORM, gradTransform);
export const warpGridGradGridConfig = config(WARP_GRID_GRAD_GRID, gradGrid);
