/**
 * `galmorph active-learn`: the Bayesian-CNN active-learning experiment (Walmsley et al. 2019) on simulated or real
 * labelled galaxies. Runs the loop (activeLearnLoop.ts) for the chosen acquisition function and the random
 * baseline, then writes the run folder: config.json (the resolved options), curve.csv/results.json (error against
 * noisy votes and, on simulated data, against the true probabilities, per round and labels), error_vs_labels plots,
 * the label saving at equal error, per-round image grids of acquired galaxies, properties of acquired vs pool
 * galaxies (simulated truth), the discrete-coverage calibration of every round's model (raw, and with `--calibrate
 * validation` after widening its predictive by one over-dispersion scalar fitted on the validation galaxies, with
 * the scalar; active/overdispersionCalibration.ts), summary.md and run.log; each
 * regime's final model is saved in models/<acquisition>/ (loadable by `galmorph predict --model`). With `--seeds n`
 * (n ≥ 2) each seed is such a run in OUT/seed<k>/ and OUT/ gets their combination (activeLearnSeeds.ts): the label
 * saving per seed and its mean with a 95% CI; `--resume` keeps the seeds already done.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { field, fieldDefaults, resolveFields, type FieldValues } from '../../util/fields.js';
import { InputError, OptionError } from '../../util/errors.js';
import { RunFolder } from '../../util/runFolder.js';
import { commandLine, resumeCommandLine } from '../../util/commandLine.js';
import { InterruptedError, interruptRequested, stoppableWhile } from '../../util/interrupt.js';
import { ProgressBar } from '../../util/progress.js';
import { describeBackend } from '../../backend/initBackend.js';
import type { AcquisitionFunction } from '../../active/acquisition.js';
import { CATALOG_FIELDS, COMPUTE_FIELDS, NOMINAL_N_FIELD, outFolder, PROGRESS_FIELD, samePath, SCHEMA_FIELD } from '../commonFields.js';
import { simulate } from '../simulate/simulate.js';
import { loadActiveLearnData } from './activeLearnData.js';
import { BALD_SCOPES } from './activeLearnBald.js';
import { activeLearnLoop, type ActiveLearnEvent } from './activeLearnLoop.js';
import { ACTIVE_LEARN_PRESETS, ACTIVE_LEARN_PRESET_NAMES } from './activeLearnPresets.js';
import { writeActiveLearnReport, type RoundRecord } from './activeLearnReport.js';
import { readSeedRun, writeSeedsReport, type SeedRun } from './activeLearnSeeds.js';
import { BayesianCnn } from '../../models/bayesianCnn.js';
import { saveBayesianCnn } from '../../models/bayesianCnnCheckpoint.js';
import { applyTrainerWeights } from '../../train/applyTrainerWeights.js';
import { resolvePreprocessOptions } from '../../data/preprocess.js';

/** Acquisition functions compared against the random baseline (which always runs). */
const COMPARED_ACQUISITIONS = ['bald', 'entropy'] as const satisfies readonly AcquisitionFunction[];
/** Heads the loop has a BALD for: one answer (binomial) or every question (Dirichlet-multinomial). */
const ACTIVE_LEARN_HEADS = ['binomial', 'dirichlet'] as const;
const RETRAIN_MODES = ['warm-start', 'from-scratch'] as const;
const CALIBRATE_MODES = ['none', 'validation'] as const;

const optionalPath = (flag: string, help: string) => field.nullable(field.string({ default: '', flag, help }));
const BLOCKS = z.array(z.array(z.number().int().min(1).max(4096)).min(1)).min(1);

/**
 * `galmorph active-learn`'s options, declared once: the API's type, defaults and validation, the CLI's flags, and
 * config.json. The defaults are the `quick` preset; `paper` (activeLearnPresets.ts) replaces some of them, and any
 * option given (a flag typed) replaces the preset's value.
 */
