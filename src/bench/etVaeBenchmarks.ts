/**
 * Training steps of the Table 1 models at the `standard` preset's settings (64 px, pose grids 32 px, latent 32,
 * global batch 16, Adam), with 1 thread and with 2 data-parallel workers:
 * - `et-vae-train-*`: the ET-VAE's semi-supervised step on a labelled batch (−ELBO + vote NLL, every parameter);
 * - `et-supervised-train-*`: the ET-VAE's supervised step (ET layers + encoder + classifier, no decoder);
 * - `plain-cnn-train-*`: the plain CNN of the same size (the same encoder and classifier, no ET layers);
 * - `et-vae-train-1-composite-sampler` (and `et-supervised-…`): the step with the sampler and the grid warp built from
 *   stock tfjs ops (galmorph's sampler and warp kernels unregistered for the run), to measure what those kernels save
 *   in the same sitting.
 * Records give wall time and the process's CPU time per step (median), and for one thread `peak_tensor_mb`, the
 * largest tensor memory alive during one step (`tf.profile`); a ratio line per ET model compares its step with the
 * plain CNN's measured alongside.
 */
import * as tf from '@tensorflow/tfjs';
import { currentBackend, initBackend } from '../backend/initBackend.js';
import { BILINEAR_SAMPLER_KERNELS } from '../backend/bilinearSampler.js';
import { AFFINE_WARP_KERNELS } from '../backend/affineWarp.js';
import { createTrainer } from '../train/dataParallel.js';
import type { Trainer } from '../train/localTrainer.js';
import { MORPHOLOGY_TASK_MODULE, type MorphologyTaskOptions } from '../train/regimes/morphologyTask.js';
import type { HostBatch } from '../data/hostBatch.js';
import { Rng } from '../util/rng.js';
import { medianMs, registerBenchmark, type BenchmarkRecord, type BenchmarkSettings } from './registry.js';
import { syntheticGalaxies } from './syntheticGalaxies.js';

const BATCH = 16;
const SIZE = 64;
const ANSWERS = 3;
const ET_VAE = { imageSize: SIZE, poseGridSize: 32, latentDim: 32, seed: 0 };
const PLAIN_CNN = { imageSize: SIZE, seed: 0 };

export type TableModelBench = 'et-vae' | 'et-supervised' | 'plain-cnn';

function taskOptions(kind: TableModelBench): Partial<MorphologyTaskOptions> {
  switch (kind) {
    case 'et-vae':
      return {
        model: { kind: 'et-vae', options: ET_VAE },
        objective: 'semi-supervised',
        trainable: ['et', 'encoder', 'latent', 'decoder', 'classifier'],
      };
    case 'et-supervised':
      return { model: { kind: 'et-vae', options: ET_VAE }, objective: 'supervised', trainable: ['et', 'encoder', 'classifier'] };
    case 'plain-cnn':
      return { model: { kind: 'plain-cnn', options: PLAIN_CNN }, objective: 'supervised', trainable: ['encoder', 'classifier'] };
    default: {
      const never: never = kind;
      throw new Error(`unknown benchmark model ${String(never)}`);
    }
  }
}

/** Synthetic galaxies with vote counts of one 3-answer question (40 votes each). */
export function labelledBatch(size: number, seed = 11): HostBatch {
  const rng = new Rng(seed);
  const counts = new Float32Array(size * ANSWERS);
  for (let i = 0; i < size; i++) {
    for (let v = 0; v < 40; v++) counts[i * ANSWERS + rng.int(ANSWERS)] += 1;
  }
  return {
    size,
    arrays: { images: syntheticGalaxies(size, SIZE), counts },
    shapes: { images: [SIZE, SIZE, 1], counts: [ANSWERS] },
  };
}

/** Unregisters the sampler and warp kernels from the current backend; returns a function that registers them again. */
function unregisterSamplerKernels(): () => void {
  const backend = tf.getBackend();
  const saved = [...BILINEAR_SAMPLER_KERNELS, ...AFFINE_WARP_KERNELS].map((name) => tf.getKernel(name, backend)).filter((c): c is tf.KernelConfig => c !== undefined);
  saved.forEach((c) => tf.unregisterKernel(c.kernelName, backend));
  return () => saved.forEach((c) => tf.registerKernel(c));
}

