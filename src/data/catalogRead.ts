/**
 * Read a catalog (CSV or Parquet file, or a folder holding labels.csv/labels.parquet and images/) against a
 * schema: find the id, image and label columns, parse and validate every row. Column problems always stop
 * the read; row problems stop it (`onBad: 'error'`) or leave the row out and list it (`onBad: 'skip'`).
 */
import { NOMINAL_VOLUNTEERS } from './schema.js';
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { InputError, OptionError } from '../util/errors.js';
import { check, resolveOptions, type Spec } from '../util/options.js';
import { FRACTION_STYLES, LABEL_KINDS, type Catalog, type CatalogRow, type FractionStyle, type LabelKind, type SkippedRow } from './catalog.js';
import { locateCatalog, readCatalogTable, type Cell, type CatalogTable } from './catalogTable.js';
import { answerColumnNames, countsToFractions, fractionsToCounts, kaggleWeightedToQuestionFractions, questionColumnPrefixes, type Schema } from './schema.js';
import { getSchema } from './schemas/index.js';

export interface ReadCatalogOptions {
  /** Schema (or built-in name / JSON path) whose answers name the label columns. @default 'gz2' */
  schema: Schema | string;
  /** Folder that relative image paths are resolved in. @default null (images/ beside the table if present, else the table's folder) */
  imageDir: string | null;
  /** Column with the image file. @default null (auto: image, image_file, file_loc, …; absent → `<id>.<png|jpg|jpeg|fits>` in imageDir) */
  imageColumn: string | null;
  /** Column with the galaxy id. @default null (auto: id, galaxy_id, GalaxyID, objid, …) */
  idColumn: string | null;
  /** Column with a class label (code or name). @default null (auto: *class_code, *class_name, class, label) */
  classColumn: string | null;
  /**
   * What the labels are. 'percentages' are fractions × 100 (read as fractions). 'none' ignores label columns.
   * @default 'auto' (answer columns → counts, fractions or percentages by what most rows hold, explained in
   * `catalog.labelKindReason`; a class column → class; else none)
   */
  labelKind: LabelKind | 'percentages' | 'auto';
  /** How fraction columns are weighted. @default 'auto' (the style most rows fit) */
  fractionStyle: FractionStyle | 'auto';
  /** Bad rows stop the read ('error') or are left out and listed in `catalog.skipped` ('skip'). @default 'error' */
  onBad: 'error' | 'skip';
  /** Check that every image file exists. @default true */
  checkImages: boolean;
  /** Volunteers assumed per galaxy when turning fractions into expected counts. @default 40 */
  nominalN: number;
  /** Allowed deviation of a question's fraction sum from its expected value. @default 0.01 */
  fractionTolerance: number;
  /** Columns never treated as answers (e.g. `smooth-or-featured_total-votes`). @default [] */
  ignoreColumns: string[];
  /** Accept absolute image paths (relative ones must always stay inside the catalog or image folder). @default false */
  allowAbsolutePaths: boolean;
  /** Largest plausible vote count of one answer; a larger count is a bad row. @default 100000 */
  maxVotes: number;
}

/** Largest vote count of one answer accepted by default (Galaxy Zoo galaxies get tens, at most hundreds, of votes). */
export const MAX_VOTES = 100_000;

const DEFAULTS: ReadCatalogOptions = {
  schema: 'gz2',
  imageDir: null,
  imageColumn: null,
  idColumn: null,
  classColumn: null,
  labelKind: 'auto',
  fractionStyle: 'auto',
  onBad: 'error',
  checkImages: true,
  nominalN: NOMINAL_VOLUNTEERS,
  fractionTolerance: 0.01,
  ignoreColumns: [],
  allowAbsolutePaths: false,
  maxVotes: MAX_VOTES,
};

const nullableString = (v: string | null, name: string) => {
  if (v !== null) check.string()(v, name);
};

const SPEC: Spec<ReadCatalogOptions> = {
  schema: check.any(),
  imageDir: nullableString,
  imageColumn: nullableString,
  idColumn: nullableString,
  classColumn: nullableString,
  labelKind: check.oneOf([...LABEL_KINDS, 'percentages', 'auto']),
  fractionStyle: check.oneOf([...FRACTION_STYLES, 'auto']),
  onBad: check.oneOf(['error', 'skip']),
  checkImages: check.boolean(),
  nominalN: check.number(1e-9),
  fractionTolerance: check.number(0, 1),
  ignoreColumns: (v, name) => {
    if (!Array.isArray(v) || v.some((c) => typeof c !== 'string')) throw new OptionError(name, 'a list of column names', v);
  },
  allowAbsolutePaths: check.boolean(),
  maxVotes: check.number(1),
};

