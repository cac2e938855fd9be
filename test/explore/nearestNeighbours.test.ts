import { describe, expect, it } from 'vitest';
import { ExactKnn, exactNeighbours, recallAtK } from '../../src/explore/nearestNeighbours.js';
import { HnswIndex } from '../../src/explore/hnswIndex.js';
import { ndcgAtK, precisionAtK } from '../../src/explore/retrievalMetrics.js';
import { Rng } from '../../src/util/rng.js';

function points(n: number, d: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n * d }, () => rng.normal());
}

/** Brute force in float64, written out separately: every distance, sorted (ties by row). */
function bruteForce(db: Float32Array, q: Float32Array, d: number, k: number, skip: number): { index: number; distance: number }[] {
  const all: { index: number; distance: number }[] = [];
  for (let i = 0; i < db.length / d; i++) {
    if (i === skip) continue;
    let s = 0;
    for (let j = 0; j < d; j++) s += (db[i * d + j] - q[j]) ** 2;
    all.push({ index: i, distance: Math.sqrt(s) });
  }
  return all.sort((a, b) => a.distance - b.distance || a.index - b.index).slice(0, k);
}

describe('exact nearest neighbours', () => {
  it('equal an independent brute force, whatever the chunking and order, leaving out the excluded row', async () => {
    const d = 4;
    const db = points(97, d, 1);
    const queries = Float32Array.from([...db.subarray(5 * d, 6 * d), ...points(2, d, 2)]);
    const exclude = [5, -1, -1];
    const chunks = [{ offset: 60, vectors: db.subarray(60 * d) }, { offset: 0, vectors: db.subarray(0, 25 * d) }, { offset: 25, vectors: db.subarray(25 * d, 60 * d) }];
    const found = await exactNeighbours(queries, d, chunks, { k: 6, exclude });
    for (let q = 0; q < 3; q++) {
      const truth = bruteForce(db, queries.subarray(q * d, (q + 1) * d), d, 6, exclude[q]);
      expect(found[q].map((n) => n.index)).toEqual(truth.map((t) => t.index));
      found[q].forEach((n, r) => expect(n.distance).toBeCloseTo(truth[r].distance, 5));
    }
    expect(found[0].map((n) => n.index)).not.toContain(5);
  });

  it('return fewer than k when the database is smaller, and refuse bad shapes', () => {
    const knn = new ExactKnn(new Float32Array([0, 0]), 2, { k: 5 });
    knn.add({ offset: 0, vectors: new Float32Array([1, 0, 0, 2]) });
    expect(knn.result()[0]).toEqual([{ index: 0, distance: 1 }, { index: 1, distance: 2 }]);
    expect(() => knn.add({ offset: 2, vectors: new Float32Array(3) })).toThrow(/option "vectors": expected a length that is a multiple of 2, got 3/);
    expect(() => new ExactKnn(new Float32Array(3), 2, { k: 1 })).toThrow(/option "queries"/);
  });
});

describe('HNSW index (usearch)', () => {
  it('finds the exact neighbours on a small set, saves and memory-maps, and its recall is measured by recallAtK', async () => {
    const d = 6;
    const db = points(400, d, 3);
    const index = new HnswIndex(d);
    index.add({ offset: 0, vectors: db.subarray(0, 200 * d) });
    index.add({ offset: 200, vectors: db.subarray(200 * d) });
    expect(index.size).toBe(400);
    const queryRows = [0, 17, 399];
    const queries = Float32Array.from(queryRows.flatMap((r) => Array.from(db.subarray(r * d, (r + 1) * d))));
    const approx = index.search(queries, 8, queryRows);
    const exact = await exactNeighbours(queries, d, [{ offset: 0, vectors: db }], { k: 8, exclude: queryRows });
    expect(recallAtK(approx, exact)).toBeGreaterThanOrEqual(0.95);
    approx.forEach((list, q) => expect(list.map((n) => n.index)).not.toContain(queryRows[q]));
    expect(approx[0][0].distance).toBeCloseTo(exact[0][0].distance, 4);
    const { mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'hnsw-')), 'i.usearch');
    index.save(file);
    const viewed = HnswIndex.view(file, d);
    expect(viewed.search(queries, 8, queryRows)).toEqual(approx);
  });

  it('recallAtK counts the share of exact neighbours found', () => {
    const n = (...idx: number[]) => idx.map((index) => ({ index, distance: 0 }));
    expect(recallAtK([n(1, 2, 3, 4), n(5, 6)], [n(1, 2, 9, 4), n(6, 5)])).toBeCloseTo((3 / 4 + 1) / 2, 12);
  });
});

describe('retrieval metrics', () => {
  it('precision@k and nDCG@k match hand-computed values', () => {
    const rel = [true, false, true, false, false];
    expect(precisionAtK(rel, 4)).toBe(0.5);
    expect(precisionAtK(rel, 8)).toBe(2 / 8);
    // DCG = 1/log2(2) + 1/log2(4) = 1.5; ideal with 3 relevant in the database: 1 + 1/log2(3) + 1/log2(4).
    expect(ndcgAtK(rel, 5, 3)).toBeCloseTo(1.5 / (1 + 1 / Math.log2(3) + 0.5), 12);
    expect(ndcgAtK([true, true], 10, 2)).toBe(1);
    expect(ndcgAtK([false], 10, 0)).toBeNaN();
    expect(() => precisionAtK(rel, 0)).toThrow(/option "k": expected a positive integer, got 0/);
  });
});
