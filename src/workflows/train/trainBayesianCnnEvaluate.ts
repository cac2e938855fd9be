/**
 * Scoring a Bayesian CNN (in this thread) on a split: the validation loss that picks the best checkpoint — the
 * head's NLL summed over questions with the model's question weights (as in training), averaged over galaxies, with one dropout mask per batch drawn from a fixed
 * seed so epochs are compared on the same masks — its per-question means over the galaxies that received votes
 * for that question, and optionally T MC-dropout passes for test metrics.
 *
 * Test metrics compare the predicted vote fraction of each answer the head covers (predictSummary.ts: the mean
 * over passes) with the volunteers' fraction through the metrics module (train/metrics/voteFractionMetrics.ts:
 * sum-abs, RMSE and MAE per question and answer), beside the predict-the-training-mean baseline, and the coverage
 * error within ±0.2 vote fraction of each answer (train/metrics/answerCoverage.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../util/rng.js';
import type { ImageDataset } from '../../data/dataset.js';
import type { CatalogRow } from '../../data/catalog.js';
import type { BayesianCnn } from '../../models/bayesianCnn.js';
import { headLoss } from '../../models/bayesianCnnHead.js';
import { MAX_PASS_SEED } from '../../nn/mcDropout.js';
import { summarisePasses } from '../predict/predictSummary.js';
import { ASKED_BY_MOST, galaxyErrors, meanVoteFractions, voteFractionMetrics, type QuestionColumns, type VoteFractionMetrics } from '../../train/metrics/voteFractionMetrics.js';
import { answerCoverage } from '../../train/metrics/answerCoverage.js';

export interface Evaluation {
  /** Galaxies scored (bad images skipped by the dataset are not among them). */
  ids: string[];
  /** Mean over galaxies of the NLL summed over the head's questions, each times its loss weight. */
  loss: number;
  /** Per question key: mean (unweighted) NLL over the galaxies with votes for it (NaN when none had). */
  questionLoss: Record<string, number>;
  /** Vote counts of each scored galaxy (schema answers). */
  counts: Float32Array[];
  /** Head predictions [T][B][width]; empty when no passes were asked for. */
  passes: number[][][];
}

/**
 * Scores `dataset` (unshuffled, unaugmented) with `passes` MC-dropout passes (0 = loss only); pass t sees the
 * dihedral view t mod `views` of each image (1 = the image only; the loss always uses the image itself).
 */
export async function evaluateBayesianCnn(
  model: BayesianCnn, dataset: ImageDataset<CatalogRow>, options: { passes: number; seed: number; views: number },
): Promise<Evaluation> {
  const head = model.head;
  const answers = model.schema.numAnswers;
  const lossSeed = Rng.derive(options.seed, 'evaluate', 'loss').nextUint32() % MAX_PASS_SEED;
  const passSeed = Rng.derive(options.seed, 'evaluate', 'passes').nextUint32() % MAX_PASS_SEED;
  const ids: string[] = [];
  const counts: Float32Array[] = [];
  const passes: number[][][] = Array.from({ length: options.passes }, () => []);
  let lossSum = 0;
  const questionSum = new Float64Array(head.questionKeys.length);
  const questionCount = new Float64Array(head.questionKeys.length);
  for await (const batch of dataset.batches(0)) {
    const { size } = batch;
    const [h, w, c] = batch.shapes.images;
    const outputs = tf.tidy(() => {
      const features = model.viewFeatures(tf.tensor4d(batch.arrays.images, [size, h, w, c]), Math.max(1, Math.min(options.views, options.passes)));
      const perQuestion = headLoss(head, model.logitsFromFeatures(features[0], lossSeed), tf.tensor2d(batch.arrays.counts, [size, answers]));
      const predictions = model.passesFromFeatures(features, options.passes, passSeed);
      return [perQuestion, ...predictions];
    });
    const perQuestion = outputs[0].arraySync() as number[][];
    const predictions = outputs.slice(1).map((p) => p.arraySync() as number[][]);
    tf.dispose(outputs);
    for (let b = 0; b < size; b++) {
      const galaxyCounts = batch.arrays.counts.slice(b * answers, (b + 1) * answers);
      counts.push(galaxyCounts);
      head.questions.forEach(([s, e], q) => {
        lossSum += model.questionWeights[q] * perQuestion[b][q];
        let votes = 0;
        for (let a = s; a < e; a++) votes += galaxyCounts[a];
        if (votes > 0) {
          questionSum[q] += perQuestion[b][q];
          questionCount[q] += 1;
        }
      });
      predictions.forEach((p, t) => passes[t].push(p[b]));
    }
    ids.push(...batch.ids);
  }
  const questionLoss = Object.fromEntries(head.questionKeys.map((k, q) => [k, questionCount[q] > 0 ? questionSum[q] / questionCount[q] : Number.NaN]));
  return { ids, loss: ids.length > 0 ? lossSum / ids.length : Number.NaN, questionLoss, counts, passes };
}