const ID_COLUMNS = ['id', 'galaxy_id', 'GalaxyID', 'id_str', 'iauname', 'objid', 'dr7objid', 'dr8_id', 'sdss_dr7_objid'];
const IMAGE_COLUMNS = ['image', 'image_file', 'image_path', 'file', 'filename', 'file_name', 'file_loc', 'path', 'png_loc', 'jpg_loc'];
const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'fits', 'fit', 'fits.gz'];
const CLASS_CODE_COLUMN = /(^|_)(class|label)(_code|_id)?$/i;
const CLASS_NAME_COLUMN = /(^|_)(class|label)_name$/i;
const SEPARATORS = ['_', '.', '-', ':'];
/** Per-question summary columns of Galaxy Zoo catalogues that are not answers. */
const SUMMARY_SUFFIXES = ['total-votes', 'total_votes', 'total', 'count', 'n'];

/** Thrown inside a row's parse; becomes an error or a skipped row. */
export class RowProblem extends Error {
  constructor(
    readonly problem: string,
    readonly column: string | undefined,
    readonly hint: string,
  ) {
    super(problem);
  }
}

interface ColumnPlan {
  id: number;
  image: number | null;
  /** Per schema answer, the table column index, or -1 when the file lacks it. */
  answers: number[];
  /** Per schema answer, its question's index. */
  answerQuestion: number[];
  labelledQuestions: boolean[];
  classCode: number | null;
  className: number | null;
}

export async function readCatalog(path: string, options: Partial<ReadCatalogOptions> = {}): Promise<Catalog> {
  const opts = resolveOptions(DEFAULTS, SPEC, options);
  const schema = typeof opts.schema === 'string' ? getSchema(opts.schema) : opts.schema;
  const { file, defaultImageDir } = locateCatalog(path);
  const imageDir = resolve(opts.imageDir ?? defaultImageDir);
  const table = await readCatalogTable(file, { onBadRow: opts.onBad });
  if (table.rows.length + table.malformed.length === 0) {
    throw new InputError('the catalog has a header but no rows', { file }, 'add one row per galaxy below the header');
  }
  const plan = planColumns(table, schema, opts);
  const { kind: labelKind, reason: labelKindReason, scale } = chooseLabelKind(table, plan, opts.labelKind);

  const skipped: SkippedRow[] = [];
  const rows: CatalogRow[] = [];
  const rowNumbers: number[] = [];
  const raw: Array<Float64Array | null> = [];
  const firstRowOfId = new Map<string, number>();
  const images = new ImageFinder(imageDir, dirname(file), opts.allowAbsolutePaths);
  const classes = new ClassTable(plan, schema);
  const read = { kind: labelKind, scale, reason: labelKindReason, maxVotes: opts.maxVotes };
  for (const m of table.malformed) skipped.push({ row: m.row, id: plan.id < m.fields.length ? m.fields[plan.id].trim() : '', reason: m.reason });

  const bad = (rowNumber: number, id: string, p: RowProblem) => {
    const err = new InputError(p.problem, { file, row: rowNumber, column: p.column }, p.hint);
    if (opts.onBad === 'error') throw err;
    skipped.push({ row: rowNumber, id, reason: err.message });
  };

  table.rows.forEach((cells, r) => {
    const rowNumber = table.rowNumbers[r];
    const id = cellText(cells[plan.id]);
    try {
      if (id === '') throw new RowProblem('empty id', table.header[plan.id], 'every row needs a galaxy id');
      const first = firstRowOfId.get(id);
      if (first !== undefined) throw new RowProblem(`duplicate id "${id}" (first in row ${first})`, table.header[plan.id], 'ids must be unique: remove or rename the repeated row');
      const image = images.locate(id, plan.image === null ? null : cellText(cells[plan.image]), opts.checkImages, plan.image === null ? undefined : table.header[plan.image], table.header[plan.id]);
      const row: CatalogRow = { id, image };
      let values: Float64Array | null = null;
      if (labelKind === 'counts' || labelKind === 'fractions') values = parseAnswerCells(cells, table.header, plan, { ...read, kind: labelKind });
      else if (labelKind === 'class') row.label = classes.parse(cells, table.header);
      firstRowOfId.set(id, rowNumber);
      rows.push(row);
      rowNumbers.push(rowNumber);
      raw.push(values);
    } catch (e) {
      if (!(e instanceof RowProblem)) throw e;
      bad(rowNumber, id, e);
    }
  });

  const catalog: Catalog = { schema, rows, labelKind, labelKindReason, source: file, skipped, labelledQuestions: plan.labelledQuestions };
  if (scale === 100) catalog.percentages = true;
  if (labelKind === 'class') catalog.classNames = classes.names();
  if (labelKind === 'counts') {
    rows.forEach((row, k) => {
      const v = raw[k];
      if (v === null) return;
      row.counts = Float32Array.from(v);
      row.fractions = countsToFractions(v, schema);
    });
  }
  if (labelKind === 'fractions') {
    const style = opts.fractionStyle === 'auto' ? detectFractionStyle(raw, schema, plan, opts.fractionTolerance) : opts.fractionStyle;
    if (style === 'kaggle-weighted') requireLabelledParents(schema, plan, table);
    catalog.fractionStyle = style;
    catalog.nominalN = opts.nominalN;
    const keep: boolean[] = rows.map(() => true);
    rows.forEach((row, k) => {
      const v = raw[k];
      if (v === null) return;
      const problem = fractionSumProblem(v, schema, plan, style, opts.fractionTolerance);
      if (problem !== null) {
        keep[k] = false;
        bad(rowNumbers[k], row.id, problem);
        return;
      }
      const fractions = style === 'kaggle-weighted' ? kaggleWeightedToQuestionFractions(v, schema) : countsToFractions(v, schema);
      row.fractions = fractions;
      row.counts = fractionsToCounts(fractions, schema, opts.nominalN);
    });
    catalog.rows = rows.filter((_, k) => keep[k]);
  }
  skipped.sort((a, b) => a.row - b.row);
  return catalog;
}

