/**
 * What the explorer shows, computed from a folder of run folders (read only; ratings go to their own folder): the
 * runs found (explorerRuns.ts), each embeddings store as a StoreView, the maps (`galmorph map`'s coordinates.csv)
 * with the columns they can be coloured by, a galaxy's predictions with 90% intervals down the decision tree,
 * volunteer votes, neighbours and clusters, the active-learning queue (a predict run's galaxies by BALD, and an
 * active-learn run's acquisitions per round), the experiments' reports, and the anomaly sessions (anomalySession.ts).
 * The HTTP layer (server.ts) only validates requests and calls these.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { formatCsv, readCsv } from '../data/csv.js';
import { readParquet } from '../data/parquet.js';
import { readCatalog } from '../data/catalogRead.js';
import type { Cell } from '../data/catalogTable.js';
import { getSchema } from '../data/schemas/index.js';
import { answerColumnNames, type Schema } from '../data/schema.js';
import { InputError } from '../util/errors.js';
import { BALD_COLUMN } from '../workflows/predict/predictTable.js';
import { discoverRuns, givenPathCandidates, linkedStore, type RunInfo } from './explorerRuns.js';
import { StoreView, type Neighbour } from './explorerStore.js';
import { AnomalySession } from './anomalySession.js';

/** A table of one value per galaxy id, read once (id column first). */
interface IdTable {
  /** The file's modification time when read (a rewritten file is read again). */
  mtimeMs: number;
  header: string[];
  rows: string[][];
  rowOfId: Map<string, number>;
}

export interface ColumnValues {
  column: string;
  /** 'number' when every present value is a number (then values are numbers), else 'class'. */
  kind: 'number' | 'class';
  /** One per map galaxy, null where the source has none. */
  values: (number | string | null)[];
}

export interface MapData {
  run: string;
  store: string | null;
  ids: string[];
  x: number[];
  y: number[];
  /** The columns the map can be coloured by. */
  columns: string[];
}

export interface AnswerView {
  key: string;
  text: string;
  fraction: number;
  lower: number;
  upper: number;
}

export interface QuestionView {
  key: string;
  text: string;
  /** Depth in the decision tree (0 for questions asked of everyone). */
  depth: number;
  pAsked: number;
  answers: AnswerView[];
}

export interface GalaxyView {
  id: string;
  store: string;
  predictions: { run: string; schema: string; questions: QuestionView[] }[];
  /** The catalog's answer columns for this galaxy, per question (the volunteers' votes), when the catalog has them. */
  votes: { question: string; text: string; answers: { key: string; column: string; value: Cell }[] }[] | null;
  neighbours: Neighbour[];
  clusters: { run: string; cluster: string; gamma: number | null }[];
}

export interface ClustersView {
  run: string;
  /** The embeddings store holding the clustered galaxies (for their pictures), or null when none does. */
  store: string | null;
  /** Per cluster (clusters.csv order): its size and its most confident members (highest γ first). */
  clusters: { cluster: string; galaxies: number; top: { id: string; gamma: number }[] }[];
  /**
   * overlap.csv: mean responsibility of each cluster k (columns) over the galaxies assigned to each cluster (rows);
   * null for a row whose cluster has no galaxy (cluster writes NaN there).
   */
  overlap: { names: string[]; values: (number | null)[][] } | null;
  /** The `galmorph generate` runs made from this run's model: their figures (galaxies per cluster, interpolation, traversal). */
  generated: { run: string; figures: string[] }[];
}

/** Which galaxies of a predict run's catalog already have volunteer votes. */
export interface CatalogVotes {
  /** The catalog the predict run read (as its config gives it). */
  catalog: string | null;
  /** Ids with at least one vote (empty when the catalog has no vote columns or cannot be read). */
  voted: ReadonlySet<string>;
  /** Why no votes are known (null when the catalog has vote columns). */
  reason: string | null;
}

