/**
 * The trainer interface shared by single-thread and data-parallel training, and its single-thread
 * implementation: the task lives in this thread, gradients come from one tape over the whole batch and
 * Adam updates host copies of the weights. Data-parallel workers use the same pieces, so both agree.
 */
import * as tf from '@tensorflow/tfjs';
import { InputError, OptionError } from '../util/errors.js';
import { createOptimizer, type HostOptimizer, type OptimizerOptions } from './optimizer.js';
import type { OptimizerState } from '../models/optimizerState.js';
import type { HostBatch } from '../data/hostBatch.js';
import type { TaskSpec, TrainTask } from '../models/trainTask.js';

export interface StepResult {
  /** Mean loss over the batch. */
  loss: number;
  /** Mean of each metric over the batch. */
  metrics: Record<string, number>;
}

/** Trainable weights and state variables as host arrays, in the task's fixed order. */
export interface TrainerWeights {
  trainable: Float32Array[];
  state: Float32Array[];
}

/**
 * Which weights to read: the optimiser's latest ('current', what training continues from) or its moving average
 * ('averaged': what validation scores and the best model keeps when the run averages weights; the current weights
 * when it does not).
 */
export type WeightKind = 'current' | 'averaged';

/** An output of a named task method for a batch of examples: the batch axis first. */
export interface Prediction {
  shape: number[];
  data: Float32Array;
}

export interface Trainer {
  /** Worker threads (1 = this thread). */
  readonly workers: number;
  /** One optimiser step on the batch (split across workers when there are several). */
  step(batch: HostBatch): Promise<StepResult>;
  getWeights(which?: WeightKind): Promise<TrainerWeights>;
  setWeights(weights: TrainerWeights): Promise<void>;
  getOptimizerState(): Promise<OptimizerState>;
  setOptimizerState(state: OptimizerState): Promise<void>;
  /** Runs `task[method](batch)` (a method returning one tensor with the batch axis first). */
  predict(method: string, batch: HostBatch): Promise<Prediction>;
  dispose(): Promise<void>;
}

/** Builds the task a spec names (same code in this thread and in every worker). */
export async function loadTask(spec: TaskSpec): Promise<TrainTask> {
  const module = (await import(spec.module)) as { createTask?: (options: unknown) => TrainTask | Promise<TrainTask> };
  if (typeof module.createTask !== 'function') {
    throw new InputError('the task module does not export a createTask(options) function', { file: spec.module });
  }
  return module.createTask(spec.options);
}

/** Loss, metrics and gradients (host arrays in `task.trainable` order; zeros for unused variables). */
export function computeGradients(
  task: TrainTask,
  batch: HostBatch,
  step: number,
  shard = 0,
): StepResult & { grads: Float32Array[] } {
  const kept: tf.Tensor[] = [];
  let metricNames: string[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const out = task.step(batch, step, shard);
    const metrics = out.metrics ?? {};
    metricNames = Object.keys(metrics);
    for (const name of metricNames) kept.push(tf.keep(metrics[name]));
    return out.loss;
  }, task.trainable);
  const loss = value.dataSync()[0];
  const metrics: Record<string, number> = {};
  metricNames.forEach((name, i) => (metrics[name] = kept[i].dataSync()[0]));
  const hostGrads = task.trainable.map((v) => {
    const g = grads[v.name];
    return g === undefined ? new Float32Array(v.size) : (g.dataSync() as Float32Array).slice();
  });
  tf.dispose([value, ...Object.values(grads), ...kept]);
  return { loss, metrics, grads: hostGrads };
}

/** A trainer's weights of the given kind from its host parameters, optimiser and task state (copies). */
export function trainerWeights(params: readonly Float32Array[], optimizer: HostOptimizer, task: TrainTask, which: WeightKind): TrainerWeights {
  const trainable = (which === 'averaged' ? optimizer.averagedWeights() : null) ?? params.map((p) => p.slice());
  return { trainable, state: readVariables(task.state) };
}

export function readVariables(variables: readonly tf.Variable[]): Float32Array[] {
  return variables.map((v) => (v.dataSync() as Float32Array).slice());
}

export function writeVariables(variables: readonly tf.Variable[], values: readonly Float32Array[], what: string): void {
  if (values.length !== variables.length) {
    throw new InputError(`expected ${variables.length} ${what} arrays, got ${values.length}`);
  }
  variables.forEach((v, k) => {
    if (values[k].length !== v.size) {
      throw new InputError(`${what} array ${k} (${v.name}) has ${values[k].length} values, expected ${v.size} for shape [${v.shape}]`);
    }
    // A copy: the cpu backend keeps the array it is given, which the optimiser then updates in place.
    const t = tf.tensor(values[k].slice(), v.shape, 'float32');
    v.assign(t);
    t.dispose();
  });
}

/** Runs a named prediction method of a task and copies its output to the host. */
export function runTaskMethod(task: TrainTask, method: string, batch: HostBatch): Prediction {
  const fn = (task as unknown as Record<string, unknown>)[method];
  if (typeof fn !== 'function') throw new OptionError('method', 'the name of a method of the task', method);
  return tf.tidy(() => {
    const out = (fn as (b: HostBatch) => tf.Tensor).call(task, batch);
    return { shape: out.shape, data: (out.dataSync() as Float32Array).slice() };
  });
}

/** Single-thread trainer: same interface as the data-parallel one, everything in this thread. */
export class LocalTrainer implements Trainer {
  readonly workers = 1;
  private stepCount = 0;
  private readonly params: Float32Array[];

  private constructor(
    private readonly task: TrainTask,
    private readonly optimizer: HostOptimizer,
  ) {
    this.params = readVariables(task.trainable);
  }

  static async create(spec: TaskSpec, optimizer: OptimizerOptions): Promise<LocalTrainer> {
    const task = await loadTask(spec);
    return new LocalTrainer(task, createOptimizer(task.trainable.map((v) => v.size), optimizer));
  }

  async step(batch: HostBatch): Promise<StepResult> {
    const { loss, metrics, grads } = computeGradients(this.task, batch, this.stepCount);
    this.optimizer.update(this.params, grads);
    writeVariables(this.task.trainable, this.params, 'trainable weight');
    this.stepCount += 1;
    return { loss, metrics };
  }

  async getWeights(which: WeightKind = 'current'): Promise<TrainerWeights> {
    return trainerWeights(this.params, this.optimizer, this.task, which);
  }

  async setWeights(weights: TrainerWeights): Promise<void> {
    writeVariables(this.task.trainable, weights.trainable, 'trainable weight');
    writeVariables(this.task.state, weights.state, 'state');
    weights.trainable.forEach((w, k) => this.params[k].set(w));
  }

  async getOptimizerState(): Promise<OptimizerState> {
    return this.optimizer.exportState();
  }

  async setOptimizerState(state: OptimizerState): Promise<void> {
    this.optimizer.importState(state);
    this.stepCount = state.step;
  }

  async predict(method: string, batch: HostBatch): Promise<Prediction> {
    return runTaskMethod(this.task, method, batch);
  }

  async dispose(): Promise<void> {
    this.task.dispose();
  }
}
