// Per-kernel profile (tf.profile) of one training step of the Table 1 benchmark models (1 thread), summed over
// ROUNDS steps after 2 warm-up steps: kernel name, calls per step, kernel ms per step, share of the step's kernel time.
// usage (after npm run build): node docs/results/et-step-profile/profile.mjs [ROUNDS] [models,comma,separated]
// env GALMORPH_NATIVE=0 for pure wasm; PROFILE_SHAPES=1 keys kernels by name and input shapes; PROFILE_CLOCK=wall
// times kernels by wall clock (tfjs's default). By default each kernel is timed by the process's CPU time
// (getrusage): time spent waiting for a core on a loaded machine is not counted (a busy sibling core still slows it).
import * as tf from '@tensorflow/tfjs';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
// DIST=<a built dist/ folder> profiles that build (e.g. an older commit's) instead of this checkout's.
const root = process.env.DIST ? pathToFileURL(resolve(process.env.DIST)).href + '/' : new URL('../../../dist/', import.meta.url).href;
const { initBackend, describeBackend } = await import(root + 'backend/initBackend.js');
const { createTrainer } = await import(root + 'train/dataParallel.js');
const { MORPHOLOGY_TASK_MODULE } = await import(root + 'train/regimes/morphologyTask.js');
const { labelledBatch } = await import(root + 'bench/etVaeBenchmarks.js');
const rounds = Number(process.argv[2] ?? 5);
const only = (process.argv[3] ?? 'plain-cnn,et-supervised,et-vae').split(',');
const d = await initBackend({ backend: 'wasm', threads: 1, nativeThreads: 1 });
console.log(JSON.stringify({ backend: describeBackend(d), load_start: loadavg().map((x) => +x.toFixed(2)) }));
const ET = { imageSize: 64, poseGridSize: 32, latentDim: 32, seed: 0 };
const specs = {
  'plain-cnn': { model: { kind: 'plain-cnn', options: { imageSize: 64, seed: 0 } }, objective: 'supervised', trainable: ['encoder', 'classifier'] },
  'et-supervised': { model: { kind: 'et-vae', options: ET }, objective: 'supervised', trainable: ['et', 'encoder', 'classifier'] },
  'et-vae': { model: { kind: 'et-vae', options: ET }, objective: 'semi-supervised', trainable: ['et', 'encoder', 'latent', 'decoder', 'classifier'] },
};
const batch = labelledBatch(16);
if (process.env.PROFILE_CLOCK !== 'wall') {
  // wasm kernels run synchronously in this thread (and the native ones with 1 thread): CPU time around the call.
  tf.backend().time = async (f) => {
    const c0 = process.cpuUsage();
    f();
    const c = process.cpuUsage(c0);
    return { kernelMs: (c.user + c.system) / 1000 };
  };
}
for (const name of only) {
  const trainer = await createTrainer({ spec: { module: MORPHOLOGY_TASK_MODULE, options: specs[name] }, workers: 1 });
  for (let i = 0; i < 2; i++) await trainer.step(batch);
  const per = new Map();
  let total = 0;
  let calls = 0;
  let cpuMs = 0;
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    const info = await tf.profile(async () => { await trainer.step(batch); return []; });
    const cu = process.cpuUsage(c0);
    cpuMs += (cu.user + cu.system) / 1000;
    for (const k of info.kernels) {
      const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      const key = process.env.PROFILE_SHAPES ? `${k.name} [${k.inputShapes.map((s) => `[${s}]`).join(',')}]` : k.name;
      const e = per.get(key) ?? { calls: 0, ms: 0 };
      e.calls += 1; e.ms += ms; per.set(key, e);
      total += ms; calls += 1;
    }
  }
  const rows = [...per.entries()].sort((a, b) => b[1].ms - a[1].ms);
  console.log(JSON.stringify({ model: name, rounds, kernel_calls_per_step: calls / rounds, kernel_ms_per_step: +(total / rounds).toFixed(1), cpu_ms_per_step_profiled: +(cpuMs / rounds).toFixed(1) }));
  for (const [k, e] of rows) {
    console.log(JSON.stringify({ model: name, kernel: k, calls: e.calls / rounds, ms: +(e.ms / rounds).toFixed(2), share: +(e.ms / total).toFixed(4) }));
  }
  await trainer.dispose();
}
console.log(JSON.stringify({ load_end: loadavg().map((x) => +x.toFixed(2)) }));
