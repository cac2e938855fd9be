import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/backend/initBackend.js';
import { resolvePreprocessOptions } from '../../../src/data/preprocess.js';
import { getSchema } from '../../../src/data/schemas/index.js';
import { BayesianCnn } from '../../../src/models/bayesianCnn.js';
import { saveBayesianCnn } from '../../../src/models/bayesianCnnCheckpoint.js';
import { openEncoder } from '../../../src/workflows/embed/embedEncoder.js';
import { embed } from '../../../src/workflows/embed/embed.js';
import { simulate } from '../../../src/workflows/simulate/simulate.js';

const dir = mkdtempSync(join(tmpdir(), 'embed-tta-'));
const model = join(dir, 'model');
const size = 16;
const base = { model, representation: 'trained' as const, layer: 'dense' as const, pixelSize: size, seed: 0 };

/** Rotates each H×W one-channel image by 90° (plain index arithmetic, independent of dihedralView). */
function rot90(images: Float32Array, n: number): Float32Array {
  const out = new Float32Array(images.length);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) out[b * size * size + x * size + (size - 1 - y)] = images[b * size * size + y * size + x];
  }
  return out;
}

/** Mirrors each image left–right. */
function mirror(images: Float32Array, n: number): Float32Array {
  const out = new Float32Array(images.length);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) out[b * size * size + y * size + (size - 1 - x)] = images[b * size * size + y * size + x];
  }
  return out;
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  const net = new BayesianCnn({ schema: getSchema('gz2').def, imageSize: size, blocks: [[4], [4]], denseUnits: 8, seed: 3 });
  saveBayesianCnn(model, net, { preprocessing: resolvePreprocessOptions({ size }), step: 0, optimizer: null });
  net.dispose();
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('embed --tta', () => {
  it('averages the layer over the 8 rotations/mirrors: the vector is the mean of the 8 views\' plain vectors and does not change when the image is rotated or mirrored', () => {
    const n = 3;
    const images = Float32Array.from({ length: n * size * size }, (_, i) => Math.abs(Math.sin(i * 12.9898) * 43758.5453) % 1);
    const shape: [number, number, number, number] = [n, size, size, 1];
    const tensorsBefore = tf.memory().numTensors;
    const plain = openEncoder(base);
    const tta = openEncoder({ ...base, tta: true });
    // The 8 views by hand: 4 rotations of the image and 4 of its mirror.
    const views: Float32Array[] = [];
    for (const start of [images, mirror(images, n)]) {
      let v = start;
      for (let k = 0; k < 4; k++) {
        views.push(v);
        v = rot90(v, n);
      }
    }
    const expected = new Float64Array(n * plain.dimension);
    for (const v of views) plain.embed(v, shape).forEach((x, i) => (expected[i] += x / 8));
    const got = tta.embed(images, shape);
    expect(tta.info.layer).toMatch(/averaged over the 8 rotations\/mirrors/);
    got.forEach((x, i) => expect(x).toBeCloseTo(expected[i], 5));
    // invariance: the rotated and the mirrored image give the same vector; without --tta they do not
    const rotated = tta.embed(rot90(images, n), shape);
    const mirrored = tta.embed(mirror(images, n), shape);
    got.forEach((x, i) => {
      expect(rotated[i]).toBeCloseTo(x, 5);
      expect(mirrored[i]).toBeCloseTo(x, 5);
    });
    const p0 = plain.embed(images, shape);
    const p1 = plain.embed(rot90(images, n), shape);
    expect(Math.max(...p0.map((x, i) => Math.abs(x - p1[i])))).toBeGreaterThan(1e-3);
    plain.dispose();
    tta.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('is refused for raw pixels, and a store made with --tta refuses to be resumed without it', async () => {
    expect(() => openEncoder({ ...base, representation: 'pixels', tta: true })).toThrow(/no --tta with --representation pixels/);
    const catalog = join(dir, 'sim');
    await simulate({ out: catalog, n: 4, seed: 5, size, progress: false });
    const out = join(dir, 'store');
    const common = { catalog, model, pca: [2], batchSize: 4, shardSize: 4, progress: false, out };
    const made = await embed({ ...common, tta: true });
    expect(made.manifest.settings).toMatchObject({ tta: true });
    await expect(embed({ ...common })).rejects.toThrow(/other settings \(tta: true → /);
  }, 60_000);
});
