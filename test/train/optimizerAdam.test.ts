import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/initBackend.js';
import { Adam } from '../../src/train/optimizerAdam.js';
import { createOptimizer } from '../../src/train/optimizer.js';
import { Rng } from '../../src/util/rng.js';

function randomArrays(rng: Rng, sizes: number[]): Float32Array[] {
  return sizes.map((n) => Float32Array.from({ length: n }, () => rng.normal()));
}

describe('Adam on host arrays', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });

  it('follows tf.train.adam step for step (independent implementation) over 10 steps', () => {
    const rng = new Rng(1);
    const sizes = [7, 3];
    const params = randomArrays(rng, sizes);
    const variables = params.map((p) => tf.variable(tf.tensor1d(p.slice())));
    const reference = tf.train.adam(0.01, 0.9, 0.999, 1e-8);
    const adam = new Adam(sizes, { learningRate: 0.01, epsilon: 1e-8 });
    for (let step = 0; step < 10; step++) {
      const grads = randomArrays(rng, sizes);
      adam.update(params, grads);
      const named = variables.map((v, k) => ({ name: v.name, tensor: tf.tensor1d(grads[k]) }));
      reference.applyGradients(named);
      named.forEach((g) => g.tensor.dispose());
    }
    variables.forEach((v, k) => {
      const expected = v.dataSync();
      for (let i = 0; i < expected.length; i++) expect(params[k][i]).toBeCloseTo(expected[i], 5);
    });
    expect(adam.steps).toBe(10);
    reference.dispose();
    tf.dispose(variables);
  });

  it('resumes from exported state exactly as if never interrupted', () => {
    const rng = new Rng(2);
    const sizes = [5];
    const grads = Array.from({ length: 6 }, () => randomArrays(rng, sizes));
    const straight = new Adam(sizes);
    const p1 = [new Float32Array(5).fill(1)];
    grads.forEach((g) => straight.update(p1, g));

    const first = new Adam(sizes);
    const p2 = [new Float32Array(5).fill(1)];
    grads.slice(0, 3).forEach((g) => first.update(p2, g));
    const resumed = new Adam(sizes);
    resumed.importState(first.exportState());
    grads.slice(3).forEach((g) => resumed.update(p2, g));
    expect(Array.from(p2[0])).toEqual(Array.from(p1[0]));
  });

  it('refuses optimiser state saved for another model, saying why', () => {
    const state = new Adam([4, 2]).exportState();
    expect(() => new Adam([4, 3]).importState(state)).toThrow(
      'optimizer state has parameter arrays of sizes [4, 2], the model has [4, 3] — load optimizer state saved for the same model',
    );
  });

  it('rejects bad options and unknown kinds with the parameter name', () => {
    expect(() => new Adam([1], { learningRate: -1 })).toThrow('option "learningRate": expected a finite number in [0, Infinity], got -1');
    expect(() => createOptimizer([1], { kind: 'sgd' } as never)).toThrow('option "optimizer.kind": expected one of adam, got "sgd"');
  });
});
