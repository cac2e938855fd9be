/**
 * What every cell of a Table 1 run shares, and the one way a cell is made and saved — for `galmorph experiment
 * table1` (runTable1) and the queue's table1 jobs (src/jobs/table1Jobs.ts: submit sets the run folder up, workers
 * make cells, merge writes the report) alike, on one run folder layout, so either can continue what the other started:
 *
 *   <out>/config.json                      the resolved options (TABLE1_FIELDS) + command + backend description
 *   <out>/simulated/, simulated-unlabelled/ the simulated catalogs (when --data is absent)
 *   <out>/gradient_balance.json            the alternating regime's loss balance measured at initialisation
 *   <out>/pretrain/seed<s>/result.json     the VAE pre-training of seed s (two-step and M1 start from it)
 *   <out>/cells/<regime>-<labels>-seed<s>/result.json   a cell's result: its presence marks the cell done
 *
 * The set-up: the settings check against config.json, the simulation, the splits, the shared evaluation datasets
 * and the loss balance (measured once per run folder, then reused, so every cell of a run weighs the vote term the
 * same).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeBackend, type BackendDescription } from '../../backend/initBackend.js';
import type { CatalogRow } from '../../data/catalog.js';
import type { ImageDataset } from '../../data/dataset.js';
import type { BadImage } from '../../data/decodeWorkerProtocol.js';
import type { GradientBalance } from '../../train/regimes/lossBalance.js';
import { needsPretraining, type Regime } from '../../train/regimes/regimePhases.js';
import { InputError, OptionError } from '../../util/errors.js';
import { resolveFields } from '../../util/fields.js';
import type { RunFolder } from '../../util/runFolder.js';
import { samePath } from '../commonFields.js';
import { simulate } from '../simulate/simulate.js';
import { TABLE1_DEFAULTS, TABLE1_FIELDS, type Table1Options } from './table1.js';
import { cellName, measureLossBalance, pretrain, runCell, type CellContext, type CellResult } from './table1Cell.js';
import { imageDataset, labelledDataset, loadTable1Data, type Table1Data } from './table1Data.js';
import { writeTable1Report, type AggregateRow, type LossBalanceReport } from './table1Report.js';

/** Weight seeds the loss balance is measured for (each with its own first batch). */
const LOSS_BALANCE_SEEDS = 3;
export const GRADIENT_BALANCE_FILE = 'gradient_balance.json';

/** Options naming files: the same catalog given relatively or absolutely is the same setting. */
const PATH_OPTIONS: readonly (keyof Table1Options)[] = ['data', 'unlabelled', 'test'];
const sameSetting = (k: keyof Table1Options, a: unknown, b: unknown): boolean =>
  PATH_OPTIONS.includes(k) ? samePath(a, b) : JSON.stringify(a) === JSON.stringify(b);

/** Options that may change when a run folder is continued (every other one must match its config.json). */
const RESUME_FREE: readonly (keyof Table1Options)[] = ['preset', 'out', 'resume', 'workers', 'backend', 'commandLine'];

export type Table1Settings = Table1Options & { out: string };

/** The resolved options of a run folder's config.json (what the queue's workers and merge run with). */
export function readTable1Config(dir: string): Table1Settings {
  const path = join(dir, 'config.json');
  if (!existsSync(path)) throw new InputError('no config.json: not a table1 run folder', { file: dir }, 'pass the --out folder given to galmorph queue submit table1');
  const saved = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  if (saved.command !== 'experiment table1') throw new InputError(`config.json is of "${String(saved.command)}", not experiment table1`, { file: path }, 'pass a table1 run folder');
  const options = Object.fromEntries(Object.keys(TABLE1_FIELDS).filter((k) => k in saved).map((k) => [k, saved[k]])) as Partial<Table1Options>;
  return { ...resolveFields(TABLE1_FIELDS, options), out: dir };
}

/** One cell of the grid. */
export interface GridCell {
  regime: Regime;
  labels: number;
  seed: number;
}

/** The grid in the order runTable1 runs it: seeds, then label counts, then regimes. */
export function table1Grid(o: Pick<Table1Options, 'seeds' | 'seed' | 'labels' | 'regimes'>): GridCell[] {
  const seeds = Array.from({ length: o.seeds }, (_, k) => o.seed + k);
  return seeds.flatMap((seed) => o.labels.flatMap((labels) => o.regimes.map((regime) => ({ regime, labels, seed }))));
}

/** Where a cell's result is saved (written whole when the cell is done). */
export function gridCellFile(c: GridCell): string {
  return join('cells', cellName(c.regime, c.labels, c.seed), 'result.json');
}

/** A cell's saved result, or null when the cell is not done. */
export function readCellResult(dir: string, c: GridCell): CellResult | null {
  const path = join(dir, gridCellFile(c));
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as CellResult) : null;
}

