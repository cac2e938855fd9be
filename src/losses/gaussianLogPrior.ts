/**
 * Log-density of an isotropic Gaussian prior N(μ, s²) summed over every non-batch axis, per galaxy (ET-VAE:
 * translation ~ N(0, 1)):  Σ −½ [((x − μ)/s)² + ln 2π s²].
 */
import * as tf from '@tensorflow/tfjs';
import { perGalaxySum } from './perGalaxySum.js';
import { check, resolveOptions } from '../util/options.js';

export interface GaussianLogPriorOptions {
  /**
   * Prior mean μ.
   * @default 0
   */
  mean: number;
  /**
   * Prior standard deviation s > 0.
   * @default 1
   */
  std: number;
}

const DEFAULTS: GaussianLogPriorOptions = { mean: 0, std: 1 };
const SPEC = { mean: check.number(), std: check.number(Number.MIN_VALUE) };

/** @param values [B, …] @returns log prior [B] */
export function gaussianLogPrior(values: tf.Tensor, options: Partial<GaussianLogPriorOptions> = {}): tf.Tensor1D {
  const { mean, std } = resolveOptions(DEFAULTS, SPEC, options);
  const logNormaliser = Math.log(2 * Math.PI * std * std);
  return tf.tidy(() => perGalaxySum(tf.mul(-0.5, tf.add(tf.square(tf.div(tf.sub(values, mean), std)), logNormaliser))));
}
