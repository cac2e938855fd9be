/**
 * Binomial negative log-likelihood of one yes/no answer (Walmsley et al. 2019):
 *   −[k ln(ρ + ε) + (N − k) ln(1 − ρ + ε)],  ε = 1e-8 by default.
 * The binomial coefficient ln C(N, k) is left out, as in the reference: it does not depend on ρ, so gradients and
 * comparisons between models are unchanged. Unreduced: one value per galaxy.
 */
import * as tf from '@tensorflow/tfjs';
import { check, resolveOptions } from '../util/options.js';
import { InputError } from '../util/errors.js';

export interface BinomialNllOptions {
  /**
   * Added inside both logs so ρ = 0 or 1 gives a finite loss.
   * @default 1e-8
   */
  epsilon: number;
}

const DEFAULTS: BinomialNllOptions = { epsilon: 1e-8 };
const SPEC = { epsilon: check.number(0, 0.1) };

/**
 * @param yesVotes k, votes for the answer [B]
 * @param totalVotes N, votes cast for the question [B]
 * @param rho predicted probability of the answer [B], in [0, 1]
 * @returns losses [B]
 */
export function binomialNll(
  yesVotes: tf.Tensor1D,
  totalVotes: tf.Tensor1D,
  rho: tf.Tensor1D,
  options: Partial<BinomialNllOptions> = {},
): tf.Tensor1D {
  const { epsilon } = resolveOptions(DEFAULTS, SPEC, options);
  const shapes = [yesVotes.shape[0], totalVotes.shape[0], rho.shape[0]];
  if (shapes[0] !== shapes[1] || shapes[0] !== shapes[2]) {
    throw new InputError(`binomialNll: yesVotes, totalVotes and rho must have the same length, got ${shapes.join(', ')}`);
  }
  return tf.tidy(() => {
    const yes = tf.mul(yesVotes, tf.log(tf.add(rho, epsilon)));
    const no = tf.mul(tf.sub(totalVotes, yesVotes), tf.log(tf.add(tf.sub(1, rho), epsilon)));
    return tf.neg(tf.add(yes, no)) as tf.Tensor1D;
  });
}