/**
 * The catalog's rows, or an InputError when none is usable (every row was left out by `onBad: 'skip'`), naming
 * how many were left out and the first reason.
 */
export function requireRows(catalog: Catalog, what = 'galaxies'): CatalogRow[] {
  if (catalog.rows.length > 0) return catalog.rows;
  const n = catalog.skipped.length;
  throw new InputError(`no usable ${what}: all ${n} rows were left out as bad (first: ${catalog.skipped[0]?.reason ?? 'none'})`, { file: catalog.source },
    'fix the rows listed in the report (run `galmorph check` on the catalog to list them all)');
}

export function cellText(cell: Cell | undefined): string {
  if (cell === null || cell === undefined) return '';
  return typeof cell === 'number' ? (Number.isNaN(cell) ? '' : String(cell)) : cell.trim();
}

/** The id and image columns of a table header, found as readCatalog finds them (labels are not read); for streaming readers. */
export function idAndImageColumns(file: string, header: string[], options: Partial<Pick<ReadCatalogOptions, 'idColumn' | 'imageColumn'>> = {}): { id: number; image: number | null } {
  const opts = resolveOptions(DEFAULTS, SPEC, { ...options, labelKind: 'none' });
  const plan = planColumns({ file, header, rows: [], rowNumbers: [], malformed: [] }, getSchema('gz2'), opts);
  return { id: plan.id, image: plan.image };
}

