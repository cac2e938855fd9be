/**
 * Table 1 grids on the queue (`galmorph queue submit table1 …`): the submit sets the run folder up as `experiment
 * table1` does (settings, simulated data, loss balance: workflows/table1/table1Setup.ts) and adds one BullMQ job per
 * cell (regime × labels × seed) that is not done, plus one per seed whose VAE pre-training the two-step and M1 cells
 * need and that is not saved yet; a pre-training job adds its seed's cells when it is done, so no worker waits on
 * another. A worker makes a cell exactly as `experiment table1` does (runAndSaveCell) in the same run folder. A cell
 * is done when its `cells/<name>/result.json` exists: jobs are idempotent (a duplicate, or a retry after the work
 * finished, returns at once), a retried cell starts again and overwrites only its own files, and `experiment table1
 * --resume` and the queue continue each other's work. `queue merge` writes the report once every cell is done.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Job } from 'bullmq';
import { currentBackend, type BackendDescription } from '../backend/initBackend.js';
import { needsPretraining, type Regime } from '../train/regimes/regimePhases.js';
import { InputError } from '../util/errors.js';
import { RunFolder } from '../util/runFolder.js';
import { cellName, pretrain, type CellResult } from '../workflows/table1/table1Cell.js';
import type { AggregateRow } from '../workflows/table1/table1Report.js';
import {
  gridCellFile, pretrainDone, readCellResult, readTable1Config, reportTable1, runAndSaveCell, setupTable1, table1Grid, type GridCell, type Table1Settings, type Table1Setup,
} from '../workflows/table1/table1Setup.js';
import { addJobs, type NewJob, type SubmitOptions } from './shardQueue.js';

export const TABLE1_JOB_KIND = 'table1';

/** A table1 job: the run folder (absolute, as every machine must see it) and one cell, or one seed's pre-training. */
export interface Table1JobData {
  kind: typeof TABLE1_JOB_KIND;
  out: string;
  task: 'cell' | 'pretrain';
  seed: number;
  /** The cell's regime and label count (null for a pre-training job). */
  regime: Regime | null;
  labels: number | null;
}

export interface Table1JobResult {
  kind: typeof TABLE1_JOB_KIND;
  /** The cell's name, or pretrain-seed<s>. */
  name: string;
  seconds: number;
  /** CPU seconds of the worker process (all its threads) during the job. */
  cpuSeconds: number;
  /** The cell (or pre-training) was already saved when the job ran. */
  alreadyDone: boolean;
  /** Cell jobs a pre-training job added. */
  added: number;
  worker: string;
}

/** The job's piece of work: the cell's name, or pretrain-seed<s>. */
export function table1JobName(d: Pick<Table1JobData, 'task' | 'seed' | 'regime' | 'labels'>): string {
  return d.task === 'pretrain' ? `pretrain-seed${d.seed}` : cellName(d.regime!, d.labels!, d.seed);
}

/** `t1-<hash of the run folder>-<cell or pretrain-seed<s>>`: one id per piece of work of a run folder. */
export function table1JobId(out: string, name: string): string {
  return `t1-${createHash('sha256').update(resolve(out)).digest('hex').slice(0, 12)}-${name}`;
}

function cellJob(out: string, c: GridCell, o: SubmitOptions): NewJob {
  const data: Table1JobData = { kind: TABLE1_JOB_KIND, out, task: 'cell', seed: c.seed, regime: c.regime, labels: c.labels };
  return { name: TABLE1_JOB_KIND, id: table1JobId(out, table1JobName(data)), data, attempts: o.attempts, backoffMs: o.backoffMs };
}

