/**
 * `galmorph experiment table1`: the semi-supervised comparison of Nishikawa-Toomey et al. (2020), Table 1 —
 * supervised, two-step, alternating (ET-VAE), M1 and a plain CNN, at several numbers of labelled galaxies and
 * seeds — on a catalog given with --data, or on a simulated set generated into the run folder. Completed cells
 * are skipped when the run folder is reused with `resume`. Options: TABLE1_FIELDS (presets in table1Presets.ts);
 * config.json in the run folder is the resolved set.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { z } from 'zod';
import { describeBackend, initBackend } from '../../backend/initBackend.js';
import { PIXEL_LIKELIHOODS } from '../../losses/pixelLikelihood.js';
import { OptionError } from '../../util/errors.js';
import { field, fieldDefaults, resolveFields, type FieldValues } from '../../util/fields.js';
import { ProgressBar } from '../../util/progress.js';
import { RunFolder } from '../../util/runFolder.js';
import { resumeCommandLine } from '../../util/commandLine.js';
import { InterruptedError, interruptRequested, stoppableWhile } from '../../util/interrupt.js';
import { REGIMES, type Regime } from '../../train/regimes/regimePhases.js';
import { CATALOG_FIELDS, COMPUTE_FIELDS, NOMINAL_N_FIELD, SCHEMA_FIELD } from '../commonFields.js';
import type { CellResult } from './table1Cell.js';
import { AUGMENTATIONS, AUGMENTED_PHASES, type Augmentation, type AugmentedPhase, type SkippedSource } from './table1Data.js';
import { STANDARD_PLAN, TABLE1_PRESETS, TABLE1_PRESETS_NEEDING_DATA, TABLE1_PRESET_NAMES } from './table1Presets.js';
import { cellResultFile, estimatePlanSeconds, finishedCells, planTable1 } from './table1Plan.js';
import { writeTable1Report, type AggregateRow } from './table1Report.js';
import { runAndSaveCell, setupTable1 } from './table1Setup.js';

const optionalPath = (flag: string, help: string) => field.nullable(field.string({ default: '', flag, help }));
const fraction = z.number().min(0).max(1);

/** "alternating=60,supervised=30" → { alternating: 60, supervised: 30 } (a value that is not a number is kept as text for the schema to refuse). */
function parseRegimeTable(raw: string): unknown {
  const entries = raw.split(',').map((pair) => pair.split('=').map((x) => x.trim()));
  if (entries.some((e) => e.length !== 2 || e[0] === '' || e[1] === '')) return raw;
  return Object.fromEntries(entries.map(([k, v]) => [k, Number.isNaN(Number(v)) ? v : Number(v)]));
}

/** A value per regime where it differs from the common option (regimes not named use that option). */
function regimeTable(value: z.ZodType<number>, valueWords: string, flag: string, help: string) {
  return field.custom<Partial<Record<Regime, number>>>(z.partialRecord(z.enum(REGIMES), value), {
    default: {}, expected: `regime=value pairs split by ",", e.g. alternating=60 (regimes: ${REGIMES.join(', ')}; values: ${valueWords})`,
    flag, help, parse: parseRegimeTable,
  });
}

/**
 * `galmorph experiment table1`'s options, declared once: the API's type, defaults and validation, the CLI's flags,
 * and config.json. The defaults are the `quick` preset; `paper` (table1Presets.ts) replaces some of them, and any
 * option given (a flag typed) replaces the preset's value.
 */
