import { describe, expect, it } from 'vitest';
import { maximiseOnInterval } from '../../src/util/goldenSection.js';

describe('maximiseOnInterval (grid + golden section)', () => {
  it('finds an interior maximum to the tolerance', () => {
    const r = maximiseOnInterval((x) => -((x - 1.3) ** 2), -5, 5, { tolerance: 1e-6 });
    expect(r.x).toBeCloseTo(1.3, 5);
    expect(r.value).toBeCloseTo(0, 10);
    expect(r.evaluations).toBeLessThan(80);
  });

  it('finds a maximum at either end of the interval', () => {
    expect(maximiseOnInterval((x) => x, 0, 1).x).toBeCloseTo(1, 3);
    expect(maximiseOnInterval((x) => -x, 0, 1).x).toBeCloseTo(0, 3);
  });

  it('is not fooled by a function flat over most of the interval (a narrow peak the grid brackets)', () => {
    const r = maximiseOnInterval((x) => Math.exp(-(((x - 7.2) / 0.5) ** 2)), 0, 10, { gridPoints: 41 });
    expect(r.x).toBeCloseTo(7.2, 3);
  });

  it('rejects a bad interval and a NaN function with messages', () => {
    expect(() => maximiseOnInterval((x) => x, 1, 1)).toThrow(/\[1, 1\] must be finite with lower < upper/);
    expect(() => maximiseOnInterval(() => Number.NaN, 0, 1)).toThrow(/the function is NaN at x = 0/);
  });
});
