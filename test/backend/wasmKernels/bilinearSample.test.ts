/**
 * galmorph's bilinear sampler kernels on wasm (the host loops over heap views): forward against a float64 reference
 * and against the composite sampler made of stock tfjs ops; both gradients against float64 central differences and
 * against the composite's tape gradients; the engine calling only the gradient somebody needs; no leaks.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BILINEAR_SAMPLE, BILINEAR_SAMPLE_GRAD_GRID, BILINEAR_SAMPLE_GRAD_IMAGE } from '../../../src/backend/bilinearSampler.js';
import { bilinearSample, bilinearSampleComposite, hasSamplerKernels } from '../../../src/nn/resample.js';
import { Rng } from '../../../src/util/rng.js';
import { dot, randomData, relativeError, setUpWasm } from '../kernelHarness.js';
import { directionalDifference, randomSamplerCase, referenceSample, type SamplerCase } from '../samplerReference.js';

const CASES = 30;

beforeAll(setUpWasm);

function tensors(c: SamplerCase): [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D] {
  return [
    tf.tensor4d(c.image, c.imageShape),
    tf.tensor4d(c.grid, c.gridShape),
    tf.tensor4d(c.weights, [c.imageShape[0], c.gridShape[1], c.gridShape[2], c.imageShape[3]]),
  ];
}

/** Gradients of L = Σ w · sample w.r.t. image and grid with the given sampler, as host arrays. */
function gradients(sample: typeof bilinearSample, c: SamplerCase): { image: Float32Array; grid: Float32Array } {
  return tf.tidy(() => {
    const [image, grid, w] = tensors(c);
    const [dImage, dGrid] = tf.grads((x: tf.Tensor, g: tf.Tensor) =>
      tf.sum(tf.mul(sample(x as tf.Tensor4D, g as tf.Tensor4D), w)) as tf.Scalar)([image, grid]);
    return { image: dImage.dataSync() as Float32Array, grid: dGrid.dataSync() as Float32Array };
  });
}

function kernelsRunBy(body: () => void): Promise<string[]> {
  return tf.profile(() => {
    body();
    return [];
  }).then((info) => info.kernels.map((k) => k.name));
}

