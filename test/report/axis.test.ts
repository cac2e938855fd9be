import { describe, expect, it } from 'vitest';
import { makeAxis, project } from '../../src/report/axis.js';

describe('makeAxis', () => {
  it('pads an automatic linear domain by 5% and puts nice ticks inside it', () => {
    const axis = makeAxis('linear', [0, 0.5, 1], null, 'xRange');
    expect(axis.min).toBeCloseTo(-0.05);
    expect(axis.max).toBeCloseTo(1.05);
    expect(axis.ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(axis.labels).toEqual(['0', '0.2', '0.4', '0.6', '0.8', '1.0']);
  });
  it('uses a fixed range as given', () => {
    const axis = makeAxis('linear', [5], [0, 1], 'yRange');
    expect([axis.min, axis.max]).toEqual([0, 1]);
  });
  it('widens a single value into a visible range', () => {
    const axis = makeAxis('linear', [2, 2], null, 'yRange');
    expect(axis.min).toBeLessThan(2);
    expect(axis.max).toBeGreaterThan(2);
  });
  it('refuses non-positive values on a log axis, naming the option', () => {
    expect(() => makeAxis('log', [0, 10], null, 'xRange')).toThrow(/option "xRange".*positive/);
    expect(() => makeAxis('log', [], [-1, 10], 'xRange')).toThrow(/option "xRange"/);
  });
});

describe('project', () => {
  it('places log values by their logarithm', () => {
    const axis = makeAxis('log', [], [1, 100], 'xRange');
    expect(project(axis, 1, 0, 200)).toBeCloseTo(0);
    expect(project(axis, 10, 0, 200)).toBeCloseTo(100);
    expect(project(axis, 100, 0, 200)).toBeCloseTo(200);
  });
  it('places linear values proportionally, also on a reversed pixel range (y axes)', () => {
    const axis = makeAxis('linear', [], [0, 4], 'yRange');
    expect(project(axis, 1, 0, 100)).toBeCloseTo(25);
    expect(project(axis, 1, 300, 100)).toBeCloseTo(250);
  });
});
