import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/initBackend.js';
import { getSchema } from '../../src/data/schemas/index.js';
import { BayesianCnn, resolveBayesianCnnConfig } from '../../src/models/bayesianCnn.js';
import { BayesianCnnTask, passSettings } from '../../src/models/bayesianCnnTask.js';
import { loadBayesianCnn, saveBayesianCnn } from '../../src/models/bayesianCnnCheckpoint.js';
import { createModel, MODEL_KINDS } from '../../src/models/registry.js';
import { LocalTrainer } from '../../src/train/localTrainer.js';
import { bayesianCnnTaskSpec } from '../../src/models/bayesianCnnTask.js';
import { resolvePreprocessOptions } from '../../src/data/preprocess.js';
import { summarisePasses } from '../../src/workflows/predict/predictSummary.js';
import { Rng } from '../../src/util/rng.js';
import type { HostBatch } from '../../src/data/hostBatch.js';

const schema = getSchema('gz2');
const SIZE = 16;
const tiny = { schema: schema.def, imageSize: SIZE, blocks: [[4], [8]], denseUnits: 8, seed: 3 };

function images(n: number, seed: number): tf.Tensor4D {
  const rng = new Rng(seed);
  return tf.tensor4d(Float32Array.from({ length: n * SIZE * SIZE }, () => rng.uniform()), [n, SIZE, SIZE, 1]);
}

