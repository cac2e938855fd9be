import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  composeTransforms,
  identityTransforms,
  invertTransforms,
  rotationMatrix,
  rotationScaleMatrix,
  scaleMatrix,
  translationMatrix,
  warpGrid,
} from '../../src/nn/transformMatrix.js';
import { warpImage } from '../../src/nn/warpImage.js';
import { bilinearSample, toNormalised } from '../../src/nn/resample.js';
import { canonicalGrid, gridTensor } from '../../src/nn/canonicalGrid.js';
import { centralDifferences, relativeError } from './finiteDifference.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A smooth blob [1, n, n, 1], near zero at the border. */
function blob(n: number, cx = 0.15, cy = -0.1): tf.Tensor4D {
  const v = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x = toNormalised(j, n) - cx;
      const y = toNormalised(i, n) - cy;
      v[i * n + j] = Math.exp(-(x * x / 0.12 + y * y / 0.05 + 0.6 * x * y / 0.1));
    }
  }
  return tf.tensor4d(v, [1, n, n, 1]);
}

describe('transform matrices', () => {
  it('build the documented 3×3 matrices', () => {
    tf.tidy(() => {
      const t = translationMatrix(tf.tensor1d([0.5]), tf.tensor1d([-0.25])).arraySync()[0];
      expect(t).toEqual([[1, 0, 0.5], [0, 1, -0.25], [0, 0, 1]]);
      const r = rotationMatrix(tf.tensor1d([Math.PI / 2])).arraySync()[0];
      expect(r[0][1]).toBeCloseTo(-1, 6);
      expect(r[1][0]).toBeCloseTo(1, 6);
      const s = scaleMatrix(tf.tensor1d([Math.log(2)])).arraySync()[0];
      expect(s[0][0]).toBeCloseTo(2, 6);
      const rs = rotationScaleMatrix(tf.tensor1d([Math.log(2)]), tf.tensor1d([Math.PI / 6])).arraySync()[0];
      expect(rs[1][0]).toBeCloseTo(1, 6); // 2 sin 30°
    });
  });

  it('inverse ∘ transform is the identity, and composition matches warping twice', () => {
    tf.tidy(() => {
      const m = composeTransforms(
        translationMatrix(tf.tensor1d([0.1, -0.3]), tf.tensor1d([0.2, 0.05])),
        rotationScaleMatrix(tf.tensor1d([0.2, -0.4]), tf.tensor1d([0.7, -2.5])),
      );
      const product = tf.matMul(invertTransforms(m), m);
      expect(relativeError(product.dataSync(), identityTransforms(2).dataSync())).toBeLessThan(1e-5);
      const grid = gridTensor(canonicalGrid({ kind: 'polar', rows: 8, cols: 4 }));
      const inner = rotationMatrix(tf.tensor1d([0.3, 1.1]));
      const outer = translationMatrix(tf.tensor1d([0.2, -0.1]), tf.tensor1d([0, 0.4]));
      const once = warpGrid(grid, composeTransforms(outer, inner));
      const twice = warpGrid(warpGrid(grid, inner), outer);
      expect(relativeError(once.dataSync(), twice.dataSync())).toBeLessThan(1e-5);
    });
  });

  it('warping by R(+90°) reads the input at R·g: the middle of the right edge moves to the middle of the top edge', () => {
    tf.tidy(() => {
      const n = 9;
      const marked = tf.buffer([1, n, n, 1]);
      marked.set(1, 0, 4, 8, 0); // row 4, column 8: (x, y) = (1, 0)
      const input = marked.toTensor() as tf.Tensor4D;
      const out = warpImage(input, rotationMatrix(tf.tensor1d([Math.PI / 2])));
      const values = out.dataSync();
      const peak = values.indexOf(Math.max(...values));
      expect([Math.floor(peak / n), peak % n]).toEqual([0, 4]); // (x, y) = (0, −1) = R(−90°)·(1, 0)
      expect(values[peak]).toBeCloseTo(1, 4);
      // and the whole image equals the exact pixel rotation: out[r][c] = in[c][n − 1 − r]
      const img = blob(n);
      const exact = tf.reverse(tf.transpose(img, [0, 2, 1, 3]), 1);
      expect(relativeError(warpImage(img, rotationMatrix(tf.tensor1d([Math.PI / 2]))).dataSync(), exact.dataSync())).toBeLessThan(1e-5);
    });
  });

  it('the inverse transform renders a transformed smooth image back', () => {
    tf.tidy(() => {
      const img = blob(48);
      const m = composeTransforms(
        translationMatrix(tf.tensor1d([0.1]), tf.tensor1d([-0.05])),
        rotationScaleMatrix(tf.tensor1d([-0.1]), tf.tensor1d([0.6])),
      );
      const back = warpImage(warpImage(img, m), invertTransforms(m));
      const diff = tf.max(tf.abs(tf.sub(back, img))).dataSync()[0];
      expect(diff).toBeLessThan(0.02); // two bilinear interpolations of a smooth blob (peak 1)
      expect(() => warpImage(img, m, { outputSize: [1, 8] })).toThrow(/option "outputSize"/);
      const rotatedOnly = tf.max(tf.abs(tf.sub(warpImage(img, m), img))).dataSync()[0];
      expect(rotatedOnly).toBeGreaterThan(0.3); // the transform itself is far from the identity
    });
  });

  it('gradient of transform parameters through warp and resample matches finite differences', () => {
    tf.tidy(() => {
      const img = blob(12, 0.1, 0.05);
      const grid = gridTensor(canonicalGrid({ kind: 'identity', rows: 7, cols: 7 }));
      const weights = tf.randomNormal([1, 7, 7, 1], 0, 1, 'float32', 11);
      // params = [angle, logScale, tx, ty]
      const loss = (p: tf.Tensor) => {
        const [angle, logScale, tx, ty] = tf.unstack(tf.reshape(p, [4, 1])) as tf.Tensor1D[];
        const m = composeTransforms(translationMatrix(tx, ty), rotationScaleMatrix(logScale, angle));
        return tf.sum(tf.mul(bilinearSample(img, warpGrid(grid, m)), weights)) as tf.Scalar;
      };
      const params = tf.tensor1d([0.4, 0.1, 0.05, -0.1]);
      const analytic = tf.grad(loss)(params).dataSync();
      // Bilinear sampling has kinks where a point crosses a pixel edge; 49 moving points cross some within ±1e-2,
      // so the step is smaller here than in the resampler's own check (whose points stay clear of pixel edges).
      const numeric = centralDifferences(loss, params, 2e-3);
      expect(relativeError(analytic, numeric)).toBeLessThan(1e-2);
      expect(Math.min(...Array.from(analytic, Math.abs))).toBeGreaterThan(1e-2);
    });
  });
});