export const TABLE1_FIELDS = {
  preset: field.choice(TABLE1_PRESET_NAMES, { default: 'quick', flag: '--preset <name>', help: 'settings preset, overridden by any flag given (listed below)' }),
  out: optionalPath('--out <dir>', 'run folder (default: runs/table1-<preset>-<time>)'),
  data: optionalPath('--data <dir>', 'labelled catalog (folder with labels.csv + images/); default: simulate one into the run folder'),
  unlabelled: optionalPath('--unlabelled <dir>', 'extra unlabelled images (catalog folder) for the VAE'),
  test: optionalPath('--test <dir>', 'a further labelled catalog the same trained models are scored on'),
  schema: field.with(SCHEMA_FIELD, { default: 'q1', help: 'schema the catalogs are read with: gz2 | decals-dr5 | q1 | schema JSON' }),
  question: optionalPath('--question <key>', "question predicted (default: the schema's first)"),
  nominalN: NOMINAL_N_FIELD,
  ...CATALOG_FIELDS,
  simulate: field.integer({ default: 700, min: 10, max: 10_000_000, flag: '--simulate <n>', help: 'galaxies to simulate when --data is absent' }),
  simulateUnlabelled: field.integer({ default: 3000, min: 0, max: 10_000_000, flag: '--simulate-unlabelled <n>', help: 'without --data and --unlabelled: further simulated galaxies (another seed) used as unlabelled images only' }),
  labels: field.list(field.integer({ default: 1, min: 1, max: 10_000_000 }), { default: [100, 300], flag: '--labels <list>', help: 'labelled galaxies per cell, e.g. 100,300,800,1200' }),
  seeds: field.integer({ default: 1, min: 1, max: 1000, flag: '--seeds <n>', help: 'repeats per cell (repeat k uses --seed + k)' }),
  regimes: field.list(field.choice(REGIMES, { default: 'supervised' }), { default: [...REGIMES], flag: '--regimes <list>', help: `comma-separated: ${REGIMES.join(',')}` }),
  imageSize: field.integer({ default: 32, min: 16, max: 1024, step: 16, flag: '--image-size <px>', help: 'image side (a multiple of 16: the encoder has four 2×2 pools)' }),
  poseGridSize: field.nullable(field.integer({ default: 0, min: 8, max: 1024, step: 4, flag: '--pose-grid <px>', help: "side of the pose CNNs' canonical grids (a multiple of 4; default: the image size)" })),
  augment: field.custom<Partial<Record<AugmentedPhase, Augmentation>>>(z.partialRecord(z.enum(AUGMENTED_PHASES), z.enum(AUGMENTATIONS)), {
    default: {}, expected: `phase=augmentation pairs split by ",", e.g. alternating=none,pretrain=none (phases: ${AUGMENTED_PHASES.join(', ')}; augmentations: ${AUGMENTATIONS.join(', ')})`,
    flag: '--augment <spec>', parse: parseRegimeTable,
    help: 'training-image augmentation per phase where it is not rotate (flips + any-angle rotation): none | flip | rotate, e.g. supervised=none,pretrain=none (the paper: none for the ET models)',
  }),
  crop: field.number({ default: 1, min: 0.01, max: 4096, flag: '--crop <fraction>', help: 'central crop of real images before resizing: fraction of the side or whole pixels' }),
  batchSize: field.integer({ default: 16, min: 1, max: 4096, flag: '--batch-size <n>', help: 'images per optimiser step' }),
  learningRate: field.number({ default: 1e-3, min: 1e-8, max: 1, flag: '--learning-rate <x>', help: 'Adam learning rate (supervised, alternating, plain CNN, VAE pre-training)' }),
  afterPretrainingLearningRate: field.number({ default: 1e-3, min: 1e-8, max: 1, flag: '--lr-after-pretraining <x>', help: 'Adam learning rate after VAE pre-training (two-step, M1)' }),
  epochs: field.integer({ default: 12, min: 1, max: 100_000, flag: '--epochs <n>', help: 'epochs per training phase (given, it also replaces the preset\'s per-label epochs)' }),
  epochsByLabels: field.custom<Record<string, number>>(z.record(z.string().regex(/^\d+$/), z.number().int().min(1).max(100_000)), {
    default: {}, expected: 'epochs by number of labels, e.g. { "1200": 100 }', help: 'epochs per phase where they differ from epochs, by number of labels',
  }),
  regimeEpochs: regimeTable(z.number().int().min(1).max(100_000), 'integers in [1, 100000]', '--regime-epochs <spec>',
    'epochs per regime where they differ from the epochs above, e.g. alternating=4 (an epoch is a pass over the phase\'s own data: the labelled images, or for alternating the unlabelled ones)'),
  pretrainEpochs: field.integer({ default: 6, min: 1, max: 100_000, flag: '--pretrain-epochs <n>', help: 'epochs of VAE pre-training over all training images' }),
  cellSeconds: field.number({ default: 30, min: 0, max: 1e7, flag: '--cell-seconds <s>', help: 'training-time budget of each training phase (0: none)' }),
  regimeSeconds: regimeTable(z.number().min(0).max(1e7), 'seconds in [0, 10000000], 0: none', '--regime-seconds <spec>',
    'training-time budget per regime where it differs from --cell-seconds, e.g. alternating=60'),
  patience: field.integer({ default: 0, min: 0, max: 10_000, flag: '--patience <n>', help: 'early stopping: end a training phase after n validations in a row without a better score (0: never)' }),
  pretrainSeconds: field.number({ default: 40, min: 0, max: 1e7, flag: '--pretrain-seconds <s>', help: 'training-time budget of VAE pre-training (0: none)' }),
  validations: field.integer({ default: 6, min: 1, max: 10_000, flag: '--validations <n>', help: 'validations per training phase (the best validation checkpoint is kept)' }),
  valSize: field.integer({ default: 100, min: 1, max: 10_000_000, help: 'at most this many validation galaxies (the rest of the validation split is unused)' }),
  split: field.custom(z.object({ train: fraction, val: fraction, test: fraction }).refine((f) => Math.abs(f.train + f.val + f.test - 1) <= 1e-9), {
    default: { train: 0.6, val: 0.1, test: 0.3 }, expected: 'train, val and test fractions summing to 1', help: 'fractions of the labelled catalog in train / val / test (by id hash)',
  }),
  latentDim: field.integer({ default: 32, min: 1, max: 4096, help: 'latent dimensions of the ET-VAE' }),
  likelihood: field.choice(PIXEL_LIKELIHOODS, { default: 'bernoulli', flag: '--likelihood <kind>', help: 'pixel likelihood of the VAE decoder (gaussian: σ 0.1, laplace: scale 0.5)' }),
  classifierWeight: field.nullable(field.number({ default: 1, min: 0, max: 1e6, flag: '--classifier-weight <w>',
    help: 'weight of the vote NLL beside −ELBO in the alternating regime (default: balanced at initialisation — the measured ‖∇ELBO‖ / ‖∇NLL‖ on the ET and encoder weights, 2 significant digits; the paper: 1)' })),
  rotations: field.integer({ default: 1, min: 0, max: 64, help: 'random rotations per test galaxy in the rotation-consistency figure' }),
  resume: field.boolean({ default: false, flag: '--resume', help: 'reuse the run folder: skip completed cells and pre-training (after Ctrl-C or a kill, the interrupted cell runs again)' }),
  ...COMPUTE_FIELDS,
  /** The command line, for the summary; null when called from the API. */
  commandLine: field.nullable(field.string({ default: '', help: 'the command line, shown in the summary' })),
};

