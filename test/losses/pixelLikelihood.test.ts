import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { PIXEL_LIKELIHOODS, type PixelLikelihood, pixelLogLikelihood } from '../../src/losses/pixelLikelihood.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Two galaxies of 2×2 one-channel pixels. */
const TARGET = [0, 0.3, 1, 0.75, 0.5, 0.1, 0.9, 0.2];
const OUTPUT = [-2, 0.4, 3, 80, 0, -50, 1.5, 0.6];

function sumPerGalaxy(f: (x: number, y: number) => number): number[] {
  return [0, 1].map((g) => [0, 1, 2, 3].reduce((s, i) => s + f(TARGET[4 * g + i], OUTPUT[4 * g + i]), 0));
}

function evaluate(likelihood: PixelLikelihood, logSigma?: tf.Tensor): number[] {
  const target = tf.tensor4d(TARGET, [2, 2, 2, 1]);
  const output = tf.tensor4d(OUTPUT, [2, 2, 2, 1]);
  const ll = pixelLogLikelihood(likelihood, target, output, logSigma);
  const values = Array.from(ll.dataSync());
  tf.dispose([target, output, ll]);
  return values;
}

describe('pixelLogLikelihood', () => {
  it('lists every kind at runtime', () => {
    expect([...PIXEL_LIKELIHOODS]).toEqual(['bernoulli', 'gaussian', 'laplace']);
  });

  it('bernoulli from logits equals x ln σ(z) + (1 − x) ln(1 − σ(z)), finite for |z| up to 80', () => {
    const expected = sumPerGalaxy((x, z) => {
      // ln σ(z) = −ln(1 + e^(−z)), evaluated in float64 on the side that cannot overflow.
      const logSig = z >= 0 ? -Math.log1p(Math.exp(-z)) : z - Math.log1p(Math.exp(z));
      const logOneMinus = logSig - z;
      return x * logSig + (1 - x) * logOneMinus;
    });
    evaluate({ kind: 'bernoulli' }).forEach((v, g) => expect(v).toBeCloseTo(expected[g], 3));
  });

  it('gaussian with fixed σ and with a learned ln σ tensor match the float64 density', () => {
    const sigma = 0.3;
    const expected = sumPerGalaxy((x, m) => -0.5 * ((x - m) / sigma) ** 2 - Math.log(sigma) - 0.5 * Math.log(2 * Math.PI));
    evaluate({ kind: 'gaussian', sigma }).forEach((v, g) => expect(Math.abs(v - expected[g])).toBeLessThan(1e-4 * Math.abs(expected[g])));
    const logSigma = tf.scalar(Math.log(sigma));
    evaluate({ kind: 'gaussian', sigma: 'learned' }, logSigma).forEach((v, g) =>
      expect(Math.abs(v - expected[g])).toBeLessThan(1e-4 * Math.abs(expected[g])),
    );
    logSigma.dispose();
  });

  it('learned ln σ gets the gradient Σ[(x − μ)²/σ² − 1], checked by finite differences', () => {
    const target = tf.tensor2d([TARGET.slice(0, 4)]);
    const mean = tf.tensor2d([[0.1, 0.2, 0.3, 0.4]]);
    const f = (s: number) =>
      [0, 1, 2, 3].reduce((acc, i) => acc - 0.5 * ((TARGET[i] - (i + 1) / 10) / Math.exp(s)) ** 2 - s, 0);
    const s0 = -0.5;
    const grad = tf.grad((s: tf.Tensor) => tf.sum(pixelLogLikelihood({ kind: 'gaussian', sigma: 'learned' }, target, mean, s)))(
      tf.scalar(s0),
    );
    expect(grad.dataSync()[0]).toBeCloseTo((f(s0 + 1e-5) - f(s0 - 1e-5)) / 2e-5, 3);
    tf.dispose([target, mean, grad]);
  });

  it('laplace matches −|x − μ|/b − ln 2b', () => {
    const b = 0.5;
    const expected = sumPerGalaxy((x, m) => -Math.abs(x - m) / b - Math.log(2 * b));
    evaluate({ kind: 'laplace', scale: b }).forEach((v, g) => expect(Math.abs(v - expected[g])).toBeLessThan(1e-4 * Math.abs(expected[g])));
  });

  it('rejects missing learned σ, bad scales and unknown kinds with messages', () => {
    expect(() => evaluate({ kind: 'gaussian', sigma: 'learned' })).toThrow(/needs the learned ln σ tensor/);
    expect(() => evaluate({ kind: 'laplace', scale: 0 })).toThrow(/option "scale": expected a finite number > 0, got 0/);
    expect(() => evaluate({ kind: 'gaussian', sigma: -1 })).toThrow(/option "sigma"/);
    expect(() => evaluate({ kind: 'poisson' } as never)).toThrow(/unknown likelihood \{"kind":"poisson"\}; expected one of bernoulli, gaussian, laplace/);
  });

  it('leaks no tensors', () => {
    const target = tf.tensor2d([TARGET]);
    const output = tf.tensor2d([OUTPUT]);
    const before = tf.memory().numTensors;
    for (const likelihood of [{ kind: 'bernoulli' }, { kind: 'gaussian', sigma: 1 }, { kind: 'laplace', scale: 0.5 }] as const) {
      pixelLogLikelihood(likelihood, target, output).dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([target, output]);
  });
});
