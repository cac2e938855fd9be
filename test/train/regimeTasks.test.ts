import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createTask, type MorphologyTaskOptions } from '../../src/train/regimes/morphologyTask.js';
import { computeGradients } from '../../src/train/localTrainer.js';
import { createTrainer } from '../../src/train/dataParallel.js';
import { MORPHOLOGY_TASK_MODULE } from '../../src/train/regimes/morphologyTask.js';
import { EtVae } from '../../src/models/etVae.js';
import { saveMorphologyModel } from '../../src/models/morphologyCheckpoint.js';
import { toNormalised } from '../../src/nn/resample.js';
import { initBackend } from '../../src/backend/initBackend.js';
import type { HostBatch } from '../../src/data/hostBatch.js';
import { REGIME_PHASES, REGIMES } from '../../src/train/regimes/regimePhases.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const SIZE = 16;

/** Blobs of varying width; counts favour "smooth" for compact ones. */
function batch(size: number, withCounts: boolean, offset = 0): HostBatch {
  const images = new Float32Array(size * SIZE * SIZE);
  const counts = new Float32Array(size * 3);
  for (let b = 0; b < size; b++) {
    const w = 0.02 + 0.02 * ((b + offset) % 4);
    for (let i = 0; i < SIZE; i++) {
      for (let j = 0; j < SIZE; j++) {
        const x = toNormalised(j, SIZE);
        const y = toNormalised(i, SIZE);
        images[b * SIZE * SIZE + i * SIZE + j] = 0.9 * Math.exp(-(x * x + 2 * y * y) / w);
      }
    }
    const smooth = Math.round(40 * (1 - w * 8));
    counts.set([smooth, 38 - smooth, 2], b * 3);
  }
  const arrays: Record<string, Float32Array> = { images };
  const shapes: Record<string, number[]> = { images: [SIZE, SIZE, 1] };
  if (withCounts) {
    arrays.counts = counts;
    shapes.counts = [3];
  }
  return { size, arrays, shapes };
}

const etModel = { kind: 'et-vae' as const, options: { imageSize: SIZE, latentDim: 8, seed: 1 } };

describe('regime tasks', () => {
  const cases: [string, Partial<MorphologyTaskOptions>, boolean][] = [
    ['supervised ET', { model: etModel, objective: 'supervised', trainable: ['et', 'encoder', 'classifier'] }, true],
    ['VAE pre-training', { model: etModel, objective: 'vae', trainable: ['et', 'encoder', 'latent', 'decoder'] }, false],
    ['alternating, labelled batch', { model: etModel, objective: 'semi-supervised', trainable: ['et', 'encoder', 'latent', 'decoder', 'classifier'] }, true],
    ['alternating, unlabelled batch', { model: etModel, objective: 'semi-supervised', trainable: ['et', 'encoder', 'latent', 'decoder', 'classifier'] }, false],
    ['M1 (classifier only)', { model: etModel, objective: 'supervised', trainable: ['classifier'] }, true],
    ['plain CNN', { model: { kind: 'plain-cnn', options: { imageSize: SIZE, seed: 1 } }, objective: 'supervised', trainable: ['encoder', 'classifier'] }, true],
  ];
  for (const [name, options, labelled] of cases) {
    it(`${name}: a step gives a finite loss and leaks no tensors`, () => {
      const task = createTask(options);
      const b = batch(4, labelled);
      computeGradients(task, b, 0); // warm-up (kernels may cache tensors once)
      const before = tf.memory().numTensors;
      const out = computeGradients(task, b, 1);
      expect(tf.memory().numTensors).toBe(before);
      expect(Number.isFinite(out.loss)).toBe(true);
      expect(out.grads.length).toBe(task.trainable.length);
      expect(out.grads.some((g) => g.some((v) => v !== 0))).toBe(true);
      if (options.objective !== 'supervised') expect(Object.keys(out.metrics)).toContain('negativeElbo');
      if (labelled && options.objective !== 'vae') expect(Object.keys(out.metrics)).toContain('nll');
      task.dispose();
    });
  }

  it('the M1 task trains only the classifier and leaves the frozen encoder untouched', () => {
    const task = createTask({ model: etModel, objective: 'supervised', trainable: ['classifier'] });
    expect(task.trainableNames.every((n) => n.startsWith('model/classifier/'))).toBe(true);
    task.dispose();
  });

  it('a supervised task refuses an unlabelled batch, and a plain CNN refuses the VAE objective', () => {
    const task = createTask({ model: etModel, objective: 'supervised' });
    expect(() => computeGradients(task, batch(2, false), 0)).toThrow(/counts/);
    task.dispose();
    expect(() => createTask({ model: { kind: 'plain-cnn', options: { imageSize: SIZE } }, objective: 'vae' })).toThrow(/objective/);
  });

  it('−ELBO decreases over a few Adam steps on tiny data', async () => {
    const trainer = await createTrainer({
      spec: { module: MORPHOLOGY_TASK_MODULE, options: { model: etModel, objective: 'vae', trainable: ['et', 'encoder', 'latent', 'decoder'], seed: 3 } },
      workers: 1,
      optimizer: { kind: 'adam', learningRate: 3e-3 },
    });
    const b = batch(6, false);
    const losses: number[] = [];
    for (let i = 0; i < 8; i++) losses.push((await trainer.step(b)).loss);
    await trainer.dispose();
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[7]).toBeLessThan(0.8 * losses[0]);
  });

  it('a task starts from a checkpoint given as init (two-step phase 2 / M1)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'regime-'));
    dirs.push(dir);
    const pre = new EtVae(etModel.options);
    const w = pre.params.exportWeights();
    w['model/encoder/block0_conv0/bias'].values.fill(0.123);
    pre.params.importWeights(w);
    saveMorphologyModel(dir, pre, { schema: null, question: 'q1', preprocessing: {}, step: 0 });
    const task = createTask({ model: etModel, objective: 'supervised', init: dir });
    expect(task.model.params.exportWeights()['model/encoder/block0_conv0/bias'].values[0]).toBeCloseTo(0.123, 6);
    task.dispose();
    pre.dispose();
  });

  it('every regime lists its phases with a task objective and trainable groups', () => {
    for (const regime of REGIMES) expect(REGIME_PHASES[regime].length).toBeGreaterThan(0);
    expect(REGIME_PHASES.alternating.map((p) => p.objective)).toEqual(['semi-supervised']);
    expect(REGIME_PHASES['two-step'].map((p) => p.objective)).toEqual(['vae', 'supervised']);
    expect(REGIME_PHASES.m1[1].trainable).toEqual(['classifier']);
  });
});
