/**
 * What the training loop (single-thread or data-parallel workers) needs from a model + loss pairing.
 * Models return predictions, losses return unreduced values; a task reduces them to one scalar per step.
 */
import type * as tf from '@tensorflow/tfjs';
import type { HostBatch } from '../data/hostBatch.js';

export interface StepOutput {
  /** The scalar minimised this step (mean over the batch). */
  loss: tf.Scalar;
  /** Extra scalars to log (each a mean over the batch). */
  metrics?: Record<string, tf.Scalar>;
}

export interface TrainTask {
  /** Trainable variables, in a fixed order shared by every worker building the same task. */
  readonly trainable: tf.Variable[];
  /** Non-trainable state (e.g. BatchNorm running statistics); workers average it after each step. */
  readonly state: tf.Variable[];
  /**
   * The loss of one batch; called inside a gradient tape. `step` and `shard` (the data-parallel worker's rank, 0 in a
   * single thread) seed dropout and sampling, so the shards of one global batch draw independent noise.
   */
  step(batch: HostBatch, step: number, shard: number): StepOutput;
  dispose(): void;
}

/**
 * How a worker builds the same task: a module that exports `createTask(options): TrainTask | Promise<TrainTask>`,
 * and JSON-serialisable options (including the seed, so weights start identical everywhere).
 */
export interface TaskSpec {
  /** Absolute file URL (import.meta.url style) of the module exporting `createTask`. */
  module: string;
  options: unknown;
}
