/**
 * The batch-norm running-average update as a wasm kernel: against a float64 reference, bit-equal to the stock-op
 * composite, one kernel call (no stock Multiply/Add, no copies saved for a gradient) and no leaked tensors; a training
 * BatchNorm's running statistics equal with and without the kernel; bad arguments rejected with the reason.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MOVING_AVERAGE } from '../../../src/backend/movingAverage.js';
import { BatchNorm } from '../../../src/nn/batchNorm.js';
import { movingAverage, movingAverageComposite } from '../../../src/nn/movingAverage.js';
import { ParamStore } from '../../../src/nn/params.js';
import { Rng } from '../../../src/util/rng.js';
import { randomData, relativeError, setUpWasm } from '../kernelHarness.js';

beforeAll(setUpWasm);

/** Runs `f` with the kernel unregistered from wasm (so the op takes its stock-op composite). */
function withoutKernel<T>(f: () => T): T {
  const config = tf.getKernel(MOVING_AVERAGE, 'wasm');
  expect(config).toBeDefined();
  tf.unregisterKernel(MOVING_AVERAGE, 'wasm');
  try {
    return f();
  } finally {
    tf.registerKernel(config as tf.KernelConfig);
  }
}

describe('moving average (wasm kernel)', () => {
  it('matches a float64 reference and gives the composite\'s bits', () => {
    const rng = new Rng(901);
    for (const [size, momentum] of [[1, 0.9], [32, 0.9], [17, 0.99], [64, 0.1], [5, 0], [5, 1]] as const) {
      const running = randomData(rng, size, -50, 50);
      const batch = randomData(rng, size, 0, 3);
      const [fast, composite] = [movingAverage, movingAverageComposite].map((op) => tf.tidy(() =>
        op(tf.tensor1d(running), tf.tensor1d(batch), momentum).dataSync() as Float32Array));
      const reference = Float64Array.from(running, (r, i) => r * momentum + batch[i] * (1 - momentum));
      expect(relativeError(fast, reference)).toBeLessThan(1e-6);
      expect(Array.from(fast)).toEqual(Array.from(composite));
    }
  });

  it('adds one kernel call to a taped step (nothing saved for a gradient) and leaves no tensors behind', async () => {
    const running = tf.variable(tf.tensor1d(randomData(new Rng(902), 32)), false);
    const x = tf.variable(tf.tensor1d(randomData(new Rng(903), 32)));
    const before = tf.memory().numTensors;
    const kernels = async (update: boolean) => (await tf.profile(() => {
      const { value, grads } = tf.variableGrads(() => {
        if (update) tf.tidy(() => running.assign(movingAverage(running, x, 0.9)));
        return tf.sum(tf.square(x)) as tf.Scalar;
      }, [x]);
      tf.dispose([value, ...Object.values(grads)]);
      return [];
    })).kernels.map((k) => k.name);
    const without = await kernels(false);
    const withUpdate = await kernels(true);
    expect(withUpdate.filter((n) => n !== MOVING_AVERAGE)).toEqual(without);
    expect(withUpdate.filter((n) => n === MOVING_AVERAGE)).toHaveLength(1);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([running, x]);
  });

  it('leaves a training BatchNorm with the same running statistics as the composite', () => {
    const run = () => {
      const store = new ParamStore(5);
      const norm = new BatchNorm(store.scope('m'), 'bn', { channels: 6 });
      const rng = new Rng(904);
      for (let step = 0; step < 3; step++) {
        tf.tidy(() => norm.apply(tf.tensor4d(randomData(rng, 2 * 3 * 4 * 6, -2, 5), [2, 3, 4, 6]), true, 0.1));
      }
      const stats = [norm.runningMean, norm.runningVar].map((v) => Array.from(v.dataSync()));
      store.dispose();
      return stats;
    };
    const fast = run();
    expect(withoutKernel(run)).toEqual(fast);
    expect(fast[0].some((v) => v !== 0)).toBe(true);
  });

  it('rejects a momentum outside [0, 1] and mismatched shapes, naming them', () => {
    const a = tf.zeros([3]);
    const b = tf.zeros([4]);
    expect(() => movingAverage(a, a, 1.5)).toThrow(/momentum must be in \[0, 1\], got 1.5/);
    expect(() => movingAverage(a, b, 0.9)).toThrow(/running \[3\] and batch \[4\] must have the same shape/);
    tf.dispose([a, b]);
  });
});