function batch(n: number, seed: number): HostBatch {
  const rng = new Rng(seed);
  const counts = new Float32Array(n * schema.numAnswers);
  for (let b = 0; b < n; b++) {
    // 20 votes on q1; 8 of the featured votes go on to q2 (edge-on); the rest of the tree unasked (0 votes).
    const smooth = rng.int(21);
    counts[b * schema.numAnswers + 0] = smooth;
    counts[b * schema.numAnswers + 1] = 20 - smooth;
    const q2 = schema.question('q2');
    counts[b * schema.numAnswers + q2.start] = 3;
    counts[b * schema.numAnswers + q2.start + 1] = 5;
  }
  return {
    size: n,
    arrays: { images: Float32Array.from({ length: n * SIZE * SIZE }, () => rng.uniform()), counts },
    shapes: { images: [SIZE, SIZE, 1], counts: [schema.numAnswers] },
  };
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('Bayesian CNN', () => {
  let model: BayesianCnn;
  beforeAll(() => {
    model = new BayesianCnn(tiny);
  });
  afterAll(() => model.dispose());

  it('MC dropout: passes differ with different seeds and repeat exactly with the same seed', () => {
    const x = images(3, 1);
    const a = model.logits(x, 11).arraySync();
    const b = model.logits(x, 11).arraySync();
    const c = model.logits(x, 12).arraySync();
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const passes = model.passes(x, 4, 11).arraySync();
    expect(passes[0][0]).not.toEqual(passes[0][1]);
    tf.dispose(x);
  });

  it('Dirichlet head: concentrations in [1, 101], fractions sum to 1 per question, P(asked) follows the tree', () => {
    const x = images(2, 2);
    const out = model.passes(x, 5, 7);
    const values = out.arraySync();
    tf.dispose([x, out]);
    for (const v of values.flat(2)) {
      expect(v).toBeGreaterThanOrEqual(1);
      expect(v).toBeLessThanOrEqual(101);
    }
    const byPass = values[0].map((_, t) => values.map((g) => g[t]));
    const s = summarisePasses(model.head, schema, byPass, 40);
    for (const f of s.fraction) {
      for (const q of schema.questions) {
        const sum = q.answers.reduce((acc, a) => acc + f[a.index], 0);
        expect(sum).toBeCloseTo(1, 10);
      }
    }
    const f = s.fraction[0];
    const pAsked = s.probabilityAsked[0];
    const q2 = schema.question('q2');
    const q3 = schema.question('q3');
    expect(pAsked[0]).toBe(1);
    expect(pAsked[q2.index]).toBeCloseTo(f[schema.answerIndex('q1_features_or_disk')], 12);
    expect(pAsked[q3.index]).toBeCloseTo(pAsked[q2.index] * f[schema.answerIndex('q2_edge_on_no')], 12);
    for (let a = 0; a < schema.numAnswers; a++) {
      expect(s.lower[0][a]).toBeLessThanOrEqual(f[a] + 1e-9);
      expect(s.upper[0][a]).toBeGreaterThanOrEqual(f[a] - 0.2);
      expect(s.expectedVotes[0][a]).toBeCloseTo(f[a] * 40 * pAsked[schema.answers[a].questionIndex], 9);
    }
  });

  it('binomial and multinomial heads output ρ in [0, 1] and a probability vector', () => {
    const bin = new BayesianCnn({ ...tiny, head: 'binomial', target: 'q1_smooth' });
    const multi = new BayesianCnn({ ...tiny, head: 'multinomial', target: 'q1' });
    const x = images(2, 3);
    const rho = bin.passes(x, 3, 1).arraySync();
    const p = multi.passes(x, 3, 1).arraySync();
    expect(rho[0][0]).toHaveLength(1);
    expect(rho[0][0][0]).toBeGreaterThan(0);
    expect(rho[0][0][0]).toBeLessThan(1);
    expect(p[1][2].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    tf.dispose(x);
    bin.dispose();
    multi.dispose();
  });

  it('flatten pooling keeps every position: features are side² × channels; mean pooling averages them', () => {
    const flat = new BayesianCnn({ ...tiny, pooling: 'flatten' });
    const mean = new BayesianCnn({ ...tiny, pooling: 'mean' });
    const x = images(2, 9);
    const f = flat.features(x);
    const m = mean.features(x);
    expect(f.shape).toEqual([2, (SIZE / 4) ** 2 * 8]);
    expect(m.shape).toEqual([2, 8]);
    // Same seed, same conv weights: the mean features are the average over positions of the flattened ones.
    const averaged = tf.mean(tf.reshape(f, [2, (SIZE / 4) ** 2, 8]), 1);
    expect(tf.max(tf.abs(tf.sub(averaged, m))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([x, f, m, averaged]);
    flat.dispose();
    mean.dispose();
  });

  it('headBias starts the Dirichlet concentrations at 1 + 100·sigmoid(b) when the logits are near the bias', () => {
    const model = new BayesianCnn({ ...tiny, headBias: -3, dropout: 0 });
    const x = tf.zeros([1, SIZE, SIZE, 1]) as tf.Tensor4D;
    const alpha = model.passes(x, 1, 0);
    // Zero images → zero conv outputs (zero biases) → zero features → the logits are exactly the bias.
    for (const a of alpha.dataSync()) expect(a).toBeCloseTo(1 + 100 / (1 + Math.exp(3)), 4);
    tf.dispose([x, alpha]);
    model.dispose();
  });

  it('concentrationFloor m puts the concentrations at m + 100·sigmoid(b); a config without it (older models) resolves to 1', () => {
    const model = new BayesianCnn({ ...tiny, headBias: -3, dropout: 0, concentrationFloor: 0.1 });
    const x = tf.zeros([1, SIZE, SIZE, 1]) as tf.Tensor4D;
    const alpha = model.passes(x, 1, 0);
    for (const a of alpha.dataSync()) expect(a).toBeCloseTo(0.1 + 100 / (1 + Math.exp(3)), 4);
    expect(model.config.concentrationFloor).toBe(0.1);
    tf.dispose([x, alpha]);
    model.dispose();
    expect(resolveBayesianCnnConfig({ schema: tiny.schema }).concentrationFloor).toBe(1);
    expect(() => resolveBayesianCnnConfig({ schema: tiny.schema, concentrationFloor: 0 })).toThrow(/concentrationFloor/);
  });

  it('BatchNorm normalises with batch statistics in training and running ones at prediction', () => {
    const model = new BayesianCnn({ ...tiny, batchNorm: true });
    const x = images(4, 11);
    const train = model.features(x, true);
    const evaluate = model.features(x, false);
    expect(tf.max(tf.abs(tf.sub(train, evaluate))).dataSync()[0]).toBeGreaterThan(1e-3);
    expect(model.params.state.length).toBe(2 * 2); // running mean and variance of each of the two convolutions
    tf.dispose([x, train, evaluate]);
    model.dispose();
  });

  it('rejects images of the wrong size, naming the expected input', () => {
    const x = tf.zeros([1, 8, 8, 1]) as tf.Tensor4D;
    expect(() => model.features(x)).toThrow(/16×16×1 images/);
    x.dispose();
  });

  it('refuses a binomial head without an answer, and an unknown answer', () => {
    expect(() => new BayesianCnn({ ...tiny, head: 'binomial' })).toThrow(/answer key/);
    expect(() => new BayesianCnn({ ...tiny, head: 'binomial', target: 'nope' })).toThrow(/no answer "nope"/);
  });

  it('registry builds models by kind and refuses unknown kinds', () => {
    expect(MODEL_KINDS).toContain('bayesian-cnn');
    const m = createModel('bayesian-cnn', tiny);
    expect(m.params.parameterCount).toBe(model.params.parameterCount);
    m.dispose();
    expect(() => createModel('nope' as 'bayesian-cnn', tiny)).toThrow(/one of bayesian-cnn/);
  });
});

describe('Bayesian CNN training task', () => {
  it('logs per-question losses, lowers the loss and leaks no tensors over training steps', async () => {
    const trainer = await LocalTrainer.create(bayesianCnnTaskSpec(tiny), { kind: 'adam', learningRate: 0.01 });
    const first = await trainer.step(batch(8, 1));
    expect(Object.keys(first.metrics)).toContain('loss/q1');
    expect(first.metrics['loss/q3']).toBe(0); // never asked in the batch: exact 0, excluded from the mean
    const before = tf.memory().numTensors;
    let last = first.loss;
    for (let s = 0; s < 15; s++) last = (await trainer.step(batch(8, 1))).loss;
    expect(tf.memory().numTensors).toBe(before);
    expect(last).toBeLessThan(first.loss);
    const predicted = await trainer.predict('passes', { ...batch(3, 2), arrays: { ...batch(3, 2).arrays, passes: passSettings(3, 4, 5) } });
    expect(predicted.shape).toEqual([3, 4, schema.numAnswers]);
    await trainer.dispose();
  });

  it('draws its training dropout from (step, shard): data-parallel shards get independent masks', () => {
    const task = new BayesianCnnTask(tiny);
    const b = batch(4, 2);
    const loss = (step: number, shard: number) => tf.tidy(() => task.step(b, step, shard).loss.dataSync()[0]);
    expect(loss(3, 0)).toBe(loss(3, 0));
    expect(loss(3, 1)).not.toBe(loss(3, 0));
    expect(loss(4, 0)).not.toBe(loss(3, 0));
    task.dispose();
  });

  it('lossWeights scale each question\'s NLL in the loss; the logged per-question losses stay unweighted', () => {
    const plain = new BayesianCnnTask(tiny);
    const weighted = new BayesianCnnTask({ ...tiny, lossWeights: { q1: 3, q2: 0.5 } });
    const b = batch(6, 4);
    const read = (task: BayesianCnnTask) => tf.tidy(() => {
      const out = task.step(b, 2, 0);
      return { loss: out.loss.dataSync()[0], q1: (out.metrics ?? {})['loss/q1'].dataSync()[0], q2: (out.metrics ?? {})['loss/q2'].dataSync()[0] };
    });
    const p = read(plain);
    const w = read(weighted);
    // every galaxy of the batch answered q1 and q2 and nothing else, so the loss is the per-question means' sum
    expect(w.q1).toBeCloseTo(p.q1, 5);
    expect(p.loss).toBeCloseTo(p.q1 + p.q2, 4);
    expect(w.loss).toBeCloseTo(3 * p.q1 + 0.5 * p.q2, 4);
    expect(weighted.model.questionWeights.slice(0, 3)).toEqual([3, 0.5, 1]);
    plain.dispose();
    weighted.dispose();
    expect(() => new BayesianCnn({ ...tiny, lossWeights: { q99: 2 } })).toThrow(/option "lossWeights": expected weights for the head's questions only \(q1, q2.*got "?q99/);
    expect(() => new BayesianCnn({ ...tiny, lossWeights: { q1: -1 } })).toThrow(/option "lossWeights": expected question keys with weights in \[0, 1000\]/);
  });

  it('passes() refuses a batch without pass settings', () => {
    const task = new BayesianCnnTask(tiny);
    expect(() => task.passes(batch(2, 1))).toThrow(/"passes" array/);
    task.dispose();
  });
});

describe('Bayesian CNN checkpoint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bcnn-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('save → load gives the same predictions, config, preprocessing and optimiser state', () => {
    const model = new BayesianCnn({ ...tiny, seed: 9 });
    const preprocessing = resolvePreprocessOptions({ size: SIZE });
    const m = model.params.trainable.map((v) => new Float32Array(v.size).fill(0.5));
    saveBayesianCnn(join(dir, 'model'), model, { preprocessing, step: 7, optimizer: { kind: 'adam', step: 7, m, v: m } });
    const loaded = loadBayesianCnn(join(dir, 'model'));
    const x = images(2, 4);
    expect(loaded.model.passes(x, 3, 21).arraySync()).toEqual(model.passes(x, 3, 21).arraySync());
    expect(loaded.model.config).toEqual(model.config);
    expect(loaded.preprocessing).toEqual(preprocessing);
    expect(loaded.meta.step).toBe(7);
    expect(loaded.optimizer?.m[0][0]).toBe(0.5);
    tf.dispose(x);
    model.dispose();
    loaded.model.dispose();
  });

  it('a missing model folder is a clear error', () => {
    expect(() => loadBayesianCnn(join(dir, 'absent'))).toThrow(/no model folder or shipped model called/);
  });
});
