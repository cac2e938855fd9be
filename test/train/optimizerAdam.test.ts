import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/initBackend.js';
import { Adam, resolveAdamOptions, scheduledLearningRate } from '../../src/train/optimizerAdam.js';
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

  it('schedules the step size: linear warm-up, cosine decay to 0, held there; and the update uses it', () => {
    const o = resolveAdamOptions({ learningRate: 0.01, warmupSteps: 4, decaySteps: 10 });
    expect(scheduledLearningRate(o, 1)).toBeCloseTo(0.01 * 0.25 * 0.5 * (1 + Math.cos(Math.PI / 10)), 12);
    expect(scheduledLearningRate(o, 5)).toBeCloseTo(0.01 * 0.5 * (1 + Math.cos(Math.PI / 2)), 12);
    expect(scheduledLearningRate(o, 10)).toBe(0);
    expect(scheduledLearningRate(o, 50)).toBe(0);
    expect(scheduledLearningRate(resolveAdamOptions({ learningRate: 0.01 }), 1000)).toBe(0.01);
    // The first Adam step moves each weight by ≈ the step size (m̂/√v̂ = ±1): here lr(1) with decay over 2 steps = lr/2.
    const adam = new Adam([1], { learningRate: 0.1, decaySteps: 2 });
    const p = [new Float32Array([1])];
    adam.update(p, [new Float32Array([3])]);
    expect(p[0][0]).toBeCloseTo(1 - 0.05, 6);
    adam.update(p, [new Float32Array([3])]);
    expect(p[0][0]).toBeCloseTo(1 - 0.05, 6); // lr(2) = 0
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

  it('keeps the moving average of the weights with the ramped decay, carried on exactly by exported state', () => {
    const rng = new Rng(3);
    const sizes = [4, 2];
    const grads = Array.from({ length: 7 }, () => randomArrays(rng, sizes));
    const adam = new Adam(sizes, { learningRate: 0.05, averageDecay: 0.5 });
    expect(adam.averagedWeights()).toBeNull(); // no update yet
    const params = [new Float32Array(4).fill(1), new Float32Array(2).fill(-1)];
    // The recurrence by hand, in float64, from the weights after each update: w̄₁ = w₁, w̄ₜ = d·w̄ₜ₋₁ + (1−d)·wₜ with
    // d = min(0.5, (1 + t)/(10 + t)): 3/12, 4/13, 5/14, 6/15, 7/16, then 0.5.
    let expected: number[][] = [];
    grads.forEach((g, t) => {
      adam.update(params, g);
      const d = t === 0 ? 0 : Math.min(0.5, (2 + t) / (11 + t));
      expected = params.map((p, k) => Array.from(p, (w, i) => (t === 0 ? w : d * expected[k][i] + (1 - d) * w)));
    });
    const averaged = adam.averagedWeights() as Float32Array[];
    averaged.forEach((a, k) => a.forEach((w, i) => expect(w).toBeCloseTo(expected[k][i], 5)));
    expect(averaged[0][0]).not.toBeCloseTo(params[0][0], 3); // the average lags the weights
    // Plain Adam keeps none, and the averaged weights do not change the optimisation itself.
    const plain = new Adam(sizes, { learningRate: 0.05 });
    const plainParams = [new Float32Array(4).fill(1), new Float32Array(2).fill(-1)];
    grads.forEach((g) => plain.update(plainParams, g));
    expect(plain.averagedWeights()).toBeNull();
    expect(plain.exportState().average).toBeUndefined();
    expect(plainParams.map((p) => Array.from(p))).toEqual(params.map((p) => Array.from(p)));
    // Resuming carries the average on as if never interrupted.
    const first = new Adam(sizes, { learningRate: 0.05, averageDecay: 0.5 });
    const p2 = [new Float32Array(4).fill(1), new Float32Array(2).fill(-1)];
    grads.slice(0, 4).forEach((g) => first.update(p2, g));
    const resumed = new Adam(sizes, { learningRate: 0.05, averageDecay: 0.5 });
    resumed.importState(first.exportState());
    grads.slice(4).forEach((g) => resumed.update(p2, g));
    expect((resumed.averagedWeights() as Float32Array[]).map((a) => Array.from(a))).toEqual(averaged.map((a) => Array.from(a)));
    // State without an average cannot continue a run that keeps one.
    expect(() => new Adam(sizes, { averageDecay: 0.9 }).importState(plain.exportState())).toThrow(
      'optimizer state has no weight average, but this run keeps one — resume with the weight-average setting the run was started with',
    );
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
