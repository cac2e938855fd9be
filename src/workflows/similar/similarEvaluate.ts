/**
 * How well neighbours in PCA space share a query's class (`galmorph similar --evaluate`): every labelled galaxy
 * (or a seeded sample) is a query, its exact nearest neighbours among the other labelled galaxies are ranked, and
 * precision@k and nDCG@k (binary relevance: same class) are averaged per class, over classes and over queries,
 * beside the chance level (the class's share of the other galaxies). Classes are a label column's values, or for a
 * numeric column (GZ2 vote fractions) the two sides of a threshold, e.g. "Class1.2 > 0.5" (featured).
 */
import { InputError, OptionError } from '../../util/errors.js';
import { Rng } from '../../util/rng.js';
import { readCatalog } from '../../data/catalogRead.js';
import { locateCatalog, readCatalogTable } from '../../data/catalogTable.js';
import { getSchema } from '../../data/schemas/index.js';
import { ExactKnn } from '../../explore/nearestNeighbours.js';
import { ndcgAtK, precisionAtK } from '../../explore/retrievalMetrics.js';

/** Each catalog galaxy's cell of `column` by id (empty cells left out), with where to point errors. */
export async function readCatalogColumn(catalog: string, column: string, allowAbsolutePaths: boolean): Promise<{ file: string; values: Map<string, { cell: string | number; row: number }> }> {
  const { file } = locateCatalog(catalog);
  const table = await readCatalogTable(file);
  const read = await readCatalog(catalog, { schema: getSchema('gz2'), labelKind: 'none', checkImages: false, onBad: 'error', allowAbsolutePaths });
  if (read.rows.length !== table.rows.length) throw new Error(`catalog rows (${read.rows.length}) and table rows (${table.rows.length}) differ`);
  const j = table.header.indexOf(column);
  if (j < 0) throw new InputError(`no column "${column}"`, { file, column }, `the columns are: ${table.header.slice(0, 30).join(', ')}${table.header.length > 30 ? ', …' : ''}`);
  const values = new Map<string, { cell: string | number; row: number }>();
  table.rows.forEach((row, r) => {
    const cell = row[j];
    if (cell !== null && cell !== '') values.set(read.rows[r].id, { cell, row: table.rowNumbers[r] });
  });
  return { file, values };
}

/** Parses class groups "name=a+b" (several values counted as one class) into value → name. */
export function parseClassGroups(groups: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const g of groups) {
    const m = /^([^=]+)=(.+)$/.exec(g);
    if (m === null || m[2].split('+').some((v) => v.trim() === '')) throw new OptionError('mergeClasses', 'groups like spiral=spiral_clockwise+spiral_anticlockwise', g);
    for (const v of m[2].split('+')) out.set(v.trim(), m[1].trim());
  }
  return out;
}

/**
 * Per label column, each catalog galaxy's class (galaxies with an empty cell are absent); values named in `groups`
 * (value → class) are counted as their group's class.
 */
export async function readClassLabels(catalog: string, columns: readonly string[], threshold: number | null, allowAbsolutePaths: boolean, groups = new Map<string, string>()): Promise<Map<string, Map<string, string>>> {
  const out = new Map<string, Map<string, string>>();
  for (const column of columns) {
    const { file, values } = await readCatalogColumn(catalog, column, allowAbsolutePaths);
    const classes = new Map<string, string>();
    for (const [id, { cell, row }] of values) {
      if (threshold === null) {
        classes.set(id, groups.get(String(cell)) ?? String(cell));
        continue;
      }
      const value = Number(cell);
      if (!Number.isFinite(value)) {
        throw new InputError(`"${String(cell)}" is not a number, but --label-threshold ${threshold} compares it`, { file, row, column }, 'leave out --label-threshold to use the values as classes');
      }
      classes.set(id, value > threshold ? `${column} > ${threshold}` : `${column} ≤ ${threshold}`);
    }
    if (new Set(classes.values()).size < 2) throw new InputError(`column "${column}" gives fewer than 2 classes`, { file, column }, 'choose another column or threshold');
    out.set(column, classes);
  }
  return out;
}

export interface ClassScore {
  column: string;
  class: string;
  galaxies: number;
  queries: number;
  precision: number;
  ndcg: number;
  /** Precision of neighbours drawn at random: the class's share of the other galaxies. */
  chancePrecision: number;
}

