/**
 * galmorph's soft-argmax kernels (the pose readout's softmax → θ) on wasm: forward against a float64 reference and
 * the stock-op composite, the gradient w.r.t. the logits and the bias — through the value and the heatmap — against
 * float64 central differences and the composite's tape gradient, periodic and not; no leaked tensors.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SOFT_ARGMAX, SOFT_ARGMAX_GRAD } from '../../../src/backend/softArgmax.js';
import { softArgmax, softArgmaxComposite } from '../../../src/nn/poseReadout.js';
import { Rng } from '../../../src/util/rng.js';
import { dot, randomData, relativeError, setUpWasm } from '../kernelHarness.js';

beforeAll(setUpWasm);

interface Case {
  batch: number;
  n: number;
  step: number;
  periodic: boolean;
  logits: Float32Array;
  bias: number;
  wv: Float32Array;
  wh: Float32Array;
}

function randomCase(rng: Rng, index: number): Case {
  const batch = 1 + rng.int(5);
  const n = 2 + rng.int(9);
  const periodic = index % 2 === 0;
  return {
    batch, n, periodic,
    step: periodic ? 2 / n : rng.range(0.05, 0.5),
    logits: randomData(rng, batch * n, -3, 3),
    bias: rng.range(-1, 1),
    wv: randomData(rng, batch),
    wh: randomData(rng, batch * n),
  };
}

/** Float64 reference: value [B] and heatmap [B, n]. */
function reference(c: Case, logits: ArrayLike<number>, bias: number) {
  const value = new Float64Array(c.batch);
  const heatmap = new Float64Array(c.batch * c.n);
  const r = Array.from({ length: c.n }, (_, j) => j * c.step - ((c.n - 1) * c.step) / 2);
  for (let b = 0; b < c.batch; b++) {
    const row = Array.from({ length: c.n }, (_, j) => logits[b * c.n + j]);
    const max = Math.max(...row);
    const e = row.map((l) => Math.exp(l - max));
    const total = e.reduce((p, v) => p + v, 0);
    const h = e.map((v) => v / total);
    h.forEach((v, j) => { heatmap[b * c.n + j] = v; });
    const centre = c.periodic
      ? Math.atan2(dot(h, r.map((p) => Math.sin(Math.PI * p))), dot(h, r.map((p) => Math.cos(Math.PI * p)))) / Math.PI
      : dot(h, r);
    value[b] = centre + Math.tanh(bias);
  }
  return { value, heatmap };
}

function loss(c: Case, logits: ArrayLike<number>, bias: number): number {
  const r = reference(c, logits, bias);
  return dot(r.value, c.wv) + dot(r.heatmap, c.wh);
}

function gradients(op: typeof softArgmax, c: Case) {
  return tf.tidy(() => {
    const f = (l: tf.Tensor, b: tf.Tensor) => {
      const r = op(l as tf.Tensor2D, b, c.step, c.periodic);
      return tf.add(tf.sum(tf.mul(r.value, tf.tensor1d(c.wv))), tf.sum(tf.mul(r.heatmap, tf.tensor2d(c.wh, [c.batch, c.n])))) as tf.Scalar;
    };
    const [dl, db] = tf.grads(f)([tf.tensor2d(c.logits, [c.batch, c.n]), tf.scalar(c.bias)]);
    return { logits: dl.dataSync() as Float32Array, bias: db.dataSync()[0] };
  });
}

describe('soft-argmax kernels (wasm)', () => {
  it('forward matches a float64 reference and the composite on 24 random cases', () => {
    const rng = new Rng(811);
    for (let i = 0; i < 24; i++) {
      const c = randomCase(rng, i);
      const ref = reference(c, c.logits, c.bias);
      tf.tidy(() => {
        const logits = tf.tensor2d(c.logits, [c.batch, c.n]);
        const bias = tf.scalar(c.bias);
        const fast = softArgmax(logits, bias, c.step, c.periodic);
        const composite = softArgmaxComposite(logits, bias, c.step, c.periodic);
        expect(relativeError(fast.value.dataSync(), ref.value)).toBeLessThan(1e-5);
        expect(relativeError(fast.heatmap.dataSync(), ref.heatmap)).toBeLessThan(1e-6);
        expect(relativeError(fast.value.dataSync(), composite.value.dataSync())).toBeLessThan(1e-5);
      });
    }
  });

  it('gradients match float64 central differences and the composite on 24 random cases', () => {
    const rng = new Rng(812);
    let worstFd = 0;
    let worstComposite = 0;
    for (let i = 0; i < 24; i++) {
      const c = randomCase(rng, i);
      const fast = gradients(softArgmax, c);
      const composite = gradients(softArgmaxComposite, c);
      const v = randomData(rng, c.logits.length);
      const h = 1e-6;
      const fdLogits = (loss(c, Float64Array.from(c.logits, (p, k) => p + h * v[k]), c.bias)
        - loss(c, Float64Array.from(c.logits, (p, k) => p - h * v[k]), c.bias)) / (2 * h);
      worstFd = Math.max(worstFd, Math.abs(dot(fast.logits, v) - fdLogits) / Math.max(Math.sqrt(dot(fast.logits, fast.logits) * dot(v, v)), 1e-6));
      const fdBias = (loss(c, c.logits, c.bias + h) - loss(c, c.logits, c.bias - h)) / (2 * h);
      worstFd = Math.max(worstFd, Math.abs(fast.bias - fdBias) / Math.max(Math.abs(fdBias), 1e-3));
      worstComposite = Math.max(worstComposite, relativeError(fast.logits, composite.logits), Math.abs(fast.bias - composite.bias) / Math.max(Math.abs(composite.bias), 1e-3));
    }
    expect(worstFd).toBeLessThan(1e-4);
    expect(worstComposite).toBeLessThan(1e-4);
  });

  it('runs one kernel each way and leaves no tensors behind', async () => {
    const c = randomCase(new Rng(813), 0);
    const logits = tf.tensor2d(c.logits, [c.batch, c.n]);
    const bias = tf.scalar(c.bias);
    const before = tf.memory().numTensors;
    const info = await tf.profile(() => {
      tf.dispose(tf.grads((l: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(softArgmax(l as tf.Tensor2D, b, c.step, c.periodic).value)) as tf.Scalar)([logits, bias]));
      return [];
    });
    const names = info.kernels.map((k) => k.name);
    expect(names.filter((n) => n === SOFT_ARGMAX)).toHaveLength(1);
    expect(names.filter((n) => n === SOFT_ARGMAX_GRAD)).toHaveLength(1);
    for (const stock of ['Softmax', 'Atan2', 'BatchMatMul', 'Tanh']) expect(names).not.toContain(stock);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([logits, bias]);
  });
});
