import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/backend/initBackend.js';
import { EmbeddingStore } from '../../../src/data/embeddingStore.js';
import { resolvePreprocessOptions } from '../../../src/data/preprocess.js';
import { getSchema } from '../../../src/data/schemas/index.js';
import { ShardedTable } from '../../../src/data/shardedTable.js';
import { mergeTable } from '../../../src/jobs/mergeTable.js';
import { BayesianCnn } from '../../../src/models/bayesianCnn.js';
import { saveBayesianCnn } from '../../../src/models/bayesianCnnCheckpoint.js';
import { resolveFields } from '../../../src/util/fields.js';
import { embed, EMBED_FIELDS } from '../../../src/workflows/embed/embed.js';
import { EmbedShardRunner, embedTableSpec } from '../../../src/workflows/embed/embedShards.js';
import { simulate } from '../../../src/workflows/simulate/simulate.js';

const dir = mkdtempSync(join(tmpdir(), 'embed-shards-'));
const model = join(dir, 'model');

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  const net = new BayesianCnn({ schema: getSchema('gz2').def, imageSize: 16, blocks: [[4], [4]], denseUnits: 8, seed: 1 });
  saveBayesianCnn(model, net, { preprocessing: resolvePreprocessOptions({ size: 16 }), step: 0, optimizer: null });
  net.dispose();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('embed shard jobs', () => {
  it('shards made one by one and merged give the store embed writes for the same galaxies', async () => {
    await simulate({ out: join(dir, 'sim'), n: 10, seed: 5, size: 16, progress: false });
    const direct = await embed({ catalog: join(dir, 'sim'), out: join(dir, 'direct'), model, layer: 'pooled', pca: [2], batchSize: 4, progress: false });
    const out = join(dir, 'sharded');
    const options = resolveFields(EMBED_FIELDS, { catalog: 'sim:10,seed=5,size=16', out, model, layer: 'pooled', pca: [2], batchSize: 4, shardSize: 5, progress: false });
    const table = ShardedTable.create(out, await embedTableSpec(options));
    const runner = new EmbedShardRunner(table);
    // Out of order, as workers would.
    for (const k of [1, 0]) await runner.run(k);
    runner.dispose();
    const merged = await mergeTable(out);
    expect(merged).toMatchObject({ galaxies: 10, shards: 2, leftOut: 0 });
    const a = await EmbeddingStore.open(join(dir, 'direct')).loadAll();
    const b = await EmbeddingStore.open(merged.file).loadAll();
    expect(b.ids).toEqual(a.ids);
    expect(b.dimension).toBe(direct.dimension);
    // The PNGs on disk hold 8-bit pixels, the virtual images float ones.
    b.vectors.forEach((v, i) => expect(v).toBeCloseTo(a.vectors[i], 1));
  }, 300_000);
});
