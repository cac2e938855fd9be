/**
 * Bernoulli pixel log-likelihood from decoder logits z, per galaxy (pixels in [0, 1] act as soft targets):
 *   Σ_pixels [x z − softplus(z)]  (= x ln σ(z) + (1 − x) ln(1 − σ(z)), without forming σ(z) — stable for any z).
 */
import * as tf from '@tensorflow/tfjs';
import { perGalaxySum } from './perGalaxySum.js';
import { requireSameShape } from './requireSameShape.js';

/**
 * @param target observed pixels [B, …] in [0, 1]
 * @param logits decoder logits, same shape
 * @returns log-likelihood [B]
 */
export function bernoulliLogLikelihood(target: tf.Tensor, logits: tf.Tensor): tf.Tensor1D {
  requireSameShape('bernoulliLogLikelihood', 'target', target, 'logits', logits);
  return tf.tidy(() => perGalaxySum(tf.sub(tf.mul(target, logits), tf.softplus(logits))));
}
