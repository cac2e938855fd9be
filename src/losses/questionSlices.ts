/**
 * Per-question column ranges of a model output or count matrix. The schema (decision tree) keeps each question's
 * answers contiguous, so question q owns columns [start, end) — `end` exclusive, as in `Array.prototype.slice`.
 */
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../util/errors.js';

export type QuestionSlice = readonly [start: number, end: number];

/** Throws unless every slice is a non-empty integer range inside [0, answers). */
export function validateQuestionSlices(slices: readonly QuestionSlice[], answers: number, caller: string): void {
  if (slices.length === 0) throw new InputError(`${caller}: questionSlices is empty; pass one [start, end) per question`);
  slices.forEach(([start, end], q) => {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > answers || end <= start) {
      throw new InputError(
        `${caller}: question ${q} has slice [${start}, ${end}), expected integers with 0 ≤ start < end ≤ ${answers} (the number of answer columns)`,
      );
    }
  });
}

/** N_q = Σ_{a in q} k_a for every galaxy and question: [B, A] → [B, Q]. */
export function questionTotals(counts: tf.Tensor2D, slices: readonly QuestionSlice[]): tf.Tensor2D {
  validateQuestionSlices(slices, counts.shape[1], 'questionTotals');
  return tf.tidy(() =>
    tf.stack(
      slices.map(([start, end]) => tf.sum(tf.slice(counts, [0, start], [-1, end - start]), 1)),
      1,
    ) as tf.Tensor2D,
  );
}