export interface LabelNextView {
  run: string;
  /** The embeddings store holding these galaxies (for their pictures), or null when none does. */
  store: string | null;
  /** Galaxies of the run with a BALD value. */
  galaxies: number;
  /** Galaxies the catalog has votes for (null when it has no vote columns: `votesReason` says why). */
  voted: number | null;
  votesReason: string | null;
  /** Whether the voted galaxies were left out of the queue. */
  excludeVoted: boolean;
  /** The questions with a BALD column. */
  questions: string[];
  /** The first `limit` galaxies by total BALD (highest first), each with the question contributing most. */
  queue: { rank: number; id: string; bald: number; question: string; questionBald: number; voted: boolean }[];
}

export interface ActiveLearnView {
  run: string;
  /** Per acquisition function and round (results.json's curve order): the labels trained on, the error, the acquired galaxies. */
  rounds: { acquisition: string; round: number; labels: number; rmse: number; acquired: { id: string; bald: number }[]; grid: string | null }[];
  /** Whether acquisitions.csv was there (older runs have only the image grids, showing the first 16 of a round). */
  hasAcquisitionTable: boolean;
}

export interface ExperimentView {
  name: string;
  command: string;
  summary: string | null;
  figures: string[];
  /** The report's main tables, parsed (at most EXPERIMENT_TABLE_ROWS rows each), and every CSV file for download. */
  tables: { file: string; header: string[]; rows: string[][]; truncated: boolean }[];
  files: string[];
}

/** The tables an experiment page shows, in this order, when the run has them. */
const EXPERIMENT_TABLES = ['results.csv', 'savings.csv', 'curve.csv', 'curve_seeds.csv', 'cells.csv'];
const EXPERIMENT_TABLE_ROWS = 200;

/** Whether a run is an experiment (Table 1, active learning) shown on the Experiments page. */
export function isExperiment(command: string): boolean {
  return command.startsWith('experiment') || command === 'active-learn';
}

export interface RunsView {
  /** Embeddings stores; one that cannot be opened is listed with the reason. */
  stores: { name: string; galaxies: number; dimension: number; model: string; catalog: boolean; error?: string }[];
  maps: { name: string; store: string | null }[];
  runs: { name: string; command: string }[];
  /** The runs the Experiments page shows (experiment table1, active-learn). */
  experiments: string[];
}

const FIGURE_EXTENSIONS = ['.png', '.svg'];

function readIdTable(file: string): IdTable {
  const mtimeMs = statSync(file).mtimeMs;
  const { header, rows } = readCsv(file);
  if (header[0] !== 'id') throw new InputError(`the first column is "${header[0]}", not "id"`, { file }, 'a galmorph table with one row per galaxy');
  return { mtimeMs, header, rows, rowOfId: new Map(rows.map((r, k) => [r[0], k])) };
}

function number(cell: string | undefined): number {
  return cell === undefined || cell.trim() === '' ? Number.NaN : Number(cell);
}

/** Depth of each question in the decision tree. */
function depths(schema: Schema): number[] {
  const out = schema.questions.map(() => 0);
  for (const q of schema.questions) out[q.index] = q.parent === null ? 0 : out[q.parent.questionIndex] + 1;
  return out;
}

export interface ExplorerOptions {
  /** The served folder (a real path). */
  root: string;
  /** Where the anomaly sessions' ratings files live (one subfolder per store). */
  ratingsDir: string;
  allowAbsolutePaths: boolean;
}

/**
 * The folder of a `galmorph cluster` run whose analysis the explorer shows: the run folder itself when it holds
 * assignments.csv, otherwise its first seed (cluster writes RUN/seed-N/ per seed), or null when none has finished.
 */
function clusterAnalysisDir(run: RunInfo): string | null {
  if (existsSync(join(run.dir, 'assignments.csv'))) return run.dir;
  const seeds = readdirSync(run.dir).filter((e) => /^seed-\d+$/.test(e)).sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
  const found = seeds.find((e) => existsSync(join(run.dir, e, 'assignments.csv')));
  return found === undefined ? null : join(run.dir, found);
}

