/**
 * Multinomial negative log-likelihood of one question's vote counts (ET-VAE paper, Galaxy Zoo question 1):
 *   −log p(k) = −[lnΓ(N + 1) − Σ_a lnΓ(k_a + 1) + Σ_a k_a ln p_a],  N = Σ_a k_a.
 * Unreduced: one value per galaxy. Exactly 0 for a galaxy with no votes.
 *
 * The multinomial coefficient lnΓ(N + 1) − Σ_a lnΓ(k_a + 1) depends on the data only, and its gradient is never
 * needed, so it is evaluated on the host in float64 (@stdlib's lnΓ) and enters as a constant: built from tensor ops
 * it was ≈ 340 kernel calls with the tape's copies in every training step of every model that uses this loss
 * (most of the plain CNN's 551), for the same gradients.
 */
import * as tf from '@tensorflow/tfjs';
import { logGamma } from '../util/specialFunctions.js';
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
    const logCoefficient = tf.tensor1d(logMultinomialCoefficients(counts.dataSync(), counts.shape[0], counts.shape[1]));
    return tf.neg(tf.add(logCoefficient, tf.sum(tf.mul(counts, logP), 1))) as tf.Tensor1D;
  });
}

/**
 * ln(N! / ∏_a k_a!) per row of a row-major [rows, answers] count array, computed in float64 and stored as float32 (the
 * tensor's type); exactly 0 for a row of zeros.
 */
function logMultinomialCoefficients(counts: ArrayLike<number>, rows: number, answers: number): Float32Array {
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let total = 0;
    let logDenominator = 0;
    for (let a = 0; a < answers; a++) {
      const k = counts[r * answers + a];
      total += k;
      if (k !== 0) logDenominator += logGamma(k + 1);
    }
    out[r] = total > 0 ? logGamma(total + 1) - logDenominator : 0;
  }
  return out;
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
