import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/util/rng.js';
import { randomData, relativeError, runKernelOn, setUpWasm } from '../kernelHarness.js';

describe('Sum on wasm', () => {
  beforeAll(setUpWasm);

  it('matches a float64 host sum for leading, inner and mixed axes, with and without keepDims (15 cases)', async () => {
    const rng = new Rng(51);
    const axesChoices = [[0], [0, 1], [0, 1, 2], [1], [2], [0, 2], [-1]];
    for (let n = 0; n < 15; n++) {
      const shape = [1 + rng.int(6), 1 + rng.int(5), 1 + rng.int(4), 1 + rng.int(4)];
      const axis = axesChoices[n % axesChoices.length];
      const keepDims = n % 2 === 1;
      const data = randomData(rng, shape.reduce((p, d) => p * d, 1));
      const wasm = await runKernelOn('wasm', tf.Sum, { x: { shape, data } }, { axis, keepDims });
      const cpu = await runKernelOn('cpu', tf.Sum, { x: { shape, data } }, { axis, keepDims });
      expect(wasm.shape, JSON.stringify({ shape, axis })).toEqual(cpu.shape);
      expect(relativeError(wasm.data, cpu.data), JSON.stringify({ shape, axis })).toBeLessThan(1e-5);
    }
  });

  it('sums a bias gradient of a large batch accurately', async () => {
    const rng = new Rng(52);
    const shape = [8, 32, 32, 16];
    const data = randomData(rng, 8 * 32 * 32 * 16, 0, 1);
    const wasm = await runKernelOn('wasm', tf.Sum, { x: { shape, data } }, { axis: [0, 1, 2], keepDims: false });
    const expected = new Float64Array(16);
    for (let i = 0; i < data.length; i++) expected[i % 16] += data[i];
    expect(wasm.shape).toEqual([16]);
    expect(relativeError(wasm.data, expected)).toBeLessThan(1e-5);
  });
});