/**
 * The volunteers' votes in a catalog row, per question of the schema, for the Galaxy page: each answer's cell under
 * any name the catalog readers accept (answerColumnNames: Kaggle column, readable key, aliases); a blank cell is no
 * vote (a catalog mixing galaxies with and without votes leaves them blank). Null when the row has none.
 */
export function volunteerVotes(schema: Schema, row: Record<string, Cell>): GalaxyView['votes'] {
  const votes = schema.questions.map((q) => ({
    question: q.key, text: q.text,
    answers: q.answers.flatMap((a) => {
      const column = answerColumnNames(a).find((c) => c in row && row[c] !== null && row[c] !== '');
      return column === undefined ? [] : [{ key: a.key, column, value: row[column] }];
    }),
  })).filter((q) => q.answers.length > 0);
  return votes.length === 0 ? null : votes;
}

export class Explorer {
  readonly options: ExplorerOptions;
  private runs: RunInfo[];
  private readonly stores = new Map<string, Promise<StoreView>>();
  private readonly tables = new Map<string, IdTable>();
  private readonly sessions = new Map<string, Promise<AnomalySession>>();
  private readonly catalogVotesCache = new Map<string, Promise<CatalogVotes>>();

  constructor(options: ExplorerOptions) {
    this.options = options;
    this.runs = discoverRuns(options.root);
  }

  /** Looks for runs again (a job may have finished since). */
  rescan(): void {
    this.runs = discoverRuns(this.options.root);
  }

  private find(name: string, what: (r: RunInfo) => boolean, kind: string): RunInfo {
    const run = this.runs.find((r) => r.name === name && what(r));
    if (run === undefined) {
      const known = this.runs.filter(what).map((r) => r.name);
      throw new InputError(`no ${kind} "${name}" in the served folder`, {}, known.length > 0 ? `choose one of: ${known.join(', ')}` : `the folder holds no ${kind}`);
    }
    return run;
  }

  async runsView(): Promise<RunsView> {
    this.rescan();
    const stores = await Promise.all(this.runs.filter((r) => r.store).map(async (r) => {
      try {
        const view = await this.store(r.name);
        return { name: r.name, galaxies: view.ids.length, dimension: view.space.store.dimension, model: basename(view.space.store.manifest.model.name), catalog: view.catalog !== null };
      } catch (e) {
        return { name: r.name, galaxies: 0, dimension: 0, model: '', catalog: false, error: (e as Error).message };
      }
    }));
    const storeRuns = this.runs.filter((r) => r.store);
    return {
      stores,
      maps: this.runs.filter((r) => r.command === 'map').map((r) => ({ name: r.name, store: linkedStore(this.options.root, r, storeRuns)?.name ?? null })),
      runs: this.runs.map((r) => ({ name: r.name, command: r.command })),
      experiments: this.runs.filter((r) => isExperiment(r.command)).map((r) => r.name),
    };
  }

  store(name: string): Promise<StoreView> {
    const run = this.find(name, (r) => r.store, 'embeddings store');
    let view = this.stores.get(run.name);
    if (view === undefined) {
      view = StoreView.open(run, this.options.allowAbsolutePaths);
      view.catch(() => this.stores.delete(run.name));
      this.stores.set(run.name, view);
    }
    return view;
  }

  private table(file: string): IdTable {
    let t = this.tables.get(file);
    if (t === undefined || t.mtimeMs !== statSync(file).mtimeMs) {
      t = readIdTable(file);
      this.tables.set(file, t);
    }
    return t;
  }

  private mapRun(name: string): { run: RunInfo; store: RunInfo | null } {
    const run = this.find(name, (r) => r.command === 'map', 'map run');
    return { run, store: linkedStore(this.options.root, run, this.runs.filter((r) => r.store)) };
  }

