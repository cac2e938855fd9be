import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { EtVae } from '../../src/models/etVae.js';
import { PlainCnn } from '../../src/models/plainCnn.js';
import { loadMorphologyModel, saveMorphologyModel } from '../../src/models/morphologyCheckpoint.js';
import { toNormalised } from '../../src/nn/resample.js';
import { initBackend } from '../../src/backend/initBackend.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** An asymmetric galaxy-like pattern [B, n, n, 1] (a bright core and an off-centre knot), pixels in [0, 1]. */
function galaxies(n: number, batch: number): tf.Tensor4D {
  const v = new Float32Array(batch * n * n);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const x = toNormalised(j, n);
        const y = toNormalised(i, n);
        v[b * n * n + i * n + j] =
          0.8 * Math.exp(-(x * x + y * y) / (0.03 + 0.01 * b)) + 0.5 * Math.exp(-((x - 0.35) ** 2 + (y + 0.15) ** 2) / 0.01);
      }
    }
  }
  return tf.tensor4d(v, [batch, n, n, 1]);
}

/** Content turned by exactly +90°: out[r][c] = in[n − 1 − c][r]. */
function rotate90(image: tf.Tensor4D): tf.Tensor4D {
  return tf.reverse(tf.transpose(image, [0, 2, 1, 3]), 2);
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe('EtVae', () => {
  it('gives poses, canonical view, split features, logits and reconstructions of the right shapes', () => {
    const model = new EtVae({ imageSize: 32, latentDim: 8, seed: 1 });
    const x = galaxies(32, 2);
    const enc = model.encode(x, false);
    expect(enc.pose.transform.shape).toEqual([2, 3, 3]);
    expect(enc.pose.layers.map((l) => l.pose.group)).toEqual(['translation', 'rotation']);
    expect(enc.canonical.shape).toEqual([2, 32, 32, 1]);
    expect(enc.split.shape).toEqual([2, 2, 2, 16]);
    expect(model.classify(enc.split, false, 0).shape).toEqual([2, 3]);
    const rec = model.reconstruct(enc, false, null);
    expect(rec.posterior.mean.shape).toEqual([2, 8]);
    expect(rec.canonicalReconstruction.shape).toEqual([2, 32, 32, 1]);
    expect(rec.reconstruction.shape).toEqual([2, 32, 32, 1]);
    const p = model.predictProbabilities(x).arraySync();
    for (const row of p) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    model.dispose();
  });

  it('parameterises the posterior scale by softplus, so it can shrink far below 1 (unlike exp(exp(a)) + 1e-3)', () => {
    const model = new EtVae({ imageSize: 32, latentDim: 4, seed: 2 });
    const weights = model.params.exportWeights();
    weights['model/latent/scale/kernel'].values.fill(0);
    weights['model/latent/scale/bias'].values.fill(-12);
    model.params.importWeights(weights);
    const rec = model.reconstruct(model.encode(galaxies(32, 1), false), false, null);
    // softplus(−12) + 1e-4 ≈ 1.06e-4; ln σ² consistent with σ.
    for (const s of rec.posterior.scale.dataSync()) expect(s).toBeCloseTo(Math.log1p(Math.exp(-12)) + 1e-4, 7);
    const logVar = rec.posterior.logVariance.dataSync();
    expect(logVar[0]).toBeCloseTo(2 * Math.log(Math.log1p(Math.exp(-12)) + 1e-4), 3);
    model.dispose();
  });

  it('rotation-only ET: a 90° turn of the input leaves the canonical view and decoding unchanged and turns the rendered reconstruction with it', () => {
    const model = new EtVae({ imageSize: 32, latentDim: 8, groups: ['rotation'], seed: 3 });
    const x = galaxies(32, 1);
    const xr = rotate90(x);
    const a = model.encode(x, false);
    const b = model.encode(xr, false);
    expect(maxAbsDiff(a.canonical, b.canonical)).toBeLessThan(1e-3);
    const ra = model.reconstruct(a, false, null);
    const rb = model.reconstruct(b, false, null);
    expect(maxAbsDiff(ra.canonicalReconstruction, rb.canonicalReconstruction)).toBeLessThan(1e-3);
    expect(maxAbsDiff(rotate90(ra.reconstruction), rb.reconstruction)).toBeLessThan(1e-3);
    // …and the predicted class probabilities are invariant.
    expect(maxAbsDiff(model.predictProbabilities(x), model.predictProbabilities(xr))).toBeLessThan(1e-4);
    model.dispose();
  });

  it('rejects images of the wrong size, naming the option', () => {
    const model = new EtVae({ imageSize: 32, latentDim: 4 });
    expect(() => model.encode(galaxies(16, 1), false)).toThrow(/images.*32×32×1/);
    model.dispose();
    expect(() => new EtVae({ imageSize: 40 })).toThrow(/imageSize/);
    expect(() => new EtVae({ poseGridSize: 10 })).toThrow(/poseGridSize/);
  });

  it('saves and loads with identical outputs, config, schema info and optimiser state', () => {
    const dir = mkdtempSync(join(tmpdir(), 'etvae-'));
    dirs.push(dir);
    const model = new EtVae({ imageSize: 32, latentDim: 6, seed: 4, likelihood: { kind: 'laplace', scale: 0.5 } });
    const x = galaxies(32, 2);
    const before = model.predictProbabilities(x).dataSync();
    const names = ['model/classifier/dense/kernel'];
    const size = model.params.exportWeights()[names[0]].values.length;
    const state = { kind: 'adam' as const, step: 7, m: [new Float32Array(size).fill(0.5)], v: [new Float32Array(size).fill(0.25)] };
    saveMorphologyModel(dir, model, { schema: { name: 'q1' }, question: 'q1', preprocessing: { size: 32 }, step: 7 }, { names, state });
    const loaded = loadMorphologyModel(dir);
    expect(loaded.model.kind).toBe('et-vae');
    expect((loaded.model as EtVae).options.likelihood).toEqual({ kind: 'laplace', scale: 0.5 });
    expect(loaded.info.question).toBe('q1');
    expect(loaded.info.step).toBe(7);
    expect(loaded.optimizer?.state.step).toBe(7);
    expect(loaded.optimizer?.state.m[0][3]).toBe(0.5);
    expect(Array.from(loaded.model.predictProbabilities(x).dataSync())).toEqual(Array.from(before));
    loaded.model.dispose();
    model.dispose();
  });

  it('plain CNN has the same encoder/classifier size and no ET layers', () => {
    const et = new EtVae({ imageSize: 32, seed: 5 });
    const plain = new PlainCnn({ imageSize: 32, seed: 5 });
    const count = (names: string[], prefix: string) => names.filter((n) => n.startsWith(prefix)).length;
    expect(count(plain.params.names, 'model/encoder')).toBe(count(et.params.names, 'model/encoder'));
    expect(count(plain.params.names, 'model/classifier')).toBe(count(et.params.names, 'model/classifier'));
    expect(count(plain.params.names, 'model/et')).toBe(0);
    expect(plain.predictProbabilities(galaxies(32, 2)).shape).toEqual([2, 3]);
    et.dispose();
    plain.dispose();
  });
});
