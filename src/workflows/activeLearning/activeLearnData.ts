/**
 * The galaxies of an active-learning run: a labelled catalog (the oracle: simulated volunteers' vote counts, or a
 * real catalog's held labels — for a fractions catalog, fraction × nominal N × P(asked) expected votes), optional
 * true probabilities (a simulator's truth.csv beside the catalog), a test split that is never acquired (an id-hash
 * split, or a separate catalog), the initial labelled set and the unlabelled pool (seeded choices), and every
 * image decoded once into memory.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InputError } from '../../util/errors.js';
import { Rng } from '../../util/rng.js';
import { ProgressBar } from '../../util/progress.js';
import { readCatalog, requireRows } from '../../data/catalogRead.js';
import { readCsv } from '../../data/csv.js';
import { splitOf } from '../../data/split.js';
import { ImageDataset, type BadImagePolicy } from '../../data/dataset.js';
import type { Catalog, CatalogRow, VoteLabelKind } from '../../data/catalog.js';
import type { PreprocessOptions } from '../../data/preprocess.js';
import type { Schema } from '../../data/schema.js';

export interface ActiveLearnGalaxy {
  id: string;
  image: string;
  /** The oracle's answer: vote counts per schema answer. */
  counts: Float32Array;
  /** Preprocessed pixels (HWC). */
  pixels: Float32Array;
  /** The simulator's true values (truth.csv columns), if any. */
  truth: Record<string, number> | null;
}

export interface ActiveLearnData {
  schema: Schema;
  catalog: Catalog;
  /** Where the labels came from, for the report (e.g. "fractions × nominal N = 40"). */
  labelNote: string;
  initial: ActiveLearnGalaxy[];
  /** Labelled galaxies for early stopping, never acquired or tested on (the same for every acquisition function). */
  val: ActiveLearnGalaxy[];
  pool: ActiveLearnGalaxy[];
  test: ActiveLearnGalaxy[];
  /** Numeric truth.csv columns (empty without truth). */
  truthColumns: string[];
  imageShape: [number, number, number];
  /** Galaxies left out (`onBad: 'skip'`): bad catalog rows, unlabelled rows and unreadable images, with reasons. */
  skipped: ActiveLearnSkipped[];
}

export interface ActiveLearnSkipped {
  /** The catalog (data or test) it was in. */
  catalog: string;
  /** 1-based data row (null for an image found unreadable while decoding). */
  row: number | null;
  id: string;
  kind: 'row' | 'unlabelled' | 'image';
  reason: string;
}

export interface LoadActiveLearnDataOptions {
  data: string;
  test: string | null;
  schema: string;
  preprocess: Partial<PreprocessOptions>;
  initialLabels: number;
  /** Validation galaxies drawn after the initial ones, before the pool (0: none, no early stopping). @default 0 */
  valSize?: number;
  poolSize: number;
  testSize: number;
  nominalN: number;
  seed: number;
  progress: boolean;
  /** Bad rows, unlabelled rows and unreadable images stop the run ('error') or are left out and listed ('skip'). */
  onBad: BadImagePolicy;
  labelKind: VoteLabelKind;
  allowAbsolutePaths: boolean;
}

