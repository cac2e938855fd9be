/**
 * Per-question mean losses for logging: each question's mean is over the galaxies that received votes for it
 * (N_q > 0), since an unasked question contributes an exact 0 that would otherwise dilute the mean.
 */
import * as tf from '@tensorflow/tfjs';
import { type QuestionSlice, questionTotals } from './questionSlices.js';
import { InputError } from '../util/errors.js';

export interface QuestionLossMean {
  /** Mean loss over galaxies with N_q > 0; null when no galaxy in the batch answered the question. */
  mean: number | null;
  /** How many galaxies the mean is over. */
  galaxies: number;
}

/**
 * @param losses per-question losses [B, Q] (e.g. from `dirichletMultinomialNll`)
 * @param counts vote counts [B, A]
 * @param questionSlices each question's answer columns [start, end)
 */
export function questionLossMeans(
  losses: tf.Tensor2D,
  counts: tf.Tensor2D,
  questionSlices: readonly QuestionSlice[],
): QuestionLossMean[] {
  if (losses.shape[0] !== counts.shape[0] || losses.shape[1] !== questionSlices.length) {
    throw new InputError(
      `questionLossMeans: losses shape [${losses.shape.join(', ')}] does not match ${counts.shape[0]} galaxies × ${questionSlices.length} questions`,
    );
  }
  const [sums, answered] = tf.tidy(() => {
    const asked = tf.cast(tf.greater(questionTotals(counts, questionSlices), 0), 'float32');
    return [tf.sum(tf.mul(losses, asked), 0), tf.sum(asked, 0)];
  });
  const sumValues = sums.arraySync() as number[];
  const answeredValues = answered.arraySync() as number[];
  sums.dispose();
  answered.dispose();
  return answeredValues.map((galaxies, q) => ({
    mean: galaxies > 0 ? sumValues[q] / galaxies : null,
    galaxies,
  }));
}
