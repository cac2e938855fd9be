/**
 * Batch normalisation over the last axis. Training mode normalises with the batch statistics and updates the running
 * averages (state variables, averaged across data-parallel workers by the trainer); eval mode uses the running ones.
 * An optional leaky ReLU after it (`leakyAlpha`) is part of the same op.
 *
 * Two implementations of training mode, the same function and gradient: galmorph's fused kernels
 * (`src/backend/batchNormTrain.ts`: one kernel forward, one backward, on wasm — JavaScript loops, or C++ in the oneDNN
 * addon when it is built) whenever the current backend has them,
 * else `batchNormTrainComposite` (`tf.moments` + `tf.batchNorm` [+ `tf.leakyRelu`], any backend).
 */
import * as tf from '@tensorflow/tfjs';
import { backendHasKernels } from '../backend/backendHasKernels.js';
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD, BATCH_NORM_TRAIN_KERNELS } from '../backend/batchNormTrain.js';
import { movingAverage } from './movingAverage.js';
import type { ParamScope } from './params.js';

export interface BatchNormOptions {
  channels: number;
  /** Running-average momentum. @default 0.9 */
  momentum?: number;
  /** @default 1e-5 */
  epsilon?: number;
}

/** Normalised (and activated) x with the batch statistics it used. */
export interface BatchNormTrainResult<T extends tf.Tensor> {
  y: T;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

export class BatchNorm {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  private readonly momentum: number;
  private readonly epsilon: number;

  constructor(scope: ParamScope, name: string, opts: BatchNormOptions) {
    const s = scope.scope(name);
    this.gamma = s.variable('gamma', [opts.channels], 'ones');
    this.beta = s.variable('beta', [opts.channels], 'zeros');
    this.runningMean = s.variable('runningMean', [opts.channels], 'zeros', { trainable: false });
    this.runningVar = s.variable('runningVar', [opts.channels], 'ones', { trainable: false });
    this.momentum = opts.momentum ?? 0.9;
    this.epsilon = opts.epsilon ?? 1e-5;
  }

  /** BatchNorm of x, then leakyRelu(·, leakyAlpha) unless `leakyAlpha` is null. */
  apply<T extends tf.Tensor>(x: T, training: boolean, leakyAlpha: number | null = null): T {
    if (!training) {
      return tf.tidy(() => {
        const y = tf.batchNorm(x, this.runningMean, this.runningVar, this.beta, this.gamma, this.epsilon);
        return (leakyAlpha === null ? y : tf.leakyRelu(y, leakyAlpha)) as T;
      });
    }
    const { y, mean, variance } = batchNormTrain(x, this.gamma, this.beta, this.epsilon, leakyAlpha);
    // Variable writes are not recorded on the gradient tape, so updating here is safe inside a training step.
    const m = this.momentum;
    tf.tidy(() => {
      this.runningMean.assign(movingAverage(this.runningMean, mean, m));
      this.runningVar.assign(movingAverage(this.runningVar, variance, m));
    });
    mean.dispose();
    variance.dispose();
    return y;
  }
}

/** Whether the current backend has galmorph's fused training-mode batch-norm kernels. */
export function hasBatchNormKernels(): boolean {
  return backendHasKernels(BATCH_NORM_TRAIN_KERNELS);
}

/**
 * Training-mode batch norm of x [..., C] with the batch statistics over every axis but the last, then
 * leakyRelu(·, leakyAlpha) unless it is null. Uses the fused kernels when the current backend has them.
 */
export function batchNormTrain<T extends tf.Tensor>(
  x: T, scale: tf.Tensor, offset: tf.Tensor, epsilon: number, leakyAlpha: number | null,
): BatchNormTrainResult<T> {
  if (leakyAlpha !== null && !(leakyAlpha >= 0)) throw new Error(`batchNormTrain: leakyAlpha must be ≥ 0 or null, got ${leakyAlpha}`);
  if (hasBatchNormKernels() && x.dtype === 'float32' && scale.dtype === 'float32' && offset.dtype === 'float32') {
    const [y, mean, variance] = tf.engine().runKernel(
      BATCH_NORM_TRAIN, { x, scale, offset }, { epsilon, alpha: leakyAlpha ?? -1 },
    ) as tf.Tensor[];
    return { y: y as T, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
  }
  return batchNormTrainComposite(x, scale, offset, epsilon, leakyAlpha);
}

/** The same built from stock tfjs ops (any backend); the reference the kernels are tested against. */
export function batchNormTrainComposite<T extends tf.Tensor>(
  x: T, scale: tf.Tensor, offset: tf.Tensor, epsilon: number, leakyAlpha: number | null,
): BatchNormTrainResult<T> {
  return tf.tidy(() => {
    const axes = x.shape.map((_, i) => i).slice(0, -1);
    const { mean, variance } = tf.moments(x, axes);
    const z = tf.batchNorm(x, mean, variance, offset, scale, epsilon);
    const y = (leakyAlpha === null ? z : tf.leakyRelu(z, leakyAlpha)) as T;
    return { y, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
  });
}

// The fused kernel's gradient: one backward kernel gives all three input gradients, so it runs once, eagerly (its
// outputs live until the end of the gradient computation, like the stock batch-norm gradient's intermediates).
if (tf.getGradient(BATCH_NORM_TRAIN) === undefined) {
  tf.registerGradient({
    kernelName: BATCH_NORM_TRAIN,
    inputsToSave: ['x', 'scale'],
    outputsToSave: [true, true, true],
    gradFunc: (dys: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const [dy, dMean, dVariance] = dys as tf.Tensor[];
      const [x, scale, y, mean, variance] = saved;
      const [dx, dScale, dOffset] = tf.engine().runKernel(
        BATCH_NORM_TRAIN_GRAD, { dy, dMean, dVariance, x, y, scale, mean, variance }, attrs,
      ) as tf.Tensor[];
      return { x: () => dx, scale: () => dScale, offset: () => dOffset };
    },
  });
}
