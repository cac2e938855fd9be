import { describe, expect, it } from 'vitest';
import { formatLinearTick, formatLogTick, logTicks, niceStep, niceTicks } from '../../src/report/ticks.js';

describe('niceStep', () => {
  it('picks 1, 2 or 5 times a power of ten', () => {
    expect(niceStep(1, 5)).toBe(0.2);
    expect(niceStep(97, 5)).toBe(20);
    expect(niceStep(0.003, 6)).toBe(0.0005);
    expect(niceStep(1200, 5)).toBe(200);
    expect(niceStep(7, 1)).toBe(10);
  });
});

describe('niceTicks', () => {
  it('includes the ends when they are nice', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });
  it('stays inside the range', () => {
    expect(niceTicks(0, 97, 5)).toEqual([0, 20, 40, 60, 80]);
    expect(niceTicks(-0.05, 1.05, 6)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(-13, 27, 4)).toEqual([-10, 0, 10, 20]);
  });
  it('has no floating-point noise', () => {
    expect(niceTicks(0, 0.3, 3)).toEqual([0, 0.1, 0.2, 0.3]);
    expect(niceTicks(0.1, 0.7, 6)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
  });
});

describe('logTicks', () => {
  it('uses decades over a wide range', () => {
    expect(logTicks(1, 1e6)).toEqual([1, 10, 100, 1000, 1e4, 1e5, 1e6]);
  });
  it('adds 2× and 5× when decades alone give fewer than four ticks', () => {
    expect(logTicks(8, 3500)).toEqual([10, 20, 50, 100, 200, 500, 1000, 2000]);
  });
  it('uses every integer multiple inside a single decade', () => {
    expect(logTicks(2.5, 9)).toEqual([3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('tick labels', () => {
  it('shows as many decimals as the step needs, with a real minus sign', () => {
    expect(formatLinearTick(0.4, 0.2)).toBe('0.4');
    expect(formatLinearTick(1, 0.2)).toBe('1.0');
    expect(formatLinearTick(-0.05, 0.05)).toBe('\u22120.05');
    expect(formatLinearTick(40, 20)).toBe('40');
    expect(formatLinearTick(0, 0.2)).toBe('0');
    expect(formatLinearTick(3e6, 1e6)).toBe('3e+6');
  });
  it('writes log ticks plainly in the everyday range and as exponents outside', () => {
    expect(formatLogTick(1000)).toBe('1000');
    expect(formatLogTick(0.01)).toBe('0.01');
    expect(formatLogTick(1e-5)).toBe('1e-5');
    expect(formatLogTick(2e6)).toBe('2e+6');
  });
});
