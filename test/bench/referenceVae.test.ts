import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/initBackend.js';
import { createTask } from '../../src/bench/referenceVae.js';
import { syntheticGalaxies } from '../../src/bench/syntheticGalaxies.js';
import type { HostBatch } from '../../src/data/hostBatch.js';

function gradients(backend: string, batch: HostBatch): Promise<Float32Array[]> {
  return tf.setBackend(backend).then(() => {
    const task = createTask({ seed: 3, filters: [4, 4, 4], latent: 4 });
    const { value, grads } = tf.variableGrads(() => task.step(batch, 0, 0).loss, task.trainable);
    const out = task.trainable.map((v) => grads[v.name].dataSync().slice() as Float32Array);
    tf.dispose([value, ...Object.values(grads)]);
    task.dispose();
    return out;
  });
}

describe('reference VAE (benchmark yardstick)', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', nativeKernels: false });
  });

  it('has the parameter count of torch_reference.py (490,354) and a finite loss', () => {
    const task = createTask({ seed: 0 });
    expect(task.trainable.reduce((n, v) => n + v.size, 0)).toBe(490_354);
    const loss = tf.tidy(() => task.step({ size: 2, arrays: { images: syntheticGalaxies(2) }, shapes: { images: [64, 64, 1] } }, 0, 0).loss.dataSync()[0]);
    expect(Number.isFinite(loss)).toBe(true);
    task.dispose();
  });

  it('has the same whole-model gradient on wasm (galmorph kernels, STN gathers) as on cpu, per variable', async () => {
    // Batch 1: the cpu backend's ResizeNearestNeighborGrad is wrong for batch > 1 (tfjs 4.22).
    const batch = { size: 1, arrays: { images: syntheticGalaxies(1, 64, 11) }, shapes: { images: [64, 64, 1] } };
    const wasm = await gradients('wasm', batch);
    const cpu = await gradients('cpu', batch);
    await tf.setBackend('wasm');
    cpu.forEach((g, k) => {
      let diff = 0;
      let scale = 0;
      for (let i = 0; i < g.length; i++) {
        diff = Math.max(diff, Math.abs(wasm[k][i] - g[i]));
        scale = Math.max(scale, Math.abs(g[i]));
      }
      expect(diff / scale, `variable ${k}`).toBeLessThan(1e-3);
    });
  });

  it('encodes without leaking tensors', () => {
    const task = createTask({ seed: 0, filters: [4, 4, 4] });
    const before = tf.memory().numTensors;
    const mu = task.encodeMean({ size: 3, arrays: { images: syntheticGalaxies(3) }, shapes: { images: [64, 64, 1] } });
    expect(mu.shape).toEqual([3, 16]);
    mu.dispose();
    expect(tf.memory().numTensors).toBe(before);
    task.dispose();
  });
});