function planColumns(table: CatalogTable, schema: Schema, opts: ReadCatalogOptions): ColumnPlan {
  const { header, file } = table;
  const ignoredColumns = new Set(opts.ignoreColumns);
  const index = new Map(header.map((h, i) => [h, i] as const).filter(([h]) => !ignoredColumns.has(h)));
  const named = (option: string, name: string | null): number | null => {
    if (name === null) return null;
    const i = index.get(name);
    if (i === undefined) throw new InputError(`option ${option} names column "${name}", which the file lacks`, { file, column: name }, `the columns are: ${header.join(', ')}`);
    return i;
  };
  const lower = new Map(header.map((h, i) => [h.toLowerCase(), i]));
  const firstOf = (names: string[]) => names.map((n) => lower.get(n.toLowerCase())).find((i) => i !== undefined) ?? null;

  let id = named('idColumn', opts.idColumn) ?? firstOf(ID_COLUMNS);
  if (id === null) {
    const i = header.findIndex((h) => /(^|_)(id|objid)$/i.test(h));
    if (i >= 0) id = i;
  }
  if (id === null) throw new InputError('no id column found', { file }, `rename a column to "id" (looked for ${ID_COLUMNS.join(', ')}; the readCatalog option idColumn names another); the columns are: ${header.join(', ')}`);
  const image = named('imageColumn', opts.imageColumn) ?? firstOf(IMAGE_COLUMNS);

  const used = new Set<number>([id, ...(image === null ? [] : [image])]);
  if (opts.labelKind === 'none') {
    // Labels are not read: their columns may be anything (a prediction catalog need not be a valid labelled one).
    return { id, image, answers: schema.answers.map(() => -1), answerQuestion: schema.answers.map((a) => a.questionIndex), labelledQuestions: schema.questions.map(() => false), classCode: null, className: null };
  }
  const answers = schema.answers.map((a) => {
    const found = answerColumnNames(a).map((n) => index.get(n)).filter((k): k is number => k !== undefined);
    if (found.length > 1) {
      throw new InputError(
        `answer "${a.key}" has ${found.length} columns: ${found.map((k) => `"${header[k]}"`).join(' and ')} (the schema's column name and its alias${found.length > 2 ? 'es' : ''})`,
        { file, column: header[found[1]] },
        'keep one naming (e.g. only the Kaggle Class1.1 … columns, or only q1_smooth …): remove the other columns, or list them in the readCatalog option ignoreColumns',
      );
    }
    if (found.length === 0) return -1;
    used.add(found[0]);
    return found[0];
  });
  const labelledQuestions = schema.questions.map((q) => {
    const present = q.answers.filter((a) => answers[a.index] >= 0);
    if (present.length > 0 && present.length < q.answers.length) {
      const missing = q.answers.filter((a) => answers[a.index] < 0);
      throw new InputError(
        `question "${q.key}" of schema "${schema.name}" has columns ${present.map((a) => `"${header[answers[a.index]]}"`).join(', ')} but lacks ${missing.map((a) => `"${a.column}"`).join(', ')}`,
        { file, column: missing[0].column },
        'add the missing answer columns (0 if no volunteer chose them), or choose the schema that matches the file',
      );
    }
    return present.length > 0;
  });

  let classCode = named('classColumn', opts.classColumn);
  let className: number | null = null;
  if (classCode === null) {
    const codeIdx = header.findIndex((h, i) => !used.has(i) && CLASS_CODE_COLUMN.test(h));
    const nameIdx = header.findIndex((h, i) => !used.has(i) && CLASS_NAME_COLUMN.test(h));
    classCode = codeIdx >= 0 ? codeIdx : null;
    className = nameIdx >= 0 ? nameIdx : null;
  }
  for (const i of [classCode, className]) if (i !== null) used.add(i);

  const ignored = new Set(opts.ignoreColumns);
  for (const [i, h] of header.entries()) {
    if (used.has(i) || ignored.has(h)) continue;
    const q = schema.questions.find((qq) => questionColumnPrefixes(qq).some((p) => h.startsWith(p)));
    if (q === undefined) continue;
    const names = q.answers.flatMap(answerColumnNames);
    const derived = names.some((n) => SEPARATORS.some((s) => h.startsWith(n + s)));
    const summary = questionColumnPrefixes(q).some((p) => SUMMARY_SUFFIXES.includes(h.slice(p.length)));
    if (derived || summary) continue;
    throw new InputError(
      `column looks like an answer of question "${q.key}", but schema "${schema.name}" has no such answer`,
      { file, column: h },
      `its answers are ${q.answers.map((a) => a.column).join(', ')}; rename the column, use a schema that declares it, or list it in ignoreColumns`,
    );
  }
  return { id, image, answers, answerQuestion: schema.answers.map((a) => a.questionIndex), labelledQuestions, classCode, className };
}

interface LabelRead {
  kind: LabelKind;
  /** Why this kind (detected or forced), for messages and reports. */
  reason: string;
  /** Answer cells are divided by this (100 for percentages). */
  scale: number;
}

