/**
 * The fused kernels of the ET models' pose networks and of the −ELBO inside an ET-VAE training step (wasm): with
 * galmorph's batch-norm, axis-padding, max-along-axis, soft-argmax, clipped-Bernoulli, affine-inverse and pose-prior kernels every parameter's gradient — pose layers and decoder included — equals the
 * one computed with the stock-op composites, the running BatchNorm statistics end equal, and the step runs the fused
 * kernels instead of the stock ones (no Tile, no broadcasting Equal, no SplitV, no ClipByValue).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AFFINE_INVERSE_KERNELS } from '../../src/backend/affineInverse.js';
import { BATCH_NORM_TRAIN_KERNELS } from '../../src/backend/batchNormTrain.js';
import { BERNOULLI_PROB_LOG_LIK_KERNELS } from '../../src/backend/bernoulliProbabilities.js';
import { PAD_AXIS_KERNELS } from '../../src/backend/axisPad.js';
import { POSE_LOG_PRIOR_KERNELS } from '../../src/backend/posePrior.js';
import { MAX_ALONG_AXIS_KERNELS } from '../../src/backend/maxAlongAxis.js';
import { MOVING_AVERAGE_KERNELS } from '../../src/backend/movingAverage.js';
import { SOFT_ARGMAX_KERNELS } from '../../src/backend/softArgmax.js';
import { computeGradients } from '../../src/train/localTrainer.js';
import { createTask } from '../../src/train/regimes/morphologyTask.js';
import type { HostBatch } from '../../src/data/hostBatch.js';
import { Rng } from '../../src/util/rng.js';
import { setUpWasm } from '../backend/kernelHarness.js';

beforeAll(setUpWasm);

const SIZE = 16;
const FUSED = [
  ...BATCH_NORM_TRAIN_KERNELS, ...PAD_AXIS_KERNELS, ...MAX_ALONG_AXIS_KERNELS, ...SOFT_ARGMAX_KERNELS, ...BERNOULLI_PROB_LOG_LIK_KERNELS,
  ...AFFINE_INVERSE_KERNELS, ...POSE_LOG_PRIOR_KERNELS, ...MOVING_AVERAGE_KERNELS,
];

function batch(): HostBatch {
  const rng = new Rng(8);
  const images = Float32Array.from({ length: 4 * SIZE * SIZE }, (_, i) => {
    const x = (i % SIZE) - 8.5;
    const y = (Math.floor(i / SIZE) % SIZE) - 7;
    return Math.exp(-(2 * x * x + y * y) / 25) + 0.05 * rng.uniform();
  });
  const counts = Float32Array.from({ length: 4 * 3 }, () => rng.int(10));
  return { size: 4, arrays: { images, counts }, shapes: { images: [SIZE, SIZE, 1], counts: [3] } };
}

function makeTask() {
  return createTask({
    model: { kind: 'et-vae', options: { imageSize: SIZE, poseGridSize: 16, poseFilters: 4, latentDim: 4, decoderChannels: 4, seed: 4 } },
    objective: 'semi-supervised',
    trainable: ['et', 'encoder', 'latent', 'decoder', 'classifier'],
    seed: 2,
  });
}

/** Runs `f` with the fused kernels unregistered from wasm (so every op takes its stock-op composite). */
function withoutFused<T>(f: () => T): T {
  const saved = FUSED.map((name) => tf.getKernel(name, 'wasm')).filter((c): c is tf.KernelConfig => c !== undefined);
  expect(saved).toHaveLength(FUSED.length);
  saved.forEach((c) => tf.unregisterKernel(c.kernelName, 'wasm'));
  try {
    return f();
  } finally {
    saved.forEach((c) => tf.registerKernel(c));
  }
}

describe('fused pose-network and −ELBO kernels in an ET-VAE step', () => {
  it('give the same loss, gradients and running statistics as the stock-op composites', () => {
    const fastTask = makeTask();
    const compositeTask = makeTask();
    try {
      const fast = computeGradients(fastTask, batch(), 0);
      const composite = withoutFused(() => computeGradients(compositeTask, batch(), 0));
      expect(Math.abs(fast.loss - composite.loss) / Math.abs(composite.loss)).toBeLessThan(1e-5);
      let checked = 0;
      fastTask.trainable.forEach((_, k) => {
        const a = fast.grads[k];
        const b = composite.grads[k];
        let diff = 0;
        let scale = 1e-2; // gradients here are 1–700; a true zero (a softmax's shift invariance) is compared absolutely
        for (let i = 0; i < a.length; i++) {
          diff = Math.max(diff, Math.abs(a[i] - b[i]));
          scale = Math.max(scale, Math.abs(b[i]));
        }
        const name = fastTask.trainableNames[k];
        // The pose layers' BatchNorm gradients are small remainders of large terms (the readout's softmax is
        // shift-invariant), which the composite sums in float32: measured up to 1.6e-3 apart, with the kernel the
        // more accurate (see the cancellation test in test/backend/wasmKernels/batchNormTrain.test.ts). Everything
        // else agrees to ~1e-6.
        expect(diff / scale, name).toBeLessThan(name.includes('/et/') ? 5e-3 : 1e-4);
        // Pose-network parameters with a real gradient (the rotation layer's last BatchNorm offset has none: its
        // readout is a softmax over a periodic axis, invariant to a constant added to a channel).
        if (/\/et\/.*(bn|cnn|read)/.test(name) && scale > 0.1) checked += 1;
      });
      expect(checked).toBeGreaterThan(8);
      const stats = (task: ReturnType<typeof makeTask>) => task.state.map((v) => Array.from(v.dataSync()));
      const a = stats(fastTask).flat();
      const b = stats(compositeTask).flat();
      expect(a.length).toBeGreaterThan(0);
      a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(b[i]))));
    } finally {
      fastTask.dispose();
      compositeTask.dispose();
    }
  });

  it('runs the fused kernels, not the stock batch norm, padding, max gradients and clipped logits', async () => {
    const task = makeTask();
    try {
      const info = await tf.profile(() => {
        computeGradients(task, batch(), 0);
        return [];
      });
      const names = new Set(info.kernels.map((k) => k.name));
      for (const name of FUSED) expect(names.has(name), name).toBe(true);
      for (const stock of ['Tile', 'FusedBatchNorm', 'Equal', 'SplitV', 'LeakyRelu', 'Atan2', 'ClipByValue']) expect(names.has(stock), stock).toBe(false);
    } finally {
      task.dispose();
    }
  });
});
