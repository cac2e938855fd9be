/**
 * Multinomial negative log-likelihood of one question's vote counts (ET-VAE paper, Galaxy Zoo question 1):
 *   −log p(k) = −[lnΓ(N + 1) − Σ_a lnΓ(k_a + 1) + Σ_a k_a ln p_a],  N = Σ_a k_a.
 * Unreduced: one value per galaxy. Exactly 0 for a galaxy with no votes.
 */
import * as tf from '@tensorflow/tfjs';
import { logRisingFactorial } from './lgamma.js';
import { check, resolveOptions } from '../util/options.js';
import { requireSameShape } from './requireSameShape.js';

/** What the model's output holds: a probability vector per galaxy, or unnormalised logits (preferred: stable). */
export const MULTINOMIAL_INPUTS = ['probabilities', 'logits'] as const;
export type MultinomialInput = (typeof MULTINOMIAL_INPUTS)[number];

export interface MultinomialNllOptions {
  /**
   * Whether `prediction` holds probabilities (rows summing to 1) or logits (log-softmax is applied).
   * @default 'logits'
   */
  input: MultinomialInput;
  /**
   * Floor on probabilities before the log when `input` is 'probabilities' (a zero probability with zero votes
   * then contributes exactly 0; with votes, a large but finite loss).
   * @default 1e-8
   */
  epsilon: number;
}

const DEFAULTS: MultinomialNllOptions = { input: 'logits', epsilon: 1e-8 };
const SPEC = { input: check.oneOf(MULTINOMIAL_INPUTS), epsilon: check.number(0, 0.1) };

/**
 * −log Multinomial(counts; N, p) per galaxy.
 * @param counts vote counts [B, A] (non-negative integers stored as floats)
 * @param prediction probabilities or logits [B, A]
 * @returns losses [B]
 */
export function multinomialNll(
  counts: tf.Tensor2D,
  prediction: tf.Tensor2D,
  options: Partial<MultinomialNllOptions> = {},
): tf.Tensor1D {
  const { input, epsilon } = resolveOptions(DEFAULTS, SPEC, options);
  requireSameShape('multinomialNll', 'counts', counts, 'prediction', prediction);
  return tf.tidy(() => {
    const logP = logProbabilities(prediction, input, epsilon);
    const one = tf.onesLike(counts);
    const total = tf.sum(counts, 1);
    const logCoefficient = tf.sub(
      logRisingFactorial(tf.onesLike(total), total),
      tf.sum(logRisingFactorial(one, counts), 1),
    );
    return tf.neg(tf.add(logCoefficient, tf.sum(tf.mul(counts, logP), 1))) as tf.Tensor1D;
  });
}

function logProbabilities(prediction: tf.Tensor2D, input: MultinomialInput, epsilon: number): tf.Tensor2D {
  switch (input) {
    case 'logits':
      return tf.logSoftmax(prediction);
    case 'probabilities':
      return tf.log(tf.maximum(prediction, epsilon));
    default: {
      const unreachable: never = input;
      throw new Error(`unknown multinomial input ${String(unreachable)}`);
    }
  }
}