export type Table1Options = FieldValues<typeof TABLE1_FIELDS>;

export const TABLE1_DEFAULTS: Table1Options = fieldDefaults(TABLE1_FIELDS);

export interface Table1Result {
  out: string;
  /** The resolved options (as in config.json). */
  options: Table1Options;
  cells: CellResult[];
  aggregate: AggregateRow[];
  totalSeconds: number;
  summary: string;
}

/**
 * The options given over the preset over the defaults. An `epochs` given without `epochsByLabels` applies to every
 * number of labels (the preset's per-label epochs are dropped). A preset sized for real data (standard) refuses to
 * run without --data.
 */
export function resolveTable1Options(given: Partial<Table1Options>): Table1Options & { out: string } {
  const { preset } = resolveFields({ preset: TABLE1_FIELDS.preset }, { preset: given.preset });
  const base = given.epochs !== undefined && given.epochsByLabels === undefined ? { ...TABLE1_PRESETS[preset], epochsByLabels: {} } : TABLE1_PRESETS[preset];
  const o = resolveFields(TABLE1_FIELDS, given, base);
  const needsData = TABLE1_PRESETS_NEEDING_DATA[preset];
  if (needsData !== undefined && o.data === null) {
    throw new OptionError('data', `a labelled catalog folder with the ${preset} preset (it does not simulate): ${needsData}`, null);
  }
  return { ...o, out: o.out ?? `runs/table1-${o.preset}-${new Date().toISOString().replace(/[:.]/g, '-')}` };
}

