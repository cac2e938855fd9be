import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/initBackend.js';
import { createModel } from '../../src/models/registry.js';
import { mixtureToPriorArrays, Vade } from '../../src/models/vade.js';
import { loadVade, saveVade } from '../../src/models/vadeCheckpoint.js';
import { scheduleAt } from '../../src/models/vadeSchedule.js';
import { vadeTaskSpec } from '../../src/models/vadeTask.js';
import { applyFrontEnd } from '../../src/models/vadeFrontEnd.js';
import { resolvePreprocessOptions } from '../../src/data/preprocess.js';
import { LocalTrainer, writeVariables } from '../../src/train/localTrainer.js';
import { Adam } from '../../src/train/optimizerAdam.js';
import { Rng } from '../../src/util/rng.js';

const dir = mkdtempSync(join(tmpdir(), 'vade-'));
const small = { imageSize: 16, filters: [4, 4, 4] as [number, number, number], kernels: [3, 3, 3] as [number, number, number], latentDim: 3, clusters: 2 };

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function images(n: number, side: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n * side * side }, () => rng.uniform());
}

describe('VaDE model', () => {
  it('encodes to [B, J], decodes to images in (0, 1), and is in the registry', () => {
    const model = createModel('vade', small);
    const x = tf.tensor4d(images(3, 16, 1), [3, 16, 16, 1]);
    const posterior = model.encode(x);
    expect(posterior.mean.shape).toEqual([3, 3]);
    const y = model.decode(posterior.mean);
    expect(y.shape).toEqual([3, 16, 16, 1]);
    const values = Array.from(y.dataSync());
    expect(Math.min(...values)).toBeGreaterThan(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const gamma = model.responsibilities(posterior.mean);
    Array.from({ length: 3 }, (_, i) => gamma.arraySync()[i].reduce((s, v) => s + v, 0)).forEach((s) => expect(s).toBeCloseTo(1, 5));
    tf.dispose([x, posterior.mean, posterior.scale, posterior.logVariance, y, gamma]);
    model.dispose();
  });

  it('refuses bad configurations and inputs with messages naming them', () => {
    expect(() => new Vade({ imageSize: 20 })).toThrow(/option "imageSize": expected a multiple of 8/);
    expect(() => new Vade({ filters: [4, 4] as unknown as [number, number, number] })).toThrow(/option "filters": expected three integers/);
    const model = new Vade(small);
    const wrong = tf.zeros([1, 8, 8, 1]) as tf.Tensor4D;
    expect(() => model.encode(wrong)).toThrow(/option "images": expected a batch of shape \[B, 16, 16, 1\], got "shape \[1, 8, 8, 1\]"/);
    wrong.dispose();
    model.dispose();
  });

  it('writes a fitted mixture into the prior and reads back π, μ and σ² (σ² at least the floor)', () => {
    const model = new Vade(small);
    const mixture = {
      weights: Float64Array.from([0.25, 0.75]),
      means: [Float64Array.from([1, -2, 0.5]), Float64Array.from([0, 3, -1])],
      variances: [Float64Array.from([0.5, 2, 1e-9]), Float64Array.from([1, 0.1, 0.3])],
    };
    writeVariables([model.prior.weightLogits, model.prior.means, model.prior.logVariances] as tf.Variable[], mixtureToPriorArrays(mixture, model.config.varianceFloor), 'prior');
    const back = model.mixture();
    expect(back.weights[0]).toBeCloseTo(0.25, 6);
    expect(back.weights[1]).toBeCloseTo(0.75, 6);
    expect(back.means[1][1]).toBeCloseTo(3, 6);
    expect(back.variances[0][1]).toBeCloseTo(2, 5);
    // A variance below the floor comes back just above it, never below.
    expect(back.variances[0][2]).toBeGreaterThanOrEqual(model.config.varianceFloor);
    expect(back.variances[0][2]).toBeLessThan(2 * model.config.varianceFloor);
    model.dispose();
  });

  it('save → load gives identical outputs, config and optimiser state', () => {
    const model = new Vade({ ...small, seed: 7 });
    const preprocessing = resolvePreprocessOptions({ size: 16 });
    const optimizer = { kind: 'adam' as const, step: 3, m: model.params.trainable.map((v) => new Float32Array(v.size).fill(0.5)), v: model.params.trainable.map((v) => new Float32Array(v.size).fill(0.25)) };
    saveVade(join(dir, 'm'), model, { preprocessing, step: 3, optimizer, extra: { note: 'x' } });
    const loaded = loadVade(join(dir, 'm'));
    expect(loaded.model.config).toEqual(model.config);
    expect(loaded.meta.extra).toEqual({ note: 'x' });
    expect(loaded.optimizer?.step).toBe(3);
    expect(loaded.optimizer?.m[0][0]).toBe(0.5);
    const x = tf.tensor4d(images(2, 16, 2), [2, 16, 16, 1]);
    const run = (m: Vade) => tf.tidy(() => {
      const mean = m.encode(x).mean;
      return [mean, m.decode(mean), m.responsibilities(mean)].map((t) => Array.from(t.dataSync()));
    });
    expect(run(loaded.model)).toEqual(run(model));
    x.dispose();
    loaded.model.dispose();
    model.dispose();
    expect(() => loadVade(join(dir, 'nothing'))).toThrow(/no model\.json here/);
  });
});

describe('s3VDC schedule', () => {
  const s = { warmupSteps: 4, annealSteps: 4, staticSteps: 2, klWeight: 0.001 };
  it('warm-up with the small KL weight, then cubic annealing ramps and static steps, period after period', () => {
    expect(scheduleAt(s, 0)).toEqual({ phase: 'warmup', weight: 0.001 });
    expect(scheduleAt(s, 3)).toEqual({ phase: 'warmup', weight: 0.001 });
    expect(scheduleAt(s, 4)).toEqual({ phase: 'anneal', weight: 0.001 });
    expect(scheduleAt(s, 6).weight).toBeCloseTo(0.5 ** 3 + 0.001, 12);
    expect(scheduleAt(s, 8)).toEqual({ phase: 'static', weight: 1 });
    expect(scheduleAt(s, 9)).toEqual({ phase: 'static', weight: 1 });
    expect(scheduleAt(s, 10)).toEqual({ phase: 'anneal', weight: 0.001 });
    expect(scheduleAt(s, 13).weight).toBeCloseTo(0.75 ** 3 + 0.001, 12);
  });
});

describe('Adam value clipping', () => {
  it('clips each gradient value to [−c, c] before the moments', () => {
    const adam = new Adam([3], { clipValue: 1, beta1: 0.9 });
    adam.update([new Float32Array(3)], [Float32Array.from([5, -0.5, -7])]);
    const m = adam.exportState().m[0];
    expect(Array.from(m).map((x) => x / 0.1)).toEqual([1, -0.5, -1].map((x) => expect.closeTo(x, 6) as unknown as number));
  });
});

describe('VaDE task', () => {
  it('trains through every phase with a flat tensor count (no leak) and finite losses', async () => {
    const trainer = await LocalTrainer.create(vadeTaskSpec({ model: small, schedule: { warmupSteps: 2, annealSteps: 2, staticSteps: 2, klWeight: 5e-4 } }),
      { kind: 'adam', learningRate: 1e-3, clipValue: 1 });
    const batch = { size: 4, arrays: { images: images(4, 16, 3) }, shapes: { images: [16, 16, 1] } };
    const phases: number[] = [];
    let count = 0;
    for (let step = 0; step < 8; step++) {
      const r = await trainer.step(batch);
      expect(Number.isFinite(r.loss)).toBe(true);
      phases.push(r.metrics.weight);
      if (step === 1) count = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(count);
    expect(phases[0]).toBeCloseTo(5e-4, 8);
    expect(phases[4]).toBe(1);
    const embedded = await trainer.predict('embed', batch);
    expect(embedded.shape).toEqual([4, 3]);
    expect((await trainer.predict('responsibilities', batch)).shape).toEqual([4, 2]);
    expect((await trainer.predict('reconstruct', batch)).shape).toEqual([4, 16, 16, 1]);
    expect(tf.memory().numTensors).toBe(count);
    await trainer.dispose();
  });

  it.each(['moments', 'segmented'] as const)('with the %s front end, trains on and embeds the canonical images (no leak, finite losses)', async (frontEnd) => {
    const config = { ...small, frontEnd };
    const trainer = await LocalTrainer.create(vadeTaskSpec({ model: config, schedule: { warmupSteps: 1, annealSteps: 1, staticSteps: 1, klWeight: 5e-4 } }),
      { kind: 'adam', learningRate: 1e-3, clipValue: 1 });
    const batch = { size: 4, arrays: { images: images(4, 16, 5) }, shapes: { images: [16, 16, 1] } };
    let count = 0;
    for (let step = 0; step < 4; step++) {
      const r = await trainer.step(batch);
      expect(Number.isFinite(r.loss)).toBe(true);
      if (step === 1) count = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(count);
    // The task's embedding is the encoder's mean of the front end's images, the same as the model's own path.
    const model = new Vade(config);
    const weights = await trainer.getWeights();
    writeVariables(model.params.trainable, weights.trainable, 'vade');
    const x = tf.tensor4d(batch.arrays.images, [4, 16, 16, 1]);
    const canonical = applyFrontEnd(frontEnd, x);
    const prepared = model.prepare(x);
    expect(Array.from(prepared.dataSync())).toEqual(Array.from(canonical.dataSync()));
    const direct = tf.tidy(() => model.encode(canonical).mean);
    const embedded = await trainer.predict('embed', batch);
    const want = direct.dataSync();
    expect(Array.from(embedded.data).every((v, i) => Math.abs(v - want[i]) < 1e-5)).toBe(true);
    tf.dispose([x, canonical, prepared, direct]);
    model.dispose();
    await trainer.dispose();
  });

  it('with the noise-aware likelihood (gaussian-noise, both front ends), runs every phase with finite losses and no leak', async () => {
    for (const frontEnd of ['none', 'moments'] as const) {
      const trainer = await LocalTrainer.create(vadeTaskSpec({ model: { ...small, frontEnd, reconstruction: 'gaussian-noise' }, schedule: { warmupSteps: 2, annealSteps: 2, staticSteps: 2, klWeight: 5e-4 } }),
        { kind: 'adam', learningRate: 1e-3, clipValue: 1 });
      const batch = { size: 4, arrays: { images: images(4, 16, 7) }, shapes: { images: [16, 16, 1] } };
      let count = 0;
      for (let step = 0; step < 8; step++) {
        const r = await trainer.step(batch);
        expect(Number.isFinite(r.loss)).toBe(true);
        expect(Number.isFinite(r.metrics.reconstruction)).toBe(true);
        if (step === 1) count = tf.memory().numTensors;
      }
      expect(tf.memory().numTensors).toBe(count);
      const out = await trainer.predict('reconstruct', batch);
      expect(Array.from(out.data).every((v) => v >= 0 && v <= 1)).toBe(true);
      expect(tf.memory().numTensors).toBe(count);
      await trainer.dispose();
    }
  });
});
