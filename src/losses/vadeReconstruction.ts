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
import { gaussianLogLikelihood } from './gaussianLogLikelihood.js';
import { perGalaxySum } from './perGalaxySum.js';
import { requireSameShape } from './requireSameShape.js';
import { InputError, OptionError } from '../util/errors.js';

export const VADE_RECONSTRUCTIONS = ['bce', 'mse', 'sigmoid-mse', 'gaussian-noise'] as const;
export type VadeReconstruction = (typeof VADE_RECONSTRUCTIONS)[number];

/** The kinds whose term needs each image's noise σ (`ImageNoise`). */
export const needsImageNoise = (kind: VadeReconstruction): boolean => kind === 'gaussian-noise';

/** Each image's noise for 'gaussian-noise': σ [B] in the target's units, and the floor added in quadrature. */
export interface ImageNoise {
  sigma: tf.Tensor1D;
  floor: number;
}

/** Images in [0, 1] from the decoder's raw output. */
export function reconstructionImages(kind: VadeReconstruction, output: tf.Tensor4D): tf.Tensor4D {
  switch (kind) {
    case 'bce':
    case 'sigmoid-mse':
      return tf.sigmoid(output);
    case 'mse':
    case 'gaussian-noise':
      return tf.clipByValue(output, 0, 1);
    default:
      throw unknown(kind);
  }
}

/**
 * @param target images [B, S, S, C] in [0, 1]
 * @param output the decoder's raw output, same shape
 * @param noise each image's noise: required by 'gaussian-noise', unused by the others
 * @returns per-galaxy reconstruction term [B] (a sum over pixels)
 */
export function reconstructionTerm(kind: VadeReconstruction, target: tf.Tensor4D, output: tf.Tensor4D, noise?: ImageNoise): tf.Tensor1D {
  requireSameShape('reconstructionTerm', 'target', target, 'output', output);
  switch (kind) {
    case 'bce':
      return tf.tidy(() => tf.neg(bernoulliLogLikelihood(target, output)) as tf.Tensor1D);
    case 'mse':
      return tf.tidy(() => perGalaxySum(tf.squaredDifference(output, target)));
    case 'sigmoid-mse':
      return tf.tidy(() => perGalaxySum(tf.squaredDifference(tf.sigmoid(output), target)));
    case 'gaussian-noise': {
      const b = target.shape[0];
      if (noise === undefined || noise.sigma.rank !== 1 || noise.sigma.shape[0] !== b) {
        throw new InputError(`VaDE reconstruction "gaussian-noise" needs each image's noise σ as a [${b}] tensor, got ${noise === undefined ? 'none' : `shape [${noise.sigma.shape.join(', ')}]`}`,
          {}, 'pass the noise from the front end (applyFrontEndWithNoise)');
      }
      if (!(Number.isFinite(noise.floor) && noise.floor > 0)) throw new OptionError('noise floor', 'a finite number > 0', noise.floor);
      return tf.tidy(() => {
        const logSigma = tf.reshape(tf.mul(0.5, tf.log(tf.add(tf.square(noise.sigma), noise.floor ** 2))), [b, 1, 1, 1]);
        return tf.neg(gaussianLogLikelihood(target, output, { logSigma })) as tf.Tensor1D;
      });
    }
    default:
      throw unknown(kind);
  }
}

function unknown(kind: never): InputError {
  return new InputError(`VaDE reconstruction "${String(kind)}" is unknown; expected one of ${VADE_RECONSTRUCTIONS.join(', ')}`);
}
