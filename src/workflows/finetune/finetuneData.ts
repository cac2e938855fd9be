/**
 * The galaxies of a fine-tuning job: a catalog with a class column (`--label-column`), its classes optionally renamed
 * or merged and the rest left out (`--classes`), a test set (a separate catalog, or an id-hash share of the catalog
 * held out from every run), and for each run N labelled galaxies taken from the rest by a seeded id rank, stratified
 * by class (each class in proportion to its share of the pool, largest remainders first), of which a stratified share
 * validates (early stopping) and the others train. Fine-tuned and from-scratch runs of one (N, seed) share the same
 * galaxies. Rows left out are counted and listed for the report, never dropped silently.
 */
import { existsSync } from 'node:fs';
import { InputError, OptionError } from '../../util/errors.js';
import { readCatalog, requireRows } from '../../data/catalogRead.js';
import { idUniform, splitRows } from '../../data/split.js';
import type { Catalog, CatalogRow } from '../../data/catalog.js';
import type { BadImagePolicy } from '../../data/dataset.js';

/** A target class of the task and the catalog classes it gathers. */
export interface ClassMapping {
  name: string;
  sources: string[];
}

/** A galaxy of the task: its catalog row with the task's class index and that class as a one-hot vote count. */
export interface LabelledRow extends CatalogRow {
  label: number;
  counts: Float32Array;
}

export interface LeftOut {
  catalog: string;
  id: string;
  reason: string;
}

export interface FinetuneData {
  classNames: string[];
  catalog: Catalog;
  /** Galaxies runs draw their labels from. */
  pool: LabelledRow[];
  test: LabelledRow[];
  /** Where the test galaxies came from, for the report. */
  testNote: string;
  leftOut: LeftOut[];
}

export interface FinetuneDataOptions {
  data: string;
  test: string | null;
  labelColumn: string;
  classes: ClassMapping[] | null;
  testFraction: number;
  onBad: BadImagePolicy;
  allowAbsolutePaths: boolean;
}

/**
 * "elliptical,spiral=spiral_clockwise+spiral_anticlockwise" → [{elliptical ← elliptical}, {spiral ← both}];
 * malformed text becomes the raw string, which the option's schema refuses with the expected form.
 */
export function parseClassMapping(raw: string): unknown {
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.some((p) => p === '')) return raw;
  const out: ClassMapping[] = [];
  for (const part of parts) {
    const [name, sources, ...rest] = part.split('=').map((x) => x.trim());
    if (rest.length > 0 || name === '') return raw;
    const list = sources === undefined ? [name] : sources.split('+').map((s) => s.trim());
    if (list.some((s) => s === '')) return raw;
    out.push({ name, sources: list });
  }
  return out;
}

export async function loadFinetuneData(o: FinetuneDataOptions): Promise<FinetuneData> {
  const leftOut: LeftOut[] = [];
  const main = await readClassCatalog(o.data, o, leftOut);
  const classNames = (o.classes ?? main.catalog.classNames?.map((c) => ({ name: c, sources: [c] })) ?? []).map((c) => c.name);
  const mapping = classIndex(o.classes, main.catalog, o.labelColumn);
  const labelled = relabel(main.rows, main.catalog, mapping, leftOut);
  requireEnough(labelled, classNames, main.catalog.source, o.labelColumn);
  let pool: LabelledRow[];
  let test: LabelledRow[];
  let testNote: string;
  if (o.test !== null) {
    const other = await readClassCatalog(o.test, o, leftOut);
    test = relabel(other.rows, other.catalog, classIndex(o.classes ?? classNames.map((c) => ({ name: c, sources: [c] })), other.catalog, o.labelColumn), leftOut);
    if (test.length === 0) throw new InputError('no test galaxy has one of the task\'s classes', { file: other.catalog.source }, `its column ${o.labelColumn} should hold ${classNames.join(', ')}`);
    const testIds = new Set(test.map((r) => r.id));
    pool = labelled.filter((r) => !testIds.has(r.id));
    testNote = `the separate catalog ${other.catalog.source} (${test.length} galaxies` +
      (pool.length < labelled.length ? `; ${labelled.length - pool.length} of its ids also in --data were left out of the training pool` : '') + ')';
  } else {
    const split = splitRows(labelled, { train: 1 - o.testFraction, val: 0, test: o.testFraction }, 'finetune-test');
    pool = split.train;
    test = split.test;
    testNote = `an id-hash ${Math.round(100 * o.testFraction)}% of ${main.catalog.source} held out from every run (${test.length} galaxies)`;
    if (test.length === 0) throw new InputError(`the held-out test split is empty (${labelled.length} galaxies, --test-fraction ${o.testFraction})`, { file: main.catalog.source }, 'use a larger catalog or --test-fraction, or pass --test');
  }
  return { classNames, catalog: main.catalog, pool, test, testNote, leftOut };
}

