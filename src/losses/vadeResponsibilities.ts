/**
 * Cluster responsibilities γ for VaDE with s3VDC min-max scaling (§6):
 *   s_bk = −(ln N(μ̃_b | μ_k, σ²_k) + ln π_k),
 *   s′ = −λ (s − min s)/(max s − min s + 1e-12), min and max over the whole [B, K] tensor,
 *   γ = softmax_k(s′).
 * The scaling bounds the logits to [−λ, 0], so γ never underflows to exactly 0 for λ ≲ 80 and never saturates
 * because latent distances are large. Gradients flow through γ (as in VaDE's own implementation).
 */
import * as tf from '@tensorflow/tfjs';
import {
  type VadeClusterParameters,
  clusterVariances,
  expectedClusterLogDensity,
  validateClusterParameters,
} from './vadeClusterGaussians.js';
import { check, resolveOptions } from '../util/options.js';

export interface VadeResponsibilityOptions {
  /**
   * λ, the logit range after min-max scaling (s3VDC uses 20–50).
   * @default 20
   */
  scale: number;
  /**
   * Added to exp(ln σ²_k) so cluster variances stay positive.
   * @default 1e-6
   */
  varianceFloor: number;
}

const DEFAULTS: VadeResponsibilityOptions = { scale: 20, varianceFloor: 1e-6 };
const SPEC = { scale: check.number(Number.MIN_VALUE, 80), varianceFloor: check.number(0) };

/**
 * @param latentMean μ̃ [B, J]
 * @returns γ [B, K], rows summing to 1
 */
export function vadeResponsibilities(
  latentMean: tf.Tensor2D,
  clusters: VadeClusterParameters,
  options: Partial<VadeResponsibilityOptions> = {},
): tf.Tensor2D {
  const { scale, varianceFloor } = resolveOptions(DEFAULTS, SPEC, options);
  validateClusterParameters('vadeResponsibilities', latentMean, clusters);
  return tf.tidy(() => {
    const variances = clusterVariances(clusters.logVariances, varianceFloor);
    const logDensity = expectedClusterLogDensity(latentMean, null, clusters.means, variances);
    const s = tf.neg(tf.add(logDensity, tf.expandDims(tf.logSoftmax(clusters.weightLogits), 0)));
    const low = tf.min(s);
    const scaled = tf.mul(-scale, tf.div(tf.sub(s, low), tf.add(tf.sub(tf.max(s), low), 1e-12)));
    return tf.softmax(scaled) as tf.Tensor2D;
  });
}
