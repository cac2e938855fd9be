/**
 * Float64 reference of galmorph's training-mode batch norm (+ leaky ReLU), random test cases, and gradients of a
 * weighted loss through y and the batch statistics; shared by the wasm and native kernel tests.
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import type { batchNormTrain } from '../../src/nn/batchNorm.js';
import type { Rng } from '../../src/util/rng.js';
import { dot, randomData } from './kernelHarness.js';

export const BN_EPS = 1e-3;
const ALPHAS = [null, 0.1, 0] as const;

export interface BnCase {
  shape: number[];
  alpha: number | null;
  x: Float32Array;
  scale: Float32Array;
  offset: Float32Array;
  /** Loss weights of y, mean and variance. */
  wy: Float32Array;
  wm: Float32Array;
  wv: Float32Array;
}

/** Float64 reference: y, mean, variance of training-mode batch norm (+ leaky ReLU). */
export function bnReference(c: BnCase, x: ArrayLike<number>, scale: ArrayLike<number>, offset: ArrayLike<number>) {
  const C = c.shape[c.shape.length - 1];
  const rows = x.length / C;
  const mean = new Float64Array(C);
  const variance = new Float64Array(C);
  for (let i = 0; i < x.length; i++) mean[i % C] += x[i] / rows;
  for (let i = 0; i < x.length; i++) variance[i % C] += (x[i] - mean[i % C]) ** 2 / rows;
  const z = Float64Array.from(x, (v, i) => ((v - mean[i % C]) / Math.sqrt(variance[i % C] + BN_EPS)) * scale[i % C] + offset[i % C]);
  const y = c.alpha === null ? z : z.map((v) => (v > 0 ? v : c.alpha! * v));
  return { z, y, mean, variance };
}

/** Σ wy·y + Σ wm·mean + Σ wv·variance in float64. */
export function bnReferenceLoss(c: BnCase, x: ArrayLike<number>, scale: ArrayLike<number>, offset: ArrayLike<number>): number {
  const r = bnReference(c, x, scale, offset);
  return dot(r.y, c.wy) + dot(r.mean, c.wm) + dot(r.variance, c.wv);
}

/**
 * A random case: 4-d shapes (even index) or 2-d, 1–`maxChannels` channels, the activation cycling through none / 0.1 /
 * 0, every pre-activation away from the leaky ReLU's kink (for central differences).
 */
export function randomBnCase(rng: Rng, index: number, maxChannels = 5): BnCase {
  for (;;) {
    const C = 1 + rng.int(maxChannels);
    const shape = index % 2 === 0 ? [2 + rng.int(4), 1 + rng.int(3), 1 + rng.int(3), C] : [2 + rng.int(6), C];
    const n = shape.reduce((p, d) => p * d, 1);
    const c: BnCase = {
      shape,
      alpha: ALPHAS[index % ALPHAS.length],
      x: randomData(rng, n, -2, 3),
      scale: randomData(rng, C, 0.5, 2),
      offset: randomData(rng, C, -0.5, 0.5),
      wy: randomData(rng, n),
      wm: randomData(rng, C),
      wv: randomData(rng, C),
    };
    if (bnReference(c, c.x, c.scale, c.offset).z.every((z) => Math.abs(z) > 1e-3)) return c;
  }
}

export type BnOp = typeof batchNormTrain;

/** Loss Σ wy·y + Σ wm·mean + Σ wv·variance of `op` and its tape gradients w.r.t. x, scale and offset. */
export function bnGradients(op: BnOp, c: BnCase): { x: Float32Array; scale: Float32Array; offset: Float32Array; loss: number } {
  return tf.tidy(() => {
    const C = c.shape[c.shape.length - 1];
    const wy = tf.tensor(c.wy, c.shape);
    const wm = tf.tensor1d(c.wm);
    const wv = tf.tensor1d(c.wv);
    const f = (x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor) => {
      const r = op(x, scale, offset, BN_EPS, c.alpha);
      return tf.addN([tf.sum(tf.mul(r.y, wy)), tf.sum(tf.mul(r.mean, wm)), tf.sum(tf.mul(r.variance, wv))]) as tf.Scalar;
    };
    const { value, grads } = tf.valueAndGrads(f)([tf.tensor(c.x, c.shape), tf.tensor1d(c.scale), tf.tensor1d(c.offset)]);
    expect(grads[1].shape).toEqual([C]);
    return {
      x: grads[0].dataSync() as Float32Array,
      scale: grads[1].dataSync() as Float32Array,
      offset: grads[2].dataSync() as Float32Array,
      loss: value.dataSync()[0],
    };
  });
}

/**
 * Worst directional error of the analytic gradients `g` w.r.t. x, scale and offset against float64 central differences
 * of the reference loss, relative to |g|·|v|.
 */
export function bnFiniteDifferenceError(rng: Rng, c: BnCase, g: { x: Float32Array; scale: Float32Array; offset: Float32Array }): number {
  let worst = 0;
  for (const wrt of ['x', 'scale', 'offset'] as const) {
    const analytic = g[wrt];
    const v = randomData(rng, analytic.length);
    const h = 1e-6;
    const shifted = (sign: number) => {
      const moved = (base: Float32Array) => Float64Array.from(base, (p, k) => p + sign * h * v[k]);
      return bnReferenceLoss(c, wrt === 'x' ? moved(c.x) : c.x, wrt === 'scale' ? moved(c.scale) : c.scale, wrt === 'offset' ? moved(c.offset) : c.offset);
    };
    const fd = (shifted(1) - shifted(-1)) / (2 * h);
    const scale = Math.max(Math.sqrt(dot(analytic, analytic) * dot(v, v)), 1e-6);
    worst = Math.max(worst, Math.abs(dot(analytic, v) - fd) / scale);
  }
  return worst;
}
