/**
 * KL(q ‖ N(0, I)) for a diagonal Gaussian posterior q = N(μ, diag σ²), per galaxy:
 *   ½ Σ_j (μ_j² + σ_j² − 1 − ln σ_j²).
 * The encoder's scale is passed as ln σ² (any real number), which keeps σ² positive without a floor and avoids the
 * reference's exp(exp(a)) + 1e-3 scale that can never fall below 1.
 */
import * as tf from '@tensorflow/tfjs';
import { requireSameShape } from './requireSameShape.js';

/**
 * @param mean μ [B, J]
 * @param logVariance ln σ² [B, J]
 * @returns KL [B]
 */
export function gaussianKlToStandardNormal(mean: tf.Tensor2D, logVariance: tf.Tensor2D): tf.Tensor1D {
  requireSameShape('gaussianKlToStandardNormal', 'mean', mean, 'logVariance', logVariance);
  return tf.tidy(() =>
    tf.mul(0.5, tf.sum(tf.sub(tf.add(tf.square(mean), tf.exp(logVariance)), tf.add(1, logVariance)), 1)),
  ) as tf.Tensor1D;
}
