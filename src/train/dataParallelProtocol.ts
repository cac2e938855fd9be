/**
 * Messages between the data-parallel trainer (main thread) and its workers, and the shared-memory layout.
 * Every request carries an id; the worker answers each with exactly one reply of the same id.
 */
import type { BackendDescription } from '../backend/initBackend.js';
import type { OptimizerOptions } from './optimizer.js';
import type { OptimizerState } from '../models/optimizerState.js';
import type { Prediction, StepResult, TrainerWeights, WeightKind } from './localTrainer.js';
import type { HostBatch } from '../data/hostBatch.js';
import type { TaskSpec } from '../models/trainTask.js';

/** Data every worker starts with (worker_threads `workerData`). */
export interface WorkerSetup {
  rank: number;
  workers: number;
  spec: TaskSpec;
  optimizer: OptimizerOptions;
  /** Backend each worker starts (one per worker). */
  backend: string;
  /** Barrier control words. */
  control: SharedArrayBuffer;
}

/** Shared buffers, sized once the task's layout is known: one slot of all trainable and state values per worker. */
export interface SharedSlots {
  gradients: SharedArrayBuffer;
  state: SharedArrayBuffer;
}

export type WorkerRequest =
  | { id: number; kind: 'layout' }
  | { id: number; kind: 'attach'; slots: SharedSlots }
  | { id: number; kind: 'step'; shard: HostBatch; fractions: number[]; step: number }
  | { id: number; kind: 'getWeights'; which: WeightKind }
  | { id: number; kind: 'setWeights'; weights: TrainerWeights }
  | { id: number; kind: 'getOptimizerState' }
  | { id: number; kind: 'setOptimizerState'; state: OptimizerState }
  | { id: number; kind: 'predict'; method: string; batch: HostBatch }
  | { id: number; kind: 'tensorCount' };

/** Sizes of the task's trainable and state variables, in order. */
export interface TaskLayout {
  trainable: number[];
  state: number[];
  backend: BackendDescription;
}

export type WorkerResult = TaskLayout | StepResult | TrainerWeights | OptimizerState | Prediction | number | null;

export type WorkerReply =
  | { id: number; ok: true; result: WorkerResult }
  /** `secondary`: this worker only stopped because another one failed (the other reply has the cause). */
  | { id: number; ok: false; error: string; secondary: boolean };