function chooseLabelKind(table: CatalogTable, plan: ColumnPlan, requested: ReadCatalogOptions['labelKind']): LabelRead {
  const hasAnswers = plan.labelledQuestions.some((x) => x);
  const hasClass = plan.classCode !== null || plan.className !== null;
  const forced = (kind: LabelKind, scale = 1): LabelRead => ({ kind, scale, reason: `${requested} (forced by --label-kind)` });
  if (requested === 'counts' || requested === 'fractions' || requested === 'percentages') {
    if (!hasAnswers) throw new InputError(`label kind "${requested}" needs answer columns, but the file has none of the schema's`, { file: table.file }, `the columns are: ${table.header.join(', ')}; check --schema`);
    return requested === 'percentages' ? forced('fractions', 100) : forced(requested);
  }
  if (requested === 'class') {
    if (!hasClass) throw new InputError('label kind "class" needs a class column, but none was found', { file: table.file }, 'name the column class, label, *_class_code or *_class_name');
    return forced('class');
  }
  if (requested === 'none') return { kind: 'none', scale: 1, reason: 'none (labels not read)' };
  if (hasAnswers) return detectVoteKind(table, plan);
  return hasClass
    ? { kind: 'class', scale: 1, reason: 'class (a class column and no answer columns)' }
    : { kind: 'none', scale: 1, reason: 'none (no answer or class columns)' };
}

/**
 * Counts, fractions or percentages, by what most labelled rows hold (each row is judged on its own, so one bad
 * row cannot turn the whole file into another kind): fractions — values in [0, 1], some not whole; counts — whole
 * numbers, some above 1; percentages — values up to 100 whose questions sum to 100, some not whole (or every
 * row summing to exactly 100). Rows of only 0s and 1s fit every kind and do not vote.
 */
function detectVoteKind(table: CatalogTable, plan: ColumnPlan): LabelRead {
  const present = plan.answers.filter((c) => c >= 0);
  const questions = groupByQuestion(plan);
  const tally = { fractions: 0, counts: 0, percentages: 0, wholePercentages: 0, other: 0, zeroOne: 0 };
  let anyAboveOne = false;
  for (const cells of table.rows) {
    const values = present.map((c) => Number(cellText(cells[c]) === '' ? Number.NaN : cellText(cells[c])));
    if (values.some((v) => !Number.isFinite(v) || v < 0)) continue;
    if (values.some((v) => v > 1)) anyAboveOne = true;
    const whole = values.every((v) => Number.isInteger(v));
    if (values.every((v) => v === 0 || v === 1)) tally.zeroOne++;
    else if (values.every((v) => v <= 1)) tally.fractions++;
    else if (looksLikePercentages(cells, questions)) {
      if (whole) tally.wholePercentages++;
      else tally.percentages++;
    } else if (whole) tally.counts++;
    else tally.other++;
  }
  const labelled = tally.fractions + tally.counts + tally.percentages + tally.wholePercentages + tally.other + tally.zeroOne;
  const of = `of ${labelled} labelled rows`;
  const decisive = labelled - tally.zeroOne;
  const force = 'force another with --label-kind';
  if (decisive === 0) {
    return anyAboveOne || labelled === 0
      ? { kind: 'counts', scale: 1, reason: `counts (no row could be judged; some value is above 1; ${force})` }
      : { kind: 'fractions', scale: 1, reason: `fractions (every answer value is 0 or 1, which fits counts too; ${force} counts if they are single votes)` };
  }
  const percentages = tally.percentages + tally.wholePercentages;
  if (tally.fractions * 2 > decisive) {
    return { kind: 'fractions', scale: 1, reason: `fractions (auto: ${tally.fractions} ${of} hold values in [0, 1]; ${decisive - tally.fractions} hold values above 1 and are bad rows; ${force})` };
  }
  if (percentages * 2 > decisive && (tally.percentages > 0 || tally.wholePercentages === decisive)) {
    return { kind: 'fractions', scale: 100, reason: `percentages (auto: ${percentages} ${of} hold values up to 100 whose questions sum to 100; read as fractions ÷ 100; ${force})` };
  }
  const counts = tally.counts + tally.wholePercentages;
  return { kind: 'counts', scale: 1, reason: `counts (auto: ${counts} ${of} hold whole numbers above 1${tally.fractions + tally.percentages + tally.other > 0 ? `; ${tally.fractions + tally.percentages + tally.other} hold fractional values and are bad rows` : ''}; ${force})` };
}

/** Each labelled question's table columns. */
function groupByQuestion(plan: ColumnPlan): number[][] {
  const byQuestion = new Map<number, number[]>();
  plan.answers.forEach((c, a) => {
    if (c < 0) return;
    const q = plan.answerQuestion[a];
    byQuestion.set(q, [...(byQuestion.get(q) ?? []), c]);
  });
  return [...byQuestion.values()];
}

