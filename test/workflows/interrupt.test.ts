/**
 * Interruption of the training jobs other than `train` (whose CLI runs are signalled in train/trainFaults.test.ts):
 * a stop asked for before the job (what the CLI's SIGINT handler does) is acted on at the first training step —
 * InterruptedError with 130, "interrupted at <where>" and what to do in run.log, the run folder's lock released —
 * and a completed Table 1 cell survives for --resume.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/initBackend.js';
import { clearInterrupt, InterruptedError, requestInterrupt } from '../../src/util/interrupt.js';
import { LOCK_FILE } from '../../src/util/runLock.js';
import { activeLearn } from '../../src/workflows/activeLearning/activeLearn.js';
import { simulate } from '../../src/workflows/simulate/simulate.js';
import { runTable1, type Table1Options } from '../../src/workflows/table1/table1.js';

const dir = mkdtempSync(join(tmpdir(), 'gm-interrupt-'));
const sim = join(dir, 'sim');

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  await simulate({ n: 60, out: sim, size: 16, seed: 4, progress: false, gridTiles: 0 });
});
afterEach(() => clearInterrupt());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function interrupted(job: Promise<unknown>): Promise<InterruptedError> {
  const error = await job.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(InterruptedError);
  return error as InterruptedError;
}

describe('SIGINT/SIGTERM in experiment table1 and active-learn', () => {
  it('experiment table1: stops in the cell being trained, keeps the completed cells, says how to resume; --resume finishes the table', async () => {
    const out = join(dir, 'table1');
    const tiny: Partial<Table1Options> = {
      out, data: sim, imageSize: 16, labels: [8, 16], seeds: 1, batchSize: 8, epochs: 1, cellSeconds: 0, validations: 1, valSize: 8,
      split: { train: 0.5, val: 0.2, test: 0.3 }, regimes: ['plain-cnn'], workers: 1, backend: 'cpu',
    };
    // A run whose second cell did not complete (its result removed), resumed with a stop asked for: the first cell is
    // skipped, the second one stops at its first step.
    const first = await runTable1(tiny);
    expect(first.cells).toHaveLength(2);
    const second = first.cells.find((c) => c.labels === 16)!;
    rmSync(join(out, 'cells', `plain-cnn-16-seed${second.seed}`, 'result.json'));
    requestInterrupt('SIGINT');
    const e = await interrupted(runTable1({ ...tiny, resume: true }));
    clearInterrupt();
    expect(e.exitCode).toBe(130);
    expect(e.message).toMatch(/^interrupted at plain-cnn-16-seed\d+ at epoch 1 step 0 \(by SIGINT\); 1 of 2 cells are complete and kept; resume with the same options and resume: true \(the interrupted cell starts again\)$/);
    expect(readFileSync(join(out, 'run.log'), 'utf8')).toContain(e.message);
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
    const resumed = await runTable1({ ...tiny, resume: true });
    expect(resumed.cells.map((c) => c.labels)).toEqual([8, 16]);
    expect(readFileSync(join(out, 'run.log'), 'utf8')).toMatch(/plain-cnn-8-seed\d+: done earlier, skipped \(--resume\)/);
  }, 600_000);

  it('active-learn: stops in the round being trained and says the run cannot be resumed', async () => {
    const out = join(dir, 'al');
    requestInterrupt('SIGTERM');
    const e = await interrupted(activeLearn({
      data: sim, out, progress: false, seed: 1, workers: 1, initialLabels: 6, valSize: 4, perRound: 4, rounds: 1, poolSize: 16, testSize: 8, passes: 2,
      imageSize: 16, blocks: [[4]], denseUnits: 8, epochs: 2, batchSize: 4,
    }));
    expect(e.exitCode).toBe(143);
    expect(e.message).toMatch(/^interrupted at bald round 0 at epoch 1 step 0 \(by SIGTERM\); 0 rounds were scored \(see run\.log\); active-learn cannot resume a run: start again with the same options$/);
    expect(readFileSync(join(out, 'run.log'), 'utf8')).toContain(e.message);
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
  }, 600_000);
});
