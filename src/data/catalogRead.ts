/**
 * Read a catalog (CSV or Parquet file, or a folder holding labels.csv/labels.parquet and images/) against a
 * schema: find the id, image and label columns, parse and validate every row. Column problems always stop
 * the read; row problems stop it (`onBad: 'error'`) or leave the row out and list it (`onBad: 'skip'`).
 */
import { NOMINAL_VOLUNTEERS } from './schema.js';
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { InputError, OptionError } from '../util/errors.js';
import { check, resolveOptions, type Spec } from '../util/options.js';
import { FRACTION_STYLES, LABEL_KINDS, type Catalog, type CatalogRow, type FractionStyle, type LabelKind, type SkippedRow } from './catalog.js';
import { locateCatalog, readCatalogTable, type Cell, type CatalogTable } from './catalogTable.js';
import { countsToFractions, fractionsToCounts, kaggleWeightedToQuestionFractions, questionColumnPrefixes, type Schema } from './schema.js';
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
  /** What the labels are. @default 'auto' (answer columns → counts if any value exceeds 1, else fractions; a class column → class; else none) */
  labelKind: LabelKind | 'auto';
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
}

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
  labelKind: check.oneOf([...LABEL_KINDS, 'auto']),
  fractionStyle: check.oneOf([...FRACTION_STYLES, 'auto']),
  onBad: check.oneOf(['error', 'skip']),
  checkImages: check.boolean(),
  nominalN: check.number(1e-9),
  fractionTolerance: check.number(0, 1),
  ignoreColumns: (v, name) => {
    if (!Array.isArray(v) || v.some((c) => typeof c !== 'string')) throw new OptionError(name, 'a list of column names', v);
  },
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
class RowProblem extends Error {
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
  labelledQuestions: boolean[];
  classCode: number | null;
  className: number | null;
}

