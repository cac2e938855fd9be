/**
 * A worker process of the queue (`galmorph worker`): a BullMQ Worker that takes shard jobs (shardQueue.ts) and
 * makes each shard with the runner of its table's kind, keeping one loaded runner per table so a model is loaded
 * once per worker, not once per shard; and table1 jobs (table1Jobs.ts), keeping one set-up per run folder.
 *
 * A job whose shard is already done (its receipt and file check out) returns at once: a duplicate or a job retried
 * after its work had finished costs nothing and changes nothing. Any error fails the attempt with its message
 * (BullMQ retries it with backoff, then lists it as failed). SIGINT/SIGTERM close the worker after the jobs it
 * is running; kill -9 leaves them to BullMQ's stalled-job check (lock time `lockSeconds`).
 */
import { hostname } from 'node:os';
import { Worker, type Job } from 'bullmq';
import { ShardedTable } from '../data/shardedTable.js';
import { InputError } from '../util/errors.js';
import { field } from '../util/fields.js';
import { interruptRequested } from '../util/interrupt.js';
import { PredictShardRunner } from '../workflows/predict/predictShards.js';
import { EmbedShardRunner } from '../workflows/embed/embedShards.js';
import { redisOptions } from './redisConnection.js';
import { openQueue, pendingJobs, type QueueJobData, type QueueJobResult, type ShardJobData, type ShardJobResult } from './shardQueue.js';
import { processTable1Job, table1JobName, type Table1JobData, type Table1JobRunner } from './table1Jobs.js';

/** `galmorph worker`'s own options (beside QUEUE_FIELDS). */
export const WORKER_FIELDS = {
  concurrency: field.integer({ default: 1, min: 1, max: 64, flag: '--concurrency <n>', help: 'jobs run at once in this process (1 per process and several processes use the cores best)' }),
  lockSeconds: field.number({ default: 30, min: 1, max: 3600, flag: '--lock-seconds <s>', help: 'job lock time: a killed worker\'s job is handed to another worker after about this long' }),
  untilEmpty: field.boolean({ default: false, flag: '--until-empty', help: 'exit when the queue has no job left to run (e.g. inside a batch-cluster job) instead of waiting for more' }),
};

export interface WorkerOptions {
  redis: string;
  queue: string;
  /** Jobs run at once in this process. @default 1 */
  concurrency: number;
  /** How long a job's lock lasts without renewal: a killed worker's job is taken over after about this long. @default 30 */
  lockSeconds: number;
  /** Exit when no job is waiting, running or waiting for a retry (a batch-cluster job), instead of waiting for more. @default false */
  untilEmpty: boolean;
  /** Called with one line per event (job started, done, failed). @default console.log */
  log: (line: string) => void;
}

/** A table kind's shard maker. */
interface ShardRunner {
  run(index: number): Promise<{ rows: number; leftOut: unknown[]; seconds: number }>;
  dispose(): void;
}

function createRunner(table: ShardedTable): ShardRunner {
  const kind = table.manifest.kind;
  switch (kind) {
    case 'predict':
      return new PredictShardRunner(table);
    case 'embed':
      return new EmbedShardRunner(table);
    default:
      throw new InputError(`no worker for tables of kind "${kind}"`, { file: table.dir }, 'this galmorph runs predict and embed jobs; update galmorph on this machine');
  }
}

/** A job's piece of work and folder, for the worker's log lines. */
function describeJob(d: QueueJobData): string {
  return d.kind === 'table1' ? `table1 ${table1JobName(d)} of ${d.out}` : `shard ${d.shard} of ${d.out}`;
}

/** Runs jobs until interrupted (or, with untilEmpty, until the queue has none left); resolves with the jobs done. */
export async function runShardWorker(options: WorkerOptions): Promise<{ done: number; failed: number }> {
  const runners = new Map<string, ShardRunner>();
  const me = `${hostname()}:${process.pid}`;
  const lockDuration = Math.round(options.lockSeconds * 1000);
  let done = 0;
  let failed = 0;
  const processShard = async (job: Job<ShardJobData>): Promise<ShardJobResult> => {
    const { out, shard } = job.data;
    const table = ShardedTable.open(out);
    const key = `${out}\0${table.manifest.fingerprint}`;
    options.log(`${me}: shard ${shard} of ${out}: started (attempt ${job.attemptsStarted})`);
    const receipt = table.receipt(shard);
    if (receipt !== null) return { shard, rows: receipt.rows, leftOut: receipt.leftOut.length, seconds: 0, cpuSeconds: 0, alreadyDone: true, worker: me };
    let runner = runners.get(key);
    if (runner === undefined) {
      runner = createRunner(table);
      runners.set(key, runner);
    }
    const cpu0 = process.cpuUsage();
    const made = await runner.run(shard);
    const cpu = process.cpuUsage(cpu0);
    return { shard, rows: made.rows, leftOut: made.leftOut.length, seconds: made.seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, alreadyDone: false, worker: me };
  };
  const table1Runners = new Map<string, Table1JobRunner>();
  // A pre-training job's follow-up cells get the pre-training job's own retry policy.
  const submitOf = (job: Job) => ({ redis: options.redis, queue: options.queue, attempts: job.opts.attempts ?? 1, backoffMs: typeof job.opts.backoff === 'object' ? job.opts.backoff.delay ?? 0 : job.opts.backoff ?? 0 });
  const processor = async (job: Job<QueueJobData, QueueJobResult>): Promise<QueueJobResult> => {
    if (job.data.kind !== 'table1') return processShard(job as Job<ShardJobData>);
    options.log(`${me}: ${describeJob(job.data)}: started (attempt ${job.attemptsStarted})`);
    return processTable1Job(job as Job<Table1JobData>, table1Runners, submitOf);
  };
  const worker = new Worker<QueueJobData, QueueJobResult>(options.queue, processor, {
    connection: redisOptions(options.redis),
    concurrency: options.concurrency,
    lockDuration,
    // Check for stalled jobs (a dead worker's) as often as a lock could expire; a job may stall twice before it fails.
    stalledInterval: lockDuration,
    maxStalledCount: 2,
    autorun: false,
  });
  worker.on('completed', (job, result) => {
    done++;
    const what = result.alreadyDone ? 'already done' : 'shard' in result ? `done, ${result.rows} galaxies in ${result.seconds.toFixed(1)} s` :
      `done in ${result.seconds.toFixed(1)} s${result.added > 0 ? `, ${result.added} cell jobs added` : ''}`;
    options.log(`${me}: ${describeJob(job.data)}: ${what}`);
  });
  worker.on('failed', (job, err) => {
    failed++;
    if (job !== undefined) options.log(`${me}: ${describeJob(job.data)}: attempt ${job.attemptsMade} failed: ${err.message}`);
  });
  worker.on('error', (err) => options.log(`${me}: worker error: ${err.message}`));
  const running = worker.run();
  const queue = options.untilEmpty ? openQueue(options.redis, options.queue) : null;
  try {
    // Stop on a signal (after the running jobs) or, with untilEmpty, when nothing is left to run.
    for (;;) {
      await new Promise((r) => setTimeout(r, 500));
      if (interruptRequested() !== null) break;
      if (queue !== null && (await pendingJobs(queue)) === 0) break;
    }
  } finally {
    await worker.close();
    await running;
    await queue?.close();
    for (const r of runners.values()) r.dispose();
    for (const r of table1Runners.values()) r.setup.run.close();
  }
  return { done, failed };
}
