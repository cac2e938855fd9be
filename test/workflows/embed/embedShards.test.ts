import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/backend/initBackend.js';
import { EmbeddingStore } from '../../../src/data/embeddingStore.js';
import { resolvePreprocessOptions } from '../../../src/data/preprocess.js';
import { getSchema } from '../../../src/data/schemas/index.js';
import { receiptFile, shardFile, ShardedTable } from '../../../src/data/shardedTable.js';
import { mergeTable } from '../../../src/jobs/mergeTable.js';
import { BayesianCnn } from '../../../src/models/bayesianCnn.js';
import { saveBayesianCnn } from '../../../src/models/bayesianCnnCheckpoint.js';
import { resolveFields } from '../../../src/util/fields.js';
import { embed, EMBED_FIELDS } from '../../../src/workflows/embed/embed.js';
import { EmbedShardRunner, embedTableSpec } from '../../../src/workflows/embed/embedShards.js';
import { simulate } from '../../../src/workflows/simulate/simulate.js';

const dir = mkdtempSync(join(tmpdir(), 'embed-shards-'));
const model = join(dir, 'model');
const catalog = join(dir, 'sim');
const common = { catalog, model, layer: 'pooled' as const, pca: [2], batchSize: 4, shardSize: 4, progress: false };

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  const net = new BayesianCnn({ schema: getSchema('gz2').def, imageSize: 16, blocks: [[4], [4]], denseUnits: 8, seed: 1 });
  saveBayesianCnn(model, net, { preprocessing: resolvePreprocessOptions({ size: 16 }), step: 0, optimizer: null });
  net.dispose();
  await simulate({ out: catalog, n: 10, seed: 5, size: 16, progress: false });
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('embed through the sharded table', () => {
  it('resumes after a kill making only the missing shard, refuses changed options, and the queue\'s shards merge to the same store', async () => {
    const out = join(dir, 'direct');
    const first = await embed({ ...common, out });
    expect(first).toMatchObject({ galaxies: 10, dimension: 4, shardsDoneBefore: 0 });
    expect(first.manifest.shards.map((s) => s.rows)).toEqual([4, 4, 2]);
    const before = await EmbeddingStore.open(out).loadAll();
    expect(existsSync(join(out, 'pca.json'))).toBe(true);
    const pca = readFileSync(join(out, 'pca.json'), 'utf8');

    // A run killed while writing shard 1: its receipt never came, a temporary file of the writer is left behind.
    rmSync(join(out, receiptFile(1)));
    writeFileSync(join(out, `${shardFile(1)}.tmp-99999-dead`), 'half a shard');
    expect(() => EmbeddingStore.open(out)).toThrow(/1 of 3 shards are not finished \(first: 1;/);
    const again = await embed({ ...common, out });
    expect(again.shardsDoneBefore).toBe(2);
    expect(readFileSync(join(out, 'run.log'), 'utf8')).toMatch(/in 3 shards of 4; 2 done already, making 1/);
    const after = await EmbeddingStore.open(out).loadAll();
    expect(after.ids).toEqual(before.ids);
    expect(Array.from(after.vectors)).toEqual(Array.from(before.vectors));
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))).toMatchObject({ galaxies: 10, idsCheckedUnique: true, strayTemporaryFiles: 1 });

    // Another layer is another store: refused unless --restart.
    await expect(embed({ ...common, out, layer: 'dense' })).rejects.toThrow(/the folder holds shards made with other settings \(layer: "pooled" → "dense"/);
    expect((await embed({ ...common, out, layer: 'dense', restart: true })).dimension).toBe(8);

    // The queue's way: shards made one by one, out of order, by a runner (as workers do), then queue merge.
    const queued = join(dir, 'queued');
    const table = ShardedTable.create(queued, (await embedTableSpec(resolveFields(EMBED_FIELDS, { ...common, out: queued }))).spec);
    const runner = new EmbedShardRunner(table);
    for (const k of [2, 0, 1]) await runner.run(k);
    runner.dispose();
    expect(await mergeTable(queued)).toMatchObject({ kind: 'embed', galaxies: 10, shards: 3, leftOut: 0, file: queued });
    const merged = await EmbeddingStore.open(queued).loadAll();
    expect(merged.ids).toEqual(before.ids);
    expect(Array.from(merged.vectors)).toEqual(Array.from(before.vectors));
    expect(readFileSync(join(queued, 'pca.json'), 'utf8')).toBe(pca);
  }, 300_000);
});
