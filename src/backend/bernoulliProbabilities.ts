/**
 * The ET-VAE's reconstruction term — the Bernoulli log-likelihood of pixels x ∈ [0, 1] given the rendered pixel
 * probabilities p, clipped to [ε, 1 − ε] — as two TensorFlow.js kernels (the op is
 * `bernoulliLogLikelihoodFromProbabilities` in `src/losses/bernoulliProbabilityLogLikelihood.ts`): names and the
 * host loops the wasm kernels run over heap views.
 *
 * - `GalmorphBernoulliProbLogLik` {target [B, …], probabilities [B, …]}, attrs {clip} → [B]:
 *   Σ_pixels x·ln p′ + (1 − x)·ln(1 − p′), p′ = min(max(p, ε), 1 − ε) with the bounds rounded to float32
 *   (= x·z − softplus(z) with z = ln p′ − ln(1 − p′), what the stock-op composite computes).
 * - `GalmorphBernoulliProbLogLikGrad` {dy [B], target, probabilities}, attrs {clip} → d/dp:
 *   dy_b·(x/p′ − (1 − x)/(1 − p′)) where ε ≤ p ≤ 1 − ε, else 0 (tfjs's clipByValue gradient passes the bounds).
 *   The gradient w.r.t. the target (dy_b·z) is left to stock ops: the target is the data, a constant in training.
 *
 * Written as loops because the composite (clip, two logs, logit, product, softplus, sum) is about ten kernels forward
 * and twenty backward over the batch's every pixel. Per-pixel terms and sums are in double precision.
 */

export const BERNOULLI_PROB_LOG_LIK = 'GalmorphBernoulliProbLogLik';
export const BERNOULLI_PROB_LOG_LIK_GRAD = 'GalmorphBernoulliProbLogLikGrad';
export const BERNOULLI_PROB_LOG_LIK_KERNELS = [BERNOULLI_PROB_LOG_LIK, BERNOULLI_PROB_LOG_LIK_GRAD] as const;

export interface BernoulliProbAttrs {
  /** ε of the clip to [ε, 1 − ε], 0 < ε < 0.5. */
  clip: number;
}

/** The clip bounds as float32 values, as tfjs compares float32 tensors with them. */
export function clipBounds(clip: number): [number, number] {
  if (!(clip > 0 && clip < 0.5)) throw new Error(`Bernoulli log-likelihood: clip must be in (0, 0.5), got ${clip}`);
  return [Math.fround(clip), Math.fround(1 - clip)];
}

/** out[b] ← Σ over image b's `n` pixels of x·ln p′ + (1 − x)·ln(1 − p′). */
export function bernoulliProbLogLikForward(
  target: Float32Array, probabilities: Float32Array, attrs: BernoulliProbAttrs, out: Float32Array,
): void {
  const batch = out.length;
  const n = target.length / batch;
  const [lo, hi] = clipBounds(attrs.clip);
  for (let b = 0; b < batch; b++) {
    let s = 0;
    const end = (b + 1) * n;
    for (let i = b * n; i < end; i++) {
      const p = probabilities[i];
      const q = p < lo ? lo : p > hi ? hi : p;
      const x = target[i];
      // 1 − q is exact in double precision for a float32 q, so Math.log(1 − q) is as accurate as log1p(−q), and faster.
      s += x * Math.log(q) + (1 - x) * Math.log(1 - q);
    }
    out[b] = s;
  }
}

/** dProbabilities ← dy_b·(x/p′ − (1 − x)/(1 − p′)) inside the clip bounds, 0 outside. */
export function bernoulliProbLogLikBackward(
  dy: Float32Array, target: Float32Array, probabilities: Float32Array, attrs: BernoulliProbAttrs, dProbabilities: Float32Array,
): void {
  const batch = dy.length;
  const n = target.length / batch;
  const [lo, hi] = clipBounds(attrs.clip);
  for (let b = 0; b < batch; b++) {
    const d = dy[b];
    const end = (b + 1) * n;
    for (let i = b * n; i < end; i++) {
      const p = probabilities[i];
      const x = target[i];
      // NaN fails both comparisons and propagates, as through the composite's logs.
      dProbabilities[i] = p < lo || p > hi ? 0 : d * (x / p - (1 - x) / (1 - p));
    }
  }
}
