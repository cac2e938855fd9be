/**
 * Scoring a Bayesian CNN (in this thread) on a split: the validation loss that picks the best checkpoint — the
 * head's NLL summed over questions, averaged over galaxies, with one dropout mask per batch drawn from a fixed
 * seed so epochs are compared on the same masks — its per-question means over the galaxies that received votes
 * for that question, and optionally T MC-dropout passes for test metrics.
 *
 * Test metrics compare the predicted vote fraction of each answer the head covers (predictSummary.ts: the mean
 * over passes) with the volunteers' fraction, over the galaxies whose question got at least one vote: per-answer
 * RMSE and MAE, and both pooled over every (galaxy, answer) pair.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng.js';
import type { ImageDataset } from '../data/dataset.js';
import type { CatalogRow } from '../data/catalog.js';
import type { BayesianCnn } from '../models/bayesianCnn.js';
import { headLoss, headPrediction } from '../models/bayesianCnnHead.js';
import { MAX_PASS_SEED } from '../models/bayesianCnnTask.js';
import { summarisePasses } from './predictSummary.js';

export interface Evaluation {
  /** Galaxies scored (bad images skipped by the dataset are not among them). */
  ids: string[];
  /** Mean over galaxies of the NLL summed over the head's questions. */
  loss: number;
  /** Per question key: mean NLL over the galaxies with votes for it (NaN when none had). */
  questionLoss: Record<string, number>;
  /** Vote counts of each scored galaxy (schema answers). */
  counts: Float32Array[];
  /** Head predictions [T][B][width]; empty when no passes were asked for. */
  passes: number[][][];
}

/** Scores `dataset` (unshuffled, unaugmented) with `passes` MC-dropout passes (0 = loss only). */
export async function evaluateBayesianCnn(
  model: BayesianCnn, dataset: ImageDataset<CatalogRow>, options: { passes: number; seed: number },
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
      const features = model.features(tf.tensor4d(batch.arrays.images, [size, h, w, c]));
      const perQuestion = headLoss(head, model.logitsFromFeatures(features, lossSeed), tf.tensor2d(batch.arrays.counts, [size, answers]));
      const predictions = Array.from({ length: options.passes }, (_, t) => headPrediction(head, model.logitsFromFeatures(features, passSeed + t)));
      return [perQuestion, ...predictions];
    });
    const perQuestion = outputs[0].arraySync() as number[][];
    const predictions = outputs.slice(1).map((p) => p.arraySync() as number[][]);
    tf.dispose(outputs);
    for (let b = 0; b < size; b++) {
      const galaxyCounts = batch.arrays.counts.slice(b * answers, (b + 1) * answers);
      counts.push(galaxyCounts);
      head.questions.forEach(([s, e], q) => {
        lossSum += perQuestion[b][q];
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

export interface AnswerError {
  answer: string;
  /** Galaxies whose question received votes. */
  galaxies: number;
  rmse: number;
  mae: number;
}

export interface TestMetrics {
  /** Pooled over every (galaxy, covered answer) pair with votes. */
  rmse: number;
  mae: number;
  perAnswer: AnswerError[];
}

/** Per-answer RMSE/MAE of predicted vote fractions (mean over passes) against the volunteers' fractions. */
export function voteFractionErrors(model: BayesianCnn, evaluation: Evaluation, nominalN: number): TestMetrics {
  const summary = summarisePasses(model.head, model.schema, evaluation.passes, nominalN);
  const perAnswer: AnswerError[] = [];
  let squares = 0;
  let absolute = 0;
  let pairs = 0;
  summary.answers.forEach((answer, k) => {
    const [s, e] = model.schema.questionSlices[answer.questionIndex];
    let sq = 0;
    let ab = 0;
    let n = 0;
    evaluation.counts.forEach((c, b) => {
      let votes = 0;
      for (let a = s; a < e; a++) votes += c[a];
      if (votes <= 0) return;
      const diff = summary.fraction[b][k] - c[answer.index] / votes;
      sq += diff * diff;
      ab += Math.abs(diff);
      n += 1;
    });
    perAnswer.push({ answer: answer.key, galaxies: n, rmse: n > 0 ? Math.sqrt(sq / n) : Number.NaN, mae: n > 0 ? ab / n : Number.NaN });
    squares += sq;
    absolute += ab;
    pairs += n;
  });
  return { rmse: pairs > 0 ? Math.sqrt(squares / pairs) : Number.NaN, mae: pairs > 0 ? absolute / pairs : Number.NaN, perAnswer };
}
