/**
 * The sampler and grid-warp kernels inside an ET-VAE training step (wasm): every parameter's gradient — the pose
 * layers' included — equals the one computed with the composites of stock tfjs ops, and the engine builds an image gradient
 * only for the decoder's output rendered back to the observed pose, never for the raw input that the pose layers and
 * the canonicalisation read.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BILINEAR_SAMPLE,
  BILINEAR_SAMPLE_GRAD_GRID,
  BILINEAR_SAMPLE_GRAD_IMAGE,
  BILINEAR_SAMPLER_KERNELS,
} from '../../src/backend/bilinearSampler.js';
import { AFFINE_WARP_KERNELS } from '../../src/backend/affineWarp.js';
import { hasSamplerKernels } from '../../src/nn/resample.js';
import { computeGradients } from '../../src/train/localTrainer.js';
import { createTask } from '../../src/train/regimes/morphologyTask.js';
import type { HostBatch } from '../../src/data/hostBatch.js';
import { Rng } from '../../src/util/rng.js';
import { setUpWasm } from '../backend/kernelHarness.js';

beforeAll(setUpWasm);

const SIZE = 16;

function batch(): HostBatch {
  const rng = new Rng(5);
  const images = Float32Array.from({ length: 4 * SIZE * SIZE }, (_, i) => {
    const x = (i % SIZE) - 7.5;
    const y = (Math.floor(i / SIZE) % SIZE) - 6;
    return Math.exp(-(x * x + 2 * y * y) / 20) + 0.05 * rng.uniform();
  });
  const counts = Float32Array.from({ length: 4 * 3 }, () => rng.int(10));
  return { size: 4, arrays: { images, counts }, shapes: { images: [SIZE, SIZE, 1], counts: [3] } };
}

function makeTask() {
  return createTask({
    model: { kind: 'et-vae', options: { imageSize: SIZE, poseGridSize: 16, poseFilters: 4, latentDim: 4, decoderChannels: 4, seed: 3 } },
    objective: 'semi-supervised',
    trainable: ['et', 'encoder', 'latent', 'decoder', 'classifier'],
    seed: 1,
  });
}

describe('sampler kernels in an ET-VAE step', () => {
  it('give the same gradients as the composites of stock tfjs ops, pose layers included', () => {
    const task = makeTask();
    try {
      expect(hasSamplerKernels()).toBe(true);
      const fast = computeGradients(task, batch(), 0);
      const saved = [...BILINEAR_SAMPLER_KERNELS, ...AFFINE_WARP_KERNELS].map((name) => tf.getKernel(name, 'wasm')).filter((c): c is tf.KernelConfig => c !== undefined);
      saved.forEach((c) => tf.unregisterKernel(c.kernelName, 'wasm'));
      let composite: typeof fast;
      try {
        expect(hasSamplerKernels()).toBe(false);
        composite = computeGradients(task, batch(), 0);
      } finally {
        saved.forEach((c) => tf.registerKernel(c));
      }
      expect(Math.abs(fast.loss - composite.loss) / Math.abs(composite.loss)).toBeLessThan(1e-5);
      let poseVariables = 0;
      task.trainable.forEach((_, k) => {
        const a = fast.grads[k];
        const b = composite.grads[k];
        let diff = 0;
        let scale = 1e-6;
        for (let i = 0; i < a.length; i++) {
          diff = Math.max(diff, Math.abs(a[i] - b[i]));
          scale = Math.max(scale, Math.abs(b[i]));
        }
        expect(diff / scale, task.trainableNames[k]).toBeLessThan(1e-3);
        if (task.trainableNames[k].includes('/et/')) {
          poseVariables += 1;
          expect(scale, `${task.trainableNames[k]} has a gradient`).toBeGreaterThan(1e-6);
        }
      });
      expect(poseVariables).toBeGreaterThan(0);
    } finally {
      task.dispose();
    }
  });

  it('builds the image gradient once (the rendered reconstruction), never for the raw input', async () => {
    const task = makeTask();
    try {
      const info = await tf.profile(() => {
        computeGradients(task, batch(), 0);
        return [];
      });
      const calls = (name: string) => info.kernels.filter((k) => k.name === name).length;
      // Forward: two pose layers, the canonicalisation and the rendering. Backward: the first pose layer samples a
      // constant image on a constant grid (nothing to differentiate); the other three need their grid's gradient;
      // only the rendering's image (the decoder output) needs an image gradient.
      expect(calls(BILINEAR_SAMPLE)).toBe(4);
      expect(calls(BILINEAR_SAMPLE_GRAD_GRID)).toBe(3);
      expect(calls(BILINEAR_SAMPLE_GRAD_IMAGE)).toBe(1);
      expect(calls('UnsortedSegmentSum')).toBe(0);
    } finally {
      task.dispose();
    }
  });
});