  /** Column sources of a map: its own extra columns, every predict run's predictions, cluster assignments, the catalog. */
  private async columnSources(name: string): Promise<Map<string, (ids: string[]) => Promise<(string | null)[]>>> {
    const { run, store } = this.mapRun(name);
    const sources = new Map<string, (ids: string[]) => Promise<(string | null)[]>>();
    const fromCsv = (label: string, file: string) => {
      if (!existsSync(file)) return;
      const t = this.table(file);
      t.header.slice(1).forEach((column, j) => {
        if (label === 'map' && (column === 'x' || column === 'y')) return;
        sources.set(`${label}: ${column}`, async (ids) => ids.map((id) => {
          const r = t.rowOfId.get(id);
          return r === undefined ? null : t.rows[r][j + 1];
        }));
      });
    };
    // The uncertainty of each predicted vote fraction: the width of its 90% interval.
    const uncertainty = (label: string, file: string) => {
      if (!existsSync(file)) return;
      const t = this.table(file);
      t.header.forEach((column, j) => {
        if (!column.endsWith('_lower')) return;
        const answer = column.slice(0, -'_lower'.length);
        const u = t.header.indexOf(`${answer}_upper`);
        if (u < 0) return;
        sources.set(`${label}: ${answer} 90% interval width`, async (ids) => ids.map((id) => {
          const r = t.rowOfId.get(id);
          const width = r === undefined ? Number.NaN : number(t.rows[r][u]) - number(t.rows[r][j]);
          return Number.isFinite(width) ? String(width) : null;
        }));
      });
    };
    fromCsv('map', join(run.dir, 'coordinates.csv'));
    for (const r of this.runs) {
      if (r.command === 'predict') {
        fromCsv(r.name, join(r.dir, 'predictions.csv'));
        uncertainty(r.name, join(r.dir, 'predictions_full.csv'));
      }
      if (r.command === 'cluster') {
        const dir = clusterAnalysisDir(r);
        if (dir !== null) fromCsv(r.name, join(dir, 'assignments.csv'));
      }
    }
    if (store !== null) {
      const view = await this.store(store.name);
      for (const column of await view.catalogColumns()) sources.set(`catalog: ${column}`, (ids) => view.catalogColumn(column, ids));
    }
    return sources;
  }

  async map(name: string): Promise<MapData> {
    const { run, store } = this.mapRun(name);
    const file = join(run.dir, 'coordinates.csv');
    if (!existsSync(file)) throw new InputError('the map run has no coordinates.csv (it has not finished)', { file: run.name }, 'wait for galmorph map to finish, or run it again');
    const t = this.table(file);
    const [ix, iy] = [t.header.indexOf('x'), t.header.indexOf('y')];
    if (ix < 0 || iy < 0) throw new InputError('coordinates.csv has no x and y columns', { file: run.name }, 'a coordinates.csv written by galmorph map');
    return {
      run: run.name,
      store: store?.name ?? null,
      ids: t.rows.map((r) => r[0]),
      x: t.rows.map((r) => number(r[ix])),
      y: t.rows.map((r) => number(r[iy])),
      columns: [...(await this.columnSources(name)).keys()],
    };
  }

  async mapColumn(name: string, column: string): Promise<ColumnValues> {
    const sources = await this.columnSources(name);
    const source = sources.get(column);
    if (source === undefined) throw new InputError(`the map cannot be coloured by "${column}"`, {}, `choose one of: ${[...sources.keys()].slice(0, 20).join(', ')}${sources.size > 20 ? ', …' : ''}`);
    const ids = this.table(join(this.mapRun(name).run.dir, 'coordinates.csv')).rows.map((r) => r[0]);
    const raw = await source(ids);
    const present = raw.filter((v): v is string => v !== null && v !== '');
    const numeric = present.length > 0 && present.every((v) => Number.isFinite(Number(v)));
    return { column, kind: numeric ? 'number' : 'class', values: raw.map((v) => (v === null || v === '' ? null : numeric ? Number(v) : v)) };
  }

