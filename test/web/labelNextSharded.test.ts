/**
 * The Label next page on a sharded predict run (`galmorph predict --shard-size N --bald`, as `queue merge` leaves it):
 * such a run writes no CSV, only the merged predictions_full.parquet, whose BALD columns the explorer reads. The
 * queue must be that table's galaxies by BALD, highest first, and "exclude voted" must leave out the galaxies its
 * catalog has votes for (here a catalog whose first 4 galaxies have none).
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/initBackend.js';
import { parseCsv, readCsv } from '../../src/data/csv.js';
import { readParquet } from '../../src/data/parquet.js';
import { resolvePreprocessOptions } from '../../src/data/preprocess.js';
import { getSchema } from '../../src/data/schemas/index.js';
import { BayesianCnn } from '../../src/models/bayesianCnn.js';
import { saveBayesianCnn } from '../../src/models/bayesianCnnCheckpoint.js';
import { Explorer } from '../../src/web/explorer.js';
import { predictSharded } from '../../src/workflows/predict/predictShards.js';
import { simulate } from '../../src/workflows/simulate/simulate.js';

const base = mkdtempSync(join(tmpdir(), 'label-next-sharded-'));
const root = join(base, 'runs');
const catalog = join(base, 'catalog');
let explorer: Explorer;
let merged: { header: string[]; rows: (string | number | null)[][] };
let unvoted: Set<string>;

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  mkdirSync(root);
  await simulate({ n: 10, out: catalog, seed: 8, size: 16, progress: false, gridTiles: 0 });
  // The first 4 galaxies lose their votes (every label column blank).
  const labels = readCsv(join(catalog, 'labels.csv'));
  const keep = new Set(['id', 'galaxy_id', 'image_file']);
  unvoted = new Set(labels.rows.slice(0, 4).map((r) => r[0]));
  writeFileSync(join(catalog, 'labels.csv'), [labels.header.join(','), ...labels.rows.map((r, k) => r.map((c, j) => (k < 4 && !keep.has(labels.header[j]) ? '' : c)).join(','))].join('\n') + '\n');
  const model = join(base, 'model');
  const net = new BayesianCnn({ schema: getSchema('gz2').def, imageSize: 16, blocks: [[4], [4]], denseUnits: 8, seed: 5 });
  saveBayesianCnn(model, net, { preprocessing: resolvePreprocessOptions({ size: 16 }), step: 0, optimizer: null });
  net.dispose();
  const run = await predictSharded({ models: [model], catalog, out: join(root, 'pred-sharded'), passes: 3, nominalN: 8, batchSize: 5, shardSize: 5, bald: true, progress: false });
  merged = await readParquet(run.files.predictions);
  explorer = new Explorer({ root: realpathSync(root), ratingsDir: join(base, 'ratings'), allowAbsolutePaths: true });
}, 300_000);

afterAll(async () => {
  await explorer?.close();
  rmSync(base, { recursive: true, force: true });
});

describe('Label next on a sharded predict run', () => {
  it('ranks the merged Parquet table\'s galaxies by BALD, leaves out the voted ones on request, and exports the queue', async () => {
    const total = merged.header.indexOf('bald');
    expect(total).toBeGreaterThan(0);
    const ranked = [...merged.rows].sort((a, b) => (b[total] as number) - (a[total] as number) || (String(a[0]) < String(b[0]) ? -1 : 1));
    const view = await explorer.labelNext('pred-sharded', false, 100);
    expect(view).toMatchObject({ run: 'pred-sharded', galaxies: 10, voted: 6, votesReason: null, excludeVoted: false });
    expect(view.questions).toHaveLength(11);
    expect(view.queue.map((q) => q.id)).toEqual(ranked.map((r) => r[0]));
    expect(view.queue.map((q) => q.bald)).toEqual(ranked.map((r) => r[total]));
    expect(view.queue.map((q) => q.voted)).toEqual(ranked.map((r) => !unvoted.has(String(r[0]))));

    const left = await explorer.labelNext('pred-sharded', true, 100);
    expect(left.queue.map((q) => q.id)).toEqual(ranked.filter((r) => unvoted.has(String(r[0]))).map((r) => r[0]));
    expect(left.queue.map((q) => q.rank)).toEqual([1, 2, 3, 4]);

    const csv = parseCsv(await explorer.labelNextCsv('pred-sharded', true));
    expect(csv.header).toEqual(['id', 'bald', ...merged.header.filter((c) => c.endsWith('_bald')), 'voted']);
    expect(csv.rows.map((r) => r[0])).toEqual(left.queue.map((q) => q.id));
    expect(csv.rows.map((r) => Number(r[1]))).toEqual(left.queue.map((q) => q.bald));
    expect(csv.rows.every((r) => r[r.length - 1] === '0')).toBe(true);
  });

  it('says what is missing when a predict run has neither table yet', async () => {
    mkdirSync(join(root, 'pred-running'));
    writeFileSync(join(root, 'pred-running', 'config.json'), JSON.stringify({ command: 'predict', shardSize: 5 }));
    explorer.rescan();
    await expect(explorer.labelNext('pred-running', false, 10)).rejects.toThrow(/no predictions_full\.csv or predictions_full\.parquet \(it has not finished\)/);
  });
});