/** The jobs a run folder still needs: cells not done, but for those waiting on a pre-training not saved, that pre-training. */
function pendingWork(setupDir: string, grid: readonly GridCell[], o: SubmitOptions): { jobs: NewJob[]; cellsDone: number; cellsWaiting: number } {
  const out = resolve(setupDir);
  const jobs: NewJob[] = [];
  const pretrainSeeds = new Set<number>();
  let cellsDone = 0;
  let cellsWaiting = 0;
  for (const c of grid) {
    if (readCellResult(out, c) !== null) cellsDone++;
    else if (needsPretraining(c.regime) && !pretrainDone(out, c.seed)) {
      cellsWaiting++;
      pretrainSeeds.add(c.seed);
    } else jobs.push(cellJob(out, c, o));
  }
  for (const seed of pretrainSeeds) {
    const data: Table1JobData = { kind: TABLE1_JOB_KIND, out, task: 'pretrain', seed, regime: null, labels: null };
    jobs.push({ name: TABLE1_JOB_KIND, id: table1JobId(out, table1JobName(data)), data, attempts: o.attempts, backoffMs: o.backoffMs });
  }
  return { jobs, cellsDone, cellsWaiting };
}

export interface Table1SubmitResult {
  out: string;
  cells: number;
  cellsDone: number;
  /** Jobs added: cells, and pre-training jobs (whose cells follow them). */
  jobsAdded: number;
  /** Cells that wait for their seed's pre-training job. */
  cellsWaiting: number;
}

/** Sets the run folder up (continuing one with the same settings) and adds its jobs to the queue. */
export async function submitTable1Jobs(o: Table1Settings, backend: BackendDescription, submit: SubmitOptions): Promise<Table1SubmitResult> {
  using run = new RunFolder(o.out);
  const setup = await setupTable1(o, run, backend, 'continue');
  const { jobs, cellsDone, cellsWaiting } = pendingWork(run.dir, setup.grid, submit);
  await addJobs(submit, jobs);
  run.log(`queue ${submit.queue}: ${jobs.length} table1 jobs added (${cellsDone} of ${setup.grid.length} cells done, ${cellsWaiting} waiting for pre-training)`);
  return { out: resolve(run.dir), cells: setup.grid.length, cellsDone, jobsAdded: jobs.length, cellsWaiting };
}

/** A worker's set-up of one run folder, made once and kept for its jobs (datasets decoded once per worker). */
export class Table1JobRunner {
  private constructor(readonly setup: Table1Setup, readonly key: string) {}

  /** The runner for `out` as its config.json now is (a changed config.json gets a new runner). */
  static key(out: string): string {
    return `${resolve(out)}\0${statSync(join(out, 'config.json')).mtimeMs}`;
  }

  static async open(out: string): Promise<Table1JobRunner> {
    const backend = currentBackend();
    if (backend === null) throw new Error('table1 jobs need the backend initialised first (galmorph worker does it: --backend)');
    // Workers write only their own cells' files, so they share the folder without its lock.
    const run = new RunFolder(out, { lock: false, echo: false });
    const setup = await setupTable1(readTable1Config(out), run, backend, 'read');
    return new Table1JobRunner(setup, Table1JobRunner.key(out));
  }

  /** Makes the job's cell or pre-training unless it is saved; a pre-training job returns the cell jobs it unlocks. */
  async run(data: Table1JobData, submit: SubmitOptions): Promise<{ result: Omit<Table1JobResult, 'cpuSeconds' | 'worker' | 'added'>; followUps: NewJob[] }> {
    const t0 = performance.now();
    const name = table1JobName(data);
    const dir = this.setup.run.dir;
    if (data.task === 'pretrain') {
      const done = pretrainDone(dir, data.seed);
      await pretrain(this.setup.ctx, data.seed);
      const followUps = this.setup.grid.filter((c) => c.seed === data.seed && needsPretraining(c.regime) && readCellResult(dir, c) === null).map((c) => cellJob(dir, c, submit));
      return { result: { kind: TABLE1_JOB_KIND, name, seconds: (performance.now() - t0) / 1000, alreadyDone: done }, followUps };
    }
    const cell: GridCell = { regime: data.regime!, labels: data.labels!, seed: data.seed };
    if (!this.setup.grid.some((c) => gridCellFile(c) === gridCellFile(cell))) {
      throw new InputError(`cell ${name} is not in the run's grid`, { file: join(dir, 'config.json') }, 'the run folder was set up again with other settings; submit it again');
    }
    const done = readCellResult(dir, cell) !== null;
    if (!done) await runAndSaveCell(this.setup, cell);
    return { result: { kind: TABLE1_JOB_KIND, name, seconds: (performance.now() - t0) / 1000, alreadyDone: done }, followUps: [] };
  }
}

