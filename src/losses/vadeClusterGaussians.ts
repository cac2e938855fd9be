/**
 * The guarded parameterisation of VaDE's mixture prior p(z) = Σ_k π_k N(z; μ_k, diag σ²_k), shared by the
 * responsibilities and the latent ELBO term (AstroVaDEr and s3VDC lack these guards and drift or produce NaNs):
 * π comes from softmax logits (so ln π = logSoftmax, always finite), σ² = floor + exp(ln σ²) (positive, floored,
 * smooth), and the Gaussian log-density broadcasts galaxies [B, J] against clusters [K, J] to [B, K].
 */
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../util/errors.js';

export interface VadeClusterParameters {
  /** Unnormalised mixture weights [K]; π = softmax(logits). */
  weightLogits: tf.Tensor1D;
  /** Cluster means μ_k [K, J]. */
  means: tf.Tensor2D;
  /** Unconstrained ln σ²_k [K, J]; the variance used is varianceFloor + exp(·). */
  logVariances: tf.Tensor2D;
}

const LOG_TWO_PI = Math.log(2 * Math.PI);

export function validateClusterParameters(caller: string, latent: tf.Tensor2D, clusters: VadeClusterParameters): void {
  const [k, j] = clusters.means.shape;
  if (clusters.logVariances.shape.join() !== `${k},${j}` || clusters.weightLogits.shape[0] !== k || latent.shape[1] !== j) {
    throw new InputError(
      `${caller}: expected weightLogits [K], means [K, J], logVariances [K, J] and latent means [B, J]; got ` +
        `[${clusters.weightLogits.shape.join(', ')}], [${clusters.means.shape.join(', ')}], ` +
        `[${clusters.logVariances.shape.join(', ')}] and [${latent.shape.join(', ')}]`,
    );
  }
}

/** σ²_k = floor + exp(ln σ²_k) [K, J]. */
export function clusterVariances(logVariances: tf.Tensor2D, varianceFloor: number): tf.Tensor2D {
  return tf.tidy(() => tf.add(tf.exp(logVariances), varianceFloor));
}

/**
 * For every galaxy b and cluster k: −½ Σ_j [ln 2π + ln σ²_kj + (extraVariance_bj + (x_bj − μ_kj)²)/σ²_kj], [B, K].
 * With extraVariance = 0 this is ln N(x_b | μ_k, σ²_k); with extraVariance = σ̃²_b it is E_q[ln N(z | μ_k, σ²_k)]
 * for q = N(x_b, σ̃²_b).
 */
export function expectedClusterLogDensity(
  x: tf.Tensor2D,
  extraVariance: tf.Tensor2D | null,
  means: tf.Tensor2D,
  variances: tf.Tensor2D,
): tf.Tensor2D {
  return tf.tidy(() => {
    const diff = tf.sub(tf.expandDims(x, 1), tf.expandDims(means, 0));
    let spread = tf.square(diff);
    if (extraVariance !== null) spread = tf.add(spread, tf.expandDims(extraVariance, 1));
    const perDim = tf.add(tf.add(tf.log(variances), LOG_TWO_PI), tf.div(spread, tf.expandDims(variances, 0)));
    return tf.mul(-0.5, tf.sum(perDim, 2)) as tf.Tensor2D;
  });
}