describe('bilinear sampler kernels (wasm)', () => {
  it('are registered and used by bilinearSample', () => {
    expect(hasSamplerKernels()).toBe(true);
  });

  it(`forward matches a float64 reference and the composite sampler on ${CASES} random cases`, () => {
    const rng = new Rng(901);
    let worstReference = 0;
    let worstComposite = 0;
    for (let i = 0; i < CASES; i++) {
      const c = randomSamplerCase(rng, i, 0);
      tf.tidy(() => {
        const [image, grid] = tensors(c);
        const fast = bilinearSample(image, grid);
        expect(fast.shape).toEqual([c.imageShape[0], c.gridShape[1], c.gridShape[2], c.imageShape[3]]);
        const composite = bilinearSampleComposite(image, grid).dataSync();
        worstReference = Math.max(worstReference, relativeError(fast.dataSync(), referenceSample(c, c.image, c.grid)));
        worstComposite = Math.max(worstComposite, relativeError(fast.dataSync(), composite));
      });
    }
    expect(worstReference).toBeLessThan(1e-6);
    expect(worstComposite).toBeLessThan(1e-6);
  });

  it('reads pixel centres exactly, blends between them and reads zeros outside (hand-checked)', () => {
    tf.tidy(() => {
      const image = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]); // rows [1 2 3], [4 5 6]
      // (col 0, row 0) = 1; (col 2, row 1) = 6; (col 1.5, row 0.5) = mean(2, 3, 5, 6) = 4;
      // (col −0.5, row 0) = 0.5 · 0 (outside) + 0.5 · 1 = 0.5
      const grid = tf.tensor4d([-1, -1, 1, 1, 0.5, 0, -1.5, -1], [1, 1, 4, 2]);
      expect(Array.from(bilinearSample(image, grid).dataSync())).toEqual([1, 6, 4, 0.5].map((v) => expect.closeTo(v, 6)));
    });
  });

  it('samples NaN at a non-finite coordinate instead of hiding it', () => {
    tf.tidy(() => {
      const out = bilinearSample(tf.ones([1, 3, 3, 1]), tf.tensor4d([NaN, 0, 0, Infinity, 5, 5], [1, 1, 3, 2]));
      const values = Array.from(out.dataSync());
      expect(values.slice(0, 2).every(Number.isNaN)).toBe(true);
      expect(values[2]).toBe(0);
    });
  });

  it(`gradients match float64 central differences and the composite sampler on ${CASES} random cases`, () => {
    const rng = new Rng(902);
    let worstFd = 0;
    let worstComposite = 0;
    for (let i = 0; i < CASES; i++) {
      const c = randomSamplerCase(rng, i);
      const fast = gradients(bilinearSample, c);
      const composite = gradients(bilinearSampleComposite, c);
      for (const wrt of ['image', 'grid'] as const) {
        const analytic = fast[wrt];
        // Along a random direction v: ⟨∇L, v⟩ = the central difference (exact for L bilinear within a pixel cell).
        const v = randomData(rng, analytic.length);
        const fd = directionalDifference(c, wrt, v, 1e-3);
        const scale = Math.max(Math.sqrt(dot(analytic, analytic) * dot(v, v)), 1e-6);
        worstFd = Math.max(worstFd, Math.abs(dot(analytic, v) - fd) / scale);
        worstComposite = Math.max(worstComposite, relativeError(analytic, composite[wrt]));
      }
    }
    expect(worstFd).toBeLessThan(1e-5);
    expect(worstComposite).toBeLessThan(1e-5);
  });

  it('sums the gradient of a shared (batch-1) grid over the images', () => {
    const c = randomSamplerCase(new Rng(903), 0);
    const perImage = { ...c, gridShape: [c.imageShape[0], ...c.gridShape.slice(1)] as SamplerCase['gridShape'] };
    perImage.grid = new Float32Array(c.imageShape[0] * c.grid.length);
    for (let b = 0; b < c.imageShape[0]; b++) perImage.grid.set(c.grid, b * c.grid.length);
    const shared = gradients(bilinearSample, c).grid;
    const tiled = gradients(bilinearSample, perImage).grid;
    const summed = new Float64Array(c.grid.length);
    tiled.forEach((g, i) => (summed[i % c.grid.length] += g));
    expect(relativeError(shared, summed)).toBeLessThan(1e-6);
  });

  it('builds only the gradients somebody needs: none for a constant image, none for a constant grid', async () => {
    const c = randomSamplerCase(new Rng(904), 1);
    const [image, grid, w] = tensors(c);
    const loss = (x: tf.Tensor4D, g: tf.Tensor4D) => tf.sum(tf.mul(bilinearSample(x, g), w)) as tf.Scalar;
    const wrtGrid = await kernelsRunBy(() => tf.dispose(tf.grad((g: tf.Tensor) => loss(image, g as tf.Tensor4D))(grid)));
    const wrtImage = await kernelsRunBy(() => tf.dispose(tf.grad((x: tf.Tensor) => loss(x as tf.Tensor4D, grid))(image)));
    const wrtBoth = await kernelsRunBy(() => tf.dispose(tf.grads((x: tf.Tensor, g: tf.Tensor) => loss(x as tf.Tensor4D, g as tf.Tensor4D))([image, grid])));
    expect(wrtGrid).toContain(BILINEAR_SAMPLE_GRAD_GRID);
    expect(wrtGrid).not.toContain(BILINEAR_SAMPLE_GRAD_IMAGE);
    expect(wrtImage).toContain(BILINEAR_SAMPLE_GRAD_IMAGE);
    expect(wrtImage).not.toContain(BILINEAR_SAMPLE_GRAD_GRID);
    expect(wrtBoth).toEqual(expect.arrayContaining([BILINEAR_SAMPLE, BILINEAR_SAMPLE_GRAD_IMAGE, BILINEAR_SAMPLE_GRAD_GRID]));
    tf.dispose([image, grid, w]);
  });

  it('a forward and backward pass leaves no tensors behind', () => {
    const c = randomSamplerCase(new Rng(905), 1);
    const [image, grid, w] = tensors(c);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) {
      tf.tidy(() => {
        const { grads } = tf.valueAndGrads((x: tf.Tensor, g: tf.Tensor) =>
          tf.sum(tf.mul(bilinearSample(x as tf.Tensor4D, g as tf.Tensor4D), w)) as tf.Scalar)([image, grid]);
        grads.forEach((t) => t.dataSync());
      });
      expect(tf.memory().numTensors).toBe(before);
    }
    tf.dispose([image, grid, w]);
  });

  it('is the kernel the engine runs for the op', async () => {
    const names = await kernelsRunBy(() => tf.dispose(bilinearSample(tf.ones([1, 2, 2, 1]), tf.zeros([1, 1, 1, 2]))));
    expect(names).toContain(BILINEAR_SAMPLE);
    expect(names).not.toContain('GatherV2');
  });
});
