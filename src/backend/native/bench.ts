/**
 * Per-kernel speed of the native kernels against the wasm kernels they replace, on the convolution and dense
 * shapes of the reference conv VAE (64×64×1 input, filters 32/64/64, batch 32; see shared/bench/README.md).
 * Needs the wasm backend active; leaves the native kernels as it found them.
 */
import * as tf from '@tensorflow/tfjs';
import { check, resolveOptions } from '../../util/options.js';
import { disableNativeKernels, enableNativeKernels, nativeKernelState } from './register.js';
import type { NativeKernelName } from './kernels.js';

export interface NativeKernelBenchOptions {
  /** Images per batch. @default 32 */
  batch: number;
  /** Timed runs per kernel and implementation (median reported), after one warm-up run. @default 5 */
  repeats: number;
  /** oneDNN threads for the native runs. @default 2 */
  threads: number;
}

export interface KernelBenchResult {
  kernel: NativeKernelName;
  /** What was run, e.g. "3x3 conv 64x64x1→32". */
  label: string;
  gflop: number;
  nativeMs: number;
  wasmMs: number;
  nativeGflops: number;
  wasmGflops: number;
}

interface Case {
  kernel: NativeKernelName;
  label: string;
  gflop: number;
  inputs: () => Record<string, tf.Tensor>;
  attrs: tf.NamedAttrMap;
}

function convCases(batch: number, size: number, inC: number, outC: number): Case[] {
  const label = `3x3 conv ${size}x${size}x${inC}→${outC}`;
  const gflop = (2 * batch * size * size * outC * 9 * inC) / 1e9;
  const x = () => tf.randomUniform([batch, size, size, inC], -1, 1);
  const w = () => tf.randomUniform([3, 3, inC, outC], -1, 1);
  const dy = () => tf.randomUniform([batch, size, size, outC], -1, 1);
  const common = { strides: 1, pad: 'same', dataFormat: 'NHWC' };
  return [
    { kernel: 'Conv2D', label, gflop, inputs: () => ({ x: x(), filter: w() }), attrs: { ...common, dilations: 1 } },
    {
      kernel: 'Conv2DBackpropInput', label, gflop,
      inputs: () => ({ dy: dy(), filter: w() }),
      attrs: { ...common, inputShape: [batch, size, size, inC] },
    },
    {
      kernel: 'Conv2DBackpropFilter', label, gflop,
      inputs: () => ({ x: x(), dy: dy() }),
      attrs: { ...common, filterShape: [3, 3, inC, outC] },
    },
  ];
}

function matMulCase(label: string, a: number[], b: number[], transposeA: boolean, transposeB: boolean): Case {
  const m = transposeA ? a[1] : a[0];
  const k = transposeA ? a[0] : a[1];
  const n = transposeB ? b[0] : b[1];
  return {
    kernel: 'BatchMatMul', label, gflop: (2 * m * k * n) / 1e9,
    inputs: () => ({ a: tf.randomUniform([1, ...a], -1, 1), b: tf.randomUniform([1, ...b], -1, 1) }),
    attrs: { transposeA, transposeB },
  };
}

function cases(batch: number): Case[] {
  return [
    ...convCases(batch, 64, 1, 32),
    ...convCases(batch, 64, 32, 32),
    ...convCases(batch, 32, 64, 64),
    ...convCases(batch, 16, 64, 64),
    matMulCase(`dense ${batch}x4096·4096x32`, [batch, 4096], [4096, 32], false, false),
    matMulCase(`dense grad xᵀ·dy 4096x${batch}·${batch}x32`, [batch, 4096], [batch, 32], true, false),
    matMulCase(`dense grad dy·wᵀ ${batch}x32·32x4096`, [batch, 32], [4096, 32], false, true),
  ];
}

function medianMs(c: Case, inputs: Record<string, tf.Tensor>, repeats: number): number {
  const once = () => {
    const start = performance.now();
    const out = tf.engine().runKernel(c.kernel, inputs, c.attrs) as tf.Tensor;
    out.dataSync();
    const ms = performance.now() - start;
    out.dispose();
    return ms;
  };
  once();
  const times = Array.from({ length: repeats }, once).sort((p, q) => p - q);
  return times[Math.floor(times.length / 2)];
}

/** Times every case with the native kernels and with the wasm kernels; returns GFLOP/s per kernel and shape. */
export function nativeKernelBench(options: Partial<NativeKernelBenchOptions> = {}): KernelBenchResult[] {
  const o = resolveOptions<NativeKernelBenchOptions>(
    { batch: 32, repeats: 5, threads: 2 },
    { batch: check.integer(1, 4096), repeats: check.integer(1, 1000), threads: check.integer(1, 1024) },
    options,
  );
  if (tf.getBackend() !== 'wasm') throw new Error(`nativeKernelBench needs the wasm backend, not ${tf.getBackend()}`);
  const before = nativeKernelState();
  const results: KernelBenchResult[] = [];
  try {
    for (const c of cases(o.batch)) {
      const inputs = c.inputs();
      const status = enableNativeKernels({ mode: 'on', threads: o.threads });
      if (!status.active) throw new Error(status.reason);
      const nativeMs = medianMs(c, inputs, o.repeats);
      disableNativeKernels();
      const wasmMs = medianMs(c, inputs, o.repeats);
      tf.dispose(Object.values(inputs));
      results.push({
        kernel: c.kernel, label: c.label, gflop: c.gflop, nativeMs, wasmMs,
        nativeGflops: c.gflop / (nativeMs / 1000), wasmGflops: c.gflop / (wasmMs / 1000),
      });
    }
  } finally {
    if (before) enableNativeKernels({ mode: 'on', threads: before.threads });
    else disableNativeKernels();
  }
  return results;
}
