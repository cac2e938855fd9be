/**
 * The ET-VAE's clipped Bernoulli reconstruction term as wasm kernels: the log-likelihood per galaxy against a float64
 * reference and the stock-op composite (probabilities inside, on and outside the clip bounds); the gradient w.r.t.
 * the probabilities against float64 central differences and the composite's tape gradient (zero outside the
 * bounds); the target's gradient (stock ops) likewise; one kernel each way, no leaked tensors; bad input.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BERNOULLI_PROB_LOG_LIK, BERNOULLI_PROB_LOG_LIK_GRAD } from '../../../src/backend/bernoulliProbabilities.js';
import {
  bernoulliLogLikelihoodFromProbabilities,
  bernoulliLogLikelihoodFromProbabilitiesComposite,
} from '../../../src/losses/bernoulliProbabilityLogLikelihood.js';
import { Rng } from '../../../src/util/rng.js';
import { dot, randomData, relativeError, setUpWasm } from '../kernelHarness.js';

beforeAll(setUpWasm);

const CLIP = 1e-3;

interface Case {
  shape: number[];
  target: Float32Array;
  p: Float32Array;
  /** Loss weights per galaxy. */
  w: Float32Array;
}

/** Float64 reference of Σ_b w_b Σ x ln p′ + (1 − x) ln(1 − p′) and the per-galaxy terms. */
function reference(c: Case, target: ArrayLike<number>, p: ArrayLike<number>): { perGalaxy: Float64Array; loss: number } {
  const batch = c.shape[0];
  const n = target.length / batch;
  const [lo, hi] = [Math.fround(CLIP), Math.fround(1 - CLIP)];
  const perGalaxy = new Float64Array(batch);
  for (let i = 0; i < target.length; i++) {
    const q = Math.min(Math.max(p[i], lo), hi);
    perGalaxy[Math.floor(i / n)] += target[i] * Math.log(q) + (1 - target[i]) * Math.log(1 - q);
  }
  return { perGalaxy, loss: dot(perGalaxy, c.w) };
}

/**
 * Random [B, H, W, C] or [B, n] cases; with `edges`, some probabilities sit outside, on and at the ends of the clip
 * bounds; without, every probability is at least 1e-3 away from a bound (for central differences).
 */
function randomCase(rng: Rng, index: number, edges: boolean): Case {
  const shape = index % 2 === 0 ? [1 + rng.int(4), 1 + rng.int(5), 1 + rng.int(5), 1 + rng.int(2)] : [1 + rng.int(5), 1 + rng.int(30)];
  const n = shape.reduce((a, d) => a * d, 1);
  const target = randomData(rng, n, 0, 1);
  if (index % 3 === 0) for (let i = 0; i < n; i += 2) target[i] = rng.uniform() < 0.5 ? 0 : 1;
  const p = Float32Array.from({ length: n }, () => {
    if (edges) {
      const r = rng.uniform();
      if (r < 0.1) return 0;
      if (r < 0.2) return 1;
      if (r < 0.3) return CLIP * rng.uniform();
      if (r < 0.35) return CLIP;
      if (r < 0.4) return 1 - CLIP;
    }
    return 2 * CLIP + (1 - 4 * CLIP) * rng.uniform();
  });
  return { shape, target, p, w: randomData(rng, shape[0]) };
}

type Op = typeof bernoulliLogLikelihoodFromProbabilities;

function gradients(op: Op, c: Case): { target: Float32Array; p: Float32Array; perGalaxy: Float32Array } {
  return tf.tidy(() => {
    const w = tf.tensor1d(c.w);
    const target = tf.tensor(c.target, c.shape);
    const p = tf.tensor(c.p, c.shape);
    const [gt, gp] = tf.grads((t: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(op(t, q, CLIP), w)) as tf.Scalar)([target, p]);
    return { target: gt.dataSync() as Float32Array, p: gp.dataSync() as Float32Array, perGalaxy: op(target, p, CLIP).dataSync() as Float32Array };
  });
}