export interface RetrievalEvaluation {
  classes: ClassScore[];
  /** Per column: means over classes (macro) and over queries (micro). */
  columns: { column: string; galaxies: number; queries: number; macroPrecision: number; macroNdcg: number; microPrecision: number; microNdcg: number; macroChance: number }[];
  /** Store galaxies that had no label (left out of queries and of the database). */
  unlabelled: number;
}

/**
 * Scores the neighbours of every labelled galaxy (or those in `queryIds`, or `maxQueries` of them, seeded) for each
 * label column; the database is always every labelled galaxy.
 */
export function evaluateRetrieval(
  ids: readonly string[], coords: Float32Array, components: number, labels: Map<string, Map<string, string>>,
  o: { k: number; ndcgK: number; maxQueries: number; seed: number; queryIds?: ReadonlySet<string>; onColumn?: (column: string) => void },
): RetrievalEvaluation {
  const classes: ClassScore[] = [];
  const columns: RetrievalEvaluation['columns'] = [];
  let unlabelled = 0;
  for (const [column, classOf] of labels) {
    o.onColumn?.(column);
    const rows = ids.map((id, i) => (classOf.has(id) ? i : -1)).filter((i) => i >= 0);
    unlabelled = Math.max(unlabelled, ids.length - rows.length);
    if (rows.length < 2) throw new InputError(`only ${rows.length} galaxies of the embeddings have a "${column}" label`, {}, 'check that the catalog is the one that was embedded');
    const database = new Float32Array(rows.length * components);
    rows.forEach((row, i) => database.set(coords.subarray(row * components, (row + 1) * components), i * components));
    const cls = rows.map((row) => classOf.get(ids[row]) as string);
    const counts = new Map<string, number>();
    for (const c of cls) counts.set(c, (counts.get(c) ?? 0) + 1);
    let queryIdx = rows.map((_, i) => i).filter((i) => o.queryIds === undefined || o.queryIds.has(ids[rows[i]]));
    if (queryIdx.length === 0) throw new InputError(`none of the query ids has a "${column}" label in the embeddings`, {}, 'check the --query-ids file');
    if (o.maxQueries > 0 && queryIdx.length > o.maxQueries) queryIdx = Rng.derive(o.seed, 'queries', column).shuffle(queryIdx).slice(0, o.maxQueries).sort((a, b) => a - b);
    const queries = new Float32Array(queryIdx.length * components);
    queryIdx.forEach((i, q) => queries.set(database.subarray(i * components, (i + 1) * components), q * components));
    const depth = Math.min(Math.max(o.k, o.ndcgK), rows.length - 1);
    const knn = new ExactKnn(queries, components, { k: depth, exclude: queryIdx });
    knn.add({ offset: 0, vectors: database });
    const found = knn.result();
    const per = new Map<string, { p: number[]; n: number[] }>();
    found.forEach((list, q) => {
      const mine = cls[queryIdx[q]];
      const relevant = list.map((nb) => cls[nb.index] === mine);
      const entry = per.get(mine) ?? { p: [], n: [] };
      entry.p.push(precisionAtK(relevant, o.k));
      entry.n.push(ndcgAtK(relevant, o.ndcgK, (counts.get(mine) as number) - 1));
      per.set(mine, entry);
    });
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const scores: ClassScore[] = [...per.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([name, e]) => ({
      column, class: name, galaxies: counts.get(name) as number, queries: e.p.length,
      precision: mean(e.p), ndcg: mean(e.n.filter((v) => !Number.isNaN(v))), chancePrecision: ((counts.get(name) as number) - 1) / (rows.length - 1),
    }));
    classes.push(...scores);
    const allP = [...per.values()].flatMap((e) => e.p);
    const allN = [...per.values()].flatMap((e) => e.n).filter((v) => !Number.isNaN(v));
    columns.push({
      column, galaxies: rows.length, queries: queryIdx.length,
      macroPrecision: mean(scores.map((s) => s.precision)), macroNdcg: mean(scores.map((s) => s.ndcg)),
      microPrecision: mean(allP), microNdcg: mean(allN), macroChance: mean(scores.map((s) => s.chancePrecision)),
    });
  }
  return { classes, columns, unlabelled };
}
