import { describe, expect, it } from 'vitest';
import { heatmap } from '../../src/report/heatmap.js';
import { wellFormedProblems } from './wellFormed.js';

describe('heatmap', () => {
  const confusion = [
    [50, 3],
    [7, 40],
  ];

  it('is well-formed with labelled cells, row and column labels and a colour bar', () => {
    const svg = heatmap(confusion, { title: 'Confusion', rowLabels: ['smooth', 'featured'], colLabels: ['smooth', 'featured'], colorBarLabel: 'galaxies' });
    expect(wellFormedProblems(svg)).toEqual([]);
    for (const v of ['50', '3', '7', '40']) expect(svg).toContain(`>${v}</text>`);
    expect(svg).toContain('>featured</text>');
    expect(svg).toContain('class="colorbar"');
    expect(svg).toContain('>galaxies</text>');
  });

  it('maps the minimum and maximum to the ends of viridis', () => {
    const svg = heatmap(confusion);
    const fills = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="44" height="44" fill="(#[0-9A-F]{6})"/g)].map((m) => m[1]);
    expect(fills).toEqual(['#FDE725', '#440154', expect.any(String), expect.any(String)]);
  });

  it('writes fractions with the asked decimals', () => {
    expect(heatmap([[0.25, 0.75]], { decimals: 1 })).toContain('>0.8</text>');
  });

  it('names a bad cell or a label list of the wrong length', () => {
    expect(() => heatmap([[1, 2], [NaN, 3]])).toThrow('option "matrix[1][0]": expected a finite number, got NaN');
    expect(() => heatmap([[1, 2], [3]])).toThrow(/option "matrix\[1\]": expected a row of 2 values/);
    expect(() => heatmap([])).toThrow(/option "matrix"/);
    expect(() => heatmap(confusion, { rowLabels: ['a'] })).toThrow(/option "rowLabels": expected 2 labels/);
  });
});
