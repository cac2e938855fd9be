import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { vadeLatentTerm } from '../../src/losses/vadeLatentTerm.js';
import { vadeResponsibilities } from '../../src/losses/vadeResponsibilities.js';
import type { VadeClusterParameters } from '../../src/losses/vadeClusterGaussians.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const MU = [
  [0.2, -1.0],
  [2.5, 0.3],
  [-1.5, -0.4],
];
const LOGVAR = [
  [-1, 0.2],
  [0.5, -0.3],
  [0, 0],
];
const PI_LOGITS = [0.3, -0.2];
const CMEANS = [
  [0, -1],
  [2, 1],
];
const CLOGVARS = [
  [-0.5, 0.1],
  [0.3, -0.8],
];
const FLOOR = 1e-6;

/** The §6 formulas written out with loops in float64 (independent of the tensor code). */
function reference(scale: number): { gamma: number[][]; latent: number[] } {
  const logZ = Math.log(PI_LOGITS.reduce((s, z) => s + Math.exp(z), 0));
  const logPi = PI_LOGITS.map((z) => z - logZ);
  const varOf = (k: number, j: number) => Math.exp(CLOGVARS[k][j]) + FLOOR;
  const s = MU.map((m) =>
    CMEANS.map((c, k) => {
      let logN = 0;
      for (let j = 0; j < 2; j++) logN += -0.5 * (Math.log(2 * Math.PI) + Math.log(varOf(k, j)) + (m[j] - c[j]) ** 2 / varOf(k, j));
      return -(logN + logPi[k]);
    }),
  );
  const flat = s.flat();
  const lo = Math.min(...flat);
  const hi = Math.max(...flat);
  const gamma = s.map((row) => {
    const scaled = row.map((v) => (-scale * (v - lo)) / (hi - lo + 1e-12));
    const total = scaled.reduce((a, v) => a + Math.exp(v), 0);
    return scaled.map((v) => Math.exp(v) / total);
  });
  const latent = MU.map((m, b) => {
    let value = 0;
    CMEANS.forEach((c, k) => {
      let cross = 0;
      for (let j = 0; j < 2; j++) {
        cross += 0.5 * (Math.log(2 * Math.PI) + Math.log(varOf(k, j)) + (Math.exp(LOGVAR[b][j]) + (m[j] - c[j]) ** 2) / varOf(k, j));
      }
      value += gamma[b][k] * (cross - logPi[k] + Math.log(gamma[b][k]));
    });
    for (let j = 0; j < 2; j++) value -= 0.5 * (1 + Math.log(2 * Math.PI) + LOGVAR[b][j]);
    return value;
  });
  return { gamma, latent };
}

function clusters(): VadeClusterParameters {
  return { weightLogits: tf.tensor1d(PI_LOGITS), means: tf.tensor2d(CMEANS), logVariances: tf.tensor2d(CLOGVARS) };
}