export const ACTIVE_LEARN_FIELDS = {
  preset: field.choice(ACTIVE_LEARN_PRESET_NAMES, { default: 'quick', flag: '--preset <name>', help: 'settings preset, overridden by any flag given (listed below)' }),
  data: optionalPath('--data <dir>', 'labelled catalog folder (counts, or fractions × --nominal-n); default: simulate --simulate galaxies'),
  simulate: field.integer({ default: 900, min: 0, max: 10_000_000, flag: '--simulate <n>', help: 'without --data: simulate n galaxies with known truth into OUT/simulated and use them (the paper preset sets 0: give --data or --simulate)' }),
  test: optionalPath('--test <dir>', 'separate test catalog (default: an id-hash 20% of --data)'),
  out: outFolder({ default: '', flag: '--out <dir>', help: 'run folder' }),
  schema: SCHEMA_FIELD,
  answer: field.string({ default: 'q1_features_or_disk', flag: '--answer <key>', help: 'answer scored and calibrated (binomial head: the answer predicted)' }),
  acquisition: field.choice(COMPARED_ACQUISITIONS, { default: 'bald', flag: '--acquisition <name>', help: 'acquisition function compared with random (which always runs as the baseline)' }),
  nominalN: NOMINAL_N_FIELD,
  ...CATALOG_FIELDS,
  head: field.choice(ACTIVE_LEARN_HEADS, { default: 'binomial', flag: '--head <kind>', help: 'binomial (--answer only, binomial BALD: the paper\'s setup) | dirichlet (every question, Dirichlet-multinomial BALD)' }),
  baldScope: field.choice(BALD_SCOPES, { default: 'scored', flag: '--bald-scope <scope>', help: 'dirichlet head: BALD of the scored answer\'s question only (scored) or summed over every question (all)' }),
  headBias: field.nullable(field.number({ default: 0, min: -20, max: 20, flag: '--head-bias <b>', help: 'initial bias of the head logits (default: −3 for dirichlet — α starts ≈ 5.7, not ≈ 51 —, 0 for binomial)' })),
  initialLabels: field.integer({ default: 64, min: 1, max: 10_000_000, flag: '--initial <n>', help: 'galaxies labelled before the first round' }),
  perRound: field.integer({ default: 32, min: 1, max: 10_000_000, flag: '--per-round <n>', help: 'galaxies acquired (labelled by the oracle) per round' }),
  rounds: field.integer({ default: 5, min: 0, max: 10_000, flag: '--rounds <n>', help: 'acquisition rounds' }),
  poolSize: field.integer({ default: 512, min: 1, max: 10_000_000, flag: '--pool <n>', help: 'largest pool of unlabelled candidates scored each round' }),
  valSize: field.integer({ default: 128, min: 1, max: 10_000_000, flag: '--val-size <n>', help: 'labelled validation galaxies for early stopping (never acquired or tested; the same for every acquisition function)' }),
  testSize: field.integer({ default: 256, min: 1, max: 10_000_000, flag: '--test-size <n>', help: 'largest test split (never acquired)' }),
  passes: field.integer({ default: 10, min: 1, max: 1000, flag: '--passes <n>', help: 'MC-dropout passes T' }),
  calibrate: field.choice(CALIBRATE_MODES, { default: 'validation', flag: '--calibrate <mode>', help: "validation: each round, widen the scored answer's predictive by one over-dispersion scalar (a beta-binomial concentration for the binomial head, a scale on the Dirichlet concentrations) fitted by maximum likelihood to the validation galaxies' votes, and report the test coverage error before and after | none: the raw predictive only. BALD and acquisition always use the uncalibrated model" }),
  votes: field.integer({ default: 40, min: 1, max: 100_000, help: 'N, the votes a galaxy is expected to receive (binomial BALD, expected votes)' }),
  imageSize: field.integer({ default: 32, min: 8, max: 1024, flag: '--image-size <n>', help: 'image side in pixels' }),
  crop: field.number({ default: 1, min: 0.01, max: 1, flag: '--crop <x>', help: 'central crop, fraction of the image side (0.5 for GZ2 JPEGs)' }),
  blocks: field.custom<number[][]>(BLOCKS, { default: [[16, 16], [32, 32], [32]], expected: 'conv filters per block, e.g. [[32, 32], [64]]', help: 'CNN filters per block (a 2×2 max-pool after each block)' }),
  denseUnits: field.integer({ default: 64, min: 1, max: 8192, help: 'units of the dense layer' }),
  dropout: field.number({ default: 0.5, min: 0, max: 0.95, help: 'MC-dropout rate (always on)' }),
  epochs: field.integer({ default: 40, min: 1, max: 100_000, flag: '--epochs <n>', help: 'most training epochs over the labelled set per round (early stopping may end it sooner)' }),
  patience: field.integer({ default: 8, min: 0, max: 100_000, flag: '--patience <n>', help: 'early stopping: end a round\'s training after n epochs without a better validation score, keeping the best epoch (0: never)' }),
  batchSize: field.integer({ default: 32, min: 1, max: 4096, flag: '--batch-size <n>', help: 'galaxies per batch' }),
  learningRate: field.number({ default: 2e-3, min: 1e-8, max: 1, flag: '--learning-rate <x>', help: 'Adam learning rate' }),
  retrain: field.choice(RETRAIN_MODES, { default: 'warm-start', flag: '--retrain <mode>', help: "warm-start (keep training the previous round's weights) | from-scratch (the initial weights each round)" }),
  seeds: field.integer({ default: 1, min: 1, max: 1000, flag: '--seeds <n>', help: 'repeats with seeds --seed, --seed + 1, …, each a whole run in OUT/seed<k>/; OUT/summary.md gives the label saving per seed and its mean with a 95% CI' }),
  resume: field.boolean({ default: false, flag: '--resume', help: 'with --seeds ≥ 2: reuse the run folder, keeping the seeds already done (a seed stopped part-way runs again)' }),
  ...COMPUTE_FIELDS,
  progress: PROGRESS_FIELD,
};