/** Every value ≤ 100, and every labelled question sums to 100 (± 1) or 0 (not asked), at least one to 100. */
function looksLikePercentages(cells: Cell[], questions: number[][]): boolean {
  let hundred = 0;
  for (const cols of questions) {
    let sum = 0;
    for (const c of cols) {
      const v = Number(cellText(cells[c]));
      if (v > 100) return false;
      sum += v;
    }
    if (Math.abs(sum - 100) <= 1) hundred++;
    else if (sum !== 0) return false;
  }
  return hundred > 0;
}

/** Answer cells → values per schema answer (0 for questions the file lacks), or null when all are empty. */
function parseAnswerCells(cells: Cell[], header: string[], plan: ColumnPlan, read: { kind: 'counts' | 'fractions'; scale: number; reason: string; maxVotes: number }): Float64Array | null {
  const present = plan.answers.filter((c) => c >= 0);
  if (present.every((c) => cellText(cells[c]) === '')) return null;
  const { kind, scale } = read;
  const unit = scale === 100 ? 'percentage' : kind === 'counts' ? 'count' : 'fraction';
  const readAs = `the file is read as ${read.reason}`;
  const out = new Float64Array(plan.answers.length);
  plan.answers.forEach((c, a) => {
    if (c < 0) return;
    const text = cellText(cells[c]);
    const column = header[c];
    if (text === '' || text.toLowerCase() === 'nan') {
      throw new RowProblem('empty or NaN cell in a labelled row', column, 'fill it (0 if no volunteer chose this answer), or empty all answer cells of the row to mark it unlabelled');
    }
    const v = Number(text);
    if (!Number.isFinite(v)) throw new RowProblem(`"${text}" is not a number`, column, 'answer cells must hold numbers');
    if (v < 0) throw new RowProblem(`negative ${unit} ${v}`, column, 'votes cannot be negative');
    if (kind === 'counts' && !Number.isInteger(v)) {
      throw new RowProblem(`count ${v} is not a whole number`, column, `counts must be integers; ${readAs}`);
    }
    if (kind === 'counts' && v > read.maxVotes) {
      throw new RowProblem(`count ${v} is implausibly large (more than ${read.maxVotes} votes for one answer of one galaxy)`, column, 'Galaxy Zoo galaxies get tens to hundreds of votes: fix the value (a misplaced column or unit?)');
    }
    if (kind === 'fractions' && v > scale + 1e-9) throw new RowProblem(`${unit} ${v} is above ${scale}`, column, `${unit}s lie in [0, ${scale}]; ${readAs}`);
    out[a] = v / scale;
  });
  if (kind === 'counts' && present.every((c) => Number(cellText(cells[c])) === 0)) {
    throw new RowProblem('every answer count is 0 (no volunteer voted)', header[present[0]], 'empty all answer cells of the row to mark it unlabelled, or fix the counts');
  }
  return out;
}

function questionSum(v: Float64Array, start: number, end: number): number {
  let s = 0;
  for (let a = start; a < end; a++) s += v[a];
  return s;
}

/** Whether a question's fraction sum is what the style expects (root: 1; child: parent value, or 1 / 0 if not asked). */
function fitsStyle(v: Float64Array, schema: Schema, qi: number, style: FractionStyle, tol: number): boolean {
  const q = schema.questions[qi];
  const sum = questionSum(v, q.start, q.end);
  if (style === 'kaggle-weighted' && q.parent !== null) return Math.abs(sum - v[q.parent.answerIndex]) <= tol;
  if (q.parent === null) return Math.abs(sum - 1) <= tol;
  return Math.abs(sum - 1) <= tol || sum <= tol;
}

function detectFractionStyle(raw: Array<Float64Array | null>, schema: Schema, plan: ColumnPlan, tol: number): FractionStyle {
  const children = schema.questions.filter((q) => plan.labelledQuestions[q.index] && q.parent !== null && plan.labelledQuestions[q.parent.questionIndex]);
  let weighted = 0;
  let perQuestion = 0;
  for (const v of raw) {
    if (v === null) continue;
    for (const q of children) {
      if (fitsStyle(v, schema, q.index, 'kaggle-weighted', tol)) weighted++;
      if (fitsStyle(v, schema, q.index, 'per-question', tol)) perQuestion++;
    }
  }
  return weighted > perQuestion ? 'kaggle-weighted' : 'per-question';
}