  /** Everything the Galaxy page shows about one galaxy of a store. */
  async galaxy(storeName: string, id: string, k: number): Promise<GalaxyView> {
    const store = await this.store(storeName);
    store.index(id);
    const predictions: GalaxyView['predictions'] = [];
    let voteSchema: Schema = getSchema('gz2');
    for (const r of this.runs.filter((x) => x.command === 'predict')) {
      const file = join(r.dir, 'predictions_full.csv');
      if (!existsSync(file) || typeof r.config.schema !== 'string') continue;
      const t = this.table(file);
      const row = t.rowOfId.get(id);
      if (row === undefined) continue;
      let schema: Schema;
      try {
        schema = getSchema(r.config.schema);
      } catch {
        continue; // a schema file that moved: its answers cannot be put in tree order
      }
      voteSchema = schema;
      const cell = (name: string) => number(t.rows[row][t.header.indexOf(name)]);
      const depth = depths(schema);
      predictions.push({
        run: r.name,
        schema: schema.name,
        questions: schema.questions.map((q) => ({
          key: q.key, text: q.text, depth: depth[q.index], pAsked: cell(`${q.key}_p_asked`),
          answers: q.answers.map((a) => ({ key: a.key, text: a.text, fraction: cell(`${a.key}_fraction`), lower: cell(`${a.key}_lower`), upper: cell(`${a.key}_upper`) })),
        })),
      });
    }
    const catalogRow = await store.catalogRow(id);
    const votes = catalogRow === null ? null : volunteerVotes(voteSchema, catalogRow);
    const clusters: GalaxyView['clusters'] = [];
    for (const r of this.runs.filter((x) => x.command === 'cluster')) {
      const dir = clusterAnalysisDir(r);
      if (dir === null) continue;
      const t = this.table(join(dir, 'assignments.csv'));
      const row = t.rowOfId.get(id);
      if (row === undefined) continue;
      const gamma = number(t.rows[row][t.header.indexOf('gamma')]);
      clusters.push({ run: r.name, cluster: t.rows[row][t.header.indexOf('cluster')], gamma: Number.isFinite(gamma) ? gamma : null });
    }
    return { id, store: store.run.name, predictions, votes, neighbours: await store.neighbours(id, k), clusters };
  }

