/**
 * The queue of jobs on Redis, through BullMQ: `galmorph queue submit predict|embed` adds one job per shard of a
 * sharded table (data/shardedTable.ts) that is not done yet, `queue submit table1` one per cell of a Table 1 grid
 * (table1Jobs.ts); `galmorph worker` (shardWorker.ts) runs them on any number of machines that see the same --out
 * folder, `galmorph queue status` reports progress and failures.
 *
 * A job only names its folder and its piece of work (shard index, or cell); everything else (catalog, model,
 * options) is in the folder's manifest or config.json, so a job is small and a retried job does exactly the same
 * work. Job ids name the folder and the piece (`<fingerprint>-<folder hash>-<shard>`): submitting again adds only
 * the pieces not done (a job of such a piece left completed or failed by an earlier submission is replaced; BullMQ
 * ignores an id it holds waiting or running), and a piece's result is its own file, written atomically, so retries
 * and duplicates cannot add a galaxy twice.
 * Failed attempts are retried with exponential backoff; after the last one the job stays in BullMQ's failed list
 * with the error message. A worker killed mid-job stops renewing its lock; BullMQ's stalled-job check then moves
 * the job back to the waiting list for another worker (within the lock time, --lock-seconds).
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { Queue, type Job } from 'bullmq';
import { ShardedTable } from '../data/shardedTable.js';
import { field } from '../util/fields.js';
import { redisOptions } from './redisConnection.js';
import { table1JobName, table1Progress, type Table1JobData, type Table1JobResult, type Table1Progress } from './table1Jobs.js';

export const DEFAULT_QUEUE = 'galmorph';

/** Where the queue is (every queue command and the worker). */
export const QUEUE_FIELDS = {
  redis: field.string({ default: 'redis://127.0.0.1:6379', flag: '--redis <url>', help: 'URL of the Redis server holding the queue' }),
  queue: field.string({ default: DEFAULT_QUEUE, flag: '--queue <name>', help: 'queue name (several queues can share one Redis)' }),
};

/** How shard jobs are retried (queue submit). */
export const SUBMIT_FIELDS = {
  attempts: field.integer({ default: 3, min: 1, max: 100, flag: '--attempts <n>', help: 'attempts per shard before it is listed as failed' }),
  backoffMs: field.integer({ default: 10_000, min: 0, max: 86_400_000, flag: '--backoff-ms <ms>', help: 'delay before the first retry, doubled for each further retry' }),
};

/** What a shard job carries: the table folder (absolute, as every machine must see it) and the shard index. */
export interface ShardJobData {
  /** The table's kind (its manifest's). */
  kind: 'predict' | 'embed';
  out: string;
  shard: number;
  rows: number;
}

/** What a finished shard job returns (kept by BullMQ; read by status). */
export interface ShardJobResult {
  shard: number;
  rows: number;
  leftOut: number;
  seconds: number;
  /** CPU seconds of the worker process (all its threads) during the job. */
  cpuSeconds: number;
  /** The shard was already done when the job ran (a duplicate or a retry after the work had finished). */
  alreadyDone: boolean;
  worker: string;
}

/** Any job of the queue, and what it returns. */
export type QueueJobData = ShardJobData | Table1JobData;
export type QueueJobResult = ShardJobResult | Table1JobResult;

export interface SubmitOptions {
  redis: string;
  queue: string;
  /** Attempts per shard (1 + retries). @default 3 */
  attempts: number;
  /** First retry delay in ms, doubled each retry. @default 10000 */
  backoffMs: number;
}

export function openQueue(redis: string, name: string): Queue<QueueJobData, QueueJobResult> {
  return new Queue<QueueJobData, QueueJobResult>(name, { connection: redisOptions(redis) });
}

export function shardJobId(table: ShardedTable, shard: number): string {
  const folder = createHash('sha256').update(resolve(table.dir)).digest('hex').slice(0, 8);
  return `${table.manifest.fingerprint.slice(0, 16)}-${folder}-${shard}`;
}

/** A job to add: its BullMQ id (one per piece of work), data and retry policy. */
export interface NewJob {
  name: string;
  id: string;
  data: QueueJobData;
  attempts: number;
  backoffMs: number;
}

/**
 * Adds jobs for pieces of work that are not done. A job of the same id left completed or failed (an earlier
 * submission whose output has since gone, or whose attempts ran out) is removed first, so the piece runs again;
 * one still waiting or running is kept (BullMQ ignores the new one).
 */