/** Test metrics of the best model: the metrics module's errors, predict-the-training-mean's, and coverage. */
export interface TestMetrics extends VoteFractionMetrics {
  /** The same errors for predicting the training split's mean fractions (per question) for every galaxy. */
  baseline: VoteFractionMetrics;
  /** Model and baseline errors over the galaxies whose question was asked of at least ASKED_BY_MOST of their volunteers. */
  askedByMost: { model: VoteFractionMetrics; baseline: VoteFractionMetrics };
  /** Coverage error within ±0.2 vote fraction per covered answer (null when no test galaxy was asked its question). */
  coverage: { answer: string; galaxies: number; coverageError: number | null }[];
  /** The galaxies predicted worst on the head's first question (largest sum-abs), worst first. */
  worst: WorstGalaxy[];
}

export interface WorstGalaxy {
  id: string;
  question: string;
  sumAbs: number;
  /** Predicted and volunteers' fractions of the question's answers, in answer order. */
  predicted: number[];
  observed: number[];
}

/** How many of the worst-predicted test galaxies are kept for the report's image grid. */
export const WORST_SHOWN = 16;

/** The head's questions as metric columns (a binomial head scores its one answer). */
export function headQuestionColumns(model: BayesianCnn): QuestionColumns[] {
  const { head, schema } = model;
  return head.questions.map(([start, end]) => {
    const q = schema.questions[schema.answers[start].questionIndex];
    const answers = q.answers.map((a) => (head.kind !== 'binomial' || a.index === head.answer ? a.key : null));
    return { key: q.key, start, end, answers };
  });
}

/** Vote-fraction errors of the passes' mean fractions, the predict-the-mean baseline and per-answer coverage. */
export function testMetrics(model: BayesianCnn, evaluation: Evaluation, nominalN: number, trainCounts: readonly ArrayLike<number>[]): TestMetrics {
  const summary = summarisePasses(model.head, model.schema, evaluation.passes, nominalN);
  const columns = model.schema.numAnswers;
  const predicted = summary.fraction.map((row) => {
    const full = new Float64Array(columns).fill(Number.NaN);
    summary.answers.forEach((a, k) => (full[a.index] = row[k]));
    return full;
  });
  const questions = headQuestionColumns(model);
  const mean = meanVoteFractions(trainCounts, questions, columns);
  const coverage = summary.answers.map((a) => {
    const c = answerCoverage(evaluation.passes, evaluation.counts, model.schema, model.head.kind, a.key);
    return { answer: a.key, galaxies: c?.galaxies ?? 0, coverageError: c?.coverageError ?? null };
  });
  const root = questions[0];
  const worst: WorstGalaxy[] = galaxyErrors(predicted, evaluation.counts, root)
    .map((g) => ({ id: evaluation.ids[g.galaxy], question: root.key, sumAbs: g.sumAbs, predicted: g.predicted, observed: g.observed }));
  worst.sort((x, y) => y.sumAbs - x.sumAbs);
  return {
    worst: worst.slice(0, WORST_SHOWN),
    ...voteFractionMetrics(predicted, evaluation.counts, questions),
    baseline: voteFractionMetrics(evaluation.counts.map(() => mean), evaluation.counts, questions),
    askedByMost: {
      model: voteFractionMetrics(predicted, evaluation.counts, questions, { minAskedFraction: ASKED_BY_MOST }),
      baseline: voteFractionMetrics(evaluation.counts.map(() => mean), evaluation.counts, questions, { minAskedFraction: ASKED_BY_MOST }),
    },
    coverage,
  };
}
