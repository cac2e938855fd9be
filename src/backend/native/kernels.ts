/**
 * TensorFlow.js kernels for the wasm backend that run on the oneDNN addon: Conv2D, Conv2DBackpropInput,
 * Conv2DBackpropFilter and BatchMatMul, and galmorph's bilinear sampler (forward and both gradients; plain C++ loops,
 * see `../bilinearSampler.ts`); Conv2DBackpropInput with one input channel runs as oneDNN's matrix product plus a
 * scatter (`../conv2DBackpropInputNarrow.ts`), which beats oneDNN's transposed convolution there (the scatter in C++
 * with an addon that has `native/src/narrowConv.h`); with such an addon and one native thread, Conv2D and
 * Conv2DBackpropFilter with one output channel run as direct loops (oneDNN runs both as slowly as with sixteen output
 * channels); galmorph's fused
 * training-mode batch norm (+ leaky ReLU) forward and backward (`../batchNormTrain.ts`, plain C++ loops); the ET-VAE
 * decoder's nearest-neighbour up-sampling by integer factors (ResizeNearestNeighbor and its gradient) and the
 * clipped Bernoulli reconstruction term (`../bernoulliProbabilities.ts`), plain C++ loops. Inputs are read in place from the wasm heap and outputs written into fresh
 * wasm tensors, so models and gradients are unchanged. Cases the addon does not cover (NCHW, non-float32, batch
 * broadcasting beyond "equal or 1", shapes oneDNN rejects, an addon built before the sampler or the batch norm) go to the kernel that was
 * registered before.
 */
