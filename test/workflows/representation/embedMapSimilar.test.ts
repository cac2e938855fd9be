import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/backend/initBackend.js';
import { getSchema } from '../../../src/data/schemas/index.js';
import { readCsv } from '../../../src/data/csv.js';
import { loadImage } from '../../../src/data/image.js';
import { resolvePreprocessOptions } from '../../../src/data/preprocess.js';
import { EmbeddingStore } from '../../../src/data/embeddingStore.js';
import { Pca } from '../../../src/explore/pca.js';
import { BayesianCnn } from '../../../src/models/bayesianCnn.js';
import { saveBayesianCnn } from '../../../src/models/bayesianCnnCheckpoint.js';
import { simulate } from '../../../src/workflows/simulate/simulate.js';
import { embed } from '../../../src/workflows/embed/embed.js';
import { similar } from '../../../src/workflows/similar/similar.js';
import { galaxyMap } from '../../../src/workflows/map/galaxyMap.js';

const dir = mkdtempSync(join(tmpdir(), 'represent-'));
const catalog = join(dir, 'catalog');
const modelDir = join(dir, 'model');
const store = join(dir, 'emb');
const config = { schema: getSchema('gz2').def, imageSize: 16, blocks: [[4], [6]], denseUnits: 8, pooling: 'flatten' as const, seed: 4 };

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  await simulate({ n: 30, out: catalog, seed: 3, size: 32, progress: false, gridTiles: 0 });
  const model = new BayesianCnn(config);
  saveBayesianCnn(modelDir, model, { preprocessing: resolvePreprocessOptions({ size: 16 }), step: 0, optimizer: null });
  model.dispose();
  await embed({ catalog, out: store, model: modelDir, shardSize: 12, pca: [3, 6], progress: false });
}, 300_000); // ~5 s on an idle machine; minutes when the machine is saturated (the decode worker starts slowly)
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every galaxy's PCA coordinates and ids, read back through the store and the saved PCA. */
async function projected(components: number): Promise<{ ids: string[]; coords: Float32Array }> {
  const all = await EmbeddingStore.open(store).loadAll();
  return { ids: all.ids, coords: Pca.load(join(store, 'pca.json')).project(all.vectors, components) };
}

