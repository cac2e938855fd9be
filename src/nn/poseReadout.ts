/**
 * Equivariant soft-argmax readout of one pose parameter from pose-CNN features, along one axis of the canonical grid.
 *
 * 1. Max over the other axis: [B, rows, cols, nf] → [B, n, nf] (n positions along the read axis).
 * 2. 1-D convolution nf → 1, kernel k, no bias, padded k//2 (cyclic on a periodic axis, zeros otherwise).
 * 3. Softmax over the n positions: heatmap h.
 * 4. Positions in normalised units (the grid axis spans [−1, 1]): r_j = j·Δ − (n − 1)Δ/2, with Δ the normalised
 *    distance between adjacent feature positions (grid step × total CNN stride ÷ the axis' half range).
 *    - non-periodic: θ = Σ_j h_j r_j + tanh(b)
 *    - periodic (the n positions cover the whole period, n·Δ = 2): φ_j = π r_j, so the axis spans 2π;
 *      θ = atan2(Σ_j h_j sin φ_j, Σ_j h_j cos φ_j)/π + tanh(b)
 *    b is a learned scalar offset (initially 0). Multiplying θ by the grid axis' half range gives the parameter in
 *    the axis' own units (radians for an angle, log scale, normalised image units for a translation).
 * Shifting the features by m positions along the axis shifts the heatmap by m and θ by exactly m·Δ: always on a
 * periodic axis (modulo 2); on a non-periodic axis when the heatmap has no mass on the positions that leave or enter
 * the window (the ends), otherwise the softmax renormalises over a window that cut off part of the content.
 */
import * as tf from '@tensorflow/tfjs';
import { backendHasKernels } from '../backend/backendHasKernels.js';
import { padAxis } from './axisPadding.js';
import { maxAlongAxis } from './maxAlongAxis.js';
import { SOFT_ARGMAX, SOFT_ARGMAX_GRAD, SOFT_ARGMAX_KERNELS } from '../backend/softArgmax.js';
import type { ParamScope } from './params.js';
import { check, resolveOptions, type Spec } from '../util/options.js';
import { checkOddKernel } from './poseCnn.js';

export const READOUT_AXES = ['rows', 'cols'] as const;
export type ReadoutAxis = (typeof READOUT_AXES)[number];

export interface PoseReadoutOptions {
  /** Feature channels of the pose CNN. */
  nf: number;
  /** Which axis the parameter is read along ('rows' = v, 'cols' = u). */
  axis: ReadoutAxis;
  /** Whether that axis wraps around. */
  periodic: boolean;
  /** Kernel of the 1-D convolution (odd). @default 5 */
  kernel?: number;
}

export type PoseReading = {
  /** θ in normalised units, [B]. */
  value: tf.Tensor1D;
  /** Softmax heatmap over positions, [B, n]. */
  heatmap: tf.Tensor2D;
};

const SPEC: Spec<Required<PoseReadoutOptions>> = {
  nf: check.integer(1),
  axis: check.oneOf(READOUT_AXES),
  periodic: check.boolean(),
  kernel: checkOddKernel,
};

export class PoseReadout {
  readonly options: Required<PoseReadoutOptions>;
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;

  constructor(scope: ParamScope, name: string, options: PoseReadoutOptions) {
    this.options = resolveOptions<Required<PoseReadoutOptions>>(
      { nf: 1, axis: 'rows', periodic: false, kernel: 5 },
      SPEC,
      options,
    );
    const s = scope.scope(name);
    this.kernel = s.variable('kernel', [this.options.kernel, this.options.nf, 1], 'glorotUniform');
    this.bias = s.variable('bias', [], 'zeros');
  }

