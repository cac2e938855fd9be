import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { bilinearSample, toNormalised } from '../../src/nn/resample.js';
import { canonicalGrid, gridTensor } from '../../src/nn/canonicalGrid.js';
import { Rng } from '../../src/util/rng.js';
import { centralDifferences, relativeError } from './finiteDifference.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A smooth [B, H, W, C] test image. */
function smoothImage(b: number, h: number, w: number, c: number): tf.Tensor4D {
  const values = new Float32Array(b * h * w * c);
  let k = 0;
  for (let n = 0; n < b; n++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        for (let ch = 0; ch < c; ch++) {
          values[k++] = Math.sin(0.7 * i + 0.3 * n + ch) * Math.cos(0.5 * j - 0.2 * ch) + 0.1 * i;
        }
      }
    }
  }
  return tf.tensor4d(values, [b, h, w, c]);
}

/** Grid points whose pixel positions have fractional parts in [0.2, 0.8] (no pixel boundary within ±h), some outside. */
function awayFromPixelEdges(rng: Rng, b: number, ho: number, wo: number, h: number, w: number): tf.Tensor4D {
  const values = new Float32Array(b * ho * wo * 2);
  for (let i = 0; i < values.length; i += 2) {
    const col = Math.floor(rng.range(-1, w)) + rng.range(0.2, 0.8);
    const row = Math.floor(rng.range(-1, h)) + rng.range(0.2, 0.8);
    values[i] = toNormalised(col, w);
    values[i + 1] = toNormalised(row, h);
  }
  return tf.tensor4d(values, [b, ho, wo, 2]);
}

describe('bilinearSample', () => {
  it('reads pixel values at pixel centres and bilinear blends between them', () => {
    tf.tidy(() => {
      const image = tf.tensor4d([0, 1, 2, 3, 4, 5], [1, 2, 3, 1]); // rows [0 1 2], [3 4 5]
      const grid = tf.tensor4d([-1, -1, 1, 1, 0, -1, 0.5, 0], [1, 1, 4, 2]);
      // (col 0, row 0) = 0; (col 2, row 1) = 5; (col 1, row 0) = 1; (col 1.5, row 0.5) = mean(1, 2, 4, 5) = 3
      expect(Array.from(bilinearSample(image, grid).dataSync())).toEqual([0, 5, 1, 3].map((v) => expect.closeTo(v, 5)));
    });
  });

  it('pads with zeros outside the image (each outside neighbour counts as 0)', () => {
    tf.tidy(() => {
      const image = tf.ones([1, 3, 3, 1]) as tf.Tensor4D;
      // column −0.5 (half outside), column −1 exactly (one pixel outside), far outside
      const grid = tf.tensor4d([toNormalised(-0.5, 3), 0, toNormalised(-1, 3), 0, 5, 5], [1, 1, 3, 2]);
      const out = Array.from(bilinearSample(image, grid).dataSync());
      expect(out[0]).toBeCloseTo(0.5, 5);
      expect(out[1]).toBeCloseTo(0, 5);
      expect(out[2]).toBe(0);
    });
  });

  it('shares a batch-1 grid across images', () => {
    tf.tidy(() => {
      const image = smoothImage(2, 5, 6, 1);
      const grid = gridTensor(canonicalGrid({ kind: 'identity', rows: 5, cols: 6 }));
      const out = bilinearSample(image, grid);
      expect(relativeError(out.dataSync(), image.dataSync())).toBeLessThan(1e-5);
    });
  });

  it('rejects a grid of the wrong shape, naming the problem', () => {
    tf.tidy(() => {
      expect(() => bilinearSample(tf.zeros([2, 4, 4, 1]), tf.zeros([3, 4, 4, 2]))).toThrow(/grid batch 3/);
      expect(() => bilinearSample(tf.zeros([2, 4, 4, 1]), tf.zeros([2, 4, 4, 3]))).toThrow(/\[B, Ho, Wo, 2\]/);
    });
  });

  it('gradient w.r.t. the image matches central finite differences', () => {
    tf.tidy(() => {
      const rng = new Rng(1);
      const image = smoothImage(2, 5, 6, 2);
      const grid = awayFromPixelEdges(rng, 2, 3, 4, 5, 6);
      const weights = tf.randomNormal([2, 3, 4, 2], 0, 1, 'float32', 3);
      const loss = (x: tf.Tensor) => tf.sum(tf.mul(bilinearSample(x as tf.Tensor4D, grid), weights)) as tf.Scalar;
      const analytic = tf.grad(loss)(image).dataSync();
      const numeric = centralDifferences(loss, image, 1e-2);
      expect(relativeError(analytic, numeric)).toBeLessThan(1e-2);
      expect(Math.max(...Array.from(analytic, Math.abs))).toBeGreaterThan(0.1);
    });
  });

  it('gradient w.r.t. the grid matches central finite differences', () => {
    tf.tidy(() => {
      const rng = new Rng(2);
      const image = smoothImage(2, 5, 6, 2);
      const grid = awayFromPixelEdges(rng, 2, 3, 4, 5, 6);
      const weights = tf.randomNormal([2, 3, 4, 2], 0, 1, 'float32', 4);
      const loss = (g: tf.Tensor) => tf.sum(tf.mul(bilinearSample(image, g as tf.Tensor4D), weights)) as tf.Scalar;
      const analytic = tf.grad(loss)(grid).dataSync();
      const numeric = centralDifferences(loss, grid, 1e-2);
      expect(relativeError(analytic, numeric)).toBeLessThan(1e-2);
      expect(Math.max(...Array.from(analytic, Math.abs))).toBeGreaterThan(0.1);
    });
  });

  it('a forward and backward pass leaves no tensors behind', () => {
    const image = smoothImage(2, 5, 6, 1);
    const grid = awayFromPixelEdges(new Rng(3), 2, 3, 4, 5, 6);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) {
      tf.tidy(() => {
        const { grads } = tf.valueAndGrads((x: tf.Tensor, g: tf.Tensor) =>
          tf.sum(bilinearSample(x as tf.Tensor4D, g as tf.Tensor4D)) as tf.Scalar,
        )([image, grid]);
        grads.forEach((t) => t.dataSync());
      });
      expect(tf.memory().numTensors).toBe(before);
    }
    tf.dispose([image, grid]);
  });
});
