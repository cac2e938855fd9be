import { describe, expect, it } from 'vitest';
import { trainPhase } from '../../src/train/regimes/trainPhase.js';
import type { Trainer, TrainerWeights } from '../../src/train/localTrainer.js';
import type { HostBatch } from '../../src/data/hostBatch.js';

/** A trainer whose single weight counts the steps taken. */
function countingTrainer(stepMs = 0): Trainer {
  let steps = 0;
  const weights = (): TrainerWeights => ({ trainable: [new Float32Array([steps])], state: [] });
  return {
    workers: 1,
    async step() {
      const until = performance.now() + stepMs;
      while (performance.now() < until) { /* spend time */ }
      steps += 1;
      return { loss: 1 / steps, metrics: {} };
    },
    getWeights: async () => weights(),
    setWeights: async (w) => { steps = w.trainable[0][0]; },
    getOptimizerState: async () => ({ kind: 'adam', step: steps, m: [], v: [] }),
    setOptimizerState: async () => undefined,
    predict: async () => ({ shape: [0], data: new Float32Array(0) }),
    dispose: async () => undefined,
  };
}

async function* epoch(n: number): AsyncGenerator<HostBatch> {
  for (let i = 0; i < n; i++) yield { size: 2, arrays: {}, shapes: {} };
}

describe('trainPhase', () => {
  it('validates every k steps and keeps the weights of the best validation score', async () => {
    const scores = [0.5, 0.3, 0.4, 0.35];
    let call = 0;
    const r = await trainPhase({
      label: 'test', trainer: countingTrainer(), epochBatches: () => epoch(4), stepsPerEpoch: 4, epochs: 2, seconds: 0,
      validations: 4, validate: async () => scores[call++],
    });
    expect(r.history.map((h) => h.step)).toEqual([2, 4, 6, 8]);
    expect(r.validations).toBe(4);
    expect(r.bestValidation).toBe(0.3);
    expect(r.bestStep).toBe(4);
    expect(r.best.trainable[0][0]).toBe(4);
    expect(r.images).toBe(16);
    expect(r.epochs).toBe(2);
    expect(r.stoppedBy).toBe('epochs');
  });

  it('stops at the time budget, validates there, and keeps the last weights without validation', async () => {
    const r = await trainPhase({
      label: 'test', trainer: countingTrainer(30), epochBatches: () => epoch(100), stepsPerEpoch: 100, epochs: 5, seconds: 0.1,
      validations: 1, validate: null,
    });
    expect(r.stoppedBy).toBe('time');
    expect(r.steps).toBeGreaterThanOrEqual(3);
    expect(r.steps).toBeLessThan(10);
    expect(r.history[r.history.length - 1].step).toBe(r.steps);
    expect(r.best.trainable[0][0]).toBe(r.steps);
  });

  it('a time budget that stops the phase long before its epoch limit still gets the requested validations', async () => {
    // 100 epochs × 100 steps would put 4 validations 2,500 steps apart; 0.2 s of 20 ms steps is about 10 steps.
    let call = 0;
    const scores = [0.9, 0.2, 0.5, 0.6, 0.7, 0.8];
    const r = await trainPhase({
      label: 'test', trainer: countingTrainer(20), epochBatches: () => epoch(100), stepsPerEpoch: 100, epochs: 100, seconds: 0.2,
      validations: 4, validate: async () => scores[Math.min(call++, scores.length - 1)],
    });
    expect(r.stoppedBy).toBe('time');
    expect(r.validations).toBeGreaterThanOrEqual(4);
    expect(r.history).toHaveLength(r.validations);
    expect(r.history.at(-1)?.step).toBe(r.steps);
    expect(r.bestValidation).toBe(0.2);
    expect(r.best.trainable[0][0]).toBe(r.history[1].step);
  });

  it('refuses a non-finite loss with a message naming the step', async () => {
    const trainer = countingTrainer();
    trainer.step = async () => ({ loss: NaN, metrics: {} });
    await expect(trainPhase({
      label: 'nan', trainer, epochBatches: () => epoch(2), stepsPerEpoch: 2, epochs: 1, seconds: 0, validations: 1, validate: null,
    })).rejects.toThrow(/nan, epoch 1, step 1: the training loss became NaN — lower the learning rate/);
  });
});

describe('trainPhase: early stopping and "still improving when stopped"', () => {
  it('patience ends the phase after that many validations without a better score, keeping the best weights', async () => {
    const scores = [0.5, 0.3, 0.4, 0.35, 0.31, 0.2, 0.1];
    let call = 0;
    const r = await trainPhase({
      label: 'test', trainer: countingTrainer(), epochBatches: () => epoch(10), stepsPerEpoch: 10, epochs: 7, seconds: 0,
      validations: 7, patience: 3, validate: async () => scores[call++],
    });
    // Validations every 10 steps: 0.5, 0.3 (best), then 0.4, 0.35, 0.31 — three without improvement: stop at step 50.
    expect(r.stoppedBy).toBe('converged');
    expect(r.history.map((h) => h.step)).toEqual([10, 20, 30, 40, 50]);
    expect(r.steps).toBe(50);
    expect(r.bestStep).toBe(20);
    expect(r.best.trainable[0][0]).toBe(20);
    expect(r.stillImproving).toBe(false);
  });

  it('a phase a limit ends while its best validation is in its last quarter is flagged as still improving', async () => {
    const falling = async () => 1 / (call += 1);
    let call = 0;
    const byTime = await trainPhase({
      label: 'test', trainer: countingTrainer(10), epochBatches: () => epoch(100), stepsPerEpoch: 100, epochs: 100, seconds: 0.15,
      validations: 4, patience: 2, validate: falling,
    });
    expect(byTime.stoppedBy).toBe('time');
    expect(byTime.bestStep).toBe(byTime.steps);
    expect(byTime.stillImproving).toBe(true);
    // Best early, then worse until the epochs ran out (patience off): not flagged.
    const early = [0.1, 0.5, 0.6, 0.7];
    let k = 0;
    const flat = await trainPhase({
      label: 'test', trainer: countingTrainer(), epochBatches: () => epoch(4), stepsPerEpoch: 4, epochs: 2, seconds: 0,
      validations: 4, validate: async () => early[k++],
    });
    expect(flat.stoppedBy).toBe('epochs');
    expect(flat.stillImproving).toBe(false);
    // Without validation there is nothing to judge.
    const none = await trainPhase({
      label: 'test', trainer: countingTrainer(), epochBatches: () => epoch(4), stepsPerEpoch: 4, epochs: 1, seconds: 0, validations: 1, validate: null,
    });
    expect(none.stillImproving).toBeNull();
  });
});
