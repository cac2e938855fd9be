/**
 * galmorph's axis-padding kernels on wasm: forward equal to the stock-op composite (slices + concat, or pad) and to
 * a host reference, the gradient against central differences (L = Σ w·pad(x) is linear: the difference is exact up to
 * rounding) and the composite's tape gradient, cyclic and zeros, every axis; one kernel each way; no leaked tensors.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { PAD_AXIS, PAD_AXIS_GRAD } from '../../../src/backend/axisPad.js';
import { padAxis, padAxisComposite, type AxisPadding } from '../../../src/nn/axisPadding.js';
import { Rng } from '../../../src/util/rng.js';
import { dot, randomData, relativeError, setUpWasm } from '../kernelHarness.js';

beforeAll(setUpWasm);

interface PadCase {
  shape: number[];
  axis: number;
  before: number;
  after: number;
  mode: AxisPadding;
  x: Float32Array;
}

function randomCase(rng: Rng, index: number): PadCase {
  const shape = Array.from({ length: 1 + rng.int(4) }, () => 1 + rng.int(5));
  const axis = rng.int(shape.length);
  const mode: AxisPadding = index % 2 === 0 ? 'cyclic' : 'zeros';
  const limit = mode === 'cyclic' ? shape[axis] : 4;
  const before = rng.int(limit + 1);
  const after = index % 5 === 0 ? 0 : rng.int(limit + 1);
  const n = shape.reduce((p, d) => p * d, 1);
  return { shape, axis, before: before + after === 0 ? 1 : before, after, mode, x: randomData(rng, n) };
}

/** The padded tensor on the host, straight from the definition. */
function reference(c: PadCase, x: ArrayLike<number>): Float64Array {
  const outer = c.shape.slice(0, c.axis).reduce((p, d) => p * d, 1);
  const n = c.shape[c.axis];
  const inner = c.shape.slice(c.axis + 1).reduce((p, d) => p * d, 1);
  const m = n + c.before + c.after;
  const out = new Float64Array(outer * m * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      let s = j - c.before;
      if (s < 0 || s >= n) {
        if (c.mode === 'zeros') continue;
        s = (s + n) % n;
      }
      for (let k = 0; k < inner; k++) out[(o * m + j) * inner + k] = x[(o * n + s) * inner + k];
    }
  }
  return out;
}

describe('axis padding kernels (wasm)', () => {
  it('forward equals the composite and the host reference on 30 random cases', () => {
    const rng = new Rng(441);
    for (let i = 0; i < 30; i++) {
      const c = randomCase(rng, i);
      tf.tidy(() => {
        const x = tf.tensor(c.x, c.shape);
        const fast = padAxis(x, c.axis, c.before, c.after, c.mode);
        const composite = padAxisComposite(x, c.axis, c.before, c.after, c.mode);
        expect(fast.shape).toEqual(composite.shape);
        expect(Array.from(fast.dataSync())).toEqual(Array.from(composite.dataSync()));
        expect(Array.from(fast.dataSync())).toEqual(Array.from(reference(c, c.x), Math.fround));
      });
    }
  });

  it('gradient matches central differences and the composite on 30 random cases', () => {
    const rng = new Rng(442);
    let worstFd = 0;
    let worstComposite = 0;
    for (let i = 0; i < 30; i++) {
      const c = randomCase(rng, i);
      const w = randomData(rng, reference(c, c.x).length);
      const grad = (op: typeof padAxis) => tf.tidy(() => {
        const wt = tf.tensor(w);
        return tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.reshape(op(x, c.axis, c.before, c.after, c.mode), [-1]), wt)) as tf.Scalar)(
          tf.tensor(c.x, c.shape)).dataSync() as Float32Array;
      });
      const fast = grad(padAxis);
      const v = randomData(rng, c.x.length);
      const h = 0.5;
      const loss = (sign: number) => dot(reference(c, Float64Array.from(c.x, (p, k) => p + sign * h * v[k])), w);
      const fd = (loss(1) - loss(-1)) / (2 * h);
      worstFd = Math.max(worstFd, Math.abs(dot(fast, v) - fd) / Math.max(Math.sqrt(dot(fast, fast) * dot(v, v)), 1e-6));
      worstComposite = Math.max(worstComposite, relativeError(fast, grad(padAxisComposite)));
    }
    expect(worstFd).toBeLessThan(1e-5);
    expect(worstComposite).toBeLessThan(1e-6);
  });

  it('runs one kernel each way and leaves no tensors behind', async () => {
    const x = tf.tensor4d(randomData(new Rng(443), 2 * 6 * 5 * 3), [2, 6, 5, 3]);
    const before = tf.memory().numTensors;
    const info = await tf.profile(() => {
      tf.dispose(tf.grad((t: tf.Tensor) => tf.sum(tf.square(padAxis(t, 1, 2, 2, 'cyclic'))) as tf.Scalar)(x));
      return [];
    });
    const names = info.kernels.map((k) => k.name);
    expect(names.filter((n) => n === PAD_AXIS)).toHaveLength(1);
    expect(names.filter((n) => n === PAD_AXIS_GRAD)).toHaveLength(1);
    for (const stock of ['Concat', 'SplitV', 'PadV2', 'Slice']) expect(names).not.toContain(stock);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => padAxis(x, 1, 7, 0, 'cyclic')).toThrow(/cyclic padding of 7 exceeds the axis length 6/);
    x.dispose();
  });
});
