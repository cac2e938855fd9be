import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { canonicalGrid } from '../../src/nn/canonicalGrid.js';
import { toPixel } from '../../src/nn/resample.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('canonicalGrid', () => {
  it('identity grid points are the pixel centres of an image of the same size', () => {
    const g = canonicalGrid({ kind: 'identity', rows: 4, cols: 7 });
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 7; j++) {
        expect(toPixel(g.points[2 * (i * 7 + j)], 7)).toBeCloseTo(j, 5);
        expect(toPixel(g.points[2 * (i * 7 + j) + 1], 4)).toBeCloseTo(i, 5);
      }
    }
    expect(g.u.periodic || g.v.periodic).toBe(false);
    expect(g.u.halfRange).toBe(1);
  });

  it('polar grid: nv distinct angles over [−π, π), none repeated, periodic along the rows', () => {
    const nv = 16;
    const g = canonicalGrid({ kind: 'polar', rows: nv, cols: 5 });
    expect(g.v.periodic).toBe(true);
    expect(g.u.periodic).toBe(false);
    const outer = 4; // the column with u = √2
    const angles = Array.from({ length: nv }, (_, i) =>
      Math.atan2(g.points[2 * (i * 5 + outer) + 1], g.points[2 * (i * 5 + outer)]),
    );
    for (let i = 0; i < nv; i++) {
      for (let k = i + 1; k < nv; k++) {
        const d = Math.abs(Math.atan2(Math.sin(angles[i] - angles[k]), Math.cos(angles[i] - angles[k])));
        expect(d).toBeGreaterThan(0.9 * ((2 * Math.PI) / nv));
      }
    }
    // the row after the last would be the first again: consecutive angles step by 2π/nv, wrapping included
    for (let i = 0; i < nv; i++) {
      const next = angles[(i + 1) % nv];
      const step = Math.atan2(Math.sin(next - angles[i]), Math.cos(next - angles[i]));
      expect(step).toBeCloseTo((2 * Math.PI) / nv, 5);
    }
    expect(Math.hypot(g.points[2 * outer], g.points[2 * outer + 1])).toBeCloseTo(Math.SQRT2, 5);
  });

  it('log-polar radii run from 1/cols to √2', () => {
    const g = canonicalGrid({ kind: 'logPolar', rows: 8, cols: 10 });
    expect(Math.hypot(g.points[0], g.points[1])).toBeCloseTo(1 / 10, 5);
    expect(Math.hypot(g.points[18], g.points[19])).toBeCloseTo(Math.SQRT2, 5);
    expect(g.u.halfRange).toBeCloseTo((Math.log(2) / 2 + Math.log(10)) / 2, 10);
  });

  it('refuses a grid with fewer than 2 samples along an axis, naming the option', () => {
    expect(() => canonicalGrid({ kind: 'polar', rows: 1, cols: 5 })).toThrow(/option "rows"/);
  });
});