export type ActiveLearnOptions = FieldValues<typeof ACTIVE_LEARN_FIELDS>;

export const ACTIVE_LEARN_DEFAULTS: ActiveLearnOptions = fieldDefaults(ACTIVE_LEARN_FIELDS);

/**
 * The options given over the preset over the defaults. Galaxies come from `data` or, without it, are simulated
 * (`simulate`, 900 by default; the paper preset sets 0 so that it needs one of them said): `data` and a
 * `simulate` given explicitly together are refused, and so is neither.
 */
function resolveActiveLearnOptions(given: Partial<ActiveLearnOptions>): ActiveLearnOptions {
  const { preset } = resolveFields({ preset: ACTIVE_LEARN_FIELDS.preset }, { preset: given.preset });
  const options = resolveFields(ACTIVE_LEARN_FIELDS, given, ACTIVE_LEARN_PRESETS[preset]);
  if (options.data !== null && given.simulate !== undefined && given.simulate > 0) {
    throw new OptionError('simulate', `0 or absent when --data is given (both were: --data ${options.data}, --simulate ${given.simulate}); pass one of them`, given.simulate);
  }
  if (options.head === 'binomial' && options.baldScope !== 'scored') {
    throw new OptionError('baldScope', '"scored" with the binomial head (it predicts the scored answer only); use --head dirichlet for "all"', options.baldScope);
  }
  if (options.resume && options.seeds < 2) {
    throw new OptionError('resume', 'false with --seeds 1 (only a run over several seeds resumes, keeping the seeds done; a single run keeps no rounds: start it again)', true);
  }
  if (options.data !== null) return { ...options, simulate: 0 };
  if (options.simulate === 0) {
    throw new InputError(`no galaxies to learn from: neither --data nor --simulate (> 0) was given${preset === 'paper' ? ' (the paper preset does not simulate by default)' : ''}`, {},
      'pass --data DIR (a labelled catalog folder) or --simulate N (galaxies to simulate)');
  }
  return options;
}

export interface ActiveLearnResult {
  out: string;
  /** Every round of every seed run now (seeds kept by --resume are in `seedRuns` only). */
  records: RoundRecord[];
  seconds: number;
  /** With --seeds ≥ 2: each seed's run folder and results. */
  seedRuns?: SeedRun[];
}

/** Options that may change when a run with seeds is resumed (every other one must match its config.json). */
const RESUME_FREE: readonly (keyof ActiveLearnOptions)[] = ['preset', 'out', 'resume', 'workers', 'backend', 'progress'];
const PATH_OPTIONS: readonly (keyof ActiveLearnOptions)[] = ['data', 'test'];

export async function activeLearn(given: Partial<ActiveLearnOptions> & Pick<ActiveLearnOptions, 'out'>): Promise<ActiveLearnResult> {
  const options = resolveActiveLearnOptions(given);
  return options.seeds > 1 ? activeLearnSeeds(options) : activeLearnOnce(options);
}

