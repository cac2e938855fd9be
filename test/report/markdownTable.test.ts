import { describe, expect, it } from 'vitest';
import { markdownTable } from '../../src/report/markdownTable.js';

const rows = [
  { regime: 'supervised', labels: 100, rmse: { mean: 0.4123, sd: 0.0131 }, note: 'baseline' },
  { regime: 'alternating', labels: 1000, rmse: { mean: 0.2, sd: 0.005 }, note: 'a | b' },
  { regime: 'two-step', labels: 30, rmse: null, note: 'diverged\nat step 10' },
];

describe('markdownTable', () => {
  it('pads, aligns numbers right and text left, and writes mean ± sd', () => {
    expect(markdownTable(rows)).toBe(
      [
        '| regime      | labels |          rmse | note                |',
        '| :---------- | -----: | ------------: | :------------------ |',
        '| supervised  |    100 | 0.412 ± 0.013 | baseline            |',
        '| alternating |   1000 | 0.200 ± 0.005 | a \\| b              |',
        '| two-step    |     30 |               | diverged at step 10 |',
        '',
      ].join('\n'),
    );
  });

  it('selects and orders columns, honours alignment and decimals', () => {
    const text = markdownTable(
      [
        { model: 'ET-VAE', acc: 0.91234, ok: true },
        { model: 'CNN', acc: NaN, ok: false },
      ],
      { columns: ['acc', 'model'], align: { model: 'center' }, decimals: 2 },
    );
    expect(text).toBe(['|  acc | model  |', '| ---: | :----: |', '| 0.91 | ET-VAE |', '|  NaN |  CNN   |', ''].join('\n'));
  });

  it('names unknown columns, bad alignments and bad cells', () => {
    expect(() => markdownTable(rows, { columns: ['regime', 'f1'] })).toThrow(/option "columns\[1\]": expected a field of the rows/);
    expect(() => markdownTable(rows, { align: { labels: 'justify' as 'left' } })).toThrow(/option "align.labels"/);
    expect(() => markdownTable(rows, { align: { f1: 'left' } })).toThrow(/option "align.f1"/);
    expect(() => markdownTable([{ a: [1, 2] as unknown as number }])).toThrow(/option "rows\[0\].a"/);
    expect(() => markdownTable([])).toThrow(/option "columns"/);
  });

  it('writes a header-only table for no rows when columns are given', () => {
    expect(markdownTable([], { columns: ['a'] })).toBe('| a   |\n| :-- |\n');
  });
});
