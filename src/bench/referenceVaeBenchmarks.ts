/**
 * Benchmarks of the reference VAE (the bench README's yardstick): a training step with 1 thread and with
 * 2 data-parallel workers (global batch 32), and STN + encoder inference of 128 images with 1 thread and
 * 2 workers. When the native addon is active, also one JavaScript thread whose native kernels use 2 threads.
 * Same record fields as torch_reference.py (`threads` = all threads used), so ratios can be taken line by line.
 */
import * as tf from '@tensorflow/tfjs';
import { currentBackend, initBackend } from '../backend/initBackend.js';
import { createTrainer } from '../train/dataParallel.js';
import type { HostBatch } from '../data/hostBatch.js';
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

/** How a benchmark uses the cores: data-parallel workers, or one JavaScript thread with n native threads. */
type Layout = { workers: number; nativeThreads: number };

async function startTrainer(layout: Layout, optimizer = { kind: 'adam' as const, learningRate: 1e-3 }) {
  if (layout.workers === 1) {
    await initBackend({ backend: currentBackend()?.backend ?? '', threads: 1, nativeThreads: layout.nativeThreads });
  }
  return createTrainer({ spec, workers: layout.workers, optimizer });
}

function threadFields(layout: Layout): { threads: number; js_threads?: number; native_threads?: number } {
  const native = currentBackend()?.nativeKernels.length ?? 0;
  const nativePerWorker = layout.workers > 1 ? 1 : layout.nativeThreads;
  return native > 0 && nativePerWorker > 1
    ? { threads: layout.workers * nativePerWorker, js_threads: layout.workers, native_threads: nativePerWorker }
    : { threads: layout.workers };
}

async function trainStep(layout: Layout, settings: BenchmarkSettings): Promise<BenchmarkRecord> {
  const trainer = await startTrainer(layout);
  try {
    const batch = galaxyBatch(TRAIN_BATCH);
    let loss = NaN;
    const ms = await medianMs(settings, async () => {
      loss = (await trainer.step(batch)).loss;
    });
    const params = (await trainer.getWeights()).trainable.reduce((n, w) => n + w.length, 0);
    return {
      bench: layout.workers === 1 ? 'train_step' : 'train_step_data_parallel',
      impl: impl(),
      ...threadFields(layout),
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

async function inferEncoder(layout: Layout, settings: BenchmarkSettings): Promise<BenchmarkRecord> {
  const trainer = await startTrainer(layout);
  try {
    const batch = galaxyBatch(INFER_BATCH);
    const ms = await medianMs(settings, () => trainer.predict('encodeMean', batch));
    return {
      bench: 'infer_encoder',
      impl: impl(),
      ...threadFields(layout),
      batch: INFER_BATCH,
      ms_per_batch: Math.round(ms),
      images_per_s: +((INFER_BATCH * 1000) / ms).toFixed(1),
    };
  } finally {
    await trainer.dispose();
  }
}

const ONE_THREAD: Layout = { workers: 1, nativeThreads: 1 };
const TWO_WORKERS: Layout = { workers: 2, nativeThreads: 1 };
const TWO_NATIVE_THREADS: Layout = { workers: 1, nativeThreads: 2 };

/** Registers the benchmarks; the 2-native-thread ones only when native kernels are active in this thread. */
export function registerReferenceVaeBenchmarks(): void {
  registerBenchmark({ name: 'reference-vae-train-1', group: 'train', run: (s) => trainStep(ONE_THREAD, s) });
  registerBenchmark({ name: 'reference-vae-train-2', group: 'train', run: (s) => trainStep(TWO_WORKERS, s) });
  registerBenchmark({ name: 'reference-vae-infer-1', group: 'infer', run: (s) => inferEncoder(ONE_THREAD, s) });
  registerBenchmark({ name: 'reference-vae-infer-2', group: 'infer', run: (s) => inferEncoder(TWO_WORKERS, s) });
  if ((currentBackend()?.nativeKernels.length ?? 0) === 0) return;
  registerBenchmark({ name: 'reference-vae-train-native2', group: 'train', run: (s) => trainStep(TWO_NATIVE_THREADS, s) });
  registerBenchmark({ name: 'reference-vae-infer-native2', group: 'infer', run: (s) => inferEncoder(TWO_NATIVE_THREADS, s) });
}
