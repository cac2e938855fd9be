/**
 * galmorph's fused training-mode batch-norm kernels on wasm: forward against a float64 reference, the gradient with
 * respect to x, scale and offset — through y and through the batch mean and variance outputs — against float64
 * central differences and against the tape gradient of the stock-op composite (tf.moments + tf.batchNorm
 * + tf.leakyRelu), with and without the leaky ReLU; the BatchNorm layer's running averages; no leaked tensors.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD } from '../../../src/backend/batchNormTrain.js';
import { BatchNorm, batchNormTrain, batchNormTrainComposite, hasBatchNormKernels } from '../../../src/nn/batchNorm.js';
import { ParamStore } from '../../../src/nn/params.js';
import { Rng } from '../../../src/util/rng.js';
import { relativeError, setUpWasm } from '../kernelHarness.js';
import {
  BN_EPS as EPS, bnFiniteDifferenceError, bnGradients as gradients, bnReference as reference, randomBnCase as randomCase, type BnOp as Op,
} from '../batchNormReference.js';

beforeAll(setUpWasm);

describe('fused training-mode batch norm (wasm)', () => {
  it('forward matches a float64 reference on 24 random cases, with and without the leaky ReLU', () => {
    expect(hasBatchNormKernels()).toBe(true);
    const rng = new Rng(731);
    for (let i = 0; i < 24; i++) {
      const c = randomCase(rng, i);
      const ref = reference(c, c.x, c.scale, c.offset);
      tf.tidy(() => {
        const r = batchNormTrain(tf.tensor(c.x, c.shape), tf.tensor1d(c.scale), tf.tensor1d(c.offset), EPS, c.alpha);
        expect(r.y.shape).toEqual(c.shape);
        expect(relativeError(r.y.dataSync(), ref.y)).toBeLessThan(2e-6);
        expect(relativeError(r.mean.dataSync(), ref.mean)).toBeLessThan(2e-6);
        expect(relativeError(r.variance.dataSync(), ref.variance)).toBeLessThan(2e-6);
      });
    }
  });

  it('gradients match float64 central differences and the stock-op composite on 24 random cases', () => {
    const rng = new Rng(732);
    let worstFd = 0;
    let worstComposite = 0;
    for (let i = 0; i < 24; i++) {
      const c = randomCase(rng, i);
      const fast = gradients(batchNormTrain, c);
      const composite = gradients(batchNormTrainComposite, c);
      expect(Math.abs(fast.loss - composite.loss)).toBeLessThan(1e-4 * Math.max(1, Math.abs(composite.loss)));
      worstFd = Math.max(worstFd, bnFiniteDifferenceError(rng, c, fast));
      for (const wrt of ['x', 'scale', 'offset'] as const) worstComposite = Math.max(worstComposite, relativeError(fast[wrt], composite[wrt]));
    }
    expect(worstFd).toBeLessThan(1e-4);
    expect(worstComposite).toBeLessThan(1e-4);
  });

  it('is closer to the float64 gradient than the composite when the gradient cancels (as downstream of a softmax)', () => {
    // L = Σ w·bn(x) with w almost an affine function of x per channel: dx is the small remainder of terms ~5000×
    // larger, which the composite adds up in float32 and the kernel in double precision.
    const rng = new Rng(735);
    const rows = 256;
    const C = 4;
    const x = Float32Array.from({ length: rows * C }, () => rng.normal() * 3 + 1);
    const w = Float32Array.from(x, (v) => 2 + 5 * v + 1e-3 * rng.normal());
    const scale = [1.3, 0.7, 1, 2];
    const expected = new Float64Array(rows * C);
    for (let c = 0; c < C; c++) {
      const column = Array.from({ length: rows }, (_, r) => r * C + c);
      const m = column.reduce((s, i) => s + x[i], 0) / rows;
      const inv = 1 / Math.sqrt(column.reduce((s, i) => s + (x[i] - m) ** 2, 0) / rows + EPS);
      const sumW = column.reduce((s, i) => s + w[i], 0);
      const sumWx = column.reduce((s, i) => s + w[i] * (x[i] - m) * inv, 0);
      for (const i of column) expected[i] = scale[c] * inv * (w[i] - sumW / rows - (x[i] - m) * inv * sumWx / rows);
    }
    const error = (op: Op) => relativeError(tf.tidy(() => tf.grad((t: tf.Tensor) =>
      tf.sum(tf.mul(op(t, tf.tensor1d(scale), tf.zeros([C]), EPS, null).y, tf.tensor(w, [rows, C]))) as tf.Scalar)(
      tf.tensor(x, [rows, C])).dataSync()), expected);
    const kernel = error(batchNormTrain);
    const composite = error(batchNormTrainComposite);
    expect(kernel).toBeLessThan(1e-3);
    expect(kernel).toBeLessThan(composite / 3);
  });

  it('runs one kernel forward and one backward, and leaves no tensors behind', async () => {
    const c = randomCase(new Rng(733), 1);
    const x = tf.tensor(c.x, c.shape);
    const scale = tf.tensor1d(c.scale);
    const offset = tf.tensor1d(c.offset);
    const before = tf.memory().numTensors;
    const info = await tf.profile(() => {
      tf.dispose(tf.grads((a: tf.Tensor, s: tf.Tensor) => tf.sum(tf.square(batchNormTrain(a, s, offset, EPS, 0.1).y)) as tf.Scalar)([x, scale]));
      return [];
    });
    const names = info.kernels.map((k) => k.name);
    expect(names.filter((n) => n === BATCH_NORM_TRAIN)).toHaveLength(1);
    expect(names.filter((n) => n === BATCH_NORM_TRAIN_GRAD)).toHaveLength(1);
    for (const stock of ['Tile', 'FusedBatchNorm', 'Mean', 'LeakyRelu']) expect(names).not.toContain(stock);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, scale, offset]);
  });

  it('the BatchNorm layer updates its running averages with the batch statistics', () => {
    const c = randomCase(new Rng(734), 0);
    const params = new ParamStore(0);
    try {
      const layer = new BatchNorm(params.scope('m'), 'bn', { channels: c.shape[c.shape.length - 1], momentum: 0.75 });
      const ref = reference(c, c.x, [1, 1, 1, 1, 1], [0, 0, 0, 0, 0]);
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        layer.apply(tf.tensor(c.x, c.shape), true, 0.1);
      });
      expect(tf.memory().numTensors).toBe(before);
      expect(relativeError(layer.runningMean.dataSync(), Array.from(ref.mean, (m) => 0.25 * m))).toBeLessThan(1e-5);
      expect(relativeError(layer.runningVar.dataSync(), Array.from(ref.variance, (v) => 0.75 + 0.25 * v))).toBeLessThan(1e-5);
    } finally {
      params.dispose();
    }
  });
});
