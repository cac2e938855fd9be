/**
 * The reconstruction term of AstroVaDEr's −ELBO (ALGORITHMS.md §6), summed over every pixel of a galaxy (the
 * references' mean × D: a per-pixel mean would make the latent term D times heavier), and what the decoder's last
 * convolution means for each kind:
 *   - 'bce':         the output is a logit; image = σ(logit); Rec = Σ [softplus(z) − x z] (binary cross-entropy with
 *                    soft targets x ∈ [0, 1], without forming σ(z): stable for any z). Its gradient in the logit is
 *                    σ(z) − x, which does not vanish when σ saturates.
 *   - 'mse':         the output is the intensity itself (linear, as s3VDC's ELU and AstroVaDEr's ReLU outputs are
 *                    unbounded); Rec = Σ (z − x)²; images are clipped to [0, 1] only for display and generation.
 *   - 'sigmoid-mse': σ(z) with squared error, Rec = Σ (σ(z) − x)², this project's first choice. Its gradient in the
 *                    logit carries σ'(z) = σ(1 − σ), which vanishes as σ → 0: on dark-sky images the decoder settles
 *                    on black and cannot leave it (README, "Unsupervised clusters"). Kept to reproduce that.
 * Unreduced: [B].
 */
import * as tf from '@tensorflow/tfjs';
import { bernoulliLogLikelihood } from './bernoulliLogLikelihood.js';
import { perGalaxySum } from './perGalaxySum.js';
import { requireSameShape } from './requireSameShape.js';
import { InputError } from '../util/errors.js';

export const VADE_RECONSTRUCTIONS = ['bce', 'mse', 'sigmoid-mse'] as const;
export type VadeReconstruction = (typeof VADE_RECONSTRUCTIONS)[number];

/** Images in [0, 1] from the decoder's raw output. */
export function reconstructionImages(kind: VadeReconstruction, output: tf.Tensor4D): tf.Tensor4D {
  switch (kind) {
    case 'bce':
    case 'sigmoid-mse':
      return tf.sigmoid(output);
    case 'mse':
      return tf.clipByValue(output, 0, 1);
    default:
      throw unknown(kind);
  }
}

/**
 * @param target images [B, S, S, C] in [0, 1]
 * @param output the decoder's raw output, same shape
 * @returns per-galaxy reconstruction term [B] (a sum over pixels)
 */
export function reconstructionTerm(kind: VadeReconstruction, target: tf.Tensor4D, output: tf.Tensor4D): tf.Tensor1D {
  requireSameShape('reconstructionTerm', 'target', target, 'output', output);
  switch (kind) {
    case 'bce':
      return tf.tidy(() => tf.neg(bernoulliLogLikelihood(target, output)) as tf.Tensor1D);
    case 'mse':
      return tf.tidy(() => perGalaxySum(tf.squaredDifference(output, target)));
    case 'sigmoid-mse':
      return tf.tidy(() => perGalaxySum(tf.squaredDifference(tf.sigmoid(output), target)));
    default:
      throw unknown(kind);
  }
}

function unknown(kind: never): InputError {
  return new InputError(`VaDE reconstruction "${String(kind)}" is unknown; expected one of ${VADE_RECONSTRUCTIONS.join(', ')}`);
}
