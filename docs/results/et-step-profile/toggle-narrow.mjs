// Same-process A/B of the kernels added at 13:00 UTC on 2026-12-03 (1 thread): the batch-norm running-average kernel
// (GalmorphMovingAverage) and the addon's direct loops for convolutions with one channel on one side (Conv2D and
// Conv2DBackpropFilter with one output channel, Conv2DBackpropInput with one input channel). "on": as registered;
// "off": the running averages from stock ops and the native convolution kernels built on a view of the addon
// without the loops (oneDNN, and the product + JavaScript scatter), i.e. the code before. Rounds of one step per
// model, the two settings alternating; CPU time (process.cpuUsage) and wall time per step, median per model and
// setting, ratio to the plain CNN's median of the same setting.
// usage (after npm run build and npm run build:native): node docs/results/et-step-profile/toggle-narrow.mjs ROUNDS [DIST]
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
const { loadAddon } = await import(root + 'backend/native/addon.js');
const { nativeKernelConfigs, emptyCounts } = await import(root + 'backend/native/kernels.js');
const { disableNativeKernels, enableNativeKernels } = await import(root + 'backend/native/register.js');
const { MOVING_AVERAGE } = await import(root + 'backend/movingAverage.js');
const d = await initBackend({ backend: 'wasm', threads: 1, nativeThreads: 1 });
const load = loadAddon();
if (!load.ok || typeof load.addon.conv2dOneOutput !== 'function') throw new Error('needs an addon with the narrow convolution loops (npm run build:native)');
const convs = ['Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput'];
disableNativeKernels();
const wasmConvs = new Map(convs.map((n) => [n, tf.getKernel(n, 'wasm')]));
enableNativeKernels({ threads: 1 });
const older = { ...load.addon };
delete older.conv2dOneOutput;
delete older.conv2dBackpropFilterOneOutput;
delete older.conv2dBackpropInputOneInput;
const offConfigs = nativeKernelConfigs(older, wasmConvs, emptyCounts()).filter((c) => convs.includes(c.kernelName));
const onConfigs = [...convs, MOVING_AVERAGE].map((n) => tf.getKernel(n, 'wasm'));
console.log(JSON.stringify({ dist: root, backend: describeBackend(d), load_start: loadavg().map((x) => +x.toFixed(2)) }));
const setKernels = (state) => {
  for (const n of [...convs, MOVING_AVERAGE]) if (tf.getKernel(n, 'wasm')) tf.unregisterKernel(n, 'wasm');
  for (const c of state === 'on' ? onConfigs : offConfigs) tf.registerKernel(c);
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
