import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { ParamStore } from '../../src/nn/params.js';
import { BatchNorm } from '../../src/nn/batchNorm.js';
import { mcDropout } from '../../src/nn/mcDropout.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('ParamStore', () => {
  it('initial values depend only on seed and name, not on creation order', () => {
    const a = new ParamStore(7);
    const b = new ParamStore(7);
    a.variable('x/kernel', [3, 3, 2, 4], 'heNormal');
    a.variable('y/kernel', [5, 6], 'glorotUniform');
    b.variable('y/kernel', [5, 6], 'glorotUniform');
    b.variable('x/kernel', [3, 3, 2, 4], 'heNormal');
    const wa = a.exportWeights();
    const wb = b.exportWeights();
    expect(Array.from(wa['x/kernel'].values)).toEqual(Array.from(wb['x/kernel'].values));
    const c = new ParamStore(8);
    c.variable('x/kernel', [3, 3, 2, 4], 'heNormal');
    expect(Array.from(c.exportWeights()['x/kernel'].values)).not.toEqual(Array.from(wa['x/kernel'].values));
    a.dispose();
    b.dispose();
    c.dispose();
  });

  it('He-normal and Glorot initialisers have the intended spread', () => {
    const s = new ParamStore(1);
    const he = s.variable('he', [3, 3, 64, 64], 'heNormal').dataSync();
    const gl = s.variable('gl', [200, 300], 'glorotUniform').dataSync();
    const variance = (v: ArrayLike<number>) => {
      let m = 0;
      for (let i = 0; i < v.length; i++) m += v[i];
      m /= v.length;
      let q = 0;
      for (let i = 0; i < v.length; i++) q += (v[i] - m) ** 2;
      return q / v.length;
    };
    expect(variance(he)).toBeCloseTo(2 / (9 * 64), 3);
    expect(variance(gl)).toBeCloseTo(2 / 500, 3); // limit² / 3 with limit = sqrt(6 / 500)
    s.dispose();
  });

  it('refuses weights of another configuration, naming the parameter', () => {
    const s = new ParamStore(1);
    s.variable('enc/kernel', [2, 3], 'zeros');
    expect(() => s.importWeights({ 'enc/kernel': { shape: [3, 2], values: new Float32Array(6) } }, 'model.json')).toThrow(
      /model.json: parameter "enc\/kernel" has shape \[3,2\] but the model expects \[2,3\]/,
    );
    expect(() => s.importWeights({}, 'model.json')).toThrow(/missing: enc\/kernel/);
    expect(() => s.variable('enc/kernel', [1], 'zeros')).toThrow(/already exists/);
    s.dispose();
  });
});

describe('BatchNorm', () => {
  it('normalises with batch statistics in training and updates the running averages', () => {
    const s = new ParamStore(0);
    const bn = new BatchNorm(s.scope('m'), 'bn', { channels: 2, momentum: 0.5 });
    const x = tf.tensor2d([[1, 10], [3, 30]]);
    const y = bn.apply(x, true);
    const v = Array.from(y.dataSync());
    expect(v[0]).toBeCloseTo(-1, 3);
    expect(v[2]).toBeCloseTo(1, 3);
    expect(Array.from(bn.runningMean.dataSync())).toEqual([1, 10]); // 0.5·0 + 0.5·[2, 20]
    const yEval = bn.apply(x, false);
    expect(yEval.dataSync()[0]).toBeCloseTo((1 - 1) / Math.sqrt(0.5 * 1 + 0.5 * 1 + 1e-5), 4);
    tf.dispose([x, y, yEval]);
    s.dispose();
  });
});

describe('mcDropout', () => {
  it('is seeded, keeps the expectation and stays on at prediction', () => {
    const x = tf.ones([1000]);
    const a = mcDropout(x, 0.25, 3);
    const b = mcDropout(x, 0.25, 3);
    const c = mcDropout(x, 0.25, 4);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    expect(tf.mean(a).dataSync()[0]).toBeGreaterThan(0.9);
    expect(tf.mean(a).dataSync()[0]).toBeLessThan(1.1);
    expect(() => mcDropout(x, 1, 0)).toThrow(/rate must be in \[0, 1\)/);
    tf.dispose([x, a, b, c]);
  });
});