export async function addJobs(options: Pick<SubmitOptions, 'redis' | 'queue'>, jobs: readonly NewJob[]): Promise<void> {
  if (jobs.length === 0) return;
  const queue = openQueue(options.redis, options.queue);
  try {
    for (const j of jobs) {
      const old = await queue.getJob(j.id);
      if (old !== undefined && ((await old.isFailed()) || (await old.isCompleted()))) await old.remove();
    }
    await queue.addBulk(jobs.map((j) => ({
      name: j.name, data: j.data,
      opts: { jobId: j.id, attempts: j.attempts, backoff: { type: 'exponential', delay: j.backoffMs }, removeOnComplete: false, removeOnFail: false },
    })));
  } finally {
    await queue.close();
  }
}

/** Adds a job for every shard of `table` that is not done; returns how many were added and how many were done. */
export async function submitShardJobs(table: ShardedTable, options: SubmitOptions): Promise<{ added: number; done: number; shards: number }> {
  const missing = table.missing();
  const out = resolve(table.dir);
  const kind = table.manifest.kind as ShardJobData['kind'];
  await addJobs(options, missing.map((k) => {
    const s = table.shard(k);
    return { name: kind, id: shardJobId(table, k), data: { kind, out, shard: k, rows: s.rowEnd - s.rowStart }, attempts: options.attempts, backoffMs: options.backoffMs };
  }));
  return { added: missing.length, done: table.shardCount - missing.length, shards: table.shardCount };
}

export interface QueueStatus {
  queue: string;
  waiting: number;
  running: number;
  delayed: number;
  done: number;
  failed: number;
  /** Jobs started more than once: retried after an error, or recovered after their worker died (stalled). */
  retried: number;
  /** Galaxies in done jobs per second of wall time from the first job's start to the last job's end. */
  galaxiesPerSecond: number | null;
  galaxiesDone: number;
  /** Galaxies in done jobs per CPU second the workers spent on them (the per-core rate, whatever else the machines run). */
  galaxiesPerCpuSecond: number | null;
  /** Each table1 run folder with jobs in the queue: its cells done of the grid (read from the folder). */
  table1: Table1Progress[];
  /** Jobs failed after their last attempt: the folder, the piece (shard index, or cell name) and the reason. */
  failures: { id: string; out: string; shard: number | null; cell: string | null; attempts: number; reason: string }[];
}

export async function queueStatus(redis: string, name: string): Promise<QueueStatus> {
  const queue = openQueue(redis, name);
  try {
    const counts = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed');
    const completed = await queue.getJobs(['completed'], 0, -1) as Job<QueueJobData, QueueJobResult>[];
    const failed = await queue.getJobs(['failed'], 0, -1) as Job<QueueJobData, QueueJobResult>[];
    const active = await queue.getJobs(['active', 'waiting', 'delayed'], 0, -1) as Job<QueueJobData, QueueJobResult>[];
    let first = Infinity;
    let last = -Infinity;
    let galaxies = 0;
    let cpuSeconds = 0;
    for (const job of completed) {
      if (job.data.kind === 'table1') continue;
      if (job.processedOn !== undefined) first = Math.min(first, job.processedOn);
      if (job.finishedOn !== undefined) last = Math.max(last, job.finishedOn);
      const r = job.returnvalue as ShardJobResult | undefined;
      if (r?.alreadyDone === false) {
        galaxies += job.data.rows;
        cpuSeconds += r.cpuSeconds;
      }
    }
    const all = [...completed, ...failed, ...active];
    const retried = all.filter((j) => j.attemptsStarted > 1).length;
    const table1Folders = [...new Set(all.filter((j) => j.data.kind === 'table1').map((j) => j.data.out))].sort();
    return {
      queue: name,
      waiting: counts.waiting + counts.prioritized,
      running: counts.active,
      delayed: counts.delayed,
      done: counts.completed,
      failed: counts.failed,
      retried,
      galaxiesDone: galaxies,
      galaxiesPerSecond: galaxies > 0 && last > first ? galaxies / ((last - first) / 1000) : null,
      galaxiesPerCpuSecond: galaxies > 0 && cpuSeconds > 0 ? galaxies / cpuSeconds : null,
      table1: table1Folders.map(table1Progress),
      failures: failed.map((j) => ({
        id: j.id ?? '', out: j.data.out, shard: j.data.kind === 'table1' ? null : j.data.shard,
        cell: j.data.kind === 'table1' ? table1JobName(j.data) : null, attempts: j.attemptsMade, reason: j.failedReason,
      })),
    };
  } finally {
    await queue.close();
  }
}

/** Jobs still to run (waiting, running or waiting for a retry). */
export async function pendingJobs(queue: Queue<QueueJobData, QueueJobResult>): Promise<number> {
  const c = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed');
  return c.waiting + c.prioritized + c.active + c.delayed;
}
