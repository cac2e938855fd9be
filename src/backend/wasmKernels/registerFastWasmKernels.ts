/**
 * The galmorph fast kernels for the wasm backend, and their registration (idempotent). Stock kernels of
 * the same name are remembered, then unregistered, so fast kernels can still delegate cases they do not cover.
 * Call after the wasm backend is initialised (its stock kernels' setup has run).
 */
import * as tf from '@tensorflow/tfjs';
import { affineInverseConfig, affineInverseGradConfig } from './affineInverse.js';
import { batchMatMulConfig } from './batchMatMul.js';
import { batchNormTrainConfig, batchNormTrainGradConfig } from './batchNormTrain.js';
import { bernoulliProbLogLikConfig, bernoulliProbLogLikGradConfig } from './bernoulliProbabilities.js';
import { bilinearSampleConfig, bilinearSampleGradGridConfig, bilinearSampleGradImageConfig } from './bilinearSample.js';
import { conv2DBackpropFilterConfig } from './conv2DBackpropFilter.js';
import { conv2DBackpropInputConfig } from './conv2DBackpropInput.js';
import { gatherV2Config } from './gatherV2.js';
import { identityConfig } from './identity.js';
import { maxAlongAxisConfig, maxAlongAxisGradConfig } from './maxAlongAxis.js';
import { maxPoolGradConfig } from './maxPoolGrad.js';
import { movingAverageConfig } from './movingAverage.js';
import { padAxisConfig, padAxisGradConfig } from './padAxis.js';
import { poseLogPriorConfig, poseLogPriorGradConfig } from './posePrior.js';
import { resizeNearestNeighborGradConfig } from './resizeNearestNeighborGrad.js';
import { sliceConfig } from './slice.js';
import { softArgmaxConfig, softArgmaxGradConfig } from './softArgmax.js';
import { sumConfig } from './sumLeadingAxes.js';
import { unsortedSegmentSumConfig } from './unsortedSegmentSum.js';
import { warpGridConfig, warpGridGradGridConfig, warpGridGradTransformConfig } from './warpGrid.js';
import { rememberStockKernel } from './wasmKernelCalls.js';

export const FAST_WASM_KERNELS: readonly tf.KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  unsortedSegmentSumConfig,
  batchMatMulConfig,
  sliceConfig,
  identityConfig,
  sumConfig,
  resizeNearestNeighborGradConfig,
  maxPoolGradConfig,
  gatherV2Config,
  bilinearSampleConfig,
  bilinearSampleGradGridConfig,
  bilinearSampleGradImageConfig,
  warpGridConfig,
  warpGridGradTransformConfig,
  warpGridGradGridConfig,
  batchNormTrainConfig,
  batchNormTrainGradConfig,
  padAxisConfig,
  padAxisGradConfig,
  maxAlongAxisConfig,
  maxAlongAxisGradConfig,
  softArgmaxConfig,
  softArgmaxGradConfig,
  bernoulliProbLogLikConfig,
  bernoulliProbLogLikGradConfig,
  affineInverseConfig,
  affineInverseGradConfig,
  poseLogPriorConfig,
  poseLogPriorGradConfig,
  movingAverageConfig,
];

/** Registers every fast kernel for 'wasm' (replacing stock ones); returns the kernel names. */
export function registerFastWasmKernels(): string[] {
  for (const config of FAST_WASM_KERNELS) {
    const current = tf.getKernel(config.kernelName, 'wasm');
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current !== undefined) {
      rememberStockKernel(config.kernelName);
      tf.unregisterKernel(config.kernelName, 'wasm');
    }
    tf.registerKernel(config);
  }
  return FAST_WASM_KERNELS.map((config) => config.kernelName);
}
