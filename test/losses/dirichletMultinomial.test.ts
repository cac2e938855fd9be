import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { dirichletConcentrations, dirichletMultinomialNll } from '../../src/losses/dirichletMultinomial.js';
import { questionLossMeans } from '../../src/losses/questionLossMeans.js';
import { compositions, polyaUrnLogPmf, sigmoid } from './float64Reference.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Two questions: q0 has answers 0–2, q1 (asked only for some galaxies) has answers 3–4. */
const SLICES: [number, number][] = [
  [0, 3],
  [3, 5],
];
const COUNTS = [
  [25, 10, 5, 6, 4],
  [1, 0, 0, 0, 0],
  [0, 0, 0, 0, 0],
  [3, 30, 7, 12, 0],
];
const LOGITS = [
  [1.5, -0.5, -3, 0.2, -0.1],
  [0, 0, 0, 4, -4],
  [2, 1, 0, -1, -2],
  [-2, 3, 0.5, 1, -6],
];

function referenceLoss(counts: number[], logits: number[], floor = 1): number[] {
  const alpha = logits.map((z) => floor + 100 * sigmoid(z));
  return SLICES.map(([s, e]) => -polyaUrnLogPmf(counts.slice(s, e), alpha.slice(s, e)));
}

describe('dirichletMultinomialNll', () => {
  it('matches the Pólya-urn pmf in float64 per galaxy and question, and is exactly 0 for unasked questions', () => {
    const counts = tf.tensor2d(COUNTS);
    const logits = tf.tensor2d(LOGITS);
    const loss = dirichletMultinomialNll(counts, logits, SLICES);
    expect(loss.shape).toEqual([4, 2]);
    const got = loss.arraySync();
    COUNTS.forEach((k, i) => {
      referenceLoss(k, LOGITS[i]).forEach((expected, q) => {
        expect(Math.abs(got[i][q] - expected), `galaxy ${i} question ${q}`).toBeLessThan(3e-5 * Math.max(1, expected));
      });
    });
    expect(got[1][1] === 0 && got[2][0] === 0 && got[2][1] === 0).toBe(true);
    tf.dispose([counts, logits, loss]);
  });

  it('accepts concentrations directly', () => {
    const counts = tf.tensor2d(COUNTS);
    const logits = tf.tensor2d(LOGITS);
    const alpha = dirichletConcentrations(logits) as tf.Tensor2D;
    const a = dirichletMultinomialNll(counts, logits, SLICES);
    const b = dirichletMultinomialNll(counts, alpha, SLICES, { input: 'concentrations' });
    // α computed in float32 (the tensor) vs float64 (inside the op from the logits): equal to float32 rounding.
    const [av, bv] = [a.dataSync(), b.dataSync()];
    av.forEach((v, i) => expect(bv[i]).toBeCloseTo(v, 3));
    tf.dispose([counts, logits, alpha, a, b]);
  });

  it('is a pmf: exp(−loss) sums to 1 over every count vector with N = 5 for a 3-answer question', () => {
    const all = compositions(5, 3);
    const counts = tf.tensor2d(all);
    const logits = tf.tile(tf.tensor2d([[-1.3, 0.4, 2.2]]), [all.length, 1]) as tf.Tensor2D;
    const loss = dirichletMultinomialNll(counts, logits, [[0, 3]]);
    const total = Array.from(loss.dataSync()).reduce((s, v) => s + Math.exp(-v), 0);
    expect(total).toBeCloseTo(1, 5);
    tf.dispose([counts, logits, loss]);
  });

  it('has logit gradients equal to central differences of the float64 Pólya-urn pmf', () => {
    const counts = tf.tensor2d([COUNTS[0], COUNTS[3]]);
    const logits = tf.tensor2d([LOGITS[0], LOGITS[3]]);
    const grad = tf.grad((z: tf.Tensor) => tf.sum(dirichletMultinomialNll(counts, z as tf.Tensor2D, SLICES)))(logits);
    const g = grad.arraySync() as number[][];
    [0, 3].forEach((row, i) => {
      LOGITS[row].forEach((_, a) => {
        const h = 1e-5;
        const shifted = (d: number) => LOGITS[row].map((v, b) => (b === a ? v + d : v));
        const total = (z: number[]) => referenceLoss(COUNTS[row], z).reduce((s, v) => s + v, 0);
        const fd = (total(shifted(h)) - total(shifted(-h))) / (2 * h);
        expect(Math.abs(g[i][a] - fd), `galaxy ${row} answer ${a}`).toBeLessThan(2e-3 * Math.max(1, Math.abs(fd)));
      });
    });
    tf.dispose([counts, logits, grad]);
  });

  it('with a concentration floor below 1: the float64 pmf, a pmf over all outcomes, central-difference gradients', () => {
    const floor = 0.05;
    const counts = tf.tensor2d(COUNTS);
    const logits = tf.tensor2d(LOGITS);
    const got = dirichletMultinomialNll(counts, logits, SLICES, { concentrationFloor: floor }).arraySync();
    COUNTS.forEach((k, i) => {
      referenceLoss(k, LOGITS[i], floor).forEach((expected, q) => {
        expect(Math.abs(got[i][q] - expected), `galaxy ${i} question ${q}`).toBeLessThan(3e-5 * Math.max(1, expected));
      });
    });
    // The floor changes the model: the same logits give a different loss than zoobot's floor of 1.
    expect(Math.abs(got[0][0] - referenceLoss(COUNTS[0], LOGITS[0])[0])).toBeGreaterThan(0.01);
    const all = compositions(5, 3);
    const allCounts = tf.tensor2d(all);
    const tiled = tf.tile(tf.tensor2d([[-6, 0.4, -8]]), [all.length, 1]) as tf.Tensor2D; // α ≈ 0.3, 60, 0.08
    const total = Array.from(dirichletMultinomialNll(allCounts, tiled, [[0, 3]], { concentrationFloor: floor }).dataSync())
      .reduce((sum, v) => sum + Math.exp(-v), 0);
    expect(total).toBeCloseTo(1, 5);
    const grad = tf.grad((z: tf.Tensor) => tf.sum(dirichletMultinomialNll(counts, z as tf.Tensor2D, SLICES, { concentrationFloor: floor })))(logits);
    const g = grad.arraySync() as number[][];
    [0, 1, 3].forEach((row) => {
      LOGITS[row].forEach((_, a) => {
        const h = 1e-5;
        const shifted = (d: number) => LOGITS[row].map((v, b) => (b === a ? v + d : v));
        const sum = (z: number[]) => referenceLoss(COUNTS[row], z, floor).reduce((acc, v) => acc + v, 0);
        const fd = (sum(shifted(h)) - sum(shifted(-h))) / (2 * h);
        expect(Math.abs(g[row][a] - fd), `galaxy ${row} answer ${a}`).toBeLessThan(2e-3 * Math.max(1, Math.abs(fd)));
      });
    });
    const alpha = dirichletConcentrations(logits, floor).arraySync() as number[][];
    expect(alpha[0][2]).toBeCloseTo(floor + 100 * sigmoid(-3), 4);
    expect(() => dirichletMultinomialNll(counts, logits, SLICES, { concentrationFloor: 0 })).toThrow(/concentrationFloor/);
    tf.dispose([counts, logits, allCounts, tiled, grad]);
  });

  it('rejects bad slices and shapes with a message naming the problem', () => {
    const counts = tf.tensor2d(COUNTS);
    const logits = tf.tensor2d(LOGITS);
    expect(() => dirichletMultinomialNll(counts, logits, [[0, 6]])).toThrow(
      /question 0 has slice \[0, 6\), expected integers with 0 ≤ start < end ≤ 5/,
    );
    expect(() => dirichletMultinomialNll(counts, logits, [])).toThrow(/questionSlices is empty/);
    expect(() => dirichletMultinomialNll(counts, tf.tensor2d([[1]]), SLICES)).toThrow(/differs from prediction shape \[1, 1\]/);
    tf.dispose([counts, logits]);
  });

  it('leaks no tensors in the forward or backward pass', () => {
    const counts = tf.tensor2d(COUNTS);
    const logits = tf.tensor2d(LOGITS);
    const before = tf.memory().numTensors;
    dirichletMultinomialNll(counts, logits, SLICES).dispose();
    tf.grad((z: tf.Tensor) => tf.sum(dirichletMultinomialNll(counts, z as tf.Tensor2D, SLICES)))(logits).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([counts, logits]);
  });
});

describe('questionLossMeans', () => {
  it('averages each question over galaxies that received votes for it only', () => {
    const counts = tf.tensor2d(COUNTS);
    const losses = tf.tensor2d([
      [1, 2],
      [3, 0],
      [0, 0],
      [5, 7],
    ]);
    expect(questionLossMeans(losses, counts, SLICES)).toEqual([
      { mean: 3, galaxies: 3 },
      { mean: 4.5, galaxies: 2 },
    ]);
    const none = tf.tensor2d([[0, 0]]);
    expect(questionLossMeans(none, tf.tensor2d([[0, 0, 0, 0, 0]]), SLICES)).toEqual([
      { mean: null, galaxies: 0 },
      { mean: null, galaxies: 0 },
    ]);
    expect(() => questionLossMeans(none, counts, SLICES)).toThrow(/does not match 4 galaxies × 2 questions/);
    tf.dispose([counts, losses, none]);
  });
});
