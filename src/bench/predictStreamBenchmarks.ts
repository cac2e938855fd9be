/**
 * Streaming prediction throughput (issue 16): `predict --shard-size` with the shipped gz2 model over a virtual
 * catalog of simulated 64×64 galaxies (rendered in the decode worker thread, so no disk is read), 15 MC-dropout
 * passes as `predict`'s default, two shards written and merged — the whole job, not only the network. Once with the
 * native kernels (when the addon is built) and once on pure wasm; `images_per_s` is galaxies per second by wall
 * clock, `images_per_cpu_s` per second of this process's CPU time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { currentBackend, initBackend } from '../backend/initBackend.js';
import { predictSharded } from '../workflows/predict/predictShards.js';
import { registerBenchmark, type BenchmarkRecord, type BenchmarkSettings } from './registry.js';

const PASSES = 15;

async function streamPredict(native: boolean, settings: BenchmarkSettings): Promise<BenchmarkRecord> {
  const backend = currentBackend()?.backend ?? '';
  const description = await initBackend({ backend, threads: 1, nativeThreads: 1, nativeKernels: native });
  const galaxies = 32 * settings.steps;
  const dir = mkdtempSync(join(tmpdir(), 'bench-predict-'));
  try {
    const t0 = performance.now();
    const r = await predictSharded({ models: ['gz2'], catalog: `sim:${galaxies},seed=0,size=64`, out: dir, shardSize: galaxies / 2, passes: PASSES, progress: false });
    const seconds = (performance.now() - t0) / 1000;
    return {
      bench: 'predict_stream', impl: `galmorph predict --shard-size (tfjs-${tf.getBackend()}${description.nativeKernels.length > 0 ? ' + native kernels' : ''})`, threads: 1,
      model: 'gz2', size: 64, passes: PASSES, galaxies: r.galaxies, shards: r.shards, images_per_s: Math.round((10 * r.galaxies) / seconds) / 10,
      forward_passes_per_s: Math.round((r.galaxies * PASSES) / seconds),
      // By this process's CPU time (all threads): the per-core rate, which other load on the machine does not lower.
      images_per_cpu_s: r.galaxiesPerCpuSecond === null ? null : Math.round(10 * r.galaxiesPerCpuSecond) / 10,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await initBackend({ backend, threads: 1 });
  }
}

export function registerPredictStreamBenchmarks(): void {
  if ((currentBackend()?.nativeKernels.length ?? 0) > 0) registerBenchmark({ name: 'predict-stream-gz2-native', group: 'infer', run: (s) => streamPredict(true, s) });
  registerBenchmark({ name: 'predict-stream-gz2-wasm', group: 'infer', run: (s) => streamPredict(false, s) });
}
