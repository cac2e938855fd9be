import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { EMBEDDINGS_MANIFEST, EmbeddingStore, EmbeddingWriter, isEmbeddingStore, writeEmbeddings } from '../../src/data/embeddingStore.js';
import { receiptFile, shardFile, ShardedTable } from '../../src/data/shardedTable.js';

const MODEL = { name: 'test', kind: 'test', source: '', layer: 'made up' };

function table(n: number, d: number): { ids: string[]; vectors: Float32Array } {
  const ids = Array.from({ length: n }, (_, i) => `g${i}`);
  const vectors = Float32Array.from({ length: n * d }, (_, k) => Math.sin(k * 0.37) * 10 + k / 7);
  return { ids, vectors };
}

describe('embedding store (a sharded table of kind embed)', () => {
  it('round-trips ids and float32 vectors through shards with receipts, streaming and loadAll', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emb-'));
    const { ids, vectors } = table(23, 5);
    const writer = new EmbeddingWriter(dir, { model: MODEL, dimension: 5, count: 23, shardSize: 10, catalog: '/data/cat.csv' });
    writer.append(ids.slice(0, 7), vectors.subarray(0, 35));
    writer.append(ids.slice(7), vectors.subarray(35));
    const store = writer.finish();
    expect(store.manifest.shards.map((s) => s.rows)).toEqual([10, 10, 3]);
    expect(store.count).toBe(23);
    expect(store.dimension).toBe(5);
    expect(store.manifest.model).toEqual(MODEL);
    expect(store.manifest.catalog).toBe('/data/cat.csv');
    expect(isEmbeddingStore(dir)).toBe(true);
    // The same folder is an ordinary sharded table: every shard done, with its checksum.
    expect(ShardedTable.open(dir).missing()).toEqual([]);
    const offsets: number[] = [];
    for await (const shard of EmbeddingStore.open(dir).shards()) {
      offsets.push(shard.offset);
      expect(shard.vectors.length).toBe(shard.ids.length * 5);
    }
    expect(offsets).toEqual([0, 10, 20]);
    const all = await store.loadAll();
    expect(all.ids).toEqual(ids);
    expect(Array.from(all.vectors)).toEqual(Array.from(vectors));
    await expect(store.loadAll(10)).rejects.toThrow(/23 galaxies is more than 10 to hold in memory/);
  });

  it('refuses a torn shard, a missing receipt, a missing manifest and an old-format store, naming the folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emb-'));
    const { ids, vectors } = table(12, 3);
    writeEmbeddings(dir, ids, vectors, { model: MODEL, dimension: 3, shardSize: 5 });
    const shard1 = join(dir, shardFile(1));
    truncateSync(shard1, readFileSync(shard1).length - 20);
    expect(() => EmbeddingStore.open(dir)).toThrow(/not a complete embeddings store: 1 of 3 shards are not finished \(first: 1; missing, cut or replaced\) — run the same galmorph embed command again/);
    rmSync(join(dir, receiptFile(2)));
    expect(() => EmbeddingStore.open(dir)).toThrow(/2 of 3 shards are not finished \(first: 1, 2;/);
    rmSync(join(dir, EMBEDDINGS_MANIFEST));
    expect(() => EmbeddingStore.open(dir)).toThrow(/not an embeddings store: no manifest\.json/);
    writeFileSync(join(dir, 'embeddings.json'), '{}');
    expect(() => EmbeddingStore.open(dir)).toThrow(/embeddings\.json: cannot convert the embeddings store of an earlier galmorph: not a galmorph embeddings manifest — run galmorph embed again/);
    expect(isEmbeddingStore(dir)).toBe(false);
  });

  it('converts a store of the earlier format (embeddings.json, shards without receipts) in place when opened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emb-'));
    const { ids, vectors } = table(5, 2);
    const shards = [[0, 3], [3, 5]].map(([a, b], k) => {
      const bytes = new Uint8Array(parquetWriteBuffer({
        columnData: [
          { name: 'id', type: 'STRING', data: ids.slice(a, b) },
          ...[0, 1].map((j) => ({ name: `e${j}`, type: 'FLOAT' as const, data: Float32Array.from({ length: b - a }, (_, i) => vectors[(a + i) * 2 + j]) })),
        ],
      }));
      mkdirSync(join(dir, 'shards'), { recursive: true });
      writeFileSync(join(dir, shardFile(k)), bytes);
      return { file: shardFile(k), rows: b - a, bytes: bytes.byteLength };
    });
    writeFileSync(join(dir, 'embeddings.json'), JSON.stringify({
      format: 'galmorph-embeddings', version: 1, model: MODEL, dimension: 2, count: 5, shardSize: 3, idColumn: 'id', componentColumns: ['e0', 'e1'], shards, catalog: '/data/c.csv', createdAt: 'then',
    }));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ command: 'embed', model: 'gz2', representation: 'trained', layer: 'dense', pixelSize: 32, seed: 0, preprocessing: { crop: 0.5 }, out: dir }));
    const store = EmbeddingStore.open(dir);
    expect(store.manifest).toMatchObject({ model: MODEL, dimension: 2, count: 5, catalog: '/data/c.csv', shards: [{ rows: 3 }, { rows: 2 }] });
    expect(store.manifest.settings).toMatchObject({ representation: 'trained', layer: 'dense', preprocessing: { crop: 0.5 } });
    const all = await store.loadAll();
    expect(all.ids).toEqual(ids);
    expect(Array.from(all.vectors)).toEqual(Array.from(vectors));
    expect(isEmbeddingStore(dir)).toBe(true);
  });

  it('refuses a shard whose bytes were replaced although its size was kept (SHA-256 of its receipt)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emb-'));
    const { ids, vectors } = table(6, 2);
    writeEmbeddings(dir, ids, vectors, { model: MODEL, dimension: 2, shardSize: 3 });
    const shard0 = join(dir, shardFile(0));
    writeFileSync(shard0, Buffer.alloc(readFileSync(shard0).length, 7));
    const store = EmbeddingStore.open(dir);
    await expect(store.loadAll()).rejects.toThrow(/part-00000\.parquet: shard 0 is not finished \(no valid receipt, or its file was cut or replaced\)/);
  });

  it('refuses vectors of the wrong dimension, non-finite values and a wrong count', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emb-'));
    const writer = new EmbeddingWriter(dir, { model: MODEL, dimension: 4, count: 1 });
    expect(() => writer.append(['a', 'b'], new Float32Array(6))).toThrow(/got 6 values for 2 galaxies of dimension 4 \(expected 8\)/);
    expect(() => writer.append(['a'], [1, 2, NaN, 4])).toThrow(/galaxy "a" has a non-finite embedding component e2/);
    const short = new EmbeddingWriter(join(dir, 'short'), { model: MODEL, dimension: 1, count: 3, shardSize: 2 });
    short.append(['a', 'b'], [1, 2]);
    expect(() => short.finish()).toThrow(/2 of the 3 galaxies announced were appended/);
  });
});