/** Runs a table1 job in a worker, keeping one runner per run folder; adds the follow-up jobs of a pre-training. */
export async function processTable1Job(job: Job<Table1JobData>, runners: Map<string, Table1JobRunner>, submitOf: (job: Job) => SubmitOptions): Promise<Table1JobResult> {
  const { out } = job.data;
  const key = Table1JobRunner.key(out);
  let runner = runners.get(key);
  if (runner === undefined) {
    // A folder submitted again has a new config.json: its older set-up is dropped.
    for (const old of [...runners.keys()].filter((k) => k.startsWith(`${resolve(out)}\0`))) runners.delete(old);
    runner = await Table1JobRunner.open(out);
    runners.set(key, runner);
  }
  const cpu0 = process.cpuUsage();
  const submit = submitOf(job);
  const { result, followUps } = await runner.run(job.data, submit);
  if (followUps.length > 0) await addJobs(submit, followUps);
  const cpu = process.cpuUsage(cpu0);
  return { ...result, cpuSeconds: (cpu.user + cpu.system) / 1e6, added: followUps.length, worker: `${hostname()}:${process.pid}` };
}

/** A table1 run's progress, read from its run folder (null where the folder cannot be read from here). */
export interface Table1Progress {
  out: string;
  cells: number | null;
  cellsDone: number | null;
  /** Seeds whose pre-training is saved, of those the grid needs. */
  pretrainDone: number | null;
  pretrainNeeded: number | null;
}

export function table1Progress(out: string): Table1Progress {
  try {
    const o = readTable1Config(out);
    const grid = table1Grid(o);
    const seeds = [...new Set(grid.filter((c) => needsPretraining(c.regime)).map((c) => c.seed))];
    return {
      out, cells: grid.length, cellsDone: grid.filter((c) => readCellResult(out, c) !== null).length,
      pretrainDone: seeds.filter((s) => pretrainDone(out, s)).length, pretrainNeeded: seeds.length,
    };
  } catch {
    return { out, cells: null, cellsDone: null, pretrainDone: null, pretrainNeeded: null };
  }
}

export interface Table1MergeResult {
  cells: CellResult[];
  aggregate: AggregateRow[];
  summary: string;
  file: string;
}

/**
 * `galmorph queue merge` of a table1 run folder: every cell of the grid must be done; writes the same results,
 * tables, figures and summary.md as `experiment table1` (table1Report.ts). The total time is from the first cell's
 * start to the last cell's end (what the workers spent, wall clock).
 */
export async function mergeTable1(out: string): Promise<Table1MergeResult> {
  using run = new RunFolder(out);
  const o = readTable1Config(out);
  const backend = (JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as { backendDescription?: BackendDescription }).backendDescription ?? currentBackend();
  if (backend === null || backend === undefined) throw new InputError('config.json has no backendDescription', { file: join(out, 'config.json') }, 'submit the run again');
  const setup = await setupTable1(o, run, backend, 'read');
  const cells: CellResult[] = [];
  const missing: string[] = [];
  let first = Infinity;
  let last = -Infinity;
  for (const c of setup.grid) {
    const result = readCellResult(out, c);
    if (result === null) {
      missing.push(cellName(c.regime, c.labels, c.seed));
      continue;
    }
    cells.push(result);
    const end = statSync(join(out, gridCellFile(c))).mtimeMs;
    first = Math.min(first, end - result.wallSeconds * 1000);
    last = Math.max(last, end);
  }
  if (missing.length > 0) {
    throw new InputError(`${missing.length} of ${setup.grid.length} cells are not done (first: ${missing.slice(0, 5).join(', ')})`, { file: out },
      'start workers (galmorph worker) or submit again until every cell is done; galmorph queue status shows progress and failures');
  }
  const { summary, rows } = await reportTable1(setup, cells, (last - first) / 1000, []);
  run.log(`merged ${cells.length} cells into ${run.path('summary.md')}`);
  return { cells, aggregate: rows, summary, file: run.path('summary.md') };
}