export async function runTable1(given: Partial<Table1Options> = {}): Promise<Table1Result> {
  const started = performance.now();
  const o = resolveTable1Options(given);
  using run = new RunFolder(o.out);
  const backend = await initBackend({ backend: o.backend, threads: o.workers });
  run.log(`galmorph experiment table1 — ${describeBackend(backend)}`);
  const setup = await setupTable1(o, run, backend, o.resume ? 'continue' : 'run');
  const { ctx, data: tableData, dataNote, splitSizes, lossBalance, unlabelledSets } = setup;

  const plan = planTable1(o, { unlabelled: tableData.unlabelled.length });
  const grid = plan.cells;
  const done = o.resume ? finishedCells(plan, run.dir) : new Set<string>();
  const trainingImages = grid.filter((c) => !done.has(c.name)).reduce((a, c) => a + c.train.maxImages, 0);
  run.log(`plan: ${grid.length} cells (${done.size} done earlier), at most ${trainingImages} training images in the cells to run` +
    (plan.pretrain === null ? '' : ` + ${plan.pretrain.phase.maxImages} per seed of VAE pre-training`) + '; per cell: ' +
    grid.filter((c) => c.seed === o.seed).map((c) => `${c.regime}-${c.labels} ≤ ${c.train.epochs} epochs = ${c.train.maxSteps} steps`).join(', '));
  if (o.preset === 'standard') {
    const todo = new Set(grid.filter((c) => !done.has(c.name)).map((c) => c.name));
    const seconds = estimatePlanSeconds(plan, o, STANDARD_PLAN.rates, tableData.test.length, todo);
    run.log(`estimate for the cells to run at the standard preset's idle-machine rates (${JSON.stringify(STANDARD_PLAN.rates)} images/s): ` +
      `at most ${(seconds / 60).toFixed(0)} min without early stops (load from other processes makes it longer; the results do not depend on it)`);
  }
  const bar = new ProgressBar({ label: 'table1 cells', total: grid.length, unit: 'cell' });
  const cells: CellResult[] = [];
  const bad = () => [ctx.valSet, ctx.testSet, ...unlabelledSets.values()].flatMap((d) => d.badImages);
  const skipped = (): SkippedSource[] => {
    const b = bad();
    return [...tableData.skipped, ...(b.length > 0 ? [{ source: 'images skipped as unreadable (bad_images.json)', rows: b.length, list: b.map((x) => ({ row: 0, id: x.id, reason: x.reason })) }] : [])];
  };
  const report = (plannedCells: number) => writeTable1Report({
    run, settings: o, dataNote, labelNote: tableData.labelNote, backend: describeBackend(backend), workers: o.workers, cells,
    totalSeconds: (performance.now() - started) / 1000, splitSizes, lossBalance, skipped: skipped(), plannedCells,
  });
  // SIGINT/SIGTERM stop the cell in progress at its next step (util/interrupt.ts); completed cells are kept and
  // --resume skips them.
  await stoppableWhile(async () => {
    try {
      for (const { regime, labels, seed, name } of grid) {
        const file = cellResultFile(name);
        if (done.has(name)) {
          cells.push(JSON.parse(readFileSync(run.path(file), 'utf8')) as CellResult);
          run.log(`${name}: done earlier, skipped (--resume)`);
          bar.tick(1);
          continue;
        }
        const result = await runAndSaveCell(setup, { regime, labels, seed });
        cells.push(result);
        run.log(`${name}: load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} (1/5/15 min) at its end`, { echo: false });
        // The report so far, so that a run stopped here (or still running) can be read and its finished cells shown.
        if (cells.length < grid.length) await report(grid.length);
        bar.tick(1, name);
      }
      // A signal after the last cell's last step: every cell is saved, only the report is missing.
      const signal = interruptRequested();
      if (signal !== null) throw new InterruptedError(signal, null, 'the report (every cell is done)', 0);
    } catch (e) {
      if (!(e instanceof InterruptedError)) throw e;
      const where = e.progress === null ? e.label : `${e.label} at epoch ${e.progress.epoch} step ${e.loopSteps}`;
      const message = `interrupted at ${where} (by ${e.signal}); ${cells.length} of ${grid.length} cells are complete and kept; ` +
        `resume with ${resumeCommandLine() ?? 'the same options and resume: true'} (the interrupted cell starts again)`;
      run.log(message, { echo: false });
      throw new InterruptedError(e.signal, e.progress, e.label, e.loopSteps, message);
    }
  });
  bar.finish();
  const totalSeconds = (performance.now() - started) / 1000;
  if (bad().length > 0) run.writeJson('bad_images.json', bad());
  const { summary, rows } = await report(grid.length);
  run.log(`done in ${(totalSeconds / 60).toFixed(1)} min; summary: ${run.path('summary.md')}`);
  return { out: run.dir, options: o, cells, aggregate: rows, totalSeconds, summary };
}
