import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrainer, DataParallelTrainer } from '../../src/train/dataParallel.js';
import { CRASH_TARGET, FAIL_TARGET, TINY_TASK_MODULE, tinyBatch } from './fixtures/tinyConvTask.js';

describe('data-parallel training when one worker fails', () => {
  let trainer: DataParallelTrainer;
  beforeAll(async () => {
    trainer = (await createTrainer({ spec: { module: TINY_TASK_MODULE, options: { seed: 1 } }, workers: 2 })) as DataParallelTrainer;
  });
  afterAll(async () => trainer?.dispose());

  it('rejects the step with the failing worker’s message instead of hanging, then refuses further use', async () => {
    const batch = tinyBatch(4, 6);
    batch.arrays.target[5] = FAIL_TARGET; // in the second worker's shard only
    await expect(trainer.step(batch)).rejects.toThrow(`worker 1: tiny task: target ${FAIL_TARGET} requested a failure`);
    await expect(trainer.step(tinyBatch(5, 6))).rejects.toThrow('a worker failed during a step; create a new trainer');
  });

  it('releases the other worker when one crashes mid-step and reports the crash', async () => {
    const crashing = await createTrainer({ spec: { module: TINY_TASK_MODULE, options: { seed: 1 } }, workers: 2 });
    const batch = tinyBatch(4, 6);
    batch.arrays.target[0] = CRASH_TARGET; // in the first worker's shard only
    await expect(crashing.step(batch)).rejects.toThrow('data-parallel worker 0 exited with code 3');
    await crashing.dispose();
  });

  it('reports a module without createTask, naming the file', async () => {
    const module = new URL('./fixtures/notATask.ts', import.meta.url).href;
    await expect(createTrainer({ spec: { module, options: {} }, workers: 1 })).rejects.toThrow(
      `${module}: the task module does not export a createTask(options) function`,
    );
  });
});