describe('embed → similar → map on a simulated catalog', () => {
  it('embed writes shards of the asked size, a PCA, and the model\'s embedding of each image', async () => {
    const s = EmbeddingStore.open(store);
    expect(s.count).toBe(30);
    expect(s.dimension).toBe(8);
    expect(s.manifest.shards.map((x) => x.rows)).toEqual([12, 12, 6]);
    expect(s.manifest.catalog).toBe(join(catalog, 'labels.csv'));
    const results = JSON.parse(readFileSync(join(store, 'results.json'), 'utf8'));
    expect(results.pcaComponents).toBe(6);
    // Independent check of one galaxy: decode its image and run the model directly.
    const all = await s.loadAll();
    const { loadBayesianCnn } = await import('../../../src/models/bayesianCnnCheckpoint.js');
    const loaded = loadBayesianCnn(modelDir);
    const image = await loadImage(join(catalog, 'images', `${all.ids[7]}.png`), loaded.preprocessing);
    const direct = tf.tidy(() => loaded.model.embedding(tf.tensor4d(image.data, [1, 16, 16, 1]), 'dense').dataSync());
    Array.from(direct).forEach((v, j) => expect(all.vectors[7 * 8 + j]).toBeCloseTo(v, 5));
    loaded.model.dispose();
  });

  it('similar --id: the exact neighbours are those of an independent brute force in PCA space, with the CSV and picture', async () => {
    const { ids, coords } = await projected(5);
    const q = 11;
    const out = join(dir, 'sim1');
    const result = await similar({ embeddings: store, out, id: ids[q], k: 4, components: 5, progress: false });
    const truth = ids.map((id, i) => ({ id, d: Math.hypot(...Array.from({ length: 5 }, (_, j) => coords[i * 5 + j] - coords[q * 5 + j])) }))
      .filter((_, i) => i !== q).sort((a, b) => a.d - b.d).slice(0, 4);
    expect(result.search?.method).toBe('exact');
    expect(result.neighbours.map((n) => n.id)).toEqual(truth.map((t) => t.id));
    result.neighbours.forEach((n, r) => expect(n.distance).toBeCloseTo(truth[r].d, 4));
    const csv = readCsv(join(out, 'neighbours.csv'));
    expect(csv.header).toEqual(['query_id', 'rank', 'id', 'distance']);
    expect(csv.rows.map((r) => r[2])).toEqual(truth.map((t) => t.id));
    expect(existsSync(join(out, 'neighbours.png'))).toBe(true);
  });

  it('similar through the HNSW index agrees with exact search and reports its recall', async () => {
    const { ids } = await projected(5);
    const idsFile = join(dir, 'ids.txt');
    writeFileSync(idsFile, `${ids[0]}\n${ids[20]}\n`);
    const exact = await similar({ embeddings: store, out: join(dir, 'simE'), ids: idsFile, k: 5, components: 5, progress: false });
    const approx = await similar({ embeddings: store, out: join(dir, 'simH'), ids: idsFile, k: 5, components: 5, method: 'hnsw', recallQueries: 10, progress: false });
    expect(approx.search?.method).toBe('hnsw');
    expect(approx.search?.recall?.sample).toBe(1);
    expect(approx.neighbours.map((n) => n.id)).toEqual(exact.neighbours.map((n) => n.id));
    expect(existsSync(join(store, 'index', 'hnsw-pca5.usearch'))).toBe(true);
  });

  it('similar --image of a catalog galaxy finds that galaxy at distance ≈ 0', async () => {
    const { ids } = await projected(5);
    const result = await similar({ embeddings: store, out: join(dir, 'simI'), image: join(catalog, 'images', `${ids[3]}.png`), k: 3, components: 5, progress: false });
    expect(result.neighbours[0].id).toBe(ids[3]);
    expect(result.neighbours[0].distance).toBeLessThan(1e-4);
  });

  it('similar --evaluate scores neighbours by class', async () => {
    const result = await similar({ embeddings: store, out: join(dir, 'simV'), evaluate: true, catalog: join(catalog, 'labels.csv'), labelColumn: ['Class1.1'], labelThreshold: 10, k: 3, components: 5, progress: false });
    const column = result.evaluation?.columns[0];
    expect(column?.queries).toBe(30);
    expect(column?.macroPrecision).toBeGreaterThanOrEqual(0);
    expect(readCsv(join(dir, 'simV', 'evaluation.csv')).header).toContain('precision_at_3');
    // Classes from the simulator's truth table, the two spiral kinds counted as one.
    const merged = await similar({ embeddings: store, out: join(dir, 'simM'), evaluate: true, catalog: join(catalog, 'truth.csv'), labelColumn: ['galaxyClass'], mergeClasses: ['spirals=spiral+barred-spiral'], k: 3, components: 5, progress: false });
    const names = merged.evaluation?.classes.map((c) => c.class) ?? [];
    const { ids } = await projected(5);
    writeFileSync(join(dir, 'q.txt'), `${ids[2]}\n${ids[9]}\n`);
    const some = await similar({ embeddings: store, out: join(dir, 'simQ'), evaluate: true, catalog: join(catalog, 'truth.csv'), labelColumn: ['galaxyClass'], queryIds: join(dir, 'q.txt'), k: 3, components: 5, progress: false });
    expect(some.evaluation?.columns[0].queries).toBe(2);
    expect(some.evaluation?.columns[0].galaxies).toBe(30);
    expect(names).not.toContain('spiral');
    expect(names).not.toContain('barred-spiral');
    expect(names.length).toBeGreaterThan(1);
    await expect(similar({ embeddings: store, out: join(dir, 'simB'), evaluate: true, labelColumn: ['class'], mergeClasses: ['spirals'], components: 5, progress: false })).rejects.toThrow(/option "mergeClasses": expected groups like spiral=spiral_clockwise\+spiral_anticlockwise, got "spirals"/);
  });

  it('map: UMAP coordinates and thumbnails; the PCA map is the first two PCA components', async () => {
    const umap = await galaxyMap({ embeddings: store, out: join(dir, 'mapU'), epochs: 30, components: 4, neighbours: 5, cells: 4, thumbnail: 16, colorBy: 'Class1.1', progress: false });
    expect(umap.ids).toHaveLength(30);
    expect(umap.thumbnails).toBeGreaterThan(0);
    expect(existsSync(join(dir, 'mapU', 'map.png'))).toBe(true);
    expect(readCsv(join(dir, 'mapU', 'coordinates.csv')).header).toEqual(['id', 'x', 'y', 'Class1.1']);
    const again = await galaxyMap({ embeddings: store, out: join(dir, 'mapU2'), epochs: 30, components: 4, neighbours: 5, cells: 4, thumbnail: 16, progress: false });
    expect(Array.from(again.x)).toEqual(Array.from(umap.x));
    const pcaMap = await galaxyMap({ embeddings: store, out: join(dir, 'mapP'), method: 'pca', cells: 4, thumbnail: 16, progress: false });
    const { coords } = await projected(2);
    Array.from(pcaMap.x).forEach((v, i) => expect(v).toBeCloseTo(coords[2 * i], 5));
    Array.from(pcaMap.y).forEach((v, i) => expect(v).toBeCloseTo(coords[2 * i + 1], 5));
  });

  it('bad input: unknown id, several query kinds, a PCA of another dimension, not an embeddings folder', async () => {
    await expect(similar({ embeddings: store, out: join(dir, 'bad1'), id: 'no-such-galaxy', components: 5, progress: false })).rejects.toThrow(/emb: id not in the embeddings: "no-such-galaxy" — the store holds 30 galaxies/);
    await expect(similar({ embeddings: store, out: join(dir, 'bad2'), id: 'x', image: 'y.png', components: 5, progress: false })).rejects.toThrow(/option "id": expected exactly one of --id, --ids or --image \(or --evaluate\), got "id and image"/);
    await expect(similar({ embeddings: store, out: join(dir, 'bad3'), id: 'x', components: 9, progress: false })).rejects.toThrow(/9 PCA components asked but pca\.json has 6/);
    await expect(similar({ embeddings: catalog, out: join(dir, 'bad4'), id: 'x', components: 5, progress: false })).rejects.toThrow(/catalog: not an embeddings store: no manifest\.json — pass the --out folder of a galmorph embed run/);
    const other = join(dir, 'emb-copy');
    const { cpSync } = await import('node:fs');
    cpSync(store, other, { recursive: true });
    writeFileSync(join(other, 'pca.json'), JSON.stringify(Pca.fit([1, 2, 3, 4, 5, 6, 7, 9], 4, 1)));
    await expect(similar({ embeddings: other, out: join(dir, 'bad5'), id: 'x', components: 1, progress: false })).rejects.toThrow(/pca\.json was fitted on 4-d vectors but the embeddings are 8-d/);
  });
});
