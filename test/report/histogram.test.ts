import { describe, expect, it } from 'vitest';
import { binValues, histogram } from '../../src/report/histogram.js';
import { wellFormedProblems } from './wellFormed.js';

describe('binValues', () => {
  it('counts into equal bins, the last one closed on the right', () => {
    expect(binValues([0, 0.1, 0.25, 0.5, 0.99, 1], 0, 1, 4)).toEqual({ counts: [2, 1, 1, 2], outside: 0 });
  });
  it('counts values outside the range instead of dropping them silently', () => {
    expect(binValues([-1, 0.5, 2, 3], 0, 1, 2)).toEqual({ counts: [0, 1], outside: 3 });
  });
});

describe('histogram', () => {
  it('is well-formed and reports out-of-range values in the legend', () => {
    const svg = histogram(
      [
        { label: 'pool', values: [0.1, 0.2, 0.2, 0.9, 1.5] },
        { label: 'acquired', values: [0.8, 0.85] },
      ],
      { xRange: [0, 1], bins: 10, normalise: 'density', title: 'BALD scores' },
    );
    expect(wellFormedProblems(svg)).toEqual([]);
    expect(svg).toContain('>pool (1 outside range)</text>');
    expect(svg).toContain('>acquired</text>');
  });

  it('scales density so the bars integrate to one', () => {
    // Two values in one bin of width 0.5 over [0, 1]: density 2 → y axis runs to 2 × 1.05, ticks include 2.0.
    const svg = histogram([{ label: 'a', values: [0.1, 0.2] }], { xRange: [0, 1], bins: 2, normalise: 'density' });
    expect(svg).toContain('>2.0</text>');
  });

  it('refuses NaN values and empty series, naming them', () => {
    expect(() => histogram([{ label: 'a', values: [1, NaN] }])).toThrow(/series\[0\] \("a"\)\.values\[1\]/);
    expect(() => histogram([{ label: 'a', values: [] }])).toThrow(/values": expected at least one value/);
    expect(() => histogram([], {})).toThrow(/option "series"/);
    expect(() => histogram([{ label: 'a', values: [1] }], { bins: 0 })).toThrow(/option "bins"/);
  });
});
