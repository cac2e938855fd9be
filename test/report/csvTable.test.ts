import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csvTable, writeCsvTable } from '../../src/report/csvTable.js';

describe('csvTable', () => {
  it('quotes commas, quotes, line breaks and outer spaces, and keeps full precision', () => {
    const text = csvTable([
      { id: 'J1, bright', votes: 12, p: 0.123456789, flag: true, note: 'says "hi"' },
      { id: ' padded', votes: null, p: NaN, flag: false, note: 'two\nlines' },
    ]);
    expect(text).toBe(
      [
        'id,votes,p,flag,note',
        '"J1, bright",12,0.123456789,true,"says ""hi"""',
        '" padded",,NaN,false,"two',
        'lines"',
        '',
      ].join('\n'),
    );
  });

  it('splits mean ± sd columns into _mean and _sd, leaving gaps where a row has none', () => {
    const text = csvTable([
      { regime: 'supervised', rmse: { mean: 0.4123, sd: 0.0131 } },
      { regime: 'two-step', rmse: null },
    ]);
    expect(text).toBe('regime,rmse_mean,rmse_sd\nsupervised,0.4123,0.0131\ntwo-step,,\n');
  });

  it('selects columns in the order given and names unknown ones', () => {
    expect(csvTable([{ a: 1, b: 2 }], { columns: ['b', 'a'] })).toBe('b,a\n2,1\n');
    expect(() => csvTable([{ a: 1 }], { columns: ['c'] })).toThrow(/option "columns\[0\]": expected a field of the rows \(a\), got "c"/);
  });
});

describe('writeCsvTable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'galmorph-csv-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the table into a new folder', () => {
    const path = writeCsvTable(join(dir, 'tables', 'result.csv'), [{ a: 1 }]);
    expect(readFileSync(path, 'utf8')).toBe('a\n1\n');
  });
});
