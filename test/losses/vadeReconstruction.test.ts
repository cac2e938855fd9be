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

// Each galaxy's noise σ for 'gaussian-noise' (a faint and a bright galaxy), and the floor added in quadrature.
const NOISE = [0.3, 0.01];
const FLOOR = 0.05;
const noise = () => ({ sigma: tf.tensor1d(NOISE), floor: FLOOR });

/** Float64 references, written from the definitions (not from the implementation's softplus form). */
const REFERENCE: Record<VadeReconstruction, (x: number, z: number, b: number) => number> = {
  bce: (x, z) => -(x * Math.log(sigmoid(z)) + (1 - x) * Math.log(1 - sigmoid(z))),
  mse: (x, z) => (z - x) ** 2,
  'sigmoid-mse': (x, z) => (sigmoid(z) - x) ** 2,
  // −ln of the normal density N(x | z, s²) = (x − z)²/(2s²) + ½ ln(2π s²), s² = σ_b² + floor².
  'gaussian-noise': (x, z, b) => {
    const variance = NOISE[b] ** 2 + FLOOR ** 2;
    return (x - z) ** 2 / (2 * variance) + 0.5 * Math.log(2 * Math.PI * variance);
  },
};

describe('VaDE reconstruction term', () => {
  for (const kind of VADE_RECONSTRUCTIONS) {
    it(`${kind}: per-galaxy sums over pixels equal the float64 definition`, () => {
      const got = tf.tidy(() => reconstructionTerm(kind, t4(X), t4(Z), noise())).arraySync();
      const want = X.map((row, b) => row.reduce((s, x, i) => s + REFERENCE[kind](x, Z[b][i], b), 0));
      // Relative: a bright galaxy's Gaussian term runs to thousands of nats, held in float32.
      got.forEach((g, b) => expect(Math.abs(g - want[b])).toBeLessThan(1e-4 + 1e-6 * Math.abs(want[b])));
    });
  }

  it('gaussian-noise: the gradient in the output matches central differences, and a noisy galaxy weighs less', () => {
    const target = t4(X);
    const term = (z: tf.Tensor) => tf.sum(reconstructionTerm('gaussian-noise', target, z as tf.Tensor4D, noise()));
    const analytic = tf.tidy(() => tf.grad(term)(t4(Z)).dataSync());
    const h = 0.1;
    const flat = Z.flat();
    flat.forEach((_, i) => {
      const at = (d: number) => tf.tidy(() => term(tf.tensor4d(flat.map((v, j) => (j === i ? v + d : v)), [2, 2, 2, 1])).dataSync()[0]);
      const numeric = (at(h) - at(-h)) / (2 * h);
      // The term is quadratic in z, so the central difference is exact up to float32 rounding of sums of ~1e4.
      expect(Math.abs(analytic[i] - numeric)).toBeLessThan(0.02 + 1e-3 * Math.abs(numeric));
      // And the closed form (z − x)/s² in float64.
      const b = Math.floor(i / 4);
      const closed = (flat[i] - X.flat()[i]) / (NOISE[b] ** 2 + FLOOR ** 2);
      expect(Math.abs(analytic[i] - closed)).toBeLessThan(1e-5 * Math.max(1, Math.abs(closed)));
    });
    // The same pixel error costs the faint galaxy (σ 0.3) (0.01² + 0.05²)/(0.3² + 0.05²) ≈ 1/36 of the bright one's.
    const one = tf.tidy(() => reconstructionTerm('gaussian-noise', tf.zeros([2, 1, 1, 1]), tf.fill([2, 1, 1, 1], 0.1), noise()).dataSync());
    const quad = (b: number) => 0.01 / (2 * (NOISE[b] ** 2 + FLOOR ** 2));
    expect(one[0] - 0.5 * Math.log(2 * Math.PI * (NOISE[0] ** 2 + FLOOR ** 2))).toBeCloseTo(quad(0), 5);
    expect(quad(1) / quad(0)).toBeGreaterThan(30);
    target.dispose();
  });

  it('gaussian-noise refuses a missing or misshapen noise and a bad floor, saying what to pass', () => {
    expect(() => reconstructionTerm('gaussian-noise', t4(X), t4(Z))).toThrow(/needs each image's noise σ as a \[2\] tensor, got none/);
    expect(() => reconstructionTerm('gaussian-noise', t4(X), t4(Z), { sigma: tf.tensor1d([0.1]), floor: 0.05 })).toThrow(/\[2\] tensor, got shape \[1\]/);
    expect(() => reconstructionTerm('gaussian-noise', t4(X), t4(Z), { sigma: tf.tensor1d(NOISE), floor: 0 })).toThrow(/noise floor/);
  });

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

  it('images: σ(logit) for bce and sigmoid-mse, the output clipped to [0, 1] for mse and gaussian-noise', () => {
    const z = t4([[-2, 0, 0.4, 3]]);
    const sig = tf.tidy(() => reconstructionImages('bce', z)).dataSync();
    [-2, 0, 0.4, 3].forEach((v, i) => expect(sig[i]).toBeCloseTo(sigmoid(v), 6));
    expect(Array.from(tf.tidy(() => reconstructionImages('mse', z)).dataSync())).toEqual([0, 0, Math.fround(0.4), 1]);
    expect(Array.from(tf.tidy(() => reconstructionImages('gaussian-noise', z)).dataSync())).toEqual([0, 0, Math.fround(0.4), 1]);
  });

  it('refuses mismatched shapes, naming both', () => {
    expect(() => reconstructionTerm('bce', t4(X), tf.zeros([2, 2, 1, 1]) as tf.Tensor4D)).toThrow(/target.*output|shape/);
  });
});
