// Same-process A/B of the kernels added for the ET-VAE step (1 thread): rounds of one step per model (plain CNN, ET
// supervised, ET-VAE), each round once with the kernels added on 2026-12-03 after 09:40 UTC ("on": native C++ batch
// norm, clipped-Bernoulli −ELBO term (native or wasm), affine inverse, pose log prior, native nearest up-sampling and its
// gradient) and once without them ("off": the batch norm's JavaScript loops, the stock-op composites and the wasm
// up-sampling kernels, i.e. the code before), alternating; CPU time (process.cpuUsage) and wall time per step, median
// per model and setting, and the ratio to the plain CNN's median of the same setting. Toggling inside one process
// removes the process-to-process spread (±0.1 in the ratio on a loaded machine).
// usage (after npm run build): node docs/results/et-step-profile/toggle-kernels.mjs ROUNDS [DIST]
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
const { FAST_WASM_KERNELS } = await import(root + 'backend/wasmKernels/registerFastWasmKernels.js');
const { disableNativeKernels, enableNativeKernels } = await import(root + 'backend/native/register.js');
const d = await initBackend({ backend: 'wasm', threads: 1, nativeThreads: 1 });
// The wasm up-sampling kernels the native ones replaced (put back by disabling the native kernels for a moment).
const upsampling = ['ResizeNearestNeighbor', 'ResizeNearestNeighborGrad'];
disableNativeKernels();
const wasmUpsampling = Object.fromEntries(upsampling.map((n) => [n, tf.getKernel(n, 'wasm')]));
enableNativeKernels({ threads: 1 });
console.log(JSON.stringify({ dist: root, backend: describeBackend(d), load_start: loadavg().map((x) => +x.toFixed(2)) }));
const removed = ['GalmorphBernoulliProbLogLik', 'GalmorphBernoulliProbLogLikGrad', 'GalmorphAffineInverse', 'GalmorphAffineInverseGrad',
  'GalmorphPoseLogPrior', 'GalmorphPoseLogPriorGrad'];
const batchNorm = ['GalmorphBatchNormTrain', 'GalmorphBatchNormTrainGrad'];
const on = Object.fromEntries([...removed, ...batchNorm, ...upsampling].map((n) => [n, tf.getKernel(n, 'wasm')]));
const jsBatchNorm = Object.fromEntries(batchNorm.map((n) => [n, FAST_WASM_KERNELS.find((k) => k.kernelName === n)]));
const setKernels = (state) => {
  for (const n of [...removed, ...batchNorm, ...upsampling]) if (tf.getKernel(n, 'wasm')) tf.unregisterKernel(n, 'wasm');
  if (state === 'on') for (const n of [...removed, ...batchNorm, ...upsampling]) tf.registerKernel(on[n]);
  else {
    for (const n of batchNorm) tf.registerKernel(jsBatchNorm[n]);
    for (const n of upsampling) tf.registerKernel(wasmUpsampling[n]);
  }
};
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
const cpu = {};
const wall = {};
for (let r = 0; r < rounds + 2; r++) {
  for (const state of r % 2 ? ['off', 'on'] : ['on', 'off']) {
    setKernels(state);
    for (const n of names) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await trainers[n].step(batch);
      const c = process.cpuUsage(c0);
      if (r >= 2) {
        (cpu[`${state}:${n}`] ??= []).push((c.user + c.system) / 1000);
        (wall[`${state}:${n}`] ??= []).push(performance.now() - t0);
      }
    }
  }
}
setKernels('on');
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
for (const state of ['off', 'on']) {
  for (const n of names) {
    const k = `${state}:${n}`;
    console.log(JSON.stringify({
      kernels: state, model: n, rounds, cpu_ms_median: +median(cpu[k]).toFixed(1), wall_ms_median: +median(wall[k]).toFixed(1),
      cpu_ratio_to_plain_cnn: +(median(cpu[k]) / median(cpu[`${state}:plain-cnn`])).toFixed(2),
      wall_ratio_to_plain_cnn: +(median(wall[k]) / median(wall[`${state}:plain-cnn`])).toFixed(2),
    }));
  }
}
console.log(JSON.stringify({ load_end: loadavg().map((x) => +x.toFixed(2)) }));
for (const t of Object.values(trainers)) await t.dispose();
