import { describe, expect, it } from 'vitest';
import { trainingLoop, ValidationPlan, type LoopEvent, type TrainingLoopOptions } from '../../src/train/trainingLoop.js';
import type { Trainer } from '../../src/train/localTrainer.js';
import type { HostBatch } from '../../src/data/hostBatch.js';
import { clearInterrupt, InterruptedError, requestInterrupt } from '../../src/util/interrupt.js';

function trainer(stepMs = 0, workers = 1): Trainer & { steps: number } {
  const t = {
    steps: 0,
    workers,
    async step(batch: HostBatch) {
      const until = performance.now() + stepMs;
      while (performance.now() < until) { /* spend time */ }
      t.steps += 1;
      return { loss: batch.size, metrics: { m: 2 * batch.size } };
    },
    getWeights: async () => ({ trainable: [], state: [] }),
    setWeights: async () => undefined,
    getOptimizerState: async () => ({ kind: 'adam' as const, step: t.steps, m: [], v: [] }),
    setOptimizerState: async () => undefined,
    predict: async () => ({ shape: [0], data: new Float32Array(0) }),
    dispose: async () => undefined,
  };
  return t;
}

function batches(sizes: number[]): HostBatch[] {
  return sizes.map((size) => ({ size, arrays: {}, shapes: {} }));
}

async function collect(o: TrainingLoopOptions, onValidate?: () => Promise<void>): Promise<LoopEvent[]> {
  const events: LoopEvent[] = [];
  for await (const e of trainingLoop(o)) {
    events.push(e);
    if (e.type === 'validate' && onValidate) await onValidate();
  }
  return events;
}

describe('trainingLoop', () => {
  it('epoch schedule: a validation after every epoch, galaxy-weighted epoch means, resuming at a later epoch', async () => {
    const seen: number[] = [];
    const events = await collect({
      trainer: trainer(), epochBatches: (e) => { seen.push(e); return batches([4, 2]); }, stepsPerEpoch: 2,
      limits: { epochs: 4 }, validation: 'epoch', firstEpoch: 3, label: 't',
    });
    expect(seen).toEqual([3, 4]);
    expect(events.map((e) => e.type)).toEqual(['epoch-start', 'step', 'step', 'validate', 'epoch-end', 'epoch-start', 'step', 'step', 'validate', 'epoch-end', 'end']);
    const summary = events.find((e) => e.type === 'epoch-end');
    // losses 4 and 2 weighted by 4 and 2 galaxies: (16 + 4) / 6
    expect(summary?.type === 'epoch-end' && summary.summary).toMatchObject({ epoch: 3, galaxies: 6, steps: 2, stopped: false });
    expect(summary?.type === 'epoch-end' && summary.summary.loss).toBeCloseTo(20 / 6, 12);
    expect(summary?.type === 'epoch-end' && summary.summary.metrics.m).toBeCloseTo(40 / 6, 12);
    expect(events.at(-1)).toMatchObject({ type: 'end', stoppedBy: 'epochs', steps: 4, images: 12, validations: 2 });
  });

  it('a step limit ends the run with stoppedBy "steps" and a last validation where it stopped', async () => {
    const events = await collect({
      trainer: trainer(), epochBatches: () => batches([1, 1, 1, 1, 1]), stepsPerEpoch: 5,
      limits: { epochs: 10, steps: 7 }, validation: { count: 2 }, label: 't',
    });
    const validations = events.filter((e) => e.type === 'validate').map((e) => (e.type === 'validate' ? e.step : -1));
    expect(validations).toEqual([4, 7]);
    expect(events.at(-1)).toMatchObject({ type: 'end', stoppedBy: 'steps', steps: 7, validations: 2 });
  });

  it('the wall clock counts validation time; the training clock does not', async () => {
    const slowValidation = () => new Promise<void>((resolve) => setTimeout(resolve, 60));
    const options = (clock: 'wall' | 'training'): TrainingLoopOptions => ({
      trainer: trainer(1), epochBatches: () => batches([1, 1]), stepsPerEpoch: 2,
      limits: { epochs: 6, seconds: 0.1, clock }, validation: 'epoch', label: 't',
    });
    const wall = await collect(options('wall'), slowValidation);
    const ends = wall.filter((e) => e.type === 'epoch-end');
    expect(ends.length).toBe(2); // 60 ms of validation after each epoch: the budget is gone after the second
    expect((ends.at(-1) as { summary: { stopped: boolean } }).summary.stopped).toBe(true);
    expect(wall.at(-1)).toMatchObject({ type: 'end', stoppedBy: 'time' });
    const training = await collect(options('training'), slowValidation);
    expect(training.at(-1)).toMatchObject({ type: 'end', stoppedBy: 'epochs', steps: 12 });
  });

  it('stopAfterValidation ends training right after the validation that asks it, with stoppedBy "converged"', async () => {
    let asked = 0;
    const events = await collect({
      trainer: trainer(), epochBatches: () => batches([1, 1, 1, 1]), stepsPerEpoch: 4,
      limits: { epochs: 10 }, validation: { count: 10 }, label: 't', stopAfterValidation: () => (asked += 1) >= 3,
    });
    const validated = events.filter((e) => e.type === 'validate').map((e) => (e.type === 'validate' ? e.step : -1));
    expect(validated).toEqual([4, 8, 12]); // 40 steps / 10 validations: every 4; the third asks to stop
    expect(events.at(-1)).toMatchObject({ type: 'end', stoppedBy: 'converged', steps: 12, validations: 3 });
    const epochEnds = await collect({
      trainer: trainer(), epochBatches: () => batches([1, 1]), stepsPerEpoch: 2, limits: { epochs: 5 }, validation: 'epoch', label: 't',
      stopAfterValidation: () => true,
    });
    expect(epochEnds.filter((e) => e.type === 'epoch-end').map((e) => e.type === 'epoch-end' && e.summary.stopped)).toEqual([true]);
    expect(epochEnds.at(-1)).toMatchObject({ type: 'end', stoppedBy: 'converged', steps: 2, validations: 1 });
  });

  it('leaves out batches too small for the workers, says so, and stops on a non-finite loss naming the step', async () => {
    const events = await collect({
      trainer: trainer(0, 2), epochBatches: () => batches([4, 1]), stepsPerEpoch: 2, limits: { epochs: 2 }, validation: 'none', label: 't',
    });
    expect(events.filter((e) => e.type === 'note')).toHaveLength(1); // said once per run
    expect(events.at(-1)).toMatchObject({ type: 'end', steps: 2, images: 8, validations: 0 });
    const bad = trainer();
    bad.step = async () => ({ loss: Number.POSITIVE_INFINITY, metrics: {} });
    await expect(collect({ trainer: bad, epochBatches: () => batches([2]), stepsPerEpoch: 1, limits: { epochs: 1 }, validation: 'none', label: 'job' }))
      .rejects.toThrow(/job, epoch 1, step 1: the training loss became Infinity/);
  });
});