export async function loadActiveLearnData(o: LoadActiveLearnDataOptions): Promise<ActiveLearnData> {
  const skipped: ActiveLearnSkipped[] = [];
  const catalog = await readLabelledCatalog(o.data, o, skipped);
  const truth = readTruth(o.data);
  const testCatalog = o.test === null ? null : await readLabelledCatalog(o.test, o, skipped);
  const testTruth = o.test === null ? truth : readTruth(o.test);
  const trainRows = o.test === null ? catalog.rows.filter((r) => splitOf(r.id, { train: 0.8, val: 0, test: 0.2 }, 'active-learn') === 'train') : catalog.rows;
  const testRows = testCatalog === null ? catalog.rows.filter((r) => !trainRows.includes(r)) : testCatalog.rows;
  const shuffled = Rng.derive(o.seed, 'active-learn-rows').shuffle([...trainRows]);
  if (shuffled.length < o.initialLabels + (o.valSize ?? 0) + 1) {
    throw new InputError(`only ${shuffled.length} labelled training galaxies, but ${o.initialLabels} are needed to start, ${o.valSize ?? 0} to validate, plus a pool to acquire from`,
      { file: catalog.source }, 'use a larger catalog or a smaller --initial or --val-size');
  }
  const valSize = o.valSize ?? 0;
  const initialRows = shuffled.slice(0, o.initialLabels);
  const valRows = shuffled.slice(o.initialLabels, o.initialLabels + valSize);
  const poolRows = shuffled.slice(o.initialLabels + valSize, o.initialLabels + valSize + o.poolSize);
  const testChosen = Rng.derive(o.seed, 'active-learn-test').shuffle([...testRows]).slice(0, o.testSize);
  if (testChosen.length === 0) throw new InputError('the test split is empty', { file: o.test ?? catalog.source }, 'use a larger catalog or pass --test DIR');
  const all = [...initialRows, ...valRows, ...poolRows, ...testChosen];
  const dataset = new ImageDataset(all, { preprocess: o.preprocess, shuffle: false, batchSize: 64, cache: 'memory', onBad: o.onBad });
  const pixels = new Map<string, Float32Array>();
  const per = dataset.imageShape.reduce((a, b) => a * b, 1);
  const bar = o.progress ? new ProgressBar({ label: 'decode images', total: all.length, unit: 'images' }) : null;
  for await (const batch of dataset.batches(0)) {
    batch.ids.forEach((id, k) => pixels.set(id, batch.arrays.images.slice(k * per, (k + 1) * per)));
    bar?.tick(batch.size);
  }
  bar?.finish();
  for (const b of dataset.badImages) skipped.push({ catalog: b.image, row: null, id: b.id, kind: 'image', reason: b.reason });
  const galaxy = (row: CatalogRow, source: Map<string, Record<string, number>> | null): ActiveLearnGalaxy => ({
    id: row.id, image: row.image, counts: row.counts!, pixels: pixels.get(row.id)!, truth: source?.get(row.id) ?? null,
  });
  const keep = (rows: CatalogRow[], source: Map<string, Record<string, number>> | null) =>
    rows.filter((r) => pixels.has(r.id)).map((r) => galaxy(r, source));
  const labelNote = catalog.labelKind === 'counts'
    ? 'volunteer vote counts from the catalog'
    : `vote fractions × nominal N = ${catalog.nominalN} volunteers (expected counts; the catalog has no counts)`;
  const truthColumns = truth === null ? [] : Object.keys(truth.values().next().value ?? {});
  return {
    schema: catalog.schema, catalog, labelNote,
    initial: keep(initialRows, truth), val: keep(valRows, truth), pool: keep(poolRows, truth), test: keep(testChosen, testTruth),
    truthColumns, imageShape: dataset.imageShape, skipped,
  };
}

async function readLabelledCatalog(path: string, o: LoadActiveLearnDataOptions, skipped: ActiveLearnSkipped[]): Promise<Catalog> {
  if (!existsSync(path)) throw new InputError('catalog not found', { file: path }, 'pass a catalog folder (labels.csv + images/) or table');
  const catalog = await readCatalog(path, { schema: o.schema, onBad: o.onBad, labelKind: o.labelKind, allowAbsolutePaths: o.allowAbsolutePaths, nominalN: o.nominalN });
  if (catalog.labelKind !== 'counts' && catalog.labelKind !== 'fractions') {
    throw new InputError(`active learning needs vote counts or fractions as labels, but this catalog has ${catalog.labelKind === 'none' ? 'no labels' : 'class labels'}`,
      { file: catalog.source }, 'the oracle reveals each acquired galaxy\'s votes: use a catalog with one column per answer');
  }
  for (const s of catalog.skipped) skipped.push({ catalog: catalog.source, row: s.row, id: s.id, kind: 'row', reason: s.reason });
  const unlabelled = catalog.rows.filter((r) => r.counts === undefined);
  if (unlabelled.length > 0 && o.onBad === 'error') {
    throw new InputError(`${unlabelled.length} rows have no labels (first: "${unlabelled[0].id}")`, { file: catalog.source },
      'every galaxy the oracle may reveal needs its votes: remove unlabelled rows, or pass --on-bad skip to leave them out and list them');
  }
  for (const r of unlabelled) skipped.push({ catalog: catalog.source, row: null, id: r.id, kind: 'unlabelled', reason: `${catalog.source}: galaxy "${r.id}" has no labels (every answer column empty)` });
  const labelled = catalog.rows.filter((r) => r.counts !== undefined);
  requireRows({ ...catalog, rows: labelled }, 'labelled galaxies');
  return { ...catalog, rows: labelled };
}

/** truth.csv beside the catalog: id column + numeric columns (true probabilities and galaxy properties). */
function readTruth(path: string): Map<string, Record<string, number>> | null {
  const folder = existsSync(path) && statSync(path).isDirectory() ? path : dirname(path);
  const file = join(folder, 'truth.csv');
  if (!existsSync(file)) return null;
  const { header, rows } = readCsv(file);
  const idColumn = header.findIndex((h) => ['id', 'galaxy_id', 'GalaxyID'].includes(h));
  if (idColumn < 0) throw new InputError('truth.csv has no id column', { file }, 'the simulator writes "id" as the first column');
  const numeric = header.map((_, c) => c !== idColumn && rows.every((r) => r[c] === '' || Number.isFinite(Number(r[c]))));
  const out = new Map<string, Record<string, number>>();
  for (const r of rows) {
    const values: Record<string, number> = {};
    header.forEach((h, c) => {
      if (numeric[c]) values[h] = r[c] === '' ? Number.NaN : Number(r[c]);
    });
    out.set(String(r[idColumn]), values);
  }
  return out;
}
