import { describe, expect, it } from 'vitest';
import { lineChart } from '../../src/report/lineChart.js';
import { wellFormedProblems } from './wellFormed.js';

const n = [10, 100, 1000];
const two = [
  { label: 'random', x: n, y: [0.4, 0.3, 0.2], sd: [0.02, 0.01, 0.01] },
  { label: 'BALD', x: n, y: [0.35, 0.25, 0.15], sd: [0.02, 0.01, 0.005] },
];

/** The clip rectangle is the plot area. */
function plotArea(svg: string): { left: number; width: number; top: number; height: number } {
  const m = /<clipPath id="plot-area"><rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"\/>/.exec(svg);
  if (!m) throw new Error('no plot area in the SVG');
  return { left: Number(m[1]), top: Number(m[2]), width: Number(m[3]), height: Number(m[4]) };
}

describe('lineChart', () => {
  it('is well-formed SVG with escaped title, labels and legend', () => {
    const svg = lineChart(two, { title: 'Error <vs> labels & regimes', xLabel: 'labels', yLabel: 'RMSE', xScale: 'log' });
    expect(wellFormedProblems(svg)).toEqual([]);
    expect(svg).toContain('Error &lt;vs&gt; labels &amp; regimes');
    expect(svg).toContain('>BALD</text>');
    expect(svg).toContain('>random</text>');
  });

  it('places points on a log x axis by their logarithm', () => {
    const svg = lineChart([{ label: 'a', x: [1, 10, 100], y: [1, 2, 3] }], { xScale: 'log', xRange: [1, 100] });
    const area = plotArea(svg);
    const series = /<g class="series">(.*?)<\/g>/.exec(svg)![1];
    const cx = [...series.matchAll(/<circle cx="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(cx).toHaveLength(3);
    expect(cx[0]).toBeCloseTo(area.left, 1);
    expect(cx[1]).toBeCloseTo(area.left + area.width / 2, 1);
    expect(cx[2]).toBeCloseTo(area.left + area.width, 1);
  });

  it('draws one error bar (stem and two caps) per point with sd', () => {
    const svg = lineChart([two[0]], { markers: false });
    const bars = /<g stroke="#0072B2" stroke-width="1.25">(.*?)<\/g>/.exec(svg);
    expect(bars).not.toBeNull();
    expect(bars![1].match(/<line /g)).toHaveLength(9);
  });

  it('labels nice y ticks for a known range', () => {
    const svg = lineChart([{ label: 'a', x: [0, 1], y: [0, 1] }], { yRange: [0, 1] });
    for (const tick of ['0.2', '0.4', '0.6', '0.8', '1.0']) expect(svg).toContain(`>${tick}</text>`);
  });

  it('draws the y = x reference only when asked', () => {
    const data = [{ label: 'model', x: [0.1, 0.5, 0.9], y: [0.2, 0.5, 0.8] }];
    expect(lineChart(data, { referenceLine: 'diagonal' })).toContain('stroke-dasharray');
    expect(lineChart(data)).not.toContain('stroke-dasharray');
  });

  it('names the series and point holding a NaN', () => {
    const bad = [two[0], { label: 'BALD', x: n, y: [0.3, 0.2, NaN] }];
    expect(() => lineChart(bad)).toThrow('option "series[1] ("BALD").y[2]": expected a finite number, got NaN');
  });

  it('refuses empty input with a message naming what is missing', () => {
    expect(() => lineChart([])).toThrow(/option "series": expected at least one series/);
    expect(() => lineChart([{ label: 'a', x: [], y: [] }])).toThrow(/series\[0\] \("a"\)\.x.*at least one point/);
    expect(() => lineChart([{ label: 'a', x: [1, 2], y: [1] }])).toThrow(/\.y": expected as many values as x \(2\)/);
  });

  it('refuses bad error bars and log axes over non-positive values', () => {
    expect(() => lineChart([{ label: 'a', x: [1], y: [1], sd: [-1] }])).toThrow(/sd\[0\].*≥ 0/);
    expect(() => lineChart([{ label: 'a', x: [1, 2], y: [1, 2], sd: [1] }])).toThrow(/\.sd".*as many values as y/);
    expect(() => lineChart([{ label: 'a', x: [0, 10], y: [1, 2] }], { xScale: 'log' })).toThrow(/x\[0\].*positive number \(log axis\)/);
  });

  it('validates its options by name', () => {
    expect(() => lineChart(two, { xScale: 'ln' as 'log' })).toThrow(/option "xScale": expected one of linear \| log/);
    expect(() => lineChart(two, { xRange: [1, 0] })).toThrow(/option "xRange"/);
    expect(() => lineChart(two, { markers: false, lines: false })).toThrow(/option "markers"/);
  });
});
