import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageDataset, type DatasetBatch, type DatasetOptions } from '../../src/data/dataset.js';

interface Row {
  id: string;
  image: string;
  fractions?: Float32Array;
}

const dir = mkdtempSync(join(tmpdir(), 'galmorph-dataset-'));
const rows: Row[] = [];
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  // 12 small PNGs, image i a flat grey of level 10·i with a bright pixel at (i mod 8, 1), so augmentation shows.
  for (let i = 0; i < 12; i++) {
    const px = new Uint8Array(8 * 8).fill(10 * i);
    px[8 + (i % 8)] = 255;
    const image = join(dir, `g${i}.png`);
    await sharp(px, { raw: { width: 8, height: 8, channels: 1 } }).png().toFile(image);
    rows.push({ id: `g${i}`, image, fractions: Float32Array.of(i / 12, 1 - i / 12) });
  }
});

async function collect(dataset: ImageDataset<Row>, epoch = 0): Promise<DatasetBatch[]> {
  const out: DatasetBatch[] = [];
  for await (const batch of dataset.batches(epoch)) out.push(batch);
  return out;
}

const base: Partial<DatasetOptions<Row>> = {
  preprocess: { size: 8 },
  batchSize: 5,
  labels: { fractions: (r) => r.fractions },
};

describe('ImageDataset', () => {
  it('delivers batches of images and labels with shapes, every row once per epoch', async () => {
    const dataset = new ImageDataset(rows, { ...base, prefetch: 0, cache: 'stream' });
    const batches = await collect(dataset);
    expect(batches.map((b) => b.size)).toEqual([5, 5, 2]);
    expect(batches[0].shapes).toEqual({ images: [8, 8, 1], fractions: [2] });
    expect(batches[0].arrays.images).toHaveLength(5 * 64);
    expect(new Set(batches.flatMap((b) => b.ids))).toEqual(new Set(rows.map((r) => r.id)));
    // Labels line up with images: the background level of image i is 10 i / 255 and its first fraction i / 12.
    for (const b of batches) {
      b.ids.forEach((id, k) => {
        const i = Number(id.slice(1));
        expect(b.arrays.images[k * 64]).toBeCloseTo((10 * i) / 255, 6);
        expect(b.arrays.fractions[2 * k]).toBeCloseTo(i / 12, 6);
      });
    }
  });

  it('shuffles reproducibly from the seed, differently per epoch', async () => {
    const order = async (seed: number, epoch: number) =>
      (await collect(new ImageDataset(rows, { ...base, seed, prefetch: 0, cache: 'memory' }), epoch)).flatMap((b) => b.ids);
    expect(await order(4, 0)).toEqual(await order(4, 0));
    expect(await order(4, 1)).not.toEqual(await order(4, 0));
    expect(await order(5, 0)).not.toEqual(await order(4, 0));
  });

  it('the prefetching worker and the in-memory cache give the same batches as decoding in this thread', async () => {
    const options = { ...base, seed: 3, augment: { rotate: 'any' as const, cropScale: [0.8, 1] as [number, number] } };
    const inline = await collect(new ImageDataset(rows, { ...options, prefetch: 0, cache: 'stream' }), 2);
    const worker = await collect(new ImageDataset(rows, { ...options, prefetch: 2, cache: 'stream' }), 2);
    const cached = await collect(new ImageDataset(rows, { ...options, prefetch: 2, cache: 'memory' }), 2);
    for (const other of [worker, cached]) {
      expect(other.map((b) => b.ids)).toEqual(inline.map((b) => b.ids));
      other.forEach((b, i) => {
        expect(Array.from(b.arrays.images)).toEqual(Array.from(inline[i].arrays.images));
        expect(Array.from(b.arrays.fractions)).toEqual(Array.from(inline[i].arrays.fractions));
      });
    }
  });

  it('chooses memory or streaming under the memory budget, reporting progress while the cache fills', async () => {
    const progress: number[] = [];
    const cached = new ImageDataset(rows, { ...base, prefetch: 0, onCacheProgress: (done, total) => progress.push(done / total) });
    expect(cached.mode).toBe('memory');
    await collect(cached);
    await collect(cached, 1);
    expect(progress).toEqual([5 / 12, 10 / 12, 1]); // decoded once, not again in epoch 1
    // 12 images × 8 × 8 floats = 3,072 bytes: a budget just below streams.
    expect(new ImageDataset(rows, { ...base, memoryBudgetMB: 3071 / 2 ** 20 }).mode).toBe('stream');
    expect(new ImageDataset(rows, { ...base, memoryBudgetMB: 3072 / 2 ** 20 }).mode).toBe('memory');
  });

  it('skips and reports a bad image with onBad "skip", keeping the rest of its batch', async () => {
    const broken = join(dir, 'broken.png');
    const whole = readFileSync(rows[0].image);
    writeFileSync(broken, whole.subarray(0, whole.length - 20)); // a PNG cut short
    const withBad = [...rows.slice(0, 4), { id: 'bad1', image: broken, fractions: Float32Array.of(0, 1) }];
    for (const cache of ['stream', 'memory'] as const) {
      const dataset = new ImageDataset(withBad, { ...base, shuffle: false, onBad: 'skip', cache, prefetch: 1 });
      const batches = await collect(dataset);
      expect(batches.map((b) => b.size)).toEqual([4]);
      expect(batches[0].ids).toEqual(['g0', 'g1', 'g2', 'g3']);
      expect(batches[0].arrays.fractions).toHaveLength(8);
      expect(dataset.badImages).toHaveLength(1);
      expect(dataset.badImages[0].id).toBe('bad1');
      expect(dataset.badImages[0].reason).toMatch(/broken\.png: cannot decode PNG/);
    }
    const strict = new ImageDataset(withBad, { ...base, prefetch: 0 });
    await expect(collect(strict)).rejects.toThrow(/galaxy "bad1" has an unusable image: .*broken\.png: cannot decode PNG.*--on-bad skip/);
  });

  it('stopping early shuts the worker down and a new epoch still works', async () => {
    const dataset = new ImageDataset(rows, { ...base, cache: 'stream', prefetch: 2 });
    for await (const batch of dataset.batches(0)) {
      expect(batch.size).toBe(5);
      break;
    }
    expect((await collect(dataset, 1)).length).toBe(3);
  });

  it('a view with other batching serves the cached images without decoding again, as a fresh dataset would', async () => {
    // Copies of the images, deleted once the first dataset has decoded them: a view that decoded again would fail.
    const copies = rows.map((r) => ({ ...r, image: join(dir, `copy-${r.id}.png`) }));
    copies.forEach((c, i) => writeFileSync(c.image, readFileSync(rows[i].image)));
    const batching = { augment: { rotate: 'any' as const }, batchSize: 4, shuffle: true, seed: 9, dropLast: true };
    const fresh = await collect(new ImageDataset(copies, { ...base, ...batching, prefetch: 0, cache: 'memory' }), 1);
    const evaluation = new ImageDataset(copies, { ...base, shuffle: false, prefetch: 0, cache: 'memory' });
    await evaluation.prepare();
    for (const c of copies) rmSync(c.image);
    const view = evaluation.withBatching(batching);
    const viewed = await collect(view, 1);
    expect(viewed.map((b) => b.ids)).toEqual(fresh.map((b) => b.ids));
    viewed.forEach((b, i) => {
      expect(Array.from(b.arrays.images)).toEqual(Array.from(fresh[i].arrays.images));
      expect(Array.from(b.arrays.fractions)).toEqual(Array.from(fresh[i].arrays.fractions));
    });
    expect(viewed.map((b) => b.size)).toEqual([4, 4, 4]);
    // The evaluation view itself is unchanged: in row order, unaugmented.
    expect((await collect(evaluation)).flatMap((b) => b.ids)).toEqual(rows.map((r) => r.id));
  });

  it('names the row and label when a label is missing or ragged', () => {
    const missing = [rows[0], { id: 'x', image: rows[1].image }];
    expect(() => new ImageDataset(missing, base)).toThrow(/row 2, column "fractions": galaxy "x" has no value for label "fractions"/);
    const ragged = [rows[0], { ...rows[1], fractions: Float32Array.of(1) }];
    expect(() => new ImageDataset(ragged, base)).toThrow(/galaxy "g1": label "fractions" has 1 values, earlier rows have 2/);
    expect(() => new ImageDataset(rows, { ...base, batchSize: 0 })).toThrow(/option "batchSize"/);
  });
});
