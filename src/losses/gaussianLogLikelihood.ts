/**
 * Gaussian pixel log-likelihood, per galaxy:
 *   Σ_pixels −½ [(x − μ)²/σ² + ln σ² + ln 2π],
 * with σ either fixed (a number) or learned (a tensor ln σ that broadcasts against the pixels, e.g. one scalar
 * variable or one value per pixel).
 */
import * as tf from '@tensorflow/tfjs';
import { perGalaxySum } from './perGalaxySum.js';
import { requireSameShape } from './requireSameShape.js';
import { OptionError } from '../util/errors.js';

/** A fixed standard deviation, or a learned ln σ tensor broadcastable to the pixel shape. */
export type GaussianScale = { sigma: number } | { logSigma: tf.Tensor };

const LOG_TWO_PI = Math.log(2 * Math.PI);

/**
 * @param target observed pixels [B, …]
 * @param mean decoder output, same shape
 * @returns log-likelihood [B]
 */
export function gaussianLogLikelihood(target: tf.Tensor, mean: tf.Tensor, scale: GaussianScale): tf.Tensor1D {
  requireSameShape('gaussianLogLikelihood', 'target', target, 'mean', mean);
  if ('sigma' in scale && !(Number.isFinite(scale.sigma) && scale.sigma > 0)) {
    throw new OptionError('sigma', 'a finite number > 0', scale.sigma);
  }
  return tf.tidy(() => {
    const logSigma = 'sigma' in scale ? tf.scalar(Math.log(scale.sigma)) : scale.logSigma;
    const standardised = tf.mul(tf.sub(target, mean), tf.exp(tf.neg(logSigma)));
    const perPixel = tf.mul(-0.5, tf.add(tf.square(standardised), tf.add(tf.mul(2, logSigma), LOG_TWO_PI)));
    return perGalaxySum(tf.add(perPixel, tf.zerosLike(target)));
  });
}