export async function readCatalog(path: string, options: Partial<ReadCatalogOptions> = {}): Promise<Catalog> {
  const opts = resolveOptions(DEFAULTS, SPEC, options);
  const schema = typeof opts.schema === 'string' ? getSchema(opts.schema) : opts.schema;
  const { file, defaultImageDir } = locateCatalog(path);
  const imageDir = resolve(opts.imageDir ?? defaultImageDir);
  const table = await readCatalogTable(file);
  const plan = planColumns(table, schema, opts);
  const labelKind = chooseLabelKind(table, plan, opts.labelKind);

  const skipped: SkippedRow[] = [];
  const rows: CatalogRow[] = [];
  const rowNumbers: number[] = [];
  const raw: Array<Float64Array | null> = [];
  const firstRowOfId = new Map<string, number>();
  const images = new ImageFinder(imageDir, dirname(file));
  const classes = new ClassTable(plan);

  const bad = (rowNumber: number, id: string, p: RowProblem) => {
    const err = new InputError(p.problem, { file, row: rowNumber, column: p.column }, p.hint);
    if (opts.onBad === 'error') throw err;
    skipped.push({ row: rowNumber, id, reason: err.message });
  };

  table.rows.forEach((cells, r) => {
    const rowNumber = r + 1;
    const id = cellText(cells[plan.id]);
    try {
      if (id === '') throw new RowProblem('empty id', table.header[plan.id], 'every row needs a galaxy id');
      const first = firstRowOfId.get(id);
      if (first !== undefined) throw new RowProblem(`duplicate id "${id}" (first in row ${first})`, table.header[plan.id], 'ids must be unique: remove or rename the repeated row');
      const image = images.locate(id, plan.image === null ? null : cellText(cells[plan.image]), opts.checkImages, plan.image === null ? undefined : table.header[plan.image]);
      const row: CatalogRow = { id, image };
      let values: Float64Array | null = null;
      if (labelKind === 'counts' || labelKind === 'fractions') values = parseAnswerCells(cells, table.header, plan, labelKind);
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

  const catalog: Catalog = { schema, rows, labelKind, source: file, skipped, labelledQuestions: plan.labelledQuestions };
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
    skipped.sort((a, b) => a.row - b.row);
  }
  return catalog;
}

function cellText(cell: Cell | undefined): string {
  if (cell === null || cell === undefined) return '';
  return typeof cell === 'number' ? (Number.isNaN(cell) ? '' : String(cell)) : cell.trim();
}

function planColumns(table: CatalogTable, schema: Schema, opts: ReadCatalogOptions): ColumnPlan {
  const { header, file } = table;
  const index = new Map(header.map((h, i) => [h, i]));
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
  if (id === null) throw new InputError('no id column found', { file }, `name one with the idColumn option (looked for ${ID_COLUMNS.join(', ')}); the columns are: ${header.join(', ')}`);
  const image = named('imageColumn', opts.imageColumn) ?? firstOf(IMAGE_COLUMNS);

  const used = new Set<number>([id, ...(image === null ? [] : [image])]);
  const answers = schema.answers.map((a) => {
    const i = [a.column, a.key, ...a.aliases].map((n) => index.get(n)).find((k) => k !== undefined);
    if (i === undefined) return -1;
    used.add(i);
    return i;
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
    const names = q.answers.flatMap((a) => [a.column, a.key, ...a.aliases]);
    const derived = names.some((n) => SEPARATORS.some((s) => h.startsWith(n + s)));
    const summary = questionColumnPrefixes(q).some((p) => SUMMARY_SUFFIXES.includes(h.slice(p.length)));
    if (derived || summary) continue;
    throw new InputError(
      `column looks like an answer of question "${q.key}", but schema "${schema.name}" has no such answer`,
      { file, column: h },
      `its answers are ${q.answers.map((a) => a.column).join(', ')}; rename the column, use a schema that declares it, or list it in ignoreColumns`,
    );
  }
  return { id, image, answers, labelledQuestions, classCode, className };
}

function chooseLabelKind(table: CatalogTable, plan: ColumnPlan, requested: LabelKind | 'auto'): LabelKind {
  const hasAnswers = plan.labelledQuestions.some((x) => x);
  const hasClass = plan.classCode !== null || plan.className !== null;
  if (requested === 'counts' || requested === 'fractions') {
    if (!hasAnswers) throw new InputError(`labelKind "${requested}" needs answer columns, but the file has none of the schema's`, { file: table.file }, `the columns are: ${table.header.join(', ')}; check the schema option`);
    return requested;
  }
  if (requested === 'class') {
    if (!hasClass) throw new InputError('labelKind "class" needs a class column, but none was found', { file: table.file }, 'name it with the classColumn option');
    return requested;
  }
  if (requested === 'none') return 'none';
  if (hasAnswers) {
    for (const cells of table.rows) {
      for (const c of plan.answers) {
        if (c < 0) continue;
        const v = Number(cellText(cells[c]));
        if (Number.isFinite(v) && v > 1) return 'counts';
      }
    }
    return 'fractions';
  }
  return hasClass ? 'class' : 'none';
}

/** Answer cells → values per schema answer (0 for questions the file lacks), or null when all are empty. */
function parseAnswerCells(cells: Cell[], header: string[], plan: ColumnPlan, kind: 'counts' | 'fractions'): Float64Array | null {
  const present = plan.answers.filter((c) => c >= 0);
  if (present.every((c) => cellText(cells[c]) === '')) return null;
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
    if (v < 0) throw new RowProblem(`negative ${kind === 'counts' ? 'count' : 'fraction'} ${v}`, column, 'votes cannot be negative');
    if (kind === 'counts' && !Number.isInteger(v)) {
      throw new RowProblem(`count ${v} is not a whole number`, column, 'counts must be integers; for vote fractions read with labelKind "fractions"');
    }
    if (kind === 'fractions' && v > 1 + 1e-9) throw new RowProblem(`fraction ${v} is above 1`, column, 'fractions lie in [0, 1]; for vote counts read with labelKind "counts"');
    out[a] = v;
  });
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
      `fix the row, raise fractionTolerance, or set fractionStyle (read as ${style})`,
    );
  }
  return null;
}

