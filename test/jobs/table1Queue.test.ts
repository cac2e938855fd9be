/**
 * Table 1 grids on the queue against a real redis-server (started by the test, see redisServer.ts): a tiny
 * simulated grid (supervised and two-step, whose seed's VAE pre-training is a job of its own; 16 px, one epoch) made
 * by two worker processes, one cell made to fail its first attempt; the cells, and the merged table, equal a single-process `experiment table1` run, and
 * `experiment table1 --resume` on the queue's folder finds every cell done.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, type BackendDescription } from '../../src/backend/initBackend.js';
import { mergeTable } from '../../src/jobs/mergeTable.js';
import { queueStatus } from '../../src/jobs/shardQueue.js';
import { submitTable1Jobs } from '../../src/jobs/table1Jobs.js';
import { resolveTable1Options, runTable1, type Table1Options } from '../../src/workflows/table1/table1.js';
import type { CellResult } from '../../src/workflows/table1/table1Cell.js';
import { hasRedis, startRedis, startWorker } from './redisServer.js';
import { cellOutcome } from './table1Outcome.js';

if (!hasRedis) console.warn('test/jobs/table1Queue.test.ts skipped: redis-server is not installed (apt-get install redis-server; .ci/run installs it)');

const dir = mkdtempSync(join(tmpdir(), 'table1-queue-'));
let redis: { url: string; stop: () => void } | null = null;
let backend: BackendDescription;

const TINY: Partial<Table1Options> = {
  preset: 'quick', imageSize: 16, labels: [8], seeds: 1, regimes: ['supervised', 'two-step'], batchSize: 8, epochs: 1, pretrainEpochs: 1,
  cellSeconds: 0, pretrainSeconds: 0, validations: 1, valSize: 8, simulate: 60, simulateUnlabelled: 20, latentDim: 4,
  split: { train: 0.5, val: 0.2, test: 0.3 }, rotations: 0, workers: 1, backend: 'wasm',
};


describe.skipIf(!hasRedis)('table1 cells on the queue', () => {
  beforeAll(async () => {
    redis = await startRedis();
    backend = await initBackend({ backend: 'wasm' });
  });
  afterAll(() => {
    redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('two workers make every cell (one retried after a failure); merge and --resume give what one process gives', async () => {
    const out = join(dir, 'queued');
    const o = resolveTable1Options({ ...TINY, out });
    const submitted = await submitTable1Jobs(o, backend, { redis: redis!.url, queue: 't1', attempts: 3, backoffMs: 1000 });
    // The supervised cell and the seed's pre-training run at once; the two-step cell waits for the pre-training job.
    expect(submitted).toMatchObject({ cells: 2, cellsDone: 0, jobsAdded: 2, cellsWaiting: 1 });
    // A file where the cell's folder must go: its first attempt fails when it saves its model.
    mkdirSync(join(out, 'cells'), { recursive: true });
    const blocker = join(out, 'cells', 'supervised-8-seed0');
    writeFileSync(blocker, 'in the way');
    const workers = [startWorker(redis!.url, 't1', 120, 'wasm'), startWorker(redis!.url, 't1', 120, 'wasm')];
    const log = () => workers.flatMap((w) => w.lines).join('\n');
    let cleared = false;
    const watching = setInterval(() => {
      if (!cleared && /table1 supervised-8-seed0 of .*: attempt 1 failed/.test(log())) {
        rmSync(blocker);
        cleared = true;
      }
    }, 20);
    const codes = await Promise.all(workers.map((w) => w.exited));
    clearInterval(watching);
    expect(codes, log()).toEqual([0, 0]);
    expect(cleared, log()).toBe(true);
    // Both workers took jobs; the pre-training job added the two-step cell.
    expect(workers.every((w) => w.lines.some((l) => l.includes(': started'))), log()).toBe(true);
    expect(log()).toMatch(/table1 pretrain-seed0 of .*: done in [\d.]+ s, 1 cell jobs added/);

    const status = await queueStatus(redis!.url, 't1');
    expect(status, log()).toMatchObject({ done: 3, failed: 0, running: 0, waiting: 0, delayed: 0, galaxiesDone: 0 });
    expect(status.retried).toBeGreaterThanOrEqual(1);
    expect(status.table1).toEqual([{ out, cells: 2, cellsDone: 2, pretrainDone: 1, pretrainNeeded: 1 }]);

    const merged = await mergeTable(out);
    expect(merged).toMatchObject({ kind: 'table1', cells: 2, file: join(out, 'summary.md') });
    for (const f of ['results.json', 'results.csv', 'cells.csv', 'figures/error_vs_labels.png']) expect(existsSync(join(out, f)), f).toBe(true);

    // One process, another folder: the same cells and the same table.
    const single = await runTable1({ ...TINY, out: join(dir, 'single') });
    const queued = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { cells: CellResult[]; aggregate: { regime: string; sumAbs: unknown; rmse: unknown }[] };
    const byName = (cells: CellResult[]) => [...cells].sort((a, b) => a.seed - b.seed || a.regime.localeCompare(b.regime)).map(cellOutcome);
    expect(byName(queued.cells)).toEqual(byName(single.cells));
    expect(queued.aggregate.map((r) => [r.regime, r.sumAbs, r.rmse])).toEqual(single.aggregate.map((r) => [r.regime, r.sumAbs, r.rmse]));

    // experiment table1 --resume on the queue's folder: every cell is found done, none is made again.
    const resumed = await runTable1({ ...TINY, out, resume: true });
    expect(resumed.cells.map(cellOutcome)).toEqual(single.cells.map(cellOutcome));

    // Submitting the finished folder again adds nothing; other settings for it are refused.
    expect(await submitTable1Jobs(o, backend, { redis: redis!.url, queue: 't1', attempts: 3, backoffMs: 1000 })).toMatchObject({ cellsDone: 2, jobsAdded: 0 });
    await expect(submitTable1Jobs(resolveTable1Options({ ...TINY, out, epochs: 2 }), backend, { redis: redis!.url, queue: 't1', attempts: 3, backoffMs: 1000 }))
      .rejects.toThrow(/expected the same settings as .*config\.json.*, got "different epochs"/);
  }, 600_000);

  it('merge refuses a grid with cells not done, naming them', async () => {
    const out = join(dir, 'unfinished');
    await submitTable1Jobs(resolveTable1Options({ ...TINY, out, regimes: ['supervised'], seeds: 1 }), backend, { redis: redis!.url, queue: 't1-unfinished', attempts: 1, backoffMs: 0 });
    await expect(mergeTable(out)).rejects.toThrow(/1 of 1 cells are not done \(first: supervised-8-seed0\)/);
  }, 120_000);
});
