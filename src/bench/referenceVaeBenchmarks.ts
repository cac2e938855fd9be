/**
 * Benchmarks of the reference VAE (the bench README's yardstick): a training step with 1 thread and with
 * 2 data-parallel workers (global batch 32), and STN + encoder inference of 128 images with 1 thread and
 * 2 workers. Same record fields as torch_reference.py, so ratios can be taken line by line.
 */
import * as tf from '@tensorflow/tfjs';
import { createTrainer } from '../train/dataParallel.js';
import type { HostBatch } from '../train/task.js';
import { REFERENCE_VAE_MODULE } from './referenceVae.js';
import { medianMs, registerBenchmark, type BenchmarkRecord, type BenchmarkSettings } from './registry.js';
import { syntheticGalaxies } from './syntheticGalaxies.js';

const TRAIN_BATCH = 32;
const INFER_BATCH = 128;
const spec = { module: REFERENCE_VAE_MODULE, options: { seed: 0 } };

function galaxyBatch(size: number): HostBatch {
  return { size, arrays: { images: syntheticGalaxies(size) }, shapes: { images: [64, 64, 1] } };
}

const impl = () => `tfjs-${tf.getBackend()} ${tf.version_core}`;

async function trainStep(workers: number, settings: BenchmarkSettings): Promise<BenchmarkRecord> {
  const trainer = await createTrainer({ spec, workers, optimizer: { kind: 'adam', learningRate: 1e-3 } });
  try {
    const batch = galaxyBatch(TRAIN_BATCH);
    let loss = NaN;
    const ms = await medianMs(settings, async () => {
      loss = (await trainer.step(batch)).loss;
    });
    const params = (await trainer.getWeights()).trainable.reduce((n, w) => n + w.length, 0);
    return {
      bench: workers === 1 ? 'train_step' : 'train_step_data_parallel',
      impl: impl(),
      threads: workers,
      batch: TRAIN_BATCH,
      params,
      ms_per_step: Math.round(ms),
      images_per_s: +((TRAIN_BATCH * 1000) / ms).toFixed(1),
      loss_value: +loss.toFixed(2),
    };
  } finally {
    await trainer.dispose();
  }
}

async function inferEncoder(workers: number, settings: BenchmarkSettings): Promise<BenchmarkRecord> {
  const trainer = await createTrainer({ spec, workers });
  try {
    const batch = galaxyBatch(INFER_BATCH);
    const ms = await medianMs(settings, () => trainer.predict('encodeMean', batch));
    return {
      bench: 'infer_encoder',
      impl: impl(),
      threads: workers,
      batch: INFER_BATCH,
      ms_per_batch: Math.round(ms),
      images_per_s: +((INFER_BATCH * 1000) / ms).toFixed(1),
    };
  } finally {
    await trainer.dispose();
  }
}

export function registerReferenceVaeBenchmarks(): void {
  registerBenchmark({ name: 'reference-vae-train-1', group: 'train', run: (s) => trainStep(1, s) });
  registerBenchmark({ name: 'reference-vae-train-2', group: 'train', run: (s) => trainStep(2, s) });
  registerBenchmark({ name: 'reference-vae-infer-1', group: 'infer', run: (s) => inferEncoder(1, s) });
  registerBenchmark({ name: 'reference-vae-infer-2', group: 'infer', run: (s) => inferEncoder(2, s) });
}