function requireLabelledParents(schema: Schema, plan: ColumnPlan, table: CatalogTable): void {
  for (const q of schema.questions) {
    if (!plan.labelledQuestions[q.index] || q.parent === null || plan.labelledQuestions[q.parent.questionIndex]) continue;
    const parentAnswer = schema.answers[q.parent.answerIndex];
    throw new InputError(
      `question "${q.key}" is Kaggle-weighted by answer "${parentAnswer.key}", but the file has no column for it`,
      { file: table.file, column: parentAnswer.column },
      'add the parent question\'s columns, or read with fractionStyle "per-question" if the fractions are already per question',
    );
  }
}

function fractionSumProblem(v: Float64Array, schema: Schema, plan: ColumnPlan, style: FractionStyle, tol: number): RowProblem | null {
  for (const q of schema.questions) {
    if (!plan.labelledQuestions[q.index] || fitsStyle(v, schema, q.index, style, tol)) continue;
    const sum = questionSum(v, q.start, q.end);
    const expected = style === 'kaggle-weighted' && q.parent !== null
      ? `the value of its parent answer "${schema.answers[q.parent.answerIndex].column}" (${v[q.parent.answerIndex]})`
      : q.parent === null ? '1' : '1 (or 0 if not asked)';
    return new RowProblem(
      `fractions of question "${q.key}" sum to ${Number(sum.toFixed(6))}, expected ${expected} within ${tol}`,
      schema.answers[q.start].column,
      `fix the row, or leave it out with --on-bad skip (read as ${style} fractions; the readCatalog options fractionTolerance and fractionStyle change that)`,
    );
  }
  return null;
}

/**
 * Resolves image paths and checks they exist, listing each folder once. A path is checked before anything is
 * opened: a relative path (or an id used as a file name) must stay inside the image folder or the table's folder,
 * and an absolute path is refused unless allowed. By default each folder is listed once and names are looked up in
 * the listing; `listFolders: false` asks the file system per image instead, so a streaming reader (catalogShards.ts)
 * holds no listing of a huge folder.
 */
export class ImageFinder {
  private readonly listings = new Map<string, Set<string>>();

  constructor(
    private readonly imageDir: string,
    private readonly tableDir: string,
    private readonly allowAbsolute: boolean,
    private readonly listFolders = true,
  ) {}

  private listing(dir: string): Set<string> {
    let names = this.listings.get(dir);
    if (names === undefined) {
      names = existsSync(dir) ? new Set(readdirSync(dir)) : new Set();
      this.listings.set(dir, names);
    }
    return names;
  }

  private exists(path: string): boolean {
    if (!this.listFolders) return existsSync(path);
    return this.listing(dirname(path)).has(basename(path));
  }

  locate(id: string, cell: string | null, checkImages: boolean, column: string | undefined, idColumn: string): string {
    if (cell === '') throw new RowProblem('empty image cell', column, 'give the image file name');
    if (cell === null && (/[/\\\0]/.test(id) || id === '..' || id === '.')) {
      throw new RowProblem(`id "${id}" cannot name an image file: it holds a path separator or "..", so <id>.png could lie outside ${this.imageDir}`, idColumn,
        'add an image column with each file\'s path inside the catalog folder, or use ids without / \\ and ..');
    }
    if (cell !== null && cell.includes('\0')) throw new RowProblem('image path holds a NUL character', column, 'fix the path');
    const inside = (dir: string, p: string) => {
      const rel = relative(dir, p);
      return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
    };
    if (cell !== null && isAbsolute(cell) && !this.allowAbsolute && !inside(this.imageDir, cell) && !inside(this.tableDir, cell)) {
      throw new RowProblem(`absolute image path "${cell}" outside the catalog folder (${this.tableDir}) refused; it was not opened`, column,
        'give paths relative to the catalog folder, or pass --allow-absolute-paths if the catalog uses absolute paths on purpose');
    }
    const candidates = cell === null
      ? IMAGE_EXTENSIONS.map((ext) => join(this.imageDir, `${id}.${ext}`))
      : isAbsolute(cell) ? [cell] : [join(this.imageDir, cell), join(this.tableDir, cell)];
    if (cell !== null && !isAbsolute(cell) && !inside(this.imageDir, candidates[0]) && !inside(this.tableDir, candidates[1])) {
      throw new RowProblem(`image path "${cell}" leads outside the catalog folder (${this.tableDir}); it was not opened`, column,
        'keep images inside the catalog folder (or its images/ folder) and give paths relative to it');
    }
    const found = candidates.find((c) => this.exists(c));
    if (found !== undefined) return found;
    if (!checkImages) return candidates[0];
    const where = cell === null ? `no image for id "${id}" in ${this.imageDir} (looked for ${IMAGE_EXTENSIONS.map((e) => `${id}.${e}`).join(', ')})` : `image "${cell}" does not exist (looked in ${[...new Set(candidates.map(dirname))].join(' and ')})`;
    const mangled = [...new Set(candidates.map(dirname))].flatMap((d) => [...this.listing(d)].filter((n) => n.includes('\uFFFD')));
    const hint = mangled.length > 0
      ? `the folder holds ${mangled.length} file name(s) that are not valid UTF-8 (e.g. "${mangled[0]}"), which Node.js cannot open by the catalog's name: rename them in UTF-8 (e.g. convmv -f latin1 -t utf8)`
      : 'fix the path, or leave the row out with --on-bad skip';
    throw new RowProblem(where, column, hint);
  }
}