describe('ValidationPlan', () => {
  it('spreads V validations over the step limit, or over the time budget when that comes first', () => {
    const bySteps = new ValidationPlan(4, 100, null);
    const due: number[] = [];
    for (let s = 1; s <= 100; s++) if (bySteps.due(s, 0)) { due.push(s); bySteps.done(s, 0); }
    expect(due).toEqual([25, 50, 75, 100]);
    const byTime = new ValidationPlan(4, 10_000, 2);
    const at: number[] = [];
    for (let s = 1; s <= 40; s++) if (byTime.due(s, s * 0.05)) { at.push(s); byTime.done(s, s * 0.05); }
    expect(at).toEqual([10, 20, 30, 40]); // every 0.5 s of the 2 s budget
    expect(() => new ValidationPlan(0, 10, null)).toThrow(/count 0 must be an integer ≥ 1/);
  });

  it('an interrupt stops at the next step boundary with the position in the epoch; resuming from it replays nothing and skips nothing', async () => {
    // Batches carry their (epoch, index) so the steps taken can be compared; sizes differ so the epoch means do too.
    const sizes = [3, 1, 4, 1, 5];
    const epochBatches = (epoch: number) => sizes.map((size, k) => ({ size, arrays: { id: Float32Array.of(epoch * 10 + k) }, shapes: { id: [1] } }));
    const steppedBy = () => {
      const ids: number[] = [];
      const t = trainer();
      const step = t.step;
      t.step = async (batch: HostBatch) => {
        ids.push(batch.arrays.id[0]);
        return step(batch);
      };
      return { t, ids };
    };
    const options = (t: Trainer): TrainingLoopOptions => ({ trainer: t, epochBatches, stepsPerEpoch: 5, limits: { epochs: 3 }, validation: 'epoch', label: 'toy' });
    const straight = steppedBy();
    const whole = await collect(options(straight.t));

    const first = steppedBy();
    const before: LoopEvent[] = [];
    let error: unknown = null;
    try {
      for await (const e of trainingLoop(options(first.t))) {
        before.push(e);
        // A signal arriving during the second step of epoch 2: that step finishes, the third never starts.
        if (e.type === 'step' && e.epoch === 2 && e.step === 7) requestInterrupt('SIGTERM');
      }
    } catch (e) {
      error = e;
    } finally {
      clearInterrupt();
    }
    expect(error).toBeInstanceOf(InterruptedError);
    const stopped = error as InterruptedError;
    expect(stopped.signal).toBe('SIGTERM');
    expect(stopped.exitCode).toBe(143);
    expect(stopped.loopSteps).toBe(7);
    expect(stopped.progress).toEqual({ epoch: 2, batches: 2, steps: 2, galaxies: 4, lossSum: 3 * 3 + 1 * 1, metricSums: { m: 2 * 3 * 3 + 2 * 1 * 1 } });
    expect(stopped.message).toMatch(/interrupted by SIGTERM in toy at epoch 2 step 7/);
    expect(first.ids).toEqual([10, 11, 12, 13, 14, 20, 21]);

    const second = steppedBy();
    const after = await collect({ ...options(second.t), firstEpoch: 2, resumeWithin: stopped.progress });
    expect([...first.ids, ...second.ids]).toEqual(straight.ids);
    const summaries = (events: LoopEvent[]) => events.flatMap((e) => (e.type === 'epoch-end' ? [e.summary] : []));
    expect([...summaries(before), ...summaries(after)]).toEqual(summaries(whole));
    await expect(collect({ ...options(second.t), firstEpoch: 3, resumeWithin: stopped.progress })).rejects.toThrow(/resuming inside epoch 2, but the first epoch to run is 3/);
  });
});

