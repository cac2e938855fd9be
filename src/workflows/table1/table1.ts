/**
 * `galmorph experiment table1`: the semi-supervised comparison of Nishikawa-Toomey et al. (2020), Table 1 —
 * supervised, two-step, alternating (ET-VAE), M1 and a plain CNN, at several numbers of labelled galaxies and
 * seeds — on a catalog given with --data, or on a simulated set generated into the run folder. Completed cells
 * are skipped when the run folder is reused with `resume`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describeBackend, initBackend } from '../../backend/initBackend.js';
import type { CatalogRow } from '../../data/catalog.js';
import type { ImageDataset } from '../../data/dataset.js';
import { OptionError } from '../../util/errors.js';
import { ProgressBar } from '../../util/progress.js';
import { RunFolder } from '../../util/runFolder.js';
import { REGIMES, needsPretraining } from '../../train/regimes/regimePhases.js';
import { simulate } from '../simulate/simulate.js';
import { cellName, pretrain, runCell, type CellContext, type CellResult, type PretrainResult } from './table1Cell.js';
import { imageDataset, labelledDataset, loadTable1Data } from './table1Data.js';
import { TABLE1_PRESET_SETTINGS, TABLE1_PRESETS, type Table1PresetName, type Table1Settings } from './table1Presets.js';
import { writeTable1Report, type AggregateRow } from './table1Report.js';

export interface Table1Options {
  /** Run folder (created; reused with `resume`). */
  out: string;
  /** @default 'quick' */
  preset: Table1PresetName;
  /** Labelled catalog folder or file; null simulates one into the run folder. @default null */
  data: string | null;
  /** Extra unlabelled images (catalog folder or file). @default null */
  unlabelled: string | null;
  /** A further labelled catalog the same trained models are scored on. @default null */
  test: string | null;
  /** Schema the catalogs are read with. @default 'q1' */
  schema: string;
  /** Question predicted; null = the schema's first. @default null */
  question: string | null;
  /** Changes to the preset's settings. @default {} */
  overrides: Partial<Table1Settings>;
  /** @default 1 */
  workers: number;
  /** @default '' (automatic) */
  backend: string;
  /** Seed of the first repeat (repeat k uses seed + k). @default 0 */
  seed: number;
  /** Skip cells whose results are already in the run folder. @default false */
  resume: boolean;
  /** The command line, for the summary. @default '' */
  command: string;
}

const DEFAULTS: Omit<Table1Options, 'out'> = {
  preset: 'quick', data: null, unlabelled: null, test: null, schema: 'q1', question: null, overrides: {},
  workers: 1, backend: '', seed: 0, resume: false, command: '',
};

export interface Table1Result {
  out: string;
  settings: Table1Settings;
  cells: CellResult[];
  aggregate: AggregateRow[];
  totalSeconds: number;
  summary: string;
}

function resolve(given: Partial<Table1Options> & { out: string }): Table1Options {
  const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) } as Table1Options;
  for (const key of Object.keys(given)) if (!(key in DEFAULTS) && key !== 'out') throw new OptionError(key, `one of out, ${Object.keys(DEFAULTS).join(', ')}`, 'an unknown option');
  if (!TABLE1_PRESETS.includes(o.preset)) throw new OptionError('preset', TABLE1_PRESETS.join(' | '), o.preset);
  if (typeof o.out !== 'string' || o.out.length === 0) throw new OptionError('out', 'a run folder path', o.out);
  if (!Number.isInteger(o.workers) || o.workers < 1) throw new OptionError('workers', 'an integer ≥ 1', o.workers);
  return o;
}

function resolveSettings(o: Table1Options): Table1Settings {
  const s: Table1Settings = { ...TABLE1_PRESET_SETTINGS[o.preset], ...o.overrides };
  for (const key of Object.keys(o.overrides)) {
    if (!(key in TABLE1_PRESET_SETTINGS.quick)) throw new OptionError(`overrides.${key}`, `a setting (${Object.keys(TABLE1_PRESET_SETTINGS.quick).join(', ')})`, key);
  }
  if (s.regimes.some((r) => !REGIMES.includes(r))) throw new OptionError('regimes', `a list of ${REGIMES.join(' | ')}`, s.regimes);
  if (s.labels.some((n) => !Number.isInteger(n) || n < 1)) throw new OptionError('labels', 'positive integers', s.labels);
  if (!Number.isInteger(s.seeds) || s.seeds < 1) throw new OptionError('seeds', 'an integer ≥ 1', s.seeds);
  return s;
}

