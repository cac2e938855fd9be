/**
 * The VAE's posterior head: split features → flatten → a diagonal Gaussian q(z | x) = N(μ, σ²) with
 * σ = softplus(a) + σ_min. Unlike the reference's exp(exp(a)) + 1e-3 (which never falls below 1), the scale
 * can shrink as far as the data asks; σ_min only keeps ln σ² finite.
 */
import * as tf from '@tensorflow/tfjs';
import { Dense } from '../nn/dense.js';
import type { ParamScope } from '../nn/params.js';

export const LATENT_SCALE_FLOOR = 1e-4;

export type LatentPosterior = {
  mean: tf.Tensor2D;
  /** σ [B, J]. */
  scale: tf.Tensor2D;
  /** ln σ² [B, J] (what the KL term takes). */
  logVariance: tf.Tensor2D;
};

export class GaussianLatent {
  private readonly meanLayer: Dense;
  private readonly scaleLayer: Dense;

  constructor(scope: ParamScope, name: string, inFeatures: number, readonly latentDim: number) {
    const s = scope.scope(name);
    this.meanLayer = new Dense(s, 'mean', { inFeatures, units: latentDim });
    this.scaleLayer = new Dense(s, 'scale', { inFeatures, units: latentDim });
  }

  apply(features: tf.Tensor4D): LatentPosterior {
    return tf.tidy(() => {
      const flat = tf.reshape(features, [features.shape[0], -1]) as tf.Tensor2D;
      const mean = this.meanLayer.apply(flat);
      const scale = tf.add(tf.softplus(this.scaleLayer.apply(flat)), LATENT_SCALE_FLOOR) as tf.Tensor2D;
      return { mean, scale, logVariance: tf.mul(2, tf.log(scale)) as tf.Tensor2D };
    });
  }

  /** One reparameterised draw z = μ + σ·ε (ε seeded). */
  static sample(posterior: LatentPosterior, seed: number): tf.Tensor2D {
    return tf.tidy(() =>
      tf.add(posterior.mean, tf.mul(posterior.scale, tf.randomNormal(posterior.mean.shape, 0, 1, 'float32', seed))),
    ) as tf.Tensor2D;
  }
}
