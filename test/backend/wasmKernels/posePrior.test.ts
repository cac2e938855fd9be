/**
 * The ET-VAE's pose log prior as wasm kernels: per-galaxy log prior of every pose group's parameters against a
 * float64 reference and the stock-op composite; gradients w.r.t. every parameter against float64 central differences
 * and the composite's tape gradient; one kernel each way, no leaked tensors.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { POSE_LOG_PRIOR, POSE_LOG_PRIOR_GRAD } from '../../../src/backend/posePrior.js';
import type { EtLayerOutput } from '../../../src/nn/equivariantTransformer.js';
import { poseLogPrior, poseLogPriorComposite } from '../../../src/train/regimes/etVaeObjective.js';
import { Rng } from '../../../src/util/rng.js';
import { dot, randomData, relativeError, setUpWasm } from '../kernelHarness.js';

beforeAll(setUpWasm);

const O = { translationPriorStd: 0.7, angleConcentration: 2.5, logScalePriorStd: 1.3 };
/** Parameter names of each group, in the order the layers' poses hold them. */
const GROUPS = { translation: ['tx', 'ty'], rotation: ['angle'], scale: ['logScale'], rotationScale: ['logScale', 'angle'] } as const;
type Group = keyof typeof GROUPS;
const LAYERS: Group[] = ['translation', 'rotation', 'scale', 'rotationScale'];

/** Float64 log prior per galaxy of `params` (one Float64Array [B] per parameter, in LAYERS order). */
function reference(params: ArrayLike<number>[], batch: number): Float64Array {
  let i0 = 0; // I₀(κ) by its series
  for (let k = 0, term = 1; k < 60; k++, term *= (O.angleConcentration / 2) ** 2 / (k * k || 1)) i0 += k === 0 ? 1 : term;
  const out = new Float64Array(batch);
  let p = 0;
  for (const group of LAYERS) {
    for (const name of GROUPS[group]) {
      const v = params[p++];
      for (let b = 0; b < batch; b++) {
        if (name === 'angle') out[b] += O.angleConcentration * Math.cos(v[b]) - Math.log(2 * Math.PI * i0);
        else {
          const s = name === 'logScale' ? O.logScalePriorStd : O.translationPriorStd;
          out[b] += -0.5 * (v[b] / s) ** 2 - 0.5 * Math.log(2 * Math.PI * s * s);
        }
      }
    }
  }
  return out;
}

function layersOf(params: tf.Tensor1D[]): EtLayerOutput[] {
  let p = 0;
  return LAYERS.map((group) => {
    const pose: Record<string, unknown> = { group };
    for (const name of GROUPS[group]) pose[name] = params[p++];
    return { pose } as unknown as EtLayerOutput;
  });
}

const PARAMS = LAYERS.reduce((n, g) => n + GROUPS[g].length, 0);

describe('pose log prior (wasm kernels)', () => {
  it('matches a float64 reference and the composite, and its gradients central differences and the composite\'s', () => {
    const rng = new Rng(771);
    let worstFd = 0;
    let worstComposite = 0;
    for (const batch of [1, 4, 16]) {
      const params = Array.from({ length: PARAMS }, () => randomData(rng, batch, -3, 3));
      const w = randomData(rng, batch);
      const run = (op: typeof poseLogPrior) => tf.tidy(() => {
        const ts = params.map((p) => tf.tensor1d(p));
        const value = op(layersOf(ts), O).dataSync() as Float32Array;
        const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(op(layersOf(xs as tf.Tensor1D[]), O), tf.tensor1d(w))) as tf.Scalar)(ts);
        return { value, grads: grads.map((g) => g.dataSync() as Float32Array) };
      });
      const fast = run(poseLogPrior);
      const composite = run(poseLogPriorComposite);
      expect(relativeError(fast.value, reference(params, batch))).toBeLessThan(1e-6);
      expect(relativeError(fast.value, composite.value)).toBeLessThan(1e-5);
      fast.grads.forEach((g, k) => {
        worstComposite = Math.max(worstComposite, relativeError(g, composite.grads[k]));
        const v = randomData(rng, batch);
        const h = 1e-6;
        const loss = (sign: number) => dot(reference(params.map((p, j) => (j === k ? Float64Array.from(p, (x, b) => x + sign * h * v[b]) : p)), batch), w);
        const fd = (loss(1) - loss(-1)) / (2 * h);
        worstFd = Math.max(worstFd, Math.abs(dot(g, v) - fd) / Math.max(Math.sqrt(dot(g, g) * dot(v, v)), 1e-6));
      });
    }
    expect(worstFd).toBeLessThan(1e-5);
    expect(worstComposite).toBeLessThan(1e-5);
  });

  it('runs one kernel each way and leaves no tensors behind', async () => {
    const params = Array.from({ length: PARAMS }, (_, k) => tf.tensor1d(randomData(new Rng(772 + k), 3, -1, 1)));
    const before = tf.memory().numTensors;
    const info = await tf.profile(() => {
      tf.dispose(tf.grads((...xs: tf.Tensor[]) => tf.sum(poseLogPrior(layersOf(xs as tf.Tensor1D[]), O)) as tf.Scalar)(params));
      return [];
    });
    const names = info.kernels.map((k) => k.name);
    expect(names.filter((n) => n === POSE_LOG_PRIOR)).toHaveLength(1);
    expect(names.filter((n) => n === POSE_LOG_PRIOR_GRAD)).toHaveLength(1);
    for (const stock of ['Cos', 'Square', 'AddN']) expect(names).not.toContain(stock);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(params);
  });
});
