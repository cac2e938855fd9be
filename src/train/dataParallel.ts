/**
 * Data-parallel training on several cores: N worker_threads, each with its own wasm backend and a copy of the
 * task built from the same spec. Each step splits the batch into contiguous shards, every worker computes the
 * gradients of its shard, the gradients are averaged through shared memory, and every worker applies the same
 * Adam update, so the weights stay identical. Prediction splits a batch across the workers the same way.
 *
 * `createTrainer({ workers: 1 })` gives the in-thread `LocalTrainer` with the same interface.
 */
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../util/moduleWorker.js';
import { check, resolveOptions } from '../util/options.js';
import { OptionError } from '../util/errors.js';
import type { BackendDescription } from '../backend/initBackend.js';
import { Barrier } from './dataParallelBarrier.js';
import { joinPredictions, splitBatch } from './dataParallelShards.js';
import type { TaskLayout, WorkerReply, WorkerRequest, WorkerResult, WorkerSetup } from './dataParallelProtocol.js';
import {
  LocalTrainer,
  type Prediction,
  type StepResult,
  type Trainer,
  type TrainerWeights,
  type WeightKind,
} from './localTrainer.js';
import { OPTIMIZER_KINDS, type OptimizerOptions } from './optimizer.js';
import type { OptimizerState } from '../models/optimizerState.js';
import type { HostBatch } from '../data/hostBatch.js';
import type { TaskSpec } from '../models/trainTask.js';

export interface TrainerOptions {
  /** The task every worker builds (module URL exporting createTask + JSON options with the seed). */
  spec: TaskSpec;
  /**
   * Worker threads; 1 trains in this thread.
   * @default 1
   */
  workers: number;
  /**
   * The optimiser and its settings.
   * @default { kind: 'adam', learningRate: 0.001 }
   */
  optimizer: OptimizerOptions;
  /**
   * Backend each worker starts (workers > 1 only; the single-thread trainer uses the backend already set).
   * @default 'wasm'
   */
  backend: string;
}

const DEFAULTS: Omit<TrainerOptions, 'spec'> & { spec: TaskSpec | undefined } = {
  spec: undefined,
  workers: 1,
  optimizer: { kind: 'adam', learningRate: 1e-3 },
  backend: 'wasm',
};

function checkSpec(spec: TaskSpec | undefined, name: string): void {
  if (spec === undefined || typeof spec.module !== 'string' || spec.module.length === 0) {
    throw new OptionError(name, 'a task spec { module: URL of a module exporting createTask, options }', spec);
  }
}

export async function createTrainer(given: Partial<TrainerOptions> & { spec: TaskSpec }): Promise<Trainer> {
  const options = resolveOptions(DEFAULTS, {
    spec: checkSpec,
    workers: check.integer(1, 64),
    optimizer: (o, name) => {
      if (typeof o !== 'object' || o === null || !(OPTIMIZER_KINDS as readonly string[]).includes(o.kind)) {
        throw new OptionError(name, `an object with kind one of ${OPTIMIZER_KINDS.join(' | ')}`, o);
      }
    },
    backend: check.string(),
  }, given);
  const spec = options.spec as TaskSpec;
  if (options.workers === 1) return LocalTrainer.create(spec, options.optimizer);
  return DataParallelTrainer.start(spec, options.workers, options.optimizer, options.backend);
}

/** Starts the worker entry next to this file (`dataParallelWorker`), from dist or from source. */
function startWorker(workerData: WorkerSetup): Worker {
  return startModuleWorker(import.meta.url, 'dataParallelWorker', workerData);
}

/** An error reported by a worker; `secondary` when it only stopped because another worker failed. */
class WorkerError extends Error {
  constructor(
    message: string,
    readonly secondary: boolean,
  ) {
    super(message);
    this.name = 'WorkerError';
  }
}

/** Waits for every worker; on failure throws the root cause rather than a worker that was merely released. */
async function allWorkers<T>(requests: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(requests);
  const errors = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as Error] : []));
  if (errors.length > 0) throw errors.find((e) => !(e instanceof WorkerError && e.secondary)) ?? errors[0];
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

/** A request without its id (the handle numbers requests). */
type RequestBody = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

class WorkerHandle {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: WorkerResult) => void; reject: (e: WorkerError) => void }>();
  private failure: WorkerError | null = null;
  readonly ready: Promise<void>;

  /** `onCrash` releases the other workers (they may be waiting at the barrier for this one). */
  constructor(
    readonly worker: Worker,
    rank: number,
    onCrash: () => void,
  ) {
    this.ready = new Promise((resolve, reject) => {
      const onFirst = (reply: WorkerReply) => {
        if (reply.id === -1) {
          worker.off('message', onFirst);
          resolve();
        }
      };
      worker.on('message', onFirst);
      worker.once('error', reject);
    });
    worker.on('message', (reply: WorkerReply) => {
      const waiter = this.pending.get(reply.id);
      if (waiter === undefined) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.result);
      else waiter.reject(new WorkerError(reply.error, reply.secondary));
    });
    const fail = (error: WorkerError) => {
      this.failure = error;
      onCrash();
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    };
    worker.on('error', (e) => fail(new WorkerError(`data-parallel worker ${rank} crashed: ${e.message}`, false)));
    worker.on('exit', (code) => {
      if (code !== 0) fail(new WorkerError(`data-parallel worker ${rank} exited with code ${code}`, false));
    });
  }

  request<T extends WorkerResult>(message: RequestBody): Promise<T> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: WorkerResult) => void, reject });
      this.worker.postMessage({ ...message, id });
    });
  }
}

