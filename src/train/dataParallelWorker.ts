/**
 * One data-parallel worker: builds the task from its spec on its own wasm backend, computes the gradients of
 * its shard, averages all workers' gradients (weighted by shard size) from shared memory after a barrier,
 * applies the same Adam update as every other worker, and averages the state variables the same way.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/initBackend.js';
import { createOptimizer } from './optimizer.js';
import { computeGradients, loadTask, readVariables, runTaskMethod, trainerWeights, writeVariables } from './localTrainer.js';
import { AbortedError, Barrier } from './dataParallelBarrier.js';
import type { SharedSlots, TaskLayout, WorkerReply, WorkerRequest, WorkerResult, WorkerSetup } from './dataParallelProtocol.js';

const setup = workerData as WorkerSetup;
const port = parentPort;
if (port === null) throw new Error('dataParallelWorker must run in a worker thread');

const description = await initBackend({ backend: setup.backend, threads: setup.workers });
const task = await loadTask(setup.spec);
const trainableSizes = task.trainable.map((v) => v.size);
const stateSizes = task.state.map((v) => v.size);
const totalTrainable = trainableSizes.reduce((a, b) => a + b, 0);
const totalState = stateSizes.reduce((a, b) => a + b, 0);
const optimizer = createOptimizer(trainableSizes, setup.optimizer);
const barrier = new Barrier(setup.control, setup.workers);
const params = readVariables(task.trainable);
let slots: SharedSlots | null = null;

/** Writes `arrays` into this worker's slot, waits for everyone, returns the fraction-weighted sum over slots. */
function allReduce(buffer: SharedArrayBuffer, total: number, arrays: Float32Array[], fractions: number[]): Float32Array[] {
  const mine = new Float32Array(buffer, setup.rank * total * 4, total);
  let offset = 0;
  for (const a of arrays) {
    mine.set(a, offset);
    offset += a.length;
  }
  barrier.wait();
  const sum = new Float32Array(total);
  for (let w = 0; w < setup.workers; w++) {
    const slot = new Float32Array(buffer, w * total * 4, total);
    const f = fractions[w];
    for (let i = 0; i < total; i++) sum[i] += f * slot[i];
  }
  // Nobody may overwrite a slot before everyone has read it.
  barrier.wait();
  const out: Float32Array[] = [];
  offset = 0;
  for (const a of arrays) {
    out.push(sum.subarray(offset, offset + a.length));
    offset += a.length;
  }
  return out;
}

function handle(request: WorkerRequest): WorkerResult {
  switch (request.kind) {
    case 'layout': {
      const layout: TaskLayout = { trainable: trainableSizes, state: stateSizes, backend: description };
      return layout;
    }
    case 'attach':
      slots = request.slots;
      return null;
    case 'step': {
      if (slots === null) throw new Error('dataParallelWorker: step before shared buffers were attached');
      const { loss, metrics, grads } = computeGradients(task, request.shard, request.step, setup.rank);
      const averaged = allReduce(slots.gradients, totalTrainable, grads, request.fractions);
      optimizer.update(params, averaged);
      writeVariables(task.trainable, params, 'trainable weight');
      if (totalState > 0) {
        const state = allReduce(slots.state, totalState, readVariables(task.state), request.fractions);
        writeVariables(task.state, state, 'state');
      }
      return { loss, metrics };
    }
    case 'getWeights':
      return trainerWeights(params, optimizer, task, request.which);
    case 'setWeights':
      writeVariables(task.trainable, request.weights.trainable, 'trainable weight');
      writeVariables(task.state, request.weights.state, 'state');
      request.weights.trainable.forEach((w, k) => params[k].set(w));
      return null;
    case 'getOptimizerState':
      return optimizer.exportState();
    case 'setOptimizerState':
      optimizer.importState(request.state);
      return null;
    case 'predict':
      return runTaskMethod(task, request.method, request.batch);
    case 'tensorCount':
      return tf.memory().numTensors;
  }
}

port.on('message', (request: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    reply = { id: request.id, ok: true, result: handle(request) };
  } catch (error) {
    if (request.kind === 'step') barrier.abort();
    const err = error as Error;
    reply = {
      id: request.id,
      ok: false,
      error: `worker ${setup.rank}: ${err.message ?? String(error)}`,
      secondary: error instanceof AbortedError,
    };
  }
  port.postMessage(reply);
});
port.postMessage({ id: -1, ok: true, result: null } satisfies WorkerReply);