/** Resolves image paths and checks they exist, listing each folder once. */
class ImageFinder {
  private readonly listings = new Map<string, Set<string>>();

  constructor(
    private readonly imageDir: string,
    private readonly tableDir: string,
  ) {}

  private exists(path: string): boolean {
    const dir = dirname(path);
    let names = this.listings.get(dir);
    if (names === undefined) {
      names = existsSync(dir) ? new Set(readdirSync(dir)) : new Set();
      this.listings.set(dir, names);
    }
    return names.has(basename(path));
  }

  locate(id: string, cell: string | null, checkImages: boolean, column: string | undefined): string {
    const candidates = cell === null
      ? IMAGE_EXTENSIONS.map((ext) => join(this.imageDir, `${id}.${ext}`))
      : isAbsolute(cell) ? [cell] : [join(this.imageDir, cell), join(this.tableDir, cell)];
    if (cell === '') throw new RowProblem('empty image cell', column, 'give the image file name');
    const found = candidates.find((c) => this.exists(c));
    if (found !== undefined) return found;
    if (!checkImages) return candidates[0];
    const where = cell === null ? `no image for id "${id}" in ${this.imageDir} (looked for ${IMAGE_EXTENSIONS.map((e) => `${id}.${e}`).join(', ')})` : `image "${cell}" does not exist (looked in ${[...new Set(candidates.map(dirname))].join(' and ')})`;
    throw new RowProblem(where, column, 'fix the path, pass imageDir, or leave the row out with onBad "skip"');
  }
}

/** Class labels from a code column and/or a name column, kept consistent across rows. */
class ClassTable {
  private readonly byCode = new Map<number, string>();
  private readonly byName = new Map<string, number>();
  /** Decided by the first row: numeric codes (with optional names) or names only. */
  private mode: 'code' | 'name' | null = null;

  constructor(private readonly plan: ColumnPlan) {}

  parse(cells: Cell[], header: string[]): number {
    const { classCode, className } = this.plan;
    const codeText = classCode === null ? '' : cellText(cells[classCode]);
    const nameText = className === null ? '' : cellText(cells[className]);
    const codeColumn = classCode === null ? undefined : header[classCode];
    if (classCode !== null && codeText === '') throw new RowProblem('empty class cell', codeColumn, 'give every row a class, or drop the row');
    const code = Number(codeText);
    const numericCode = codeText !== '' && Number.isInteger(code) && code >= 0;
    if (this.mode === null) this.mode = classCode !== null && numericCode ? 'code' : 'name';
    if (this.mode === 'code') {
      if (!numericCode) throw new RowProblem(`class code "${codeText}" is not a non-negative integer`, codeColumn, 'earlier rows hold integer codes: use one code per class');
      const name = className === null ? codeText : nameText;
      if (className !== null && name === '') throw new RowProblem('empty class name', header[className], 'give every row its class name');
      const known = this.byCode.get(code);
      if (known !== undefined && known !== name) {
        throw new RowProblem(`class code ${code} is named "${name}" here but "${known}" in an earlier row`, className === null ? codeColumn : header[className], 'make codes and names agree');
      }
      this.byCode.set(code, name);
      return code;
    }
    // Names only (a text class column, or a name column without codes): index assigned in order of appearance.
    const name = classCode !== null ? codeText : nameText;
    if (name === '') throw new RowProblem('empty class name', className === null ? codeColumn : header[className], 'give every row a class');
    let index = this.byName.get(name);
    if (index === undefined) {
      index = this.byName.size;
      this.byName.set(name, index);
    }
    return index;
  }

  names(): string[] {
    if (this.byName.size > 0) return [...this.byName.keys()];
    const max = Math.max(-1, ...this.byCode.keys());
    return Array.from({ length: max + 1 }, (_, c) => this.byCode.get(c) ?? `class ${c}`);
  }
}
