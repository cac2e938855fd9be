/**
 * Laplace pixel log-likelihood with a fixed scale b, per galaxy:
 *   Σ_pixels −[|x − μ|/b + ln 2b].
 * Later ET-VAE work used b = 0.5.
 */
import * as tf from '@tensorflow/tfjs';
import { perGalaxySum } from './perGalaxySum.js';
import { requireSameShape } from './requireSameShape.js';
import { OptionError } from '../util/errors.js';

/**
 * @param target observed pixels [B, …]
 * @param location decoder output, same shape
 * @param scale b > 0
 * @returns log-likelihood [B]
 */
export function laplaceLogLikelihood(target: tf.Tensor, location: tf.Tensor, scale: number): tf.Tensor1D {
  requireSameShape('laplaceLogLikelihood', 'target', target, 'location', location);
  if (!(Number.isFinite(scale) && scale > 0)) throw new OptionError('scale', 'a finite number > 0', scale);
  return tf.tidy(() =>
    perGalaxySum(tf.neg(tf.add(tf.div(tf.abs(tf.sub(target, location)), scale), Math.log(2 * scale)))),
  );
}
