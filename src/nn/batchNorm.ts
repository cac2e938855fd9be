/**
 * Batch normalisation over the last axis. Training mode normalises with the batch statistics and updates the running
 * averages (state variables, averaged across data-parallel workers by the trainer); eval mode uses the running ones.
 */
import * as tf from '@tensorflow/tfjs';
import type { ParamScope } from './params.js';

export interface BatchNormOptions {
  channels: number;
  /** Running-average momentum. @default 0.9 */
  momentum?: number;
  /** @default 1e-5 */
  epsilon?: number;
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

  apply<T extends tf.Tensor>(x: T, training: boolean): T {
    if (!training) {
      return tf.batchNorm(x, this.runningMean, this.runningVar, this.beta, this.gamma, this.epsilon) as T;
    }
    const axes = x.shape.map((_, i) => i).slice(0, -1);
    const { mean, variance } = tf.moments(x, axes);
    // Variable writes are not recorded on the gradient tape, so updating here is safe inside a training step.
    const m = this.momentum;
    tf.tidy(() => {
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, m), tf.mul(mean, 1 - m)));
      this.runningVar.assign(tf.add(tf.mul(this.runningVar, m), tf.mul(variance, 1 - m)));
    });
    return tf.batchNorm(x, mean, variance, this.beta, this.gamma, this.epsilon) as T;
  }
}
