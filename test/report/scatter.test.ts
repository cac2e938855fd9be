import { describe, expect, it } from 'vitest';
import { scatterPlot } from '../../src/report/scatter.js';
import { wellFormedProblems } from './wellFormed.js';

describe('scatterPlot', () => {
  const series = [
    { label: 'smooth', x: [0.1, 0.2, 0.3], y: [0.15, 0.25, 0.2] },
    { label: 'featured', x: [0.7, 0.8], y: [0.6, 0.9] },
  ];

  it('draws one marker per point, a shape per series, in well-formed SVG', () => {
    const svg = scatterPlot(series, { title: 'Calibration', referenceLine: 'diagonal' });
    expect(wellFormedProblems(svg)).toEqual([]);
    const groups = [...svg.matchAll(/<g class="series">(.*?)<\/g>/g)].map((m) => m[1]);
    expect(groups[0].match(/<circle /g)).toHaveLength(3);
    expect(groups[1].match(/<rect /g)).toHaveLength(2);
    expect(svg).toContain('stroke-dasharray');
  });

  it('names the point that is not finite', () => {
    expect(() => scatterPlot([{ label: 'z', x: [1, Infinity], y: [1, 2] }])).toThrow(/series\[0\] \("z"\)\.x\[1\].*got Infinity/);
  });

  it('validates marker options by name', () => {
    expect(() => scatterPlot(series, { opacity: 0 })).toThrow(/option "opacity"/);
  });
});
