import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { logBesselI0, vonMisesLogDensity } from '../../src/losses/vonMisesLogDensity.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('vonMisesLogDensity', () => {
  it('integrates to 1 over the circle (midpoint rule) for κ from 0 to 200', () => {
    const n = 4000;
    const angles = tf.tensor1d(Array.from({ length: n }, (_, i) => -Math.PI + ((i + 0.5) * 2 * Math.PI) / n));
    for (const concentration of [0, 0.01, 1, 10, 99.9, 100.1, 400]) {
      const logp = vonMisesLogDensity(angles, { mean: 0.7, concentration });
      const integral = Array.from(logp.dataSync()).reduce((s, v) => s + Math.exp(v), 0) * ((2 * Math.PI) / n);
      expect(integral, `κ = ${concentration}`).toBeCloseTo(1, 4);
      logp.dispose();
    }
    angles.dispose();
  });

  it('is −ln 2π everywhere for κ = 0, peaks at the mean, and is periodic', () => {
    const logp = vonMisesLogDensity(tf.tensor1d([0, 1, 1 + 2 * Math.PI]), { mean: 1, concentration: 0 });
    Array.from(logp.dataSync()).forEach((v) => expect(v).toBeCloseTo(-Math.log(2 * Math.PI), 5));
    const peaked = Array.from(vonMisesLogDensity(tf.tensor1d([1, 1.5, 1 + 2 * Math.PI]), { mean: 1, concentration: 4 }).dataSync());
    expect(peaked[0]).toBeGreaterThan(peaked[1]);
    expect(peaked[2]).toBeCloseTo(peaked[0], 4);
    logp.dispose();
  });

  it('uses ln I₀ matching tabulated values and continuous across the series/asymptotic switch', () => {
    expect(Math.exp(logBesselI0(1))).toBeCloseTo(1.2660658777520082, 12);
    expect(Math.exp(logBesselI0(10))).toBeCloseTo(2815.716628466254, 8);
    expect(Math.abs(logBesselI0(100 - 1e-9) - logBesselI0(100))).toBeLessThan(1e-9);
  });

  it('rejects a negative concentration with a message', () => {
    const a = tf.tensor1d([0]);
    expect(() => vonMisesLogDensity(a, { concentration: -1 })).toThrow(/option "concentration": expected a finite number in \[0, Infinity\], got -1/);
    a.dispose();
  });
});
