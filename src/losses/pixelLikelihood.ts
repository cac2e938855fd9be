/**
 * The closed set of pixel likelihoods a VAE decoder can be trained with, as serialisable configs, and one entry
 * point that dispatches to the term files. What the decoder output means depends on the kind:
 * 'bernoulli' → logits; 'gaussian' → means; 'laplace' → locations.
 */
import type * as tf from '@tensorflow/tfjs';
import { bernoulliLogLikelihood } from './bernoulliLogLikelihood.js';
import { gaussianLogLikelihood } from './gaussianLogLikelihood.js';
import { laplaceLogLikelihood } from './laplaceLogLikelihood.js';
import { InputError } from '../util/errors.js';

export const PIXEL_LIKELIHOODS = ['bernoulli', 'gaussian', 'laplace'] as const;
export type PixelLikelihoodKind = (typeof PIXEL_LIKELIHOODS)[number];

export type PixelLikelihood =
  | { kind: 'bernoulli' }
  /** σ fixed at a number, or 'learned': the caller passes ln σ (a trainable tensor) at evaluation time. */
  | { kind: 'gaussian'; sigma: number | 'learned' }
  | { kind: 'laplace'; scale: number };

/**
 * log p(x | decoder output) per galaxy [B].
 * @param learnedLogSigma ln σ, required when the likelihood is Gaussian with sigma 'learned', unused otherwise
 */
export function pixelLogLikelihood(
  likelihood: PixelLikelihood,
  target: tf.Tensor,
  output: tf.Tensor,
  learnedLogSigma?: tf.Tensor,
): tf.Tensor1D {
  switch (likelihood.kind) {
    case 'bernoulli':
      return bernoulliLogLikelihood(target, output);
    case 'gaussian': {
      if (likelihood.sigma !== 'learned') return gaussianLogLikelihood(target, output, { sigma: likelihood.sigma });
      if (learnedLogSigma === undefined) {
        throw new InputError(
          "pixelLogLikelihood: a Gaussian likelihood with sigma 'learned' needs the learned ln σ tensor as its fourth argument",
        );
      }
      return gaussianLogLikelihood(target, output, { logSigma: learnedLogSigma });
    }
    case 'laplace':
      return laplaceLogLikelihood(target, output, likelihood.scale);
    default: {
      const unreachable: never = likelihood;
      throw new InputError(
        `pixelLogLikelihood: unknown likelihood ${JSON.stringify(unreachable)}; expected one of ${PIXEL_LIKELIHOODS.join(', ')}`,
      );
    }
  }
}
