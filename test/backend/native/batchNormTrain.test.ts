/**
 * The oneDNN addon's training-mode batch norm (+ leaky ReLU) kernels (plain C++ loops): forward against a float64
 * reference and the wasm kernel's JavaScript loops, the gradient w.r.t. x, scale and offset (through y and the batch
 * statistics) against float64 central differences and the stock-op composite's tape gradient, all served natively
 * (call counts) including an ET-sized activation; no leaked tensors; the addon's own argument checks.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BATCH_NORM_TRAIN,
  BATCH_NORM_TRAIN_GRAD,
  batchNormTrainBackward,
  batchNormTrainForward,
} from '../../../src/backend/batchNormTrain.js';
import { loadAddon } from '../../../src/backend/native/addon.js';
import { batchNormTrain, batchNormTrainComposite } from '../../../src/nn/batchNorm.js';
import { Rng } from '../../../src/util/rng.js';
import { randomData, relativeError } from '../kernelHarness.js';
import { BN_EPS, bnFiniteDifferenceError, bnGradients, bnReference, randomBnCase } from '../batchNormReference.js';
import { addonBuilt, callsOf, setUpNative } from './nativeSetup.js';

const CASES = 24;

describe.skipIf(!addonBuilt)('native training-mode batch norm kernels', () => {
  beforeAll(setUpNative);

  it(`forward matches a float64 reference on ${CASES} random cases (up to 40 channels), natively`, () => {
    const rng = new Rng(741);
    const before = callsOf(BATCH_NORM_TRAIN).native;
    for (let i = 0; i < CASES; i++) {
      const c = randomBnCase(rng, i, 40);
      const ref = bnReference(c, c.x, c.scale, c.offset);
      tf.tidy(() => {
        const r = batchNormTrain(tf.tensor(c.x, c.shape), tf.tensor1d(c.scale), tf.tensor1d(c.offset), BN_EPS, c.alpha);
        expect(r.y.shape).toEqual(c.shape);
        expect(relativeError(r.y.dataSync(), ref.y)).toBeLessThan(2e-6);
        expect(relativeError(r.mean.dataSync(), ref.mean)).toBeLessThan(2e-6);
        expect(relativeError(r.variance.dataSync(), ref.variance)).toBeLessThan(2e-6);
      });
    }
    expect(callsOf(BATCH_NORM_TRAIN).native - before).toBe(CASES);
  });

  it(`gradients match float64 central differences and the stock-op composite on ${CASES} random cases, natively`, () => {
    const rng = new Rng(742);
    const before = callsOf(BATCH_NORM_TRAIN_GRAD).native;
    let worstFd = 0;
    let worstComposite = 0;
    for (let i = 0; i < CASES; i++) {
      const c = randomBnCase(rng, i, 40);
      const fast = bnGradients(batchNormTrain, c);
      const composite = bnGradients(batchNormTrainComposite, c);
      expect(Math.abs(fast.loss - composite.loss)).toBeLessThan(1e-4 * Math.max(1, Math.abs(composite.loss)));
      worstFd = Math.max(worstFd, bnFiniteDifferenceError(rng, c, fast));
      for (const wrt of ['x', 'scale', 'offset'] as const) worstComposite = Math.max(worstComposite, relativeError(fast[wrt], composite[wrt]));
    }
    expect(worstFd).toBeLessThan(1e-4);
    expect(worstComposite).toBeLessThan(1e-4);
    expect(callsOf(BATCH_NORM_TRAIN_GRAD).native - before).toBe(CASES);
  });

  it('agrees with the wasm kernel\'s loops to float32 rounding on an ET pose-CNN-sized activation, leaving no tensors', () => {
    const rng = new Rng(743);
    const shape = [16, 16, 16, 32];
    const n = shape.reduce((p, d) => p * d, 1);
    const x = randomData(rng, n, -2, 3);
    const scale = randomData(rng, 32, 0.5, 2);
    const offset = randomData(rng, 32, -0.5, 0.5);
    const dyData = randomData(rng, n);
    const dMeanData = randomData(rng, 32);
    const dVarData = randomData(rng, 32);
    const attrs = { epsilon: 1e-5, alpha: 0.1 };
    const loops = { y: new Float32Array(n), mean: new Float32Array(32), variance: new Float32Array(32) };
    batchNormTrainForward(x, scale, offset, attrs, loops.y, loops.mean, loops.variance);
    const loopGrads = { dx: new Float32Array(n), dScale: new Float32Array(32), dOffset: new Float32Array(32) };
    batchNormTrainBackward(dyData, dMeanData, dVarData, x, loops.y, scale, loops.mean, loops.variance, attrs,
      loopGrads.dx, loopGrads.dScale, loopGrads.dOffset);

    const before = tf.memory().numTensors;
    const calls = [callsOf(BATCH_NORM_TRAIN).native, callsOf(BATCH_NORM_TRAIN_GRAD).native];
    tf.tidy(() => {
      const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAIN,
        { x: tf.tensor(x, shape), scale: tf.tensor1d(scale), offset: tf.tensor1d(offset) }, attrs) as tf.Tensor[];
      expect(relativeError(y.dataSync(), loops.y)).toBeLessThan(1e-6);
      expect(relativeError(mean.dataSync(), loops.mean)).toBeLessThan(1e-6);
      expect(relativeError(variance.dataSync(), loops.variance)).toBeLessThan(1e-6);
      const [dx, dScale, dOffset] = tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD, {
        dy: tf.tensor(dyData, shape), dMean: tf.tensor1d(dMeanData), dVariance: tf.tensor1d(dVarData),
        x: tf.tensor(x, shape), y, scale: tf.tensor1d(scale), mean, variance,
      }, attrs) as tf.Tensor[];
      expect(relativeError(dx.dataSync(), loopGrads.dx)).toBeLessThan(1e-6);
      expect(relativeError(dScale.dataSync(), loopGrads.dScale)).toBeLessThan(1e-6);
      expect(relativeError(dOffset.dataSync(), loopGrads.dOffset)).toBeLessThan(1e-6);
    });
    expect(tf.memory().numTensors).toBe(before);
    expect([callsOf(BATCH_NORM_TRAIN).native, callsOf(BATCH_NORM_TRAIN_GRAD).native]).toEqual([calls[0] + 1, calls[1] + 1]);
  });

  it('rejects buffers and geometries that do not match, naming them', () => {
    const load = loadAddon();
    if (!load.ok) throw new Error(load.reason);
    const forward = load.addon.batchNormTrain?.bind(load.addon);
    if (forward === undefined) throw new Error('this build of the addon has no batch norm: run npm run build:native');
    const f = (n: number) => new Float32Array(n);
    expect(() => forward(f(6), f(2), f(2), f(5), f(2), f(2), [3, 2], 1e-5, -1)).toThrow(/y has 5 elements, the geometry needs 6/);
    expect(() => forward(f(6), f(3), f(2), f(6), f(2), f(2), [3, 2], 1e-5, -1)).toThrow(/scale has 3 elements, the geometry needs 2/);
    expect(() => forward(f(6), f(2), f(2), f(6), f(2), f(2), [0, 2], 1e-5, -1)).toThrow(/rows and channels must be >= 1/);
    expect(() => forward(f(6), f(2), f(2), f(6), f(2), f(2), [3, 2], '1e-5' as unknown as number, -1)).toThrow(/epsilon must be a number/);
  });
});
