/**
 * Training-mode batch normalisation over the last axis, optionally followed by a leaky ReLU, as two TensorFlow.js
 * kernels (the op is `BatchNorm.apply` in `src/nn/batchNorm.ts`): names and the host loops the wasm kernels run over
 * heap views.
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

/** mean, variance ← per-channel batch statistics of x; y ← normalised (and activated) x. */
export function batchNormTrainForward(
  x: Float32Array, scale: Float32Array, offset: Float32Array, attrs: BatchNormTrainAttrs,
  y: Float32Array, mean: Float32Array, variance: Float32Array,
): void {
  const C = scale.length;
  const rows = x.length / C;
  const sum = new Float64Array(C);
  for (let r = 0, i = 0; r < rows; r++) for (let c = 0; c < C; c++, i++) sum[c] += x[i];
  const mu = new Float64Array(C);
  for (let c = 0; c < C; c++) mu[c] = sum[c] / rows;
  const sq = new Float64Array(C);
  for (let r = 0, i = 0; r < rows; r++) {
    for (let c = 0; c < C; c++, i++) {
      const d = x[i] - mu[c];
      sq[c] += d * d;
    }
  }
  const gain = new Float64Array(C);
  const shift = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const v = sq[c] / rows;
    mean[c] = mu[c];
    variance[c] = v;
    gain[c] = scale[c] / Math.sqrt(Math.fround(v) + attrs.epsilon);
    shift[c] = offset[c] - Math.fround(mu[c]) * gain[c];
  }
  const { alpha } = attrs;
  for (let r = 0, i = 0; r < rows; r++) {
    for (let c = 0; c < C; c++, i++) {
      const z = x[i] * gain[c] + shift[c];
      y[i] = alpha >= 0 && !(z > 0) ? alpha * z : z;
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
  const rows = x.length / C;
  const { alpha, epsilon } = attrs;
  const inv = new Float64Array(C);
  for (let c = 0; c < C; c++) inv[c] = 1 / Math.sqrt(variance[c] + epsilon);
  const sumG = new Float64Array(C);
  const sumGx = new Float64Array(C);
  for (let r = 0, i = 0; r < rows; r++) {
    for (let c = 0; c < C; c++, i++) {
      const g = alpha >= 0 && !(y[i] > 0) ? alpha * dy[i] : dy[i];
      sumG[c] += g;
      sumGx[c] += g * (x[i] - mean[c]);
    }
  }
  // dx = a·g + b·(x − mean) + k per channel.
  const a = new Float64Array(C);
  const b = new Float64Array(C);
  const k = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const dScaleC = sumGx[c] * inv[c];
    dScale[c] = dScaleC;
    dOffset[c] = sumG[c];
    a[c] = scale[c] * inv[c];
    b[c] = -a[c] * inv[c] * dScaleC / rows + (2 * dVariance[c]) / rows;
    k[c] = -a[c] * sumG[c] / rows + dMean[c] / rows;
  }
  for (let r = 0, i = 0; r < rows; r++) {
    for (let c = 0; c < C; c++, i++) {
      const g = alpha >= 0 && !(y[i] > 0) ? alpha * dy[i] : dy[i];
      dx[i] = a[c] * g + b[c] * (x[i] - mean[c]) + k[c];
    }
  }
}
