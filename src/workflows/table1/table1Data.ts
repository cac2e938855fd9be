/**
 * The data of a Table 1 run: the labelled catalog split by id hash into a training pool, a validation split (best
 * checkpoint selection) and a test split (never used for training or selection); extra unlabelled images; an
 * optional external test catalog; the simulator's true probabilities when the folder has a truth.csv. Labels are
 * one question's vote counts (expected counts = fraction × nominal N when the catalog has only fractions).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CatalogRow, SkippedRow, VoteLabelKind } from '../../data/catalog.js';
import { readCatalog } from '../../data/catalogRead.js';
import { readCsv } from '../../data/csv.js';
import { ImageDataset, type BadImagePolicy } from '../../data/dataset.js';
import type { PreprocessOptions } from '../../data/preprocess.js';
import type { AugmentOptions } from '../../data/augment.js';
import { REGIMES } from '../../train/regimes/regimePhases.js';
import type { Question, Schema } from '../../data/schema.js';
import { labelledSplit, splitRows } from '../../data/split.js';
import { InputError } from '../../util/errors.js';

export interface LabelledRow extends CatalogRow {
  /** The question's vote counts (or expected counts). */
  questionCounts: Float32Array;
  /** The question's vote fractions. */
  questionFractions: Float32Array;
  /** The simulator's true answer probabilities of the question, when known. */
  truth: Float32Array | null;
}

export interface EvaluationSet {
  name: string;
  rows: LabelledRow[];
}

export interface Table1Data {
  schema: Schema;
  question: Question;
  /** Labelled rows for training (labelled subsets are drawn from these). */
  trainPool: LabelledRow[];
  val: LabelledRow[];
  test: LabelledRow[];
  /** Every image the VAE may learn from: the training pool plus the extra unlabelled catalog. */
  unlabelled: CatalogRow[];
  /** The external test catalog (--test), if any. */
  externalTest: EvaluationSet | null;
  /** How the labels were obtained, for the summary. */
  labelNote: string;
  /** Rows left out of the catalogs (`onBad: 'skip'`, and unlabelled rows), per source: count and list with reasons. */
  skipped: SkippedSource[];
}

export interface SkippedSource {
  source: string;
  rows: number;
  list: SkippedRow[];
}

export interface Table1DataOptions {
  data: string;
  unlabelled: string | null;
  test: string | null;
  schema: string;
  /** Question key; null = the schema's first question. */
  question: string | null;
  nominalN: number;
  split: { train: number; val: number; test: number };
  valSize: number;
  onBad: BadImagePolicy;
  labelKind: VoteLabelKind;
  allowAbsolutePaths: boolean;
}

function truthTable(folder: string, schema: Schema, question: Question): Map<string, Float32Array> | null {
  const file = join(folder, 'truth.csv');
  if (!existsSync(file)) return null;
  const csv = readCsv(file);
  const idCol = csv.header.indexOf('id');
  const cols = question.answers.map((a) => csv.header.indexOf(`p_${a.key}`));
  if (idCol < 0 || cols.some((c) => c < 0)) {
    throw new InputError(`truth.csv lacks the columns id and ${question.answers.map((a) => `p_${a.key}`).join(', ')}`, { file },
      `simulate with the "${schema.name}" schema or drop truth.csv`);
  }
  const out = new Map<string, Float32Array>();
  csv.rows.forEach((row, i) => {
    const values = Float32Array.from(cols, (c) => Number(row[c]));
    if (values.some((v) => !Number.isFinite(v))) throw new InputError('a true probability is not a number', { file, row: i + 1 });
    out.set(row[idCol], values);
  });
  return out;
}

async function labelledRows(folder: string, o: Table1DataOptions, questionKey: string | null): Promise<{ rows: LabelledRow[]; schema: Schema; question: Question; note: string; skipped: SkippedRow[] }> {
  const catalog = await readCatalog(folder, { schema: o.schema, nominalN: o.nominalN, onBad: o.onBad, labelKind: o.labelKind, allowAbsolutePaths: o.allowAbsolutePaths });
  if (catalog.labelKind !== 'counts' && catalog.labelKind !== 'fractions') {
    throw new InputError(`the catalog has ${catalog.labelKind} labels; Table 1 needs vote counts or fractions of the question`, { file: catalog.source });
  }
  const schema = catalog.schema;
  const question = questionKey === null ? schema.questions[0] : schema.question(questionKey);
  const truth = truthTable(folder, schema, question);
  const rows: LabelledRow[] = [];
  const skipped: SkippedRow[] = [...catalog.skipped];
  for (const row of catalog.rows) {
    if (row.counts === undefined || row.fractions === undefined) {
      skipped.push({ row: 0, id: row.id, reason: `${catalog.source}: galaxy "${row.id}" has no labels (every answer column empty); left out of the labelled splits` });
      continue;
    }
    const counts = row.counts.slice(question.start, question.end);
    const fractions = row.fractions.slice(question.start, question.end);
    if (counts.reduce((a, b) => a + b, 0) <= 0) continue; // the question was not asked of this galaxy
    const t = truth?.get(row.id) ?? null;
    if (truth !== null && t === null) throw new InputError(`galaxy "${row.id}" is missing from truth.csv`, { file: join(folder, 'truth.csv') });
    rows.push({ ...row, questionCounts: counts, questionFractions: fractions, truth: t });
  }
  const note = catalog.labelKind === 'counts'
    ? 'volunteer vote counts'
    : `vote fractions × nominal N = ${catalog.nominalN} volunteers (× P(asked)) as expected counts — the catalog has no counts`;
  return { rows, schema, question, note: `${note}; read as ${catalog.labelKindReason ?? catalog.labelKind}`, skipped };
}

