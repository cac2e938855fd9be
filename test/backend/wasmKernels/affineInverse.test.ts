/**
 * Inverting affine transforms as wasm kernels: the inverse bit-equal to the stock-op composite's and within float32
 * rounding of a float64 inverse; the gradient against float64 central differences and the composite's tape
 * gradient (bottom row 0); one kernel each way, no leaked tensors; bad shapes.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AFFINE_INVERSE, AFFINE_INVERSE_GRAD } from '../../../src/backend/affineInverse.js';
import { invertTransforms, invertTransformsComposite } from '../../../src/nn/transformMatrix.js';
import { Rng } from '../../../src/util/rng.js';
import { dot, randomData, relativeError, setUpWasm } from '../kernelHarness.js';

beforeAll(setUpWasm);

/** Random well-conditioned affine transforms [B, 3, 3] (|det| ≥ 0.3), bottom row 0 0 1. */
function randomTransforms(rng: Rng, batch: number): Float32Array {
  const m = new Float32Array(batch * 9);
  for (let b = 0; b < batch; b++) {
    let entries: Float32Array;
    do entries = randomData(rng, 6, -1.5, 1.5);
    while (Math.abs(entries[0] * entries[4] - entries[1] * entries[3]) < 0.3);
    m.set(entries, b * 9);
    m[b * 9 + 8] = 1;
  }
  return m;
}

/** Float64 inverse of the top two rows' affine transform, as [B·9]. */
function reference(m: ArrayLike<number>): Float64Array {
  const out = new Float64Array(m.length);
  for (let o = 0; o < m.length; o += 9) {
    const [a, b, tx, c, d, ty] = [m[o], m[o + 1], m[o + 2], m[o + 3], m[o + 4], m[o + 5]];
    const det = a * d - b * c;
    const [ia, ib, ic, id] = [d / det, -b / det, -c / det, a / det];
    out.set([ia, ib, -(ia * tx + ib * ty), ic, id, -(ic * tx + id * ty), 0, 0, 1], o);
  }
  return out;
}

describe('affine inverse (wasm kernels)', () => {
  it('equals the composite bit for bit and a float64 inverse to float32 rounding', () => {
    const rng = new Rng(761);
    for (const batch of [1, 3, 16]) {
      const m = randomTransforms(rng, batch);
      tf.tidy(() => {
        const t = tf.tensor3d(m, [batch, 3, 3]);
        const fast = invertTransforms(t).dataSync();
        expect(Array.from(fast)).toEqual(Array.from(invertTransformsComposite(t).dataSync()));
        expect(relativeError(fast, reference(m))).toBeLessThan(1e-5);
      });
    }
  });

  it('gradient matches float64 central differences and the composite\'s tape gradient', () => {
    const rng = new Rng(762);
    let worstFd = 0;
    let worstComposite = 0;
    for (let i = 0; i < 12; i++) {
      const batch = 1 + rng.int(6);
      const m = randomTransforms(rng, batch);
      const w = randomData(rng, batch * 9);
      const grad = (op: typeof invertTransforms) => tf.tidy(() =>
        tf.grad((t: tf.Tensor) => tf.sum(tf.mul(op(t as tf.Tensor3D), tf.tensor3d(w, [batch, 3, 3]))) as tf.Scalar)(
          tf.tensor3d(m, [batch, 3, 3])).dataSync() as Float32Array);
      const fast = grad(invertTransforms);
      worstComposite = Math.max(worstComposite, relativeError(fast, grad(invertTransformsComposite)));
      for (let b = 0; b < batch; b++) expect([fast[b * 9 + 6], fast[b * 9 + 7], fast[b * 9 + 8]]).toEqual([0, 0, 0]);
      // Directions in the top two rows (the bottom row is the constant 0 0 1).
      const v = randomData(rng, batch * 9).map((x, k) => (k % 9 < 6 ? x : 0));
      const h = 1e-6;
      const loss = (sign: number) => dot(reference(Float64Array.from(m, (x, k) => x + sign * h * v[k])), w);
      const fd = (loss(1) - loss(-1)) / (2 * h);
      worstFd = Math.max(worstFd, Math.abs(dot(fast, v) - fd) / Math.max(Math.sqrt(dot(fast, fast) * dot(v, v)), 1e-6));
    }
    expect(worstFd).toBeLessThan(1e-5);
    expect(worstComposite).toBeLessThan(1e-5);
  });

  it('runs one kernel each way and leaves no tensors behind', async () => {
    const m = tf.tensor3d(randomTransforms(new Rng(763), 4), [4, 3, 3]);
    const before = tf.memory().numTensors;
    const info = await tf.profile(() => {
      tf.dispose(tf.grad((t: tf.Tensor) => tf.sum(tf.square(invertTransforms(t as tf.Tensor3D))) as tf.Scalar)(m));
      return [];
    });
    const names = info.kernels.map((k) => k.name);
    expect(names.filter((n) => n === AFFINE_INVERSE)).toHaveLength(1);
    expect(names.filter((n) => n === AFFINE_INVERSE_GRAD)).toHaveLength(1);
    for (const stock of ['Unpack', 'Pack', 'RealDiv']) expect(names).not.toContain(stock);
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  it('rejects transforms that are not [B, 3, 3]', () => {
    const bad = tf.zeros([2, 2, 3]) as tf.Tensor3D;
    expect(() => invertTransforms(bad)).toThrow(/must be \[B, 3, 3\], got \[2,2,3\]/);
    bad.dispose();
  });
});