  /**
   * features [B, rows, cols, nf]; `step` = Δ, the normalised distance between adjacent feature positions along the
   * axis (it depends on the grid size, so it is given per call).
   */
  apply(features: tf.Tensor4D, step: number): PoseReading {
    const { axis, periodic, kernel, nf } = this.options;
    if (!(step > 0 && Number.isFinite(step))) throw new Error(`PoseReadout: step must be a positive number, got ${step}`);
    if (features.shape[3] !== nf) {
      throw new Error(`PoseReadout: expected ${nf} feature channels, got [${features.shape}]`);
    }
    const n = features.shape[axis === 'rows' ? 1 : 2];
    if (periodic && Math.abs(n * step - 2) > 1e-6) {
      throw new Error(
        `PoseReadout: a periodic axis must cover its whole period (n·step = 2), got ${n} positions × step ${step}`,
      );
    }
    return tf.tidy(() => {
      // Max over the other axis (a reduction, not MaxPool: wasm MaxPoolGrad is wrong for non-positive windows).
      const profile = maxAlongAxis<tf.Rank.R3>(features, axis === 'rows' ? 2 : 1);
      const half = Math.floor(kernel / 2);
      const padded = padAxis(profile, 1, half, half, periodic ? 'cyclic' : 'zeros');
      const logits = tf.reshape(tf.conv1d(padded, this.kernel as tf.Tensor3D, 1, 'valid'), [-1, n]) as tf.Tensor2D;
      return softArgmax(logits, this.bias, step, periodic);
    });
  }
}

/**
 * Steps 3–4 of the readout: heatmap = softmax(logits [B, n]) and θ (value [B]) from it and the offset bias.
 * galmorph's kernels (`src/backend/softArgmax.ts`, loops on wasm) when the current backend has them, else
 * `softArgmaxComposite`; the same function and gradient.
 */
export function softArgmax(logits: tf.Tensor2D, bias: tf.Tensor, step: number, periodic: boolean): PoseReading {
  if (logits.dtype === 'float32' && bias.dtype === 'float32' && backendHasKernels(SOFT_ARGMAX_KERNELS)) {
    const [value, heatmap] = tf.engine().runKernel(SOFT_ARGMAX, { logits, bias }, { step, periodic }) as tf.Tensor[];
    return { value: value as tf.Tensor1D, heatmap: heatmap as tf.Tensor2D };
  }
  return softArgmaxComposite(logits, bias, step, periodic);
}

/** `softArgmax` built from stock tfjs ops (any backend); the reference the kernels are tested against. */
export function softArgmaxComposite(logits: tf.Tensor2D, bias: tf.Tensor, step: number, periodic: boolean): PoseReading {
  return tf.tidy(() => {
    const n = logits.shape[1];
    const heatmap = tf.softmax(logits);
    const positions = Array.from({ length: n }, (_, j) => j * step - ((n - 1) * step) / 2);
    const offset = tf.tanh(bias);
    let centre: tf.Tensor1D;
    if (periodic) {
      const sin = tf.tensor2d(positions.map((r) => Math.sin(Math.PI * r)), [n, 1]);
      const cos = tf.tensor2d(positions.map((r) => Math.cos(Math.PI * r)), [n, 1]);
      const ys = tf.reshape(tf.matMul(heatmap, sin), [-1]);
      const xs = tf.reshape(tf.matMul(heatmap, cos), [-1]);
      centre = tf.div(tf.atan2(ys, xs), Math.PI);
    } else {
      centre = tf.reshape(tf.matMul(heatmap, tf.tensor2d(positions, [n, 1])), [-1]);
    }
    return { value: tf.add(centre, offset) as tf.Tensor1D, heatmap };
  });
}

// The soft-argmax kernel's gradient: one backward kernel gives both input gradients (run eagerly, once).
if (tf.getGradient(SOFT_ARGMAX) === undefined) {
  tf.registerGradient({
    kernelName: SOFT_ARGMAX,
    inputsToSave: ['bias'],
    outputsToSave: [false, true],
    gradFunc: (dys: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const [dValue, dHeatmap] = dys as tf.Tensor[];
      const [bias, heatmap] = saved;
      const [dLogits, dBias] = tf.engine().runKernel(SOFT_ARGMAX_GRAD, { dValue, dHeatmap, heatmap, bias }, attrs) as tf.Tensor[];
      return { logits: () => dLogits, bias: () => dBias };
    },
  });
}
