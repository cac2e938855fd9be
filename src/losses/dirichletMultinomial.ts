/**
 * Dirichlet-multinomial negative log-likelihood for every question of a decision tree at once (zoobot).
 * The head's logits z become concentrations α_a = 1 + 100·sigmoid(z_a) (range 1–101). Per question q, with
 * A = Σ_{a in q} α_a and N = Σ_{a in q} k_a:
 *   −log p = −[lnΓ(N+1) − Σ lnΓ(k_a+1) + lnΓ(A) − lnΓ(N+A) + Σ_a (lnΓ(k_a+α_a) − lnΓ(α_a))].
 * Each lnΓ difference is evaluated as a log rising factorial lnΓ(x + n) − lnΓ(x) (the constant lnΓ(1) terms cancel
 * analytically), so a question with N_q = 0 has a loss of exactly 0 with no mask.
 * Unreduced: [B, Q]; the training loop sums over questions and averages over the batch.
 */
import * as tf from '@tensorflow/tfjs';
import { logRisingFactorial } from './lgamma.js';
import { type QuestionSlice, validateQuestionSlices } from './questionSlices.js';
import { check, resolveOptions } from '../util/options.js';
import { requireSameShape } from './requireSameShape.js';

/** What the head's output holds: logits z (α = 1 + 100·sigmoid(z) is applied here) or concentrations α. */
export const DIRICHLET_INPUTS = ['logits', 'concentrations'] as const;
export type DirichletInput = (typeof DIRICHLET_INPUTS)[number];

export interface DirichletMultinomialNllOptions {
  /**
   * Whether `prediction` holds logits z or concentrations α (> 0).
   * @default 'logits'
   */
  input: DirichletInput;
}

const DEFAULTS: DirichletMultinomialNllOptions = { input: 'logits' };
const SPEC = { input: check.oneOf(DIRICHLET_INPUTS) };

/** Smallest and largest concentration produced by `dirichletConcentrations`. */
export const CONCENTRATION_MIN = 1;
export const CONCENTRATION_RANGE = 100;

/** α = 1 + 100·sigmoid(z), elementwise. */
export function dirichletConcentrations(logits: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.add(CONCENTRATION_MIN, tf.mul(CONCENTRATION_RANGE, tf.sigmoid(logits))));
}

/**
 * @param counts vote counts [B, A] for all answers of all questions
 * @param prediction logits or concentrations [B, A]
 * @param questionSlices each question's answer columns [start, end)
 * @returns losses [B, Q]; exactly 0 where the question received no votes
 */
export function dirichletMultinomialNll(
  counts: tf.Tensor2D,
  prediction: tf.Tensor2D,
  questionSlices: readonly QuestionSlice[],
  options: Partial<DirichletMultinomialNllOptions> = {},
): tf.Tensor2D {
  const { input } = resolveOptions(DEFAULTS, SPEC, options);
  requireSameShape('dirichletMultinomialNll', 'counts', counts, 'prediction', prediction);
  validateQuestionSlices(questionSlices, counts.shape[1], 'dirichletMultinomialNll');
  return tf.tidy(() => {
    const alpha = input === 'logits' ? dirichletConcentrations(prediction) : prediction;
    const ones = tf.onesLike(counts);
    // Per-answer terms: −ln k_a! + ln[Γ(k_a + α_a)/Γ(α_a)].
    const perAnswer = tf.sub(logRisingFactorial(alpha, counts), logRisingFactorial(ones, counts));
    const losses = questionSlices.map(([start, end]) => {
      const width = end - start;
      const k = tf.slice(counts, [0, start], [-1, width]);
      const a = tf.slice(alpha, [0, start], [-1, width]);
      const total = tf.sum(k, 1);
      const concentration = tf.sum(a, 1);
      const logLikelihood = tf.add(
        tf.sub(logRisingFactorial(tf.onesLike(total), total), logRisingFactorial(concentration, total)),
        tf.sum(tf.slice(perAnswer, [0, start], [-1, width]), 1),
      );
      return tf.neg(logLikelihood);
    });
    return tf.stack(losses, 1) as tf.Tensor2D;
  });
}
