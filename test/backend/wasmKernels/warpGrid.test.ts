/**
 * galmorph's affine grid-warp kernels on wasm: forward equal (bit for bit) to the composite of stock tfjs ops, both
 * gradients against float64 central differences and the composite's tape gradients, only the needed gradient built,
 * no leaks.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { WARP_GRID, WARP_GRID_GRAD_GRID, WARP_GRID_GRAD_TRANSFORM } from '../../../src/backend/affineWarp.js';
import { warpGrid, warpGridComposite } from '../../../src/nn/transformMatrix.js';
import { Rng } from '../../../src/util/rng.js';
import { dot, randomData, relativeError, setUpWasm } from '../kernelHarness.js';

beforeAll(setUpWasm);

interface WarpCase {
  gridShape: [number, number, number, number];
  transformShape: [number, number, number];
  grid: Float32Array;
  transform: Float32Array;
  weights: Float32Array;
}

function randomCase(rng: Rng, index: number): WarpCase {
  const B = 1 + rng.int(4);
  const G = index % 2 === 0 ? 1 : B;
  const H = 1 + rng.int(5);
  const W = 1 + rng.int(5);
  return {
    gridShape: [G, H, W, 2],
    transformShape: [B, 3, 3],
    grid: randomData(rng, G * H * W * 2, -1.5, 1.5),
    transform: randomData(rng, B * 9, -2, 2),
    weights: randomData(rng, B * H * W * 2),
  };
}

/** L = Σ w · warp(grid, M) in float64, straight from the definition. */
function referenceLoss(c: WarpCase, grid: ArrayLike<number>, m: ArrayLike<number>): number {
  const [G, H, W] = c.gridShape;
  const B = c.transformShape[0];
  let s = 0;
  for (let b = 0; b < B; b++) {
    for (let p = 0; p < H * W; p++) {
      const q = ((G === 1 ? 0 : b) * H * W + p) * 2;
      const [x, y] = [grid[q], grid[q + 1]];
      const o = (b * H * W + p) * 2;
      s += c.weights[o] * (m[9 * b] * x + m[9 * b + 1] * y + m[9 * b + 2]);
      s += c.weights[o + 1] * (m[9 * b + 3] * x + m[9 * b + 4] * y + m[9 * b + 5]);
    }
  }
  return s;
}

function gradients(warp: typeof warpGrid, c: WarpCase): { grid: Float32Array; transform: Float32Array } {
  return tf.tidy(() => {
    const w = tf.tensor4d(c.weights, [c.transformShape[0], c.gridShape[1], c.gridShape[2], 2]);
    const [dGrid, dM] = tf.grads((g: tf.Tensor, m: tf.Tensor) => tf.sum(tf.mul(warp(g as tf.Tensor4D, m as tf.Tensor3D), w)) as tf.Scalar)(
      [tf.tensor4d(c.grid, c.gridShape), tf.tensor3d(c.transform, c.transformShape)]);
    return { grid: dGrid.dataSync() as Float32Array, transform: dM.dataSync() as Float32Array };
  });
}

describe('affine grid-warp kernels (wasm)', () => {
  it('forward equals the composite bit for bit on 20 random cases', () => {
    const rng = new Rng(921);
    for (let i = 0; i < 20; i++) {
      const c = randomCase(rng, i);
      tf.tidy(() => {
        const grid = tf.tensor4d(c.grid, c.gridShape);
        const m = tf.tensor3d(c.transform, c.transformShape);
        const fast = warpGrid(grid, m);
        expect(fast.shape).toEqual([c.transformShape[0], c.gridShape[1], c.gridShape[2], 2]);
        expect(Array.from(fast.dataSync())).toEqual(Array.from(warpGridComposite(grid, m).dataSync()));
      });
    }
  });

  it('gradients match float64 central differences and the composite on 20 random cases', () => {
    const rng = new Rng(922);
    let worstFd = 0;
    let worstComposite = 0;
    for (let i = 0; i < 20; i++) {
      const c = randomCase(rng, i);
      const fast = gradients(warpGrid, c);
      const composite = gradients(warpGridComposite, c);
      for (const wrt of ['grid', 'transform'] as const) {
        const analytic = fast[wrt];
        const v = randomData(rng, analytic.length);
        const h = 0.5; // L is linear in each argument: the central difference is exact up to rounding
        const shifted = (sign: number) => {
          const p = Float64Array.from(wrt === 'grid' ? c.grid : c.transform, (x, k) => x + sign * h * v[k]);
          return wrt === 'grid' ? referenceLoss(c, p, c.transform) : referenceLoss(c, c.grid, p);
        };
        const fd = (shifted(1) - shifted(-1)) / (2 * h);
        const scale = Math.max(Math.sqrt(dot(analytic, analytic) * dot(v, v)), 1e-6);
        worstFd = Math.max(worstFd, Math.abs(dot(analytic, v) - fd) / scale);
        worstComposite = Math.max(worstComposite, relativeError(analytic, composite[wrt]));
      }
    }
    expect(worstFd).toBeLessThan(1e-5);
    expect(worstComposite).toBeLessThan(1e-5);
  });

  it('builds only the transform gradient for a constant grid, and leaves no tensors behind', async () => {
    const c = randomCase(new Rng(923), 0);
    const grid = tf.tensor4d(c.grid, c.gridShape);
    const m = tf.tensor3d(c.transform, c.transformShape);
    const before = tf.memory().numTensors;
    const info = await tf.profile(() => {
      tf.dispose(tf.grad((t: tf.Tensor) => tf.sum(tf.square(warpGrid(grid, t as tf.Tensor3D))) as tf.Scalar)(m));
      return [];
    });
    const names = info.kernels.map((k) => k.name);
    expect(names).toContain(WARP_GRID);
    expect(names).toContain(WARP_GRID_GRAD_TRANSFORM);
    expect(names).not.toContain(WARP_GRID_GRAD_GRID);
    expect(names).not.toContain('Unpack');
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([grid, m]);
  });
});
