/**
 * The shard queue against a real redis-server (Debian's; .ci/run installs it), started by this test on a free
 * loopback port and stopped at the end: three worker processes over two small catalogs, one worker killed with
 * SIGKILL in the middle of a job, one catalog with a corrupt image in its second shard.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/initBackend.js';
import { getSchema } from '../../src/data/schemas/index.js';
import { readParquet } from '../../src/data/parquet.js';
import { resolvePreprocessOptions } from '../../src/data/preprocess.js';
import { ShardedTable } from '../../src/data/shardedTable.js';
import { BayesianCnn } from '../../src/models/bayesianCnn.js';
import { saveBayesianCnn } from '../../src/models/bayesianCnnCheckpoint.js';
import { mergeTable } from '../../src/jobs/mergeTable.js';
import { openQueue, queueStatus, shardJobId, submitShardJobs } from '../../src/jobs/shardQueue.js';
import { predictSharded, predictTableSpec, type PredictShardedOptions } from '../../src/workflows/predict/predictShards.js';
import { PREDICT_SHARDED_FIELDS } from '../../src/workflows/predict/predictShards.js';
import { resolveFields } from '../../src/util/fields.js';
import { hasRedis, startRedis, startWorker as startQueueWorker } from './redisServer.js';

if (!hasRedis) console.warn('test/jobs/shardQueue.test.ts skipped: redis-server is not installed (apt-get install redis-server; .ci/run installs it)');

const dir = mkdtempSync(join(tmpdir(), 'shard-queue-'));
let stopRedis: (() => void) | null = null;
let url = '';
const model = join(dir, 'model');
const options = { models: [model], passes: 40, batchSize: 4, shardSize: 6, seed: 7, progress: false };

async function writeCatalog(name: string, count: number, corrupt: number[] = []): Promise<string> {
  const folder = join(dir, name);
  mkdirSync(join(folder, 'images'), { recursive: true });
  const lines = ['id,image'];
  for (let i = 0; i < count; i++) {
    const file = join(folder, 'images', `${name}${i}.png`);
    if (corrupt.includes(i)) writeFileSync(file, 'this is not a PNG');
    else await sharp(Buffer.from(Array.from({ length: 256 }, (_, p) => (p * (i + 3) * 7) % 256)), { raw: { width: 16, height: 16, channels: 1 } }).png().toFile(file);
    lines.push(`${name}${i},images/${name}${i}.png`);
  }
  writeFileSync(join(folder, 'labels.csv'), lines.join('\n') + '\n');
  return folder;
}

async function submit(catalog: string, out: string): Promise<void> {
  const o = resolveFields(PREDICT_SHARDED_FIELDS, { ...options, catalog, out }) as PredictShardedOptions;
  const table = ShardedTable.create(out, (await predictTableSpec(o)).spec);
  await submitShardJobs(table, { redis: url, queue: 'test', attempts: 2, backoffMs: 100 });
}

/** A worker process (backend cpu, lock 3 s, exits when the queue is empty). */
const startWorker = () => startQueueWorker(url, 'test', 3);

describe.skipIf(!hasRedis)('shard queue on redis-server', () => {
  beforeAll(async () => {
    const redis = await startRedis();
    url = redis.url;
    stopRedis = redis.stop;
    await initBackend({ backend: 'cpu' });
    const net = new BayesianCnn({ schema: getSchema('gz2').def, imageSize: 16, blocks: [[4], [4]], denseUnits: 8, seed: 2 });
    saveBayesianCnn(model, net, { preprocessing: resolvePreprocessOptions({ size: 16 }), step: 0, optimizer: null });
    net.dispose();
  });
  afterAll(() => {
    stopRedis?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('three workers, one killed mid-job: every galaxy once, equal to a single process; a poisoned shard fails with its reason', async () => {
    const clean = await writeCatalog('c', 24);
    const poisoned = await writeCatalog('p', 12, [8]);
    await submit(clean, join(dir, 'clean'));
    await submit(poisoned, join(dir, 'poisoned'));
    const workers = [startWorker(), startWorker(), startWorker()];
    // SIGKILL the first worker to start a job of the clean table, while it runs it.
    let victim: { worker: (typeof workers)[number]; shard: string; pid: number } | null = null;
    while (victim === null) {
      for (const w of workers) {
        const started = w.lines.find((l) => l.includes(': started') && l.includes(join(dir, 'clean')));
        if (started !== undefined) {
          w.child.kill('SIGKILL');
          victim = { worker: w, shard: started.replace(/^.*: (shard \d+ of \S+): started.*$/, '$1'), pid: w.child.pid! };
          break;
        }
        if (w.child.exitCode !== null) throw new Error(`a worker ended early:\n${w.lines.join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await victim.worker.exited).toBe(null);
    const codes = await Promise.all(workers.filter((w) => w !== victim!.worker).map((w) => w.exited));
    const log = workers.flatMap((w) => w.lines).join('\n');
    expect(codes, log).toEqual([0, 0]);

    // The killed job was recovered (stalled) and made by another worker.
    const [, shard, out] = /^shard (\d+) of (\S+)$/.exec(victim.shard)!;
    const table = ShardedTable.open(out);
    const receipt = table.receipt(Number(shard));
    expect(receipt, log).not.toBeNull();
    expect(receipt!.writer).not.toMatch(new RegExp(`:${victim.pid}$`));
    const queue = openQueue(url, 'test');
    const job = await queue.getJob(shardJobId(table, Number(shard)));
    expect(job!.attemptsStarted, log).toBeGreaterThanOrEqual(2);
    await queue.close();

    const status = await queueStatus(url, 'test');
    expect(status, log).toMatchObject({ done: 5, failed: 1, running: 0, waiting: 0, delayed: 0 });
    expect(status.retried).toBeGreaterThanOrEqual(2);
    expect(status.failures).toHaveLength(1);
    expect(status.failures[0]).toMatchObject({ shard: 1, out: join(dir, 'poisoned'), attempts: 2 });
    expect(status.failures[0].reason).toMatch(/p8\.png/);

    // Merged: every galaxy exactly once, identical to one process making the same table.
    const merged = await mergeTable(join(dir, 'clean'));
    expect(merged).toMatchObject({ galaxies: 24, shards: 4, leftOut: 0 });
    const rows = (await readParquet(merged.file)).rows;
    expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 24 }, (_, i) => `c${i}`));
    const single = await predictSharded({ ...options, catalog: clean, out: join(dir, 'single') });
    expect(rows).toEqual((await readParquet(single.files.predictions)).rows);

    // The poisoned table's other shard is done; the merge refuses the unfinished table.
    expect(ShardedTable.open(join(dir, 'poisoned')).missing()).toEqual([1]);
    await expect(mergeTable(join(dir, 'poisoned'))).rejects.toThrow(/1 of 2 shards are not finished \(first: 1\)/);
  }, 240_000);
});