/** Class labels from a code column and/or a name column, kept consistent across rows (and within the schema's classes, if it lists them). */
class ClassTable {
  private readonly byCode = new Map<number, string>();
  private readonly byName = new Map<string, number>();
  /** Decided by the first row: numeric codes (with optional names) or names only. */
  private mode: 'code' | 'name' | null = null;

  constructor(
    private readonly plan: ColumnPlan,
    private readonly schema: Schema,
  ) {}

  private unknown(label: string, column: string | undefined): RowProblem {
    const known = this.schema.classes;
    return new RowProblem(`unknown class ${label}: schema "${this.schema.name}" has ${known.length} classes: ${known.map((c, i) => `${i} ${c}`).join(', ')}`, column,
      'fix the label (a typo?), or use a schema that lists this class');
  }

  parse(cells: Cell[], header: string[]): number {
    const { classCode, className } = this.plan;
    const known = this.schema.classes;
    const codeText = classCode === null ? '' : cellText(cells[classCode]);
    const nameText = className === null ? '' : cellText(cells[className]);
    const codeColumn = classCode === null ? undefined : header[classCode];
    if (classCode !== null && codeText === '') throw new RowProblem('empty class cell', codeColumn, 'give every row a class, or drop the row');
    const code = Number(codeText);
    const numericCode = codeText !== '' && Number.isInteger(code) && code >= 0;
    if (this.mode === null) this.mode = classCode !== null && numericCode ? 'code' : 'name';
    if (this.mode === 'code') {
      if (!numericCode) throw new RowProblem(`class code "${codeText}" is not a non-negative integer`, codeColumn, 'earlier rows hold integer codes: use one code per class');
      if (known.length > 0 && code >= known.length) throw this.unknown(`code ${code}`, codeColumn);
      const name = className === null ? (known[code] ?? codeText) : nameText;
      if (className !== null && name === '') throw new RowProblem('empty class name', header[className], 'give every row its class name');
      if (known.length > 0 && className !== null && name !== known[code]) {
        throw new RowProblem(`class code ${code} is named "${name}" here but "${known[code]}" in schema "${this.schema.name}"`, header[className], 'make codes and names agree with the schema');
      }
      const seen = this.byCode.get(code);
      if (seen !== undefined && seen !== name) {
        throw new RowProblem(`class code ${code} is named "${name}" here but "${seen}" in an earlier row`, className === null ? codeColumn : header[className], 'make codes and names agree');
      }
      this.byCode.set(code, name);
      return code;
    }
    // Names only (a text class column, or a name column without codes): the schema's index, else in order of appearance.
    const name = classCode !== null ? codeText : nameText;
    const nameColumn = className === null ? codeColumn : header[className];
    if (name === '') throw new RowProblem('empty class name', nameColumn, 'give every row a class');
    if (known.length > 0) {
      const k = known.indexOf(name);
      if (k < 0) throw this.unknown(`"${name}"`, nameColumn);
      this.byName.set(name, k);
      return k;
    }
    let index = this.byName.get(name);
    if (index === undefined) {
      index = this.byName.size;
      this.byName.set(name, index);
    }
    return index;
  }

  names(): string[] {
    if (this.schema.classes.length > 0) return [...this.schema.classes];
    if (this.byName.size > 0) return [...this.byName.keys()];
    const max = Math.max(-1, ...this.byCode.keys());
    return Array.from({ length: max + 1 }, (_, c) => this.byCode.get(c) ?? `class ${c}`);
  }
}
