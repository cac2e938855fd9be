/**
 * Locating and loading the oneDNN addon built by `npm run build:native` (native/ → native/build/Release). Loading
 * never builds anything: a missing or unloadable addon is reported with the reason and the build instructions.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { SamplerGeometryArray } from '../bilinearSampler.js';

/** Integer geometry of a convolution, in this order (see native/src/conv.h). */
export type ConvGeometryArray = [
  batch: number, inH: number, inW: number, inC: number,
  kH: number, kW: number, outC: number, outH: number, outW: number,
  strideH: number, strideW: number, dilationH: number, dilationW: number,
  padTop: number, padLeft: number, padBottom: number, padRight: number,
];

/** Geometry of a batched matrix product (see native/src/matmul.h); transposes as 0/1. */
export type MatMulGeometryArray = [
  batchA: number, batchB: number, m: number, k: number, n: number, transposeA: number, transposeB: number,
];

/** Input geometry of an integer-factor nearest-neighbour up-sampling (see native/src/decoder.h). */
export type UpsampleGeometryArray = [batch: number, height: number, width: number, channels: number, factorH: number, factorW: number];

/** What the compiled addon exports (native/src/addon.cc). Buffers are read and written in place. */
export interface NativeAddon {
  conv2d(x: Float32Array, filter: Float32Array, y: Float32Array, geometry: ConvGeometryArray): void;
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, geometry: ConvGeometryArray): void;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, geometry: ConvGeometryArray): void;
  matMul(a: Float32Array, b: Float32Array, c: Float32Array, geometry: MatMulGeometryArray): void;
  /**
   * Direct loops for convolutions with one channel on one side (native/src/narrowConv.h): the forward and filter
   * gradient with one output channel, the input gradient with one input channel. Absent from addons built before
   * them: oneDNN's convolutions (and the product + scatter of `../conv2DBackpropInputNarrow.ts`) then run instead.
   */
  conv2dOneOutput?(x: Float32Array, filter: Float32Array, y: Float32Array, geometry: ConvGeometryArray): void;
  conv2dBackpropFilterOneOutput?(x: Float32Array, dy: Float32Array, dw: Float32Array, geometry: ConvGeometryArray): void;
  conv2dBackpropInputOneInput?(dy: Float32Array, filter: Float32Array, dx: Float32Array, geometry: ConvGeometryArray): void;
  /**
   * The bilinear sampler (native/src/sampler.h; geometry from `samplerGeometryArray`). Absent from addons built
   * before the sampler existed: the wasm sampler kernels then run instead.
   */
  bilinearSample?(image: Float32Array, grid: Float32Array, out: Float32Array, geometry: SamplerGeometryArray): void;
  bilinearSampleGradGrid?(
    dy: Float32Array, image: Float32Array, grid: Float32Array, dGrid: Float32Array, geometry: SamplerGeometryArray,
  ): void;
  bilinearSampleGradImage?(dy: Float32Array, grid: Float32Array, dImage: Float32Array, geometry: SamplerGeometryArray): void;
  /**
   * Training-mode batch norm (+ leaky ReLU when alpha ≥ 0) forward and backward (native/src/batchnorm.h; conventions
   * of `../batchNormTrain.ts`), geometry [rows, channels]. Absent from addons built before them: the wasm kernels
   * (JavaScript loops) then run instead.
   */
  batchNormTrain?(
    x: Float32Array, scale: Float32Array, offset: Float32Array, y: Float32Array, mean: Float32Array, variance: Float32Array,
    geometry: [rows: number, channels: number], epsilon: number, alpha: number,
  ): void;
  batchNormTrainGrad?(
    dy: Float32Array, dMean: Float32Array, dVariance: Float32Array, x: Float32Array, y: Float32Array, scale: Float32Array,
    mean: Float32Array, variance: Float32Array, dx: Float32Array, dScale: Float32Array, dOffset: Float32Array,
    geometry: [rows: number, channels: number], epsilon: number, alpha: number,
  ): void;
  /**
   * Nearest-neighbour up-sampling of NHWC images by integer factors and its gradient (native/src/decoder.h), geometry
   * [batch, height, width, channels, factorH, factorW] of the input. Absent from older addons (the wasm kernels run).
   */
  upsampleNearest?(x: Float32Array, y: Float32Array, geometry: UpsampleGeometryArray): void;
  upsampleNearestGrad?(dy: Float32Array, dx: Float32Array, geometry: UpsampleGeometryArray): void;
  /**
   * The clipped Bernoulli log-likelihood per image and its gradient w.r.t. the probabilities (conventions of
   * `../bernoulliProbabilities.ts`), geometry [batch, pixels per image]. Absent from older addons.
   */
  bernoulliProbLogLik?(target: Float32Array, probabilities: Float32Array, out: Float32Array, geometry: [batch: number, pixels: number], clip: number): void;
  bernoulliProbLogLikGrad?(
    dy: Float32Array, target: Float32Array, probabilities: Float32Array, dProbabilities: Float32Array,
    geometry: [batch: number, pixels: number], clip: number,
  ): void;
  /** OpenMP threads for kernels called from the current JavaScript thread. */
  setThreads(n: number): void;
  threads(): number;
  /**
   * Activation layout inside convolutions: 'nhwc' (default) runs on the tensors as they are, 'blocked' reorders
   * into oneDNN's nChw8c around every call (for measuring; see native/src/conv.h).
   */
  setConvLayout(layout: 'nhwc' | 'blocked'): void;
  /** oneDNN version, e.g. "2.6.3". */
  version(): string;
  /**
   * Tells glibc to keep freed memory mapped (mmap threshold 32 MiB, trim threshold 1 GiB) instead of unmapping
   * each step's large buffers and faulting them back in; process-wide. True when glibc accepted both settings.
   */
  keepHeapMapped(): boolean;
}

export const BUILD_INSTRUCTIONS =
  'install oneDNN and a C++ compiler (Debian/Ubuntu: apt-get install -y libdnnl-dev g++), then run `npm run build:native`';

/** Absolute path where `npm run build:native` puts the addon. */
export function addonPath(): string {
  // Same depth from src/backend/native and dist/backend/native to the package root.
  return fileURLToPath(new URL('../../../native/build/Release/galmorph_native.node', import.meta.url));
}

export type AddonLoad = { ok: true; addon: NativeAddon; path: string } | { ok: false; reason: string; path: string };

let cached: AddonLoad | undefined;

/** Loads the addon once per thread; the result (success or the reason of failure) is remembered. */
export function loadAddon(): AddonLoad {
  if (cached) return cached;
  const path = addonPath();
  if (!existsSync(path)) {
    cached = { ok: false, reason: `the native addon is not built (${path} is missing)`, path };
    return cached;
  }
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    cached = { ok: true, addon, path };
  } catch (e) {
    cached = { ok: false, reason: `the native addon at ${path} failed to load: ${(e as Error).message}`, path };
  }
  return cached;
}