describe('clipped Bernoulli log-likelihood from probabilities (wasm kernels)', () => {
  it('matches a float64 reference and the composite on 24 random cases, bounds and outside included', () => {
    const rng = new Rng(751);
    for (let i = 0; i < 24; i++) {
      const c = randomCase(rng, i, true);
      const ref = reference(c, c.target, c.p);
      tf.tidy(() => {
        const target = tf.tensor(c.target, c.shape);
        const p = tf.tensor(c.p, c.shape);
        const fast = bernoulliLogLikelihoodFromProbabilities(target, p, CLIP);
        expect(fast.shape).toEqual([c.shape[0]]);
        expect(relativeError(fast.dataSync(), ref.perGalaxy)).toBeLessThan(1e-6);
        expect(relativeError(fast.dataSync(), bernoulliLogLikelihoodFromProbabilitiesComposite(target, p, CLIP).dataSync())).toBeLessThan(1e-5);
      });
    }
  });

  it('gradients match float64 central differences and the composite\'s tape gradient', () => {
    const rng = new Rng(752);
    let worstFd = 0;
    let worstComposite = 0;
    for (let i = 0; i < 24; i++) {
      const smooth = randomCase(rng, i, false);
      const g = gradients(bernoulliLogLikelihoodFromProbabilities, smooth);
      for (const wrt of ['target', 'p'] as const) {
        const v = randomData(rng, g[wrt].length);
        const h = 1e-7;
        const moved = (sign: number) => {
          const shift = (base: Float32Array) => Float64Array.from(base, (x, k) => x + sign * h * v[k]);
          return reference(smooth, wrt === 'target' ? shift(smooth.target) : smooth.target, wrt === 'p' ? shift(smooth.p) : smooth.p).loss;
        };
        const fd = (moved(1) - moved(-1)) / (2 * h);
        worstFd = Math.max(worstFd, Math.abs(dot(g[wrt], v) - fd) / Math.max(Math.sqrt(dot(g[wrt], g[wrt]) * dot(v, v)), 1e-6));
      }
      // On, outside and at the ends of the bounds the kernel passes or blocks the gradient as tfjs's clip does.
      const edgy = randomCase(rng, i, true);
      const fast = gradients(bernoulliLogLikelihoodFromProbabilities, edgy);
      const composite = gradients(bernoulliLogLikelihoodFromProbabilitiesComposite, edgy);
      worstComposite = Math.max(worstComposite, relativeError(fast.p, composite.p), relativeError(fast.target, composite.target));
      const [lo, hi] = [Math.fround(CLIP), Math.fround(1 - CLIP)];
      edgy.p.forEach((p, k) => {
        if (p < lo || p > hi) expect(fast.p[k]).toBe(0);
      });
    }
    expect(worstFd).toBeLessThan(1e-5);
    expect(worstComposite).toBeLessThan(1e-5);
  });

  it('runs one kernel forward and one for the probabilities\' gradient (none for a constant target), leaving no tensors', async () => {
    const c = randomCase(new Rng(753), 0, true);
    const target = tf.tensor(c.target, c.shape);
    const p = tf.tensor(c.p, c.shape);
    const before = tf.memory().numTensors;
    const info = await tf.profile(() => {
      tf.dispose(tf.grad((q: tf.Tensor) => tf.sum(bernoulliLogLikelihoodFromProbabilities(target, q, CLIP)) as tf.Scalar)(p));
      return [];
    });
    const names = info.kernels.map((k) => k.name);
    expect(names.filter((n) => n === BERNOULLI_PROB_LOG_LIK)).toHaveLength(1);
    expect(names.filter((n) => n === BERNOULLI_PROB_LOG_LIK_GRAD)).toHaveLength(1);
    for (const stock of ['ClipByValue', 'Log', 'Log1p', 'Softplus']) expect(names).not.toContain(stock);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([target, p]);
  });

  it('rejects mismatched shapes and a clip outside (0, 0.5), saying what is expected', () => {
    tf.tidy(() => {
      expect(() => bernoulliLogLikelihoodFromProbabilities(tf.zeros([2, 3]), tf.zeros([2, 4]), CLIP)).toThrow(/target.*probabilities|shape/);
      expect(() => bernoulliLogLikelihoodFromProbabilities(tf.zeros([2, 3]), tf.zeros([2, 3]), 0.5)).toThrow(/clip must be in \(0, 0\.5\), got 0\.5/);
    });
  });
});