  /** A `galmorph cluster` run's gallery: clusters by size with their most confident galaxies, and the overlap matrix. */
  async clusters(name: string, perCluster: number): Promise<ClustersView> {
    const run = this.find(name, (r) => r.command === 'cluster', 'cluster run');
    const dir = clusterAnalysisDir(run);
    if (dir === null) throw new InputError('the cluster run has no assignments.csv, in itself or a seed-N folder (it has not finished)', { file: run.name }, 'wait for galmorph cluster to finish');
    const t = this.table(join(dir, 'assignments.csv'));
    const [ic, ig] = [t.header.indexOf('cluster'), t.header.indexOf('gamma')];
    if (ic < 0 || ig < 0) throw new InputError('assignments.csv has no cluster and gamma columns', { file: run.name }, 'an assignments.csv written by galmorph cluster');
    const members = new Map<string, { id: string; gamma: number }[]>();
    for (const row of t.rows) members.set(row[ic], [...(members.get(row[ic]) ?? []), { id: row[0], gamma: number(row[ig]) }]);
    const clusters = [...members.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0])).map(([cluster, list]) => ({
      cluster, galaxies: list.length, top: [...list].sort((a, b) => b.gamma - a.gamma).slice(0, perCluster),
    }));
    const store = await this.storeHolding(t.rows[0]?.[0]);
    const overlapFile = join(dir, 'overlap.csv');
    let overlap: ClustersView['overlap'] = null;
    if (existsSync(overlapFile)) {
      const { header, rows } = readCsv(overlapFile);
      overlap = { names: header.slice(1), values: rows.map((r) => r.slice(1).map((c) => (Number.isFinite(number(c)) ? number(c) : null))) };
    }
    // generate's --model names the cluster run folder (or a seed's model inside it), as given on its command line.
    const made = (r: RunInfo) => typeof r.config.model === 'string' &&
      givenPathCandidates(this.options.root, r.config.model).some((p) => p === run.dir || p.startsWith(run.dir + sep));
    const generated = this.runs.filter((r) => r.command === 'generate' && made(r))
      // its own figures, not the generated catalog's single galaxies in its subfolders
      .map((r) => ({ run: r.name, figures: this.runFiles(r.name).figures.filter((f) => f.slice(0, f.lastIndexOf('/')) === r.name) }));
    return { run: run.name, store, clusters, overlap, generated };
  }

  /** The first embeddings store holding galaxy `id` (for pictures of galaxies another run names), or null. */
  private async storeHolding(id: string | undefined): Promise<string | null> {
    if (id === undefined) return null;
    for (const r of this.runs.filter((x) => x.store)) {
      const view = await this.store(r.name).catch(() => null);
      if (view?.indexOfId.has(id) === true) return r.name;
    }
    return null;
  }

  /** Which galaxies of a predict run's catalog have votes (read once per catalog, with the predict run's schema). */
  private catalogVotes(run: RunInfo): Promise<CatalogVotes> {
    const given = typeof run.config.catalog === 'string' ? run.config.catalog : '';
    const found = given === '' ? undefined : givenPathCandidates(this.options.root, given)[0];
    if (found === undefined) {
      return Promise.resolve({ catalog: given || null, voted: new Set(), reason: given === '' ? 'the predict run records no catalog' : `its catalog ${given} is not found from here` });
    }
    let votes = this.catalogVotesCache.get(found);
    if (votes === undefined) {
      votes = (async () => {
        // A sharded predict run (predict --shard-size) records no schema: its catalog's votes are read as gz2's.
        const schema = getSchema(typeof run.config.schema === 'string' ? run.config.schema : 'gz2');
        const catalog = await readCatalog(found, { schema, labelKind: 'auto', checkImages: false, onBad: 'skip', allowAbsolutePaths: this.options.allowAbsolutePaths });
        if (catalog.labelKind !== 'counts' && catalog.labelKind !== 'fractions') {
          return { catalog: given, voted: new Set<string>(), reason: `the catalog has no vote columns: its labels are ${catalog.labelKindReason ?? catalog.labelKind}` };
        }
        const voted = new Set(catalog.rows.filter((r) => r.counts?.some((c) => c > 0) === true).map((r) => r.id));
        return { catalog: given, voted, reason: null };
      })();
      votes.catch(() => this.catalogVotesCache.delete(found));
      this.catalogVotesCache.set(found, votes);
    }
    return votes;
  }

  /**
   * The id and BALD columns of a predict run's full table: predictions_full.csv, or for a sharded run (`predict
   * --shard-size`, `queue merge`), which writes no CSV, the merged predictions_full.parquet read for those columns
   * only (a catalog-scale table has over a hundred columns).
   */
  private async baldTable(run: RunInfo): Promise<IdTable> {
    const csv = join(run.dir, 'predictions_full.csv');
    if (existsSync(csv)) return this.table(csv);
    const file = join(run.dir, 'predictions_full.parquet');
    if (!existsSync(file)) {
      throw new InputError('the predict run has no predictions_full.csv or predictions_full.parquet (it has not finished)', { file: run.name },
        'wait for galmorph predict to finish (a sharded run: until its shards are merged, by predict --shard-size itself or galmorph queue merge)');
    }
    const mtimeMs = statSync(file).mtimeMs;
    let t = this.tables.get(file);
    if (t === undefined || t.mtimeMs !== mtimeMs) {
      const { header, rows } = await readParquet(file, { columns: (c) => c === 'id' || c === BALD_COLUMN || c.endsWith('_bald') });
      if (header[0] !== 'id') throw new InputError('predictions_full.parquet has no "id" column', { file: run.name }, 'a table written by galmorph predict --shard-size');
      const cells = rows.map((r) => r.map((v) => (v === null || (typeof v === 'number' && Number.isNaN(v)) ? '' : String(v))));
      t = { mtimeMs, header, rows: cells, rowOfId: new Map(cells.map((r, k) => [r[0], k])) };
      this.tables.set(file, t);
    }
    return t;
  }

  /** A predict run's table with its BALD columns: the galaxies by total BALD, highest first (ties by id). */
  private async baldRanking(name: string): Promise<{ run: RunInfo; t: IdTable; questions: { key: string; column: number }[]; order: number[]; bald: Float64Array }> {
    const run = this.find(name, (r) => r.command === 'predict', 'predict run');
    const t = await this.baldTable(run);
    const total = t.header.indexOf(BALD_COLUMN);
    if (total < 0) {
      throw new InputError(`the predict run has no "${BALD_COLUMN}" column`, { file: run.name }, 'run galmorph predict again with --bald (BALD needs the binomial or Dirichlet head)');
    }
    const questions = t.header.flatMap((c, j) => (c.endsWith('_bald') ? [{ key: c.slice(0, -'_bald'.length), column: j }] : []));
    const bald = Float64Array.from(t.rows, (r) => number(r[total]));
    const order = t.rows.map((_, k) => k).filter((k) => Number.isFinite(bald[k]));
    order.sort((a, b) => bald[b] - bald[a] || (t.rows[a][0] < t.rows[b][0] ? -1 : 1));
    return { run, t, questions, order, bald };
  }

  /** The Label next page: which galaxies of a predict run volunteers should label next, by BALD. */
  async labelNext(name: string, excludeVoted: boolean, limit: number): Promise<LabelNextView> {
    const { run, t, questions, order, bald } = await this.baldRanking(name);
    const votes = await this.catalogVotes(run);
    const kept = excludeVoted ? order.filter((k) => !votes.voted.has(t.rows[k][0])) : order;
    const queue = kept.slice(0, limit).map((k, i) => {
      const row = t.rows[k];
      let top = { question: '', questionBald: Number.NaN };
      for (const q of questions) {
        const v = number(row[q.column]);
        if (Number.isFinite(v) && !(v <= top.questionBald)) top = { question: q.key, questionBald: v };
      }
      return { rank: i + 1, id: row[0], bald: bald[k], ...top, voted: votes.voted.has(row[0]) };
    });
    return {
      run: run.name, store: await this.storeHolding(queue[0]?.id ?? t.rows[0]?.[0]), galaxies: order.length,
      voted: votes.reason === null ? votes.voted.size : null, votesReason: votes.reason, excludeVoted, questions: questions.map((q) => q.key), queue,
    };
  }

  /** The whole queue as CSV: `id,bald,<question>_bald…,voted`, highest BALD first. */
  async labelNextCsv(name: string, excludeVoted: boolean): Promise<string> {
    const { run, t, questions, order } = await this.baldRanking(name);
    const votes = await this.catalogVotes(run);
    const total = t.header.indexOf(BALD_COLUMN);
    const kept = excludeVoted ? order.filter((k) => !votes.voted.has(t.rows[k][0])) : order;
    return formatCsv(['id', BALD_COLUMN, ...questions.map((q) => t.header[q.column]), 'voted'],
      kept.map((k) => [t.rows[k][0], t.rows[k][total], ...questions.map((q) => t.rows[k][q.column]), votes.reason === null ? (votes.voted.has(t.rows[k][0]) ? 1 : 0) : '']));
  }

  /** An active-learn run's rounds: labels, error and the galaxies each round acquired (acquisitions.csv, grids). */
  activeLearn(name: string): ActiveLearnView {
    const run = this.find(name, (r) => r.command === 'active-learn', 'active-learn run');
    const resultsFile = join(run.dir, 'results.json');
    if (!existsSync(resultsFile)) throw new InputError('the active-learn run has no results.json (it has not finished)', { file: run.name }, 'wait for galmorph active-learn to finish');
    let results: { curve?: { acquisition: string; round: number; labels: number; errorVotes: number }[]; grids?: string[] };
    try {
      results = JSON.parse(readFileSync(resultsFile, 'utf8')) as typeof results;
    } catch (e) {
      throw new InputError(`results.json cannot be read (${(e as Error).message})`, { file: run.name }, 'a results.json written by galmorph active-learn');
    }
    const acquisitionsFile = join(run.dir, 'acquisitions.csv');
    const acquired = new Map<string, { id: string; bald: number }[]>();
    const hasAcquisitionTable = existsSync(acquisitionsFile);
    if (hasAcquisitionTable) {
      const { header, rows } = readCsv(acquisitionsFile);
      const [ia, ir, ii, ib] = ['acquisition', 'round', 'id', 'bald'].map((c) => header.indexOf(c));
      for (const r of rows) {
        const key = `${r[ia]}\0${r[ir]}`;
        acquired.set(key, [...(acquired.get(key) ?? []), { id: r[ii], bald: number(r[ib]) }]);
      }
    }
    const grids = new Set(results.grids ?? []);
    const rel = (file: string) => relative(this.options.root, join(run.dir, file)).split(sep).join('/');
    return {
      run: run.name,
      hasAcquisitionTable,
      rounds: (results.curve ?? []).map((c) => {
        const grid = `grids/${c.acquisition}_round${String(c.round).padStart(2, '0')}.png`;
        return {
          acquisition: c.acquisition, round: c.round, labels: c.labels, rmse: c.errorVotes,
          acquired: acquired.get(`${c.acquisition}\0${c.round}`) ?? [], grid: grids.has(grid) && existsSync(join(run.dir, grid)) ? rel(grid) : null,
        };
      }),
    };
  }

  /** An experiment's report for the Experiments page: its summary, figures and main tables. */
  experiment(name: string): ExperimentView {
    const run = this.find(name, (r) => isExperiment(r.command), 'experiment run (experiment table1, active-learn)');
    const files = this.runFiles(run.name);
    const tables = EXPERIMENT_TABLES.flatMap((file) => {
      const path = join(run.dir, file);
      if (!existsSync(path)) return [];
      const { header, rows } = readCsv(path);
      return [{ file: relative(this.options.root, path).split(sep).join('/'), header, rows: rows.slice(0, EXPERIMENT_TABLE_ROWS), truncated: rows.length > EXPERIMENT_TABLE_ROWS }];
    });
    return { name: run.name, command: run.command, summary: files.summary, figures: files.figures, tables, files: files.tables };
  }

  /** A run's figures and summary, for the Experiments and Clusters pages. */
  runFiles(name: string): { name: string; command: string; summary: string | null; figures: string[]; tables: string[] } {
    const run = this.find(name, () => true, 'run');
    const figures: string[] = [];
    const tables: string[] = [];
    const walk = (dir: string, depth: number) => {
      for (const entry of readdirSync(dir).sort()) {
        if (entry.startsWith('.')) continue;
        const path = join(dir, entry);
        const stat = statSync(path);
        if (stat.isDirectory()) {
          if (depth < 2 && entry !== 'shards' && entry !== 'index') walk(path, depth + 1);
          continue;
        }
        const rel = relative(this.options.root, path).split(sep).join('/');
        if (FIGURE_EXTENSIONS.some((e) => entry.endsWith(e)) && !(entry.endsWith('.svg') && existsSync(path.replace(/\.svg$/, '.png')))) figures.push(rel);
        if (entry.endsWith('.csv')) tables.push(rel);
      }
    };
    walk(run.dir, 0);
    const summaryPath = join(run.dir, 'summary.md');
    return { name: run.name, command: run.command, summary: existsSync(summaryPath) ? readFileSync(summaryPath, 'utf8') : null, figures, tables };
  }

  /** The anomaly session of a store (opened, and resumed from its ratings file, on first use). */
  anomalies(storeName: string): Promise<AnomalySession> {
    const run = this.find(storeName, (r) => r.store, 'embeddings store');
    let session = this.sessions.get(run.name);
    if (session === undefined) {
      const file = join(this.options.ratingsDir, run.name.split('/').join('__'), 'ratings.csv');
      session = AnomalySession.open(run.dir, file);
      session.catch(() => this.sessions.delete(run.name));
      this.sessions.set(run.name, session);
    }
    return session;
  }

  async close(): Promise<void> {
    for (const s of this.sessions.values()) await (await s.catch(() => null))?.close();
    for (const v of this.stores.values()) (await v.catch(() => null))?.dispose();
  }
}
