import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { multinomialNll } from '../../src/losses/multinomial.js';
import { compositions, multinomialLogPmf } from './float64Reference.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const COUNTS = [
  [30, 8, 2],
  [0, 0, 0],
  [1, 0, 0],
  [5, 5, 5],
];
const LOGITS = [
  [1.2, -0.3, -2],
  [0.1, 0.2, 0.3],
  [3, -1, 0.5],
  [0, 0, 0],
];

function softmax(z: number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

describe('multinomialNll', () => {
  it('matches the float64 pmf from logits and from probabilities; 0 for a galaxy with no votes', () => {
    const expected = COUNTS.map((k, i) => -multinomialLogPmf(k, softmax(LOGITS[i])));
    const counts = tf.tensor2d(COUNTS);
    const logits = tf.tensor2d(LOGITS);
    const probs = tf.softmax(logits);
    const fromLogits = multinomialNll(counts, logits);
    const fromProbs = multinomialNll(counts, probs, { input: 'probabilities' });
    const a = Array.from(fromLogits.dataSync());
    const b = Array.from(fromProbs.dataSync());
    expected.forEach((e, i) => {
      expect(Math.abs(a[i] - e)).toBeLessThan(2e-5 * Math.max(1, e));
      expect(Math.abs(b[i] - e)).toBeLessThan(2e-5 * Math.max(1, e));
    });
    expect(a[1] === 0).toBe(true); // exactly zero (the sign of zero is irrelevant)
    tf.dispose([counts, logits, probs, fromLogits, fromProbs]);
  });

  it('stays finite for extreme logits and zero probabilities', () => {
    const counts = tf.tensor2d([[3, 0, 1]]);
    const extreme = multinomialNll(counts, tf.tensor2d([[200, -200, 0]]));
    const zeroProb = multinomialNll(counts, tf.tensor2d([[1, 0, 0]]), { input: 'probabilities' });
    expect(Number.isFinite(extreme.dataSync()[0])).toBe(true);
    // Votes on a p = 0 answer cost ln(1/ε) each (ε = 1e-8), not Infinity.
    expect(zeroProb.dataSync()[0]).toBeCloseTo(-Math.log(4) - Math.log(1e-8), 3);
    tf.dispose([counts, extreme, zeroProb]);
  });

  it('sums to 1 over all count vectors with N = 6', () => {
    const all = compositions(6, 3);
    const counts = tf.tensor2d(all);
    const logits = tf.tile(tf.tensor2d([[0.4, -1, 0.9]]), [all.length, 1]) as tf.Tensor2D;
    const nll = multinomialNll(counts, logits);
    const total = Array.from(nll.dataSync()).reduce((s, v) => s + Math.exp(-v), 0);
    expect(total).toBeCloseTo(1, 5);
    tf.dispose([counts, logits, nll]);
  });

  it('has logit gradients equal to central differences of the float64 pmf', () => {
    const counts = tf.tensor2d([COUNTS[0]]);
    const z = [0.3, -0.4, 1.1];
    const grad = tf.grad((t: tf.Tensor) => tf.sum(multinomialNll(counts, t as tf.Tensor2D)))(tf.tensor2d([z]));
    const g = Array.from(grad.dataSync());
    z.forEach((_, a) => {
      const h = 1e-5;
      const up = z.map((v, b) => (b === a ? v + h : v));
      const down = z.map((v, b) => (b === a ? v - h : v));
      const fd = (-multinomialLogPmf(COUNTS[0], softmax(up)) + multinomialLogPmf(COUNTS[0], softmax(down))) / (2 * h);
      expect(Math.abs(g[a] - fd)).toBeLessThan(1e-4 * Math.max(1, Math.abs(fd)));
    });
    tf.dispose([counts, grad]);
  });

  it('rejects mismatched shapes and unknown input kinds with a message', () => {
    const counts = tf.tensor2d([[1, 2]]);
    const wrong = tf.tensor2d([[1, 2, 3]]);
    expect(() => multinomialNll(counts, wrong)).toThrow(/counts shape \[1, 2\] differs from prediction shape \[1, 3\]/);
    expect(() => multinomialNll(counts, counts, { input: 'odds' as never })).toThrow(
      /option "input": expected one of probabilities \| logits, got "odds"/,
    );
    tf.dispose([counts, wrong]);
  });

  it('leaks no tensors', () => {
    const counts = tf.tensor2d(COUNTS);
    const logits = tf.tensor2d(LOGITS);
    const before = tf.memory().numTensors;
    multinomialNll(counts, logits).dispose();
    tf.grad((t: tf.Tensor) => tf.sum(multinomialNll(counts, t as tf.Tensor2D)))(logits).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([counts, logits]);
  });
});
