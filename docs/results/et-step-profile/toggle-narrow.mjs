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
import { runToggle } from './toggleAb.mjs';
const rounds = Number(process.argv[2] ?? 10);
const root = process.argv[3] ? pathToFileURL(resolve(process.argv[3])).href + '/' : new URL('../../../dist/', import.meta.url).href;
const { initBackend, describeBackend } = await import(root + 'backend/initBackend.js');
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
await runToggle({ root, rounds, setKernels });
