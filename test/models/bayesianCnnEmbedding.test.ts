import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/initBackend.js';
import { getSchema } from '../../src/data/schemas/index.js';
import { BayesianCnn } from '../../src/models/bayesianCnn.js';
import { Rng } from '../../src/util/rng.js';

const schema = getSchema('gz2');
const SIZE = 16;

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

function images(n: number): tf.Tensor4D {
  const rng = new Rng(5);
  return tf.tensor4d(Float32Array.from({ length: n * SIZE * SIZE }, () => rng.uniform()), [n, SIZE, SIZE, 1]);
}

describe('BayesianCnn.embedding', () => {
  it('dense = ReLU(features · W + b) and pooled = the flattened maps averaged over positions, computed independently', () => {
    const model = new BayesianCnn({ schema: schema.def, imageSize: SIZE, blocks: [[4], [6]], denseUnits: 5, pooling: 'flatten', seed: 2 });
    const x = images(3);
    const features = model.features(x).arraySync();
    const weights = model.params.exportWeights();
    const kernel = weights['bayesianCnn/dense/kernel'];
    const bias = weights['bayesianCnn/dense/bias'];
    expect(kernel.shape).toEqual([features[0].length, 5]);
    const dense = model.embedding(x, 'dense').arraySync();
    const pooled = model.embedding(x, 'pooled').arraySync();
    for (let b = 0; b < 3; b++) {
      for (let u = 0; u < 5; u++) {
        let s = bias.values[u];
        for (let f = 0; f < features[b].length; f++) s += features[b][f] * kernel.values[f * 5 + u];
        expect(dense[b][u]).toBeCloseTo(Math.max(0, s), 4);
      }
      // Flattened [side, side, 6] maps in row-major order: channel c sits at f ≡ c (mod 6).
      const positions = features[b].length / 6;
      for (let c = 0; c < 6; c++) {
        let s = 0;
        for (let p = 0; p < positions; p++) s += features[b][p * 6 + c];
        expect(pooled[b][c]).toBeCloseTo(s / positions, 5);
      }
    }
    model.dispose();
    x.dispose();
  });

  it('is deterministic, equals features for mean pooling, and leaks no tensors', () => {
    const model = new BayesianCnn({ schema: schema.def, imageSize: SIZE, blocks: [[4]], denseUnits: 3, pooling: 'mean', seed: 1 });
    const x = images(2);
    const before = tf.memory().numTensors;
    const a = model.embedding(x, 'dense');
    const b = model.embedding(x, 'dense');
    expect(a.arraySync()).toEqual(b.arraySync());
    const pooled = model.embedding(x, 'pooled');
    const features = model.features(x);
    expect(pooled.arraySync()).toEqual(features.arraySync());
    tf.dispose([a, b, pooled, features]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    x.dispose();
  });
});
