/**
 * The galaxies of a standalone Bayesian-CNN training run: a labelled catalog (vote counts, or fractions × nominal N
 * expected votes) split by a hash of each id into train/val/test (split.ts; with a separate test catalog the data
 * is split into train/val only), optionally cut to N labelled training galaxies by a seeded id rank
 * (`labelledSplit`), and an `ImageDataset` per split. Rows without labels and rows `readCatalog` skipped are counted
 * and listed for the report, never dropped silently.
 */
import { existsSync } from 'node:fs';
import { InputError, OptionError } from '../../util/errors.js';
import { readCatalog, requireRows } from '../../data/catalogRead.js';
import { labelledSplit, splitRows, type SplitFractions } from '../../data/split.js';
import { ImageDataset, type BadImagePolicy } from '../../data/dataset.js';
import { catalogFileRow, type Catalog, type CatalogRow, type SkippedRow, type VoteLabelKind } from '../../data/catalog.js';
import type { AugmentOptions } from '../../data/augment.js';
import type { PreprocessOptions } from '../../data/preprocess.js';
import type { Schema } from '../../data/schema.js';
import { pseudoLabelledRows, type PseudoLabelOptions } from './trainPseudoLabels.js';

export interface TrainDataOptions {
  data: string;
  test: string | null;
  schema: string;
  nominalN: number;
  /** Labelled training galaxies to keep; null keeps every one. */
  labels: number | null;
  preprocess: PreprocessOptions;
  augment: Partial<AugmentOptions> | null;
  batchSize: number;
  onBad: BadImagePolicy;
  labelKind: VoteLabelKind;
  allowAbsolutePaths: boolean;
  seed: number;
  /** Unlabelled images a teacher model pseudo-labels for the training split (trainPseudoLabels.ts), or null. */
  pseudo: Pick<PseudoLabelOptions, 'unlabelled' | 'teacher' | 'votes' | 'passes' | 'progress'> | null;
}

/** A row left out of training, with where it came from. */
export interface LeftOutRow extends SkippedRow {
  /** The catalog (data or test) it was in. */
  catalog: string;
}

export interface TrainData {
  schema: Schema;
  catalog: Catalog;
  /** How the labels were read, for the report. */
  labelNote: string;
  split: { train: CatalogRow[]; val: CatalogRow[]; test: CatalogRow[] };
  /** Fractions used to split `data` (test 0 with a separate test catalog). */
  fractions: SplitFractions;
  /** Labelled training galaxies before `labels` cut them down. */
  trainAvailable: number;
  /**
   * Pseudo-labelled galaxies trained on after the labelled training split (in `datasets.train`, not in
   * `split.train`, so baselines and reports use the volunteers' labels only), and how they were made.
   */
  pseudo: { rows: CatalogRow[]; note: string } | null;
  datasets: { train: ImageDataset<CatalogRow>; val: ImageDataset<CatalogRow>; test: ImageDataset<CatalogRow> };
  /** Rows the catalog reader skipped (onBad 'skip') and rows without labels. */
  leftOut: LeftOutRow[];
}

export async function loadTrainData(o: TrainDataOptions): Promise<TrainData> {
  const leftOut: LeftOutRow[] = [];
  const { catalog, rows } = await readLabelled(o.data, o, leftOut);
  const fractions: SplitFractions = o.test === null ? { train: 0.8, val: 0.1, test: 0.1 } : { train: 0.9, val: 0.1, test: 0 };
  const split = splitRows(rows, fractions);
  if (o.test !== null) split.test = (await readLabelled(o.test, { ...o, schema: o.schema }, leftOut)).rows;
  const trainAvailable = split.train.length;
  if (o.labels !== null) {
    if (o.labels > split.train.length) {
      throw new OptionError('labels', `at most ${split.train.length} (the labelled galaxies in the training split of ${catalog.source})`, o.labels);
    }
    split.train = labelledSplit(split.train, o.labels, o.seed, () => true).labelled;
  }
  for (const name of ['train', 'val', 'test'] as const) {
    if (split[name].length === 0) {
      throw new InputError(`the ${name} split is empty (${rows.length} labelled galaxies, split ${fractions.train}/${fractions.val}/${fractions.test} by id)`,
        { file: name === 'test' && o.test !== null ? o.test : catalog.source },
        name === 'train' ? 'use a larger catalog or a larger --labels' : 'use a larger catalog' + (name === 'test' ? ' or pass --test DIR' : ''));
    }
  }
  let pseudo: TrainData['pseudo'] = null;
  if (o.pseudo !== null) {
    const made = await pseudoLabelledRows({ ...o.pseudo, schema: catalog.schema, labelledIds: new Set(rows.map((r) => r.id)), onBad: o.onBad,
      allowAbsolutePaths: o.allowAbsolutePaths, batchSize: o.batchSize, seed: o.seed });
    leftOut.push(...made.leftOut);
    pseudo = { rows: made.rows, note: made.note };
  }
  const counts = { counts: (r: CatalogRow) => r.counts };
  const common = { preprocess: o.preprocess, labels: counts, batchSize: o.batchSize, onBad: o.onBad, seed: o.seed };
  const datasets = {
    train: new ImageDataset([...split.train, ...(pseudo?.rows ?? [])], { ...common, augment: o.augment, shuffle: true }),
    val: new ImageDataset(split.val, { ...common, augment: null, shuffle: false }),
    test: new ImageDataset(split.test, { ...common, augment: null, shuffle: false }),
  };
  const labelNote = catalog.labelKind === 'counts'
    ? 'volunteer vote counts from the catalog'
    : `vote fractions × nominal N = ${catalog.nominalN} volunteers (expected counts; the catalog has no counts)`;
  return { schema: catalog.schema, catalog, labelNote, split, fractions, trainAvailable, pseudo, datasets, leftOut };
}

async function readLabelled(path: string, o: TrainDataOptions, leftOut: LeftOutRow[]): Promise<{ catalog: Catalog; rows: CatalogRow[] }> {
  if (!existsSync(path)) throw new InputError('catalog not found', { file: path }, 'pass a catalog folder (labels.csv + images/) or a CSV/Parquet table');
  const catalog = await readCatalog(path, { schema: o.schema, onBad: o.onBad, labelKind: o.labelKind, allowAbsolutePaths: o.allowAbsolutePaths, nominalN: o.nominalN });
  requireRows(catalog);
  if (catalog.labelKind !== 'counts' && catalog.labelKind !== 'fractions') {
    throw new InputError(`training needs vote counts or fractions as labels, but this catalog has ${catalog.labelKind === 'none' ? 'no labels' : 'class labels'}`,
      { file: catalog.source }, 'use a catalog with one column per schema answer (e.g. from `galmorph simulate`)');
  }
  for (const s of catalog.skipped) leftOut.push({ ...s, catalog: catalog.source });
  const unlabelled = catalog.rows.filter((r) => r.counts === undefined);
  if (unlabelled.length > 0 && o.onBad === 'error') {
    throw new InputError(`${unlabelled.length} rows have no labels (first: "${unlabelled[0].id}")`, { file: catalog.source },
      'remove unlabelled rows, or pass --on-bad skip to leave them out and list them in the report');
  }
  const skippedRows = catalog.skipped.map((s) => s.row).sort((a, b) => a - b);
  for (const r of unlabelled) {
    leftOut.push({ row: catalogFileRow(catalog.rows.indexOf(r), skippedRows), id: r.id, reason: 'no labels (every answer column empty)', catalog: catalog.source });
  }
  return { catalog, rows: catalog.rows.filter((r) => r.counts !== undefined) };
}
