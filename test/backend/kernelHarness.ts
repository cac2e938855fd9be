/**
 * Test harness for the fast wasm kernels: run one kernel on a named backend with host data, compare with an
 * oracle, and generate random convolution cases (strides 1/2/3/[2,1], same/valid/explicit, odd sizes, k 1–5).
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/initBackend.js';
import { Rng } from '../../src/util/rng.js';
import { FAST_WASM_KERNELS } from '../../src/backend/wasmKernels/registerFastWasmKernels.js';

export interface HostTensor {
  shape: number[];
  data: Float32Array | Int32Array;
  dtype?: 'float32' | 'int32';
}

/**
 * Starts wasm with the galmorph kernels only — the optional native kernels would otherwise replace some of
 * them — and checks that every kernel under test is galmorph's (cpu stays registered as the oracle).
 */
export async function setUpWasm(): Promise<void> {
  await initBackend({ backend: 'wasm', nativeKernels: false });
  for (const config of FAST_WASM_KERNELS) {
    if (tf.getKernel(config.kernelName, 'wasm')?.kernelFunc !== config.kernelFunc) {
      throw new Error(`the wasm kernel ${config.kernelName} under test is not galmorph's`);
    }
  }
}

/** Runs `kernel` on `backend` and returns its output as host data (no tensors left behind). */
export async function runKernelOn(
  backend: 'wasm' | 'cpu',
  kernel: string,
  inputs: Record<string, HostTensor>,
  attrs: Record<string, unknown>,
): Promise<HostTensor> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const tensors: Record<string, tf.Tensor> = {};
  for (const [name, t] of Object.entries(inputs)) tensors[name] = tf.tensor(t.data, t.shape, t.dtype ?? 'float32');
  const out = tf.engine().runKernel(kernel, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
  const result = { shape: out.shape, data: out.dataSync() as Float32Array };
  out.dispose();
  for (const t of Object.values(tensors)) t.dispose();
  if (tf.memory().numTensors !== before) throw new Error(`${kernel} on ${backend} leaked tensors`);
  await tf.setBackend('wasm');
  return result;
}

/** max |a − b| / max |b| (0 when both are all zero). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} ≠ ${expected.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

export function randomData(rng: Rng, size: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.range(lo, hi);
  return out;
}

export type Padding = 'same' | 'valid' | number[][];

export interface ConvCase {
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  strides: [number, number];
  pad: Padding;
  outShape: [number, number, number, number];
}

const STRIDES: [number, number][] = [
  [1, 1],
  [2, 2],
  [3, 3],
  [2, 1],
];

/** A random small convolution with at least one output pixel. */
export function randomConvCase(rng: Rng, index: number): ConvCase {
  for (;;) {
    const batch = index % 2 === 0 ? 1 : 1 + rng.int(3);
    const height = 1 + rng.int(9);
    const width = 1 + rng.int(9);
    const k = 1 + rng.int(5);
    const kw = rng.bernoulli(0.7) ? k : 1 + rng.int(5);
    const inC = 1 + rng.int(4);
    const outC = 1 + rng.int(4);
    const strides = STRIDES[index % STRIDES.length];
    const kind = index % 3;
    const pad: Padding =
      kind === 0
        ? 'same'
        : kind === 1
          ? 'valid'
          : [
              [0, 0],
              [rng.int(k), rng.int(k)],
              [rng.int(kw), rng.int(kw)],
              [0, 0],
            ];
    const info = tf.backend_util.computeConv2DInfo(
      [batch, height, width, inC],
      [k, kw, inC, outC],
      strides,
      1,
      pad as 'same',
    );
    if (info.outHeight < 1 || info.outWidth < 1) continue;
    return {
      xShape: [batch, height, width, inC],
      filterShape: [k, kw, inC, outC],
      strides,
      pad,
      outShape: info.outShape,
    };
  }
}

const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

/** Forward convolution in float64 on the host, straight from the definition (independent of tfjs). */
export function naiveConv2D(c: ConvCase, x: ArrayLike<number>, w: ArrayLike<number>): Float64Array {
  const [B, H, W, ci] = c.xShape;
  const [kh, kw, , co] = c.filterShape;
  const [, OH, OW] = c.outShape;
  const info = tf.backend_util.computeConv2DInfo(c.xShape, c.filterShape, c.strides, 1, c.pad as 'same');
  const { top, left } = info.padInfo;
  const out = new Float64Array(size(c.outShape));
  for (let b = 0; b < B; b++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let o = 0; o < co; o++) {
          let acc = 0;
          for (let i = 0; i < kh; i++) {
            const ih = oh * c.strides[0] + i - top;
            if (ih < 0 || ih >= H) continue;
            for (let j = 0; j < kw; j++) {
              const iw = ow * c.strides[1] + j - left;
              if (iw < 0 || iw >= W) continue;
              for (let q = 0; q < ci; q++) acc += x[((b * H + ih) * W + iw) * ci + q] * w[((i * kw + j) * ci + q) * co + o];
            }
          }
          out[((b * OH + oh) * OW + ow) * co + o] = acc;
        }
  return out;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function sizeOf(shape: number[]): number {
  return size(shape);
}
