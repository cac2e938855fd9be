// Same-sitting A/B of training steps (1 thread): rounds of one step per model (plain CNN, ET supervised, ET-VAE),
// CPU time (process.cpuUsage) and wall time per step; median per model and the ratio to the plain CNN's median.
// usage: node docs/results/et-step-profile/interleaved.mjs ROUNDS [DIST]   (DIST: a built dist/ folder, default this
// checkout's; pointing it at an older build measures that code). env GALMORPH_NATIVE=0 for pure wasm.
import * as tf from '@tensorflow/tfjs';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
const rounds = Number(process.argv[2] ?? 10);
const root = process.argv[3] ? pathToFileURL(resolve(process.argv[3])).href + '/' : new URL('../../../dist/', import.meta.url).href;
const { initBackend, describeBackend } = await import(root + 'backend/initBackend.js');
const { createTrainer } = await import(root + 'train/dataParallel.js');
const { MORPHOLOGY_TASK_MODULE } = await import(root + 'train/regimes/morphologyTask.js');
const { labelledBatch } = await import(root + 'bench/etVaeBenchmarks.js');
const d = await initBackend({ backend: 'wasm', threads: 1, nativeThreads: 1 });
console.log(JSON.stringify({ dist: root, backend: describeBackend(d), load_start: loadavg().map((x) => +x.toFixed(2)) }));
const ET = { imageSize: 64, poseGridSize: 32, latentDim: 32, seed: 0 };
const specs = {
  'plain-cnn': { model: { kind: 'plain-cnn', options: { imageSize: 64, seed: 0 } }, objective: 'supervised', trainable: ['encoder', 'classifier'] },
  'et-supervised': { model: { kind: 'et-vae', options: ET }, objective: 'supervised', trainable: ['et', 'encoder', 'classifier'] },
  'et-vae': { model: { kind: 'et-vae', options: ET }, objective: 'semi-supervised', trainable: ['et', 'encoder', 'latent', 'decoder', 'classifier'] },
};
const names = Object.keys(specs);
const trainers = {};
for (const n of names) trainers[n] = await createTrainer({ spec: { module: MORPHOLOGY_TASK_MODULE, options: specs[n] }, workers: 1 });
const batch = labelledBatch(16);
const wall = Object.fromEntries(names.map((n) => [n, []]));
const cpu = Object.fromEntries(names.map((n) => [n, []]));
for (let r = 0; r < rounds + 2; r++) {
  for (const n of names) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await trainers[n].step(batch);
    const c = process.cpuUsage(c0);
    if (r >= 2) {
      wall[n].push(performance.now() - t0);
      cpu[n].push((c.user + c.system) / 1000);
    }
  }
}
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
for (const n of names) {
  console.log(JSON.stringify({
    model: n, rounds, cpu_ms_median: +median(cpu[n]).toFixed(1), wall_ms_median: +median(wall[n]).toFixed(1),
    cpu_ratio_to_plain_cnn: +(median(cpu[n]) / median(cpu['plain-cnn'])).toFixed(2),
    wall_ratio_to_plain_cnn: +(median(wall[n]) / median(wall['plain-cnn'])).toFixed(2),
  }));
}
console.log(JSON.stringify({ load_end: loadavg().map((x) => +x.toFixed(2)) }));
for (const t of Object.values(trainers)) await t.dispose();
