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

/** A record whose field count differs from the header's, left out by `onBadRow: 'skip'`. */
export interface MalformedRecord {
  /** 1-based data row (header excluded), counted in records. */
  row: number;
  fields: string[];
  /** The full message: file, row, what was wrong, what to do. */
  reason: string;
}

/** CSV read with bad records left out: the kept rows, their 1-based data row numbers, and the records left out. */
export interface CsvTable extends CsvData {
  rowNumbers: number[];
  malformed: MalformedRecord[];
}

export interface CsvReadOptions {
  /** A record with too few or too many fields stops the read ('error') or is left out and listed ('skip'). @default 'error' */
  onBadRow: 'error' | 'skip';
}

/** Parse CSV text. `file` is only used in error messages. A fully empty line is skipped. */
export function parseCsv(text: string, file?: string): CsvData {
  const { header, rows } = parseCsvTable(text, file, { onBadRow: 'error' });
  return { header, rows };
}

/** As parseCsv, keeping each row's record number, and with records of the wrong field count skipped when asked. */
export function parseCsvTable(text: string, file: string | undefined, options: CsvReadOptions): CsvTable {
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
  requireCommaSeparated(header, file);
  const seen = new Set<string>();
  header.forEach((h, c) => {
    if (h === '') throw new InputError(`header field ${c + 1} is empty`, { file, row: 0 }, 'give every column a name');
    if (seen.has(h)) throw new InputError(`column "${h}" appears twice in the header`, { file, row: 0, column: h }, 'rename or remove one of them');
    seen.add(h);
  });
  const rows: string[][] = [];
  const rowNumbers: number[] = [];
  const malformed: MalformedRecord[] = [];
  records.slice(1).forEach((r, k) => {
    if (r.length !== header.length) {
      const err = new InputError(`has ${r.length} fields but the header has ${header.length}`, { file, row: k + 1 },
        'check for a missing or extra comma, or an unquoted comma inside a value' + (options.onBadRow === 'error' ? '; --on-bad skip leaves such rows out and lists them' : ''));
      if (options.onBadRow === 'error') throw err;
      malformed.push({ row: k + 1, fields: r, reason: err.message });
      return;
    }
    rows.push(r);
    rowNumbers.push(k + 1);
  });
  return { header, rows, rowNumbers, malformed };
}

/** A header read as one column but holding semicolons or tabs: the file uses another delimiter. */
function requireCommaSeparated(header: string[], file: string | undefined): void {
  if (header.length !== 1) return;
  const delimiters: Array<[string, string]> = [[';', 'semicolon'], ['\t', 'tab'], ['|', 'vertical bar']];
  const seen = delimiters.map(([d, name]) => ({ name, count: header[0].split(d).length - 1 })).filter((d) => d.count > 0).sort((a, b) => b.count - a.count);
  if (seen.length === 0) return;
  throw new InputError(
    `the file is not comma-separated: its header line is one column holding ${seen[0].count} ${seen[0].name}${seen[0].count === 1 ? '' : 's'} (${seen[0].name}-separated?)`,
    { file, row: 0 },
    'galmorph reads comma-separated CSV (RFC 4180): save the file as CSV with commas, or convert it to Parquet',
  );
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
  return parseCsv(readTextFile(path), path);
}

/** readCsv keeping row numbers, with `onBadRow: 'skip'` leaving out records of the wrong field count. */
export function readCsvTable(path: string, options: CsvReadOptions): CsvTable {
  return parseCsvTable(readTextFile(path), path, options);
}

/**
 * A text file's contents as UTF-8, or an InputError naming the file: a folder, a missing or unreadable file,
 * UTF-16 or UTF-32 text (a byte-order mark or NUL bytes), bytes that are not UTF-8.
 */
export function readTextFile(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw fileReadError(e, path);
  }
  const bom = bytes.subarray(0, 4);
  const utf16 = (bom[0] === 0xff && bom[1] === 0xfe) || (bom[0] === 0xfe && bom[1] === 0xff);
  const utf32 = (bom[0] === 0 && bom[1] === 0 && bom[2] === 0xfe && bom[3] === 0xff);
  const nul = bytes.indexOf(0);
  if (utf16 || utf32 || nul >= 0) {
    const what = utf32 ? 'UTF-32' : utf16 ? `UTF-16 (byte-order mark ${bom[0].toString(16).toUpperCase()} ${bom[1].toString(16).toUpperCase()})` : `binary or UTF-16 (a NUL byte at offset ${nul})`;
    throw new InputError(`the file is ${what}, not UTF-8 text`, { file: path }, 'save it as UTF-8 CSV (e.g. "CSV UTF-8" in a spreadsheet program, or iconv -f UTF-16 -t UTF-8)');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    throw new InputError(`the file is not valid UTF-8: byte 0x${bytes[bad].toString(16).toUpperCase()} at offset ${bad} (line ${1 + (bytes.subarray(0, bad).toString('latin1').match(/\r\n|\n|\r/g)?.length ?? 0)})`,
      { file: path }, 'save it as UTF-8 (it is probably Latin-1 or Windows-1252: iconv -f WINDOWS-1252 -t UTF-8)');
  }
}

/** A file system error while reading `path` as an InputError saying what the path is. */
export function fileReadError(e: unknown, path: string): InputError {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EISDIR':
      return new InputError('is a folder, not a file', { file: path }, 'give the path of the file itself');
    case 'ENOENT':
      return new InputError('no such file', { file: path }, 'check the path');
    case 'EACCES':
    case 'EPERM':
      return new InputError('permission denied', { file: path }, 'make the file readable');
    default:
      return new InputError(`cannot read the file (${code ?? (e as Error).message})`, { file: path });
  }
}

/** Offset of the first byte that is not part of a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const n = b < 0x80 ? 0 : (b & 0xe0) === 0xc0 ? 1 : (b & 0xf0) === 0xe0 ? 2 : (b & 0xf8) === 0xf0 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (i + k >= bytes.length || (bytes[i + k] & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return Math.max(0, bytes.length - 1);
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