export class DataParallelTrainer implements Trainer {
  private stepCount = 0;
  private disposed = false;

  private constructor(
    private readonly handles: WorkerHandle[],
    private readonly barrier: Barrier,
    /** The backend the workers run, as the first worker reported it. */
    readonly backend: BackendDescription,
  ) {}

  get workers(): number {
    return this.handles.length;
  }

  static async start(spec: TaskSpec, workers: number, optimizer: OptimizerOptions, backend: string): Promise<DataParallelTrainer> {
    const control = Barrier.allocate();
    const barrier = new Barrier(control, workers);
    const handles = Array.from(
      { length: workers },
      (_, rank) =>
        new WorkerHandle(startWorker({ rank, workers, spec, optimizer, backend, control }), rank, () => barrier.abort()),
    );
    try {
      await Promise.all(handles.map((h) => h.ready));
      const layouts = await Promise.all(handles.map((h) => h.request<TaskLayout>({ kind: 'layout' })));
      const total = (sizes: number[]) => sizes.reduce((a, b) => a + b, 0);
      const slots = {
        gradients: new SharedArrayBuffer(workers * total(layouts[0].trainable) * 4),
        state: new SharedArrayBuffer(workers * total(layouts[0].state) * 4),
      };
      await Promise.all(handles.map((h) => h.request({ kind: 'attach', slots })));
      const trainer = new DataParallelTrainer(handles, barrier, layouts[0].backend);
      // Start every worker from the first worker's weights, whatever each createTask produced.
      await trainer.setWeights(await handles[0].request<TrainerWeights>({ kind: 'getWeights', which: 'current' }));
      return trainer;
    } catch (error) {
      await Promise.all(handles.map((h) => h.worker.terminate()));
      throw error;
    }
  }

  async step(batch: HostBatch): Promise<StepResult> {
    this.assertOpen();
    const shards = splitBatch(batch, this.workers);
    const fractions = shards.map((s) => s.size / batch.size);
    const step = this.stepCount;
    const results = await allWorkers(
      this.handles.map((h, rank) => h.request<StepResult>({ kind: 'step', shard: shards[rank], fractions, step })),
    );
    this.stepCount += 1;
    const metrics: Record<string, number> = {};
    for (const name of Object.keys(results[0].metrics)) {
      metrics[name] = results.reduce((s, r, w) => s + fractions[w] * r.metrics[name], 0);
    }
    return { loss: results.reduce((s, r, w) => s + fractions[w] * r.loss, 0), metrics };
  }

  /** Weights of the first worker (all workers hold the same). */
  async getWeights(which: WeightKind = 'current'): Promise<TrainerWeights> {
    this.assertOpen();
    return this.handles[0].request<TrainerWeights>({ kind: 'getWeights', which });
  }

  /** Weights of every worker, to check they agree. */
  async getAllWeights(): Promise<TrainerWeights[]> {
    this.assertOpen();
    return Promise.all(this.handles.map((h) => h.request<TrainerWeights>({ kind: 'getWeights', which: 'current' })));
  }

  /** Live tensors in each worker (for leak checks). */
  async workerTensorCounts(): Promise<number[]> {
    this.assertOpen();
    return Promise.all(this.handles.map((h) => h.request<number>({ kind: 'tensorCount' })));
  }

  async setWeights(weights: TrainerWeights): Promise<void> {
    this.assertOpen();
    await Promise.all(this.handles.map((h) => h.request({ kind: 'setWeights', weights })));
  }

  async getOptimizerState(): Promise<OptimizerState> {
    this.assertOpen();
    return this.handles[0].request<OptimizerState>({ kind: 'getOptimizerState' });
  }

  async setOptimizerState(state: OptimizerState): Promise<void> {
    this.assertOpen();
    await Promise.all(this.handles.map((h) => h.request({ kind: 'setOptimizerState', state })));
    this.stepCount = state.step;
  }

  /** Splits the batch across the workers (at most one shard per example) and joins the outputs in order. */
  async predict(method: string, batch: HostBatch): Promise<Prediction> {
    this.assertOpen();
    const parts = Math.min(this.workers, batch.size);
    const shards = splitBatch(batch, parts);
    const outputs = await Promise.all(
      shards.map((shard, rank) => this.handles[rank].request<Prediction>({ kind: 'predict', method, batch: shard })),
    );
    return joinPredictions(outputs);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all(this.handles.map((h) => h.worker.terminate()));
  }

  private assertOpen(): void {
    if (this.disposed) throw new Error('DataParallelTrainer: used after dispose()');
    if (this.barrier.aborted) throw new Error('DataParallelTrainer: a worker failed during a step; create a new trainer');
  }
}
