/**
 * Parquet tables through hyparquet (reader) and hyparquet-writer (writer), both pure JavaScript.
 * Cells come back as strings, numbers or null (64-bit integers are converted to numbers).
 */
import { writeFileSync } from 'node:fs';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { InputError } from '../util/errors.js';

export type ParquetCell = string | number | null;

export interface ParquetData {
  header: string[];
  rows: ParquetCell[][];
}

/** A column to write: strings, or numbers stored as DOUBLE (or INT32 when every value is a 32-bit integer). */
export interface ParquetColumn {
  name: string;
  data: string[] | number[] | Float32Array;
}

/**
 * Reads a Parquet file's rows; with `columns`, only the columns it keeps (in file order), the others never decoded
 * (a catalog-scale table read for a few of its columns).
 */
export async function readParquet(path: string, options: { columns?: (name: string) => boolean } = {}): Promise<ParquetData> {
  let header: string[];
  let objects: Record<string, unknown>[];
  try {
    const file = await asyncBufferFromFile(path);
    const metadata = await parquetMetadataAsync(file);
    header = parquetSchema(metadata).children.map((c) => c.element.name);
    if (options.columns !== undefined) header = header.filter(options.columns);
    objects = await parquetReadObjects({ file, metadata, ...(options.columns === undefined ? {} : { columns: header }) });
  } catch (e) {
    throw new InputError(`cannot read as Parquet (${(e as Error).message})`, { file: path }, 'check that the file is a complete Parquet file, or convert it to CSV');
  }
  const rows = objects.map((o, r) =>
    header.map((name) => {
      const v = o[name];
      if (v === null || v === undefined) return null;
      if (typeof v === 'string' || typeof v === 'number') return v;
      if (typeof v === 'bigint') return Number(v);
      if (typeof v === 'boolean') return v ? 1 : 0;
      throw new InputError(`unsupported cell type ${typeof v}`, { file: path, row: r + 1, column: name }, 'catalog columns must hold text or numbers');
    }),
  );
  return { header, rows };
}

export function writeParquet(path: string, columns: ParquetColumn[]): void {
  const columnData = columns.map((c) => {
    if (Array.isArray(c.data) && c.data.every((v) => typeof v === 'string')) {
      return { name: c.name, data: c.data as string[], type: 'STRING' as const };
    }
    const nums = Array.from(c.data as ArrayLike<number>);
    const int32 = nums.every((v) => Number.isInteger(v) && Math.abs(v) < 2 ** 31);
    return int32 ? { name: c.name, data: Int32Array.from(nums), type: 'INT32' as const } : { name: c.name, data: Float64Array.from(nums), type: 'DOUBLE' as const };
  });
  writeFileSync(path, new Uint8Array(parquetWriteBuffer({ columnData })));
}
