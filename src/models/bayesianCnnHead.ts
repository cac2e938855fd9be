/**
 * The output heads of the Bayesian CNN, a closed set with a runtime list:
 * - 'binomial': one yes/no answer (Walmsley et al. 2019). One logit → ρ = sigmoid; loss −[k ln ρ + (N − k) ln(1 − ρ)]
 *   with k the answer's votes and N its question's votes.
 * - 'multinomial': one question (ET-VAE paper, Q1). One logit per answer → softmax; multinomial NLL of that
 *   question's counts.
 * - 'dirichlet': every question of the schema (zoobot). One logit per answer → α = m + 100·sigmoid(z) (floor m, zoobot's 1); the
 *   Dirichlet-multinomial NLL per question [B, Q], summed over questions (exactly 0 for an unasked question).
 *
 * Every head turns its raw output into a per-answer "prediction" used downstream: ρ (binomial), probabilities
 * (multinomial) or concentrations α (dirichlet); and reports its loss per galaxy and per question.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '../util/errors.js';
import { binomialNll } from '../losses/binomial.js';
import { multinomialNll } from '../losses/multinomial.js';
import { DIRICHLET_FLOOR_DEFAULT, dirichletConcentrations, dirichletMultinomialNll } from '../losses/dirichletMultinomial.js';
import type { Schema } from '../data/schema.js';

export const HEAD_KINDS = ['binomial', 'multinomial', 'dirichlet'] as const;
export type HeadKind = (typeof HEAD_KINDS)[number];

/** Which part of the schema a head predicts. */
export interface HeadTarget {
  kind: HeadKind;
  /** Binomial: the answer key; multinomial: the question key; dirichlet: null (all questions). */
  target: string | null;
  /** Dirichlet: the floor m of α = m + 100·sigmoid(z) (losses/dirichletMultinomial.ts). @default 1 */
  concentrationFloor?: number;
}

/** A head resolved against a schema: output width and the answer columns it reads from a counts vector. */
export interface ResolvedHead {
  kind: HeadKind;
  /** Logits the network outputs per galaxy. */
  outputs: number;
  /** Binomial: the answer index; otherwise unused (-1). */
  answer: number;
  /** The answer columns [start, end) of each question the loss covers. */
  questions: Array<[number, number]>;
  /** Names of the questions the loss covers, for per-question logging. */
  questionKeys: string[];
  /** Dirichlet: the floor of the concentrations; otherwise unused. */
  concentrationFloor: number;
}

export function resolveHead(head: HeadTarget, schema: Schema): ResolvedHead {
  switch (head.kind) {
    case 'binomial': {
      if (head.target === null) throw new OptionError('answer', 'an answer key for the binomial head (e.g. q1_smooth)', null);
      const answer = schema.answerIndex(head.target);
      const q = schema.questions[schema.answers[answer].questionIndex];
      return { kind: 'binomial', outputs: 1, answer, questions: [[q.start, q.end]], questionKeys: [q.key], concentrationFloor: DIRICHLET_FLOOR_DEFAULT };
    }
    case 'multinomial': {
      if (head.target === null) throw new OptionError('question', 'a question key for the multinomial head (e.g. q1)', null);
      const q = schema.question(head.target);
      return { kind: 'multinomial', outputs: q.end - q.start, answer: -1, questions: [[q.start, q.end]], questionKeys: [q.key], concentrationFloor: DIRICHLET_FLOOR_DEFAULT };
    }
    case 'dirichlet':
      return {
        kind: 'dirichlet',
        outputs: schema.numAnswers,
        answer: -1,
        questions: schema.questionSlices.map(([s, e]) => [s, e]),
        questionKeys: schema.questions.map((q) => q.key),
        concentrationFloor: head.concentrationFloor ?? DIRICHLET_FLOOR_DEFAULT,
      };
    default: {
      const never: never = head.kind;
      throw new OptionError('head', `one of ${HEAD_KINDS.join(' | ')}`, never);
    }
  }
}

/** Raw logits [B, outputs] → ρ [B, 1] (binomial), probabilities [B, A_q] or concentrations [B, A]. */
export function headPrediction(head: ResolvedHead, logits: tf.Tensor2D): tf.Tensor2D {
  switch (head.kind) {
    case 'binomial':
      return tf.sigmoid(logits);
    case 'multinomial':
      return tf.softmax(logits);
    case 'dirichlet':
      return dirichletConcentrations(logits, head.concentrationFloor) as tf.Tensor2D;
    default: {
      const never: never = head.kind;
      throw new Error(`unknown head ${String(never)}`);
    }
  }
}

/**
 * Unreduced loss per galaxy and per covered question [B, Q_head] from raw logits and the full counts [B, A].
 */
export function headLoss(head: ResolvedHead, logits: tf.Tensor2D, counts: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    switch (head.kind) {
      case 'binomial': {
        const [start, end] = head.questions[0];
        const k = tf.squeeze(tf.slice(counts, [0, head.answer], [-1, 1]), [1]) as tf.Tensor1D;
        const n = tf.sum(tf.slice(counts, [0, start], [-1, end - start]), 1) as tf.Tensor1D;
        const rho = tf.squeeze(tf.sigmoid(logits), [1]) as tf.Tensor1D;
        return tf.expandDims(binomialNll(k, n, rho), 1) as tf.Tensor2D;
      }
      case 'multinomial': {
        const [start, end] = head.questions[0];
        const k = tf.slice(counts, [0, start], [-1, end - start]) as tf.Tensor2D;
        return tf.expandDims(multinomialNll(k, logits), 1) as tf.Tensor2D;
      }
      case 'dirichlet':
        return dirichletMultinomialNll(counts, logits, head.questions, { concentrationFloor: head.concentrationFloor });
      default: {
        const never: never = head.kind;
        throw new Error(`unknown head ${String(never)}`);
      }
    }
  });
}