export async function runTable1(given: Partial<Table1Options> & { out: string }): Promise<Table1Result> {
  const started = performance.now();
  const o = resolve(given);
  const settings = resolveSettings(o);
  const run = new RunFolder(o.out);
  const backend = await initBackend({ backend: o.backend, threads: o.workers });
  run.log(`galmorph experiment table1 — ${describeBackend(backend)}`);
  if (o.resume && run.exists('config.json')) {
    const previous = JSON.parse(readFileSync(run.path('config.json'), 'utf8')) as { settings: Table1Settings };
    if (JSON.stringify(previous.settings) !== JSON.stringify(settings)) {
      throw new OptionError('resume', `the same settings as ${run.path('config.json')} (use a new run folder for new settings)`, 'different settings');
    }
  }
  run.writeJson('config.json', { options: { ...o, overrides: undefined }, settings, backend });

  let data = o.data;
  let dataNote = data ?? '';
  if (data === null) {
    const folder = run.path('simulated');
    if (!(o.resume && existsSync(`${folder}/labels.csv`))) {
      run.log(`simulating ${settings.simulateN} galaxies (${settings.imageSize} px, schema ${o.schema}) into ${folder}`);
      await simulate({ out: folder, n: settings.simulateN, size: settings.imageSize, schema: o.schema as 'q1', seed: o.seed });
    }
    data = folder;
    dataNote = `${settings.simulateN} simulated galaxies (galmorph simulate, seed ${o.seed}) in ${folder}; scored also against the true probabilities`;
  }
  const tableData = await loadTable1Data({
    data, unlabelled: o.unlabelled, test: o.test, schema: o.schema, question: o.question,
    nominalN: settings.nominalN, split: settings.split, valSize: settings.valSize,
  });
  const maxLabels = Math.max(...settings.labels);
  if (tableData.trainPool.length < maxLabels) {
    throw new OptionError('labels', `at most ${tableData.trainPool.length} (the training pool of ${data})`, maxLabels);
  }
  const splitSizes = {
    'training pool': tableData.trainPool.length, validation: tableData.val.length, test: tableData.test.length,
    'unlabelled images': tableData.unlabelled.length, ...(tableData.externalTest ? { 'external test': tableData.externalTest.rows.length } : {}),
  };
  run.log(`splits: ${JSON.stringify(splitSizes)}`);
  const preprocess = { size: settings.imageSize, crop: o.data === null ? 1 : settings.crop, colour: 'grey' as const };
  const evalChoice = { preprocess, batchSize: 64, seed: o.seed, training: false };
  const unlabelledSets = new Map<number, ImageDataset<CatalogRow>>();
  const ctx: CellContext = {
    settings, data: tableData, preprocess, workers: o.workers, backend: backend.backend, run,
    valSet: labelledDataset(tableData.val, evalChoice),
    testSet: labelledDataset(tableData.test, evalChoice),
    externalSet: tableData.externalTest ? labelledDataset(tableData.externalTest.rows, evalChoice) : null,
    unlabelledSet: (seed) => {
      if (!unlabelledSets.has(seed)) {
        unlabelledSets.set(seed, imageDataset(tableData.unlabelled, { preprocess, batchSize: settings.batchSize, seed, training: true }));
      }
      return unlabelledSets.get(seed)!;
    },
  };

  const seeds = Array.from({ length: settings.seeds }, (_, k) => o.seed + k);
  const grid = seeds.flatMap((seed) => settings.labels.flatMap((labels) => settings.regimes.map((regime) => ({ regime, labels, seed }))));
  const bar = new ProgressBar({ label: 'table1 cells', total: grid.length, unit: 'cell' });
  const cells: CellResult[] = [];
  const pretrained = new Map<number, PretrainResult>();
  for (const { regime, labels, seed } of grid) {
    const name = cellName(regime, labels, seed);
    const file = `cells/${name}/result.json`;
    if (o.resume && run.exists(file)) {
      cells.push(JSON.parse(readFileSync(run.path(file), 'utf8')) as CellResult);
      run.log(`${name}: done earlier, skipped (--resume)`);
      bar.tick(1);
      continue;
    }
    if (needsPretraining(regime) && !pretrained.has(seed)) pretrained.set(seed, await pretrain(ctx, seed));
    const result = await runCell(ctx, regime, labels, seed, pretrained.get(seed) ?? null);
    run.writeJson(file, result);
    run.log(`${name}: test sum-abs ${result.test.votes.sumAbs.toFixed(4)}, RMSE ${result.test.votes.rmse.toFixed(4)}` +
      (result.test.truth ? `, vs truth ${result.test.truth.sumAbs.toFixed(4)}` : '') + `, ${result.wallSeconds.toFixed(0)} s`);
    cells.push(result);
    bar.tick(1, name);
  }
  bar.finish();
  const totalSeconds = (performance.now() - started) / 1000;
  const bad = [ctx.valSet, ctx.testSet, ...unlabelledSets.values()].flatMap((d) => d.badImages);
  if (bad.length > 0) run.writeJson('bad_images.json', bad);
  const { summary, rows } = await writeTable1Report({
    run, settings, preset: o.preset, command: o.command, dataNote, labelNote: tableData.labelNote,
    backend: describeBackend(backend), workers: o.workers, cells, totalSeconds, splitSizes,
    skipped: [...tableData.skipped, ...(bad.length > 0 ? [{ source: 'images skipped as unreadable (bad_images.json)', rows: bad.length }] : [])],
  });
  run.log(`done in ${(totalSeconds / 60).toFixed(1)} min; summary: ${run.path('summary.md')}`);
  return { out: run.dir, settings, cells, aggregate: rows, totalSeconds, summary };
}
