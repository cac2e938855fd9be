import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { ParamStore } from '../../src/nn/params.js';
import { PoseReadout } from '../../src/nn/poseReadout.js';
import { padAxis } from '../../src/nn/axisPadding.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Features [1, 3, n, 1] (axis 'cols') with one bright column j. */
function spikeAt(j: number, n: number): tf.Tensor4D {
  const b = tf.buffer([1, 3, n, 1]);
  for (let r = 0; r < 3; r++) b.set(r === 1 ? 1 : 0.5, 0, r, j, 0);
  return b.toTensor() as tf.Tensor4D;
}

/** A readout whose 1-D kernel passes the centre tap times 40: the heatmap is ~one-hot at the spike. */
function sharpReadout(store: ParamStore, periodic: boolean): PoseReadout {
  const readout = new PoseReadout(store.scope('t'), periodic ? 'p' : 'np', { nf: 1, axis: 'cols', periodic, kernel: 3 });
  readout.kernel.assign(tf.tensor3d([0, 40, 0], [3, 1, 1]));
  return readout;
}

describe('PoseReadout', () => {
  it('non-periodic: θ = Σ h_j r_j + tanh(b) with r_j = jΔ − (n − 1)Δ/2', () => {
    const store = new ParamStore(1);
    const readout = sharpReadout(store, false);
    tf.tidy(() => {
      const n = 6;
      const step = 0.25;
      expect(readout.apply(spikeAt(4, n), step).value.dataSync()[0]).toBeCloseTo(4 * step - (5 * step) / 2, 4);
      readout.bias.assign(tf.scalar(0.3));
      expect(readout.apply(spikeAt(0, n), step).value.dataSync()[0]).toBeCloseTo(-2.5 * step + Math.tanh(0.3), 4);
    });
    store.dispose();
  });

  it('periodic: θ = atan2(Σ h sin πr, Σ h cos πr)/π, and the mean wraps around the ends of the axis', () => {
    const store = new ParamStore(2);
    const readout = sharpReadout(store, true);
    tf.tidy(() => {
      const n = 8;
      const step = 2 / n;
      const r = (j: number) => j * step - ((n - 1) * step) / 2;
      expect(readout.apply(spikeAt(5, n), step).value.dataSync()[0]).toBeCloseTo(r(5), 4);
      // equal mass on the first and last positions: their circular mean is ±1 (the seam), not 0
      const both = tf.add(spikeAt(0, n), spikeAt(n - 1, n)) as tf.Tensor4D;
      expect(Math.abs(readout.apply(both, step).value.dataSync()[0])).toBeCloseTo(1, 3);
      expect(() => readout.apply(spikeAt(0, n), 0.3)).toThrow(/whole period/);
    });
    store.dispose();
  });

  it('cyclic padding wraps the axis, zero padding does not', () => {
    tf.tidy(() => {
      const x = tf.tensor3d([1, 2, 3, 4], [1, 4, 1]);
      expect(Array.from(padAxis(x, 1, 2, 1, 'cyclic').dataSync())).toEqual([3, 4, 1, 2, 3, 4, 1]);
      expect(Array.from(padAxis(x, 1, 1, 2, 'zeros').dataSync())).toEqual([0, 1, 2, 3, 4, 0, 0]);
    });
  });
});
