/**
 * CSV reading and writing (RFC 4180) on csv-parse and csv-stringify: comma separated, fields optionally in
 * double quotes, a doubled quote inside a quoted field, CRLF, LF or CR line ends (mixed too), quoted fields may
 * span lines, a UTF-8 byte-order mark is skipped. The first record is the header. Malformed quoting (`"a"b`,
 * `a"b`, an unclosed quote) is an error, never silently repaired. Errors name the file and the 1-based data row
 * (header excluded; the header is row 0), counted in records, not lines: an empty line is skipped and a quoted
 * field spanning lines is one record; a quoting error adds the line of the file its field starts on.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { CsvError, parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { InputError } from '../util/errors.js';

export interface CsvData {
  header: string[];
  /** Data records, each with exactly `header.length` fields. */
  rows: string[][];
}

/** Parse CSV text. `file` is only used in error messages. A fully empty line is skipped. */
export function parseCsv(text: string, file?: string): CsvData {
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      delimiter: ',',
      quote: '"',
      escape: '"',
      record_delimiter: ['\r\n', '\n', '\r'],
      skip_empty_lines: true,
      // Field counts are checked below, with the project's message.
      relax_column_count: true,
      relax_quotes: false,
    });
  } catch (e) {
    if (e instanceof CsvError) throw fromCsvError(e, text, file);
    throw e;
  }
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

/**
 * csv-parse's error as the project's InputError. `records` counts the records completed before the one in
 * error, header included, so it is the 1-based data row of that record (0 for the header). `bytes` is the
 * UTF-8 offset (byte-order mark included) of the delimiter or record start before the field in error, from
 * which the field's first line is counted here (csv-parse's own `lines` counts a CRLF inside quotes twice).
 */
function fromCsvError(e: CsvError, text: string, file: string | undefined): InputError {
  const info = e as CsvError & { records?: unknown; bytes?: unknown };
  const row = typeof info.records === 'number' ? info.records : undefined;
  const line = typeof info.bytes === 'number' ? lineAt(text, info.bytes) : undefined;
  const starting = line === undefined ? '' : ` starting on line ${line} of the file`;
  switch (e.code) {
    case 'CSV_INVALID_CLOSING_QUOTE':
      return new InputError(`text follows the closing double quote of a quoted field${starting}`, { file, row }, 'end the field right after its closing quote, or quote the whole field and double the inner quotes ("a""b")');
    case 'INVALID_OPENING_QUOTE':
      return new InputError(`a double quote inside an unquoted field${starting}`, { file, row }, 'quote the whole field and double the inner quote ("a ""b"" c")');
    case 'CSV_QUOTE_NOT_CLOSED':
      return new InputError(`a quoted field is never closed${line === undefined ? '' : ` (it opens on line ${line} of the file)`}`, { file, row }, 'add the closing double quote');
    default:
      return new InputError(`is not valid CSV${line === undefined ? '' : ` near line ${line} of the file`}: ${e.message}`, { file, row }, 'fix the file so that it is comma-separated CSV (RFC 4180)');
  }
}

/** 1-based line of the UTF-8 byte offset `bytes` of `text`; CRLF, LF and a lone CR each end a line. */
function lineAt(text: string, bytes: number): number {
  const before = Buffer.from(text, 'utf8').subarray(0, bytes).toString('utf8');
  return 1 + (before.match(/\r\n|\n|\r/g)?.length ?? 0);
}

export function readCsv(path: string): CsvData {
  return parseCsv(readFileSync(path, 'utf8'), path);
}

/** Format a header and rows as CSV text (LF line ends, fields quoted only when needed). */
export function formatCsv(header: string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const records = [header, ...rows.map((r) => r.map((v) => (typeof v === 'number' ? formatNumber(v) : v)))];
  return stringify(records, {
    delimiter: ',',
    quote: '"',
    escape: '"',
    record_delimiter: '\n',
    eof: true,
    // Quote a field holding any line break (\n or \r), not only the record delimiter: csv-stringify turns this
    // off by default once record_delimiter is given, and a bare \r would then split the record when read back.
    quote_record_delimiter: true,
    // Commas, quotes and line breaks are quoted by csv-stringify itself; outer whitespace is quoted too so that
    // a reader that trims still sees it.
    quoted_match: /^\s|\s$/,
    // In a one-column table an empty value would be an empty line, which a reader skips: write it as "".
    quoted_empty: header.length === 1,
  });
}

/** Shortest text that parses back to the same float64 (integers without a decimal point). */
export function formatNumber(v: number): string {
  return Number.isInteger(v) ? v.toFixed(0) : String(v);
}

export function writeCsv(path: string, header: string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): void {
  writeFileSync(path, formatCsv(header, rows));
}