/** The seeds one after another, each a whole run in OUT/seed<k>/, then their combination in OUT/. */
async function activeLearnSeeds(options: ActiveLearnOptions): Promise<ActiveLearnResult> {
  const started = Date.now();
  using run = new RunFolder(options.out);
  if (options.resume && run.exists('config.json')) {
    const previous = JSON.parse(readFileSync(run.path('config.json'), 'utf8')) as Record<string, unknown>;
    const changed = (Object.keys(ACTIVE_LEARN_FIELDS) as (keyof ActiveLearnOptions)[]).filter((k) => !RESUME_FREE.includes(k) &&
      !(PATH_OPTIONS.includes(k) ? samePath(previous[k], options[k]) : JSON.stringify(previous[k] ?? ACTIVE_LEARN_DEFAULTS[k]) === JSON.stringify(options[k])));
    if (changed.length > 0) throw new OptionError('resume', `the same settings as ${run.path('config.json')} (use a new run folder for new settings)`, `different ${changed.join(', ')}`);
  }
  run.writeJson('config.json', { command: 'active-learn', ...options });
  const runs: SeedRun[] = [];
  const records: RoundRecord[] = [];
  for (let k = 0; k < options.seeds; k++) {
    const seed = options.seed + k;
    const dir = join(options.out, `seed${seed}`);
    if (options.resume && existsSync(join(dir, 'results.json'))) {
      run.log(`seed ${seed}: done earlier, kept (--resume)`);
    } else {
      run.log(`seed ${seed} (${k + 1} of ${options.seeds}) in ${dir}`);
      try {
        records.push(...(await activeLearnOnce({ ...options, seed, seeds: 1, resume: false, out: dir })).records);
      } catch (e) {
        if (!(e instanceof InterruptedError)) throw e;
        const message = `interrupted in seed ${seed} (by ${e.signal}); ${runs.length} of ${options.seeds} seeds are complete and kept; ` +
          `resume with ${resumeCommandLine() ?? 'the same options and resume: true'} (seed ${seed} starts again)`;
        run.log(message, { echo: false });
        throw new InterruptedError(e.signal, e.progress, e.label, e.loopSteps, message);
      }
    }
    runs.push(readSeedRun(seed, dir));
  }
  const seconds = (Date.now() - started) / 1000;
  await writeSeedsReport(run, runs, { preset: options.preset, acquisitions: [options.acquisition, 'random'], answer: options.answer, seconds, commandLine: commandLine() });
  run.log(`${options.seeds} seeds done in ${seconds.toFixed(0)} s; combined results in ${options.out}/summary.md`);
  return { out: options.out, records, seconds, seedRuns: runs };
}

/** One active-learning run (one seed) into options.out. */
async function activeLearnOnce(options: ActiveLearnOptions): Promise<ActiveLearnResult> {
  const started = Date.now();
  using run = new RunFolder(options.out);
  run.log(`${describeBackend()}; data-parallel workers: ${options.workers}`);
  run.writeJson('config.json', { command: 'active-learn', ...options });
  let dataDir = options.data;
  if (options.simulate > 0) {
    dataDir = join(options.out, 'simulated');
    run.log(`simulating ${options.simulate} galaxies (${options.imageSize}×${options.imageSize}) into ${dataDir}`);
    await simulate({ n: options.simulate, out: dataDir, size: options.imageSize, seed: options.seed, progress: options.progress, gridTiles: 16 });
  }
  const data = await loadActiveLearnData({
    data: dataDir!, test: options.test, schema: options.schema, nominalN: options.nominalN, seed: options.seed, progress: options.progress,
    preprocess: { size: options.imageSize, crop: options.crop, colour: 'grey' }, initialLabels: options.initialLabels, valSize: options.valSize, poolSize: options.poolSize, testSize: options.testSize,
    onBad: options.onBad, labelKind: options.labelKind, allowAbsolutePaths: options.allowAbsolutePaths,
  });
  for (const s of data.skipped) run.log(`skipped ${s.kind} ${s.id}${s.row === null ? '' : ` (row ${s.row})`}: ${s.reason}`);
  data.schema.answerIndex(options.answer);
  run.log(`labels: ${data.labelNote}; ${data.skipped.length} galaxies left out (--on-bad skip); ${data.initial.length} labelled to start, validation ${data.val.length}, pool ${data.pool.length}, test ${data.test.length}` +
    (data.truthColumns.length > 0 ? ', true probabilities from truth.csv' : ', no truth.csv (scored against votes only)'));
  const acquisitions: AcquisitionFunction[] = [options.acquisition, 'random'];
  const records: RoundRecord[] = [];
  let bar: ProgressBar | null = null;
  const loop = activeLearnLoop(data, { settings: options, acquisitions });
  // SIGINT/SIGTERM stop the round in progress at its next step (util/interrupt.ts); active-learn has no --resume.
  await stoppableWhile(async () => {
    try {
      for await (const event of loop) bar = onEvent(event, bar, run, records, options);
      const signal = interruptRequested();
      if (signal !== null) throw new InterruptedError(signal, null, 'the report (every round is done)', 0);
    } catch (e) {
      if (!(e instanceof InterruptedError)) throw e;
      const where = e.progress === null ? e.label : `${e.label} at epoch ${e.progress.epoch} step ${e.loopSteps}`;
      const message = `interrupted at ${where} (by ${e.signal}); ${records.length} rounds were scored (see run.log); active-learn cannot resume a run: ` +
        `start again with ${commandLine() ?? 'the same options'}`;
      run.log(message, { echo: false });
      throw new InterruptedError(e.signal, e.progress, e.label, e.loopSteps, message);
    }
  });
  const seconds = (Date.now() - started) / 1000;
  await writeActiveLearnReport(run, { data, settings: options, records, answer: options.answer, acquisitions, seconds });
  run.log(`done in ${seconds.toFixed(0)} s; results in ${options.out}`);
  return { out: options.out, records, seconds };
}

