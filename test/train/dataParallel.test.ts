import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/initBackend.js';
import { createTrainer, DataParallelTrainer } from '../../src/train/dataParallel.js';
import type { Trainer, TrainerWeights } from '../../src/train/localTrainer.js';
import { TINY_TASK_MODULE, tinyBatch } from './fixtures/tinyConvTask.js';

function flat(weights: TrainerWeights): Float32Array {
  const all = [...weights.trainable, ...weights.state];
  const out = new Float32Array(all.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of all) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

function maxRelativeDifference(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

const spec = (seed: number) => ({ module: TINY_TASK_MODULE, options: { seed } });
const STEPS = 5;

async function train(trainer: Trainer, steps: number): Promise<number[]> {
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) losses.push((await trainer.step(tinyBatch(100 + s, 12))).loss);
  return losses;
}

describe('data-parallel training', () => {
  let parallel: DataParallelTrainer;

  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
    parallel = (await createTrainer({ spec: spec(7), workers: 2, optimizer: { kind: 'adam', learningRate: 0.01 } })) as DataParallelTrainer;
  });
  afterAll(async () => parallel?.dispose());

  it('keeps identical weights in both workers and matches a single-thread run on the same global batch', async () => {
    expect(parallel).toBeInstanceOf(DataParallelTrainer);
    expect(parallel.backend.backend).toBe('wasm');
    const local = await createTrainer({ spec: spec(7), workers: 1, optimizer: { kind: 'adam', learningRate: 0.01 } });
    const start = flat(await local.getWeights());
    const parallelLosses = await train(parallel, STEPS);
    const localLosses = await train(local, STEPS);
    const [w0, w1] = await parallel.getAllWeights();
    expect(Array.from(flat(w0))).toEqual(Array.from(flat(w1)));
    const single = flat(await local.getWeights());
    expect(maxRelativeDifference(single, start)).toBeGreaterThan(1e-3);
    expect(maxRelativeDifference(flat(w0), single)).toBeLessThan(1e-5);
    parallelLosses.forEach((l, s) => expect(l).toBeCloseTo(localLosses[s], 5));
    expect((await parallel.getOptimizerState()).step).toBe(STEPS);
    await local.dispose();
  });

  it('splits prediction across workers and returns the rows in order', async () => {
    const batch = tinyBatch(3, 7);
    const local = await createTrainer({ spec: spec(7), workers: 1 });
    await local.setWeights(await parallel.getWeights());
    const expected = await local.predict('encode', batch);
    const got = await parallel.predict('encode', batch);
    expect(got.shape).toEqual(expected.shape);
    expect(maxRelativeDifference(got.data, expected.data)).toBeLessThan(1e-6);
    await local.dispose();
  });

  it('reports an unknown prediction method with its name', async () => {
    await expect(parallel.predict('decodeEverything', tinyBatch(1, 4))).rejects.toThrow(
      'option "method": expected the name of a method of the task, got "decodeEverything"',
    );
  });

  it('rejects a batch smaller than the number of workers', async () => {
    await expect(parallel.step(tinyBatch(1, 1))).rejects.toThrow('a batch of 1 examples cannot be split across 2 workers');
  });
});
