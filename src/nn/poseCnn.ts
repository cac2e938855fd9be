/**
 * The Equivariant Transformer's pose CNN: two k×k convolutions (no bias), each followed by BatchNorm and
 * LeakyReLU(0.1), with padding k//2 on every side — cyclic along a periodic axis (the wrapped rows/columns are
 * concatenated before a 'valid' convolution), zeros otherwise. Every layer is translation-equivariant (cyclically so
 * along a periodic axis whose length is a multiple of the total stride), which makes the pose readout equivariant.
 */
import * as tf from '@tensorflow/tfjs';
import { BatchNorm } from './batchNorm.js';
import { Conv2d } from './conv2d.js';
import { padAxis } from './axisPadding.js';
import type { ParamScope } from './params.js';
import { check, resolveOptions, type Spec } from '../util/options.js';
import { OptionError } from '../util/errors.js';

export interface PoseCnnOptions {
  inChannels: number;
  /** Filters of both convolutions. @default 32 */
  nf?: number;
  /** Kernel size k (odd). @default 5 */
  kernel?: number;
  /** Stride of the first and of the second convolution (both axes). @default [2, 2] */
  strides?: [number, number];
  /** Whether the rows axis (v) wraps around. @default false */
  periodicRows?: boolean;
  /** Whether the columns axis (u) wraps around. @default false */
  periodicCols?: boolean;
}

export type ResolvedPoseCnnOptions = Required<PoseCnnOptions>;

export const POSE_CNN_DEFAULTS: Omit<ResolvedPoseCnnOptions, 'inChannels'> = {
  nf: 32,
  kernel: 5,
  strides: [2, 2],
  periodicRows: false,
  periodicCols: false,
};

export const checkStrides: (value: [number, number], name: string) => void = (value, name) => {
  if (!Array.isArray(value) || value.length !== 2 || value.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new OptionError(name, 'two integer strides ≥ 1, e.g. [2, 2]', value);
  }
};

export const checkOddKernel: (value: number, name: string) => void = (value, name) => {
  check.integer(1, 99)(value, name);
  if (value % 2 !== 1) throw new OptionError(name, 'an odd kernel size (so padding k//2 keeps positions centred)', value);
};

const SPEC: Spec<ResolvedPoseCnnOptions> = {
  inChannels: check.integer(1),
  nf: check.integer(1),
  kernel: checkOddKernel,
  strides: checkStrides,
  periodicRows: check.boolean(),
  periodicCols: check.boolean(),
};

export class PoseCnn {
  readonly options: ResolvedPoseCnnOptions;
  private readonly convs: [Conv2d, Conv2d];
  private readonly norms: [BatchNorm, BatchNorm];

  constructor(scope: ParamScope, name: string, options: PoseCnnOptions) {
    this.options = resolveOptions<ResolvedPoseCnnOptions>({ ...POSE_CNN_DEFAULTS, inChannels: 1 }, SPEC, options);
    const { inChannels, nf, kernel, strides } = this.options;
    const s = scope.scope(name);
    this.convs = [
      new Conv2d(s, 'conv1', { inChannels, filters: nf, kernel, stride: strides[0], padding: 'valid', bias: false }),
      new Conv2d(s, 'conv2', { inChannels: nf, filters: nf, kernel, stride: strides[1], padding: 'valid', bias: false }),
    ];
    this.norms = [new BatchNorm(s, 'bn1', { channels: nf }), new BatchNorm(s, 'bn2', { channels: nf })];
  }

  /** Product of the two strides: one output position spans this many input positions along each axis. */
  get totalStride(): number {
    return this.options.strides[0] * this.options.strides[1];
  }

  /** [B, rows, cols, inChannels] → [B, ⌈⌈rows/s₁⌉/s₂⌉, ⌈⌈cols/s₁⌉/s₂⌉, nf]. */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const { kernel, periodicRows, periodicCols } = this.options;
    const half = Math.floor(kernel / 2);
    return tf.tidy(() => {
      let h = x;
      for (let i = 0; i < 2; i++) {
        h = padAxis(h, 1, half, half, periodicRows ? 'cyclic' : 'zeros');
        h = padAxis(h, 2, half, half, periodicCols ? 'cyclic' : 'zeros');
        h = this.norms[i].apply(this.convs[i].apply(h), training, 0.1);
      }
      return h;
    });
  }
}
