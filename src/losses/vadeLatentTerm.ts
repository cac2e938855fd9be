/**
 * The latent part of VaDE's per-sample −ELBO (§6), given responsibilities γ:
 *   Σ_k γ_k · ½ Σ_j [ln 2π + ln σ²_kj + (σ̃²_j + (μ̃_j − μ_kj)²)/σ²_kj]   (−E_q[ln p(z | c)])
 *   − Σ_k γ_k ln π_k + Σ_k γ_k ln γ_k                                     (KL of the cluster posterior to π)
 *   − ½ Σ_j (1 + ln 2π + ln σ̃²_j)                                        (−entropy of q(z) = N(μ̃, σ̃²))
 * The reference drops ln 2π from the entropy term; it is kept here so the term is an exact KL divergence (with one
 * cluster at N(0, I) it equals KL(q ‖ N(0, I))). The difference is the constant ½ J ln 2π: gradients are identical.
 * Add the reconstruction term (−pixel log-likelihood) to obtain −ELBO. Unreduced: [B].
 */
import * as tf from '@tensorflow/tfjs';
import {
  type VadeClusterParameters,
  clusterVariances,
  expectedClusterLogDensity,
  validateClusterParameters,
} from './vadeClusterGaussians.js';
import { requireSameShape } from './requireSameShape.js';
import { check, resolveOptions } from '../util/options.js';
import { InputError } from '../util/errors.js';

export interface VadeLatentTermOptions {
  /**
   * Added to exp(ln σ²_k) so cluster variances stay positive (use the value given to `vadeResponsibilities`).
   * @default 1e-6
   */
  varianceFloor: number;
}

const DEFAULTS: VadeLatentTermOptions = { varianceFloor: 1e-6 };
const SPEC = { varianceFloor: check.number(0) };
const LOG_TWO_PI = Math.log(2 * Math.PI);
/** Floor inside ln γ so that a responsibility of exactly 0 contributes 0·ln(tiny) = 0, not NaN. */
const RESPONSIBILITY_FLOOR = 1e-30;

/**
 * @param latentMean μ̃ [B, J]
 * @param latentLogVariance ln σ̃² [B, J]
 * @param responsibilities γ [B, K] (from `vadeResponsibilities`)
 * @returns latent −ELBO term [B]
 */
export function vadeLatentTerm(
  latentMean: tf.Tensor2D,
  latentLogVariance: tf.Tensor2D,
  clusters: VadeClusterParameters,
  responsibilities: tf.Tensor2D,
  options: Partial<VadeLatentTermOptions> = {},
): tf.Tensor1D {
  const { varianceFloor } = resolveOptions(DEFAULTS, SPEC, options);
  requireSameShape('vadeLatentTerm', 'latentMean', latentMean, 'latentLogVariance', latentLogVariance);
  validateClusterParameters('vadeLatentTerm', latentMean, clusters);
  const expected = [latentMean.shape[0], clusters.means.shape[0]];
  if (responsibilities.shape.join() !== expected.join()) {
    throw new InputError(
      `vadeLatentTerm: responsibilities shape [${responsibilities.shape.join(', ')}], expected [${expected.join(', ')}] (galaxies × clusters)`,
    );
  }
  return tf.tidy(() => {
    const variances = clusterVariances(clusters.logVariances, varianceFloor);
    const crossEntropy = tf.neg(
      expectedClusterLogDensity(latentMean, tf.exp(latentLogVariance), clusters.means, variances),
    );
    const logWeights = tf.expandDims(tf.logSoftmax(clusters.weightLogits), 0);
    const perCluster = tf.add(
      tf.sub(crossEntropy, logWeights),
      tf.log(tf.maximum(responsibilities, RESPONSIBILITY_FLOOR)),
    );
    const mixture = tf.sum(tf.mul(responsibilities, perCluster), 1);
    const entropy = tf.mul(0.5, tf.sum(tf.add(latentLogVariance, 1 + LOG_TWO_PI), 1));
    return tf.sub(mixture, entropy) as tf.Tensor1D;
  });
}
