import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { gaussianKlToStandardNormal } from '../../src/losses/gaussianKl.js';
import { Rng } from '../../src/util/rng.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const MEAN = [
  [0.5, -1.2, 0],
  [0, 0, 0],
];
const LOG_VAR = [
  [-0.7, 0.4, 1.1],
  [0, 0, 0],
];

describe('gaussianKlToStandardNormal', () => {
  it('agrees with a Monte-Carlo estimate E_q[ln q(z) − ln p(z)] and is 0 when q = N(0, I)', () => {
    const kl = gaussianKlToStandardNormal(tf.tensor2d(MEAN), tf.tensor2d(LOG_VAR));
    const got = Array.from(kl.dataSync());
    const rng = new Rng(7);
    const samples = 200_000;
    let estimate = 0;
    for (let s = 0; s < samples; s++) {
      for (let j = 0; j < 3; j++) {
        const sd = Math.exp(0.5 * LOG_VAR[0][j]);
        const eps = rng.normal();
        const z = MEAN[0][j] + sd * eps;
        // ln q − ln p per dimension (the ln 2π terms cancel).
        estimate += -0.5 * eps * eps - Math.log(sd) + 0.5 * z * z;
      }
    }
    estimate /= samples;
    expect(Math.abs(got[0] - estimate)).toBeLessThan(0.02);
    expect(got[1]).toBe(0);
    kl.dispose();
  });

  it('has gradients μ and ½(σ² − 1) in ln σ², as finite differences confirm', () => {
    const [gMean, gLogVar] = tf.grads((m: tf.Tensor, v: tf.Tensor) =>
      tf.sum(gaussianKlToStandardNormal(m as tf.Tensor2D, v as tf.Tensor2D)),
    )([tf.tensor2d(MEAN), tf.tensor2d(LOG_VAR)]);
    const f = (m: number, v: number) => 0.5 * (m * m + Math.exp(v) - 1 - v);
    const h = 1e-5;
    const gm = gMean.arraySync() as number[][];
    const gv = gLogVar.arraySync() as number[][];
    MEAN[0].forEach((m, j) => {
      const v = LOG_VAR[0][j];
      expect(gm[0][j]).toBeCloseTo((f(m + h, v) - f(m - h, v)) / (2 * h), 4);
      expect(gv[0][j]).toBeCloseTo((f(m, v + h) - f(m, v - h)) / (2 * h), 4);
    });
    tf.dispose([gMean, gLogVar]);
  });

  it('rejects mismatched shapes and leaks no tensors', () => {
    const m = tf.tensor2d(MEAN);
    const v = tf.tensor2d(LOG_VAR);
    expect(() => gaussianKlToStandardNormal(m, tf.tensor2d([[1]]))).toThrow(
      /mean shape \[2, 3\] differs from logVariance shape \[1, 1\]/,
    );
    const before = tf.memory().numTensors;
    gaussianKlToStandardNormal(m, v).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([m, v]);
  });
});
