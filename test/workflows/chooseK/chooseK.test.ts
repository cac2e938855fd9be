import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeEmbeddings } from '../../../src/data/embeddingStore.js';
import { chooseKJob } from '../../../src/workflows/chooseK/chooseK.js';
import { Rng } from '../../../src/util/rng.js';

/** 600 galaxies with 12-d embeddings from 4 well-separated clusters (no pca.json: the job fits one). */
function makeStore(): { root: string; store: string } {
  const root = mkdtempSync(join(tmpdir(), 'galmorph-choose-k-'));
  const rng = new Rng(5);
  const n = 600;
  const d = 12;
  const vectors = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = i % 4;
    for (let j = 0; j < d; j++) vectors[i * d + j] = 0.5 * rng.normal() + (j === c ? 6 : 0);
  }
  const store = join(root, 'embed');
  writeEmbeddings(store, Array.from({ length: n }, (_, i) => `g${i}`), vectors, { model: { name: 'test', kind: 'synthetic', source: '', layer: 'synthetic vectors' }, dimension: d, shardSize: 256 });
  return { root, store };
}

describe('galmorph choose-k', () => {
  it('finds the 4 clusters of a synthetic store, stable over seeds, on PCA coordinates and on the raw vectors, and writes its run folder', async () => {
    const { root, store } = makeStore();
    const out = join(root, 'choose-k');
    const common = { embeddings: store, maxComponents: 8, batchSize: 200, batches: 3, seeds: 2, progress: false };
    const pca = await chooseKJob({ ...common, out, components: 6 });
    expect(pca.dimension).toBe(6);
    expect(pca.result.mode).toBe(4);
    expect(pca.result.stable).toBe(true);
    expect(pca.result.perSeed.map((s) => s.seed)).toEqual([0, 1]);
    for (const f of ['config.json', 'results.json', 'fits.csv', 'counts.csv', 'counts.svg', 'counts.png', 'summary.md', 'run.log']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.mode).toBe(4);
    expect(results.galaxies).toBe(600);
    expect(results.fits).toBeUndefined();
    expect(readFileSync(join(out, 'fits.csv'), 'utf8').trim().split('\n')).toHaveLength(1 + 6);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('**Count chosen: 4**');
    const raw = await chooseKJob({ ...common, out: join(root, 'raw'), components: 0 });
    expect(raw.dimension).toBe(12);
    expect(raw.result.mode).toBe(4);
  });

  it('refuses a folder that is not an embeddings store', async () => {
    const root = mkdtempSync(join(tmpdir(), 'galmorph-choose-k-'));
    await expect(chooseKJob({ embeddings: root, out: join(root, 'o'), progress: false })).rejects.toThrow(/not an embeddings store: no manifest\.json/);
  });
});
