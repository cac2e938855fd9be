import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { gaussianLogPrior } from '../../src/losses/gaussianLogPrior.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('gaussianLogPrior', () => {
  it('sums the float64 normal log-density over non-batch axes', () => {
    const values = [
      [0.5, -1],
      [2, 0],
    ];
    const logp = gaussianLogPrior(tf.tensor2d(values), { mean: 0.5, std: 2 });
    const density = (x: number) => Math.exp(-0.5 * ((x - 0.5) / 2) ** 2) / (2 * Math.sqrt(2 * Math.PI));
    Array.from(logp.dataSync()).forEach((v, b) => {
      expect(v).toBeCloseTo(Math.log(density(values[b][0]) * density(values[b][1])), 5);
    });
    logp.dispose();
  });

  it('rejects a non-positive std and leaks no tensors', () => {
    const x = tf.tensor2d([[1, 2]]);
    expect(() => gaussianLogPrior(x, { std: 0 })).toThrow(/option "std"/);
    const before = tf.memory().numTensors;
    gaussianLogPrior(x).dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