export async function loadTable1Data(o: Table1DataOptions): Promise<Table1Data> {
  const main = await labelledRows(o.data, o, o.question);
  const parts = splitRows(main.rows, o.split, 'table1');
  const skipped: SkippedSource[] = [{ source: o.data, rows: main.skipped.length, list: main.skipped }];
  const unlabelled: CatalogRow[] = [...parts.train];
  if (o.unlabelled !== null) {
    const extra = await readCatalog(o.unlabelled, { schema: o.schema, labelKind: 'none', onBad: o.onBad, allowAbsolutePaths: o.allowAbsolutePaths });
    const held = new Set([...parts.val, ...parts.test].map((r) => r.id));
    unlabelled.push(...extra.rows.filter((r) => !held.has(r.id)));
    skipped.push({ source: o.unlabelled, rows: extra.skipped.length, list: extra.skipped });
  }
  let externalTest: EvaluationSet | null = null;
  if (o.test !== null) {
    const ext = await labelledRows(o.test, o, main.question.key);
    externalTest = { name: 'external', rows: ext.rows };
    skipped.push({ source: o.test, rows: ext.skipped.length, list: ext.skipped });
  }
  return {
    schema: main.schema,
    question: main.question,
    trainPool: parts.train,
    val: parts.val.slice(0, o.valSize),
    test: parts.test,
    unlabelled,
    externalTest,
    labelNote: main.note,
    skipped,
  };
}

/** The labelled subset of a cell: `count` rows of the training pool chosen by a seeded id ranking. */
export function labelledSubset(pool: readonly LabelledRow[], count: number, seed: number): LabelledRow[] {
  return labelledSplit(pool, count, seed, () => true).labelled;
}

/**
 * Augmentation of a phase's training images: 'none' (the paper's choice for the ET models, whose layers are meant to
 * learn the pose themselves), 'flip' (random horizontal and vertical flips), 'rotate' (flips and any-angle rotation).
 */
export const AUGMENTATIONS = ['none', 'flip', 'rotate'] as const;
export type Augmentation = (typeof AUGMENTATIONS)[number];

const AUGMENT_OF: Readonly<Record<Augmentation, Partial<AugmentOptions> | null>> = {
  none: null,
  flip: { flip: true, rotate: 'none' },
  rotate: { flip: true, rotate: 'any' },
};

/** The phases an augmentation is chosen for: each regime's training phase, and the shared VAE pre-training. */
export const AUGMENTED_PHASES = [...REGIMES, 'pretrain'] as const;
export type AugmentedPhase = (typeof AUGMENTED_PHASES)[number];

/** The augmentation of a phase: its entry in `augment`, else 'rotate' (flips and any-angle rotation). */
export function augmentationOf(o: { augment: Partial<Record<AugmentedPhase, Augmentation>> }, phase: AugmentedPhase): Augmentation {
  return o.augment[phase] ?? 'rotate';
}

export interface DatasetChoice {
  preprocess: Partial<PreprocessOptions>;
  batchSize: number;
  seed: number;
  /** Training sets shuffle and augment (as `augment` says); evaluation sets do neither. */
  training: boolean;
  /** Augmentation of a training set. @default 'rotate' */
  augment?: Augmentation;
  /** An unreadable image stops the run ('error') or is left out and listed ('skip'). */
  onBad: BadImagePolicy;
}

export function labelledDataset(rows: readonly LabelledRow[], c: DatasetChoice): ImageDataset<LabelledRow> {
  return new ImageDataset(rows, {
    preprocess: c.preprocess,
    augment: c.training ? AUGMENT_OF[c.augment ?? 'rotate'] : null,
    labels: { counts: (r) => r.questionCounts },
    batchSize: c.batchSize,
    shuffle: c.training,
    seed: c.seed,
    memoryBudgetMB: 4096,
    onBad: c.onBad,
  });
}

export function imageDataset(rows: readonly CatalogRow[], c: DatasetChoice): ImageDataset<CatalogRow> {
  return new ImageDataset(rows, {
    preprocess: c.preprocess,
    augment: c.training ? AUGMENT_OF[c.augment ?? 'rotate'] : null,
    batchSize: c.batchSize,
    shuffle: c.training,
    seed: c.seed,
    memoryBudgetMB: 4096,
    onBad: c.onBad,
  });
}
