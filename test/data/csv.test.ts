import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatCsv, formatNumber, parseCsv, readCsv, writeCsv } from '../../src/data/csv.js';
import { InputError } from '../../src/util/errors.js';

/** The InputError thrown by `f`, failing the test when nothing or something else is thrown. */
function inputError(f: () => unknown): InputError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError, nothing was thrown');
}

describe('parseCsv', () => {
  it('reads a header and rows; quoted fields keep commas, doubled quotes and line breaks', () => {
    const text = 'id,name,note\ng1,"a, b","say ""hi"""\ng2,"two\nlines",\n';
    expect(parseCsv(text)).toEqual({
      header: ['id', 'name', 'note'],
      rows: [
        ['g1', 'a, b', 'say "hi"'],
        ['g2', 'two\nlines', ''],
      ],
    });
  });

  it('skips a UTF-8 byte-order mark', () => {
    expect(parseCsv('\uFEFFid,x\ng1,1\n')).toEqual({ header: ['id', 'x'], rows: [['g1', '1']] });
  });

  it('reads a byte-order mark from a file', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'csv-')), 'bom.csv');
    writeFileSync(path, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('id,x\ng1,1\n')]));
    expect(readCsv(path).header).toEqual(['id', 'x']);
  });

  it('reads CRLF, LF and mixed line ends alike, and a missing final line end', () => {
    const expected = { header: ['id', 'x'], rows: [['g1', '1'], ['g2', '2']] };
    expect(parseCsv('id,x\r\ng1,1\r\ng2,2\r\n')).toEqual(expected);
    expect(parseCsv('id,x\ng1,1\ng2,2')).toEqual(expected);
    expect(parseCsv('id,x\r\ng1,1\ng2,2\r\n')).toEqual(expected);
    expect(parseCsv('id,note\r\ng1,"a\r\nb"\r\n').rows).toEqual([['g1', 'a\r\nb']]);
  });

  it('skips fully empty lines and trims header names', () => {
    expect(parseCsv('\n id , x \n\ng1,1\n\r\n\ng2,2\n\n')).toEqual({ header: ['id', 'x'], rows: [['g1', '1'], ['g2', '2']] });
  });

  it('rejects text after a closing quote ("a"b), naming file and data row', () => {
    const e = inputError(() => parseCsv('id,x\ng1,1\ng2,"a"b\n', 'labels.csv'));
    expect(e.location).toMatchObject({ file: 'labels.csv', row: 2 });
    expect(e.message).toBe(
      'labels.csv, row 2: text follows the closing double quote of a quoted field starting on line 3 of the file — end the field right after its closing quote, or quote the whole field and double the inner quotes ("a""b")',
    );
  });

  it('counts data rows, not lines, when an earlier field spans lines or lines are empty', () => {
    const e = inputError(() => parseCsv('id,x\ng1,"one\ntwo"\n\ng2,"a"b\n', 'f.csv'));
    expect(e.message).toMatch(/^f\.csv, row 2: text follows the closing double quote of a quoted field starting on line 5 of the file/);
    const crlf = inputError(() => parseCsv('\uFEFFid,x\r\ng1,"one\r\ntwo"\r\ng2,"a"b\r\n', 'f.csv'));
    expect(crlf.message).toMatch(/^f\.csv, row 2: .* starting on line 4 of the file/);
    expect(() => parseCsv('id,x\ng1,"a"b,c\n', 'f.csv')).toThrow(/^f\.csv, row 1: text follows the closing double quote/);
    expect(() => parseCsv('"i"d,x\ng1,1\n', 'f.csv')).toThrow(/^f\.csv, row 0: text follows the closing double quote/);
  });

  it('rejects a quote inside an unquoted field', () => {
    const e = inputError(() => parseCsv('id,x\ng1,a"b"\n', 'f.csv'));
    expect(e.message).toMatch(/^f\.csv, row 1: a double quote inside an unquoted field/);
  });

  it('rejects a quoted field that is never closed, naming the row it opens in', () => {
    const e = inputError(() => parseCsv('id,x\ng1,1\ng2,"open\ng3,3\n', 'f.csv'));
    expect(e.message).toMatch(/^f\.csv, row 2: a quoted field is never closed \(it opens on line 3 of the file\) — add the closing double quote/);
  });

  it('rejects a wrong field count, naming the row and both counts', () => {
    const e = inputError(() => parseCsv('id,x,y\ng1,1,2\ng2,1\n', 'f.csv'));
    expect(e.location).toEqual({ file: 'f.csv', row: 2 });
    expect(e.message).toBe('f.csv, row 2: has 2 fields but the header has 3 — check for a missing or extra comma, or an unquoted comma inside a value; --on-bad skip leaves such rows out and lists them');
    expect(() => parseCsv('id,x\ng1,1,2\n', 'f.csv')).toThrow(/^f\.csv, row 1: has 3 fields but the header has 2/);
  });

  it('rejects an empty file and bad headers', () => {
    expect(() => parseCsv('', 'f.csv')).toThrow(/^f\.csv: the file is empty \(no header line\)/);
    expect(() => parseCsv('\n\n', 'f.csv')).toThrow(/^f\.csv: the file is empty/);
    expect(() => parseCsv('id,,x\n', 'f.csv')).toThrow(/^f\.csv, row 0: header field 2 is empty/);
    expect(() => parseCsv('id,x,id\n', 'f.csv')).toThrow(/^f\.csv, row 0, column "id": column "id" appears twice in the header/);
  });
});

describe('formatCsv and writeCsv', () => {
  it('quotes only the fields that need it and formats numbers exactly', () => {
    expect(formatCsv(['id', 'x'], [['g1', 1], ['a,b', 0.1], ['say "hi"', -2.5e-7]])).toBe('id,x\ng1,1\n"a,b",0.1\n"say ""hi""",-2.5e-7\n');
    expect(formatNumber(3)).toBe('3');
    expect(formatNumber(1 / 3)).toBe(String(1 / 3));
  });

  it('round-trips awkward fields through a file', () => {
    const header = ['id', 'text, with comma', 'q"uote'];
    const rows = [
      ['g1', 'a,b', '"quoted"'],
      ['g2', 'line\nbreak', 'cr\r\nlf'],
      ['g3', '', ' padded '],
      ['g4', '"', '""'],
      ['g5', '"a"b', 'héllo ✓'],
      ['g6', 'lone\rcr', ','],
    ];
    const path = join(mkdtempSync(join(tmpdir(), 'csv-')), 'awkward.csv');
    writeCsv(path, header, rows);
    expect(readCsv(path)).toEqual({ header, rows });
    expect(readFileSync(path, 'utf8').startsWith('id,"text, with comma","q""uote"\n')).toBe(true);
  });

  it('round-trips numbers to the same float64', () => {
    const values = [0, -0.5, 1 / 3, 1e-300, 123456789012, Math.PI];
    const back = parseCsv(formatCsv(['v'], values.map((v) => [v]))).rows.map((r) => Number(r[0]));
    expect(back).toEqual(values);
  });

  it('keeps an empty value of a one-column table', () => {
    expect(parseCsv(formatCsv(['note'], [['a'], [''], ['b']])).rows).toEqual([['a'], [''], ['b']]);
  });
});
