import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { binomialNll } from '../../src/losses/binomial.js';
import { logFactorial } from './float64Reference.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** ln C(N, k) from factorials, to turn the explicit pmf into the loss (which leaves the coefficient out). */
function logChoose(n: number, k: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

/** Explicit pmf C(N, k) ρ^k (1 − ρ)^(N − k) by repeated multiplication. */
function binomialPmf(k: number, n: number, rho: number): number {
  let p = Math.exp(logChoose(n, k));
  for (let i = 0; i < k; i++) p *= rho;
  for (let i = 0; i < n - k; i++) p *= 1 - rho;
  return p;
}

describe('binomialNll', () => {
  it('equals −ln pmf + ln C(N, k) against the explicit binomial pmf', () => {
    const k = [0, 3, 12, 40, 7];
    const n = [40, 10, 40, 40, 7];
    const rho = [0.2, 0.5, 0.33, 0.9, 0.6];
    const loss = binomialNll(tf.tensor1d(k), tf.tensor1d(n), tf.tensor1d(rho));
    const got = Array.from(loss.dataSync());
    k.forEach((kk, i) => {
      const expected = -Math.log(binomialPmf(kk, n[i], rho[i])) + logChoose(n[i], kk);
      expect(Math.abs(got[i] - expected)).toBeLessThan(1e-5 * Math.max(1, expected));
    });
    loss.dispose();
  });

  it('uses ε = 1e-8 inside the logs so ρ = 0 and 1 stay finite', () => {
    const loss = binomialNll(tf.tensor1d([2, 1]), tf.tensor1d([5, 1]), tf.tensor1d([0, 1]));
    const [a, b] = Array.from(loss.dataSync());
    expect(a).toBeCloseTo(-2 * Math.log(1e-8) - 3 * Math.log(1 + 1e-8), 2);
    expect(b).toBeCloseTo(-Math.log(1 + 1e-8), 6);
    loss.dispose();
  });

  it('has ρ gradients matching finite differences: −k/ρ + (N − k)/(1 − ρ)', () => {
    const rho = [0.1, 0.5, 0.8];
    const grad = tf.grad((t: tf.Tensor) => tf.sum(binomialNll(tf.tensor1d([3, 20, 5]), tf.tensor1d([10, 40, 6]), t as tf.Tensor1D)))(
      tf.tensor1d(rho),
    );
    const g = Array.from(grad.dataSync());
    const f = (k: number, n: number, r: number) => -(k * Math.log(r + 1e-8) + (n - k) * Math.log(1 - r + 1e-8));
    [
      [3, 10],
      [20, 40],
      [5, 6],
    ].forEach(([k, n], i) => {
      const h = 1e-6;
      const fd = (f(k, n, rho[i] + h) - f(k, n, rho[i] - h)) / (2 * h);
      expect(Math.abs(g[i] - fd)).toBeLessThan(1e-3 * Math.max(1, Math.abs(fd)));
    });
    grad.dispose();
  });

  it('rejects inputs of different lengths with a message', () => {
    const a = tf.tensor1d([1, 2]);
    const b = tf.tensor1d([1, 2, 3]);
    expect(() => binomialNll(a, b, a)).toThrow(/same length, got 2, 3, 2/);
    tf.dispose([a, b]);
  });

  it('leaks no tensors', () => {
    const k = tf.tensor1d([1, 2]);
    const n = tf.tensor1d([4, 4]);
    const r = tf.tensor1d([0.3, 0.6]);
    const before = tf.memory().numTensors;
    binomialNll(k, n, r).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([k, n, r]);
  });
});
