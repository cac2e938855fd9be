// Interleaved same-sitting A/B of training steps (1 thread): rounds of one step per variant; min and median per variant.
// usage: node runs/h9/interleaved.mjs ROUNDS ; env GALMORPH_NATIVE=0 for pure wasm
import * as tf from '@tensorflow/tfjs';
import { loadavg } from 'node:os';
const root = new URL('../../../dist/', import.meta.url).href; // run from docs/results/et-sampler-bench after npm run build
const { initBackend, describeBackend } = await import(root + 'backend/initBackend.js');
const { createTrainer } = await import(root + 'train/dataParallel.js');
const { MORPHOLOGY_TASK_MODULE } = await import(root + 'train/regimes/morphologyTask.js');
const { labelledBatch } = await import(root + 'bench/etVaeBenchmarks.js');
const { BILINEAR_SAMPLER_KERNELS } = await import(root + 'backend/bilinearSampler.js');
const { AFFINE_WARP_KERNELS } = await import(root + 'backend/affineWarp.js');
const rounds = Number(process.argv[2] ?? 10);
const d = await initBackend({ backend: 'wasm', threads: 1, nativeThreads: 1 });
console.log(JSON.stringify({ backend: describeBackend(d), load_start: loadavg().map((x) => +x.toFixed(2)) }));
const ET = { imageSize: 64, poseGridSize: 32, latentDim: 32, seed: 0 };
const specs = {
  'plain-cnn': { model: { kind: 'plain-cnn', options: { imageSize: 64, seed: 0 } }, objective: 'supervised', trainable: ['encoder', 'classifier'] },
  'et-supervised': { model: { kind: 'et-vae', options: ET }, objective: 'supervised', trainable: ['et', 'encoder', 'classifier'] },
  'et-vae': { model: { kind: 'et-vae', options: ET }, objective: 'semi-supervised', trainable: ['et', 'encoder', 'latent', 'decoder', 'classifier'] },
};
const variants = [
  ['plain-cnn', 'plain-cnn', false], ['et-supervised', 'et-supervised', false], ['et-vae', 'et-vae', false],
  ['et-supervised-composite', 'et-supervised', true], ['et-vae-composite', 'et-vae', true],
];
const trainers = {};
for (const [name, kind] of variants) trainers[name] = await createTrainer({ spec: { module: MORPHOLOGY_TASK_MODULE, options: specs[kind] }, workers: 1 });
const batch = labelledBatch(16);
const names = [...BILINEAR_SAMPLER_KERNELS, ...AFFINE_WARP_KERNELS];
const times = Object.fromEntries(variants.map(([n]) => [n, []]));
const cpu = Object.fromEntries(variants.map(([n]) => [n, []]));
for (let r = 0; r < rounds + 2; r++) {
  for (const [name, , composite] of variants) {
    const saved = composite ? names.map((k) => tf.getKernel(k, 'wasm')).filter(Boolean) : [];
    saved.forEach((c) => tf.unregisterKernel(c.kernelName, 'wasm'));
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await trainers[name].step(batch);
    const cu = process.cpuUsage(c0);
    const ms = performance.now() - t0;
    if (r >= 2) cpu[name].push((cu.user + cu.system) / 1000);
    saved.forEach((c) => tf.registerKernel(c));
    if (r >= 2) times[name].push(ms);
  }
}
const stat = (a) => { const s = [...a].sort((x, y) => x - y); return { min: Math.round(s[0]), median: Math.round(s[Math.floor(s.length / 2)]) }; };
const out = Object.fromEntries(Object.entries(times).map(([n, a]) => [n, stat(a)]));
const cpuStat = Object.fromEntries(Object.entries(cpu).map(([n, a]) => [n, stat(a)]));
for (const [n, s] of Object.entries(out)) console.log(JSON.stringify({ variant: n, wall_min: s.min, wall_median: s.median, cpu_min: cpuStat[n].min, cpu_median: cpuStat[n].median, images_per_s_cpu_median: +(16000 / cpuStat[n].median).toFixed(1), ratio_wall_min: +(s.min / out['plain-cnn'].min).toFixed(2), ratio_cpu_median: +(cpuStat[n].median / cpuStat['plain-cnn'].median).toFixed(2) }));
console.log(JSON.stringify({ load_end: loadavg().map((x) => +x.toFixed(2)), rounds }));
for (const t of Object.values(trainers)) await t.dispose();
