/**
 * Streaming embedding throughput (issue 16): `galmorph embed` with the shipped gz2 model's encoder (the dense layer,
 * embed's defaults) over a virtual catalog of simulated 64×64 galaxies (rendered in the decode worker thread, so no
 * disk is read), two shards written with their receipts, checked and the PCA fitted — the whole job, not only the
 * network. Once with the native kernels (when the addon is built) and once on pure wasm. `images_per_s` is galaxies
 * per second of the whole job by wall clock; `images_per_cpu_s` galaxies per second of this process's CPU time (all
 * threads) over the shards, as embed reports it (results.json). run.ts adds the process's peak RSS so far: run one
 * line alone (`--only embed-stream-gz2-wasm`) for the peak of that job.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { currentBackend, initBackend } from '../backend/initBackend.js';
import { embed } from '../workflows/embed/embed.js';
import { registerBenchmark, type BenchmarkRecord, type BenchmarkSettings } from './registry.js';

/** Galaxies per timed step (`--steps`): the catalog has 256 × steps galaxies. */
const GALAXIES_PER_STEP = 256;

async function streamEmbed(native: boolean, settings: BenchmarkSettings): Promise<BenchmarkRecord> {
  const backend = currentBackend()?.backend ?? '';
  const description = await initBackend({ backend, threads: 1, nativeThreads: 1, nativeKernels: native });
  const galaxies = GALAXIES_PER_STEP * settings.steps;
  const dir = mkdtempSync(join(tmpdir(), 'bench-embed-'));
  try {
    const t0 = performance.now();
    const r = await embed({ model: 'gz2', catalog: `sim:${galaxies},seed=0,size=64`, out: dir, shardSize: galaxies / 2, progress: false });
    const seconds = (performance.now() - t0) / 1000;
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { shards: number; galaxiesPerCpuSecond: number | null };
    return {
      bench: 'embed_stream', impl: `galmorph embed (tfjs-${tf.getBackend()}${description.nativeKernels.length > 0 ? ' + native kernels' : ''})`, threads: 1,
      model: 'gz2', layer: 'dense', size: 64, dimension: r.dimension, galaxies: r.galaxies, shards: results.shards,
      images_per_s: Math.round((10 * r.galaxies) / seconds) / 10,
      images_per_cpu_s: results.galaxiesPerCpuSecond === null ? null : Math.round(10 * results.galaxiesPerCpuSecond) / 10,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await initBackend({ backend, threads: 1 });
  }
}

export function registerEmbedStreamBenchmarks(): void {
  if ((currentBackend()?.nativeKernels.length ?? 0) > 0) registerBenchmark({ name: 'embed-stream-gz2-native', group: 'infer', run: (s) => streamEmbed(true, s) });
  registerBenchmark({ name: 'embed-stream-gz2-wasm', group: 'infer', run: (s) => streamEmbed(false, s) });
}
