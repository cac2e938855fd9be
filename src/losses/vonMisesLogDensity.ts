/**
 * von Mises log-density for angle priors (ET-VAE: rotation angle ~ von Mises(0, 0.01), near uniform):
 *   ln p(θ) = κ cos(θ − μ) − ln(2π I₀(κ)).
 * κ and μ are plain numbers (fixed prior parameters), so ln I₀(κ) is computed once in float64.
 */
import * as tf from '@tensorflow/tfjs';
import { check, resolveOptions } from '../util/options.js';

export interface VonMisesOptions {
  /**
   * Mean direction μ in radians.
   * @default 0
   */
  mean: number;
  /**
   * Concentration κ ≥ 0 (0 is the uniform distribution on the circle).
   * @default 0.01
   */
  concentration: number;
}

const DEFAULTS: VonMisesOptions = { mean: 0, concentration: 0.01 };
const SPEC = { mean: check.number(), concentration: check.number(0) };

/** Elementwise ln p(θ) for angles in radians (any shape; angles need not be wrapped). */
export function vonMisesLogDensity(angle: tf.Tensor, options: Partial<VonMisesOptions> = {}): tf.Tensor {
  const { mean, concentration } = resolveOptions(DEFAULTS, SPEC, options);
  const logNormaliser = Math.log(2 * Math.PI) + logBesselI0(concentration);
  return tf.tidy(() => tf.sub(tf.mul(concentration, tf.cos(tf.sub(angle, mean))), logNormaliser));
}

/**
 * ln I₀(κ) in float64: the power series Σ (κ²/4)ᵏ/(k!)² below κ = 100 (all terms positive, so no cancellation), and
 * above it the asymptotic expansion κ − ½ ln 2πκ + ln Σ_{k≤4} ((2k−1)!!)²/(k! (8κ)ᵏ) (next term < 3e-11 relative).
 */
export function logBesselI0(kappa: number): number {
  if (kappa < 100) {
    const quarterSquare = (kappa * kappa) / 4;
    let term = 1;
    let sum = 1;
    for (let k = 1; term > 1e-17 * sum; k++) {
      term *= quarterSquare / (k * k);
      sum += term;
    }
    return Math.log(sum);
  }
  const u = 1 / (8 * kappa);
  return kappa - 0.5 * Math.log(2 * Math.PI * kappa) + Math.log(1 + u * (1 + u * (4.5 + u * (37.5 + u * 459.375))));
}
