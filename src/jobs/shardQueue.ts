/**
 * The queue of shard jobs on Redis, through BullMQ: `galmorph queue submit` adds one job per shard of a sharded
 * table (data/shardedTable.ts) that is not done yet, `galmorph worker` (shardWorker.ts) runs them on any number of
 * machines that see the same --out folder, `galmorph queue status` reports progress and failures.
 *
 * A job only names its table folder and shard index; everything else (catalog, model, options) is in the table's
 * manifest, so a job is small and a retried job does exactly the same work. Job ids are `<fingerprint>-<shard>`:
 * submitting again adds only the shards that have no job yet (BullMQ ignores an id it holds), and a shard's result
 * is its own file, written atomically, so retries and duplicates cannot add a galaxy twice.
 * Failed attempts are retried with exponential backoff; after the last one the job stays in BullMQ's failed list
 * with the error message. A worker killed mid-job stops renewing its lock; BullMQ's stalled-job check then moves
 * the job back to the waiting list for another worker (within the lock time, --lock-seconds).
 */
import { resolve } from 'node:path';
import { Queue, type Job } from 'bullmq';
import { ShardedTable } from '../data/shardedTable.js';
import { field } from '../util/fields.js';
import { redisOptions } from './redisConnection.js';

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
  kind: string;
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

export interface SubmitOptions {
  redis: string;
  queue: string;
  /** Attempts per shard (1 + retries). @default 3 */
  attempts: number;
  /** First retry delay in ms, doubled each retry. @default 10000 */
  backoffMs: number;
}

export function openQueue(redis: string, name: string): Queue<ShardJobData, ShardJobResult> {
  return new Queue<ShardJobData, ShardJobResult>(name, { connection: redisOptions(redis) });
}

export function shardJobId(table: ShardedTable, shard: number): string {
  return `${table.manifest.fingerprint.slice(0, 16)}-${shard}`;
}

/** Adds a job for every shard of `table` that is not done; returns how many were added and how many were done. */
export async function submitShardJobs(table: ShardedTable, options: SubmitOptions): Promise<{ added: number; done: number; shards: number }> {
  const queue = openQueue(options.redis, options.queue);
  try {
    const missing = table.missing();
    const out = resolve(table.dir);
    // A job left in the failed list from an earlier submission would block its id: resubmitting retries it.
    for (const k of missing) {
      const old = await queue.getJob(shardJobId(table, k));
      if (old !== undefined && (await old.isFailed())) await old.remove();
    }
    await queue.addBulk(missing.map((k) => {
      const s = table.shard(k);
      return {
        name: table.manifest.kind,
        data: { kind: table.manifest.kind, out, shard: k, rows: s.rowEnd - s.rowStart },
        opts: { jobId: shardJobId(table, k), attempts: options.attempts, backoff: { type: 'exponential', delay: options.backoffMs }, removeOnComplete: false, removeOnFail: false },
      };
    }));
    return { added: missing.length, done: table.shardCount - missing.length, shards: table.shardCount };
  } finally {
    await queue.close();
  }
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
  failures: { id: string; out: string; shard: number; attempts: number; reason: string }[];
}

export async function queueStatus(redis: string, name: string): Promise<QueueStatus> {
  const queue = openQueue(redis, name);
  try {
    const counts = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed');
    const completed = await queue.getJobs(['completed'], 0, -1) as Job<ShardJobData, ShardJobResult>[];
    const failed = await queue.getJobs(['failed'], 0, -1) as Job<ShardJobData, ShardJobResult>[];
    const active = await queue.getJobs(['active', 'waiting', 'delayed'], 0, -1) as Job<ShardJobData, ShardJobResult>[];
    let first = Infinity;
    let last = -Infinity;
    let galaxies = 0;
    let cpuSeconds = 0;
    for (const job of completed) {
      if (job.processedOn !== undefined) first = Math.min(first, job.processedOn);
      if (job.finishedOn !== undefined) last = Math.max(last, job.finishedOn);
      if (job.returnvalue?.alreadyDone === false) {
        galaxies += job.data.rows;
        cpuSeconds += job.returnvalue.cpuSeconds;
      }
    }
    const retried = [...completed, ...failed, ...active].filter((j) => j.attemptsStarted > 1).length;
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
      failures: failed.map((j) => ({ id: j.id ?? '', out: j.data.out, shard: j.data.shard, attempts: j.attemptsMade, reason: j.failedReason })),
    };
  } finally {
    await queue.close();
  }
}

/** Jobs still to run (waiting, running or waiting for a retry). */
export async function pendingJobs(queue: Queue<ShardJobData, ShardJobResult>): Promise<number> {
  const c = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed');
  return c.waiting + c.prioritized + c.active + c.delayed;
}
