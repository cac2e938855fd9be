/**
 * Training-mode batch normalisation over the last axis, optionally followed by a leaky ReLU, as two TensorFlow.js
 * kernels (the op is `BatchNorm.apply` in `src/nn/batchNorm.ts`): names and the host loops the wasm kernels run over
 * heap views (`native/src/batchnorm.cc` has the same loops in C++, registered instead when the oneDNN addon is built).
 *
 * - `GalmorphBatchNormTrain` {x [..., C], scale [C], offset [C]}, attrs {epsilon, alpha} →
 *   [y, mean [C], variance [C]]: the batch mean and (biased) variance of every channel over all other axes,
 *   z = (x − mean)/√(variance + ε)·scale + offset, and y = z, or leakyRelu(z, alpha) when alpha ≥ 0 (alpha < 0: none).
 * - `GalmorphBatchNormTrainGrad` {dy, dMean, dVariance, x, y, scale, mean, variance}, attrs {epsilon, alpha} →
 *   [dx, dScale, dOffset], the gradient of the same function — through the batch statistics, as the composite of
 *   `tf.moments` and `tf.batchNorm` differentiates it — in closed form: with g = dy·(1 or alpha where z ≤ 0),
 *   x̂ = (x − mean)/σ and N the elements per channel, dOffset = Σg, dScale = Σg·x̂,
 *   dx = scale/σ·(g − dOffset/N − x̂·dScale/N) + dMean/N + dVariance·2(x − mean)/N.
 *
 * Written as loops because the composite (moments, then tfjs's FusedBatchNorm gradient, which tiles 1/σ over the
 * whole activation, then the gradients of the two means) runs about thirty kernels per call, a generic broadcast Tile
 * among them that cost more than the convolution beside it. Sums are accumulated in double precision.
 * The leaky ReLU's derivative is read from y: for alpha ≥ 0, y > 0 exactly where z > 0 (tfjs's leakyRelu gradient
 * takes the alpha branch at z = 0, and so does this one).
 */

export const BATCH_NORM_TRAIN = 'GalmorphBatchNormTrain';
export const BATCH_NORM_TRAIN_GRAD = 'GalmorphBatchNormTrainGrad';
export const BATCH_NORM_TRAIN_KERNELS = [BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD] as const;

/** Attributes of both kernels. alpha < 0 means no activation. */
export interface BatchNormTrainAttrs {
  epsilon: number;
  alpha: number;
}

/** Elements per channel (rows) and channels of an activation of `shape` normalised over its last axis. */
export function batchNormGeometry(shape: readonly number[]): { rows: number; channels: number } {
  if (shape.length < 2) throw new Error(`batch norm: the input needs a batch and a channel axis, got [${shape}]`);
  const channels = shape[shape.length - 1];
  const rows = shape.slice(0, -1).reduce((p, d) => p * d, 1);
  if (rows < 1 || channels < 1) throw new Error(`batch norm: empty input [${shape}]`);
  return { rows, channels };
}

// The loops run channel by channel (a stride of C through the activation) with the channel's constants and sums in
// locals: measured 30–40% faster in V8 than an inner loop over channels updating per-channel arrays.

/** mean, variance ← per-channel batch statistics of x; y ← normalised (and activated) x. */
export function batchNormTrainForward(
  x: Float32Array, scale: Float32Array, offset: Float32Array, attrs: BatchNormTrainAttrs,
  y: Float32Array, mean: Float32Array, variance: Float32Array,
): void {
  const C = scale.length;
  const n = x.length;
  const rows = n / C;
  const { alpha, epsilon } = attrs;
  for (let c = 0; c < C; c++) {
    // One pass: sums of x − k and its square, shifted by the channel's first value k (exact enough in double
    // precision for float32 data whatever the mean).
    const k = x[c];
    let s = 0;
    let ss = 0;
    for (let i = c; i < n; i += C) {
      const d = x[i] - k;
      s += d;
      ss += d * d;
    }
    const mu = k + s / rows;
    const v = Math.max(0, ss / rows - (s / rows) ** 2);
    mean[c] = mu;
    variance[c] = v;
    const gain = scale[c] / Math.sqrt(Math.fround(v) + epsilon);
    const shift = offset[c] - Math.fround(mu) * gain;
    if (alpha < 0) {
      for (let i = c; i < n; i += C) y[i] = x[i] * gain + shift;
    } else {
      for (let i = c; i < n; i += C) {
        const z = x[i] * gain + shift;
        y[i] = z > 0 ? z : alpha * z;
      }
    }
  }
}

/** dx, dScale, dOffset ← the gradient of Σ dy·y + Σ dMean·mean + Σ dVariance·variance (see the file comment). */
export function batchNormTrainBackward(
  dy: Float32Array, dMean: Float32Array, dVariance: Float32Array, x: Float32Array, y: Float32Array,
  scale: Float32Array, mean: Float32Array, variance: Float32Array, attrs: BatchNormTrainAttrs,
  dx: Float32Array, dScale: Float32Array, dOffset: Float32Array,
): void {
  const C = scale.length;
  const n = x.length;
  const rows = n / C;
  const { alpha, epsilon } = attrs;
  const leaky = alpha >= 0;
  for (let c = 0; c < C; c++) {
    const inv = 1 / Math.sqrt(variance[c] + epsilon);
    const mu = mean[c];
    let sumG = 0;
    let sumGx = 0;
    for (let i = c; i < n; i += C) {
      const g = leaky && !(y[i] > 0) ? alpha * dy[i] : dy[i];
      sumG += g;
      sumGx += g * (x[i] - mu);
    }
    const dScaleC = sumGx * inv;
    dScale[c] = dScaleC;
    dOffset[c] = sumG;
    // dx = a·g + b·(x − mean) + k.
    const a = scale[c] * inv;
    const b = (-a * inv * dScaleC) / rows + (2 * dVariance[c]) / rows;
    const k = (-a * sumG) / rows + dMean[c] / rows;
    for (let i = c; i < n; i += C) {
      const g = leaky && !(y[i] > 0) ? alpha * dy[i] : dy[i];
      dx[i] = a * g + b * (x[i] - mu) + k;
    }
  }
}
