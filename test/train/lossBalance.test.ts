import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/initBackend.js';
import { measureGradientBalance } from '../../src/train/regimes/lossBalance.js';
import { createTask, type ParamGroup } from '../../src/train/regimes/morphologyTask.js';
import type { HostBatch } from '../../src/data/hostBatch.js';
import { Rng } from '../../src/util/rng.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

const SIZE = 16;

function labelledBatch(size: number): HostBatch {
  const rng = new Rng(3);
  const images = Float32Array.from({ length: size * SIZE * SIZE }, () => rng.uniform());
  const counts = new Float32Array(size * 3);
  for (let b = 0; b < size; b++) counts.set([10 + b, 20 - b, 2], b * 3);
  return { size, arrays: { images, counts }, shapes: { images: [SIZE, SIZE, 1], counts: [3] } };
}

/** Per-group gradient norms of a task's whole loss, computed through the task's own objective (not lossBalance's). */
function lossGradientNorms(objective: 'vae' | 'supervised', trainable: ParamGroup[], batch: HostBatch): Map<string, number> {
  const task = createTask({ model: { kind: 'et-vae', options: { imageSize: SIZE, latentDim: 4, seed: 2 } }, objective, trainable, seed: 5 });
  try {
    const sums = new Map<string, number>();
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => task.step(batch, 0, 0).loss, task.trainable);
      task.trainable.forEach((v, i) => {
        const group = task.trainableNames[i].split('/')[1];
        sums.set(group, (sums.get(group) ?? 0) + tf.sum(tf.square(grads[v.name])).dataSync()[0]);
      });
    });
    return new Map([...sums].map(([g, s]) => [g, Math.sqrt(s)]));
  } finally {
    task.dispose();
  }
}

describe('measureGradientBalance', () => {
  it('splits the semi-supervised gradient into the −ELBO part (the VAE objective) and the NLL part (the supervised one), per group', () => {
    const batch = labelledBatch(4);
    const before = tf.memory().numTensors;
    const m = measureGradientBalance({ model: { kind: 'et-vae', options: { imageSize: SIZE, latentDim: 4, seed: 2 } }, init: null, seed: 5 }, batch);
    expect(tf.memory().numTensors).toBe(before);
    const byGroup = Object.fromEntries(m.groups.map((g) => [g.group, g]));
    // The same step (same masks, same latent sample) through the VAE objective alone and the supervised one alone.
    const elbo = lossGradientNorms('vae', ['et', 'encoder', 'latent', 'decoder'], batch);
    const nll = lossGradientNorms('supervised', ['et', 'encoder', 'classifier'], batch);
    for (const g of ['et', 'encoder', 'latent', 'decoder'] as const) expect(byGroup[g].elbo).toBeCloseTo(elbo.get(g)!, 4);
    for (const g of ['et', 'encoder', 'classifier'] as const) expect(byGroup[g].nll).toBeCloseTo(nll.get(g)!, 4);
    // The classifier is not in the ELBO; the decoder and the latent layer are not in the vote NLL.
    expect(byGroup.classifier.elbo).toBe(0);
    expect(byGroup.decoder.nll).toBe(0);
    expect(byGroup.latent.nll).toBe(0);
    const shared = (f: (g: string) => number) => Math.hypot(f('et'), f('encoder'));
    expect(m.sharedRatio).toBeCloseTo(shared((g) => elbo.get(g)!) / shared((g) => nll.get(g)!), 4);
    expect(m.negativeElbo).toBeGreaterThan(m.nll); // hundreds of pixels against three answers
    expect(() => measureGradientBalance({ model: { kind: 'et-vae', options: { imageSize: SIZE } }, init: null, seed: 0 },
      { ...batch, arrays: { images: batch.arrays.images } })).toThrow(/the batch has no vote counts/);
  });
});
