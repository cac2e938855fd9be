/**
 * A small RFC 4180 CSV reader and writer: comma separated, fields optionally in double quotes, a doubled
 * quote inside a quoted field, CRLF or LF line ends, quoted fields may span lines. The first record is the
 * header. Errors name the file and the 1-based data row (header excluded).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { InputError } from '../util/errors.js';

export interface CsvData {
  header: string[];
  /** Data records, each with exactly `header.length` fields. */
  rows: string[][];
}

/** Parse CSV text. `file` is only used in error messages. A fully empty line is skipped. */
export function parseCsv(text: string, file?: string): CsvData {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let inQuotes = false;
  let quotedFieldStart = 0;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // byte-order mark
  const endRecord = () => {
    record.push(field);
    field = '';
    if (!(record.length === 1 && record[0] === '')) records.push(record);
    record = [];
  };
  for (; i < text.length; i++) {
    const c = text[i];
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else field += c;
    } else if (c === '"') {
      if (field !== '') {
        throw new InputError(`a double quote inside an unquoted field`, { file, row: records.length }, 'quote the whole field and double the inner quote ("a ""b"" c")');
      }
      inQuotes = true;
      quotedFieldStart = records.length;
    } else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
    } else field += c;
  }
  if (inQuotes) {
    throw new InputError('a quoted field is never closed', { file, row: quotedFieldStart }, 'add the closing double quote');
  }
  if (field !== '' || record.length > 0) endRecord();
  if (records.length === 0) throw new InputError('the file is empty (no header line)', { file }, 'the first line must name the columns');
  const header = records[0].map((h) => h.trim());
  const seen = new Set<string>();
  header.forEach((h, c) => {
    if (h === '') throw new InputError(`header field ${c + 1} is empty`, { file, row: 0 }, 'give every column a name');
    if (seen.has(h)) throw new InputError(`column "${h}" appears twice in the header`, { file, row: 0, column: h }, 'rename or remove one of them');
    seen.add(h);
  });
  const rows = records.slice(1);
  rows.forEach((r, k) => {
    if (r.length !== header.length) {
      throw new InputError(`has ${r.length} fields but the header has ${header.length}`, { file, row: k + 1 }, 'check for a missing or extra comma, or an unquoted comma inside a value');
    }
  });
  return { header, rows };
}

export function readCsv(path: string): CsvData {
  return parseCsv(readFileSync(path, 'utf8'), path);
}

function quoteField(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Format a header and rows as CSV text (LF line ends, fields quoted only when needed). */
export function formatCsv(header: string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const lines = [header.map(quoteField).join(',')];
  for (const r of rows) lines.push(r.map((v) => quoteField(typeof v === 'number' ? formatNumber(v) : v)).join(','));
  return `${lines.join('\n')}\n`;
}

/** Shortest text that parses back to the same float64 (integers without a decimal point). */
export function formatNumber(v: number): string {
  return Number.isInteger(v) ? v.toFixed(0) : String(v);
}

export function writeCsv(path: string, header: string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): void {
  writeFileSync(path, formatCsv(header, rows));
}
