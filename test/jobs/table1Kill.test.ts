/**
 * A table1 worker killed in the middle of a cell, against a real redis-server (started by the test, see
 * redisServer.ts): a tiny simulated grid of two supervised cells (16 px, 8 labels, seeds 0 and 1, ten steps each,
 * validated every two) made by two worker processes; the worker making the first cell to reach its first validation
 * (step 2 of 10) is killed with SIGKILL there. BullMQ's stalled-job check must hand that cell to the other worker, and
 * the cells and the merged table must equal a single-process `experiment table1` run.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, type BackendDescription } from '../../src/backend/initBackend.js';
import { mergeTable } from '../../src/jobs/mergeTable.js';
import { openQueue, queueStatus } from '../../src/jobs/shardQueue.js';
import { submitTable1Jobs, table1JobId, type Table1JobResult } from '../../src/jobs/table1Jobs.js';
import { resolveTable1Options, runTable1, type Table1Options } from '../../src/workflows/table1/table1.js';
import type { CellResult } from '../../src/workflows/table1/table1Cell.js';
import { hasRedis, startRedis, startWorker } from './redisServer.js';
import { cellOutcome } from './table1Outcome.js';

if (!hasRedis) console.warn('test/jobs/table1Kill.test.ts skipped: redis-server is not installed (apt-get install redis-server; .ci/run installs it)');

const dir = mkdtempSync(join(tmpdir(), 'table1-kill-'));
let redis: { url: string; stop: () => void } | null = null;
let backend: BackendDescription;

/** Two cells of ten steps (8 labels, batch 8, 10 epochs), validated at steps 2, 4, …, 10. */
const TINY: Partial<Table1Options> = {
  preset: 'quick', imageSize: 16, labels: [8], seeds: 2, regimes: ['supervised'], batchSize: 8, epochs: 10, cellSeconds: 0, validations: 5, valSize: 8,
  simulate: 60, simulateUnlabelled: 20, latentDim: 4, split: { train: 0.5, val: 0.2, test: 0.3 }, rotations: 0, workers: 1, backend: 'wasm',
};
/** Lock time of the workers (s): the killed worker's cell is handed on within about three times this. */
const LOCK_SECONDS = 5;

const bySeed = (cells: CellResult[]) => [...cells].sort((a, b) => a.seed - b.seed).map(cellOutcome);

describe.skipIf(!hasRedis)('a table1 worker killed mid-cell', () => {
  beforeAll(async () => {
    redis = await startRedis();
    backend = await initBackend({ backend: 'wasm' });
  });
  afterAll(() => {
    redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('SIGKILL at a cell\'s first validation: the stalled-job check hands it on; cells and table equal one process\'s', async () => {
    const out = join(dir, 'queued');
    const submitted = await submitTable1Jobs(resolveTable1Options({ ...TINY, out }), backend, { redis: redis!.url, queue: 'kill', attempts: 2, backoffMs: 100 });
    expect(submitted).toMatchObject({ cells: 2, cellsDone: 0, jobsAdded: 2, cellsWaiting: 0 });
    const workers = [startWorker(redis!.url, 'kill', LOCK_SECONDS, 'wasm'), startWorker(redis!.url, 'kill', LOCK_SECONDS, 'wasm')];
    const log = () => workers.flatMap((w) => w.lines).join('\n');

    // Wait for a cell's first validation (step 2 of 10) in the run's log, then kill the worker making that cell.
    let victim: { worker: (typeof workers)[number]; cell: string; pid: number } | null = null;
    const deadline = Date.now() + 300_000;
    while (victim === null) {
      const runLog = existsSync(join(out, 'run.log')) ? readFileSync(join(out, 'run.log'), 'utf8') : '';
      const cell = /\] (supervised-8-seed\d): step 2 epoch/.exec(runLog)?.[1];
      if (cell !== undefined) {
        const worker = workers.find((w) => w.lines.filter((l) => l.includes(': started')).at(-1)?.includes(`table1 ${cell} of `));
        if (worker === undefined) throw new Error(`no worker is making ${cell}:\n${log()}`);
        worker.child.kill('SIGKILL');
        victim = { worker, cell, pid: worker.child.pid! };
        break;
      }
      if (workers.some((w) => w.child.exitCode !== null) || Date.now() > deadline) throw new Error(`a worker ended, or no cell reached step 2:\n${log()}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await victim.worker.exited).toBe(null);
    const survivor = workers.find((w) => w !== victim!.worker)!;
    expect(await survivor.exited, log()).toBe(0);
    // Killed before it could finish: its result was not saved by it.
    expect(victim.worker.lines.some((l) => l.includes(`table1 ${victim!.cell} of`) && l.includes(': done')), log()).toBe(false);

    // The killed cell's job was moved back by the stalled-job check (not failed and retried) and made by the survivor.
    const queue = openQueue(redis!.url, 'kill');
    const job = await queue.getJob(table1JobId(out, victim.cell));
    await queue.close();
    expect(job!.stalledCounter, log()).toBeGreaterThanOrEqual(1);
    expect(job!.attemptsStarted, log()).toBeGreaterThanOrEqual(2);
    const result = job!.returnvalue as Table1JobResult;
    expect(result.alreadyDone).toBe(false);
    expect(result.worker, log()).toMatch(new RegExp(`:${survivor.child.pid}$`));
    expect(survivor.lines.some((l) => l.includes(`table1 ${victim!.cell} of`) && l.includes(': done in')), log()).toBe(true);

    const status = await queueStatus(redis!.url, 'kill');
    expect(status, log()).toMatchObject({ done: 2, failed: 0, running: 0, waiting: 0, delayed: 0 });
    expect(status.table1).toEqual([{ out, cells: 2, cellsDone: 2, pretrainDone: 0, pretrainNeeded: 0 }]);

    // Merged table = one process's (another folder); --resume on the queue's folder finds both cells done.
    await mergeTable(out);
    const single = await runTable1({ ...TINY, out: join(dir, 'single') });
    const queued = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { cells: CellResult[]; aggregate: { regime: string; sumAbs: unknown; rmse: unknown }[] };
    expect(bySeed(queued.cells)).toEqual(bySeed(single.cells));
    expect(queued.aggregate.map((r) => [r.regime, r.sumAbs, r.rmse])).toEqual(single.aggregate.map((r) => [r.regime, r.sumAbs, r.rmse]));
    const resumed = await runTable1({ ...TINY, out, resume: true });
    expect(bySeed(resumed.cells)).toEqual(bySeed(single.cells));
  }, 600_000);
});
