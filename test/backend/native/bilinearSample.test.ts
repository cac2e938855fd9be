/**
 * The oneDNN addon's bilinear sampler kernels (plain C++ loops): forward against a float64 reference and the
 * composite sampler of stock tfjs ops, both gradients against float64 central differences and the composite's tape
 * gradients, all served natively (call counts), and the addon's own argument checks.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BILINEAR_SAMPLE, BILINEAR_SAMPLE_GRAD_GRID, BILINEAR_SAMPLE_GRAD_IMAGE } from '../../../src/backend/bilinearSampler.js';
import { loadAddon } from '../../../src/backend/native/addon.js';
import { bilinearSample, bilinearSampleComposite } from '../../../src/nn/resample.js';
import { Rng } from '../../../src/util/rng.js';
import { dot, randomData, relativeError, runKernelOn } from '../kernelHarness.js';
import { directionalDifference, randomSamplerCase, referenceSample, type SamplerCase } from '../samplerReference.js';
import { addonBuilt, callsOf, setUpNative } from './nativeSetup.js';

const CASES = 30;

const outShape = (c: SamplerCase) => [c.imageShape[0], c.gridShape[1], c.gridShape[2], c.imageShape[3]];

describe.skipIf(!addonBuilt)('native bilinear sampler kernels', () => {
  beforeAll(setUpNative);

  it(`forward matches a float64 reference and the composite sampler on ${CASES} random cases, natively`, () => {
    const rng = new Rng(911);
    const before = callsOf(BILINEAR_SAMPLE);
    let worstReference = 0;
    let worstComposite = 0;
    for (let i = 0; i < CASES; i++) {
      const c = randomSamplerCase(rng, i, 0);
      tf.tidy(() => {
        const image = tf.tensor4d(c.image, c.imageShape);
        const grid = tf.tensor4d(c.grid, c.gridShape);
        const fast = bilinearSample(image, grid).dataSync();
        worstReference = Math.max(worstReference, relativeError(fast, referenceSample(c, c.image, c.grid)));
        worstComposite = Math.max(worstComposite, relativeError(fast, bilinearSampleComposite(image, grid).dataSync()));
      });
    }
    expect(worstReference).toBeLessThan(1e-6);
    expect(worstComposite).toBeLessThan(1e-6);
    expect(callsOf(BILINEAR_SAMPLE).native - before.native).toBe(CASES);
  });

  it(`gradients match float64 central differences and the composite sampler on ${CASES} random cases, natively`, async () => {
    const rng = new Rng(912);
    const before = [callsOf(BILINEAR_SAMPLE_GRAD_GRID).native, callsOf(BILINEAR_SAMPLE_GRAD_IMAGE).native];
    let worstFd = 0;
    let worstComposite = 0;
    for (let i = 0; i < CASES; i++) {
      const c = randomSamplerCase(rng, i);
      const dy = { shape: outShape(c), data: c.weights };
      const image = { shape: c.imageShape, data: c.image };
      const grid = { shape: c.gridShape, data: c.grid };
      const dGrid = await runKernelOn('wasm', BILINEAR_SAMPLE_GRAD_GRID, { dy, image, grid }, {});
      const dImage = await runKernelOn('wasm', BILINEAR_SAMPLE_GRAD_IMAGE, { dy, grid }, { imageShape: c.imageShape });
      expect(dGrid.shape).toEqual(c.gridShape);
      expect(dImage.shape).toEqual(c.imageShape);
      for (const [wrt, analytic] of [['grid', dGrid.data], ['image', dImage.data]] as const) {
        const v = randomData(rng, analytic.length);
        const fd = directionalDifference(c, wrt, v, 1e-3);
        const scale = Math.max(Math.sqrt(dot(analytic, analytic) * dot(v, v)), 1e-6);
        worstFd = Math.max(worstFd, Math.abs(dot(analytic, v) - fd) / scale);
      }
      // The composite sampler's tape gradient on the same backend is an independent implementation.
      const tape = tf.tidy(() => {
        const w = tf.tensor4d(c.weights, outShape(c) as [number, number, number, number]);
        const [gi, gg] = tf.grads((x: tf.Tensor, g: tf.Tensor) =>
          tf.sum(tf.mul(bilinearSampleComposite(x as tf.Tensor4D, g as tf.Tensor4D), w)) as tf.Scalar)(
          [tf.tensor4d(c.image, c.imageShape), tf.tensor4d(c.grid, c.gridShape)]);
        return { image: gi.dataSync(), grid: gg.dataSync() };
      });
      worstComposite = Math.max(worstComposite, relativeError(dImage.data, tape.image), relativeError(dGrid.data, tape.grid));
    }
    expect(worstFd).toBeLessThan(1e-5);
    expect(worstComposite).toBeLessThan(1e-5);
    expect(callsOf(BILINEAR_SAMPLE_GRAD_GRID).native - before[0]).toBe(CASES);
    expect(callsOf(BILINEAR_SAMPLE_GRAD_IMAGE).native - before[1]).toBe(CASES);
  });

  it('rejects buffers and geometries that do not match, naming them', () => {
    const load = loadAddon();
    if (!load.ok) throw new Error(load.reason);
    const sample = load.addon.bilinearSample?.bind(load.addon);
    if (sample === undefined) throw new Error('this build of the addon has no sampler: run npm run build:native');
    const image = new Float32Array(9);
    const grid = new Float32Array(4);
    expect(() => sample(image, grid, new Float32Array(3), [1, 3, 3, 1, 1, 1, 2])).toThrow(/out has 3 elements, the geometry needs 2/);
    expect(() => sample(image, grid, new Float32Array(2), [1, 3, 3, 1, 2, 1, 2])).toThrow(/grid batch 1 or the image batch/);
    expect(() => sample(new Float32Array(3), grid, new Float32Array(2), [1, 1, 3, 1, 1, 1, 2])).toThrow(/at least 2x2/);
  });
});
