/**
 * Write a catalog as CSV or Parquet (by extension; a folder path gets `labels.csv`), in the layout
 * `readCatalog` reads back: `id`, `image_file` (relative to the written file's folder when the image lies
 * inside it), then the labels — one column per answer of each labelled question (counts, or per-question
 * fractions) or `class_code` / `class_name`. A row without labels gets empty cells (NaN in Parquet).
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Catalog } from './catalog.js';
import { tableFormat } from './catalogTable.js';
import { writeCsv } from './csv.js';
import { writeParquet, type ParquetColumn } from './parquet.js';

/** Writes the catalog and returns the absolute path of the table file. */
export function writeCatalog(path: string, catalog: Catalog): string {
  let file = resolve(path);
  if ((existsSync(file) && statSync(file).isDirectory()) || extname(file) === '') file = join(file, 'labels.csv');
  const format = tableFormat(file);
  const folder = dirname(file);
  mkdirSync(folder, { recursive: true });

  const columns: ParquetColumn[] = [
    { name: 'id', data: catalog.rows.map((r) => r.id) },
    { name: 'image_file', data: catalog.rows.map((r) => imageCell(r.image, folder)) },
  ];
  const { schema, labelKind } = catalog;
  if (labelKind === 'counts' || labelKind === 'fractions') {
    for (const q of schema.questions) {
      if (!catalog.labelledQuestions[q.index]) continue;
      for (const a of q.answers) {
        columns.push({ name: a.column, data: catalog.rows.map((r) => (labelKind === 'counts' ? r.counts : r.fractions)?.[a.index] ?? Number.NaN) });
      }
    }
  } else if (labelKind === 'class') {
    const names = catalog.classNames ?? [];
    columns.push({ name: 'class_code', data: catalog.rows.map((r) => r.label ?? Number.NaN) });
    columns.push({ name: 'class_name', data: catalog.rows.map((r) => (r.label === undefined ? '' : names[r.label] ?? `class ${r.label}`)) });
  }

  if (format === 'parquet') {
    writeParquet(file, columns);
  } else {
    const rows = catalog.rows.map((_, k) => columns.map((c) => {
      const v = c.data[k];
      return typeof v === 'number' && Number.isNaN(v) ? '' : v;
    }));
    writeCsv(file, columns.map((c) => c.name), rows);
  }
  return file;
}

function imageCell(image: string, folder: string): string {
  const rel = relative(folder, image);
  return rel.startsWith('..') || isAbsolute(rel) ? image : rel.split(sep).join('/');
}
