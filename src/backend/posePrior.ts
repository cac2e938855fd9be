/**
 * The ET-VAE's pose log prior — a sum over pose parameters of Gaussian (mean 0) and von Mises (mean 0) log
 * densities, per galaxy — as two TensorFlow.js kernels (the op is `poseLogPrior` in
 * `src/train/regimes/etVaeObjective.ts`): names and the host loops the wasm kernels run over heap views.
 *
 * - `GalmorphPoseLogPrior` {values [B, k]}, attrs {kinds, scales, logNormalisers} → [B]: Σ_j term_j(values[b, j]) with
 *   term = −½(v/s)² − ½·ln(2πs²) for kind 0 (Gaussian, s = scales[j]) and κ·cos v − (ln 2π + ln I₀(κ)) for kind 1
 *   (von Mises, κ = scales[j]); `logNormalisers[j]` is the constant subtracted (ln I₀ is computed by the caller).
 * - `GalmorphPoseLogPriorGrad` {dy [B], values [B, k]}, same attrs → d/dvalues: dy_b·(−v/s²) or dy_b·(−κ·sin v).
 *
 * Written as loops because the composite (per layer: stack, subtract, divide, square, add, multiply, sum; cos,
 * multiply, subtract; then addN; with their gradients) runs about sixty tiny kernels per step.
 */

export const POSE_LOG_PRIOR = 'GalmorphPoseLogPrior';
export const POSE_LOG_PRIOR_GRAD = 'GalmorphPoseLogPriorGrad';
export const POSE_LOG_PRIOR_KERNELS = [POSE_LOG_PRIOR, POSE_LOG_PRIOR_GRAD] as const;

export const POSE_PRIOR_GAUSSIAN = 0;
export const POSE_PRIOR_VON_MISES = 1;

export interface PoseLogPriorAttrs {
  /** Per column: 0 Gaussian, 1 von Mises. */
  kinds: number[];
  /** Per column: the Gaussian's standard deviation, or the von Mises concentration κ. */
  scales: number[];
  /** Per column: the log normaliser subtracted (½·ln(2πs²), or ln 2π + ln I₀(κ)). */
  logNormalisers: number[];
}

/** out[b] ← Σ_j term_j(values[b, j]). */
export function poseLogPriorForward(values: Float32Array, attrs: PoseLogPriorAttrs, out: Float32Array): void {
  const { kinds, scales, logNormalisers } = attrs;
  const k = kinds.length;
  for (let b = 0; b < out.length; b++) {
    let s = 0;
    for (let j = 0; j < k; j++) {
      const v = values[b * k + j];
      s += (kinds[j] === POSE_PRIOR_GAUSSIAN ? -0.5 * (v / scales[j]) ** 2 : scales[j] * Math.cos(v)) - logNormalisers[j];
    }
    out[b] = s;
  }
}

/** dValues[b, j] ← dy_b·∂term_j/∂v. */
export function poseLogPriorBackward(dy: Float32Array, values: Float32Array, attrs: PoseLogPriorAttrs, dValues: Float32Array): void {
  const { kinds, scales } = attrs;
  const k = kinds.length;
  for (let b = 0; b < dy.length; b++) {
    for (let j = 0; j < k; j++) {
      const v = values[b * k + j];
      const s = scales[j];
      dValues[b * k + j] = dy[b] * (kinds[j] === POSE_PRIOR_GAUSSIAN ? -v / (s * s) : -s * Math.sin(v));
    }
  }
}