async function peakTensorMb(trainer: Trainer, batch: HostBatch): Promise<number> {
  const info = await tf.profile(async () => {
    await trainer.step(batch);
    return [];
  });
  return +(info.peakBytes / 2 ** 20).toFixed(1);
}

/** `compositeSampler` (one thread only): run with the sampler and the grid warp built from stock tfjs ops. */
async function trainStep(kind: TableModelBench, workers: number, settings: BenchmarkSettings, compositeSampler = false): Promise<BenchmarkRecord> {
  if (workers === 1) await initBackend({ backend: currentBackend()?.backend ?? '', threads: 1, nativeThreads: 1 });
  const restore = compositeSampler ? unregisterSamplerKernels() : () => undefined;
  const trainer = await createTrainer({
    spec: { module: MORPHOLOGY_TASK_MODULE, options: taskOptions(kind) },
    workers,
    optimizer: { kind: 'adam', learningRate: 1e-3 },
  });
  try {
    const batch = labelledBatch(BATCH);
    let loss = NaN;
    const cpu: number[] = [];
    const ms = await medianMs(settings, async () => {
      const before = process.cpuUsage();
      loss = (await trainer.step(batch)).loss;
      const used = process.cpuUsage(before);
      cpu.push((used.user + used.system) / 1000);
    });
    const cpuMs = median(cpu.slice(settings.warmup));
    const params = (await trainer.getWeights()).trainable.reduce((n, w) => n + w.length, 0);
    return {
      bench: workers === 1 ? 'table1_train_step' : 'table1_train_step_data_parallel',
      model: kind,
      impl: `tfjs-${tf.getBackend()} ${tf.version_core}${(currentBackend()?.nativeKernels.length ?? 0) > 0 ? ' + native kernels' : ''}`,
      threads: workers,
      batch: BATCH,
      image_size: SIZE,
      params,
      ms_per_step: Math.round(ms),
      images_per_s: +((BATCH * 1000) / ms).toFixed(1),
      cpu_ms_per_step: Math.round(cpuMs),
      images_per_cpu_s: +((BATCH * 1000) / cpuMs).toFixed(1),
      loss_value: +loss.toFixed(2),
      ...(workers === 1 ? { peak_tensor_mb: await peakTensorMb(trainer, batch) } : {}),
      sampler: compositeSampler ? 'composite tfjs ops (sampler and grid warp)' : 'galmorph kernels',
    };
  } finally {
    await trainer.dispose();
    restore();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * ET model ÷ plain CNN step time for every pair of records with the same thread count (same sitting), in wall time
 * and in CPU time. The CPU time of the process (all its threads) is what a step costs; on a machine busy with other
 * work the wall time also counts the time spent waiting for a core, so the CPU-time ratio is the one to trust there.
 */
export function etRatioLines(records: readonly BenchmarkRecord[]): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  for (const r of records) {
    if (r.model === undefined || r.model === 'plain-cnn') continue;
    const plain = records.find((p) => p.model === 'plain-cnn' && p.threads === r.threads);
    if (plain === undefined) continue;
    lines.push({
      ratio: `${String(r.name)} vs plain-cnn (${r.threads} thread(s))`,
      et_ms_per_step: r.ms_per_step,
      plain_cnn_ms_per_step: plain.ms_per_step,
      step_time_ratio: +(Number(r.ms_per_step) / Number(plain.ms_per_step)).toFixed(2),
      cpu_time_ratio: +(Number(r.cpu_ms_per_step) / Number(plain.cpu_ms_per_step)).toFixed(2),
    });
  }
  return lines;
}

export function registerEtVaeBenchmarks(): void {
  for (const kind of ['plain-cnn', 'et-supervised', 'et-vae'] as const) {
    registerBenchmark({ name: `${kind}-train-1`, group: 'et', run: (s) => trainStep(kind, 1, s) });
    registerBenchmark({ name: `${kind}-train-2`, group: 'et', run: (s) => trainStep(kind, 2, s) });
  }
  for (const kind of ['et-supervised', 'et-vae'] as const) {
    registerBenchmark({ name: `${kind}-train-1-composite-sampler`, group: 'et', run: (s) => trainStep(kind, 1, s, true) });
  }
}