describe('vadeResponsibilities', () => {
  it('matches the min-max scaled softmax of the float64 reference, rows sum to 1', () => {
    const c = clusters();
    const gamma = vadeResponsibilities(tf.tensor2d(MU), c, { scale: 20, varianceFloor: FLOOR });
    const got = gamma.arraySync();
    reference(20).gamma.forEach((row, b) =>
      row.forEach((g, k) => expect(Math.abs(got[b][k] - g), `b ${b} k ${k}`).toBeLessThan(1e-5)),
    );
    got.forEach((row) => expect(row[0] + row[1]).toBeCloseTo(1, 6));
    tf.dispose([gamma, c.weightLogits, c.means, c.logVariances]);
  });

  it('stays finite when latent points are very far from every cluster', () => {
    const c = clusters();
    const gamma = vadeResponsibilities(tf.tensor2d([[1e4, -1e4]]), c);
    expect(Array.from(gamma.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([gamma, c.weightLogits, c.means, c.logVariances]);
  });

  it('rejects mismatched cluster shapes with a message', () => {
    const c = clusters();
    expect(() => vadeResponsibilities(tf.tensor2d([[1, 2, 3]]), c)).toThrow(/expected weightLogits \[K\], means \[K, J\].*\[1, 3\]/);
    tf.dispose([c.weightLogits, c.means, c.logVariances]);
  });
});

describe('vadeLatentTerm', () => {
  it('matches the float64 per-sample latent −ELBO', () => {
    const c = clusters();
    const gamma = vadeResponsibilities(tf.tensor2d(MU), c, { varianceFloor: FLOOR });
    const term = vadeLatentTerm(tf.tensor2d(MU), tf.tensor2d(LOGVAR), c, gamma, { varianceFloor: FLOOR });
    const got = Array.from(term.dataSync());
    reference(20).latent.forEach((v, b) => expect(Math.abs(got[b] - v)).toBeLessThan(1e-4 * Math.max(1, Math.abs(v))));
    tf.dispose([gamma, term, c.weightLogits, c.means, c.logVariances]);
  });

  it('reduces to KL(q ‖ N(0, I)) with one cluster at N(0, I)', () => {
    const one: VadeClusterParameters = {
      weightLogits: tf.tensor1d([0]),
      means: tf.zeros([1, 2]),
      logVariances: tf.zeros([1, 2]),
    };
    const term = vadeLatentTerm(tf.tensor2d(MU), tf.tensor2d(LOGVAR), one, tf.ones([3, 1]), { varianceFloor: 0 });
    const got = Array.from(term.dataSync());
    MU.forEach((m, b) => {
      const kl = m.reduce((s, mj, j) => s + 0.5 * (mj * mj + Math.exp(LOGVAR[b][j]) - 1 - LOGVAR[b][j]), 0);
      expect(got[b]).toBeCloseTo(kl, 5);
    });
    tf.dispose([term, one.weightLogits, one.means, one.logVariances]);
  });

  it('has latent-mean gradients (γ held fixed) equal to finite differences', () => {
    const c = clusters();
    const gamma = tf.tensor2d(reference(20).gamma);
    const grad = tf.grad((m: tf.Tensor) => tf.sum(vadeLatentTerm(m as tf.Tensor2D, tf.tensor2d(LOGVAR), c, gamma, { varianceFloor: FLOOR })))(
      tf.tensor2d(MU),
    );
    const g = grad.arraySync() as number[][];
    const gammaRef = reference(20).gamma;
    // ∂/∂μ̃_bj = Σ_k γ_bk (μ̃_bj − μ_kj)/σ²_kj, by finite differences of the quadratic term.
    const f = (b: number, j: number, x: number) =>
      CMEANS.reduce((s, cm, k) => s + gammaRef[b][k] * 0.5 * ((x - cm[j]) ** 2 / (Math.exp(CLOGVARS[k][j]) + FLOOR)), 0);
    MU.forEach((m, b) =>
      m.forEach((x, j) => expect(g[b][j]).toBeCloseTo((f(b, j, x + 1e-5) - f(b, j, x - 1e-5)) / 2e-5, 3)),
    );
    tf.dispose([gamma, grad, c.weightLogits, c.means, c.logVariances]);
  });

  it('rejects responsibilities of the wrong shape and leaks no tensors', () => {
    const c = clusters();
    const mu = tf.tensor2d(MU);
    const lv = tf.tensor2d(LOGVAR);
    const bad = tf.ones([3, 3]);
    expect(() => vadeLatentTerm(mu, lv, c, bad as tf.Tensor2D)).toThrow(/responsibilities shape \[3, 3\], expected \[3, 2\]/);
    const before = tf.memory().numTensors;
    tf.tidy(() => vadeLatentTerm(mu, lv, c, vadeResponsibilities(mu, c))).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([mu, lv, bad, c.weightLogits, c.means, c.logVariances]);
  });
});
