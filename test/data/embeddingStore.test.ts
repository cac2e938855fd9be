import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EMBEDDINGS_MANIFEST, EmbeddingStore, EmbeddingWriter, writeEmbeddings } from '../../src/data/embeddingStore.js';

const MODEL = { name: 'test', kind: 'test', source: '', layer: 'made up' };

function table(n: number, d: number): { ids: string[]; vectors: Float32Array } {
  const ids = Array.from({ length: n }, (_, i) => `g${i}`);
  const vectors = Float32Array.from({ length: n * d }, (_, k) => Math.sin(k * 0.37) * 10 + k / 7);
  return { ids, vectors };
}

describe('embedding store', () => {
  it('round-trips ids and float32 vectors through shards, streaming and loadAll', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emb-'));
    const { ids, vectors } = table(23, 5);
    const writer = new EmbeddingWriter(dir, { model: MODEL, dimension: 5, shardSize: 10 });
    writer.append(ids.slice(0, 7), vectors.subarray(0, 35));
    writer.append(ids.slice(7), vectors.subarray(35));
    const manifest = writer.finish();
    expect(manifest.shards.map((s) => s.rows)).toEqual([10, 10, 3]);
    expect(manifest.count).toBe(23);
    const store = EmbeddingStore.open(dir);
    expect(store.dimension).toBe(5);
    expect(store.manifest.model).toEqual(MODEL);
    const offsets: number[] = [];
    for await (const shard of store.shards()) {
      offsets.push(shard.offset);
      expect(shard.vectors.length).toBe(shard.ids.length * 5);
    }
    expect(offsets).toEqual([0, 10, 20]);
    const all = await store.loadAll();
    expect(all.ids).toEqual(ids);
    expect(Array.from(all.vectors)).toEqual(Array.from(vectors));
    await expect(store.loadAll(10)).rejects.toThrow(/23 galaxies is more than 10 to hold in memory/);
  });

  it('refuses a missing manifest, a missing shard and a torn shard, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emb-'));
    const { ids, vectors } = table(12, 3);
    const manifest = writeEmbeddings(dir, ids, vectors, { model: MODEL, dimension: 3, shardSize: 5 });
    const shard1 = join(dir, manifest.shards[1].file);
    const bytes = readFileSync(shard1);
    truncateSync(shard1, bytes.length - 20);
    expect(() => EmbeddingStore.open(dir)).toThrow(/part-00001\.parquet: shard is \d+ bytes but embeddings\.json says \d+ \(torn or replaced\) — run galmorph embed again/);
    rmSync(shard1);
    expect(() => EmbeddingStore.open(dir)).toThrow(/part-00001\.parquet: shard listed in embeddings\.json is missing/);
    rmSync(join(dir, EMBEDDINGS_MANIFEST));
    expect(() => EmbeddingStore.open(dir)).toThrow(/not a complete embeddings store: shards but no embeddings\.json \(the embed run was stopped/);
    expect(() => EmbeddingStore.open(mkdtempSync(join(tmpdir(), 'emb-')))).toThrow(/not an embeddings store: no embeddings\.json/);
  });

  it('refuses a shard whose contents do not match the manifest although its size does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emb-'));
    const { ids, vectors } = table(6, 2);
    const manifest = writeEmbeddings(dir, ids, vectors, { model: MODEL, dimension: 2, shardSize: 3 });
    const shard0 = join(dir, manifest.shards[0].file);
    writeFileSync(shard0, Buffer.alloc(manifest.shards[0].bytes, 7));
    await expect(EmbeddingStore.open(dir).loadAll()).rejects.toThrow(/part-00000\.parquet: cannot read embeddings shard/);
  });

  it('refuses vectors of the wrong dimension and non-finite values', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emb-'));
    const writer = new EmbeddingWriter(dir, { model: MODEL, dimension: 4 });
    expect(() => writer.append(['a', 'b'], new Float32Array(6))).toThrow(/got 6 values for 2 galaxies of dimension 4 \(expected 8\)/);
    expect(() => writer.append(['a'], [1, 2, NaN, 4])).toThrow(/galaxy "a" has a non-finite embedding component e2/);
  });
});
