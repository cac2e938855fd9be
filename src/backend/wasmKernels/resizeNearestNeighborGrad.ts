/**
 * ResizeNearestNeighborGrad for wasm, fast for integer up-sampling factors without aligned corners
 * (the decoder's ×2 nearest up-sampling): every input pixel received one s_h×s_w block, so its gradient is
 * s_h·s_w × the average pool of dy over that block. The stock kernel searches a window per pixel; other
 * cases go to it.
 */
import * as tf from '@tensorflow/tfjs';
import { disposeAll, runStockWasm, runWasm, scalar, type WasmKernelArgs } from './wasmKernelCalls.js';

function resizeNearestNeighborGrad({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { images, dy } = inputs;
  const { alignCorners } = attrs as unknown as tf.ResizeNearestNeighborGradAttrs;
  const [, inHeight, inWidth] = images.shape;
  const [, outHeight, outWidth] = dy.shape;
  const integerFactors = outHeight % inHeight === 0 && outWidth % inWidth === 0;
  if (alignCorners || !integerFactors || dy.dtype !== 'float32') {
    return runStockWasm(tf.ResizeNearestNeighborGrad, backend, inputs, attrs);
  }
  const factorH = outHeight / inHeight;
  const factorW = outWidth / inWidth;
  const mean = runWasm(tf.AvgPool, backend, { x: dy }, {
    filterSize: [factorH, factorW],
    strides: [factorH, factorW],
    pad: 'valid',
  });
  const blockSize = scalar(backend, factorH * factorW);
  const dx = runWasm(tf.Multiply, backend, { a: mean, b: blockSize }, {});
  disposeAll(backend, mean, blockSize);
  return dx;
}

export const resizeNearestNeighborGradConfig: tf.KernelConfig = {
  kernelName: tf.ResizeNearestNeighborGrad,
  backendName: 'wasm',
  kernelFunc: resizeNearestNeighborGrad as unknown as tf.KernelFunc,
};
