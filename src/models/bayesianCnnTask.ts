/**
 * The Bayesian CNN as a `TrainTask`, so the single-thread and data-parallel trainers build it the same way in every
 * worker (`createTask(options)`, options JSON-serialisable). Batches carry `images` [H, W, C] and `counts` [A] (vote
 * counts per schema answer); prediction batches carry `images` and `passes` [2] = (T, first dropout seed).
 *
 * Loss: the head's per-question NLL [B, Q] weighted by the model's question weights (config.lossWeights, 1 by
 * default), summed over questions and averaged over the batch; metrics log each (unweighted)
 * question's mean over the galaxies that received votes for it (`loss/<question key>`).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng.js';
import { MAX_PASS_SEED } from '../nn/mcDropout.js';
import { InputError } from '../util/errors.js';
import { questionTotals } from '../losses/questionSlices.js';
import type { HostBatch } from '../data/hostBatch.js';
import type { StepOutput, TaskSpec, TrainTask } from './trainTask.js';
import { BayesianCnn, type BayesianCnnConfig } from './bayesianCnn.js';
import { headLoss } from './bayesianCnnHead.js';
import { applyTransfer, type Transfer } from './bayesianCnnTransfer.js';
import type { SchemaDef } from '../data/schema.js';

/**
 * The model's config, and optionally weights to start from and hold fixed (`transfer`, bayesianCnnTransfer.ts:
 * fine-tuning a pretrained encoder); applied the same way in this thread and in every data-parallel worker.
 */
export type BayesianCnnTaskOptions = Partial<BayesianCnnConfig> & { schema: SchemaDef; transfer?: Transfer | null };

export class BayesianCnnTask implements TrainTask {
  readonly model: BayesianCnn;

  constructor(options: BayesianCnnTaskOptions) {
    this.model = buildBayesianCnn(options);
  }

  get trainable(): tf.Variable[] {
    return this.model.params.trainable;
  }

  get state(): tf.Variable[] {
    return this.model.params.state;
  }

  step(batch: HostBatch, step: number, shard: number): StepOutput {
    const images = batchImages(batch, this.model.config.imageSize, this.model.config.channels);
    const counts = batchArray(batch, 'counts', [this.model.schema.numAnswers]) as tf.Tensor2D;
    const seed = Rng.derive(this.model.config.seed, 'dropout', step, shard).nextUint32() % MAX_PASS_SEED;
    const head = this.model.head;
    const perQuestion = headLoss(head, this.model.logits(images, seed, true), counts);
    const loss = tf.mean(tf.sum(tf.mul(perQuestion, tf.tensor1d(this.model.questionWeights)), 1)) as tf.Scalar;
    const asked = tf.cast(tf.greater(questionTotals(counts, head.questions), 0), 'float32');
    const sums = tf.sum(tf.mul(perQuestion, asked), 0);
    const answered = tf.maximum(tf.sum(asked, 0), 1);
    const means = tf.unstack(tf.div(sums, answered));
    const metrics: Record<string, tf.Scalar> = {};
    head.questionKeys.forEach((key, q) => (metrics[`loss/${key}`] = means[q] as tf.Scalar));
    return { loss, metrics };
  }

  /** Prediction method for `trainer.predict('passes', batch)`: [B, T, width] head predictions. */
  passes(batch: HostBatch): tf.Tensor3D {
    const settings = batch.arrays.passes;
    if (settings === undefined || settings.length < 2) {
      throw new InputError('BayesianCnnTask.passes: the batch needs a "passes" array holding (T, seed) per example');
    }
    const images = batchImages(batch, this.model.config.imageSize, this.model.config.channels);
    return this.model.passes(images, settings[0], settings[1]);
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** The task's model: built from the config, then (with `transfer`) weights copied in and the frozen ones fixed. */
export function buildBayesianCnn(options: BayesianCnnTaskOptions): BayesianCnn {
  const { transfer, ...config } = options;
  const model = new BayesianCnn(config);
  if (transfer === undefined || transfer === null) return model;
  try {
    applyTransfer(model, transfer);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

export function createTask(options: BayesianCnnTaskOptions): TrainTask {
  return new BayesianCnnTask(options);
}

/** The spec a trainer (or its workers) uses to build this task. */
export function bayesianCnnTaskSpec(options: BayesianCnnTaskOptions): TaskSpec {
  return { module: import.meta.url, options };
}

/** The `passes` batch array telling the prediction method T and the first dropout seed. */
export function passSettings(size: number, passes: number, seed: number): Float32Array {
  const out = new Float32Array(size * 2);
  for (let i = 0; i < size; i++) {
    out[2 * i] = passes;
    out[2 * i + 1] = seed % MAX_PASS_SEED;
  }
  return out;
}

function batchImages(batch: HostBatch, size: number, channels: number): tf.Tensor4D {
  return batchArray(batch, 'images', [size, size, channels]) as tf.Tensor4D;
}

function batchArray(batch: HostBatch, name: string, shape: number[]): tf.Tensor {
  const data = batch.arrays[name];
  const per = shape.reduce((a, b) => a * b, 1);
  if (data === undefined || data.length !== batch.size * per) {
    throw new InputError(
      `Bayesian CNN batch: "${name}" should hold ${batch.size} × [${shape.join(', ')}] values, got ${data === undefined ? 'none' : data.length}`,
      {},
      name === 'counts' ? 'train on a catalog with vote counts or fractions' : 'preprocess images to the model\'s input size and channels',
    );
  }
  return tf.tensor(data, [batch.size, ...shape]);
}