/** N galaxies of the pool for one run (stratified, by a seeded id rank), split into training and validation ones. */
export function runSplit(pool: readonly LabelledRow[], classes: number, labels: number, valFraction: number, seed: number): { train: LabelledRow[]; val: LabelledRow[] } {
  if (labels > pool.length) throw new OptionError('labels', `at most ${pool.length} (the labelled galaxies outside the test set)`, labels);
  const salt = `finetune:${seed}`;
  const byClass = Array.from({ length: classes }, () => [] as { row: LabelledRow; rank: number }[]);
  for (const row of pool) byClass[row.label].push({ row, rank: idUniform(row.id, salt) });
  for (const rows of byClass) rows.sort((a, b) => a.rank - b.rank || (a.row.id < b.row.id ? -1 : 1));
  const chosen = take(byClass.map((rows) => rows.map((r) => r.row)), labels);
  const valCount = Math.max(1, Math.round(valFraction * labels));
  if (valCount >= labels) throw new OptionError('labels', `more than ${valCount} (the validation galaxies taken from them, --val-fraction ${valFraction})`, labels);
  // The last-ranked galaxies of each class validate, so the training galaxies of N labels are among those of 2N.
  const val = take(chosen.map((rows) => [...rows].reverse()), valCount);
  const valIds = new Set(val.flat().map((r) => r.id));
  return { train: chosen.flat().filter((r) => !valIds.has(r.id)), val: val.flat() };
}

/** `count` rows from the classes' ranked lists, each class in proportion to its size (largest remainders first). */
function take(ranked: readonly LabelledRow[][], count: number): LabelledRow[][] {
  const total = ranked.reduce((n, rows) => n + rows.length, 0);
  const exact = ranked.map((rows) => (count * rows.length) / total);
  const quota = exact.map(Math.floor);
  let left = count - quota.reduce((a, b) => a + b, 0);
  const order = exact.map((x, k) => ({ k, rest: x - Math.floor(x) })).sort((a, b) => b.rest - a.rest || a.k - b.k);
  for (const { k } of order) {
    if (left === 0) break;
    if (quota[k] < ranked[k].length) {
      quota[k] += 1;
      left -= 1;
    }
  }
  return ranked.map((rows, k) => rows.slice(0, quota[k]));
}

async function readClassCatalog(path: string, o: FinetuneDataOptions, leftOut: LeftOut[]): Promise<{ catalog: Catalog; rows: CatalogRow[] }> {
  if (!existsSync(path)) throw new InputError('catalog not found', { file: path }, 'pass a catalog folder (labels.csv + images/) or a CSV/Parquet table');
  let catalog: Catalog;
  try {
    catalog = await readCatalog(path, { classColumn: o.labelColumn, labelKind: 'class', onBad: o.onBad, allowAbsolutePaths: o.allowAbsolutePaths });
  } catch (e) {
    // The reader names its own option; say it with the command's flag.
    if (e instanceof InputError && e.message.includes(`option classColumn names column "${o.labelColumn}"`)) {
      throw new InputError(`--label-column names column "${o.labelColumn}", which the catalog lacks`, { file: e.location?.file ?? path }, e.hint ?? 'name one of its columns');
    }
    throw e;
  }
  requireRows(catalog);
  for (const s of catalog.skipped) leftOut.push({ catalog: catalog.source, id: s.id, reason: s.reason });
  return { catalog, rows: catalog.rows.filter((r) => r.label !== undefined) };
}

/** Per catalog class index: the task's class index, or -1 for a class the task leaves out. */
function classIndex(classes: ClassMapping[] | null, catalog: Catalog, column: string): number[] {
  const names = catalog.classNames ?? [];
  if (classes === null) return names.map((_, k) => k);
  const index = names.map(() => -1);
  const targets = new Set<string>();
  classes.forEach((c, t) => {
    if (targets.has(c.name)) throw new OptionError('classes', 'distinct class names', c.name);
    targets.add(c.name);
    for (const s of c.sources) {
      const k = names.indexOf(s);
      if (k < 0) throw new InputError(`--classes names class "${s}", which column ${column} does not hold`, { file: catalog.source, column }, `its classes are: ${names.join(', ')}`);
      if (index[k] >= 0) throw new OptionError('classes', `each catalog class in one class only ("${s}" is in ${classes[index[k]].name} and ${c.name})`, s);
      index[k] = t;
    }
  });
  if (classes.length < 2) throw new OptionError('classes', 'at least 2 classes', classes.map((c) => c.name).join(','));
  return index;
}

function relabel(rows: readonly CatalogRow[], catalog: Catalog, index: number[], leftOut: LeftOut[]): LabelledRow[] {
  const width = Math.max(...index) + 1;
  const out: LabelledRow[] = [];
  for (const row of rows) {
    const label = index[row.label as number];
    if (label < 0) {
      leftOut.push({ catalog: catalog.source, id: row.id, reason: `class "${catalog.classNames?.[row.label as number]}" is not one of --classes` });
      continue;
    }
    const counts = new Float32Array(width);
    counts[label] = 1;
    out.push({ ...row, label, counts });
  }
  return out;
}

function requireEnough(rows: readonly LabelledRow[], classNames: readonly string[], file: string, column: string): void {
  if (classNames.length < 2) {
    throw new InputError(`column ${column} holds ${classNames.length} class${classNames.length === 1 ? '' : 'es'}; a classifier needs at least 2`, { file, column }, 'pick a column with two or more classes');
  }
  const counts = classNames.map((_, k) => rows.filter((r) => r.label === k).length);
  const thin = classNames.filter((_, k) => counts[k] < 2);
  if (thin.length > 0) {
    throw new InputError(`class${thin.length > 1 ? 'es' : ''} ${thin.map((c) => `"${c}" (${counts[classNames.indexOf(c)]} galaxies)`).join(', ')} of column ${column} ` +
      'ha' + (thin.length > 1 ? 've' : 's') + ' fewer than 2 galaxies: a class needs one to learn from and one to score', { file, column },
      'label more galaxies of it, merge it into another class or leave it out with --classes (e.g. --classes a,b=b+c)');
  }
}
