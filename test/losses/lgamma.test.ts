import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { lgamma, logRisingFactorial } from '../../src/losses/lgamma.js';
import { digamma, lnGammaLanczos, logFactorial } from './float64Reference.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const XS = [1e-3, 0.01, 0.1, 0.5, 0.9, 1, 1.5, 2, 2.5, 3.7, 7, 10, 33.3, 101, 1000, 1e5];

function values(t: tf.Tensor): number[] {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
}

describe('lgamma', () => {
  it('matches closed forms: ln n! at integers and ln Γ(n + ½) = ln[(2n)! √π / (4ⁿ n!)]', () => {
    const ints = [1, 2, 3, 4, 5, 6, 10, 20, 41];
    values(lgamma(tf.tensor1d(ints))).forEach((v, i) => {
      expect(v).toBeCloseTo(logFactorial(ints[i] - 1), 4 - Math.floor(Math.log10(Math.max(1, ints[i]))));
    });
    const halves = [0, 1, 2, 5];
    values(lgamma(tf.tensor1d(halves.map((n) => n + 0.5)))).forEach((v, i) => {
      const n = halves[i];
      const exact = logFactorial(2 * n) + 0.5 * Math.log(Math.PI) - n * Math.log(4) - logFactorial(n);
      expect(Math.abs(v - exact)).toBeLessThan(2e-6 * Math.max(1, Math.abs(exact)));
    });
  });

  it('is within ~1e-6 relative (or absolute near its zeros) of an independent float64 Lanczos lnΓ', () => {
    values(lgamma(tf.tensor1d(XS))).forEach((v, i) => {
      const exact = lnGammaLanczos(XS[i]);
      expect(Math.abs(v - exact), `x = ${XS[i]}`).toBeLessThan(1.5e-6 * Math.max(1, Math.abs(exact)));
    });
  });

  it('has the digamma function as its gradient', () => {
    const grads = values(tf.grad((x: tf.Tensor) => tf.sum(lgamma(x)))(tf.tensor1d(XS)));
    grads.forEach((g, i) => {
      const exact = digamma(XS[i]);
      expect(Math.abs(g - exact), `x = ${XS[i]}`).toBeLessThan(2e-5 * Math.max(1, Math.abs(exact)));
    });
  });

  it('has a gradient that agrees with central finite differences of the op itself', () => {
    const xs = [0.3, 1.7, 4, 25];
    const grads = values(tf.grad((x: tf.Tensor) => tf.sum(lgamma(x)))(tf.tensor1d(xs)));
    xs.forEach((x, i) => {
      const h = 1e-2 * x;
      const [up, down] = values(lgamma(tf.tensor1d([x + h, x - h])));
      expect(Math.abs(grads[i] - (up - down) / (2 * h))).toBeLessThan(2e-3 * Math.max(1, Math.abs(grads[i])));
    });
  });

  it('gives NaN, not a substitute, for non-positive inputs', () => {
    expect(values(lgamma(tf.tensor1d([-1, 0]))).every((v) => Number.isNaN(v) || !Number.isFinite(v))).toBe(true);
  });

  it('logRisingFactorial is exactly 0 for n = 0 and ln[x(x+1)…(x+n−1)] otherwise', () => {
    const x = tf.tensor1d([0.7, 3, 50, 101]);
    expect(values(logRisingFactorial(x, tf.zerosLike(x)))).toEqual([0, 0, 0, 0]);
    const got = values(logRisingFactorial(x, tf.fill([4], 3)));
    [0.7, 3, 50, 101].forEach((v, i) => {
      const exact = Math.log(v) + Math.log(v + 1) + Math.log(v + 2);
      expect(Math.abs(got[i] - exact)).toBeLessThan(1e-5 * Math.max(1, exact));
    });
    const big = values(logRisingFactorial(tf.tensor1d([85.3, 1.2]), tf.tensor1d([40, 40])));
    [85.3, 1.2].forEach((v, i) => {
      let exact = 0;
      for (let j = 0; j < 40; j++) exact += Math.log(v + j);
      expect(Math.abs(big[i] - exact), `x = ${v}, n = 40`).toBeLessThan(2e-6 * exact);
    });
    x.dispose();
  });

  it('leaks no tensors', () => {
    const x = tf.tensor1d(XS);
    const before = tf.memory().numTensors;
    lgamma(x).dispose();
    tf.grad((t: tf.Tensor) => tf.sum(lgamma(t)))(x).dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
