/**
 * Native BatchMatMul against the tfjs cpu backend and a float64 host product: transposes, batch 1 and >1,
 * a batch of 1 broadcast against a larger batch, rank 2 and 4, and the shape that still needs the general kernel.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/util/rng.js';
import { randomData, relativeError, runKernelOn, sizeOf } from '../kernelHarness.js';
import { addonBuilt, callsOf, setUpNative } from './nativeSetup.js';

/** c[b] = op(a[b])·op(b[b]) in float64 for 3-D operands (batch of 1 broadcast). */
function hostMatMul(
  a: Float32Array, aShape: number[], b: Float32Array, bShape: number[], ta: boolean, tb: boolean,
): Float64Array {
  const [ba, ar, ac] = aShape;
  const [bb, br, bc] = bShape;
  const m = ta ? ac : ar;
  const k = ta ? ar : ac;
  const n = tb ? br : bc;
  const batch = Math.max(ba, bb);
  const out = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    const ao = (ba === 1 ? 0 : t) * ar * ac;
    const bo = (bb === 1 ? 0 : t) * br * bc;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) {
          const av = ta ? a[ao + q * ac + i] : a[ao + i * ac + q];
          const bv = tb ? b[bo + j * bc + q] : b[bo + q * bc + j];
          s += av * bv;
        }
        out[(t * m + i) * n + j] = s;
      }
  }
  return out;
}

describe.skipIf(!addonBuilt)('native BatchMatMul', () => {
  beforeAll(setUpNative);

  it('matches the cpu backend and a float64 product with every transpose and batch combination', async () => {
    const rng = new Rng(621);
    const before = callsOf('BatchMatMul');
    let runs = 0;
    for (const [ba, bb] of [[1, 1], [3, 3], [1, 4], [4, 1]]) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const m = 1 + rng.int(9);
          const k = 1 + rng.int(40);
          const n = 1 + rng.int(9);
          const aShape = [ba, ...(ta ? [k, m] : [m, k])];
          const bShape = [bb, ...(tb ? [n, k] : [k, n])];
          const a = randomData(rng, sizeOf(aShape));
          const b = randomData(rng, sizeOf(bShape));
          const inputs = { a: { shape: aShape, data: a }, b: { shape: bShape, data: b } };
          const attrs = { transposeA: ta, transposeB: tb };
          const native = await runKernelOn('wasm', 'BatchMatMul', inputs, attrs);
          const cpu = await runKernelOn('cpu', 'BatchMatMul', inputs, attrs);
          expect(native.shape).toEqual([Math.max(ba, bb), m, n]);
          expect(relativeError(native.data, cpu.data)).toBeLessThan(1e-5);
          expect(relativeError(native.data, hostMatMul(a, aShape, b, bShape, ta, tb))).toBeLessThan(1e-5);
          runs++;
        }
      }
    }
    expect(callsOf('BatchMatMul').native - before.native).toBe(runs);
  });

  it('keeps rank-2 and rank-4 shapes', async () => {
    const rng = new Rng(622);
    for (const [aShape, bShape, outShape] of [
      [[5, 7], [7, 3], [5, 3]],
      [[2, 3, 4, 5], [2, 3, 5, 6], [2, 3, 4, 6]],
      [[2, 3, 4, 5], [5, 6], [2, 3, 4, 6]],
    ]) {
      const inputs = {
        a: { shape: aShape, data: randomData(rng, sizeOf(aShape)) },
        b: { shape: bShape, data: randomData(rng, sizeOf(bShape)) },
      };
      const attrs = { transposeA: false, transposeB: false };
      const native = await runKernelOn('wasm', 'BatchMatMul', inputs, attrs);
      const cpu = await runKernelOn('cpu', 'BatchMatMul', inputs, attrs);
      expect(native.shape).toEqual(outShape);
      expect(relativeError(native.data, cpu.data)).toBeLessThan(1e-5);
    }
  });

  it('sends batch shapes that broadcast inside the batch ([3,1] against [3]) to the previous kernel', async () => {
    const rng = new Rng(623);
    const aShape = [3, 1, 2, 4];
    const bShape = [3, 4, 2];
    const inputs = {
      a: { shape: aShape, data: randomData(rng, sizeOf(aShape)) },
      b: { shape: bShape, data: randomData(rng, sizeOf(bShape)) },
    };
    const before = callsOf('BatchMatMul');
    const attrs = { transposeA: false, transposeB: false };
    const out = await runKernelOn('wasm', 'BatchMatMul', inputs, attrs);
    expect(out.shape).toEqual([3, 3, 2, 2]);
    expect(callsOf('BatchMatMul').fallback - before.fallback).toBe(1);
  });
});
