/** 2-D convolution layer (NHWC input, HWIO kernel) with optional bias. */
import * as tf from '@tensorflow/tfjs';
import type { InitKind, ParamScope } from './params.js';

export interface Conv2dOptions {
  inChannels: number;
  filters: number;
  /** Kernel size (square). @default 3 */
  kernel?: number;
  /** @default 1 */
  stride?: number;
  /** @default 'same' */
  padding?: 'same' | 'valid';
  /** @default true */
  bias?: boolean;
  /** @default 'heNormal' */
  init?: InitKind;
}

export class Conv2d {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | null;
  private readonly stride: number;
  private readonly padding: 'same' | 'valid';

  constructor(scope: ParamScope, name: string, opts: Conv2dOptions) {
    const k = opts.kernel ?? 3;
    const s = scope.scope(name);
    this.kernel = s.variable('kernel', [k, k, opts.inChannels, opts.filters], opts.init ?? 'heNormal');
    this.bias = opts.bias === false ? null : s.variable('bias', [opts.filters], 'zeros');
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? 'same';
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    const y = tf.conv2d(x, this.kernel as tf.Tensor4D, this.stride, this.padding);
    return this.bias ? (tf.add(y, this.bias) as tf.Tensor4D) : y;
  }
}