import * as tf from '@tensorflow/tfjs';
import type {
  BatchMatMulAttrs,
  Conv2DAttrs,
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { ConvGeometryArray, NativeAddon, UpsampleGeometryArray } from './addon.js';
import { BERNOULLI_PROB_LOG_LIK, BERNOULLI_PROB_LOG_LIK_GRAD, clipBounds, type BernoulliProbAttrs } from '../bernoulliProbabilities.js';
import { isNarrowBackpropInput, narrowColsShape, scatterNarrowCols } from '../conv2DBackpropInputNarrow.js';
import {
  BILINEAR_SAMPLE,
  BILINEAR_SAMPLE_GRAD_GRID,
  BILINEAR_SAMPLE_GRAD_IMAGE,
  samplerGeometry,
  samplerGeometryArray,
  type SamplerGeometry,
} from '../bilinearSampler.js';
import {
  BATCH_NORM_TRAIN,
  BATCH_NORM_TRAIN_GRAD,
  batchNormGeometry,
  type BatchNormTrainAttrs,
} from '../batchNormTrain.js';

export const NATIVE_KERNEL_NAMES = [
  'Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'BatchMatMul',
  BILINEAR_SAMPLE, BILINEAR_SAMPLE_GRAD_GRID, BILINEAR_SAMPLE_GRAD_IMAGE,
  BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD,
  'ResizeNearestNeighbor', 'ResizeNearestNeighborGrad', BERNOULLI_PROB_LOG_LIK, BERNOULLI_PROB_LOG_LIK_GRAD,
] as const;
export type NativeKernelName = (typeof NATIVE_KERNEL_NAMES)[number];

/**
 * The kernels this build of the addon provides (one built before the sampler lacks the sampler's three, one built
 * before the batch norm its two, one built before the decoder kernels their four).
 */
export function availableNativeKernels(addon: NativeAddon): NativeKernelName[] {
  const sampler = typeof addon.bilinearSample === 'function' && typeof addon.bilinearSampleGradGrid === 'function'
    && typeof addon.bilinearSampleGradImage === 'function';
  const batchNorm = typeof addon.batchNormTrain === 'function' && typeof addon.batchNormTrainGrad === 'function';
  const decoder = typeof addon.upsampleNearest === 'function' && typeof addon.upsampleNearestGrad === 'function'
    && typeof addon.bernoulliProbLogLik === 'function' && typeof addon.bernoulliProbLogLikGrad === 'function';
  const decoderKernels: readonly string[] = ['ResizeNearestNeighbor', 'ResizeNearestNeighborGrad', BERNOULLI_PROB_LOG_LIK, BERNOULLI_PROB_LOG_LIK_GRAD];
  return NATIVE_KERNEL_NAMES.filter((name) =>
    (sampler || !name.startsWith('GalmorphBilinearSample')) && (batchNorm || !name.startsWith('GalmorphBatchNormTrain'))
    && (decoder || !decoderKernels.includes(name)));
}

/** Calls per kernel that ran natively and that went to the previous kernel. */
export interface NativeKernelCounts {
  native: Record<NativeKernelName, number>;
  fallback: Record<NativeKernelName, number>;
}

export function emptyCounts(): NativeKernelCounts {
  const zero = (): Record<NativeKernelName, number> =>
    Object.fromEntries(NATIVE_KERNEL_NAMES.map((n) => [n, 0])) as Record<NativeKernelName, number>;
  return { native: zero(), fallback: zero() };
}

type KernelArgs = Parameters<KernelFunc>[0];

function geometry(info: tf.backend_util.Conv2DInfo): ConvGeometryArray {
  const p = info.padInfo;
  return [
    info.batchSize, info.inHeight, info.inWidth, info.inChannels,
    info.filterHeight, info.filterWidth, info.outChannels, info.outHeight, info.outWidth,
    info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth,
    p.top, p.left, p.bottom, p.right,
  ];
}

function allFloat32(...tensors: TensorInfo[]): boolean {
  return tensors.every((t) => t.dtype === 'float32');
}

function isOneDnnRejection(e: unknown): boolean {
  return e instanceof Error && e.message.startsWith('oneDNN:');
}

/**
 * Builds the kernel configs. `previous` holds the configs they replace (their setup functions still run, and they
 * serve the cases the addon does not cover); `counts` is updated on every call.
 */
export function nativeKernelConfigs(
  addon: NativeAddon,
  previous: ReadonlyMap<NativeKernelName, KernelConfig>,
  counts: NativeKernelCounts,
): KernelConfig[] {
  const fallback = (name: NativeKernelName, args: KernelArgs): TensorInfo => {
    const config = previous.get(name);
    if (!config) throw new Error(`${name}: case not supported by the native kernel and no wasm kernel to fall back to`);
    counts.fallback[name] += 1;
    return config.kernelFunc(args) as TensorInfo;
  };

  /** Allocates the output, runs `compute` on heap views (taken after allocation: the heap may grow), or falls back. */
  const run = (
    name: NativeKernelName,
    args: KernelArgs,
    outShape: number[],
    compute: (views: (t: TensorInfo) => Float32Array, out: Float32Array) => void,
  ): TensorInfo => {
    const backend = args.backend as BackendWasm;
    const out = backend.makeOutput(outShape, 'float32');
    if (tf.util.sizeFromShape(outShape) === 0) return out;
    const view = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
    try {
      compute(view, view(out));
    } catch (e) {
      backend.disposeData(out.dataId);
      if (isOneDnnRejection(e)) return fallback(name, args);
      throw e;
    }
    counts.native[name] += 1;
    return out;
  };

  // The one-output-channel loops are single-threaded: with more native threads oneDNN's parallel convolution stays.
  const loopsServe = () => addon.threads() === 1;

  const conv2d: KernelFunc = (args) => {
    const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
    const a = args.attrs as unknown as Conv2DAttrs;
    if (a.dataFormat !== 'NHWC' || !allFloat32(x, filter)) return fallback('Conv2D', args);
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
      a.strides, a.dilations, a.pad, a.dimRoundingMode, false, 'channelsLast');
    const oneOutput = info.outChannels === 1 && loopsServe() ? addon.conv2dOneOutput?.bind(addon) : undefined;
    return run('Conv2D', args, info.outShape, (view, y) => (oneOutput ?? addon.conv2d.bind(addon))(view(x), view(filter), y, geometry(info)));
  };

  const conv2dBackpropInput: KernelFunc = (args) => {
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = args.attrs as unknown as Conv2DBackpropInputAttrs;
    if (a.dataFormat !== 'NHWC' || !allFloat32(dy, filter)) return fallback('Conv2DBackpropInput', args);
    const info = tf.backend_util.computeConv2DInfo(
      a.inputShape, filter.shape as [number, number, number, number],
      a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
    const oneInput = info.inChannels === 1 ? addon.conv2dBackpropInputOneInput?.bind(addon) : undefined;
    if (oneInput !== undefined) return run('Conv2DBackpropInput', args, info.inShape, (view, dx) => oneInput(view(dy), view(filter), dx, geometry(info)));
    if (isNarrowBackpropInput(info)) return narrowBackpropInput(args, info, dy, filter);
    return run('Conv2DBackpropInput', args, info.inShape, (view, dx) =>
      addon.conv2dBackpropInput(view(dy), view(filter), dx, geometry(info)));
  };

  /** One input channel: oneDNN's product dy · filterᵀ, then the scatter of `../conv2DBackpropInputNarrow.ts`. */
  const narrowBackpropInput = (args: KernelArgs, info: tf.backend_util.Conv2DInfo, dy: TensorInfo, filter: TensorInfo): TensorInfo => {
    const backend = args.backend as BackendWasm;
    const [rows, taps] = narrowColsShape(info);
    const cols = backend.makeOutput([rows, taps], 'float32');
    const dx = backend.makeOutput(info.inShape, 'float32');
    const view = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
    try {
      addon.matMul(view(dy), view(filter), view(cols), [1, 1, rows, info.outChannels, taps, 0, 1]);
      scatterNarrowCols(info, view(cols), view(dx));
    } catch (e) {
      backend.disposeData(dx.dataId);
      if (isOneDnnRejection(e)) return fallback('Conv2DBackpropInput', args);
      throw e;
    } finally {
      backend.disposeData(cols.dataId);
    }
    counts.native.Conv2DBackpropInput += 1;
    return dx;
  };

  const conv2dBackpropFilter: KernelFunc = (args) => {
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const a = args.attrs as unknown as Conv2DBackpropFilterAttrs;
    if (a.dataFormat !== 'NHWC' || !allFloat32(x, dy)) return fallback('Conv2DBackpropFilter', args);
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], a.filterShape,
      a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
    const oneOutput = info.outChannels === 1 && loopsServe() ? addon.conv2dBackpropFilterOneOutput?.bind(addon) : undefined;
    return run('Conv2DBackpropFilter', args, [...a.filterShape], (view, dw) =>
      (oneOutput ?? addon.conv2dBackpropFilter.bind(addon))(view(x), view(dy), dw, geometry(info)));
  };

  const batchMatMul: KernelFunc = (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
    const ra = a.shape.length;
    const rb = b.shape.length;
    const outerA = a.shape.slice(0, -2);
    const outerB = b.shape.slice(0, -2);
    const batchA = tf.util.sizeFromShape(outerA);
    const batchB = tf.util.sizeFromShape(outerB);
    const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
    const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
    // The addon broadcasts only a whole batch of 1 ([2,1] against [1,3] needs the general path).
    const simpleBatch = tf.util.sizeFromShape(outer) === Math.max(batchA, batchB) && (batchA === batchB || batchA === 1 || batchB === 1);
    if (!allFloat32(a, b) || k !== kb || k === 0 || !simpleBatch) return fallback('BatchMatMul', args);
    const outShape = [...outer, m, n];
    return run('BatchMatMul', args, outShape, (view, c) =>
      addon.matMul(view(a), view(b), c, [batchA, batchB, m, k, n, transposeA ? 1 : 0, transposeB ? 1 : 0]));
  };

  /** The sampler's geometry when the addon can run it (float32, non-empty, image at least 2×2), else null. */
  const samplerCase = (image: TensorInfo | number[], grid: TensorInfo, ...others: TensorInfo[]): SamplerGeometry | null => {
    const shape = Array.isArray(image) ? image : image.shape;
    const tensors = Array.isArray(image) ? [grid, ...others] : [image, grid, ...others];
    if (!allFloat32(...tensors)) return null;
    const g = samplerGeometry(shape, grid.shape);
    const ok = g.batch > 0 && g.channels > 0 && g.height >= 2 && g.width >= 2 && g.outHeight > 0 && g.outWidth > 0;
    return ok ? g : null;
  };

  const bilinearSample: KernelFunc = (args) => {
    const { image, grid } = args.inputs as { image: TensorInfo; grid: TensorInfo };
    const g = samplerCase(image, grid);
    const native = addon.bilinearSample?.bind(addon);
    if (g === null || native === undefined) return fallback(BILINEAR_SAMPLE, args);
    return run(BILINEAR_SAMPLE, args, [g.batch, g.outHeight, g.outWidth, g.channels], (view, out) =>
      native(view(image), view(grid), out, samplerGeometryArray(g)));
  };

  const bilinearSampleGradGrid: KernelFunc = (args) => {
    const { dy, image, grid } = args.inputs as { dy: TensorInfo; image: TensorInfo; grid: TensorInfo };
    const g = samplerCase(image, grid, dy);
    const native = addon.bilinearSampleGradGrid?.bind(addon);
    if (g === null || native === undefined) return fallback(BILINEAR_SAMPLE_GRAD_GRID, args);
    return run(BILINEAR_SAMPLE_GRAD_GRID, args, [...grid.shape], (view, dGrid) =>
      native(view(dy), view(image), view(grid), dGrid, samplerGeometryArray(g)));
  };

  const bilinearSampleGradImage: KernelFunc = (args) => {
    const { dy, grid } = args.inputs as { dy: TensorInfo; grid: TensorInfo };
    const imageShape = (args.attrs as { imageShape: number[] }).imageShape;
    const g = samplerCase(imageShape, grid, dy);
    const native = addon.bilinearSampleGradImage?.bind(addon);
    if (g === null || native === undefined) return fallback(BILINEAR_SAMPLE_GRAD_IMAGE, args);
    return run(BILINEAR_SAMPLE_GRAD_IMAGE, args, [...imageShape], (view, dImage) =>
      native(view(dy), view(grid), dImage, samplerGeometryArray(g)));
  };

  /**
   * Allocates `shapes` as outputs and runs `compute` on heap views (taken after allocation), or falls back; for the
   * kernels with several outputs.
   */
  const runMulti = (
    name: NativeKernelName,
    args: KernelArgs,
    shapes: number[][],
    compute: (view: (t: TensorInfo) => Float32Array, outs: Float32Array[]) => void,
  ): TensorInfo[] => {
    const backend = args.backend as BackendWasm;
    const outs = shapes.map((shape) => backend.makeOutput(shape, 'float32'));
    const view = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
    try {
      compute(view, outs.map(view));
    } catch (e) {
      for (const out of outs) backend.disposeData(out.dataId);
      throw e;
    }
    counts.native[name] += 1;
    return outs;
  };

  const multiFallback = (name: NativeKernelName, args: KernelArgs): TensorInfo[] => {
    const config = previous.get(name);
    if (!config) throw new Error(`${name}: case not supported by the native kernel and no wasm kernel to fall back to`);
    counts.fallback[name] += 1;
    return config.kernelFunc(args) as TensorInfo[];
  };

  /** The batch norm's geometry when the addon can run it (float32 everywhere, channel vectors of the right size). */
  const batchNormCase = (x: TensorInfo, channelVectors: TensorInfo[], others: TensorInfo[]): [number, number] | null => {
    if (!allFloat32(x, ...channelVectors, ...others) || x.shape.length < 2) return null;
    const { rows, channels } = batchNormGeometry(x.shape);
    const ok = channelVectors.every((t) => t.shape.length === 1 && t.shape[0] === channels)
      && others.every((t) => tf.util.arraysEqual(t.shape, x.shape));
    return ok ? [rows, channels] : null;
  };

  const batchNormTrain: KernelFunc = (args) => {
    const { x, scale, offset } = args.inputs as { x: TensorInfo; scale: TensorInfo; offset: TensorInfo };
    const { epsilon, alpha } = args.attrs as unknown as BatchNormTrainAttrs;
    const native = addon.batchNormTrain?.bind(addon);
    const g = batchNormCase(x, [scale, offset], []);
    if (g === null || native === undefined || tf.util.sizeFromShape(x.shape) === 0) return multiFallback(BATCH_NORM_TRAIN, args);
    return runMulti(BATCH_NORM_TRAIN, args, [[...x.shape], [g[1]], [g[1]]], (view, [y, mean, variance]) =>
      native(view(x), view(scale), view(offset), y, mean, variance, g, epsilon, alpha));
  };

  const batchNormTrainGrad: KernelFunc = (args) => {
    const { dy, dMean, dVariance, x, y, scale, mean, variance } = args.inputs as Record<string, TensorInfo>;
    const { epsilon, alpha } = args.attrs as unknown as BatchNormTrainAttrs;
    const native = addon.batchNormTrainGrad?.bind(addon);
    const g = batchNormCase(x, [dMean, dVariance, scale, mean, variance], [dy, y]);
    if (g === null || native === undefined || tf.util.sizeFromShape(x.shape) === 0) return multiFallback(BATCH_NORM_TRAIN_GRAD, args);
    return runMulti(BATCH_NORM_TRAIN_GRAD, args, [[...x.shape], [g[1]], [g[1]]], (view, [dx, dScale, dOffset]) =>
      native(view(dy), view(dMean), view(dVariance), view(x), view(y), view(scale), view(mean), view(variance),
        dx, dScale, dOffset, g, epsilon, alpha));
  };

  /** The up-sampling's input geometry when the addon can run it (float32 NHWC, integer factors, no aligned corners). */
  const upsampleCase = (input: TensorInfo, output: number[], attrs: { alignCorners: boolean; halfPixelCenters: boolean }, ...others: TensorInfo[]): UpsampleGeometryArray | null => {
    if (!allFloat32(input, ...others) || input.shape.length !== 4 || attrs.alignCorners || attrs.halfPixelCenters) return null;
    const [batch, height, width, channels] = input.shape;
    const [outHeight, outWidth] = output;
    if (batch * height * width * channels === 0 || outHeight % height !== 0 || outWidth % width !== 0) return null;
    return [batch, height, width, channels, outHeight / height, outWidth / width];
  };

  const resizeNearestNeighbor: KernelFunc = (args) => {
    const { images } = args.inputs as { images: TensorInfo };
    const attrs = args.attrs as unknown as tf.ResizeNearestNeighborAttrs;
    const g = upsampleCase(images, attrs.size, attrs);
    const native = addon.upsampleNearest?.bind(addon);
    if (g === null || native === undefined) return fallback('ResizeNearestNeighbor', args);
    return run('ResizeNearestNeighbor', args, [g[0], attrs.size[0], attrs.size[1], g[3]], (view, y) => native(view(images), y, g));
  };

  const resizeNearestNeighborGrad: KernelFunc = (args) => {
    const { images, dy } = args.inputs as { images: TensorInfo; dy: TensorInfo };
    const attrs = args.attrs as unknown as tf.ResizeNearestNeighborGradAttrs;
    const g = dy.shape.length === 4 && dy.shape[0] === images.shape[0] && dy.shape[3] === images.shape[3]
      ? upsampleCase(images, dy.shape.slice(1, 3), attrs, dy) : null;
    const native = addon.upsampleNearestGrad?.bind(addon);
    if (g === null || native === undefined) return fallback('ResizeNearestNeighborGrad', args);
    return run('ResizeNearestNeighborGrad', args, [...images.shape], (view, dx) => native(view(dy), dx, g));
  };

  /** [batch, pixels per image] of the Bernoulli term when the addon can run it (float32, same [B, …] shapes). */
  const bernoulliCase = (target: TensorInfo, probabilities: TensorInfo, ...others: TensorInfo[]): [number, number] | null => {
    if (!allFloat32(target, probabilities, ...others) || target.shape.length < 1 || !tf.util.arraysEqual(target.shape, probabilities.shape)) return null;
    const size = tf.util.sizeFromShape(target.shape);
    return size === 0 ? null : [target.shape[0], size / target.shape[0]];
  };

  const bernoulliProbLogLik: KernelFunc = (args) => {
    const { target, probabilities } = args.inputs as { target: TensorInfo; probabilities: TensorInfo };
    const { clip } = args.attrs as unknown as BernoulliProbAttrs;
    clipBounds(clip);
    const g = bernoulliCase(target, probabilities);
    const native = addon.bernoulliProbLogLik?.bind(addon);
    if (g === null || native === undefined) return fallback(BERNOULLI_PROB_LOG_LIK, args);
    return run(BERNOULLI_PROB_LOG_LIK, args, [g[0]], (view, out) => native(view(target), view(probabilities), out, g, clip));
  };

  const bernoulliProbLogLikGrad: KernelFunc = (args) => {
    const { dy, target, probabilities } = args.inputs as { dy: TensorInfo; target: TensorInfo; probabilities: TensorInfo };
    const { clip } = args.attrs as unknown as BernoulliProbAttrs;
    clipBounds(clip);
    const g = bernoulliCase(target, probabilities, dy);
    const native = addon.bernoulliProbLogLikGrad?.bind(addon);
    if (g === null || native === undefined || dy.shape.length !== 1 || dy.shape[0] !== g[0]) return fallback(BERNOULLI_PROB_LOG_LIK_GRAD, args);
    return run(BERNOULLI_PROB_LOG_LIK_GRAD, args, [...probabilities.shape], (view, dp) =>
      native(view(dy), view(target), view(probabilities), dp, g, clip));
  };

  const funcs: Record<NativeKernelName, KernelFunc> = {
    Conv2D: conv2d,
    Conv2DBackpropInput: conv2dBackpropInput,
    Conv2DBackpropFilter: conv2dBackpropFilter,
    BatchMatMul: batchMatMul,
    [BILINEAR_SAMPLE]: bilinearSample,
    [BILINEAR_SAMPLE_GRAD_GRID]: bilinearSampleGradGrid,
    [BILINEAR_SAMPLE_GRAD_IMAGE]: bilinearSampleGradImage,
    [BATCH_NORM_TRAIN]: batchNormTrain,
    [BATCH_NORM_TRAIN_GRAD]: batchNormTrainGrad,
    ResizeNearestNeighbor: resizeNearestNeighbor,
    ResizeNearestNeighborGrad: resizeNearestNeighborGrad,
    [BERNOULLI_PROB_LOG_LIK]: bernoulliProbLogLik,
    [BERNOULLI_PROB_LOG_LIK_GRAD]: bernoulliProbLogLikGrad,
  };
  return availableNativeKernels(addon).map((kernelName) => ({
    kernelName,
    backendName: 'wasm',
    kernelFunc: funcs[kernelName],
    setupFunc: previous.get(kernelName)?.setupFunc,
  }));
}
