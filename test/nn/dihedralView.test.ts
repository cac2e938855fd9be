import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/initBackend.js';
import { DIHEDRAL_VIEWS, dihedralView } from '../../src/nn/dihedralView.js';
import { BayesianCnn } from '../../src/models/bayesianCnn.js';
import { getSchema } from '../../src/data/schemas/index.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const S = 3;
/** A 3×3 two-channel image with every pixel distinct, as a plain array [row][col][channel]. */
const image = Array.from({ length: S }, (_, r) => Array.from({ length: S }, (_, c) => [10 * r + c, -(10 * r + c)]));

/** The image rotated by 90° counter-clockwise, `times` times, and optionally mirrored first — by index arithmetic. */
function byHand(times: number, mirror: boolean): number[][][] {
  let x = mirror ? image.map((row) => [...row].reverse()) : image;
  for (let t = 0; t < times; t++) x = Array.from({ length: S }, (_, r) => Array.from({ length: S }, (_, c) => x[c][S - 1 - r]));
  return x;
}

describe('dihedralView', () => {
  it('the 8 views are exactly the 4 rotations and their mirror images, view 0 the image itself', () => {
    const input = tf.tensor4d([image]);
    const views = Array.from({ length: DIHEDRAL_VIEWS }, (_, k) => {
      const v = dihedralView(input, k);
      const out = JSON.stringify((v.arraySync() as number[][][][])[0]);
      v.dispose();
      return out;
    });
    input.dispose();
    const expected = [0, 1, 2, 3].flatMap((t) => [false, true].map((m) => JSON.stringify(byHand(t, m))));
    expect(new Set(views).size).toBe(8);
    expect([...views].sort()).toEqual([...expected].sort());
    expect(views[0]).toBe(JSON.stringify(image));
  });

  it('refuses a view outside 0..7 and a non-square image', () => {
    const input = tf.zeros([1, 3, 4, 1]) as tf.Tensor4D;
    expect(() => dihedralView(input, 1)).toThrow(/must be square, got 3×4/);
    expect(() => dihedralView(tf.zeros([1, 3, 3, 1]) as tf.Tensor4D, 8)).toThrow(/integer in \[0, 7\], got 8/);
    input.dispose();
  });
});

describe('BayesianCnn passes with test-time views', () => {
  const schema = getSchema('gz2');
  let model: BayesianCnn;
  beforeAll(() => {
    model = new BayesianCnn({ schema: schema.def, imageSize: 8, blocks: [[4]], denseUnits: 8, pooling: 'flatten', seed: 1 });
  });
  afterAll(() => model.dispose());

  it('pass t sees view t mod 8: an image with all 8 symmetries predicts as without views; an asymmetric one does not', () => {
    const symmetric = tf.tidy(() => {
      const r = tf.range(0, 8).sub(3.5).abs();
      const d = tf.add(tf.reshape(r, [8, 1]), tf.reshape(r, [1, 8]));
      return tf.reshape(tf.div(d, 7), [1, 8, 8, 1]) as tf.Tensor4D;
    });
    const asymmetric = tf.tidy(() => tf.reshape(tf.div(tf.range(0, 64), 64), [1, 8, 8, 1]) as tf.Tensor4D);
    const before = tf.memory().numTensors;
    const read = (x: tf.Tensor4D, views: number) => tf.tidy(() => model.passes(x, 8, 5, views).arraySync());
    const plain = read(symmetric, 1);
    read(symmetric, 8)[0].forEach((pass, t) => pass.forEach((v, a) => expect(v).toBeCloseTo(plain[0][t][a], 5)));
    const a1 = read(asymmetric, 1)[0];
    const a8 = read(asymmetric, 8)[0];
    a8[0].forEach((v, a) => expect(v).toBeCloseTo(a1[0][a], 6)); // pass 0 is view 0, the image itself
    expect(a8.slice(1).some((pass, t) => pass.some((v, a) => Math.abs(v - a1[t + 1][a]) > 1e-4))).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => model.passes(asymmetric, 2, 0, 9)).toThrow(/option "views": expected an integer in \[1, 8\]/);
    tf.dispose([symmetric, asymmetric]);
  });
});
