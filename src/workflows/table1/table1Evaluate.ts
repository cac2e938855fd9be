/**
 * Scoring a trained model on an evaluation set: answer probabilities from the trainer (split across its workers),
 * the paper's sum-abs error and a true RMSE against the vote fractions and, on simulated data, against the true
 * probabilities; and rotation consistency — the mean |Δp| between predictions for each image and for the same
 * image turned by a random angle (seeded per galaxy).
 */
import { rotateImage } from '../../data/augment.js';
import type { ImageDataset } from '../../data/dataset.js';
import type { Trainer } from '../../train/localTrainer.js';
import type { HostBatch } from '../../data/hostBatch.js';
import { meanAbsDifference, questionErrors, type QuestionErrors } from '../../train/metrics/voteFractionMetrics.js';
import { Rng } from '../../util/rng.js';
import type { Question } from '../../data/schema.js';
import type { LabelledRow } from './table1Data.js';

export interface SetScore {
  /** Against the volunteers' vote fractions. */
  votes: QuestionErrors;
  /** Against the simulator's true probabilities (null for real data). */
  truth: QuestionErrors | null;
  /** Mean over galaxies and answers of |p(rotated) − p(original)|, or null when not measured. */
  rotationMeanAbsDelta: number | null;
  galaxies: number;
}

function rotatedBatch(batch: HostBatch & { ids: string[] }, seed: number, turn: number): HostBatch {
  const [h, w, c] = batch.shapes.images;
  const per = h * w * c;
  const images = new Float32Array(batch.arrays.images.length);
  batch.ids.forEach((id, k) => {
    const angle = Rng.derive(seed, 'rotation-consistency', turn, id).range(0, 2 * Math.PI);
    const rotated = rotateImage({ data: batch.arrays.images.subarray(k * per, (k + 1) * per), height: h, width: w, channels: c }, angle);
    images.set(rotated.data, k * per);
  });
  return { size: batch.size, arrays: { images }, shapes: { images: [h, w, c] } };
}

export async function scoreSet(
  trainer: Trainer,
  dataset: ImageDataset<LabelledRow>,
  options: { question: Question; rotations: number; seed: number },
): Promise<SetScore> {
  const byId = new Map(dataset.rows.map((r) => [r.id, r]));
  const predicted: number[] = [];
  const rotatedPredicted: number[] = [];
  const repeated: number[] = [];
  const fractions: number[] = [];
  const truth: number[] = [];
  let hasTruth = true;
  for await (const batch of dataset.batches(0)) {
    const p = await trainer.predict('probabilities', batch);
    predicted.push(...p.data);
    for (const id of batch.ids) {
      const row = byId.get(id)!;
      fractions.push(...row.questionFractions);
      if (row.truth === null) hasTruth = false;
      else truth.push(...row.truth);
    }
    for (let turn = 0; turn < options.rotations; turn++) {
      const r = await trainer.predict('probabilities', rotatedBatch(batch, options.seed, turn));
      rotatedPredicted.push(...r.data);
      repeated.push(...p.data);
    }
  }
  const question = { key: options.question.key, answers: options.question.answers.map((a) => a.key) };
  const answers = question.answers.length;
  return {
    votes: questionErrors(predicted, fractions, question),
    truth: hasTruth ? questionErrors(predicted, truth, question) : null,
    rotationMeanAbsDelta: rotatedPredicted.length > 0 ? meanAbsDifference(rotatedPredicted, repeated) : null,
    galaxies: predicted.length / answers,
  };
}

/** Validation score of the trainer's current weights: the paper's sum-abs error against the vote fractions. */
export async function validationScore(trainer: Trainer, dataset: ImageDataset<LabelledRow>, question: Question): Promise<number> {
  return (await scoreSet(trainer, dataset, { question, rotations: 0, seed: 0 })).votes.sumAbs;
}

/** The predict-the-mean baseline of a cell: every test galaxy given the mean vote fractions of the cell's labelled galaxies. */
export interface MeanBaseline {
  votes: QuestionErrors;
  truth: QuestionErrors | null;
}

export function meanBaseline(labelled: readonly LabelledRow[], test: readonly LabelledRow[], question: Question): MeanBaseline {
  const width = question.answers.length;
  const mean = new Float64Array(width);
  for (const r of labelled) for (let a = 0; a < width; a++) mean[a] += r.questionFractions[a] / labelled.length;
  const predicted = test.flatMap(() => Array.from(mean));
  const keys = { key: question.key, answers: question.answers.map((a) => a.key) };
  const hasTruth = test.every((r) => r.truth !== null);
  return {
    votes: questionErrors(predicted, test.flatMap((r) => Array.from(r.questionFractions)), keys),
    truth: hasTruth ? questionErrors(predicted, test.flatMap((r) => Array.from(r.truth!)), keys) : null,
  };
}