/** Whether the seed's VAE pre-training (shared by two-step and M1) is saved. */
export function pretrainDone(dir: string, seed: number): boolean {
  return existsSync(join(dir, 'pretrain', `seed${seed}`, 'result.json'));
}

/**
 * How a run folder is set up: 'run' (a new run: config.json written, the data simulated, the loss balance measured),
 * 'continue' (--resume and queue submit: config.json must match when present, the simulated data and the measured
 * loss balance are reused, what is missing is made) or 'read' (a queue worker or the merge: config.json is the
 * settings, and everything must be set up already).
 */
export type SetupMode = 'run' | 'continue' | 'read';

/** What every cell of a run shares (setupTable1). */
export interface Table1Setup {
  o: Table1Settings;
  run: RunFolder;
  ctx: CellContext;
  data: Table1Data;
  dataNote: string;
  splitSizes: Record<string, number>;
  lossBalance: LossBalanceReport | null;
  grid: GridCell[];
  unlabelledSets: Map<string, ImageDataset<CatalogRow>>;
  /** The backend's description, for the report. */
  backend: string;
}

/** The settings check, the data, the splits, the shared evaluation datasets and the loss balance (module comment). */
export async function setupTable1(o: Table1Settings, run: RunFolder, backend: BackendDescription, mode: SetupMode): Promise<Table1Setup> {
  const reuse = mode !== 'run';
  if (mode !== 'read') {
    if (mode === 'continue' && run.exists('config.json')) {
      const previous = JSON.parse(readFileSync(run.path('config.json'), 'utf8')) as Record<string, unknown>;
      const changed = (Object.keys(TABLE1_FIELDS) as (keyof Table1Options)[])
        .filter((k) => !RESUME_FREE.includes(k) && !sameSetting(k, previous[k] ?? TABLE1_DEFAULTS[k], o[k]));
      if (changed.length > 0) {
        throw new OptionError('resume', `the same settings as ${run.path('config.json')} (use a new run folder for new settings)`, `different ${changed.join(', ')}`);
      }
    }
    run.writeJson('config.json', { command: 'experiment table1', ...o, backendDescription: backend });
  }
  let data = o.data;
  let unlabelled = o.unlabelled;
  let dataNote = data ?? '';
  if (data === null) {
    const simulated = async (name: string, n: number, seed: number): Promise<string> => {
      const folder = run.path(name);
      if (!(reuse && existsSync(join(folder, 'labels.csv')))) {
        if (mode === 'read') throw new InputError(`the simulated catalog ${folder} is missing`, { file: run.dir }, 'submit the run again (galmorph queue submit table1 simulates it)');
        run.log(`simulating ${n} galaxies (${o.imageSize} px, schema ${o.schema}, seed ${seed}) into ${folder}`);
        await simulate({ out: folder, n, size: o.imageSize, schema: o.schema as 'q1', seed });
      }
      return folder;
    };
    data = await simulated('simulated', o.simulate, o.seed);
    dataNote = `${o.simulate} simulated galaxies (galmorph simulate, seed ${o.seed}) in ${data}; scored also against the true probabilities`;
    if (unlabelled === null && o.simulateUnlabelled > 0) {
      // Another seed gives other galaxies; their votes are never read (the catalog is read as unlabelled).
      unlabelled = await simulated('simulated-unlabelled', o.simulateUnlabelled, o.seed + 1_000_003);
      dataNote += `; ${o.simulateUnlabelled} further simulated galaxies (seed ${o.seed + 1_000_003}) as unlabelled images`;
    }
  }
  const tableData = await loadTable1Data({
    data, unlabelled, test: o.test, schema: o.schema, question: o.question,
    nominalN: o.nominalN, split: o.split, valSize: o.valSize, onBad: o.onBad, labelKind: o.labelKind, allowAbsolutePaths: o.allowAbsolutePaths,
  });
  const maxLabels = Math.max(...o.labels);
  if (tableData.trainPool.length < maxLabels) throw new OptionError('labels', `at most ${tableData.trainPool.length} (the training pool of ${data})`, maxLabels);
  const splitSizes = {
    'training pool': tableData.trainPool.length, validation: tableData.val.length, test: tableData.test.length,
    'unlabelled images': tableData.unlabelled.length, ...(tableData.externalTest ? { 'external test': tableData.externalTest.rows.length } : {}),
  };
  if (mode !== 'read') {
    for (const s of tableData.skipped) for (const r of s.list) run.log(`skipped (--on-bad skip) ${r.id}: ${r.reason}`);
    run.log(`splits: ${JSON.stringify(splitSizes)}`);
  }
  const preprocess = { size: o.imageSize, crop: o.data === null ? 1 : o.crop, colour: 'grey' as const };
  const evalChoice = { preprocess, batchSize: 64, seed: o.seed, training: false, onBad: o.onBad };
  const unlabelledSets = new Map<string, ImageDataset<CatalogRow>>();
  const ctx: CellContext = {
    settings: o, data: tableData, preprocess, workers: o.workers, backend: backend.backend, run, classifierWeight: o.classifierWeight ?? 1,
    valSet: labelledDataset(tableData.val, evalChoice),
    testSet: labelledDataset(tableData.test, evalChoice),
    externalSet: tableData.externalTest ? labelledDataset(tableData.externalTest.rows, evalChoice) : null,
    unlabelledSet: (seed, augment) => {
      const key = `${seed}/${augment}`;
      if (!unlabelledSets.has(key)) {
        unlabelledSets.set(key, imageDataset(tableData.unlabelled, { preprocess, batchSize: o.batchSize, seed, training: true, augment, onBad: o.onBad }));
      }
      return unlabelledSets.get(key)!;
    },
  };
  // The classifier weight of the alternating regime: without one given, the ratio of the two terms' gradients at
  // initialisation (geometric mean over three weight seeds), as runTable1 measures it; measured once per folder.
  let lossBalance: LossBalanceReport | null = null;
  if (o.regimes.includes('alternating')) {
    if (reuse && run.exists(GRADIENT_BALANCE_FILE)) {
      // A continued run keeps the weight its first cells were trained with (a new measurement could round differently).
      lossBalance = JSON.parse(readFileSync(run.path(GRADIENT_BALANCE_FILE), 'utf8')) as LossBalanceReport;
      if (mode === 'continue') run.log(`loss balance: reusing ${GRADIENT_BALANCE_FILE}: classifier weight ${lossBalance.classifierWeight} (${lossBalance.source})`);
    } else {
      if (mode === 'read') throw new InputError(`no ${GRADIENT_BALANCE_FILE}`, { file: run.dir }, 'submit the run again (galmorph queue submit table1 measures the loss balance)');
      const labels = Math.min(...o.labels);
      const measured: GradientBalance[] = [];
      for (let k = 0; k < LOSS_BALANCE_SEEDS; k++) measured.push(await measureLossBalance(ctx, labels, o.seed + k));
      const ratio = Math.exp(measured.reduce((a, m) => a + Math.log(m.sharedRatio), 0) / measured.length);
      lossBalance = {
        labels, seeds: measured.map((_, k) => o.seed + k), measured, sharedRatio: ratio, classifierWeight: o.classifierWeight ?? Number(ratio.toPrecision(2)),
        source: o.classifierWeight === null ? 'balanced at initialisation (measured)' : 'given',
      };
      run.writeJson(GRADIENT_BALANCE_FILE, lossBalance);
      run.log(`loss balance at initialisation (${labels} labels, seeds ${lossBalance.seeds.join(', ')}): ‖∇ELBO‖ / ‖∇NLL‖ ` +
        `${measured.map((m) => m.sharedRatio.toPrecision(3)).join(', ')} (geometric mean ${ratio.toPrecision(3)}); classifier weight ${lossBalance.classifierWeight} (${lossBalance.source})`);
    }
    ctx.classifierWeight = lossBalance.classifierWeight;
  }
  return { o, run, ctx, data: tableData, dataNote, splitSizes, lossBalance, grid: table1Grid(o), unlabelledSets, backend: describeBackend(backend) };
}

