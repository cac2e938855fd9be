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
import { runToggle } from './toggleAb.mjs';
const rounds = Number(process.argv[2] ?? 10);
const root = process.argv[3] ? pathToFileURL(resolve(process.argv[3])).href + '/' : new URL('../../../dist/', import.meta.url).href;
const { initBackend, describeBackend } = await import(root + 'backend/initBackend.js');
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
await runToggle({ root, rounds, setKernels });