function onEvent(event: ActiveLearnEvent, bar: ProgressBar | null, run: RunFolder, records: RoundRecord[], settings: ActiveLearnOptions): ProgressBar | null {
  switch (event.type) {
    case 'regime-start':
      run.log(`acquisition ${event.acquisition}: ${event.rounds} rounds`);
      return settings.progress ? new ProgressBar({ label: event.acquisition, total: (event.rounds + 1) * settings.epochs, unit: 'epochs' }) : null;
    case 'train':
      bar?.tick(1, `round ${event.round} loss ${event.loss.toFixed(2)}`);
      return bar;
    case 'note':
      run.log(event.message);
      return bar;
    case 'round':
      records.push({ acquisition: event.acquisition, round: event.round, labels: event.labels, errorVotes: event.scores.errorVotes,
        errorTruth: event.scores.errorTruth, seconds: event.seconds, training: event.training, acquired: event.acquired, testPasses: event.scores.passes,
        calibration: event.calibration });
      run.log(`${event.acquisition} round ${event.round}: ${event.labels} labels, RMSE vs votes ${event.scores.errorVotes.toFixed(4)}` +
        (Number.isNaN(event.scores.errorTruth) ? '' : `, vs truth ${event.scores.errorTruth.toFixed(4)}`) +
        `; ${event.training.epochs} epochs (best ${event.training.bestEpoch}, validation ${event.training.bestValidation.toFixed(4)}, stopped by ${event.training.stoppedBy})` +
        (event.calibration === null ? '' : `; calibration ${event.calibration.parameter} ${event.calibration.value.toPrecision(3)}${event.calibration.atBound === null ? '' : ` (at the ${event.calibration.atBound} bound)`}`) +
        ` (${event.seconds.toFixed(0)} s)`);
      return bar;
    case 'regime-end': {
      bar?.finish();
      const dir = run.path('models', event.acquisition);
      saveFinalModel(dir, event.final, settings);
      run.log(`${event.acquisition}: final model (${event.final.labels} labels) saved to ${dir}`);
      return null;
    }
    default: {
      const never: never = event;
      throw new Error(`unknown event ${JSON.stringify(never)}`);
    }
  }
}

/** Saves a regime's final model where `galmorph predict --model` can load it, with the run's preprocessing. */
function saveFinalModel(dir: string, final: Extract<ActiveLearnEvent, { type: 'regime-end' }>['final'], settings: ActiveLearnOptions): void {
  const model = new BayesianCnn(final.config);
  try {
    applyTrainerWeights(model, final.weights);
    saveBayesianCnn(dir, model, {
      preprocessing: resolvePreprocessOptions({ size: settings.imageSize, crop: settings.crop, colour: 'grey' }),
      step: final.optimizer.step, optimizer: final.optimizer, extra: { source: 'galmorph active-learn', labels: final.labels },
    });
  } finally {
    model.dispose();
  }
}