/** Runs one cell (after the seed's pre-training, made first if the regime needs it and it is not saved) and saves it. */
export async function runAndSaveCell(setup: Table1Setup, c: GridCell): Promise<CellResult> {
  const { ctx, run } = setup;
  const pretrained = needsPretraining(c.regime) ? await pretrain(ctx, c.seed) : null;
  const result = await runCell(ctx, c.regime, c.labels, c.seed, pretrained);
  run.writeJson(gridCellFile(c), result);
  run.log(`${cellName(c.regime, c.labels, c.seed)}: test sum-abs ${result.test.votes.sumAbs.toFixed(4)}, RMSE ${result.test.votes.rmse.toFixed(4)}` +
    (result.test.truth ? `, vs truth ${result.test.truth.sumAbs.toFixed(4)}` : '') + `, ${result.wallSeconds.toFixed(0)} s`);
  return result;
}

/** Writes results, tables, figures and summary.md of `cells` (table1Report.ts), as runTable1 does at its end. */
export async function reportTable1(setup: Table1Setup, cells: CellResult[], totalSeconds: number, bad: BadImage[]): Promise<{ summary: string; rows: AggregateRow[] }> {
  const { run, o } = setup;
  if (bad.length > 0) run.writeJson('bad_images.json', bad);
  return writeTable1Report({
    run, settings: o, dataNote: setup.dataNote, labelNote: setup.data.labelNote,
    backend: setup.backend, workers: o.workers, cells, totalSeconds, splitSizes: setup.splitSizes, lossBalance: setup.lossBalance,
    skipped: [...setup.data.skipped, ...(bad.length > 0 ? [{ source: 'images skipped as unreadable (bad_images.json)', rows: bad.length, list: bad.map((b) => ({ row: 0, id: b.id, reason: b.reason })) }] : [])],
  });
}
