import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/initBackend.js';
import { createTrainer, DataParallelTrainer } from '../../src/train/dataParallel.js';
import type { Trainer } from '../../src/train/localTrainer.js';
import { TINY_TASK_MODULE, tinyBatch } from './fixtures/tinyConvTask.js';

const spec = (seed: number) => ({ module: TINY_TASK_MODULE, options: { seed } });

async function weightsAfter(trainer: Trainer, steps: number): Promise<number[]> {
  for (let s = 0; s < steps; s++) await trainer.step(tinyBatch(200 + s, 8));
  const w = await trainer.getWeights();
  await trainer.dispose();
  return [...w.trainable, ...w.state].flatMap((a) => Array.from(a));
}

describe('trainer determinism and memory', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
  });

  it('gives identical weights for the same seed and different weights for another seed', async () => {
    const a = await weightsAfter(await createTrainer({ spec: spec(3) }), 6);
    const b = await weightsAfter(await createTrainer({ spec: spec(3) }), 6);
    const c = await weightsAfter(await createTrainer({ spec: spec(4) }), 6);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('keeps the number of live tensors flat over 200 single-thread training steps', async () => {
    const trainer = await createTrainer({ spec: spec(5), optimizer: { kind: 'adam', learningRate: 0.01 } });
    const batch = tinyBatch(9, 8);
    await trainer.step(batch);
    const before = tf.memory().numTensors;
    let first = NaN;
    let last = NaN;
    for (let s = 0; s < 200; s++) {
      last = (await trainer.step(batch)).loss;
      if (s === 0) first = last;
      expect(tf.memory().numTensors).toBe(before);
    }
    expect(last).toBeLessThan(first);
    await trainer.predict('encode', batch);
    expect(tf.memory().numTensors).toBe(before);
    await trainer.dispose();
  });

  describe('with two workers', () => {
    let parallel: DataParallelTrainer;
    beforeAll(async () => {
      parallel = (await createTrainer({ spec: spec(3), workers: 2 })) as DataParallelTrainer;
    });
    afterAll(async () => parallel?.dispose());

    it('keeps every worker’s live tensors flat over 50 steps and predictions', async () => {
      const batch = tinyBatch(9, 8);
      await parallel.step(batch);
      const before = await parallel.workerTensorCounts();
      for (let s = 0; s < 50; s++) await parallel.step(batch);
      await parallel.predict('encode', batch);
      expect(await parallel.workerTensorCounts()).toEqual(before);
    });

    it('restores weights and optimiser state so training continues exactly as without the round trip', async () => {
      const weights = await parallel.getWeights();
      const state = await parallel.getOptimizerState();
      await parallel.step(tinyBatch(11, 8));
      const continued = await parallel.getWeights();
      await parallel.setWeights(weights);
      await parallel.setOptimizerState(state);
      await parallel.step(tinyBatch(11, 8));
      expect(await parallel.getWeights()).toEqual(continued);
    });
  });
});
