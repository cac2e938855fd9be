/**
 * Whole-model gradients of a small conv net (strided and padded convolutions, ReLU, a dense head, and the
 * input gradient as a spatial-transformer-style model needs it) with the native kernels against pure tfjs
 * (the cpu backend), per variable.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/util/rng.js';
import { randomData, relativeError, sizeOf } from '../kernelHarness.js';
import { addonBuilt, callsOf, setUpNative } from './nativeSetup.js';

const SHAPES = {
  x: [3, 13, 11, 2],
  w1: [3, 3, 2, 5],
  w2: [4, 2, 5, 6],
  w3: [1, 1, 6, 3],
  dense: [5 * 6 * 3, 4],
} as const;
type Name = keyof typeof SHAPES;
const NAMES = Object.keys(SHAPES) as Name[];

function loss(t: Record<Name, tf.Tensor>): tf.Scalar {
  const h1 = tf.relu(tf.conv2d(t.x as tf.Tensor4D, t.w1 as tf.Tensor4D, 1, 'same'));
  const h2 = tf.relu(tf.conv2d(h1, t.w2 as tf.Tensor4D, [3, 2], [[0, 0], [1, 2], [0, 1], [0, 0]]));
  const h3 = tf.conv2d(h2, t.w3 as tf.Tensor4D, 1, 'valid');
  const logits = tf.matMul(tf.reshape(h3, [h3.shape[0], -1]), t.dense as tf.Tensor2D);
  return tf.sum(tf.square(tf.sin(logits)));
}

async function gradientsOn(backend: 'wasm' | 'cpu', host: Record<Name, Float32Array>): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const tensors = NAMES.map((n) => tf.tensor(host[n], [...SHAPES[n]]));
  const grads = tf.grads((...args: tf.Tensor[]) => loss(Object.fromEntries(NAMES.map((n, i) => [n, args[i]])) as Record<Name, tf.Tensor>))(tensors);
  const out = grads.map((g) => g.dataSync() as Float32Array);
  tf.dispose([...tensors, ...grads]);
  await tf.setBackend('wasm');
  return out;
}

describe.skipIf(!addonBuilt)('whole-model gradient with native kernels', () => {
  beforeAll(setUpNative);

  it('agrees with pure tfjs (cpu) for every variable and the input', async () => {
    const rng = new Rng(631);
    const host = Object.fromEntries(NAMES.map((n) => [n, randomData(rng, sizeOf([...SHAPES[n]]), -0.5, 0.5)])) as Record<Name, Float32Array>;
    const before = { f: callsOf('Conv2DBackpropFilter').native, i: callsOf('Conv2DBackpropInput').native };
    const native = await gradientsOn('wasm', host);
    const cpu = await gradientsOn('cpu', host);
    expect(callsOf('Conv2DBackpropFilter').native - before.f).toBe(3);
    expect(callsOf('Conv2DBackpropInput').native - before.i).toBe(3);
    NAMES.forEach((name, i) => {
      expect(relativeError(native[i], cpu[i]), name).toBeLessThan(1e-4);
    });
  });
});
