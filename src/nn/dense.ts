/** Fully connected layer. */
import * as tf from '@tensorflow/tfjs';
import type { InitKind, ParamScope } from './params.js';

export interface DenseOptions {
  inFeatures: number;
  units: number;
  /** @default true */
  bias?: boolean;
  /** @default 'glorotUniform' */
  init?: InitKind;
}

export class Dense {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | null;

  constructor(scope: ParamScope, name: string, opts: DenseOptions) {
    const s = scope.scope(name);
    this.kernel = s.variable('kernel', [opts.inFeatures, opts.units], opts.init ?? 'glorotUniform');
    this.bias = opts.bias === false ? null : s.variable('bias', [opts.units], 'zeros');
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    const y = tf.matMul(x, this.kernel) as tf.Tensor2D;
    return this.bias ? (tf.add(y, this.bias) as tf.Tensor2D) : y;
  }
}
