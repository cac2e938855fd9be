import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { reconstructionImages, reconstructionTerm, VADE_RECONSTRUCTIONS, type VadeReconstruction } from '../../src/losses/vadeReconstruction.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Two galaxies of 2 × 2 pixels: targets x and decoder outputs z (logits for bce, intensities for mse).
const X = [[0, 1, 0.25, 0.6], [0.05, 0.0, 0.9, 0.3]];
const Z = [[0, 2, -1, 0.4], [-3, -8, 1.5, 0.2]];
const t4 = (rows: number[][]) => tf.tensor4d(rows.flat(), [rows.length, 2, 2, 1]);
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Float64 references, written from the definitions (not from the implementation's softplus form). */
const REFERENCE: Record<VadeReconstruction, (x: number, z: number) => number> = {
  bce: (x, z) => -(x * Math.log(sigmoid(z)) + (1 - x) * Math.log(1 - sigmoid(z))),
  mse: (x, z) => (z - x) ** 2,
  'sigmoid-mse': (x, z) => (sigmoid(z) - x) ** 2,
};

describe('VaDE reconstruction term', () => {
  for (const kind of VADE_RECONSTRUCTIONS) {
    it(`${kind}: per-galaxy sums over pixels equal the float64 definition`, () => {
      const got = tf.tidy(() => reconstructionTerm(kind, t4(X), t4(Z))).arraySync();
      const want = X.map((row, b) => row.reduce((s, x, i) => s + REFERENCE[kind](x, Z[b][i]), 0));
      got.forEach((g, b) => expect(g).toBeCloseTo(want[b], 5));
    });
  }

  it('is a sum, not a mean: a 4-pixel image of the same error scores 4 × the 1-pixel value (bce at z = 0 is ln 2 a pixel)', () => {
    const v = tf.tidy(() => reconstructionTerm('bce', tf.fill([1, 2, 2, 1], 0.5) as tf.Tensor4D, tf.zeros([1, 2, 2, 1]))).arraySync();
    expect(v[0]).toBeCloseTo(4 * Math.LN2, 6);
  });

  it('bce keeps a full gradient at a saturated dark logit, sigmoid-mse loses it (why the decoder stuck at black)', () => {
    // A bright pixel (x = 0.5) that the decoder currently renders black (logit −10): d Rec / d z.
    const x = tf.tensor4d([0.5], [1, 1, 1, 1]);
    const grad = (kind: VadeReconstruction) => tf.tidy(() => tf.grad((z: tf.Tensor) => tf.sum(reconstructionTerm(kind, x, z as tf.Tensor4D)))(tf.tensor4d([-10], [1, 1, 1, 1])).dataSync()[0]);
    const s = sigmoid(-10);
    expect(grad('bce')).toBeCloseTo(s - 0.5, 5);
    expect(grad('sigmoid-mse')).toBeCloseTo(2 * (s - 0.5) * s * (1 - s), 9);
    expect(Math.abs(grad('bce'))).toBeGreaterThan(1e4 * Math.abs(grad('sigmoid-mse')));
  });

  it('images: σ(logit) for bce and sigmoid-mse, the output clipped to [0, 1] for mse', () => {
    const z = t4([[-2, 0, 0.4, 3]]);
    const sig = tf.tidy(() => reconstructionImages('bce', z)).dataSync();
    [-2, 0, 0.4, 3].forEach((v, i) => expect(sig[i]).toBeCloseTo(sigmoid(v), 6));
    expect(Array.from(tf.tidy(() => reconstructionImages('mse', z)).dataSync())).toEqual([0, 0, Math.fround(0.4), 1]);
  });

  it('refuses mismatched shapes, naming both', () => {
    expect(() => reconstructionTerm('bce', t4(X), tf.zeros([2, 2, 1, 1]) as tf.Tensor4D)).toThrow(/target.*output|shape/);
  });
});
