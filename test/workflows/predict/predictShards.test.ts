import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/backend/initBackend.js';
import { getSchema } from '../../../src/data/schemas/index.js';
import { readParquet } from '../../../src/data/parquet.js';
import { resolvePreprocessOptions } from '../../../src/data/preprocess.js';
import { receiptFile, shardFile, ShardedTable } from '../../../src/data/shardedTable.js';
import { BayesianCnn } from '../../../src/models/bayesianCnn.js';
import { saveBayesianCnn } from '../../../src/models/bayesianCnnCheckpoint.js';
import { predict } from '../../../src/workflows/predict/predict.js';
import { PREDICT_SHARDED_FIELDS, predictSharded, predictTableSpec, type PredictShardedOptions } from '../../../src/workflows/predict/predictShards.js';
import { resolveFields } from '../../../src/util/fields.js';
import { simulate } from '../../../src/workflows/simulate/simulate.js';

const dir = mkdtempSync(join(tmpdir(), 'predict-shards-'));
const model = join(dir, 'model');
const catalog = 'sim:40,seed=5,size=16';
const common = { models: [model], catalog, passes: 4, batchSize: 4, shardSize: 8, progress: false, seed: 3 };

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  const net = new BayesianCnn({ schema: getSchema('gz2').def, imageSize: 16, blocks: [[4], [4]], denseUnits: 8, seed: 1 });
  saveBayesianCnn(model, net, { preprocessing: resolvePreprocessOptions({ size: 16 }), step: 0, optimizer: null });
  net.dispose();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('predict --shard-size', () => {
  it('gives the same numbers as predict over the same images (a simulated catalog on disk vs the same galaxies served virtually)', async () => {
    await simulate({ out: join(dir, 'sim'), n: 10, seed: 5, size: 16, progress: false });
    const inMemory = await predict({ models: [model], catalog: join(dir, 'sim'), out: join(dir, 'mem'), passes: 4, seed: 3, batchSize: 10, bald: false, progress: false });
    const streamed = await predictSharded({ ...common, catalog: 'sim:10,seed=5,size=16', out: join(dir, 'stream10'), shardSize: 10, batchSize: 10 });
    expect(streamed.galaxies).toBe(inMemory.galaxies);
    const a = await readParquet(inMemory.files.fullParquet);
    const b = await readParquet(streamed.files.predictions);
    expect(b.header).toEqual(a.header);
    // The PNG on disk holds 8-bit pixels, the virtual image float ones: equal to the PNG's quantisation.
    b.rows.forEach((row, i) => row.slice(1).forEach((v, j) => expect(v as number).toBeCloseTo(a.rows[i][j + 1] as number, 1)));
    expect(b.rows.map((r) => r[0])).toEqual(a.rows.map((r) => r[0]));
  });

  it('resumes after kill -9: the rerun makes only the missing shards and its table equals an uninterrupted run', async () => {
    const whole = await predictSharded({ ...common, out: join(dir, 'whole') });
    expect(whole).toMatchObject({ galaxies: 40, shards: 5, shardsDoneBefore: 0 });
    const out = join(dir, 'killed');
    const script = `
      const { initBackend } = await import('./src/backend/initBackend.ts');
      await initBackend({ backend: 'cpu' });
      const { predictSharded } = await import('./src/workflows/predict/predictShards.ts');
      await predictSharded(${JSON.stringify({ ...common, out, passes: 4 })});`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Kill it as soon as the first shard is finished.
    while (!existsSync(join(out, receiptFile(0)))) {
      if (child.exitCode !== null) throw new Error(`the child ended before its first shard: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe(null);
    const first = readFileSync(join(out, receiptFile(0)), 'utf8');
    const resumed = await predictSharded({ ...common, out });
    expect(resumed.shardsDoneBefore).toBeGreaterThanOrEqual(1);
    expect(resumed.shardsDoneBefore).toBeLessThan(5);
    expect(readFileSync(join(out, receiptFile(0)), 'utf8')).toBe(first);
    expect(readFileSync(join(out, 'run.log'), 'utf8')).toMatch(new RegExp(`${resumed.shardsDoneBefore} done already, making ${5 - resumed.shardsDoneBefore}`));
    expect((await readParquet(resumed.files.predictions)).rows).toEqual((await readParquet(whole.files.predictions)).rows);
  }, 120_000);

  it('--bald: every shard and the merged table carry the BALD columns, equal to predict --bald over the same galaxies', async () => {
    // The same catalog on disk both ways, batches of 5 in both (shard k's batches start at its first row), so the
    // passes, and the BALD computed from them (galaxyBald, Monte-Carlo streams by galaxy id), are the same.
    await simulate({ out: join(dir, 'sim-bald'), n: 10, seed: 6, size: 16, progress: false });
    const o = { models: [model], catalog: join(dir, 'sim-bald'), passes: 4, seed: 3, batchSize: 5, nominalN: 8, bald: true, progress: false };
    const whole = await predict({ ...o, out: join(dir, 'bald-mem') });
    const sharded = await predictSharded({ ...o, out: join(dir, 'bald-sharded'), shardSize: 5 });
    const a = await readParquet(whole.files.fullParquet);
    const b = await readParquet(sharded.files.predictions);
    const baldColumns = a.header.filter((c) => c === 'bald' || c.endsWith('_bald'));
    expect(baldColumns).toHaveLength(12); // gz2's 11 questions and their sum
    expect(b.header).toEqual(a.header);
    expect(b.rows.map((r) => r[0])).toEqual(a.rows.map((r) => r[0]));
    b.rows.forEach((row, i) => row.slice(1).forEach((v, j) => expect(v as number, `${String(row[0])} ${b.header[j + 1]}`).toBeCloseTo(a.rows[i][j + 1] as number, 9)));
    const total = b.header.indexOf('bald');
    expect(b.rows.every((r) => (r[total] as number) > 0)).toBe(true);
    for (const shard of [0, 1]) expect((await readParquet(join(dir, 'bald-sharded', shardFile(shard)))).header).toEqual(b.header);
    expect(readFileSync(join(dir, 'bald-sharded', 'summary.md'), 'utf8')).toMatch(/with the BALD columns of --bald/);
    // Without --bald a table keeps the fingerprint it had before the sharded predict could write BALD (it resumes),
    // and asking for BALD on it is a change of settings.
    const spec = async (bald: boolean) => (await predictTableSpec(resolveFields(PREDICT_SHARDED_FIELDS, { ...o, bald, out: join(dir, 'plain'), shardSize: 5 }) as PredictShardedOptions)).spec;
    const plain = await spec(false);
    expect(plain.settings).not.toHaveProperty('bald');
    ShardedTable.create(join(dir, 'plain'), plain);
    const withBald = await spec(true);
    expect(() => ShardedTable.create(join(dir, 'plain'), withBald)).toThrow(/other settings \(bald: undefined → true\)/);
  });

  it('refuses to continue a folder with other options, naming them, and --restart starts again', async () => {
    await expect(predictSharded({ ...common, out: join(dir, 'whole'), passes: 5 })).rejects.toThrow(/other settings \(passes: 4 → 5\)/);
    const again = await predictSharded({ ...common, out: join(dir, 'whole'), passes: 5, restart: true });
    expect(again.shardsDoneBefore).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'whole', 'results.json'), 'utf8'))).toMatchObject({ galaxies: 40, shards: 5 });
  });
});
