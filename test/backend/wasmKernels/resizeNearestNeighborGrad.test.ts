import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/util/rng.js';
import { randomData, relativeError, runKernelOn, setUpWasm } from '../kernelHarness.js';

/** The gradient of nearest up-sampling, straight from the forward map (the cpu kernel is wrong for batch > 1). */
function hostNearestGrad(dy: Float32Array, [b, H, W, c]: number[], h: number, w: number): Float64Array {
  const dx = new Float64Array(b * h * w * c);
  for (let n = 0; n < b; n++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const sy = Math.min(h - 1, Math.floor((y * h) / H));
        const sx = Math.min(w - 1, Math.floor((x * w) / W));
        for (let k = 0; k < c; k++) dx[((n * h + sy) * w + sx) * c + k] += dy[((n * H + y) * W + x) * c + k];
      }
  return dx;
}

describe('ResizeNearestNeighborGrad on wasm', () => {
  beforeAll(setUpWasm);

  it('matches the forward map for integer factors, batch 1 and > 1, halfPixelCenters on and off', async () => {
    const rng = new Rng(61);
    for (let n = 0; n < 12; n++) {
      const b = n % 2 === 0 ? 1 : 2 + rng.int(2);
      const h = 1 + rng.int(5);
      const w = 1 + rng.int(5);
      const [fy, fx] = [[2, 2], [3, 3], [2, 1], [1, 4]][n % 4];
      const c = 1 + rng.int(3);
      const dyShape = [b, h * fy, w * fx, c];
      const dy = randomData(rng, dyShape.reduce((p, d) => p * d, 1));
      const out = await runKernelOn(
        'wasm',
        tf.ResizeNearestNeighborGrad,
        { images: { shape: [b, h, w, c], data: new Float32Array(b * h * w * c) }, dy: { shape: dyShape, data: dy } },
        { alignCorners: false, halfPixelCenters: n % 3 === 0 },
      );
      expect(out.shape).toEqual([b, h, w, c]);
      expect(relativeError(out.data, hostNearestGrad(dy, dyShape, h, w))).toBeLessThan(1e-6);
    }
  });

  it('is the gradient of tf.image.resizeNearestNeighbor through the tape', () => {
    const rng = new Rng(62);
    const x = tf.tensor4d(randomData(rng, 2 * 3 * 4 * 2), [2, 3, 4, 2]);
    const r = tf.tensor4d(randomData(rng, 2 * 6 * 8 * 2), [2, 6, 8, 2]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(t as tf.Tensor4D, [6, 8]), r)))(x);
    expect(relativeError(g.dataSync(), hostNearestGrad(r.dataSync() as Float32Array, [2, 6, 8, 2], 3, 4))).toBeLessThan(1e-6);
    tf.dispose([x, r, g]);
  });
});
